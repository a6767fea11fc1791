// The in-kernel trace benchmark (`ktest=trace-bench`, `make trace-bench`): cycles per logged
// 3-word event through trace(...) into the installed per-CPU logs (RDTSC around batches of 64,
// interrupts off per batch), the cost of a disabled trace point against an empty loop, and
// events per second per CPU with writers on every other CPU and CPU 0 consuming. It prints
// figures and never fails on them (benchmarks report; tests assert behaviour, not time).
// In a full `ktest` run it only says how to run it. Companion of Kernel/Tests/TraceTests.swift.
#if KERNEL_TESTS
import Firmware
import Objects
import Synchronization
import Trace

extension KernelTests {
    static func traceBench() throws(TestFailure) {
        guard Bringup.commandLine.value("ktest") == "trace-bench" else {
            klog("ktest: trace-bench is a benchmark: boot with ktest=trace-bench (make trace-bench)")
            return
        }
        guard let tracer = KernelTracing.tracer else { throw TestFailure(message: "no tracer installed at boot") }
        let old = traceMask.load(ordering: .relaxed)
        // Hold the consumer lock throughout: idle CPUs must not stream bench events.
        KernelTracing.withConsumerLock {
            benchEnabled(tracer)
            benchDisabled()
            benchProtocol()
            let others = onlineCPUs.filter { $0 != currentCPU }
            benchSustained(tracer, writers: others, paceEventsPerSecond: 0, milliseconds: 400)
            for pace: UInt64 in [1_000_000, 500_000, 250_000, 100_000] {
                benchSustained(tracer, writers: Array(others.prefix(1)), paceEventsPerSecond: pace, milliseconds: 400)
            }
            for cpu in 0..<tracer.cpuCount { discardComplete(tracer.log(cpu: cpu)) }
        }
        traceSetMask(old)
    }

    /// Releases every complete buffer of `log` unread (the bench's events are not kept).
    static func discardComplete(_ log: TraceLog) {
        while let view = log.nextCompleteBuffer() { log.release(view) }
    }

    /// `value / divisor` with one decimal, as text (the kernel prints no floating point).
    static func tenths(_ value: UInt64, _ divisor: UInt64) -> String {
        let t = (value &* 10 &+ divisor / 2) / max(divisor, 1)
        return "\(t / 10).\(t % 10)"
    }

    static func benchEnabled(_ tracer: Tracer) {
        traceSetMask(TraceClass.test.maskBit)
        let log = tracer.log(cpu: currentCPU)
        let batches = 4000, perBatch: UInt64 = 64
        var samples: [UInt64] = []
        samples.reserveCapacity(batches)
        for b in 0..<batches {
            // 16 batches are 3072 words: well inside the 8 x 4096-word ring between drains.
            if b % 16 == 0 { discardComplete(log) }
            let cycles = withInterruptsDisabled { () -> UInt64 in
                let t0 = arch_read_tsc()
                for i in 0..<perBatch { trace(TestEvent.two, i, t0) }
                return arch_read_tsc() &- t0
            }
            samples.append(cycles)
        }
        samples.sort()
        let lost = log.statistics.lostEvents
        klog("trace-bench: 3-word event (header + 2 words, RDTSC timestamp) via trace(): median \(tenths(samples[batches / 2], perBatch)) cycles, p99 \(tenths(samples[batches * 99 / 100], perBatch)) cycles (\(batches) batches of \(perBatch), interrupts off per batch; TSC \(Clock.tscHz / 1_000_000) MHz; \(lost) lost)")
        klog("trace-bench: = median \(tenths(samples[batches / 2] &* 1_000_000_000, perBatch &* Clock.tscHz)) ns per event")
    }

    /// What the event cost is made of: one RDTSC alone, and the buffer protocol (CAS reserve,
    /// stores, commit) with a plain counter as the clock, on a log of a scratch tracer.
    static func benchProtocol() {
        let rounds = 400, iterations: UInt64 = 64
        var reads: [UInt64] = []
        for _ in 0..<rounds {
            reads.append(withInterruptsDisabled { () -> UInt64 in
                let t0 = arch_read_tsc()
                for _ in 0..<iterations { benchSink &+= arch_read_tsc() }
                return arch_read_tsc() &- t0
            })
        }
        reads.sort()
        guard let scratch = try? ScratchTracer(buffers: 8, wordsPerBuffer: 4096, mode: .dropNewest) else { return }
        defer { scratch.release() }
        let log = scratch.tracer.log(cpu: currentCPU)
        var samples: [UInt64] = []
        for b in 0..<4000 {
            if b % 16 == 0 { discardComplete(log) }
            samples.append(withInterruptsDisabled { () -> UInt64 in
                let t0 = arch_read_tsc()
                for i in 0..<iterations {
                    log.log(major: TraceClass.test.rawValue, minor: TestEvent.two.rawValue, clock: BenchCounterClock.self, i, t0)
                }
                return arch_read_tsc() &- t0
            })
        }
        samples.sort()
        klog("trace-bench: parts: RDTSC alone \(tenths(reads[rounds / 2], iterations)) cycles; buffer protocol with a counter clock (CAS reserve, stores, commit) median \(tenths(samples[2000], iterations)), p99 \(tenths(samples[3960], iterations)) cycles per 3-word event")
    }

    static func benchDisabled() {
        traceSetMask(0)
        let rounds = 400, iterations: UInt64 = 1000
        var differences: [Int64] = []
        var traced: [UInt64] = [], empty: [UInt64] = []
        for _ in 0..<rounds {
            let (a, b) = withInterruptsDisabled { () -> (UInt64, UInt64) in
                let t0 = arch_read_tsc()
                for i in 0..<iterations {
                    trace(TestEvent.two, i, t0)
                    k42_compiler_barrier()
                }
                let t1 = arch_read_tsc()
                for _ in 0..<iterations { k42_compiler_barrier() }
                let t2 = arch_read_tsc()
                return (t1 &- t0, t2 &- t1)
            }
            traced.append(a)
            empty.append(b)
            differences.append(Int64(bitPattern: a) &- Int64(bitPattern: b))
        }
        traced.sort(); empty.sort(); differences.sort()
        let d = differences[rounds / 2]
        let sign = d < 0 ? "-" : ""
        klog("trace-bench: disabled trace point: loop with it \(tenths(traced[rounds / 2], iterations)) cycles/iteration, empty loop \(tenths(empty[rounds / 2], iterations)); difference \(sign)\(tenths(d.magnitude, iterations)) cycles (median of \(rounds) x \(iterations))")
    }

    /// Every CPU but this one logs 3-word events (flat out, or paced at `paceEventsPerSecond`)
    /// for `milliseconds`, while this CPU drains their logs, copying each buffer out as a
    /// streaming consumer would. Reports events per second and events lost, per CPU.
    static func benchSustained(_ tracer: Tracer, writers: [Int], paceEventsPerSecond: UInt64, milliseconds: UInt64) {
        guard !writers.isEmpty else {
            klog("trace-bench: sustained rate needs -smp 2 or more")
            return
        }
        for cpu in writers { discardComplete(tracer.log(cpu: cpu)) }
        traceSetMask(TraceClass.test.maskBit)
        let stop = SharedAtomic(0), done = SharedAtomic(0)
        let attempted = PerCPUSlots(tracer.cpuCount), elapsed = PerCPUSlots(tracer.cpuCount)
        let lostBefore = PerCPUSlots(tracer.cpuCount)
        for cpu in writers { lostBefore[cpu] = tracer.log(cpu: cpu).statistics.lostEvents }
        let interval = paceEventsPerSecond == 0 ? 0 : Clock.tscHz / paceEventsPerSecond
        for cpu in writers {
            CrossCPU.run(on: cpu) {
                let start = arch_read_tsc()
                var next = start, n: UInt64 = 0
                while stop.load() == 0 {
                    if interval != 0 {
                        while arch_read_tsc() < next { k42_cpu_relax() }
                        next &+= interval
                    }
                    trace(TestEvent.two, n, start)
                    n &+= 1
                }
                attempted[cpu] = n
                elapsed[cpu] = arch_read_tsc() &- start
                done.add(1)
            }
        }
        let scratch = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: KernelTracing.wordsPerBuffer)
        defer { scratch.deallocate() }
        var copied: UInt64 = 0
        let deadline = Clock.nanoseconds() &+ milliseconds &* 1_000_000
        while Clock.nanoseconds() < deadline {
            for cpu in writers where tracer.log(cpu: cpu).drainNext(into: scratch) != nil { copied &+= 1 }
        }
        stop.store(1)
        while done.load() < writers.count {
            for cpu in writers where tracer.log(cpu: cpu).drainNext(into: scratch) != nil { copied &+= 1 }
        }
        traceSetMask(0)
        var line = ""
        for cpu in writers {
            let lost = tracer.log(cpu: cpu).statistics.lostEvents &- lostBefore[cpu]
            let logged = attempted[cpu] &- lost
            let perSecond = logged &* Clock.tscHz / max(elapsed[cpu], 1)
            line += " CPU \(cpu) \(tenths(perSecond, 1_000_000)) M/s logged, \(lost) lost of \(attempted[cpu]);"
        }
        let what = paceEventsPerSecond == 0 ? "flat out" : "paced at \(paceEventsPerSecond / 1000) k events/s per CPU"
        klog("trace-bench: sustained, \(writers.count) writer CPU\(writers.count == 1 ? "" : "s") \(what), CPU \(currentCPU) copying buffers out (\(copied) buffers):\(line)")
    }
}
/// A clock that is a plain per-read counter: the buffer protocol's cost without RDTSC.
enum BenchCounterClock: TraceClock {
    nonisolated(unsafe) static var ticks: UInt64 = 1
    @inline(__always) static func now() -> UInt64 { ticks &+= 1; return ticks }
}

nonisolated(unsafe) var benchSink: UInt64 = 0
#endif
