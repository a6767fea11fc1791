// Interval timers: alarm(2), setitimer(2), getitimer(2). ITIMER_REAL runs on the monotonic
// clock as a KernelTimer (Kernel/Timers.swift) and sends SIGALRM; ITIMER_VIRTUAL and
// ITIMER_PROF count the process's user, and user plus system, CPU time in timer ticks (10 ms,
// CPUTime.tick) and send SIGVTALRM and SIGPROF. All three are per process, not inherited by
// fork, kept across execve (setitimer(2)) and ended at exit. ProcessTimers also holds the
// process's POSIX timers (Linux/sys_timer.swift) and checks RLIMIT_CPU on the same tick.
import LinuxABI
import Objects
import Trace

final class ProcessTimers {
    let lock = SpinLock()
    /// The owner while it lives: cleared at exit, so a late expiry finds no one to signal.
    var process: Process? = nil
    var dead = false
    /// ITIMER_REAL: Clock nanoseconds of the next expiry (0: disarmed), and the interval.
    var real: KernelTimer? = nil
    var realExpiry: UInt64 = 0
    var realInterval: UInt64 = 0
    /// ITIMER_VIRTUAL (0) and ITIMER_PROF (1): CPU nanoseconds left (0: disarmed), interval.
    var cpuRemaining: [UInt64] = [0, 0]
    var cpuInterval: [UInt64] = [0, 0]
    /// RLIMIT_CPU as this tick-driven code checks it (seconds; infinity: none).
    var cpuLimitSoft = ResourceLimits.infinity
    var cpuLimitHard = ResourceLimits.infinity
    /// Read by the tick without the lock: whether a CPU-time timer runs or a CPU limit is set.
    var cpuTimersArmed = false
    /// timer_create(2) timers, and the next id to try.
    var posix: [PosixTimer] = []
    var nextPosixID: Int32 = 0

    static let tickNanoseconds: UInt64 = 10_000_000

    /// Sets ITIMER_REAL (value 0 disarms; the interval is kept either way, as Linux does) and
    /// returns the old (remaining, interval).
    func setReal(value: UInt64, interval: UInt64) -> (UInt64, UInt64) {
        lock.withLockIRQSave {
            let old = (remainingReal(), realInterval)
            guard !dead else { return old }
            realInterval = interval
            if value == 0 {
                realExpiry = 0
                if let real { Timers.cancel(real) }
            } else {
                realExpiry = Clock.nanoseconds() + value
                if real == nil { real = KernelTimer { [self] deadline in realExpired(deadline) } }
                Timers.arm(real!, at: realExpiry)
            }
            return old
        }
    }

    func getReal() -> (UInt64, UInt64) { lock.withLockIRQSave { (remainingReal(), realInterval) } }

    /// Lock held. An expiry the tick has not reached yet shows as 1 us, as on Linux.
    private func remainingReal() -> UInt64 {
        guard realExpiry != 0 else { return 0 }
        let now = Clock.nanoseconds()
        return realExpiry > now ? realExpiry - now : 1000
    }

    /// The next expiry of a periodic timer after `now`, on the grid of `expiry` + k * interval,
    /// and how many periods were skipped (they count as overruns).
    static func forward(_ expiry: UInt64, interval: UInt64, now: UInt64) -> (UInt64, UInt64) {
        guard now >= expiry else { return (expiry + interval, 0) }
        let periods = (now - expiry) / interval + 1
        return (expiry + periods * interval, periods - 1)
    }

    /// ITIMER_REAL's KernelTimer expired (timer interrupt).
    private func realExpired(_ deadline: UInt64) {
        let target: Process? = lock.withLockIRQSave {
            guard !dead, realExpiry == deadline, let p = process else { return nil }
            if realInterval > 0 {
                realExpiry = ProcessTimers.forward(realExpiry, interval: realInterval, now: Clock.nanoseconds()).0
                Timers.arm(real!, at: realExpiry)
            } else {
                realExpiry = 0
            }
            return p
        }
        guard let p = target else { return }
        trace(ProcessEvent.timerExpire, UInt64(p.pid), 0, 0)
        Signals.send(Signal.SIGALRM, to: p, info: SignalInfo(code: SignalInfo.SI_KERNEL))
    }

    /// Sets ITIMER_VIRTUAL (0) or ITIMER_PROF (1); returns the old (remaining, interval).
    func setCPU(_ which: Int, value: UInt64, interval: UInt64) -> (UInt64, UInt64) {
        lock.withLockIRQSave {
            let old = (cpuRemaining[which], cpuInterval[which])
            guard !dead else { return old }
            cpuRemaining[which] = value
            cpuInterval[which] = interval
            updateArmed()
            return old
        }
    }

    func getCPU(_ which: Int) -> (UInt64, UInt64) { lock.withLockIRQSave { (cpuRemaining[which], cpuInterval[which]) } }

    /// One tick of CPU time (timer interrupt): ITIMER_PROF always, ITIMER_VIRTUAL in user mode.
    func chargeTick(userMode: Bool) {
        var fired: [Int] = []
        let target: Process? = lock.withLockIRQSave {
            guard !dead, let p = process else { return nil }
            for which in 0..<2 where cpuRemaining[which] != 0 && (which == 1 || userMode) {
                if cpuRemaining[which] > ProcessTimers.tickNanoseconds {
                    cpuRemaining[which] -= ProcessTimers.tickNanoseconds
                } else {
                    cpuRemaining[which] = cpuInterval[which]
                    fired.append(which)
                }
            }
            updateArmed()
            return p
        }
        guard let p = target else { return }
        for which in fired {
            trace(ProcessEvent.timerExpire, UInt64(p.pid), UInt64(which + 1), 0)
            Signals.send(which == 0 ? 26 : 27, to: p, info: SignalInfo(code: SignalInfo.SI_KERNEL))   // SIGVTALRM, SIGPROF
        }
        if cpuLimitSoft != ResourceLimits.infinity || cpuLimitHard != ResourceLimits.infinity { checkCPULimit(p) }
    }

    /// Lock held.
    private func updateArmed() {
        cpuTimersArmed = cpuRemaining[0] != 0 || cpuRemaining[1] != 0
            || cpuLimitSoft != ResourceLimits.infinity || cpuLimitHard != ResourceLimits.infinity
    }

    /// setrlimit(RLIMIT_CPU): the limits the tick checks (0 counts as 1 second, as on Linux).
    func setCPULimit(soft: UInt64, hard: UInt64) {
        lock.withLockIRQSave {
            cpuLimitSoft = soft == 0 ? 1 : soft
            cpuLimitHard = hard == 0 ? 1 : hard
            updateArmed()
        }
    }

    /// RLIMIT_CPU (setrlimit(2)): SIGKILL at the hard limit; SIGXCPU at the soft one, which
    /// then moves up a second (so SIGXCPU repeats every CPU second, as Linux does).
    private func checkCPULimit(_ p: Process) {
        let seconds = CPUTime.process(p).total / 1_000_000_000
        if seconds >= cpuLimitHard {
            Signals.send(Signal.SIGKILL, to: p, info: SignalInfo(code: SignalInfo.SI_KERNEL))
            return
        }
        guard cpuLimitSoft != ResourceLimits.infinity, seconds >= cpuLimitSoft else { return }
        if cpuLimitSoft < cpuLimitHard {
            let (_, hard) = p.limits.get(ResourceLimits.CPU)
            try? p.limits.set(ResourceLimits.CPU, (cpuLimitSoft + 1, hard))
            setCPULimit(soft: cpuLimitSoft + 1, hard: cpuLimitHard)
        }
        Signals.send(24, to: p, info: SignalInfo(code: SignalInfo.SI_KERNEL))          // SIGXCPU
    }

    /// execve: POSIX timers are deleted; interval timers and alarm(2) stay (execve(2)).
    func deletePosixTimers() {
        lock.withLockIRQSave {
            for t in posix { t.disarmAndRelease() }
            posix.removeAll()
        }
    }

    /// exit: every timer off, and the references that tie timers to the process dropped.
    func shutdown() {
        lock.withLockIRQSave {
            dead = true
            process = nil
            if let real { Timers.cancel(real) }
            real = nil
            realExpiry = 0
            cpuTimersArmed = false
            for t in posix { t.disarmAndRelease() }
            posix.removeAll()
        }
    }
}

/// struct itimerval: two timevals (interval, value), as nanoseconds; EINVAL when out of range.
private func readItimerval(_ address: UInt64) throws(Errno) -> (interval: UInt64, value: UInt64) {
    let (isec, iusec, vsec, vusec) = try UserMemory.read(address, as: (Int64, Int64, Int64, Int64).self)
    guard isec >= 0, vsec >= 0, iusec >= 0, iusec < 1_000_000, vusec >= 0, vusec < 1_000_000 else { throw .EINVAL }
    return (saturatingNanoseconds(seconds: isec, nanoseconds: iusec * 1000), saturatingNanoseconds(seconds: vsec, nanoseconds: vusec * 1000))
}

private func writeItimerval(_ address: UInt64, remaining: UInt64, interval: UInt64) throws(Errno) {
    try UserMemory.write(address, (Int64(interval / 1_000_000_000), Int64(interval % 1_000_000_000 / 1000),
                                   Int64(remaining / 1_000_000_000), Int64(remaining % 1_000_000_000 / 1000)))
}

/// getitimer(2): ITIMER_REAL 0, ITIMER_VIRTUAL 1, ITIMER_PROF 2.
func sys_getitimer(_ a: SyscallArguments) throws(Errno) -> Int {
    let timers = currentProcess.timers
    let (remaining, interval): (UInt64, UInt64)
    switch a.a0 {
    case 0: (remaining, interval) = timers.getReal()
    case 1, 2: (remaining, interval) = timers.getCPU(Int(a.a0) - 1)
    default: throw .EINVAL
    }
    try writeItimerval(a.a1, remaining: remaining, interval: interval)
    return 0
}

/// setitimer(2): a NULL new value disarms (Linux still accepts it); the old value is returned.
func sys_setitimer(_ a: SyscallArguments) throws(Errno) -> Int {
    guard a.a0 <= 2 else { throw .EINVAL }
    let new = a.a1 != 0 ? try readItimerval(a.a1) : (interval: UInt64(0), value: UInt64(0))
    let timers = currentProcess.timers
    let old = a.a0 == 0 ? timers.setReal(value: new.value, interval: new.interval)
                        : timers.setCPU(Int(a.a0) - 1, value: new.value, interval: new.interval)
    if a.a2 != 0 { try writeItimerval(a.a2, remaining: old.0, interval: old.1) }
    return 0
}

/// alarm(2): SIGALRM in `seconds` (0 cancels); returns the seconds left on the previous alarm,
/// rounded as Linux does (a fraction of half a second or more counts, and never 0 if one ran).
func sys_alarm(_ a: SyscallArguments) throws(Errno) -> Int {
    let seconds = UInt64(UInt32(truncatingIfNeeded: a.a0))
    let old = currentProcess.timers.setReal(value: seconds * 1_000_000_000, interval: 0).0
    var left = old / 1_000_000_000
    let fraction = old % 1_000_000_000
    if (left == 0 && fraction != 0) || fraction >= 500_000_000 { left += 1 }
    return Int(left)
}
