// In-kernel tests of tracing (Kernel/Tracing.swift over the Trace library) on real CPUs and
// real buffer memory: events land in the log of the CPU that logged them, a disabled class logs
// nothing, buffers written concurrently on every CPU decode with exact boundaries and fillers,
// and dropped events and overwritten buffers are counted exactly. `ktest=trace-bench` also
// measures the cost of a trace point (Kernel/Tests/TraceBench.swift); tests never assert times.
#if KERNEL_TESTS
import Memory
import Objects
import Synchronization
import Trace

extension KernelTests {
    /// A Tracer for one test, formatted in frames of its own (not the installed one).
    struct ScratchTracer {
        let tracer: Tracer
        let physical: UInt64
        let order: Int

        init(buffers: Int, wordsPerBuffer: Int, mode: TraceOverflowMode) throws(TestFailure) {
            let bytes = Tracer.regionBytes(cpuCount: CPUs.count, buffers: buffers, wordsPerBuffer: wordsPerBuffer)
            var order = 0
            while (pageSize << order) < bytes { order += 1 }
            guard let physical = KernelTests.frames.allocate(order: order) else {
                throw TestFailure(message: "no frames for a scratch trace region")
            }
            guard let tracer = Tracer(formatting: KernelTests.frames.window.pointer(physical), cpuCount: CPUs.count,
                                      buffers: buffers, wordsPerBuffer: wordsPerBuffer, mode: mode,
                                      timestampFrequency: Clock.tscHz) else {
                KernelTests.frames.free(physical: physical, order: order)
                throw TestFailure(message: "Tracer(formatting:) refused the geometry")
            }
            self.tracer = tracer
            self.physical = physical
            self.order = order
        }

        func release() { KernelTests.frames.free(physical: physical, order: order) }
    }

    /// Per-CPU results written by code running on each CPU (one slot per CPU, no sharing).
    final class PerCPUSlots: @unchecked Sendable {
        let values: UnsafeMutablePointer<UInt64>
        let count: Int
        init(_ count: Int) {
            self.count = count
            values = .allocate(capacity: count)
            values.initialize(repeating: 0, count: count)
        }
        deinit { values.deallocate() }
        subscript(_ i: Int) -> UInt64 {
            get { values[i] }
            set { values[i] = newValue }
        }
    }

    static var onlineCPUs: [Int] { CPUs.all.filter { $0.online.load(ordering: .acquiring) }.map { $0.index } }

    /// Logs `perCPU` marked test events on every CPU with the test class on or off, then drains
    /// the installed logs; returns the markers found per CPU and the problems seen.
    static func logMarkersEverywhere(enabled: Bool, perCPU: Int) throws(TestFailure)
        -> (found: [Int], reservedDuring: [UInt64], problems: String) {
        guard let tracer = KernelTracing.tracer else { throw TestFailure(message: "no tracer installed at boot") }
        // Make room first: without COM2 nobody else drains the installed logs.
        _ = KernelTracing.withConsumerLock { KernelTracing.drainEverything() }
        let marker = arch_read_tsc() | 1
        let old = traceMask.load(ordering: .relaxed)
        traceSetMask(enabled ? old | TraceClass.test.maskBit : old & ~TraceClass.test.maskBit)
        let before = (0..<tracer.cpuCount).map { tracer.log(cpu: $0).statistics.wordsReserved }
        CrossCPU.runEverywhere { cpu in
            for i in 0..<perCPU { trace(TestEvent.three, marker, UInt64(cpu), UInt64(i)) }
        }
        let after = (0..<tracer.cpuCount).map { tracer.log(cpu: $0).statistics.wordsReserved }
        traceSetMask(old)
        var found = Array(repeating: 0, count: tracer.cpuCount)
        var problems = ""
        let drained = KernelTracing.withConsumerLock {
            KernelTracing.drainEverything { view in
                var decoder = TraceBufferDecoder(words: view.words)
                var previous: UInt64 = 0
                while let event = decoder.next() {
                    if event.timestamp < previous { problems += " time went back on CPU \(view.cpu);" }
                    previous = event.timestamp
                    guard event.header.major == TraceClass.test.rawValue,
                          event.header.minor == TestEvent.three.rawValue,
                          event.payloadCount == 3, view.words[event.payloadOffset] == marker else { continue }
                    let cpu = Int(view.words[event.payloadOffset + 1])
                    let index = Int(view.words[event.payloadOffset + 2])
                    if cpu != Int(view.cpu) { problems += " CPU \(cpu)'s event in CPU \(view.cpu)'s log;" }
                    if index != found[Int(view.cpu)] { problems += " CPU \(view.cpu) event \(index) out of order;" }
                    found[Int(view.cpu)] += 1
                }
                if decoder.cpu != view.cpu || decoder.error != nil {
                    problems += " buffer \(view.sequence) of CPU \(view.cpu) does not decode;"
                }
            }
        }
        if !drained { problems += " drain timed out;" }
        return (found, zip(before, after).map { $1 &- $0 }, problems)
    }

    static func traceEventsPerCPU() throws(TestFailure) {
        let perCPU = 200
        let (found, _, problems) = try logMarkersEverywhere(enabled: true, perCPU: perCPU)
        try expect(problems.isEmpty, "problems:\(problems)")
        for cpu in onlineCPUs {
            try expect(found[cpu] == perCPU, "CPU \(cpu): \(found[cpu]) of \(perCPU) events in its log")
        }
    }

    static func traceDisabledLogsNothing() throws(TestFailure) {
        let (found, reservedDuring, problems) = try logMarkersEverywhere(enabled: false, perCPU: 200)
        try expect(problems.isEmpty, "problems:\(problems)")
        try expect(found.allSatisfy { $0 == 0 }, "disabled events were logged: \(list(found))")
        // With every class off nothing at all may reach a log (interrupts included).
        if traceMask.load(ordering: .relaxed) == 0 {
            try expect(reservedDuring.allSatisfy { $0 == 0 },
                       "words reserved while every class was off: \(list(reservedDuring.map { Int($0) }))")
        }
    }

    /// Payload words of the i-th event in the boundary test: 0...40, so events of every length
    /// meet buffer ends and fillers of many sizes.
    static func boundaryPayload(_ i: Int) -> Int { (i &* 7) % 41 }

    static func traceBoundariesAndFillers() throws(TestFailure) {
        let words = 512, buffers = 8
        let scratch = try ScratchTracer(buffers: buffers, wordsPerBuffer: words, mode: .dropNewest)
        defer { scratch.release() }
        let tracer = scratch.tracer
        let logged = PerCPUSlots(tracer.cpuCount)
        // Every CPU fills about 6.5 buffers of its own log, with interrupts on.
        CrossCPU.runEverywhere { cpu in
            let log = tracer.log(cpu: cpu)
            var i = 0
            while log.statistics.wordsReserved < UInt64(6 * words + words / 2) {
                let n = boundaryPayload(i)
                guard let r = log.reserve(major: TraceClass.test.rawValue, minor: TestEvent.text.rawValue,
                                          payloadWords: n, clock: PlatformClock.self) else { break }
                for k in 0..<n { r.payload[k] = UInt64(cpu) << 48 | UInt64(i) << 8 | UInt64(k) }
                log.commit(r)
                i += 1
            }
            logged[cpu] = UInt64(i)
        }
        for cpu in onlineCPUs {
            let log = tracer.log(cpu: cpu)
            log.sealCurrentBuffer()
            var sequence: UInt64 = 0, i = 0, fillers = 0
            while let view = log.nextCompleteBuffer() {
                var decoder = TraceBufferDecoder(words: view.words)
                try expect(decoder.sequence == sequence && view.sequence == sequence,
                           "CPU \(cpu): buffer \(view.sequence) has sequence \(decoder.sequence), expected \(sequence)")
                try expect(decoder.cpu == UInt32(cpu), "CPU \(cpu): buffer says CPU \(decoder.cpu)")
                while let event = decoder.next() {
                    let n = boundaryPayload(i)
                    try expect(event.payloadCount == n, "CPU \(cpu) event \(i): \(event.payloadCount) words, expected \(n)")
                    for k in 0..<n where view.words[event.payloadOffset + k] != UInt64(cpu) << 48 | UInt64(i) << 8 | UInt64(k) {
                        throw TestFailure(message: "CPU \(cpu) event \(i) word \(k) corrupted")
                    }
                    i += 1
                }
                try expect(decoder.error == nil, "CPU \(cpu) buffer \(sequence): malformed event")
                let end = decoder.contentWords
                if end < words {
                    // The rest of the buffer is one filler: header with length 0, class control.
                    let filler = TraceHeader(word: view.words[end])
                    try expect(filler.major == 0 && filler.minor == TraceControlMinor.filler && filler.length == 0,
                               "CPU \(cpu) buffer \(sequence): word \(end) is not a filler")
                    fillers += 1
                }
                log.release(view)
                sequence += 1
            }
            try expect(i == Int(logged[cpu]), "CPU \(cpu): decoded \(i) of \(logged[cpu]) events")
            try expect(sequence == 7, "CPU \(cpu): \(sequence) buffers, expected 7")
            try expect(fillers >= 1, "CPU \(cpu): no buffer ended in a filler")
        }
    }

    static func traceLostEventsExact() throws(TestFailure) {
        let words = 512
        // Drop-newest: two buffers, no consumer, then 1000 three-word events per CPU.
        let drop = try ScratchTracer(buffers: 2, wordsPerBuffer: words, mode: .dropNewest)
        defer { drop.release() }
        let attempts = 1000
        let dropped = PerCPUSlots(CPUs.count)
        CrossCPU.runEverywhere { cpu in
            let log = drop.tracer.log(cpu: cpu)
            var lost: UInt64 = 0
            for i in 0..<attempts {
                if let r = log.reserve(major: TraceClass.test.rawValue, minor: TestEvent.two.rawValue,
                                       payloadWords: 2, clock: PlatformClock.self) {
                    r.payload[0] = UInt64(i); r.payload[1] = UInt64(cpu)
                    log.commit(r)
                } else {
                    lost += 1
                }
            }
            dropped[cpu] = lost
        }
        for cpu in onlineCPUs {
            let log = drop.tracer.log(cpu: cpu)
            let s = log.statistics
            // 2 buffers of (5 + 169 x 3) words hold 338 events; the rest were dropped.
            try expect(dropped[cpu] == UInt64(attempts - 338), "CPU \(cpu): \(dropped[cpu]) dropped, expected \(attempts - 338)")
            try expect(s.lostEvents == dropped[cpu] && s.pendingLostEvents == dropped[cpu],
                       "CPU \(cpu): log counts \(s.lostEvents) lost (\(s.pendingLostEvents) pending), writer saw \(dropped[cpu])")
            // Free one buffer: the next event starts a buffer whose buffer-start reports the loss.
            guard let first = log.nextCompleteBuffer() else { throw TestFailure(message: "CPU \(cpu): buffer 0 incomplete") }
            log.release(first)
            log.log(major: TraceClass.test.rawValue, minor: TestEvent.one.rawValue, 7)
            log.sealCurrentBuffer()
            var reported: UInt64 = 0
            while let view = log.nextCompleteBuffer() {
                reported += TraceBufferDecoder(words: view.words).lostEventsBefore
                log.release(view)
            }
            try expect(reported == dropped[cpu], "CPU \(cpu): buffers report \(reported) lost, expected \(dropped[cpu])")
            try expect(log.statistics.pendingLostEvents == 0, "CPU \(cpu): losses left unreported")
        }

        // Overwrite-oldest: ten buffers' worth into a ring of two; the consumer counts 8 lost.
        let ring = try ScratchTracer(buffers: 2, wordsPerBuffer: words, mode: .overwriteOldest)
        defer { ring.release() }
        CrossCPU.runEverywhere { cpu in
            let log = ring.tracer.log(cpu: cpu)
            for i in 0..<(169 * 10) {
                log.log(major: TraceClass.test.rawValue, minor: TestEvent.two.rawValue, UInt64(i), UInt64(cpu))
            }
        }
        for cpu in onlineCPUs {
            let log = ring.tracer.log(cpu: cpu)
            var read: [UInt64] = []
            while let view = log.nextCompleteBuffer() {
                if log.release(view) { read.append(view.sequence) }
            }
            let lost = log.statistics.lostBuffers
            try expect(lost == 8 && read == [8, 9],
                       "CPU \(cpu): \(lost) buffers lost, read \(list(read.map { Int($0) })); expected 8 lost, read [8, 9]")
        }
    }

    static func totalLostEvents() -> UInt64 {
        guard let tracer = KernelTracing.tracer else { return 0 }
        var lost: UInt64 = 0
        for cpu in 0..<tracer.cpuCount { lost &+= tracer.log(cpu: cpu).statistics.lostEvents }
        return lost
    }

    /// Every CPU takes one shared SpinLock many times with the lock class on: each contended
    /// acquisition logs `lock:contended` with the lock's address, as many as the lock counted;
    /// with lockhold on too, every acquisition `lockhold:acquire` and every release
    /// `lockhold:release` with a hold time.
    static func traceLockContention() throws(TestFailure) {
        guard KernelTracing.tracer != nil, let consumer = KernelTracing.streamLock else {
            throw TestFailure(message: "no tracer installed at boot")
        }
        // This test is the logs' only consumer from here to the end (idle CPUs stop streaming to
        // COM2), so every event it logs is still in the logs when it counts them.
        consumer.lock()
        defer { consumer.unlock() }
        _ = KernelTracing.drainEverything()
        let lostBefore = totalLostEvents()
        let lock = SpinLock()
        // 500 rounds: with lockhold on, about 7 words per round stay well inside a CPU's 32 Ki-word log.
        let rounds = 500
        let shared = SharedAtomic(0), arrived = SharedAtomic(0)
        let cpus = onlineCPUs.count
        let old = traceMask.load(ordering: .relaxed)
        traceSetMask(old | TraceClass.lock.maskBit | TraceClass.lockHold.maskBit)
        CrossCPU.runEverywhere { _ in
            arrived.add(1)
            while arrived.load() < cpus { k42_cpu_relax() }        // start together
            for _ in 0..<rounds {
                lock.withLock {
                    shared.value.store(shared.value.load(ordering: .relaxed) + 1, ordering: .relaxed)
                    for _ in 0..<50 { k42_cpu_relax() }
                }
            }
        }
        traceSetMask(old)
        let address = UInt64(UInt(bitPattern: ObjectIdentifier(lock)))
        var events = 0, badWait = 0, noCaller = 0, acquires = 0, releases = 0, badHold = 0
        let drained = KernelTracing.drainEverything { view in
            var decoder = TraceBufferDecoder(words: view.words)
            while let e = decoder.next() {
                guard e.payloadCount >= 2, view.words[e.payloadOffset] == address else { continue }
                if e.header.major == TraceClass.lockHold.rawValue, e.header.minor == LockHoldEvent.acquire.rawValue {
                    acquires += 1
                    if view.words[e.payloadOffset + 1] == 0 { noCaller += 1 }
                    continue
                }
                if e.header.major == TraceClass.lockHold.rawValue, e.header.minor == LockHoldEvent.release.rawValue {
                    releases += 1
                    if view.words[e.payloadOffset + 1] == 0 { badHold += 1 }
                    continue
                }
                guard e.header.major == TraceClass.lock.rawValue, e.header.minor == LockEvent.contended.rawValue,
                      e.payloadCount == 3 else { continue }
                events += 1
                if view.words[e.payloadOffset + 1] == 0 { badWait += 1 }
                if view.words[e.payloadOffset + 2] == 0 { noCaller += 1 }
            }
        }
        let contended = lock.contendedCount.load(ordering: .relaxed)
        try expect(drained, "drain timed out")
        try expect(shared.load() == rounds * onlineCPUs.count, "lost updates under the lock: \(shared.load())")
        try expect(events == contended, "\(events) contended events logged, the lock counted \(contended)")
        try expect(badWait == 0 && noCaller == 0, "\(badWait) events without a wait time, \(noCaller) without a caller")
        let total = rounds * onlineCPUs.count
        if totalLostEvents() == lostBefore {
            try expect(acquires == total, "\(acquires) lockhold:acquire events for \(total) acquisitions")
            try expect(releases == total && badHold == 0, "\(releases) release events (\(badHold) with no hold time) for \(total) releases")
        } else {
            klog("ktest: events were dropped (consumer behind): acquire/release counts not checked")
        }
        klog("ktest: \(contended) contended acquisitions of one lock on \(onlineCPUs.count) CPUs, all logged; \(acquires) acquisitions and \(releases) releases with hold times")
    }
}
#endif
