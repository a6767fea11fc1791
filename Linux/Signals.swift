// POSIX signals as Linux delivers them (signal(7), kernel/signal.c, arch/x86/kernel/signal.c):
// per-process actions and pending set, per-thread mask; generation wakes interruptible
// sleepers; delivery happens on the way back to user mode, by pushing a Linux-layout
// rt_sigframe (siginfo, ucontext with sigcontext, FXSAVE state) and entering the handler with
// SA_RESTORER as its return address; rt_sigreturn restores everything. Blocking system calls
// interrupted by a signal restart (SA_RESTART) or fail with EINTR.
// Pending signals and their siginfo queue as Linux's do (Linux/SignalQueue.swift). A call a
// signal interrupted returns a restart code: ERESTARTSYS (restart with SA_RESTART),
// ERESTARTNOHAND, ERESTART_RESTARTBLOCK (resume through restart_syscall(2)).
import LinuxABI
import Objects
import Synchronization
import Trace

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

/// Per-process signal state (actions and the pending set), guarded by `lock`.
final class SignalState {
    let lock = SpinLock()
    var actions = [SignalAction](repeating: SignalAction(), count: Signal.count + 1)
    /// Process-wide pending signals with their siginfo (Linux's shared_pending).
    var queue = SignalQueue()
    var pending: UInt64 { queue.set }

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
    enum SendResult { case queued, merged, discarded, full }

    /// Whether `sig` would be ignored now by its action (lock held).
    static func ignores(_ state: SignalState, _ sig: Int32) -> Bool {
        let action = state.actions[Int(sig)]
        return action.handler == 1 || (action.handler == 0 && Signal.defaultIgnores(sig))
    }

    /// Generates `sig` for `process` (any of its threads may take it). Ignored, unblocked
    /// signals are discarded at once; a pending standard signal is not queued twice; a
    /// real-time signal is queued with its siginfo (`limited`: not past RLIMIT_SIGPENDING,
    /// the caller's EAGAIN: sigqueue(3)).
    @discardableResult
    static func send(_ sig: Int32, to process: Process, info: SignalInfo = SignalInfo(), limited: Bool = false) -> SendResult {
        guard sig >= 1, sig <= Int32(Signal.count), !process.isZombie else { return .discarded }
        if sig == Signal.SIGKILL { process.stopped = false }
        let state = process.signals
        state.lock.withLockIRQSave {
            // A stop signal cancels a pending continue and the other way round (signal(7)).
            if sig == Signal.SIGCONT {
                state.queue.discard(Signal.stopSignals)
                for t in process.threads { t.signalQueue.discard(Signal.stopSignals) }
                process.continues.add(1, ordering: .sequentiallyConsistent)
            }
            if Signal.defaultStops(sig) { state.queue.discard(Signal.bit(Signal.SIGCONT)) }
        }
        // Blocked only if every thread blocks it (any thread may take a process-wide signal).
        let blocked = process.threads.reduce(~UInt64(0)) { $0 & $1.blockedSignals }
        var info = info
        info.signal = sig
        let result: SendResult = state.lock.withLockIRQSave {
            if ignores(state, sig) && blocked & Signal.bit(sig) == 0 && sig != Signal.SIGKILL { return .discarded }
            return enqueue(info, into: &state.queue, limited: limited, limit: process.limits.soft(ResourceLimits.SIGPENDING))
        }
        trace(ProcessEvent.signal, UInt64(process.pid), 0, UInt64(sig), UInt64(UInt32(bitPattern: info.code)), resultCode(result))
        // SIGCONT continues the process after it is queued, so the woken threads find it (and
        // anything sent before it, such as an orphaned group's SIGHUP) pending, as on Linux.
        if sig == Signal.SIGCONT { JobControl.continueProcess(process) }
        if result == .queued { for t in process.threads { Scheduler.wake(t) } }
        return result
    }

    /// Generates `sig` for one thread (tgkill, tkill, rt_tgsigqueueinfo, SIGEV_THREAD_ID).
    @discardableResult
    static func send(_ sig: Int32, toThread thread: Thread, info: SignalInfo = SignalInfo(), limited: Bool = false) -> SendResult {
        guard sig >= 1, sig <= Int32(Signal.count), let process = thread.process, !process.isZombie else { return .discarded }
        let state = process.signals
        var info = info
        info.signal = sig
        let result: SendResult = state.lock.withLockIRQSave {
            if ignores(state, sig) && thread.blockedSignals & Signal.bit(sig) == 0 && sig != Signal.SIGKILL { return .discarded }
            return enqueue(info, into: &thread.signalQueue, limited: limited, limit: process.limits.soft(ResourceLimits.SIGPENDING))
        }
        trace(ProcessEvent.signal, UInt64(process.pid), UInt64(thread.tid), UInt64(sig), UInt64(UInt32(bitPattern: info.code)), resultCode(result))
        if result == .queued { Scheduler.wake(thread) }
        return result
    }

    /// Queues `info` (signal lock held). A timer already queued counts an overrun instead.
    private static func enqueue(_ info: SignalInfo, into queue: inout SignalQueue, limited: Bool, limit: UInt64) -> SendResult {
        if let timer = info.timer {
            if timer.queued {
                if timer.overrun < Int32.max { timer.overrun += 1 }
                return .merged
            }
            timer.queued = true
            _ = queue.add(info, always: true)
            return .queued
        }
        if limited && SignalQueue.isRealtime(info.signal) && UInt64(queue.count) >= limit { return .full }
        return queue.add(info) ? .queued : .merged
    }

    static func resultCode(_ r: SendResult) -> UInt64 {
        switch r { case .queued: 0; case .merged: 1; case .discarded: 2; case .full: 3 }
    }

    /// Whether the current thread has a signal it would act on now, or must exit (interrupts sleeps).
    static func hasDeliverable(_ thread: Thread) -> Bool {
        guard let p = thread.process else { return false }
        if thread.mustExit { return true }
        return (p.signals.pending | thread.pendingSignals) & ~(thread.blockedSignals & ~Signal.unblockable) != 0
    }

    /// Takes the lowest pending signal in `mask` (thread-directed first, as Linux's
    /// dequeue_signal does) with its siginfo; signal lock held.
    static func dequeue(_ thread: Thread, _ state: SignalState, mask: UInt64) -> SignalInfo? {
        let own = thread.pendingSignals & mask
        let ready = own != 0 ? own : state.pending & mask
        guard ready != 0 else { return nil }
        let sig = Int32(ready.trailingZeroBitCount + 1)
        return own != 0 ? thread.signalQueue.take(sig) : state.queue.take(sig)
    }

    /// On the way back to user mode: restart or fail interrupted calls, deliver one signal.
    static func deliver(_ frame: UnsafeMutablePointer<trap_frame>) {
        let thread = Scheduler.current
        guard let process = thread.process else { return }
        let fromSyscall = frame.pointee.vector == 0x100
        let result = Int64(bitPattern: frame.pointee.rax)
        // A call that stopped for a signal returned one of the kernel-internal restart codes.
        let interruptedWith: Errno? = fromSyscall && result <= -512 && result >= -516 ? Errno(rawValue: Int32(-result)) : nil
        // The common case: nothing pending, nothing to restart. One load each, no lock.
        if interruptedWith == nil && thread.savedMask == nil && (process.signals.pending | thread.pendingSignals) == 0 { return }
        var restartCode = interruptedWith, handled = false
        // Like Linux's exit-to-user loop: after one handler's frame, any signal the handler's
        // mask leaves deliverable gets a frame on top, so the last one set up runs first.
        while true {
            let state = process.signals
            let picked: (SignalAction, SignalInfo, UInt64)? = state.lock.withLockIRQSave {
                guard let info = dequeue(thread, state, mask: ~(thread.blockedSignals & ~Signal.unblockable)) else { return nil }
                let sig = info.signal
                let action = state.actions[Int(sig)]
                if action.handler > 1 && action.flags & Signal.SA_RESETHAND != 0 { state.actions[Int(sig)] = SignalAction() }
                return (action, info, process.continues.load(ordering: .sequentiallyConsistent))
            }
            guard let (action, info, continuesSeen) = picked else { break }
            let sig = info.signal
            if action.handler == 1 || (action.handler == 0 && Signal.defaultIgnores(sig)) { continue }
            if action.handler == 0 && Signal.defaultStops(sig) {
                if JobControl.discardsStop(process, signal: sig) { continue }   // orphaned group
                JobControl.stop(process, signal: sig, continuesSeen: continuesSeen)   // returns once continued
                continue
            }
            if action.handler == 0 { UserTraps.kill(signal: sig) }
            // A handler runs: only ERESTARTSYS with SA_RESTART (and ERESTARTNOINTR) restart.
            if let code = restartCode {
                if code == .ERESTARTNOINTR || (code == .ERESTARTSYS && action.flags & Signal.SA_RESTART != 0) {
                    restart(frame, thread)
                } else {
                    frame.pointee.rax = UInt64(bitPattern: -Int64(Errno.EINTR.rawValue))
                }
                restartCode = nil
            }
            if !pushFrame(frame, thread: thread, sig: sig, action: action, info: info) {
                UserTraps.kill(signal: Signal.SIGSEGV)
            }
            handled = true
        }
        // Nothing caught it: the call goes on (a restart block resumes through restart_syscall).
        if let code = restartCode {
            restart(frame, thread)
            if code == .ERESTART_RESTARTBLOCK { frame.pointee.rax = 219 }   // __NR_restart_syscall
        }
        if !handled, let mask = thread.savedMask {      // rt_sigsuspend woke without a handler
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
        let siginfo = info.encoded()                    // siginfo: si_signo, si_errno, si_code, the union
        for i in 0..<siginfo.count { b[siginfoOffset + i] = siginfo[i] }
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
