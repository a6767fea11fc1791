// Process creation and reaping: fork(2), vfork(2) (as fork: the child gets a copy-on-write
// copy; POSIX allows it), clone(2) with fork-like flags, wait4(2) and waitid(2) with Linux's
// status encoding, and the exit path every process takes (ProcessExit).
import LinuxABI
import Memory
import Objects
import Trace

enum ProcessCreation {
    /// A copy of the calling process whose single thread returns 0 from the system call.
    /// clone's CLONE_CHILD_SETTID (`childSetTID`: the child's TID stored at that address in the
    /// child's memory, before it returns to user mode) and CLONE_CHILD_CLEARTID (`childClearTID`:
    /// zeroed and woken when it exits) are how glibc's fork keeps its cached TID right.
    static func fork(_ a: SyscallArguments, childStack: UInt64 = 0, childSetTID: UInt64 = 0,
                     childClearTID: UInt64 = 0) throws(Errno) -> Int {
        let parent = currentProcess
        let parentThread = Scheduler.current
        let pid = try ProcessTable.allocatePID()
        let frames = MemoryBringup.frames!
        let tables = UserPageTables(frames: frames)
        let space = parent.addressSpace.fork(childHAT: tables)
        let child = Process(pid: pid, parent: parent, pageTables: tables, addressSpace: space)
        child.command = parent.command
        child.arguments = parent.arguments
        child.executablePath = parent.executablePath
        child.signals = parent.signals.copyForFork()
        child.files = parent.files.copy()
        child.umask = parent.umask
        child.limits = parent.limits.copy()              // timers are not inherited (fork(2))
        let cpuLimit = child.limits.get(ResourceLimits.CPU)
        child.timers.setCPULimit(soft: cpuLimit.0, hard: cpuLimit.1)
        var childThreadRef: Thread? = nil
        guard let thread = Thread(cpu: Scheduler.placement(), entry: {
            if childSetTID != 0 { try? UserMemory.write(childSetTID, Int32(pid)) }   // in the child's memory
            k42_user_return(childThreadRef!.userFrame)
        }) else { ProcessTable.remove(pid); throw .ENOMEM }
        childThreadRef = thread
        thread.process = child
        thread.tid = pid
        thread.clearChildTID = childClearTID
        thread.fsBase = parentThread.fsBase
        thread.blockedSignals = parentThread.blockedSignals
        thread.altStackBase = parentThread.altStackBase     // fork keeps the alternate stack
        thread.altStackSize = parentThread.altStackSize
        arch_fxsave(thread.fpu)                             // the parent's live FPU/SSE state
        thread.userFrame.pointee = a.frame.pointee
        thread.userFrame.pointee.rax = 0
        if childStack != 0 { thread.userFrame.pointee.rsp = childStack }
        child.threads.append(thread)
        ProcessTable.lock.withLockIRQSave { parent.children.append(child) }
        ProcessTable.insert(child)
        Scheduler.start(thread)
        trace(ProcessEvent.fork, UInt64(parent.pid), UInt64(pid))
        return pid
    }
}

func sys_fork(_ a: SyscallArguments) throws(Errno) -> Int { try ProcessCreation.fork(a) }
func sys_vfork(_ a: SyscallArguments) throws(Errno) -> Int { try ProcessCreation.fork(a) }

/// clone(2): x86_64 argument order flags, stack, parent_tid, child_tid, tls. CLONE_THREAD
/// makes a thread of this process (Linux/Threads.swift); otherwise a new process (fork with
/// an optional new stack). CLONE_VM without CLONE_THREAD (posix_spawn's vfork-like child) is
/// done as a copy-on-write fork.
func sys_clone(_ a: SyscallArguments) throws(Errno) -> Int {
    let flags = a.a0
    if flags & Threads.CLONE_THREAD != 0 {
        return try Threads.create(a, flags: flags, stack: a.a1, parentTID: a.a2, childTID: a.a3, tls: a.a4)
    }
    if flags & Threads.CLONE_SIGHAND != 0 && flags & Threads.CLONE_VM == 0 { throw .EINVAL }
    let pid = try ProcessCreation.fork(a, childStack: a.a1,
                                       childSetTID: flags & Threads.CLONE_CHILD_SETTID != 0 ? a.a3 : 0,
                                       childClearTID: flags & Threads.CLONE_CHILD_CLEARTID != 0 ? a.a3 : 0)
    if flags & Threads.CLONE_PARENT_SETTID != 0, a.a2 != 0 { try UserMemory.write(a.a2, Int32(pid)) }
    return pid
}

/// wait4(2): WNOHANG 1, WUNTRACED 2, WCONTINUED 8, __WALL 0x40000000, __WCLONE 0x80000000.
func sys_wait4(_ a: SyscallArguments) throws(Errno) -> Int {
    let pid = Int(Int32(truncatingIfNeeded: a.a0))
    let options = a.a2
    guard options & ~(0x1 | 0x2 | 0x8 | 0x4000_0000 | 0x8000_0000 | 0x2000_0000) == 0 else { throw .EINVAL }
    var usage = CPUUsage()                                                       // a reaped child's (RUSAGE_BOTH)
    let (reaped, status) = try ProcessExit.waitForChild(pid: pid, noHang: options & 1 != 0,
                                                        stopped: options & 2 != 0, continued: options & 8 != 0, usage: &usage)
    if reaped != 0 && a.a1 != 0 { try UserMemory.write(a.a1, status) }
    if reaped != 0 && a.a3 != 0 { try writeRusage(a.a3, usage) }               // struct rusage
    return reaped
}

/// waitid(2): P_ALL 0, P_PID 1, P_PGID 2; WEXITED 4 required; WNOWAIT 0x01000000 leaves the
/// child waitable; fills siginfo for CLD_EXITED/KILLED.
func sys_waitid(_ a: SyscallArguments) throws(Errno) -> Int {
    let which = a.a0, id = Int(Int32(truncatingIfNeeded: a.a1)), options = a.a3
    guard options & (2 | 4 | 8) != 0 else { throw .EINVAL }           // WSTOPPED, WEXITED, WCONTINUED
    let pid: Int
    switch which {
    case 0: pid = -1
    case 1: guard id > 0 else { throw .EINVAL }; pid = id
    case 2: pid = id == 0 ? 0 : -id
    default: throw .EINVAL
    }
    var usage = CPUUsage()
    let (reaped, status) = try ProcessExit.waitForChild(pid: pid, noHang: options & 1 != 0, reap: options & 0x0100_0000 == 0,
                                                        stopped: options & 2 != 0, continued: options & 8 != 0,
                                                        exited: options & 4 != 0, usage: &usage)
    if a.a2 != 0 {
        var info = [UInt8](repeating: 0, count: 128)
        if reaped != 0 {
            let stoppedReport = status & 0xFF == 0x7F, continuedReport = status == 0xFFFF
            let signaled = !stoppedReport && !continuedReport && status & 0x7F != 0
            LittleEndianBytes.put64(&info, 0, 17)                               // si_signo SIGCHLD (+ errno 0)
            // si_code: CLD_EXITED 1, CLD_KILLED 2, CLD_STOPPED 5, CLD_CONTINUED 6
            info[8] = stoppedReport ? 5 : (continuedReport ? 6 : (signaled ? 2 : 1))
            LittleEndianBytes.put64(&info, 16, UInt64(reaped))                 // si_pid (+ si_uid 0)
            let value: Int32 = stoppedReport ? (status >> 8) & 0xFF : (continuedReport ? Signal.SIGCONT
                : (signaled ? Int32(status & 0x7F) : Int32((status >> 8) & 0xFF)))
            LittleEndianBytes.put64(&info, 24, UInt64(UInt32(bitPattern: value)))   // si_status
        }
        try UserMemory.writeBytes(a.a2, info)
    }
    return 0
}

enum ProcessExit {
    /// Finds and reaps a zombie child matching `pid` (wait4's convention), blocking unless noHang;
    /// with `reap` false (waitid's WNOWAIT) the zombie stays waitable.
    static func waitForChild(pid: Int, noHang: Bool, reap: Bool = true, stopped: Bool = false,
                             continued: Bool = false, exited: Bool = true, usage: inout CPUUsage) throws(Errno) -> (Int, Int32) {
        let me = currentProcess
        func matches(_ c: Process) -> Bool {
            if pid > 0 { return c.pid == pid }
            if pid == 0 { return c.processGroup == me.processGroup }
            if pid < -1 { return c.processGroup == -pid }
            return true
        }
        while true {
            var found: Process? = nil
            var any = false
            var report: (Int, Int32)? = nil
            ProcessTable.lock.withLockIRQSave {
                for c in me.children where matches(c) {
                    any = true
                    if c.isZombie && exited { found = c; break }
                    // Job control: a stop (WUNTRACED) or a continue (WCONTINUED), reported once.
                    if stopped && c.stopToReport {
                        if reap { c.stopToReport = false }
                        report = (c.pid, (c.stopSignal << 8) | 0x7F)
                        break
                    }
                    if continued && c.continueToReport {
                        if reap { c.continueToReport = false }
                        report = (c.pid, 0xFFFF)
                        break
                    }
                }
                if let z = found {
                    usage = z.exitedThreadsCPU
                    usage.add(z.childrenCPU)
                }
                if let z = found, reap {
                    me.children.removeAll { $0 === z }
                    me.childrenCPU.add(usage)    // its CPU time and its reaped children's
                }
            }
            if let report { return report }
            if let z = found {
                if reap { ProcessTable.remove(z.pid) }
                return (z.pid, z.exitStatus ?? 0)
            }
            guard any else { throw .ECHILD }
            if noHang { return (0, 0) }
            // Wake for a zombie, or when no matching child is left at all (children that exit
            // with SIGCHLD ignored leave no zombie: then ECHILD).
            try me.childEvents.waitInterruptibly {
                ProcessTable.lock.withLockIRQSave {
                    me.children.contains { matches($0) && ($0.isZombie || (stopped && $0.stopToReport) || (continued && $0.continueToReport)) }
                        || !me.children.contains { matches($0) }
                }
            }
        }
    }

    /// Ends the calling process with a wait(2) status (its last thread calls this); never returns.
    static func exit(status: Int32) -> Never {
        finishExit(status: status)
        Scheduler.exitCurrentThread()
    }

    /// Ends every thread of the calling process with `status` (exit_group, fatal signals).
    static func exitGroup(status: Int32) -> Never { Threads.exitGroup(status: status) }

    /// Everything but the final switch, in its own frame so that no strong reference is left
    /// behind in the dying thread's stack (it never returns to release them).
    @inline(never)
    private static func finishExit(status: Int32) {
        let me = currentProcess
        trace(ProcessEvent.exit, UInt64(me.pid), UInt64(UInt32(bitPattern: status)))
        UserPageTables.leaveOnThisCPU(me.pageTables)         // leave the address space before freeing it
        me.addressSpace.removeAll()
        me.files.closeAll()
        me.timers.shutdown()                                 // no timer outlives its process
        me.threads.removeAll()
        let initProcess = ProcessTable.find(1)
        var wakeInit = false
        // SIGCHLD ignored or SA_NOCLDWAIT in the parent: no zombie is left (wait(2) NOTES). The
        // child leaves the parent's list in the same critical section that makes it a zombie,
        // so no wait(2) can reap it in between.
        let parentAtExit = me.parent
        let action = parentAtExit.map { p in p.signals.lock.withLockIRQSave { p.signals.actions[Int(Signal.SIGCHLD)] } }
        let autoReap = action.map { $0.handler == 1 || $0.flags & Signal.SA_NOCLDWAIT != 0 } ?? false
        var reaped = false
        let formerChildren = ProcessTable.lock.withLockIRQSave { me.children }
        ProcessTable.lock.withLockIRQSave {
            // Orphans go to init (pid 1), which reaps them.
            for c in me.children {
                c.parent = initProcess
                initProcess?.children.append(c)
                if c.isZombie { wakeInit = true }
            }
            me.children.removeAll()
            me.exitStatus = status
            if autoReap, let p = me.parent, p === parentAtExit {
                p.children.removeAll { $0 === me }
                reaped = true
            }
        }
        if me.pid == 1 {
            klogImportant("Kernel panic - not syncing: Attempted to kill init! exitcode=\(hex(UInt64(UInt32(bitPattern: status)), digits: 8))")
            MachineExit.exit(success: false)
        }
        if wakeInit { initProcess?.childEvents.wakeAll() }
        JobControl.exited(me, parent: parentAtExit, children: formerChildren)   // orphaned groups
        if reaped { ProcessTable.remove(me.pid) }
        if let parent = me.parent {
            // A handler installed with SA_NOCLDWAIT still gets its SIGCHLD (sigaction(2)).
            if action?.handler != 1 {
                let exited = status & 0x7F == 0
                var info = SignalInfo(code: exited ? 1 : 2, pid: Int32(me.pid), status: exited ? (status >> 8) & 0xFF : status & 0x7F)
                let (user, system) = CPUTime.process(me).split              // si_utime, si_stime
                (info.userTicks, info.systemTicks) = (user / 10_000_000, system / 10_000_000)
                Signals.send(Signal.SIGCHLD, to: parent, info: info)
            }
            parent.childEvents.wakeAll()
        }
    }
}
