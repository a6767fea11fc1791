// POSIX per-process timers (timer_create(2), timer_settime(2), timer_gettime(2),
// timer_getoverrun(2), timer_delete(2); kernel/time/posix-timers.c). A timer counts
// CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME or CLOCK_TAI on a KernelTimer and notifies
// by SIGEV_SIGNAL (a signal for the process with si_code SI_TIMER, its id and si_value),
// SIGEV_THREAD_ID (the same for one thread) or SIGEV_NONE (nothing; timer_gettime shows it
// running). An expiry while its signal is still pending is an overrun, not a second signal
// (Linux/SignalQueue.swift). Timers belong to ProcessTimers: deleted at execve and exit.
// Not supported: the CPU-time clocks and the alarm clocks (EINVAL).
import LinuxABI
import Objects
import Trace

final class PosixTimer {
    static let SIGEV_SIGNAL: Int32 = 0, SIGEV_NONE: Int32 = 1, SIGEV_THREAD: Int32 = 2, SIGEV_THREAD_ID: Int32 = 4

    let id: Int32
    let realtime: Bool                    // absolute times are CLOCK_REALTIME's
    let notify: Int32
    let signal: Int32
    let value: UInt64
    let thread: Thread?                   // SIGEV_THREAD_ID's target
    /// Guarded by the owner's ProcessTimers lock: Clock nanoseconds of the next expiry
    /// (0: disarmed), the interval, and the KernelTimer (nil once deleted).
    var expiry: UInt64 = 0
    var interval: UInt64 = 0
    var kernelTimer: KernelTimer? = nil
    /// Guarded by the process's signal lock: its signal is queued; expiries since it was queued,
    /// and the count the last delivered signal carried (timer_getoverrun).
    var queued = false
    var overrun: Int32 = 0
    var lastOverrun: Int32 = 0

    init(id: Int32, realtime: Bool, notify: Int32, signal: Int32, value: UInt64, thread: Thread?) {
        self.id = id; self.realtime = realtime; self.notify = notify
        self.signal = signal; self.value = value; self.thread = thread
    }

    /// Owner's lock held. Dropping the KernelTimer breaks the timer -> closure -> owner cycle.
    func disarmAndRelease() {
        if let k = kernelTimer { Timers.cancel(k) }
        kernelTimer = nil
        expiry = 0
    }

    /// (remaining, interval) now; owner's lock held. A SIGEV_NONE timer is advanced here, since
    /// nothing fires for it; a signalling one the tick has not reached shows 1 ns, as on Linux.
    func current() -> (UInt64, UInt64) {
        guard expiry != 0 else { return (0, interval) }
        let now = Clock.nanoseconds()
        if expiry > now { return (expiry - now, interval) }
        guard notify == PosixTimer.SIGEV_NONE else { return (1, interval) }
        guard interval > 0 else { expiry = 0; return (0, 0) }
        expiry = ProcessTimers.forward(expiry, interval: interval, now: now).0
        return (expiry - now, interval)
    }
}

extension ProcessTimers {
    func find(_ id: Int32) -> PosixTimer? { posix.first { $0.id == id } }

    /// A POSIX timer's KernelTimer expired (timer interrupt): re-arm a periodic one, then signal.
    func posixExpired(_ timer: PosixTimer, _ deadline: UInt64) {
        var missed: UInt64 = 0
        let target: Process? = lock.withLockIRQSave {
            guard !dead, let p = process, let k = timer.kernelTimer, timer.expiry == deadline else { return nil }
            if timer.interval > 0 {
                (timer.expiry, missed) = ProcessTimers.forward(timer.expiry, interval: timer.interval, now: Clock.nanoseconds())
                Timers.arm(k, at: timer.expiry)
            } else {
                timer.expiry = 0
            }
            return p
        }
        guard let p = target else { return }
        trace(ProcessEvent.timerExpire, UInt64(p.pid), 3, UInt64(UInt32(bitPattern: timer.id)))
        let info = SignalInfo(code: SignalInfo.SI_TIMER, value: timer.value, timerID: timer.id, timer: timer)
        let result = timer.notify & PosixTimer.SIGEV_THREAD_ID != 0 && timer.thread != nil
            ? Signals.send(timer.signal, toThread: timer.thread!, info: info)
            : Signals.send(timer.signal, to: p, info: info)
        // Periods the tick skipped are overruns too (hrtimer_forward's count).
        if missed > 0 && result != .discarded {
            p.signals.lock.withLockIRQSave { timer.overrun = Int32(min(UInt64(timer.overrun) + missed, UInt64(Int32.max))) }
        }
    }
}

private func timerID(_ raw: UInt64) -> Int32 { Int32(truncatingIfNeeded: raw) }

/// timer_create(2): clocks REALTIME 0, MONOTONIC 1, BOOTTIME 7, TAI 11; MONOTONIC_RAW and
/// the coarse clocks cannot run timers (EOPNOTSUPP, as Linux). A NULL sigevent means
/// SIGEV_SIGNAL with SIGALRM and the timer id as value. More timers than RLIMIT_SIGPENDING
/// is EAGAIN.
func sys_timer_create(_ a: SyscallArguments) throws(Errno) -> Int {
    let clock = a.a0
    if clock == 4 || clock == 5 || clock == 6 { throw .EOPNOTSUPP }
    guard clock == 0 || clock == 1 || clock == 7 || clock == 11 else { throw .EINVAL }
    let me = currentProcess
    var notify = PosixTimer.SIGEV_SIGNAL, signal = Signal.SIGALRM
    var value: UInt64? = nil
    var thread: Thread? = nil
    if a.a1 != 0 {
        let event = try UserMemory.readBytes(a.a1, count: 64)           // struct sigevent
        value = LittleEndianBytes.u64(event, 0)
        signal = Int32(bitPattern: LittleEndianBytes.u32(event, 8))
        notify = Int32(bitPattern: LittleEndianBytes.u32(event, 12))
        switch notify {
        case PosixTimer.SIGEV_THREAD_ID:
            let tid = Int(Int32(bitPattern: LittleEndianBytes.u32(event, 16)))
            guard let t = ProcessTable.findThread(tid), t.process === me else { throw .EINVAL }
            thread = t
            fallthrough
        case PosixTimer.SIGEV_SIGNAL, PosixTimer.SIGEV_THREAD:
            guard signal > 0, signal <= Int32(Signal.count) else { throw .EINVAL }
        case PosixTimer.SIGEV_NONE: break
        default: throw .EINVAL
        }
    }
    let limit = me.limits.soft(ResourceLimits.SIGPENDING)
    let timers = me.timers
    let timer: PosixTimer? = timers.lock.withLockIRQSave {
        guard !timers.dead, UInt64(timers.posix.count) < limit else { return nil }
        var id = timers.nextPosixID
        while timers.find(id) != nil { id = id == Int32.max ? 0 : id + 1 }
        timers.nextPosixID = id == Int32.max ? 0 : id + 1
        let t = PosixTimer(id: id, realtime: clock == 0 || clock == 11, notify: notify, signal: signal,
                           value: value ?? UInt64(UInt32(bitPattern: id)), thread: thread)
        t.kernelTimer = KernelTimer { [timers] deadline in timers.posixExpired(t, deadline) }
        timers.posix.append(t)
        return t
    }
    guard let timer else { throw .EAGAIN }
    do throws(Errno) {
        try UserMemory.write(a.a2, timer.id)
    } catch {
        timers.lock.withLockIRQSave { timer.disarmAndRelease(); timers.posix.removeAll { $0 === timer } }
        throw error
    }
    return 0
}

/// struct itimerspec: (interval, value) timespecs as nanoseconds; EINVAL when out of range.
private func readItimerspec(_ address: UInt64) throws(Errno) -> (interval: UInt64, value: UInt64) {
    let (isec, insec, vsec, vnsec) = try UserMemory.read(address, as: (Int64, Int64, Int64, Int64).self)
    guard isec >= 0, vsec >= 0, insec >= 0, insec < 1_000_000_000, vnsec >= 0, vnsec < 1_000_000_000 else { throw .EINVAL }
    return (saturatingNanoseconds(seconds: isec, nanoseconds: insec), saturatingNanoseconds(seconds: vsec, nanoseconds: vnsec))
}

private func writeItimerspec(_ address: UInt64, _ setting: (UInt64, UInt64)) throws(Errno) {
    let (remaining, interval) = setting
    try UserMemory.write(address, (Int64(interval / 1_000_000_000), Int64(interval % 1_000_000_000),
                                   Int64(remaining / 1_000_000_000), Int64(remaining % 1_000_000_000)))
}

/// timer_settime(2): TIMER_ABSTIME 1 takes the value as a time on the timer's clock; a zero
/// value disarms; the previous setting goes to `old`.
func sys_timer_settime(_ a: SyscallArguments) throws(Errno) -> Int {
    let new = try readItimerspec(a.a2)
    let timers = currentProcess.timers
    let old: (UInt64, UInt64)? = timers.lock.withLockIRQSave {
        guard let t = timers.find(timerID(a.a0)) else { return nil }
        let old = t.current()
        t.interval = new.interval
        if new.value == 0 {
            t.expiry = 0
            if let k = t.kernelTimer { Timers.cancel(k) }
            return old
        }
        let now = Clock.nanoseconds()
        if a.a1 & 1 != 0 {
            let epoch = t.realtime ? WallClock.bootEpochSeconds * 1_000_000_000 : 0
            t.expiry = new.value > epoch ? max(new.value - epoch, 1) : 1      // past: fires at the next tick
        } else {
            t.expiry = now + new.value
        }
        if t.notify != PosixTimer.SIGEV_NONE, let k = t.kernelTimer { Timers.arm(k, at: t.expiry) }
        return old
    }
    guard let old else { throw .EINVAL }
    if a.a3 != 0 { try writeItimerspec(a.a3, old) }
    return 0
}

func sys_timer_gettime(_ a: SyscallArguments) throws(Errno) -> Int {
    let timers = currentProcess.timers
    let setting: (UInt64, UInt64)? = timers.lock.withLockIRQSave { timers.find(timerID(a.a0))?.current() }
    guard let setting else { throw .EINVAL }
    try writeItimerspec(a.a1, setting)
    return 0
}

/// timer_getoverrun(2): the overrun count the last delivered expiry signal carried.
func sys_timer_getoverrun(_ a: SyscallArguments) throws(Errno) -> Int {
    let p = currentProcess
    guard let t = p.timers.lock.withLockIRQSave({ p.timers.find(timerID(a.a0)) }) else { throw .EINVAL }
    return Int(p.signals.lock.withLockIRQSave { t.lastOverrun })
}

/// timer_delete(2): a signal already queued for it stays pending, as on Linux.
func sys_timer_delete(_ a: SyscallArguments) throws(Errno) -> Int {
    let timers = currentProcess.timers
    let found: Bool = timers.lock.withLockIRQSave {
        guard let t = timers.find(timerID(a.a0)) else { return false }
        t.disarmAndRelease()
        timers.posix.removeAll { $0 === t }
        return true
    }
    guard found else { throw .EINVAL }
    return 0
}
