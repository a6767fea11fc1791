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

typealias SyscallHandler = (SyscallArguments) throws(Errno) -> Int

struct SyscallEntry {
    let number: Int
    let name: StaticString
    let handler: SyscallHandler
}

enum SyscallTable {
    nonisolated(unsafe) static var handlers: [SyscallHandler?] = []
    nonisolated(unsafe) static var names: [StaticString?] = []
    nonisolated(unsafe) static var reportedUnknown: [Bool] = []
    static let size = 512

    /// The table, in Linux order. Each family lives in Linux/sys_<family>.swift.
    static var entries: [SyscallEntry] {
        [
            SyscallEntry(number: 0, name: "read", handler: sys_read),
            SyscallEntry(number: 1, name: "write", handler: sys_write),
            SyscallEntry(number: 2, name: "open", handler: sys_open),
            SyscallEntry(number: 3, name: "close", handler: sys_close),
            SyscallEntry(number: 4, name: "stat", handler: sys_stat),
            SyscallEntry(number: 5, name: "fstat", handler: sys_fstat),
            SyscallEntry(number: 6, name: "lstat", handler: sys_lstat),
            SyscallEntry(number: 7, name: "poll", handler: sys_poll),
            SyscallEntry(number: 8, name: "lseek", handler: sys_lseek),
            SyscallEntry(number: 9, name: "mmap", handler: sys_mmap),
            SyscallEntry(number: 10, name: "mprotect", handler: sys_mprotect),
            SyscallEntry(number: 11, name: "munmap", handler: sys_munmap),
            SyscallEntry(number: 12, name: "brk", handler: sys_brk),
            SyscallEntry(number: 13, name: "rt_sigaction", handler: sys_rt_sigaction),
            SyscallEntry(number: 14, name: "rt_sigprocmask", handler: sys_rt_sigprocmask),
            SyscallEntry(number: 15, name: "rt_sigreturn", handler: sys_rt_sigreturn),
            SyscallEntry(number: 16, name: "ioctl", handler: sys_ioctl),
            SyscallEntry(number: 17, name: "pread64", handler: sys_pread64),
            SyscallEntry(number: 18, name: "pwrite64", handler: sys_pwrite64),
            SyscallEntry(number: 19, name: "readv", handler: sys_readv),
            SyscallEntry(number: 20, name: "writev", handler: sys_writev),
            SyscallEntry(number: 21, name: "access", handler: sys_access),
            SyscallEntry(number: 22, name: "pipe", handler: sys_pipe),
            SyscallEntry(number: 23, name: "select", handler: sys_select),
            SyscallEntry(number: 24, name: "sched_yield", handler: sys_sched_yield),
            SyscallEntry(number: 26, name: "msync", handler: sys_msync),
            SyscallEntry(number: 28, name: "madvise", handler: sys_madvise),
            SyscallEntry(number: 32, name: "dup", handler: sys_dup),
            SyscallEntry(number: 33, name: "dup2", handler: sys_dup2),
            SyscallEntry(number: 34, name: "pause", handler: sys_pause),
            SyscallEntry(number: 35, name: "nanosleep", handler: sys_nanosleep),
            SyscallEntry(number: 36, name: "getitimer", handler: sys_getitimer),
            SyscallEntry(number: 37, name: "alarm", handler: sys_alarm),
            SyscallEntry(number: 38, name: "setitimer", handler: sys_setitimer),
            SyscallEntry(number: 39, name: "getpid", handler: sys_getpid),
            SyscallEntry(number: 40, name: "sendfile", handler: sys_sendfile),
            SyscallEntry(number: 41, name: "socket", handler: sys_socket),
            SyscallEntry(number: 42, name: "connect", handler: sys_connect),
            SyscallEntry(number: 43, name: "accept", handler: sys_accept),
            SyscallEntry(number: 44, name: "sendto", handler: sys_sendto),
            SyscallEntry(number: 45, name: "recvfrom", handler: sys_recvfrom),
            SyscallEntry(number: 46, name: "sendmsg", handler: sys_sendmsg),
            SyscallEntry(number: 47, name: "recvmsg", handler: sys_recvmsg),
            SyscallEntry(number: 48, name: "shutdown", handler: sys_shutdown),
            SyscallEntry(number: 49, name: "bind", handler: sys_bind),
            SyscallEntry(number: 50, name: "listen", handler: sys_listen),
            SyscallEntry(number: 51, name: "getsockname", handler: sys_getsockname),
            SyscallEntry(number: 52, name: "getpeername", handler: sys_getpeername),
            SyscallEntry(number: 53, name: "socketpair", handler: sys_socketpair),
            SyscallEntry(number: 54, name: "setsockopt", handler: sys_setsockopt),
            SyscallEntry(number: 55, name: "getsockopt", handler: sys_getsockopt),
            SyscallEntry(number: 56, name: "clone", handler: sys_clone),
            SyscallEntry(number: 57, name: "fork", handler: sys_fork),
            SyscallEntry(number: 58, name: "vfork", handler: sys_vfork),
            SyscallEntry(number: 59, name: "execve", handler: sys_execve),
            SyscallEntry(number: 60, name: "exit", handler: sys_exit),
            SyscallEntry(number: 61, name: "wait4", handler: sys_wait4),
            SyscallEntry(number: 62, name: "kill", handler: sys_kill),
            SyscallEntry(number: 63, name: "uname", handler: sys_uname),
            SyscallEntry(number: 72, name: "fcntl", handler: sys_fcntl),
            SyscallEntry(number: 74, name: "fsync", handler: sys_fsync),
            SyscallEntry(number: 75, name: "fdatasync", handler: sys_fsync),
            SyscallEntry(number: 76, name: "truncate", handler: sys_truncate),
            SyscallEntry(number: 77, name: "ftruncate", handler: sys_ftruncate),
            SyscallEntry(number: 79, name: "getcwd", handler: sys_getcwd),
            SyscallEntry(number: 80, name: "chdir", handler: sys_chdir),
            SyscallEntry(number: 81, name: "fchdir", handler: sys_fchdir),
            SyscallEntry(number: 82, name: "rename", handler: sys_rename),
            SyscallEntry(number: 83, name: "mkdir", handler: sys_mkdir),
            SyscallEntry(number: 84, name: "rmdir", handler: sys_rmdir),
            SyscallEntry(number: 85, name: "creat", handler: sys_creat),
            SyscallEntry(number: 86, name: "link", handler: sys_link),
            SyscallEntry(number: 87, name: "unlink", handler: sys_unlink),
            SyscallEntry(number: 88, name: "symlink", handler: sys_symlink),
            SyscallEntry(number: 89, name: "readlink", handler: sys_readlink),
            SyscallEntry(number: 90, name: "chmod", handler: sys_chmod),
            SyscallEntry(number: 91, name: "fchmod", handler: sys_fchmod),
            SyscallEntry(number: 92, name: "chown", handler: sys_chown),
            SyscallEntry(number: 93, name: "fchown", handler: sys_fchown),
            SyscallEntry(number: 94, name: "lchown", handler: sys_lchown),
            SyscallEntry(number: 95, name: "umask", handler: sys_umask),
            SyscallEntry(number: 96, name: "gettimeofday", handler: sys_gettimeofday),
            SyscallEntry(number: 97, name: "getrlimit", handler: sys_getrlimit),
            SyscallEntry(number: 98, name: "getrusage", handler: sys_getrusage),
            SyscallEntry(number: 99, name: "sysinfo", handler: sys_sysinfo),
            SyscallEntry(number: 100, name: "times", handler: sys_times),
            SyscallEntry(number: 102, name: "getuid", handler: sys_getuid),
            SyscallEntry(number: 104, name: "getgid", handler: sys_getgid),
            SyscallEntry(number: 107, name: "geteuid", handler: sys_geteuid),
            SyscallEntry(number: 108, name: "getegid", handler: sys_getegid),
            SyscallEntry(number: 109, name: "setpgid", handler: sys_setpgid),
            SyscallEntry(number: 110, name: "getppid", handler: sys_getppid),
            SyscallEntry(number: 111, name: "getpgrp", handler: sys_getpgrp),
            SyscallEntry(number: 112, name: "setsid", handler: sys_setsid),
            SyscallEntry(number: 121, name: "getpgid", handler: sys_getpgid),
            SyscallEntry(number: 124, name: "getsid", handler: sys_getsid),
            SyscallEntry(number: 127, name: "rt_sigpending", handler: sys_rt_sigpending),
            SyscallEntry(number: 128, name: "rt_sigtimedwait", handler: sys_rt_sigtimedwait),
            SyscallEntry(number: 129, name: "rt_sigqueueinfo", handler: sys_rt_sigqueueinfo),
            SyscallEntry(number: 130, name: "rt_sigsuspend", handler: sys_rt_sigsuspend),
            SyscallEntry(number: 131, name: "sigaltstack", handler: sys_sigaltstack),
            SyscallEntry(number: 137, name: "statfs", handler: sys_statfs),
            SyscallEntry(number: 138, name: "fstatfs", handler: sys_fstatfs),
            SyscallEntry(number: 157, name: "prctl", handler: sys_prctl),
            SyscallEntry(number: 158, name: "arch_prctl", handler: sys_arch_prctl),
            SyscallEntry(number: 160, name: "setrlimit", handler: sys_setrlimit),
            SyscallEntry(number: 161, name: "chroot", handler: sys_chroot),
            SyscallEntry(number: 162, name: "sync", handler: sys_sync),
            SyscallEntry(number: 165, name: "mount", handler: sys_mount),
            SyscallEntry(number: 166, name: "umount2", handler: sys_umount2),
            SyscallEntry(number: 169, name: "reboot", handler: sys_reboot),
            SyscallEntry(number: 186, name: "gettid", handler: sys_gettid),
            SyscallEntry(number: 200, name: "tkill", handler: sys_tkill),
            SyscallEntry(number: 201, name: "time", handler: sys_time),
            SyscallEntry(number: 202, name: "futex", handler: sys_futex),
            SyscallEntry(number: 203, name: "sched_setaffinity", handler: sys_sched_setaffinity),
            SyscallEntry(number: 204, name: "sched_getaffinity", handler: sys_sched_getaffinity),
            SyscallEntry(number: 217, name: "getdents64", handler: sys_getdents64),
            SyscallEntry(number: 218, name: "set_tid_address", handler: sys_set_tid_address),
            SyscallEntry(number: 219, name: "restart_syscall", handler: sys_restart_syscall),
            SyscallEntry(number: 222, name: "timer_create", handler: sys_timer_create),
            SyscallEntry(number: 223, name: "timer_settime", handler: sys_timer_settime),
            SyscallEntry(number: 224, name: "timer_gettime", handler: sys_timer_gettime),
            SyscallEntry(number: 225, name: "timer_getoverrun", handler: sys_timer_getoverrun),
            SyscallEntry(number: 226, name: "timer_delete", handler: sys_timer_delete),
            SyscallEntry(number: 228, name: "clock_gettime", handler: sys_clock_gettime),
            SyscallEntry(number: 229, name: "clock_getres", handler: sys_clock_getres),
            SyscallEntry(number: 230, name: "clock_nanosleep", handler: sys_clock_nanosleep),
            SyscallEntry(number: 231, name: "exit_group", handler: sys_exit_group),
            SyscallEntry(number: 234, name: "tgkill", handler: sys_tgkill),
            SyscallEntry(number: 247, name: "waitid", handler: sys_waitid),
            SyscallEntry(number: 257, name: "openat", handler: sys_openat),
            SyscallEntry(number: 258, name: "mkdirat", handler: sys_mkdirat),
            SyscallEntry(number: 259, name: "mknodat", handler: sys_mknodat),
            SyscallEntry(number: 260, name: "fchownat", handler: sys_fchownat),
            SyscallEntry(number: 262, name: "newfstatat", handler: sys_newfstatat),
            SyscallEntry(number: 263, name: "unlinkat", handler: sys_unlinkat),
            SyscallEntry(number: 264, name: "renameat", handler: sys_renameat),
            SyscallEntry(number: 265, name: "linkat", handler: sys_linkat),
            SyscallEntry(number: 266, name: "symlinkat", handler: sys_symlinkat),
            SyscallEntry(number: 267, name: "readlinkat", handler: sys_readlinkat),
            SyscallEntry(number: 268, name: "fchmodat", handler: sys_fchmodat),
            SyscallEntry(number: 269, name: "faccessat", handler: sys_faccessat),
            SyscallEntry(number: 270, name: "pselect6", handler: sys_pselect6),
            SyscallEntry(number: 271, name: "ppoll", handler: sys_ppoll),
            SyscallEntry(number: 273, name: "set_robust_list", handler: sys_set_robust_list),
            SyscallEntry(number: 280, name: "utimensat", handler: sys_utimensat),
            SyscallEntry(number: 284, name: "eventfd", handler: sys_eventfd),
            SyscallEntry(number: 288, name: "accept4", handler: sys_accept4),
            SyscallEntry(number: 290, name: "eventfd2", handler: sys_eventfd2),
            SyscallEntry(number: 292, name: "dup3", handler: sys_dup3),
            SyscallEntry(number: 293, name: "pipe2", handler: sys_pipe2),
            SyscallEntry(number: 297, name: "rt_tgsigqueueinfo", handler: sys_rt_tgsigqueueinfo),
            SyscallEntry(number: 302, name: "prlimit64", handler: sys_prlimit64),
            SyscallEntry(number: 309, name: "getcpu", handler: sys_getcpu),
            SyscallEntry(number: 316, name: "renameat2", handler: sys_renameat2),
            SyscallEntry(number: 318, name: "getrandom", handler: sys_getrandom),
            SyscallEntry(number: 332, name: "statx", handler: sys_statx),
            SyscallEntry(number: 439, name: "faccessat2", handler: sys_faccessat2),
        ]
    }

    static func initialize() {
        handlers = Array(repeating: nil, count: size)
        names = Array(repeating: nil, count: size)
        reportedUnknown = Array(repeating: false, count: size)
        for e in entries {
            handlers[e.number] = e.handler
            names[e.number] = e.name
        }
    }
}

/// Every system call from user mode arrives here (switch.S), interrupts enabled.
@c(k42_syscall_dispatch)
func syscallDispatch(_ frame: UnsafeMutablePointer<trap_frame>) {
    let args = SyscallArguments(frame: frame)
    let number = args.number
    Scheduler.current.syscallNumber = frame.pointee.rax
    trace(SyscallEvent.entry, UInt64(bitPattern: Int64(number)), args.a0, args.a1, args.a2)
    var result: Int
    if number >= 0 && number < SyscallTable.size, let handler = SyscallTable.handlers[number] {
        do { result = try handler(args) } catch { result = -Int(error.rawValue) }
    } else {
        if number >= 0 && number < SyscallTable.size && !SyscallTable.reportedUnknown[number] {
            SyscallTable.reportedUnknown[number] = true
            let pid = Scheduler.current.process?.pid ?? 0
            klog("syscall: unknown system call \(number) from pid \(pid): ENOSYS")
        }
        trace(SyscallEvent.unknown, UInt64(bitPattern: Int64(number)))
        result = -Int(Errno.ENOSYS.rawValue)
    }
    frame.pointee.rax = UInt64(bitPattern: Int64(result))
    trace(SyscallEvent.exit, UInt64(bitPattern: Int64(number)), UInt64(bitPattern: Int64(result)))
    UserTraps.beforeReturnToUser(frame)
}
