// Job control (signal(7), credentials(7), the "Job control" section of bash(1)): a stop
// signal's default action stops every thread of the process until SIGCONT; the parent hears
// of it through SIGCHLD (CLD_STOPPED / CLD_CONTINUED, unless SA_NOCLDSTOP) and through wait4
// with WUNTRACED / WCONTINUED. A stopped process still dies of SIGKILL.
import FileSystem
import LinuxABI
import Objects
import Synchronization
import Trace

enum JobControl {
    static let SA_NOCLDSTOP: UInt64 = 1

    /// Stops `process` (called by the thread delivering the stop signal) and waits, blocked,
    /// until it is continued or killed. `continuesSeen` is the process's SIGCONT count when
    /// the stop signal was dequeued: a SIGCONT sent since then cancels this stop.
    static func stop(_ process: Process, signal: Int32, continuesSeen: UInt64) {
        let me = Scheduler.current
        let others: [Thread]? = ProcessTable.lock.withLockIRQSave {
            // A SIGCONT that counts after this check finds `stopped` set and clears it.
            guard process.continues.load(ordering: .sequentiallyConsistent) == continuesSeen else { return nil }
            process.stopped = true
            process.stopSignal = signal
            process.stopToReport = true
            process.continueToReport = false
            return process.threads.filter { $0 !== me }
        }
        guard let others else {
            trace(ProcessEvent.signal, UInt64(process.pid), UInt64(me.tid), UInt64(signal), 0, 4)  // stop cancelled
            return
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

    /// The caller's relation to `file` if it is its controlling terminal and the caller's
    /// process group is not the terminal's foreground group (a background job); nil otherwise.
    private static func backgroundTerminal(_ file: OpenFile) -> Process? {
        guard let ttyFile = file as? TTYFile else { return nil }
        let tty = ttyFile.tty
        let p = currentProcess
        let foreground = Int(tty.foregroundGroup)
        guard foreground > 0, Int(tty.sessionID) == p.session, p.processGroup != foreground else { return nil }
        return p
    }

    /// True if `sig` is ignored (SIG_IGN) or blocked by the calling thread (Linux's is_ignored).
    private static func ignoredOrBlocked(_ sig: Int32, _ p: Process) -> Bool {
        let action = p.signals.lock.withLockIRQSave { p.signals.actions[Int(sig)] }
        return action.handler == 1 || Scheduler.current.blockedSignals & Signal.bit(sig) != 0
    }

    private static func signalGroup(_ sig: Int32, _ group: Int) {
        let members = ProcessTable.lock.withLockIRQSave {
            ProcessTable.processes.values.filter { $0.processGroup == group }
        }
        for member in members { Signals.send(sig, to: member, info: SignalInfo(code: 0x80)) }
    }

    /// A read from the controlling terminal by a background process group: SIGTTIN to the
    /// group (ERESTARTSYS: the read is retried once the job is in the foreground), or EIO if
    /// the signal is ignored or blocked, or the group is orphaned (termios(3), "Job control";
    /// Linux's __tty_check_change with SIGTTIN).
    static func checkTerminalRead(_ file: OpenFile) throws(Errno) {
        guard let p = backgroundTerminal(file) else { return }
        if ignoredOrBlocked(Signal.SIGTTIN, p) { throw .EIO }
        if ProcessTable.lock.withLockIRQSave({ isOrphaned(group: p.processGroup) }) { throw .EIO }
        signalGroup(Signal.SIGTTIN, p.processGroup)
        throw .ERESTARTSYS
    }

    /// A write to the controlling terminal by a background group when TOSTOP is set.
    static func checkTerminalWrite(_ file: OpenFile) throws(Errno) {
        guard let ttyFile = file as? TTYFile,
              ttyFile.tty.currentTermios.localFlags & Termios.TOSTOP != 0 else { return }
        try checkTerminalChange(file)
    }

    /// Linux's tty_check_change: a background group that writes with TOSTOP, or changes the
    /// terminal (tcsetattr, tcsetpgrp, tcflush, tcflow), gets SIGTTOU (ERESTARTSYS), unless
    /// SIGTTOU is ignored or blocked (then the call proceeds); in an orphaned group it gets EIO.
    static func checkTerminalChange(_ file: OpenFile) throws(Errno) {
        guard let p = backgroundTerminal(file) else { return }
        if ignoredOrBlocked(Signal.SIGTTOU, p) { return }
        if ProcessTable.lock.withLockIRQSave({ isOrphaned(group: p.processGroup) }) { throw .EIO }
        signalGroup(Signal.SIGTTOU, p.processGroup)
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

    // MARK: orphaned process groups

    /// POSIX's orphaned process group (Linux's will_become_orphaned_pgrp): no live member has a
    /// parent in another group of the same session. ProcessTable.lock held. Deviations: a
    /// parent that is init still counts (Linux skips it, which turns job control off for a
    /// shell running as pid 1, as `make run`'s does), and group 0 (init's, left by processes
    /// that never called setsid or setpgid) is never orphaned.
    static func isOrphaned(group: Int) -> Bool {
        guard group != 0 else { return false }
        for p in ProcessTable.processes.values where p.processGroup == group && !p.isZombie {
            if let parent = p.parent, !parent.isZombie, parent.processGroup != group, parent.session == p.session { return false }
        }
        return true
    }

    /// A stop signal's default action in an orphaned group is discarded (SIGSTOP excepted).
    static func discardsStop(_ process: Process, signal: Int32) -> Bool {
        signal != Signal.SIGSTOP && ProcessTable.lock.withLockIRQSave { isOrphaned(group: process.processGroup) }
    }

    /// `exited` has just become a zombie and given its children to init: a process group that
    /// became orphaned by that and has a stopped member gets SIGHUP, then SIGCONT (POSIX
    /// _exit(2); Linux's kill_orphaned_pgrp for the process's own group and its children's).
    static func exited(_ exited: Process, parent: Process?, children: [Process]) {
        let groups: [Int] = ProcessTable.lock.withLockIRQSave {
            var candidates: [Int] = []
            if let parent, parent.processGroup != exited.processGroup, parent.session == exited.session {
                candidates.append(exited.processGroup)
            }
            for c in children where c.processGroup != exited.processGroup && c.session == exited.session {
                if !candidates.contains(c.processGroup) { candidates.append(c.processGroup) }
            }
            return candidates.filter { g in
                isOrphaned(group: g) && ProcessTable.processes.values.contains { $0.processGroup == g && $0.stopped && !$0.isZombie }
            }
        }
        for g in groups {
            signalGroup(Signal.SIGHUP, g)
            signalGroup(Signal.SIGCONT, g)
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
