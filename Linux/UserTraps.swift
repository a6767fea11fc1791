// What happens when user mode traps: page faults are resolved through the process's address
// space (Process -> Region -> FCM -> HAT); other exceptions, and faults that cannot be
// resolved, end the process with the matching signal (full signal delivery arrives with the
// signals work). Faults inside k42_copy_user on a user address are resolved the same way, or
// become EFAULT. On every return to user mode, a pending reschedule is honoured.
import LinuxABI
import Memory
import Objects
import Trace

enum UserTraps {
    /// An exception from ring 3 (vector < 32).
    static func exception(_ frame: UnsafeMutablePointer<trap_frame>) {
        let vector = Int(frame.pointee.vector)
        if vector != 2 && vector != 18 { arch_enable_interrupts() }   // user mode ran with them on
        if vector == 14 {
            let address = arch_read_cr2()
            arch_enable_interrupts()                // user mode ran with interrupts on; TLB shootdowns must reach us
            let error = frame.pointee.error_code
            if let p = Scheduler.current.process {
                trace(PageFaultEvent.fault, address, frame.pointee.rip, error)
                let result = p.addressSpace.handleFault(address: address, write: error & 2 != 0, execute: error & 16 != 0)
                if result == .resolved { beforeReturnToUser(frame); return }
                if case .segmentationFault(let code) = result {
                    _ = faultSignal(Signal.SIGSEGV, code: code, address: address, frame: frame)
                    beforeReturnToUser(frame)
                    return
                }
                if result == .busError {
                    _ = faultSignal(Signal.SIGBUS, code: 2, address: address, frame: frame)   // BUS_ADRERR
                    beforeReturnToUser(frame)
                    return
                }
                // Out of memory: like Linux's OOM killer, end the process that needed the page.
                klog("Out of memory: killed process \(p.pid) (\(String(decoding: p.command, as: UTF8.self)))")
                kill(signal: Signal.SIGKILL)
            }
            kill(signal: 11)                                        // SIGSEGV
        }
        let signal: Int32
        switch vector {
        case 0, 16, 19: signal = 8                                  // SIGFPE
        case 6: signal = 4                                          // SIGILL
        case 3, 1: signal = 5                                       // SIGTRAP
        case 17: signal = 7                                         // SIGBUS
        default: signal = 11                                        // #GP and the rest: SIGSEGV
        }
        let code: Int32 = signal == Signal.SIGFPE ? 1 : (signal == Signal.SIGILL ? 2 : 0x80)   // FPE_INTDIV, ILL_ILLOPN, SI_KERNEL
        _ = faultSignal(signal, code: code, address: frame.pointee.rip, frame: frame)
        beforeReturnToUser(frame)
    }

    /// A page fault in kernel mode: true if it was a user copy that we resolved or redirected.
    static func kernelFault(_ frame: UnsafeMutablePointer<trap_frame>) -> Bool {
        let rip = frame.pointee.rip
        guard rip >= arch_k42_user_access_start() && rip < arch_k42_user_access_end() else { return false }
        let address = arch_read_cr2()
        if frame.pointee.rflags & 0x200 != 0 { arch_enable_interrupts() }
        if address < UInt64(USER_END), let p = Scheduler.current.process {
            let write = frame.pointee.error_code & 2 != 0
            if p.addressSpace.handleFault(address: address, write: write, execute: false) == .resolved { return true }
        }
        frame.pointee.rip = arch_k42_copy_user_fixup()
        return true
    }

    /// Ends the current process as if killed by `signal` (wait status: the signal number,
    /// with 0x80 when the default action dumps core).
    static func kill(signal: Int32) -> Never {
        // No core files are written (RLIMIT_CORE is 0, as on most Linux systems), so the
        // wait status never has the core-dump bit. A fatal signal ends every thread.
        Threads.exitGroup(status: signal)
    }

    /// Last stop before ring 3 (system calls and interrupts from user mode): a pending
    /// reschedule, then signal delivery.
    static func beforeReturnToUser(_ frame: UnsafeMutablePointer<trap_frame>) {
        KernelObjects.passQuiescentPoint()           // user mode holds no object call
        if !workPending(frame) { return }                      // the common case: loads and tests only
        if Scheduler.current.mustExit { Threads.exitThread(code: 0) }   // another thread ran exit_group
        if let p = Scheduler.current.process, p.stopped { JobControl.waitWhileStopped(p) }   // job control
        let s = Scheduler.cpus[currentCPU]
        if s.needReschedule {
            let flags = k42_irq_save()
            Scheduler.schedule()
            k42_irq_restore(flags)
        }
        Signals.deliver(frame)
    }

    /// Whether the way out has anything to do (Linux's exit_to_user_mode work flags): this
    /// thread must exit, its process is stopped, the CPU must reschedule, a signal is pending,
    /// rt_sigsuspend's mask waits to be restored, or the call returned a restart code. Only
    /// loads: no lock and no reference counting. True may be a false alarm (the full checks
    /// below decide); false means every one of them would have done nothing.
    @inline(__always)
    static func workPending(_ frame: UnsafeMutablePointer<trap_frame>) -> Bool {
        if Scheduler.cpus[currentCPU].needReschedule { return true }
        let result = Int64(bitPattern: frame.pointee.rax)
        if frame.pointee.vector == 0x100 && result <= -512 && result >= -516 { return true }
        // SAFETY: the running thread is kept alive by its CPU's scheduler (Scheduler.running),
        // and its process by the thread.
        return Scheduler.running._withUnsafeGuaranteedRef { thread in
            if thread.mustExit || thread.savedMask != nil || thread.pendingSignals != 0 { return true }
            guard let process = thread.process else { return false }
            return process.stopped || process.signals.pending != 0
        }
    }

    /// A fault the program may catch: deliver `sig` to its handler if it has one and does not
    /// block it, else end the process (Linux force_sig_fault).
    static func faultSignal(_ sig: Int32, code: Int32, address: UInt64, frame: UnsafeMutablePointer<trap_frame>) -> Never? {
        let thread = Scheduler.current
        guard let p = thread.process else { kill(signal: sig) }
        let catches = p.signals.lock.withLockIRQSave { p.signals.actions[Int(sig)].handler > 1 }
        guard catches, thread.blockedSignals & Signal.bit(sig) == 0 else {
            klog("\(String(decoding: p.command, as: UTF8.self))[\(p.pid)]: signal \(sig) at \(hex(address)) ip \(hex(frame.pointee.rip)) sp \(hex(frame.pointee.rsp)): killed")
            kill(signal: sig)
        }
        Signals.send(sig, to: p, info: SignalInfo(code: code, address: address))
        return nil
    }
}
