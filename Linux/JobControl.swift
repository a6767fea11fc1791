// Job control (signal(7), credentials(7), the "Job control" section of bash(1)): a stop
// signal's default action stops every thread of the process until SIGCONT; the parent hears
// of it through SIGCHLD (CLD_STOPPED / CLD_CONTINUED, unless SA_NOCLDSTOP) and through wait4
// with WUNTRACED / WCONTINUED. A stopped process still dies of SIGKILL.
import FileSystem
import LinuxABI
import Objects

enum JobControl {
    static let SA_NOCLDSTOP: UInt64 = 1

    /// Stops `process` (called by the thread delivering the stop signal) and waits, blocked,
    /// until it is continued or killed.
    static func stop(_ process: Process, signal: Int32) {
        let me = Scheduler.current
        let others: [Thread] = ProcessTable.lock.withLockIRQSave {
            process.stopped = true
            process.stopSignal = signal
            process.stopToReport = true
            process.continueToReport = false
            return process.threads.filter { $0 !== me }
        }
        for t in others { Scheduler.wake(t) }       // they stop on their way back to user mode
        notifyParent(process, code: 5, status: signal)          // CLD_STOPPED
        waitWhileStopped(process)
    }

    /// Sleeps the current thread while its process is stopped (SIGKILL ends the wait).
    static func waitWhileStopped(_ process: Process) {
        let me = Scheduler.current
        let killed = { process.signals.lock.withLockIRQSave { (process.signals.pending | me.pendingSignals) & Signal.bit(Signal.SIGKILL) != 0 } }
        while process.stopped && !me.mustExit && !killed() {
            process.stopWaiters.add(me)
            if !process.stopped || me.mustExit || killed() { process.stopWaiters.remove(me); break }
            Scheduler.block()
        }
    }

    /// SIGCONT: a stopped process runs again; the parent may be told.
    static func continueProcess(_ process: Process) {
        let wasStopped: Bool = ProcessTable.lock.withLockIRQSave {
            guard process.stopped else { return false }
            process.stopped = false
            process.stopToReport = false
            process.continueToReport = true
            return true
        }
        guard wasStopped else { return }
        process.stopWaiters.wakeAll()
        notifyParent(process, code: 6, status: Signal.SIGCONT)  // CLD_CONTINUED
    }

    /// A read from the controlling terminal by a background process group: SIGTTIN to the
    /// group (ERESTARTSYS: the read is retried once the job is in the foreground), or EIO if
    /// the signal is ignored or blocked (termios(3), "Job control"). A write with TOSTOP set is
    /// not checked (TOSTOP is off by default). Changes to the terminal: checkTerminalChange.
    static func checkTerminalRead(_ file: OpenFile) throws(Errno) {
        guard let ttyFile = file as? TTYFile else { return }
        let tty = ttyFile.tty
        let p = currentProcess
        let foreground = Int(tty.foregroundGroup)
        guard foreground > 0, Int(tty.sessionID) == p.session, p.processGroup != foreground else { return }
        let me = Scheduler.current
        let action = p.signals.lock.withLockIRQSave { p.signals.actions[Int(Signal.SIGTTIN)] }
        if action.handler == 1 || me.blockedSignals & Signal.bit(Signal.SIGTTIN) != 0 { throw .EIO }
        let group = ProcessTable.lock.withLockIRQSave {
            ProcessTable.processes.values.filter { $0.processGroup == p.processGroup }
        }
        for member in group { Signals.send(Signal.SIGTTIN, to: member, info: SignalInfo(code: 0x80)) }
        throw .ERESTARTSYS
    }

    /// Linux's tty_check_change: a background group that changes its controlling terminal
    /// (tcsetattr, tcsetpgrp, tcflush, tcflow) gets SIGTTOU (ERESTARTSYS: retried once in the
    /// foreground), unless SIGTTOU is ignored or blocked (then the call proceeds).
    static func checkTerminalChange(_ file: OpenFile) throws(Errno) {
        guard let ttyFile = file as? TTYFile else { return }
        let tty = ttyFile.tty
        let p = currentProcess
        let foreground = Int(tty.foregroundGroup)
        guard foreground > 0, Int(tty.sessionID) == p.session, p.processGroup != foreground else { return }
        let me = Scheduler.current
        let action = p.signals.lock.withLockIRQSave { p.signals.actions[Int(Signal.SIGTTOU)] }
        if action.handler == 1 || me.blockedSignals & Signal.bit(Signal.SIGTTOU) != 0 { return }
        let group = ProcessTable.lock.withLockIRQSave {
            ProcessTable.processes.values.filter { $0.processGroup == p.processGroup }
        }
        for member in group { Signals.send(Signal.SIGTTOU, to: member, info: SignalInfo(code: 0x80)) }
        throw .ERESTARTSYS
    }

    /// The terminal ioctls that are "changes" (TCSETS, TCSETSW, TCSETSF, TCSETA, TCSETAW,
    /// TCSETAF, TCXONC, TCFLSH, TIOCSPGRP).
    static func isTerminalChange(_ request: UInt32) -> Bool {
        switch request {
        case 0x5402, 0x5403, 0x5404, 0x5406, 0x5407, 0x5408, 0x540A, 0x540B, 0x5410: return true
        default: return false
        }
    }

    static func notifyParent(_ process: Process, code: Int32, status: Int32) {
        guard let parent = process.parent else { return }
        let flags = parent.signals.lock.withLockIRQSave { parent.signals.actions[Int(Signal.SIGCHLD)].flags }
        if flags & SA_NOCLDSTOP == 0 {
            Signals.send(Signal.SIGCHLD, to: parent, info: SignalInfo(code: code, pid: Int32(process.pid), status: status))
        }
        parent.childEvents.wakeAll()
    }
}
