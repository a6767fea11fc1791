// The signal system calls: rt_sigaction(2), rt_sigprocmask(2), rt_sigreturn(2), kill(2),
// tkill/tgkill(2), rt_sigpending(2), rt_sigsuspend(2), pause(2), sigaltstack(2),
// rt_sigqueueinfo / rt_tgsigqueueinfo (sigqueue(3)), rt_sigtimedwait (sigwaitinfo(2),
// sigtimedwait(2)), restart_syscall(2). Delivery itself is Linux/Signals.swift.
import LinuxABI
import Objects

func signalNumber(_ raw: UInt64) throws(Errno) -> Int32 {
    let sig = Int32(truncatingIfNeeded: raw)
    guard sig >= 1, sig <= Int32(Signal.count) else { throw .EINVAL }
    return sig
}

func sys_rt_sigaction(_ a: SyscallArguments) throws(Errno) -> Int {
    let sig = try signalNumber(a.a0)
    guard a.a3 == 8 else { throw .EINVAL }                       // sizeof(sigset_t)
    let state = currentProcess.signals
    var newAction: SignalAction? = nil
    if a.a1 != 0 {
        guard sig != Signal.SIGKILL && sig != Signal.SIGSTOP else { throw .EINVAL }
        let raw = try UserMemory.read(a.a1, as: (UInt64, UInt64, UInt64, UInt64).self)
        newAction = SignalAction(handler: raw.0, flags: raw.1, restorer: raw.2, mask: raw.3 & ~Signal.unblockable)
    }
    let old: SignalAction = state.lock.withLockIRQSave {
        let previous = state.actions[Int(sig)]
        if let n = newAction {
            state.actions[Int(sig)] = n
            // Setting SIG_IGN (or a default of ignore) discards what is pending (POSIX).
            if n.handler == 1 || (n.handler == 0 && Signal.defaultIgnores(sig)) {
                state.queue.discard(Signal.bit(sig))
                for t in currentProcess.threads { t.signalQueue.discard(Signal.bit(sig)) }
            }
        }
        return previous
    }
    if a.a2 != 0 { try UserMemory.write(a.a2, (old.handler, old.flags, old.restorer, old.mask)) }
    return 0
}

/// SIG_BLOCK 0, SIG_UNBLOCK 1, SIG_SETMASK 2.
func sys_rt_sigprocmask(_ a: SyscallArguments) throws(Errno) -> Int {
    guard a.a3 == 8 else { throw .EINVAL }
    let thread = Scheduler.current
    let old = thread.blockedSignals
    if a.a1 != 0 {
        let set = try UserMemory.read(a.a1, as: UInt64.self)
        switch a.a0 {
        case 0: thread.blockedSignals |= set
        case 1: thread.blockedSignals &= ~set
        case 2: thread.blockedSignals = set
        default: throw .EINVAL
        }
        thread.blockedSignals &= ~Signal.unblockable
    }
    if a.a2 != 0 { try UserMemory.write(a.a2, old) }
    return 0
}

/// Restores the context the signal frame saved; returns the restored RAX (the dispatcher
/// writes it back unchanged).
func sys_rt_sigreturn(_ a: SyscallArguments) throws(Errno) -> Int {
    let thread = Scheduler.current
    let frame = a.frame
    let uc = frame.pointee.rsp                                    // the restorer's RSP: &uc
    guard let context = try? UserMemory.readBytes(uc, count: 304) else { UserTraps.kill(signal: Signal.SIGSEGV) }
    let sc = 40
    func get(_ i: Int) -> UInt64 { LittleEndianBytes.u64(context, sc + 8 * i) }
    frame.pointee.r8 = get(0); frame.pointee.r9 = get(1); frame.pointee.r10 = get(2); frame.pointee.r11 = get(3)
    frame.pointee.r12 = get(4); frame.pointee.r13 = get(5); frame.pointee.r14 = get(6); frame.pointee.r15 = get(7)
    frame.pointee.rdi = get(8); frame.pointee.rsi = get(9); frame.pointee.rbp = get(10); frame.pointee.rbx = get(11)
    frame.pointee.rdx = get(12); frame.pointee.rax = get(13); frame.pointee.rcx = get(14); frame.pointee.rsp = get(15)
    frame.pointee.rip = get(16)
    // Only the flags user code may change (CF PF AF ZF SF TF DF OF AC), with IF on.
    frame.pointee.rflags = (get(17) & 0x4_0DD5) | 0x202
    frame.pointee.cs = UInt64(Selector.userCode)
    frame.pointee.ss = UInt64(Selector.userData)
    let fpstate = get(23)
    if fpstate != 0, var fx = try? UserMemory.readBytes(fpstate, count: 512) {
        // MXCSR reserved bits would make FXRSTOR fault in the kernel: clear them.
        let mxcsr = UInt32(LittleEndianBytes.u32(fx, 24)) & 0xFFBF
        for i in 0..<4 { fx[24 + i] = UInt8(truncatingIfNeeded: mxcsr >> (8 * UInt32(i))) }
        fx.withUnsafeBytes { thread.fpu.copyMemory(from: $0.baseAddress!, byteCount: 512) }
        arch_fxrstor(thread.fpu)
    }
    thread.blockedSignals = LittleEndianBytes.u64(context, 296) & ~Signal.unblockable
    thread.restartBlock = nil                         // restart_syscall after a handler: EINTR
    return Int(Int64(bitPattern: frame.pointee.rax))
}

func sys_kill(_ a: SyscallArguments) throws(Errno) -> Int {
    let pid = Int(Int32(truncatingIfNeeded: a.a0))
    let sig = Int32(truncatingIfNeeded: a.a1)
    guard sig >= 0, sig <= Int32(Signal.count) else { throw .EINVAL }
    let me = currentProcess
    let targets: [Process] = ProcessTable.lock.withLockIRQSave {
        if pid > 0 { return ProcessTable.processes[pid].map { [$0] } ?? [] }
        if pid == 0 { return ProcessTable.processes.values.filter { $0.processGroup == me.processGroup } }
        if pid == -1 { return ProcessTable.processes.values.filter { $0.pid != 1 && $0 !== me } }
        return ProcessTable.processes.values.filter { $0.processGroup == -pid }
    }
    guard !targets.isEmpty else { throw .ESRCH }
    if sig != 0 {
        for t in targets { Signals.send(sig, to: t, info: SignalInfo(code: SignalInfo.SI_USER, pid: Int32(me.pid))) }
    }
    return 0
}

/// tkill(2): a signal for one thread (SI_TKILL).
func sys_tkill(_ a: SyscallArguments) throws(Errno) -> Int {
    let tid = Int(Int32(truncatingIfNeeded: a.a0))
    let sig = Int32(truncatingIfNeeded: a.a1)
    guard tid > 0, sig >= 0, sig <= Int32(Signal.count) else { throw .EINVAL }
    guard let t = ProcessTable.findThread(tid) else { throw .ESRCH }
    if sig != 0 { Signals.send(sig, toThread: t, info: SignalInfo(code: SignalInfo.SI_TKILL, pid: Int32(currentProcess.pid))) }
    return 0
}

/// tgkill(2): like tkill, but the thread must belong to thread group `tgid`.
func sys_tgkill(_ a: SyscallArguments) throws(Errno) -> Int {
    let tgid = Int(Int32(truncatingIfNeeded: a.a0)), tid = Int(Int32(truncatingIfNeeded: a.a1))
    guard tgid > 0, tid > 0 else { throw .EINVAL }
    guard let t = ProcessTable.findThread(tid), t.process?.pid == tgid else { throw .ESRCH }
    return try sys_tkill(SyscallArguments(frame: a.frame, override: (UInt64(tid), a.a2)))
}

func sys_rt_sigpending(_ a: SyscallArguments) throws(Errno) -> Int {
    guard a.a1 == 8 else { throw .EINVAL }
    let thread = Scheduler.current
    let pending = currentProcess.signals.lock.withLockIRQSave { currentProcess.signals.pending | thread.pendingSignals }
    try UserMemory.write(a.a0, pending & thread.blockedSignals)
    return 0
}

/// rt_sigsuspend(2): wait with a temporary mask until a handler runs; always EINTR.
func sys_rt_sigsuspend(_ a: SyscallArguments) throws(Errno) -> Int {
    guard a.a1 == 8 else { throw .EINVAL }
    let thread = Scheduler.current
    let mask = try UserMemory.read(a.a0, as: UInt64.self)
    let old = thread.blockedSignals
    thread.blockedSignals = mask & ~Signal.unblockable
    let queue = KernelWaitQueue()
    queue.wait { Signals.hasDeliverable(thread) }
    // The handler runs with the temporary mask; sigreturn restores the one saved in its frame,
    // which must be the old mask: deliver now with the old mask recorded.
    thread.savedMask = old
    throw .EINTR
}

func sys_pause(_ a: SyscallArguments) throws(Errno) -> Int {
    let thread = Scheduler.current
    KernelWaitQueue().wait { Signals.hasDeliverable(thread) }
    throw .EINTR
}

/// sigaltstack(2): SS_ONSTACK 1, SS_DISABLE 2, SS_AUTODISARM (1 << 31); MINSIGSTKSZ 2048.
/// Handlers installed with SA_ONSTACK then run on it (Signals.pushFrame).
func sys_sigaltstack(_ a: SyscallArguments) throws(Errno) -> Int {
    let t = Scheduler.current
    let rsp = a.frame.pointee.rsp
    let onStack = t.altStackSize != 0 && rsp > t.altStackBase && rsp <= t.altStackBase + t.altStackSize
    var old: (UInt64, UInt32, UInt32, UInt64) = (t.altStackBase, t.altStackSize == 0 ? 2 : (onStack ? 1 : 0), 0, t.altStackSize)
    if a.a0 != 0 {
        let (sp, flags, _, size) = try UserMemory.read(a.a0, as: (UInt64, UInt32, UInt32, UInt64).self)
        if onStack { throw .EPERM }
        let mode = flags & ~(UInt32(1) << 31)
        guard mode == 0 || mode == 2 else { throw .EINVAL }
        if mode == 2 {
            t.altStackBase = 0; t.altStackSize = 0
        } else {
            guard size >= 2048 else { throw .ENOMEM }
            t.altStackBase = sp; t.altStackSize = size
        }
    }
    if a.a1 != 0 {
        if old.3 == 0 { old.0 = 0 }
        try UserMemory.write(a.a1, old)
    }
    return 0
}

/// The siginfo a caller of rt_sigqueueinfo supplies: si_code, and pid, uid and value, which
/// Linux passes on as given. Codes >= 0 and SI_TKILL are the kernel's own: only a process
/// signalling itself may use them (EPERM otherwise).
private func queuedInfo(_ address: UInt64, target: Int) throws(Errno) -> SignalInfo {
    let raw = try UserMemory.readBytes(address, count: 128)
    let code = Int32(bitPattern: LittleEndianBytes.u32(raw, 8))
    if (code >= 0 || code == SignalInfo.SI_TKILL) && target != currentProcess.pid && target != Scheduler.current.tid {
        throw .EPERM
    }
    return SignalInfo(code: code, pid: Int32(bitPattern: LittleEndianBytes.u32(raw, 16)),
                      uid: LittleEndianBytes.u32(raw, 20), value: LittleEndianBytes.u64(raw, 24))
}

/// rt_sigqueueinfo(2): a signal with a siginfo for process `tgid` (sigqueue(3) passes
/// SI_QUEUE and its value). A real-time signal past RLIMIT_SIGPENDING is EAGAIN.
func sys_rt_sigqueueinfo(_ a: SyscallArguments) throws(Errno) -> Int {
    let pid = Int(Int32(truncatingIfNeeded: a.a0))
    let sig = Int32(truncatingIfNeeded: a.a1)
    let info = try queuedInfo(a.a2, target: pid)
    guard pid > 0, let target = ProcessTable.find(pid) else { throw .ESRCH }
    guard sig >= 0, sig <= Int32(Signal.count) else { throw .EINVAL }
    if sig != 0 && Signals.send(sig, to: target, info: info, limited: true) == .full { throw .EAGAIN }
    return 0
}

/// rt_tgsigqueueinfo(2): the same for thread `tid` of thread group `tgid`.
func sys_rt_tgsigqueueinfo(_ a: SyscallArguments) throws(Errno) -> Int {
    let tgid = Int(Int32(truncatingIfNeeded: a.a0)), tid = Int(Int32(truncatingIfNeeded: a.a1))
    let sig = Int32(truncatingIfNeeded: a.a2)
    guard tgid > 0, tid > 0 else { throw .EINVAL }
    let info = try queuedInfo(a.a3, target: tid)
    guard let t = ProcessTable.findThread(tid), t.process?.pid == tgid else { throw .ESRCH }
    guard sig >= 0, sig <= Int32(Signal.count) else { throw .EINVAL }
    if sig != 0 && Signals.send(sig, toThread: t, info: info, limited: true) == .full { throw .EAGAIN }
    return 0
}

/// rt_sigtimedwait(2): takes a pending signal of `set` (normally blocked) with its siginfo,
/// waiting up to the timeout (NULL: forever) for one: EAGAIN when it passes, EINTR when a
/// signal outside the set is delivered meanwhile (never restarted). SIGKILL and SIGSTOP
/// cannot be waited for.
func sys_rt_sigtimedwait(_ a: SyscallArguments) throws(Errno) -> Int {
    guard a.a3 == 8 else { throw .EINVAL }
    let set = try UserMemory.read(a.a0, as: UInt64.self) & ~Signal.unblockable
    var deadline = UInt64.max
    if a.a2 != 0 {
        let (s, ns) = try UserMemory.read(a.a2, as: (Int64, Int64).self)
        guard s >= 0, ns >= 0, ns < 1_000_000_000 else { throw .EINVAL }
        deadline = Clock.nanoseconds() + saturatingNanoseconds(seconds: s, nanoseconds: ns)
    }
    let me = Scheduler.current
    let state = currentProcess.signals
    let take = { state.lock.withLockIRQSave { Signals.dequeue(me, state, mask: set) } }
    var info = take()
    if info == nil && (a.a2 == 0 || deadline > Clock.nanoseconds()) {
        let waiting = { (state.pending | me.pendingSignals) & set != 0 || Signals.hasDeliverable(me) }
        let timedOut = Timers.sleep(until: deadline, wakeEarly: waiting)
        info = take()
        if info == nil { throw timedOut ? .EAGAIN : .EINTR }
    }
    guard let info else { throw .EAGAIN }
    if a.a1 != 0 { try UserMemory.writeBytes(a.a1, info.encoded()) }
    return Int(info.signal)
}

/// restart_syscall(2): resumes the call a signal without a handler interrupted (the thread's
/// restart block); with none recorded, EINTR as Linux's do_no_restart_syscall.
func sys_restart_syscall(_ a: SyscallArguments) throws(Errno) -> Int {
    let me = Scheduler.current
    guard let resume = me.restartBlock else { throw .EINTR }
    me.restartBlock = nil
    return try resume(a)
}
