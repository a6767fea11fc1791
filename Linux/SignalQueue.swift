// Pending signals with what they carry (signal(7), "Queueing and delivery semantics for
// standard signals" and "Real-time signals"; kernel/signal.c's sigpending lists): a set of
// pending numbers plus one siginfo per pending instance, in arrival order. A standard signal
// that is already pending is not queued again (the first instance's siginfo is kept); each
// real-time signal sent is queued with its own siginfo (sigqueue(3)'s value) and delivered in
// order. A POSIX timer's expiry is queued once: further expiries while it is pending count as
// overruns (timer_getoverrun(2)). Guarded by the owning process's SignalState lock.
import LinuxABI

/// What a signal carries into siginfo_t.
struct SignalInfo {
    var signal: Int32 = 0
    var code: Int32 = 0                // SI_USER 0, SI_KERNEL 0x80, SI_QUEUE -1, SI_TIMER -2, SI_TKILL -6, CLD_EXITED 1, SEGV_MAPERR 1
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var status: Int32 = 0              // SIGCHLD, with the child's CPU time in clock ticks
    var userTicks: UInt64 = 0
    var systemTicks: UInt64 = 0
    var address: UInt64 = 0            // SIGSEGV/SIGBUS/SIGILL/SIGFPE
    var value: UInt64 = 0              // si_value (sigqueue, POSIX timers)
    var timerID: Int32 = 0             // SI_TIMER
    var overrun: Int32 = 0
    /// The POSIX timer whose expiry this is: its overrun count is read when it is dequeued.
    var timer: PosixTimer? = nil

    static let SI_USER: Int32 = 0, SI_KERNEL: Int32 = 0x80, SI_QUEUE: Int32 = -1, SI_TIMER: Int32 = -2
    static let SI_TKILL: Int32 = -6

    /// Linux's siginfo_t (128 bytes), laid out by kind as siginfo_layout() decides: faults
    /// carry si_addr, SIGCHLD pid/uid/status, timers tid/overrun/value, queued and thread
    /// signals (negative codes) pid/uid/value, the rest (kill, kernel) pid/uid.
    func encoded() -> [UInt8] {
        var b = [UInt8](repeating: 0, count: 128)
        func put32(_ o: Int, _ v: UInt32) { for i in 0..<4 { b[o + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(i))) } }
        put32(0, UInt32(bitPattern: signal))
        put32(8, UInt32(bitPattern: code))
        let fault = signal == Signal.SIGSEGV || signal == Signal.SIGBUS || signal == Signal.SIGILL
            || signal == Signal.SIGFPE || signal == Signal.SIGTRAP
        if code > 0 && code < SignalInfo.SI_KERNEL && fault {
            LittleEndianBytes.put64(&b, 16, address)
        } else if code > 0 && code < SignalInfo.SI_KERNEL && signal == Signal.SIGCHLD {
            put32(16, UInt32(bitPattern: pid)); put32(20, uid); put32(24, UInt32(bitPattern: status))
            LittleEndianBytes.put64(&b, 32, userTicks); LittleEndianBytes.put64(&b, 40, systemTicks)
        } else if code == SignalInfo.SI_TIMER {
            put32(16, UInt32(bitPattern: timerID)); put32(20, UInt32(bitPattern: overrun))
            LittleEndianBytes.put64(&b, 24, value)
        } else {
            put32(16, UInt32(bitPattern: pid)); put32(20, uid)
            if code < 0 { LittleEndianBytes.put64(&b, 24, value) }
        }
        return b
    }
}

/// A pending set and its queued instances (Linux's struct sigpending).
struct SignalQueue {
    private(set) var set: UInt64 = 0
    private(set) var entries: [SignalInfo] = []

    static func isRealtime(_ sig: Int32) -> Bool { sig >= 32 }

    /// Adds one instance of `info.signal`. A standard signal already pending is dropped
    /// (false), unless `always` (timer expiries queue even for standard signals, as Linux's
    /// send_sigqueue does).
    mutating func add(_ info: SignalInfo, always: Bool = false) -> Bool {
        let bit = Signal.bit(info.signal)
        if !always && !SignalQueue.isRealtime(info.signal) && set & bit != 0 { return false }
        set |= bit
        entries.append(info)
        return true
    }

    /// Removes the oldest instance of `sig` (which must be pending) and returns its siginfo;
    /// the number stays pending while other instances remain.
    mutating func take(_ sig: Int32) -> SignalInfo {
        var info = SignalInfo(signal: sig)
        if let i = entries.firstIndex(where: { $0.signal == sig }) { info = entries.remove(at: i) }
        if !entries.contains(where: { $0.signal == sig }) { set &= ~Signal.bit(sig) }
        if let timer = info.timer {                       // the expiries it stands for
            info.overrun = timer.overrun
            timer.lastOverrun = timer.overrun
            timer.overrun = 0
            timer.queued = false
        }
        return info
    }

    /// Drops every instance of the signals in `mask` (SIG_IGN, a stop cancelling SIGCONT...).
    mutating func discard(_ mask: UInt64) {
        guard set & mask != 0 else { return }
        set &= ~mask
        entries.removeAll { e in
            guard mask & Signal.bit(e.signal) != 0 else { return false }
            e.timer?.queued = false
            return true
        }
    }

    /// Instances waiting (RLIMIT_SIGPENDING counts these).
    var count: Int { entries.count }
}
