// The system-call table, in Linux x86_64 order (arch/x86/entry/syscalls/syscall_64.tbl): one
// entry per number with its name and handler. Handlers take the six argument registers and
// return a value or throw an Errno, which the dispatcher turns into -errno in RAX.
// Unknown numbers return ENOSYS and are logged once per number (and traced).
import LinuxABI
import Trace

struct SyscallArguments {
    let frame: UnsafeMutablePointer<trap_frame>
    /// Replacement for the first arguments (one call forwarding to another, e.g. mkdir to
    /// mkdirat): `override` replaces a0 and a1, `shift` a2.
    var override: (UInt64, UInt64)? = nil
    var shift: UInt64? = nil
    var a0: UInt64 { override?.0 ?? frame.pointee.rdi }
    var a1: UInt64 { override?.1 ?? frame.pointee.rsi }
    var a2: UInt64 { shift ?? frame.pointee.rdx }
    var a3: UInt64 { frame.pointee.r10 }
    var a4: UInt64 { frame.pointee.r8 }
    var a5: UInt64 { frame.pointee.r9 }
    var number: Int { Int(truncatingIfNeeded: frame.pointee.rax) }
}

/// The table, in Linux order: `case number: handler // name`. Each family lives in
/// Linux/sys_<family>.swift. A `switch` rather than an array of closures: the compiler makes a
/// jump table of direct calls (no closure context, no reabstraction thunk, no bounds check).
enum SyscallTable {
    static let size = 512
    nonisolated(unsafe) static var reportedUnknown = [Bool](repeating: false, count: size)

    static func call(_ number: Int, _ a: SyscallArguments) throws(Errno) -> Int {
        switch number {
        case 0: return try sys_read(a)                   // read
        case 1: return try sys_write(a)                  // write
        case 2: return try sys_open(a)                   // open
        case 3: return try sys_close(a)                  // close
        case 4: return try sys_stat(a)                   // stat
        case 5: return try sys_fstat(a)                  // fstat
        case 6: return try sys_lstat(a)                  // lstat
        case 7: return try sys_poll(a)                   // poll
        case 8: return try sys_lseek(a)                  // lseek
        case 9: return try sys_mmap(a)                   // mmap
        case 10: return try sys_mprotect(a)              // mprotect
        case 11: return try sys_munmap(a)                // munmap
        case 12: return try sys_brk(a)                   // brk
        case 13: return try sys_rt_sigaction(a)          // rt_sigaction
        case 14: return try sys_rt_sigprocmask(a)        // rt_sigprocmask
        case 15: return try sys_rt_sigreturn(a)          // rt_sigreturn
        case 16: return try sys_ioctl(a)                 // ioctl
        case 17: return try sys_pread64(a)               // pread64
        case 18: return try sys_pwrite64(a)              // pwrite64
        case 19: return try sys_readv(a)                 // readv
        case 20: return try sys_writev(a)                // writev
        case 21: return try sys_access(a)                // access
        case 22: return try sys_pipe(a)                  // pipe
        case 23: return try sys_select(a)                // select
        case 24: return try sys_sched_yield(a)           // sched_yield
        case 26: return try sys_msync(a)                 // msync
        case 28: return try sys_madvise(a)               // madvise
        case 32: return try sys_dup(a)                   // dup
        case 33: return try sys_dup2(a)                  // dup2
        case 34: return try sys_pause(a)                 // pause
        case 35: return try sys_nanosleep(a)             // nanosleep
        case 36: return try sys_getitimer(a)             // getitimer
        case 37: return try sys_alarm(a)                 // alarm
        case 38: return try sys_setitimer(a)             // setitimer
        case 39: return try sys_getpid(a)                // getpid
        case 40: return try sys_sendfile(a)              // sendfile
        case 41: return try sys_socket(a)                // socket
        case 42: return try sys_connect(a)               // connect
        case 43: return try sys_accept(a)                // accept
        case 44: return try sys_sendto(a)                // sendto
        case 45: return try sys_recvfrom(a)              // recvfrom
        case 46: return try sys_sendmsg(a)               // sendmsg
        case 47: return try sys_recvmsg(a)               // recvmsg
        case 48: return try sys_shutdown(a)              // shutdown
        case 49: return try sys_bind(a)                  // bind
        case 50: return try sys_listen(a)                // listen
        case 51: return try sys_getsockname(a)           // getsockname
        case 52: return try sys_getpeername(a)           // getpeername
        case 53: return try sys_socketpair(a)            // socketpair
        case 54: return try sys_setsockopt(a)            // setsockopt
        case 55: return try sys_getsockopt(a)            // getsockopt
        case 56: return try sys_clone(a)                 // clone
        case 57: return try sys_fork(a)                  // fork
        case 58: return try sys_vfork(a)                 // vfork
        case 59: return try sys_execve(a)                // execve
        case 60: return try sys_exit(a)                  // exit
        case 61: return try sys_wait4(a)                 // wait4
        case 62: return try sys_kill(a)                  // kill
        case 63: return try sys_uname(a)                 // uname
        case 72: return try sys_fcntl(a)                 // fcntl
        case 74: return try sys_fsync(a)                 // fsync
        case 75: return try sys_fsync(a)                 // fdatasync
        case 76: return try sys_truncate(a)              // truncate
        case 77: return try sys_ftruncate(a)             // ftruncate
        case 79: return try sys_getcwd(a)                // getcwd
        case 80: return try sys_chdir(a)                 // chdir
        case 81: return try sys_fchdir(a)                // fchdir
        case 82: return try sys_rename(a)                // rename
        case 83: return try sys_mkdir(a)                 // mkdir
        case 84: return try sys_rmdir(a)                 // rmdir
        case 85: return try sys_creat(a)                 // creat
        case 86: return try sys_link(a)                  // link
        case 87: return try sys_unlink(a)                // unlink
        case 88: return try sys_symlink(a)               // symlink
        case 89: return try sys_readlink(a)              // readlink
        case 90: return try sys_chmod(a)                 // chmod
        case 91: return try sys_fchmod(a)                // fchmod
        case 92: return try sys_chown(a)                 // chown
        case 93: return try sys_fchown(a)                // fchown
        case 94: return try sys_lchown(a)                // lchown
        case 95: return try sys_umask(a)                 // umask
        case 96: return try sys_gettimeofday(a)          // gettimeofday
        case 97: return try sys_getrlimit(a)             // getrlimit
        case 98: return try sys_getrusage(a)             // getrusage
        case 99: return try sys_sysinfo(a)               // sysinfo
        case 100: return try sys_times(a)                // times
        case 102: return try sys_getuid(a)               // getuid
        case 104: return try sys_getgid(a)               // getgid
        case 107: return try sys_geteuid(a)              // geteuid
        case 108: return try sys_getegid(a)              // getegid
        case 109: return try sys_setpgid(a)              // setpgid
        case 110: return try sys_getppid(a)              // getppid
        case 111: return try sys_getpgrp(a)              // getpgrp
        case 112: return try sys_setsid(a)               // setsid
        case 121: return try sys_getpgid(a)              // getpgid
        case 124: return try sys_getsid(a)               // getsid
        case 127: return try sys_rt_sigpending(a)        // rt_sigpending
        case 128: return try sys_rt_sigtimedwait(a)      // rt_sigtimedwait
        case 129: return try sys_rt_sigqueueinfo(a)      // rt_sigqueueinfo
        case 130: return try sys_rt_sigsuspend(a)        // rt_sigsuspend
        case 131: return try sys_sigaltstack(a)          // sigaltstack
        case 137: return try sys_statfs(a)               // statfs
        case 138: return try sys_fstatfs(a)              // fstatfs
        case 157: return try sys_prctl(a)                // prctl
        case 158: return try sys_arch_prctl(a)           // arch_prctl
        case 160: return try sys_setrlimit(a)            // setrlimit
        case 161: return try sys_chroot(a)               // chroot
        case 162: return try sys_sync(a)                 // sync
        case 165: return try sys_mount(a)                // mount
        case 166: return try sys_umount2(a)              // umount2
        case 169: return try sys_reboot(a)               // reboot
        case 186: return try sys_gettid(a)               // gettid
        case 200: return try sys_tkill(a)                // tkill
        case 201: return try sys_time(a)                 // time
        case 202: return try sys_futex(a)                // futex
        case 203: return try sys_sched_setaffinity(a)    // sched_setaffinity
        case 204: return try sys_sched_getaffinity(a)    // sched_getaffinity
        case 213: return try sys_epoll_create(a)         // epoll_create
        case 217: return try sys_getdents64(a)           // getdents64
        case 218: return try sys_set_tid_address(a)      // set_tid_address
        case 219: return try sys_restart_syscall(a)      // restart_syscall
        case 222: return try sys_timer_create(a)         // timer_create
        case 223: return try sys_timer_settime(a)        // timer_settime
        case 224: return try sys_timer_gettime(a)        // timer_gettime
        case 225: return try sys_timer_getoverrun(a)     // timer_getoverrun
        case 226: return try sys_timer_delete(a)         // timer_delete
        case 228: return try sys_clock_gettime(a)        // clock_gettime
        case 229: return try sys_clock_getres(a)         // clock_getres
        case 230: return try sys_clock_nanosleep(a)      // clock_nanosleep
        case 231: return try sys_exit_group(a)           // exit_group
        case 232: return try sys_epoll_wait(a)           // epoll_wait
        case 233: return try sys_epoll_ctl(a)            // epoll_ctl
        case 234: return try sys_tgkill(a)               // tgkill
        case 247: return try sys_waitid(a)               // waitid
        case 257: return try sys_openat(a)               // openat
        case 258: return try sys_mkdirat(a)              // mkdirat
        case 259: return try sys_mknodat(a)              // mknodat
        case 260: return try sys_fchownat(a)             // fchownat
        case 262: return try sys_newfstatat(a)           // newfstatat
        case 263: return try sys_unlinkat(a)             // unlinkat
        case 264: return try sys_renameat(a)             // renameat
        case 265: return try sys_linkat(a)               // linkat
        case 266: return try sys_symlinkat(a)            // symlinkat
        case 267: return try sys_readlinkat(a)           // readlinkat
        case 268: return try sys_fchmodat(a)             // fchmodat
        case 269: return try sys_faccessat(a)            // faccessat
        case 270: return try sys_pselect6(a)             // pselect6
        case 271: return try sys_ppoll(a)                // ppoll
        case 273: return try sys_set_robust_list(a)      // set_robust_list
        case 274: return try sys_get_robust_list(a)      // get_robust_list
        case 280: return try sys_utimensat(a)            // utimensat
        case 281: return try sys_epoll_pwait(a)          // epoll_pwait
        case 284: return try sys_eventfd(a)              // eventfd
        case 288: return try sys_accept4(a)              // accept4
        case 290: return try sys_eventfd2(a)             // eventfd2
        case 291: return try sys_epoll_create1(a)        // epoll_create1
        case 292: return try sys_dup3(a)                 // dup3
        case 293: return try sys_pipe2(a)                // pipe2
        case 297: return try sys_rt_tgsigqueueinfo(a)    // rt_tgsigqueueinfo
        case 299: return try sys_recvmmsg(a)             // recvmmsg
        case 302: return try sys_prlimit64(a)            // prlimit64
        case 307: return try sys_sendmmsg(a)             // sendmmsg
        case 309: return try sys_getcpu(a)               // getcpu
        case 316: return try sys_renameat2(a)            // renameat2
        case 318: return try sys_getrandom(a)            // getrandom
        case 332: return try sys_statx(a)                // statx
        case 439: return try sys_faccessat2(a)           // faccessat2
        case 441: return try sys_epoll_pwait2(a)         // epoll_pwait2
        default: return try unknown(number)
        }
    }

    /// ENOSYS, logged once per number and traced every time.
    static func unknown(_ number: Int) throws(Errno) -> Int {
        if number >= 0 && number < size && !reportedUnknown[number] {
            reportedUnknown[number] = true
            let pid = Scheduler.current.process?.pid ?? 0
            klog("syscall: unknown system call \(number) from pid \(pid): ENOSYS")
        }
        trace(SyscallEvent.unknown, UInt64(bitPattern: Int64(number)))
        throw .ENOSYS
    }
}

/// Every system call from user mode arrives here (switch.S), interrupts enabled.
@c(k42_syscall_dispatch)
func syscallDispatch(_ frame: UnsafeMutablePointer<trap_frame>) {
    let args = SyscallArguments(frame: frame)
    let number = args.number
    Scheduler.running._withUnsafeGuaranteedRef { $0.syscallNumber = frame.pointee.rax }
    trace(SyscallEvent.entry, UInt64(bitPattern: Int64(number)), args.a0, args.a1, args.a2)
    let result: Int
    do { result = try SyscallTable.call(number, args) } catch { result = -Int(error.rawValue) }
    frame.pointee.rax = UInt64(bitPattern: Int64(result))
    trace(SyscallEvent.exit, UInt64(bitPattern: Int64(number)), UInt64(bitPattern: Int64(result)))
    UserTraps.beforeReturnToUser(frame)
}
