// The load average of /proc/loadavg, uptime(1) and sysinfo(2): Linux's exponentially decaying
// averages of the number of runnable and running threads over 1, 5 and 15 minutes, sampled
// every 5 seconds (LOAD_FREQ) in 11-bit fixed point (kernel/sched/loadavg.c: FSHIFT, EXP_1,
// EXP_5, EXP_15). CPU 0's timer tick samples; the averages are read without a lock (three
// independent words: a reader may see one sample's 1-minute figure with the last one's 15).
import Objects
import Synchronization

enum LoadAverage {
    static let fixedShift: UInt64 = 11
    static let fixedOne: UInt64 = 1 << fixedShift
    /// 1/exp(5s/1min), 1/exp(5s/5min), 1/exp(5s/15min) in fixed point.
    static let decay: [UInt64] = [1884, 2014, 2037]
    static let sampleTicks: UInt64 = 500                          // 5 s at 100 Hz
    nonisolated(unsafe) static var averages: [UInt64] = [0, 0, 0]
    nonisolated(unsafe) private static var ticksToSample: UInt64 = sampleTicks

    /// Runnable plus running threads on every CPU now (Linux's nr_running; procs_running).
    static func activeThreads() -> Int {
        Scheduler.cpus.reduce(0) { total, s in
            total + s.lock.withLockIRQSave { s.runQueue.count + (s.current === s.idle ? 0 : 1) }
        }
    }

    /// CPU 0's timer tick.
    static func tick() {
        ticksToSample -= 1
        guard ticksToSample == 0 else { return }
        ticksToSample = sampleTicks
        let active = UInt64(activeThreads()) * fixedOne
        for i in 0..<3 {
            let e = decay[i]
            var next = averages[i] * e + active * (fixedOne - e)
            if active >= averages[i] { next += fixedOne - 1 }     // round up while rising (calc_load)
            averages[i] = next >> fixedShift
        }
    }

    /// "0.42" for /proc/loadavg (LOAD_INT, LOAD_FRAC).
    static func text(_ i: Int) -> String {
        let v = averages[i] + fixedOne / 200                      // rounding to 1/100
        let whole = v >> fixedShift
        let hundredths = ((v & (fixedOne - 1)) * 100) >> fixedShift
        return "\(whole).\(hundredths < 10 ? "0" : "")\(hundredths)"
    }

    /// sysinfo's loads: SI_LOAD_SHIFT 16 fixed point.
    static func sysinfoLoad(_ i: Int) -> UInt64 { averages[i] << (16 - fixedShift) }
}
