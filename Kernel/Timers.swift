// Sleeping until a time: each CPU keeps its own list of (deadline, thread) and its timer tick
// wakes the threads whose deadline has passed (10 ms resolution at 100 Hz). Per CPU, so arming
// a timer touches no shared line; the list is short (one entry per sleeping thread).
// KernelTimer is the other kind of entry: a callback at a time (alarm(2), setitimer(2),
// timer_create(2)), run by the tick of the CPU that armed it.
import Objects

/// A callback at a time (Clock nanoseconds). `fire` runs in the timer interrupt of the CPU
/// the timer was armed on, interrupts off, with the deadline that expired: it may take only
/// IRQ-safe locks and must not block. Its owner serialises arm/cancel (Timers.arm, cancel);
/// a callback racing with a re-arm sees a deadline it no longer expects and ignores it.
final class KernelTimer {
    var fire: ((UInt64) -> Void)?
    var deadline: UInt64 = 0                 // guarded by the lock of the CPU list holding it
    var cpu = -1                             // the list holding it; -1: not armed
    init(fire: @escaping (UInt64) -> Void) { self.fire = fire }
}

enum Timers {
    final class CPUTimers {
        let lock = SpinLock()
        var entries: [(deadline: UInt64, thread: Thread)] = []
        var timers: [KernelTimer] = []
    }
    nonisolated(unsafe) static var perCPU: [CPUTimers] = []

    static func initialize(cpuCount: Int) { perCPU = (0..<cpuCount).map { _ in CPUTimers() } }

    /// Wakes `thread` at or after `deadline` (Clock nanoseconds).
    static func wake(_ thread: Thread, at deadline: UInt64) {
        let t = perCPU[thread.cpu]
        t.lock.withLockIRQSave { t.entries.append((deadline, thread)) }
    }

    static func cancel(_ thread: Thread) {
        let t = perCPU[thread.cpu]
        t.lock.withLockIRQSave { t.entries.removeAll { $0.thread === thread } }
    }

    /// Arms `timer` for `deadline` on the calling CPU (first disarming it wherever it is).
    static func arm(_ timer: KernelTimer, at deadline: UInt64) {
        cancel(timer)
        let t = perCPU[currentCPU]
        t.lock.withLockIRQSave {
            timer.deadline = deadline
            timer.cpu = currentCPU
            t.timers.append(timer)
        }
    }

    /// Disarms `timer`; a callback already taken off its list may still run (see KernelTimer).
    static func cancel(_ timer: KernelTimer) {
        let cpu = timer.cpu
        guard cpu >= 0, cpu < perCPU.count else { return }
        let t = perCPU[cpu]
        t.lock.withLockIRQSave {
            guard timer.cpu == cpu else { return }
            t.timers.removeAll { $0 === timer }
            timer.cpu = -1
        }
    }

    /// From the timer interrupt on `cpu`.
    static func tick(cpu: Int) {
        guard cpu < perCPU.count else { return }
        let t = perCPU[cpu]
        let now = Clock.nanoseconds()
        var expired: [(KernelTimer, UInt64)] = []
        let due: [Thread] = t.lock.withLock {
            if !t.timers.isEmpty {
                t.timers.removeAll { timer in
                    guard timer.deadline <= now else { return false }
                    timer.cpu = -1
                    expired.append((timer, timer.deadline))
                    return true
                }
            }
            guard !t.entries.isEmpty else { return [] }
            var out: [Thread] = []
            t.entries.removeAll { e in
                if e.deadline <= now { out.append(e.thread); return true }
                return false
            }
            return out
        }
        for thread in due { Scheduler.wake(thread) }
        // Outside the list lock: a callback may re-arm its timer here.
        for (timer, deadline) in expired { timer.fire?(deadline) }
    }

    /// Blocks the current thread until `deadline` or until `wakeEarly` says so (checked after
    /// every wake-up). Returns true if the deadline passed.
    static func sleep(until deadline: UInt64, wakeEarly: () -> Bool) -> Bool {
        let me = Scheduler.current
        wake(me, at: deadline)
        defer { cancel(me) }
        while true {
            if Clock.nanoseconds() >= deadline { return true }
            if wakeEarly() { return false }
            Scheduler.block()
        }
    }
}
