// POSIX signals as Linux delivers them (signal(7), kernel/signal.c, arch/x86/kernel/signal.c):
// per-process actions and pending set, per-thread mask; generation wakes interruptible
// sleepers; delivery happens on the way back to user mode, by pushing a Linux-layout
// rt_sigframe (siginfo, ucontext with sigcontext, FXSAVE state) and entering the handler with
// SA_RESTORER as its return address; rt_sigreturn restores everything. Blocking system calls
// interrupted by a signal restart (SA_RESTART) or fail with EINTR.
// Not yet (the job-control issue): stop/continue, sigaltstack delivery, queued RT signals.
import LinuxABI
import Objects

struct SignalAction {
    var handler: UInt64 = 0          // SIG_DFL 0, SIG_IGN 1, else the handler address
    var flags: UInt64 = 0
    var restorer: UInt64 = 0
    var mask: UInt64 = 0
}

enum Signal {
    static let SIGHUP: Int32 = 1, SIGINT: Int32 = 2, SIGQUIT: Int32 = 3, SIGILL: Int32 = 4, SIGTRAP: Int32 = 5
    static let SIGABRT: Int32 = 6, SIGBUS: Int32 = 7, SIGFPE: Int32 = 8, SIGKILL: Int32 = 9, SIGSEGV: Int32 = 11
    static let SIGPIPE: Int32 = 13, SIGALRM: Int32 = 14, SIGTERM: Int32 = 15, SIGCHLD: Int32 = 17
    static let SIGCONT: Int32 = 18, SIGSTOP: Int32 = 19, SIGTSTP: Int32 = 20, SIGTTIN: Int32 = 21
    static let SIGTTOU: Int32 = 22, SIGURG: Int32 = 23, SIGWINCH: Int32 = 28
    static let count = 64

    static let SA_NOCLDWAIT: UInt64 = 2, SA_SIGINFO: UInt64 = 4, SA_RESTORER: UInt64 = 0x0400_0000
    static let SA_ONSTACK: UInt64 = 0x0800_0000, SA_RESTART: UInt64 = 0x1000_0000
    static let SA_NODEFER: UInt64 = 0x4000_0000, SA_RESETHAND: UInt64 = 0x8000_0000

    @inline(__always) static func bit(_ sig: Int32) -> UInt64 { 1 << UInt64(sig - 1) }
    static let unblockable = bit(SIGKILL) | bit(SIGSTOP)

    /// The default action is to ignore (signal(7)). SIGCONT continues a stopped process when
    /// it is sent (Signals.send) and is otherwise ignored.
    static func defaultIgnores(_ sig: Int32) -> Bool {
        sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT
    }

    /// The default action is to stop the process.
    static func defaultStops(_ sig: Int32) -> Bool {
        sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU
    }
    static let stopSignals = bit(SIGSTOP) | bit(SIGTSTP) | bit(SIGTTIN) | bit(SIGTTOU)
}

/// What a signal carries into siginfo_t.
struct SignalInfo {
    var code: Int32 = 0                // SI_USER 0, SI_KERNEL 0x80, SI_TKILL -6, CLD_EXITED 1, SEGV_MAPERR 1
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var status: Int32 = 0              // SIGCHLD
    var address: UInt64 = 0            // SIGSEGV/SIGBUS/SIGILL/SIGFPE
}

/// Per-process signal state (actions and the pending set), guarded by `lock`.
final class SignalState {
    let lock = SpinLock()
    var actions = [SignalAction](repeating: SignalAction(), count: Signal.count + 1)
    var pending: UInt64 = 0
    var info = [SignalInfo](repeating: SignalInfo(), count: Signal.count + 1)

    func copyForFork() -> SignalState {
        let s = SignalState()
        lock.withLockIRQSave { s.actions = actions }
        return s
    }

    /// execve: caught signals revert to the default; ignored ones stay ignored.
    func resetForExec() {
        lock.withLockIRQSave {
            for i in 1...Signal.count where actions[i].handler > 1 { actions[i] = SignalAction() }
        }
    }
}

enum Signals {
    /// Generates `sig` for `process`. Ignored, unblocked signals are discarded at once.
    static func send(_ sig: Int32, to process: Process, info: SignalInfo = SignalInfo()) {
        guard sig >= 1, sig <= Int32(Signal.count), !process.isZombie else { return }
        if sig == Signal.SIGCONT { JobControl.continueProcess(process) }
        if sig == Signal.SIGKILL { process.stopped = false }
        let state = process.signals
        state.lock.withLockIRQSave {
            // A stop signal cancels a pending continue and the other way round (signal(7)).
            if sig == Signal.SIGCONT { state.pending &= ~Signal.stopSignals }
            if Signal.defaultStops(sig) { state.pending &= ~Signal.bit(Signal.SIGCONT) }
        }
        // Blocked only if every thread blocks it (any thread may take a process-wide signal).
        let blocked = process.threads.reduce(~UInt64(0)) { $0 & $1.blockedSignals }
        let queued: Bool = state.lock.withLockIRQSave {
            let action = state.actions[Int(sig)]
            let ignored = action.handler == 1 || (action.handler == 0 && Signal.defaultIgnores(sig))
            if ignored && blocked & Signal.bit(sig) == 0 && sig != Signal.SIGKILL { return false }
            state.pending |= Signal.bit(sig)
            state.info[Int(sig)] = info
            return true
        }
        if queued { for t in process.threads { Scheduler.wake(t) } }
    }

    /// Whether the current thread has a signal it would act on now, or must exit (interrupts sleeps).
    static func hasDeliverable(_ thread: Thread) -> Bool {
        guard let p = thread.process else { return false }
        if thread.mustExit { return true }
        return (p.signals.pending | thread.pendingSignals) & ~(thread.blockedSignals & ~Signal.unblockable) != 0
    }

    /// Generates `sig` for one thread (tgkill, tkill).
    static func send(_ sig: Int32, toThread thread: Thread, info: SignalInfo = SignalInfo()) {
        guard sig >= 1, sig <= Int32(Signal.count), let process = thread.process, !process.isZombie else { return }
        let state = process.signals
        let queued: Bool = state.lock.withLockIRQSave {
            let action = state.actions[Int(sig)]
            let ignored = action.handler == 1 || (action.handler == 0 && Signal.defaultIgnores(sig))
            if ignored && thread.blockedSignals & Signal.bit(sig) == 0 && sig != Signal.SIGKILL { return false }
            thread.pendingSignals |= Signal.bit(sig)
            state.info[Int(sig)] = info
            return true
        }
        if queued { Scheduler.wake(thread) }
    }

    /// On the way back to user mode: restart or fail interrupted calls, deliver one signal.
    static func deliver(_ frame: UnsafeMutablePointer<trap_frame>) {
        let thread = Scheduler.current
        guard let process = thread.process else { return }
        let fromSyscall = frame.pointee.vector == 0x100
        let interrupted = fromSyscall && Int64(bitPattern: frame.pointee.rax) == -Int64(Errno.ERESTARTSYS.rawValue)
        // The common case: nothing pending, nothing to restart. One load each, no lock.
        if !interrupted && thread.savedMask == nil && (process.signals.pending | thread.pendingSignals) == 0 { return }
        while true {
            let state = process.signals
            let picked: (Int32, SignalAction, SignalInfo)? = state.lock.withLockIRQSave {
                let mask = ~(thread.blockedSignals & ~Signal.unblockable)
                let own = thread.pendingSignals & mask
                let ready = own != 0 ? own : state.pending & mask
                guard ready != 0 else { return nil }
                let sig = Int32(ready.trailingZeroBitCount + 1)
                if own != 0 { thread.pendingSignals &= ~Signal.bit(sig) } else { state.pending &= ~Signal.bit(sig) }
                let action = state.actions[Int(sig)]
                if action.handler > 1 && action.flags & Signal.SA_RESETHAND != 0 { state.actions[Int(sig)] = SignalAction() }
                return (sig, action, state.info[Int(sig)])
            }
            guard let (sig, action, info) = picked else { break }
            if action.handler == 1 || (action.handler == 0 && Signal.defaultIgnores(sig)) { continue }
            if action.handler == 0 && Signal.defaultStops(sig) {
                JobControl.stop(process, signal: sig)          // returns once continued
                continue
            }
            if action.handler == 0 { UserTraps.kill(signal: sig) }
            if interrupted {
                if action.flags & Signal.SA_RESTART != 0 { restart(frame, thread) }
                else { frame.pointee.rax = UInt64(bitPattern: -Int64(Errno.EINTR.rawValue)) }
            }
            if !pushFrame(frame, thread: thread, sig: sig, action: action, info: info) {
                UserTraps.kill(signal: Signal.SIGSEGV)
            }
            return
        }
        if interrupted { restart(frame, thread) }       // nothing caught it: the call goes on
        if let mask = thread.savedMask {                // rt_sigsuspend woke without a handler
            thread.blockedSignals = mask
            thread.savedMask = nil
        }
    }

    static func restart(_ frame: UnsafeMutablePointer<trap_frame>, _ thread: Thread) {
        frame.pointee.rax = thread.syscallNumber
        frame.pointee.rip -= 2                          // back onto the 2-byte SYSCALL
        frame.pointee.rcx = 0                           // force the IRET return path
    }

    // rt_sigframe (arch/x86/include/asm/sigframe.h): pretcode 8, ucontext 304, siginfo 128.
    static let ucontextOffset = 8, siginfoOffset = 312, frameSize = 440

    /// Builds the handler's frame on the user stack and points the registers at the handler.
    static func pushFrame(_ frame: UnsafeMutablePointer<trap_frame>, thread: Thread, sig: Int32,
                          action: SignalAction, info: SignalInfo) -> Bool {
        let f = frame.pointee
        var sp = f.rsp &- 128                           // skip the red zone
        let onAltStack = thread.altStackSize != 0 && f.rsp > thread.altStackBase && f.rsp <= thread.altStackBase + thread.altStackSize
        if action.flags & Signal.SA_ONSTACK != 0 && thread.altStackSize != 0 && !onAltStack {
            sp = thread.altStackBase + thread.altStackSize   // sigaltstack(2): the handler runs there
        }
        sp = (sp &- 512) & ~63                          // FXSAVE area, 64-byte aligned
        let fpstate = sp
        sp = ((sp &- UInt64(frameSize)) & ~15) &- 8     // (rsp + 8) % 16 == 0 at handler entry
        var b = [UInt8](repeating: 0, count: frameSize)
        func put(_ o: Int, _ v: UInt64) { LittleEndianBytes.put64(&b, o, v) }
        put(0, action.restorer)
        // ucontext: uc_flags, uc_link, uc_stack{ss_sp, ss_flags, ss_size}, then sigcontext.
        put(ucontextOffset + 16, thread.altStackBase)
        put(ucontextOffset + 24, thread.altStackSize == 0 ? 2 : (onAltStack ? 1 : 0))   // SS_DISABLE / SS_ONSTACK
        put(ucontextOffset + 32, thread.altStackSize)
        let sc = ucontextOffset + 40
        let regs: [UInt64] = [f.r8, f.r9, f.r10, f.r11, f.r12, f.r13, f.r14, f.r15, f.rdi, f.rsi, f.rbp,
                              f.rbx, f.rdx, f.rax, f.rcx, f.rsp, f.rip, f.rflags]
        for (i, r) in regs.enumerated() { put(sc + 8 * i, r) }
        put(sc + 144, 0x2B << 48 | 0x23)                // cs 0x23, gs 0, fs 0, ss 0x2b (sigcontext's __pad0 layout)
        put(sc + 152, f.error_code)
        put(sc + 160, f.vector == 0x100 ? 0 : f.vector)
        let restoreMask = thread.savedMask ?? thread.blockedSignals
        thread.savedMask = nil
        put(sc + 168, restoreMask)                      // oldmask
        put(sc + 176, info.address)                     // cr2
        put(sc + 184, fpstate)                          // fpstate pointer
        put(ucontextOffset + 296, restoreMask)          // uc_sigmask
        // siginfo: si_signo, si_errno, si_code, then the union.
        let si = siginfoOffset
        put(si, UInt64(UInt32(bitPattern: sig)))
        put(si + 8, UInt64(UInt32(bitPattern: info.code)))
        if sig == Signal.SIGSEGV || sig == Signal.SIGBUS || sig == Signal.SIGILL || sig == Signal.SIGFPE {
            put(si + 16, info.address)
        } else {
            put(si + 16, UInt64(UInt32(bitPattern: info.pid)) | UInt64(info.uid) << 32)
            if sig == Signal.SIGCHLD { put(si + 24, UInt64(UInt32(bitPattern: info.status))) }
        }
        arch_fxsave(thread.fpu)                         // the live FPU state is this thread's
        let live = [UInt8](UnsafeRawBufferPointer(start: thread.fpu, count: 512))
        do throws(Errno) {
            try UserMemory.writeBytes(fpstate, live)
            try UserMemory.writeBytes(sp, b)
        } catch { return false }
        thread.blockedSignals |= action.mask
        if action.flags & Signal.SA_NODEFER == 0 { thread.blockedSignals |= Signal.bit(sig) }
        thread.blockedSignals &= ~Signal.unblockable
        frame.pointee.rsp = sp
        frame.pointee.rip = action.handler
        frame.pointee.rdi = UInt64(sig)
        frame.pointee.rsi = sp + UInt64(siginfoOffset)
        frame.pointee.rdx = sp + UInt64(ucontextOffset)
        frame.pointee.rax = 0
        frame.pointee.rflags &= ~0x0004_0500           // clear TF, DF, AC as Linux does
        frame.pointee.rcx = 0                           // IRET path
        return true
    }
}
