// The system-call table, in Linux x86_64 order (arch/x86/entry/syscalls/syscall_64.tbl): one
// entry per number with its name and handler. Handlers take the six argument registers and
// return a value or throw an Errno, which the dispatcher turns into -errno in RAX.
// Unknown numbers return ENOSYS and are logged once per number (and traced).
import LinuxABI

struct SyscallArguments {
    let frame: UnsafeMutablePointer<trap_frame>
    /// Replacement for the first two arguments (one call forwarding to another).
    var override: (UInt64, UInt64)? = nil
    var a0: UInt64 { override?.0 ?? frame.pointee.rdi }
    var a1: UInt64 { override?.1 ?? frame.pointee.rsi }
    var a2: UInt64 { frame.pointee.rdx }
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
            SyscallEntry(number: 9, name: "mmap", handler: sys_mmap),
            SyscallEntry(number: 10, name: "mprotect", handler: sys_mprotect),
            SyscallEntry(number: 11, name: "munmap", handler: sys_munmap),
            SyscallEntry(number: 12, name: "brk", handler: sys_brk),
            SyscallEntry(number: 13, name: "rt_sigaction", handler: sys_rt_sigaction),
            SyscallEntry(number: 14, name: "rt_sigprocmask", handler: sys_rt_sigprocmask),
            SyscallEntry(number: 15, name: "rt_sigreturn", handler: sys_rt_sigreturn),
            SyscallEntry(number: 20, name: "writev", handler: sys_writev),
            SyscallEntry(number: 24, name: "sched_yield", handler: sys_sched_yield),
            SyscallEntry(number: 28, name: "madvise", handler: sys_madvise),
            SyscallEntry(number: 34, name: "pause", handler: sys_pause),
            SyscallEntry(number: 35, name: "nanosleep", handler: sys_nanosleep),
            SyscallEntry(number: 39, name: "getpid", handler: sys_getpid),
            SyscallEntry(number: 56, name: "clone", handler: sys_clone),
            SyscallEntry(number: 57, name: "fork", handler: sys_fork),
            SyscallEntry(number: 58, name: "vfork", handler: sys_vfork),
            SyscallEntry(number: 59, name: "execve", handler: sys_execve),
            SyscallEntry(number: 60, name: "exit", handler: sys_exit),
            SyscallEntry(number: 61, name: "wait4", handler: sys_wait4),
            SyscallEntry(number: 62, name: "kill", handler: sys_kill),
            SyscallEntry(number: 63, name: "uname", handler: sys_uname),
            SyscallEntry(number: 96, name: "gettimeofday", handler: sys_gettimeofday),
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
            SyscallEntry(number: 130, name: "rt_sigsuspend", handler: sys_rt_sigsuspend),
            SyscallEntry(number: 131, name: "sigaltstack", handler: sys_sigaltstack),
            SyscallEntry(number: 157, name: "prctl", handler: sys_prctl),
            SyscallEntry(number: 158, name: "arch_prctl", handler: sys_arch_prctl),
            SyscallEntry(number: 169, name: "reboot", handler: sys_reboot),
            SyscallEntry(number: 186, name: "gettid", handler: sys_gettid),
            SyscallEntry(number: 200, name: "tkill", handler: sys_tkill),
            SyscallEntry(number: 201, name: "time", handler: sys_time),
            SyscallEntry(number: 218, name: "set_tid_address", handler: sys_set_tid_address),
            SyscallEntry(number: 228, name: "clock_gettime", handler: sys_clock_gettime),
            SyscallEntry(number: 229, name: "clock_getres", handler: sys_clock_getres),
            SyscallEntry(number: 230, name: "clock_nanosleep", handler: sys_clock_nanosleep),
            SyscallEntry(number: 231, name: "exit_group", handler: sys_exit_group),
            SyscallEntry(number: 234, name: "tgkill", handler: sys_tgkill),
            SyscallEntry(number: 247, name: "waitid", handler: sys_waitid),
            SyscallEntry(number: 273, name: "set_robust_list", handler: sys_set_robust_list),
            SyscallEntry(number: 302, name: "prlimit64", handler: sys_prlimit64),
            SyscallEntry(number: 318, name: "getrandom", handler: sys_getrandom),
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
    var result: Int
    if number >= 0 && number < SyscallTable.size, let handler = SyscallTable.handlers[number] {
        do { result = try handler(args) } catch { result = -Int(error.rawValue) }
    } else {
        if number >= 0 && number < SyscallTable.size && !SyscallTable.reportedUnknown[number] {
            SyscallTable.reportedUnknown[number] = true
            let pid = Scheduler.current.process?.pid ?? 0
            klog("syscall: unknown system call \(number) from pid \(pid): ENOSYS")
        }
        result = -Int(Errno.ENOSYS.rawValue)
    }
    frame.pointee.rax = UInt64(bitPattern: Int64(result))
    UserTraps.beforeReturnToUser(frame)
}
