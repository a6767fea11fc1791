// `k42-trace bench`: hosted micro-benchmark of the logging path (not a test). Measures the cost
// of a 3-word event (header + 2 payload words, timestamp included) in batches, the cost of a
// disabled trace point against an empty loop, and sustained events/s on one CPU with a consumer
// thread draining buffers. Hosted timestamps are CLOCK_MONOTONIC (a vDSO call), not RDTSC, so
// the in-kernel fast path will be cheaper; cycles are ns × the CPU clock from /proc/cpuinfo.
import ArgumentParser
import Foundation
import Platform
import Synchronization
import Trace

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench",
                                                    abstract: "Measure the hosted cost of logging.")
    @Option(help: "Seconds for the sustained-rate runs.") var seconds = 1.0

    func run() throws {
        let ghz = cpuGHz()
        print(String(format: "cpu clock: %.3f GHz (from /proc/cpuinfo); timestamp: CLOCK_MONOTONIC", ghz))
        let (median, p99) = try benchEnabled()
        print(String(format: "enabled 3-word event: median %.2f ns (%.0f cycles), p99 %.2f ns (%.0f cycles)",
                     median, median * ghz, p99, p99 * ghz))
        print(String(format: "clock read alone (k42_timestamp): %.2f ns", benchClock()))
        let (cMedian, cP99) = try benchEnabled(clock: CounterClock.self)
        print(String(format: "3-word event, counter instead of clock (buffer protocol only): median %.2f ns (%.0f cycles), p99 %.2f ns",
                     cMedian, cMedian * ghz, cP99))
        let (tMedian, tP99) = benchEnabledTSC()
        print(String(format: "3-word event with an RDTSC clock (the kernel's fast path on this CPU), counted in TSC cycles: median %.1f, p99 %.1f",
                     tMedian, tP99))
        let (gMedian, gP99) = benchTracePoint()
        print(String(format: "3-word event through trace() (mask test, per-CPU log lookup, CLOCK_MONOTONIC): median %.2f ns (%.0f cycles), p99 %.2f ns",
                     gMedian, gMedian * ghz, gP99))
        let (empty, disabled) = benchDisabled()
        print(String(format: "empty loop: %.3f ns/iter; disabled trace point: %.3f ns/iter (difference %.3f ns, %.1f cycles)",
                     empty, disabled, disabled - empty, (disabled - empty) * ghz))
        let (rate, lost) = try benchSustained(seconds: seconds, paceEventsPerSecond: nil)
        print(String(format: "sustained, writer flat out + consumer: %.2f M events/s, lost %llu", rate / 1e6, lost))
        let (paced, pacedLost) = try benchSustained(seconds: seconds, paceEventsPerSecond: 1_000_000)
        print(String(format: "sustained at 1 M events/s target: %.2f M events/s, lost %llu", paced / 1e6, pacedLost))
    }
}

func cpuGHz() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return 1 }
    for line in text.split(separator: "\n") where line.hasPrefix("cpu MHz") {
        if let v = Double(line.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) { return v / 1000 }
    }
    return 1
}

/// Per-event cost in batches of 64 events (one clock read per batch end), median and p99.
func benchEnabled<C: TraceClock>(clock: C.Type = PlatformClock.self) throws -> (Double, Double) {
    guard let set = TraceLogSet(cpuCount: 1, buffers: 64, wordsPerBuffer: 1 << 16, mode: .overwriteOldest) else {
        throw TraceToolError("geometry")
    }
    let log = set.log(cpu: 0)
    return perEvent(log, now: k42_timestamp) { i, round in
        log.log(major: 13, minor: 2, clock: C.self, UInt64(i), UInt64(round))
    }
}

/// Median and p99 cost of `event` in 100,000 batches of 64, timed by `now`, draining `log` now
/// and then so it never fills.
func perEvent(_ log: TraceLog, now: () -> UInt64, _ event: (Int, Int) -> Void) -> (Double, Double) {
    let batch = 64
    var samples: [Double] = []
    samples.reserveCapacity(100_000)
    for round in 0..<100_000 {
        let t0 = now()
        for i in 0..<batch { event(i, round) }
        let t1 = now()
        samples.append(Double(t1 &- t0) / Double(batch))
        if round % 1000 == 0 { while let v = log.nextCompleteBuffer() { log.release(v) } }
    }
    samples.sort()
    return (samples[samples.count / 2], samples[samples.count * 99 / 100])
}

/// The kernel's clock, read on the host: the time-stamp counter.
enum TSCClock: TraceClock {
    @inline(__always) static func now() -> UInt64 { k42_hosted_rdtsc() }
}

/// As `benchEnabled`, with the RDTSC clock and timed in TSC cycles: the kernel's logging path as
/// it runs on this CPU (the in-kernel figure under TCG counts emulated cycles instead).
func benchEnabledTSC() -> (Double, Double) {
    guard let set = TraceLogSet(cpuCount: 1, buffers: 64, wordsPerBuffer: 1 << 16, mode: .overwriteOldest) else {
        return (0, 0)
    }
    let log = set.log(cpu: 0)
    return perEvent(log, now: k42_hosted_rdtsc) { i, round in
        log.log(major: 13, minor: 2, clock: TSCClock.self, UInt64(i), UInt64(round))
    }
}

/// Per-event cost through the global `trace(...)` entry (what kernel trace points call), with
/// the hosted clock; the difference to `benchEnabled` is the entry's own cost.
func benchTracePoint() -> (Double, Double) {
    guard let set = TraceLogSet(cpuCount: 1, buffers: 64, wordsPerBuffer: 1 << 16, mode: .overwriteOldest) else {
        return (0, 0)
    }
    let saved = installedTracer
    set.tracer.install()
    traceSetMask(TraceClass.test.maskBit)
    defer { traceSetMask(0); installedTracer = saved }
    let log = set.log(cpu: 0)
    return perEvent(log, now: k42_timestamp) { i, round in trace(TestEvent.two, UInt64(i), UInt64(round)) }
}

/// A per-process counter standing in for the clock, to separate the buffer protocol's cost
/// from the hosted clock's (research variant D).
enum CounterClock: TraceClock {
    nonisolated(unsafe) static var ticks: UInt64 = 1 << 40
    static func now() -> UInt64 { ticks &+= 1; return ticks }
}

/// ns per k42_timestamp() call.
func benchClock() -> Double {
    let n = 2_000_000
    var acc: UInt64 = 0
    let t0 = k42_timestamp()
    for _ in 0..<n { acc &+= k42_timestamp() }
    let t = Double(k42_timestamp() - t0) / Double(n)
    benchSink(acc)
    return t
}

@inline(never) func benchSink(_ v: UInt64) { benchAccumulator &+= v }
nonisolated(unsafe) var benchAccumulator: UInt64 = 0

/// ns per iteration of an empty loop and of a loop with one disabled trace point.
func benchDisabled() -> (Double, Double) {
    traceSetMask(0)
    let n = 50_000_000
    func best(_ body: () -> Void) -> Double {
        var results: [Double] = []
        for _ in 0..<5 {
            let t0 = k42_timestamp()
            body()
            results.append(Double(k42_timestamp() - t0) / Double(n))
        }
        return results.min()!
    }
    let empty = best {
        var acc: UInt64 = 0
        for i in 0..<UInt64(n) { acc &+= i; k42_compiler_barrier() }
        benchSink(acc)
    }
    let disabled = best {
        var acc: UInt64 = 0
        for i in 0..<UInt64(n) {
            acc &+= i
            trace(TestEvent.two, i, acc)
            k42_compiler_barrier()
        }
        benchSink(acc)
    }
    return (empty, disabled)
}

/// Events/s logged on CPU 0 while a consumer thread drains (copies) complete buffers, in
/// drop-newest mode so any loss is counted. With a pace, the writer logs in bursts of 100 that
/// keep it on the target rate.
func benchSustained(seconds: Double, paceEventsPerSecond: Double?) throws -> (Double, UInt64) {
    guard let set = TraceLogSet(cpuCount: 1, buffers: 4, wordsPerBuffer: 1 << 15, mode: .dropNewest) else {
        throw TraceToolError("geometry")
    }
    let log = set.log(cpu: 0)
    let stop = Atomic<Bool>(false)
    let consumerDone = DispatchSemaphore(value: 0)
    let consumer = Thread {
        let copy = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: log.wordsPerBuffer)
        while !stop.load(ordering: .relaxed) {
            if log.drainNext(into: copy) == nil { k42_cpu_relax() }
        }
        while log.drainNext(into: copy) != nil {}
        copy.deallocate()
        consumerDone.signal()
    }
    consumer.start()
    let duration = UInt64(seconds * 1e9)
    let t0 = k42_timestamp()
    var count: UInt64 = 0
    while true {
        let now = k42_timestamp()
        if now - t0 >= duration { break }
        if let pace = paceEventsPerSecond, Double(count) >= Double(now - t0) * pace / 1e9 { continue }
        for _ in 0..<100 { log.log(major: 13, minor: 2, count, now) }
        count += 100
    }
    let elapsed = Double(k42_timestamp() - t0) / 1e9
    stop.store(true, ordering: .relaxed)
    consumerDone.wait()
    return (Double(count) / elapsed, log.statistics.lostEvents)
}
