// Sleeping until a time: each CPU keeps its own list of (deadline, thread) and its timer tick
// wakes the threads whose deadline has passed (10 ms resolution at 100 Hz). Per CPU, so arming
// a timer touches no shared line; the list is short (one entry per sleeping thread).
import Objects

enum Timers {
    final class CPUTimers {
        let lock = SpinLock()
        var entries: [(deadline: UInt64, thread: Thread)] = []
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

    /// From the timer interrupt on `cpu`.
    static func tick(cpu: Int) {
        guard cpu < perCPU.count else { return }
        let t = perCPU[cpu]
        let now = Clock.nanoseconds()
        let due: [Thread] = t.lock.withLock {
            guard !t.entries.isEmpty else { return [] }
            var out: [Thread] = []
            t.entries.removeAll { e in
                if e.deadline <= now { out.append(e.thread); return true }
                return false
            }
            return out
        }
        for thread in due { Scheduler.wake(thread) }
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
