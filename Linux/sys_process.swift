// Process identity and lifetime: getpid(2), getppid, gettid, get*id, setpgid/getpgid/setsid,
// exit(2) and exit_group(2) (one thread per process for now, so they are the same), uname(2),
// arch_prctl(2) (the FS base glibc puts its thread pointer in), set_tid_address(2), reboot(2).
import LinuxABI
import Objects
import Memory

var currentProcess: Process {
    // SAFETY: the running thread lives while it runs (Scheduler.running); no retain of it.
    Scheduler.running._withUnsafeGuaranteedRef { thread in
        guard let p = thread.process else { kernelPanic("system call from a thread with no process") }
        return p
    }
}

func sys_getpid(_ a: SyscallArguments) throws(Errno) -> Int {
    Scheduler.running._withUnsafeGuaranteedRef { $0.process?.pid ?? 0 }     // no reference counting
}
func sys_gettid(_ a: SyscallArguments) throws(Errno) -> Int { Scheduler.current.tid }
func sys_getppid(_ a: SyscallArguments) throws(Errno) -> Int { currentProcess.parent?.pid ?? 0 }
func sys_getuid(_ a: SyscallArguments) throws(Errno) -> Int { 0 }
func sys_geteuid(_ a: SyscallArguments) throws(Errno) -> Int { 0 }
func sys_getgid(_ a: SyscallArguments) throws(Errno) -> Int { 0 }
func sys_getegid(_ a: SyscallArguments) throws(Errno) -> Int { 0 }
func sys_getpgrp(_ a: SyscallArguments) throws(Errno) -> Int { currentProcess.processGroup }

func sys_getpgid(_ a: SyscallArguments) throws(Errno) -> Int {
    let pid = Int(Int32(truncatingIfNeeded: a.a0))
    if pid == 0 { return currentProcess.processGroup }
    guard let p = ProcessTable.find(pid) else { throw .ESRCH }
    return p.processGroup
}

func sys_getsid(_ a: SyscallArguments) throws(Errno) -> Int {
    let pid = Int(Int32(truncatingIfNeeded: a.a0))
    if pid == 0 { return currentProcess.session }
    guard let p = ProcessTable.find(pid) else { throw .ESRCH }
    return p.session
}

/// setpgid(2): a process may move itself or a child (same session) into a group.
func sys_setpgid(_ a: SyscallArguments) throws(Errno) -> Int {
    let me = currentProcess
    let pid = Int(Int32(truncatingIfNeeded: a.a0)), pgid = Int(Int32(truncatingIfNeeded: a.a1))
    guard pgid >= 0 else { throw .EINVAL }
    let target: Process
    if pid == 0 || pid == me.pid { target = me } else {
        guard let child = ProcessTable.lock.withLockIRQSave({ me.children.first { $0.pid == pid } }) else { throw .ESRCH }
        target = child
    }
    guard target.session == me.session else { throw .EPERM }
    if target.pid == target.session { throw .EPERM }          // a session leader cannot move
    target.processGroup = pgid == 0 ? target.pid : pgid
    return 0
}

/// setsid(2): a new session and process group led by the caller.
func sys_setsid(_ a: SyscallArguments) throws(Errno) -> Int {
    let me = currentProcess
    if me.processGroup == me.pid { throw .EPERM }
    me.session = me.pid
    me.processGroup = me.pid
    return me.pid
}

/// exit(2): ends the calling thread (the process too if it was the last).
func sys_exit(_ a: SyscallArguments) throws(Errno) -> Int {
    Threads.exitThread(code: Int32(truncatingIfNeeded: a.a0 & 0xFF))
}

/// exit_group(2): ends every thread of the process.
func sys_exit_group(_ a: SyscallArguments) throws(Errno) -> Int {
    Threads.exitGroup(status: Int32(truncatingIfNeeded: a.a0 & 0xFF) << 8)
}

func sys_set_tid_address(_ a: SyscallArguments) throws(Errno) -> Int {
    let t = Scheduler.current
    t.clearChildTID = a.a0
    return t.tid
}

/// set_robust_list(2): remembers the head; the list is walked when the thread exits
/// (Linux/RobustFutex.swift).
func sys_set_robust_list(_ a: SyscallArguments) throws(Errno) -> Int {
    guard a.a1 == RobustFutexList.headSize else { throw .EINVAL }   // sizeof(struct robust_list_head)
    Scheduler.current.robustList = a.a0
    return 0
}

/// get_robust_list(2): pid 0 is the caller; another thread's list needs it to be a thread of
/// ours (Linux also allows ptrace-capable callers).
func sys_get_robust_list(_ a: SyscallArguments) throws(Errno) -> Int {
    let tid = Int(Int32(truncatingIfNeeded: a.a0))
    let head: UInt64
    if tid == 0 {
        head = Scheduler.current.robustList
    } else {
        let me = currentProcess
        let found: Thread? = ProcessTable.lock.withLockIRQSave {
            if let t = ProcessTable.threads[tid] { return t }
            return ProcessTable.processes[tid].flatMap { $0.isZombie ? nil : $0.threads.first }
        }
        guard let t = found else { throw .ESRCH }
        guard t.process === me else { throw .EPERM }
        head = t.robustList
    }
    try UserMemory.write(a.a1, head)
    try UserMemory.write(a.a2, UInt64(RobustFutexList.headSize))
    return 0
}

/// arch_prctl(2): ARCH_SET_FS 0x1002, ARCH_GET_FS 0x1003, ARCH_SET_GS 0x1001, ARCH_GET_GS 0x1004.
func sys_arch_prctl(_ a: SyscallArguments) throws(Errno) -> Int {
    let t = Scheduler.current
    switch a.a0 {
    case 0x1002:
        guard a.a1 < UInt64(USER_END) else { throw .EPERM }
        t.fsBase = a.a1
        UserMode.setFSBase(a.a1)
        return 0
    case 0x1003:
        try UserMemory.write(a.a1, t.fsBase)
        return 0
    case 0x1001, 0x1004: throw .EINVAL                   // user GS is not supported yet
    default: throw .EINVAL
    }
}

/// uname(2): six 65-byte fields (struct new_utsname).
func sys_uname(_ a: SyscallArguments) throws(Errno) -> Int {
    var buffer = [UInt8](repeating: 0, count: 65 * 6)
    let fields = ["Linux", "k42", "6.1.0-k42", "#1 SMP K42 in Swift", "x86_64", "(none)"]
    for (i, f) in fields.enumerated() {
        for (j, c) in f.utf8.prefix(64).enumerated() { buffer[65 * i + j] = c }
    }
    try UserMemory.writeBytes(a.a0, buffer)
    return 0
}

/// reboot(2): the magic numbers, then POWER_OFF/HALT end the machine (QEMU exits with
/// status 33), RESTART too (there is nothing to restart into under test).
func sys_reboot(_ a: SyscallArguments) throws(Errno) -> Int {
    guard a.a0 == 0xFEE1_DEAD, [672_274_793, 85_072_278, 369_367_448, 537_993_216].contains(a.a1) else { throw .EINVAL }
    switch UInt32(truncatingIfNeeded: a.a2) {
    case 0x4321_FEDC, 0xCDEF_0123, 0x0123_4567:          // POWER_OFF, HALT, RESTART
        KFSMounts.syncAll()                               // acknowledged writes reach the disk
        klogImportant("reboot: Power down")
        KernelTracing.finishBeforeExit()                  // the trace reaches the host first
        MachineExit.exit(success: true)
    case 0, 0x89AB_CDEF: return 0                          // CAD_OFF, CAD_ON
    default: throw .EINVAL
    }
}

func sys_sched_yield(_ a: SyscallArguments) throws(Errno) -> Int {
    let flags = k42_irq_save()
    Scheduler.schedule()
    k42_irq_restore(flags)
    return 0
}

/// prctl(2): PR_SET_NAME 15 and PR_GET_NAME 16 (the 16-byte comm), PR_GET_DUMPABLE 3,
/// PR_SET_DUMPABLE 4; others are EINVAL as on a kernel without that option.
func sys_prctl(_ a: SyscallArguments) throws(Errno) -> Int {
    let p = currentProcess
    switch a.a0 {
    case 15:
        let name = try UserMemory.readBytes(a.a1, count: 16)
        let end = name.firstIndex(of: 0) ?? 15
        p.command = Array(name[0..<min(end, 15)])
        return 0
    case 16:
        var out = [UInt8](repeating: 0, count: 16)
        for (i, c) in p.command.prefix(15).enumerated() { out[i] = c }
        try UserMemory.writeBytes(a.a1, out)
        return 0
    case 3: return 1
    case 4: return a.a1 <= 1 ? 0 : try { () throws(Errno) -> Int in throw .EINVAL }()
    default: throw .EINVAL
    }
}

/// sched_setaffinity(2): the calling thread moves to the first allowed CPU if its own is not
/// allowed; for other threads the mask is recorded and applies from their next migration.
func sys_sched_setaffinity(_ a: SyscallArguments) throws(Errno) -> Int {
    let tid = Int(Int32(truncatingIfNeeded: a.a0))
    guard a.a1 >= 8 else { throw .EINVAL }
    let mask = try UserMemory.read(a.a2, as: UInt64.self)
    let online = CPUs.all.reduce(UInt64(0)) { $0 | (UInt64(1) << UInt64($1.index)) }
    guard mask & online != 0 else { throw .EINVAL }
    let thread: Thread
    if tid == 0 { thread = Scheduler.current } else {
        guard let t = ProcessTable.findThread(tid) else { throw .ESRCH }
        thread = t
    }
    thread.affinity = mask & online
    if thread === Scheduler.current, thread.affinity & (UInt64(1) << UInt64(thread.cpu)) == 0 {
        Scheduler.migrateCurrent(to: thread.affinity.trailingZeroBitCount)
    }
    return 0
}

/// sched_getaffinity(2): returns the size of the kernel's CPU mask (8 bytes).
func sys_sched_getaffinity(_ a: SyscallArguments) throws(Errno) -> Int {
    let tid = Int(Int32(truncatingIfNeeded: a.a0))
    guard a.a1 >= 8, a.a1 & 7 == 0 else { throw .EINVAL }
    let thread: Thread
    if tid == 0 { thread = Scheduler.current } else {
        guard let t = ProcessTable.findThread(tid) else { throw .ESRCH }
        thread = t
    }
    let online = CPUs.all.reduce(UInt64(0)) { $0 | (UInt64(1) << UInt64($1.index)) }
    try UserMemory.write(a.a2, thread.affinity & online)
    if a.a1 > 8 { try UserMemory.zero(a.a2 + 8, count: Int(a.a1) - 8) }
    return 8
}

/// getcpu(2): the CPU (and NUMA node 0) the caller is running on.
func sys_getcpu(_ a: SyscallArguments) throws(Errno) -> Int {
    if a.a0 != 0 { try UserMemory.write(a.a0, UInt32(currentCPU)) }
    if a.a1 != 0 { try UserMemory.write(a.a1, UInt32(0)) }
    return 0
}
