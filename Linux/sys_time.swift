// Time: clock_gettime(2), clock_getres(2), gettimeofday(2), time(2), nanosleep(2),
// clock_nanosleep(2) (restart_syscall(2) resumes an interrupted sleep). CLOCK_REALTIME starts
// at the RTC-less epoch 2026-01-01 plus uptime until the CMOS clock is read; the monotonic
// clocks are the TSC-based kernel clock; the CPU-time clocks are the scheduler's accounting
// (Linux/sys_resource.swift).
import LinuxABI

enum WallClock {
    /// Seconds since the Unix epoch at boot (2026-01-01T00:00:00Z until an RTC driver sets it).
    nonisolated(unsafe) static var bootEpochSeconds: UInt64 = 1_767_225_600
    static func nowNanoseconds() -> UInt64 { bootEpochSeconds * 1_000_000_000 + Clock.nanoseconds() }
}

func timespec(_ ns: UInt64) -> (Int64, Int64) { (Int64(ns / 1_000_000_000), Int64(ns % 1_000_000_000)) }

/// A duration from user space (validated: non-negative) in nanoseconds, saturating at 2^62
/// ns (146 years: "never", like Linux's KTIME_MAX), so that adding the clock cannot overflow.
func saturatingNanoseconds(seconds: Int64, nanoseconds: Int64) -> UInt64 {
    let limit: UInt64 = 1 << 62
    let (product, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
    if overflow || product >= limit { return limit }
    return min(product + UInt64(nanoseconds), limit)
}

func sys_clock_gettime(_ a: SyscallArguments) throws(Errno) -> Int {
    let ns: UInt64
    switch a.a0 {
    case 0, 5, 8, 11: ns = WallClock.nowNanoseconds()               // REALTIME(_COARSE, _ALARM), TAI
    case 1, 4, 6, 7, 9: ns = Clock.nanoseconds()                    // MONOTONIC(_RAW, _COARSE), BOOTTIME
    case 2: ns = CPUTime.process(currentProcess).total               // PROCESS_CPUTIME_ID
    case 3: ns = CPUTime.thread(Scheduler.current).total            // THREAD_CPUTIME_ID
    default: throw .EINVAL
    }
    try UserMemory.write(a.a1, timespec(ns))
    return 0
}

func sys_clock_getres(_ a: SyscallArguments) throws(Errno) -> Int {
    guard a.a0 <= 11 else { throw .EINVAL }
    if a.a1 != 0 { try UserMemory.write(a.a1, (Int64(0), Int64(1))) }
    return 0
}

func sys_gettimeofday(_ a: SyscallArguments) throws(Errno) -> Int {
    let ns = WallClock.nowNanoseconds()
    if a.a0 != 0 { try UserMemory.write(a.a0, (Int64(ns / 1_000_000_000), Int64(ns % 1_000_000_000 / 1000))) }
    if a.a1 != 0 { try UserMemory.write(a.a1, (Int32(0), Int32(0))) }
    return 0
}

func sys_time(_ a: SyscallArguments) throws(Errno) -> Int {
    let s = Int64(WallClock.nowNanoseconds() / 1_000_000_000)
    if a.a0 != 0 { try UserMemory.write(a.a0, s) }
    return Int(s)
}

/// Sleeps the calling thread until `deadline` (Clock nanoseconds). A signal ends the sleep
/// early: the time left goes to `remaining` (if not 0) and the call returns
/// ERESTART_RESTARTBLOCK, so a handler sees EINTR (even with SA_RESTART, signal(7)) while a
/// signal with no handler (a stop and continue) resumes the sleep through restart_syscall(2).
func sleepRestartable(until deadline: UInt64, remaining: UInt64) throws(Errno) -> Int {
    let me = Scheduler.current
    if Timers.sleep(until: deadline, wakeEarly: { Signals.hasDeliverable(me) }) { return 0 }
    let now = Clock.nanoseconds()
    if remaining != 0 { try UserMemory.write(remaining, timespec(deadline > now ? deadline - now : 0)) }
    me.restartBlock = { (_: SyscallArguments) throws(Errno) -> Int in try sleepRestartable(until: deadline, remaining: remaining) }
    throw .ERESTART_RESTARTBLOCK
}

func sys_nanosleep(_ a: SyscallArguments) throws(Errno) -> Int {
    let (s, ns) = try UserMemory.read(a.a0, as: (Int64, Int64).self)
    guard s >= 0, ns >= 0, ns < 1_000_000_000 else { throw .EINVAL }
    return try sleepRestartable(until: Clock.nanoseconds() + saturatingNanoseconds(seconds: s, nanoseconds: ns), remaining: a.a1)
}

/// clock_nanosleep(2): CLOCK_REALTIME 0, CLOCK_MONOTONIC 1, CLOCK_BOOTTIME 7, CLOCK_TAI 11
/// (TAI as realtime); the CPU-time clocks are EINVAL here (Linux sleeps on them: not yet);
/// any other clock is EINVAL. An absolute sleep interrupted by a handled signal is EINTR and
/// restarts with the same arguments otherwise (ERESTARTNOHAND), as Linux does.
func sys_clock_nanosleep(_ a: SyscallArguments) throws(Errno) -> Int {
    guard a.a0 == 0 || a.a0 == 1 || a.a0 == 7 || a.a0 == 11 else { throw .EINVAL }
    let (s, ns) = try UserMemory.read(a.a2, as: (Int64, Int64).self)
    guard s >= 0, ns >= 0, ns < 1_000_000_000 else { throw .EINVAL }
    let duration = saturatingNanoseconds(seconds: s, nanoseconds: ns)
    guard a.a1 & 1 != 0 else {                                      // relative
        return try sleepRestartable(until: Clock.nanoseconds() + duration, remaining: a.a3)
    }
    let now = a.a0 == 0 || a.a0 == 11 ? WallClock.nowNanoseconds() : Clock.nanoseconds()
    let me = Scheduler.current
    let deadline = Clock.nanoseconds() + (duration > now ? duration - now : 0)
    if !Timers.sleep(until: deadline, wakeEarly: { Signals.hasDeliverable(me) }) { throw .ERESTARTNOHAND }
    return 0
}

func sys_getrandom(_ a: SyscallArguments) throws(Errno) -> Int {
    // GRND_NONBLOCK 1, GRND_RANDOM 2, GRND_INSECURE 4 (not with GRND_RANDOM): all one pool here.
    guard a.a2 & ~7 == 0, a.a2 & 6 != 6 else { throw .EINVAL }
    guard a.a1 <= 33_554_431 else { throw .EINVAL }
    var remaining = Int(a.a1), address = a.a0
    var chunk = [UInt8](repeating: 0, count: 256)
    while remaining > 0 {
        let n = min(remaining, 256)
        chunk.withUnsafeMutableBytes { arc4random_buf($0.baseAddress, UInt(n)) }
        try UserMemory.writeBytes(address, Array(chunk[0..<n]))
        remaining -= n
        address += UInt64(n)
    }
    return Int(a.a1)
}
