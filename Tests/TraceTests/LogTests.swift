// Single-writer tests of TraceLog: round trip, buffer wrap with fillers (no event straddles a
// buffer), 64-bit timestamps across many 32-bit wraps, decoding from any buffer, sealing, and
// the file container. Concurrency and loss are in ConcurrencyTests.swift and LossTests.swift.
import Testing
@testable import Trace

@Suite struct LogTests {
    @Test func roundTripOneEvent() throws {
        let set = try #require(TraceLogSet(cpuCount: 1, buffers: 4, wordsPerBuffer: 512, mode: .dropNewest))
        let log = set.log(cpu: 0)
        log.log(major: 13, minor: 3, clock: StepClockA.self, 11, 22, 33)
        #expect(log.nextCompleteBuffer() == nil)  // still being written
        #expect(log.sealCurrentBuffer())
        let d = drain(log)
        #expect(d.events.count == 1)
        #expect(d.events.first?.major == 13 && d.events.first?.minor == 3)
        #expect(d.events.first?.payload == [11, 22, 33])
        #expect(d.buffers == [0])
    }

    @Test func rejectsBadGeometry() {
        #expect(TraceLogSet(cpuCount: 1, buffers: 3, wordsPerBuffer: 512, mode: .dropNewest) == nil)
        #expect(TraceLogSet(cpuCount: 1, buffers: 4, wordsPerBuffer: 256, mode: .dropNewest) == nil)
        #expect(TraceLogSet(cpuCount: 1, buffers: 4, wordsPerBuffer: 1000, mode: .dropNewest) == nil)
    }

    /// Variable-length events through many buffers: every buffer starts with a buffer-start
    /// event, fillers pad the ends, nothing straddles, and everything comes back in order.
    @Test func wrapWithFillers() throws {
        let set = try #require(TraceLogSet(cpuCount: 1, buffers: 4, wordsPerBuffer: 512, mode: .dropNewest))
        let log = set.log(cpu: 0)
        var got: [Event] = []
        var fillers = 0
        var written: [[UInt64]] = []
        for i in 0..<5000 {
            let n = (i * 37) % 40  // 0...39 payload words
            let payload = (0..<n).map { UInt64(i) << 8 | UInt64($0) }
            written.append(payload)
            payload.withUnsafeBufferPointer { log.log(major: 13, minor: 0, clock: StepClockA.self, payload: $0) }
            while let view = log.nextCompleteBuffer() {
                let d = decode(view.words)
                #expect(d.error == nil)
                #expect(TraceHeader(word: view.words[0]).minor == TraceControlMinor.bufferStart)
                var decoder = TraceBufferDecoder(words: view.words)
                while decoder.next() != nil {}
                if decoder.contentWords < view.words.count { fillers += 1 }
                got += d.events
                log.release(view)
            }
        }
        log.sealCurrentBuffer()
        got += drain(log).events
        #expect(got.count == 5000)
        #expect(got.map(\.payload) == written)
        #expect(fillers > 10)
        #expect(log.statistics.lostEvents == 0)
        let times = got.map(\.timestamp)
        #expect(times == times.sorted())
    }

    /// The clock wraps its low 32 bits every one or two events and sometimes jumps by several
    /// periods: every decoded timestamp must equal the writer's 64-bit value.
    @Test(arguments: [0, 1])
    func timestampsAcrossWraps(clockKind: Int) throws {
        let set = try #require(TraceLogSet(cpuCount: 1, buffers: 8, wordsPerBuffer: 512, mode: .dropNewest))
        let log = set.log(cpu: 0)
        var got: [Event] = []
        let count = 20_000
        for _ in 0..<count {
            // Payload records the clock value the event should carry: read it the same way.
            if clockKind == 0 {
                log.log(major: 13, minor: 1, clock: WrapClock.self, WrapClock.value.load(ordering: .relaxed))
            } else {
                log.log(major: 13, minor: 1, clock: JumpClock.self, JumpClock.value.load(ordering: .relaxed))
            }
            got += drain(log).events
        }
        log.sealCurrentBuffer()
        got += drain(log).events
        #expect(got.count == count)
        // Each event's payload is the clock value just before the writer's first read; a
        // buffer switch or a clock-high change makes the writer read again (one step later).
        // So the decoded time must be payload + k·step, below the next event's payload:
        // any error in rebuilding the high 32 bits would break one of these.
        let step: UInt64 = clockKind == 0 ? 3_000_000_001 : (5 << 32) + 12345
        var mismatches = 0
        for (i, e) in got.enumerated() {
            let upper = i + 1 < got.count ? got[i + 1].payload[0] : UInt64.max
            if !(e.timestamp >= e.payload[0] && e.timestamp < upper && (e.timestamp - e.payload[0]) % step == 0) {
                mismatches += 1
            }
        }
        #expect(mismatches == 0)
        let times = got.map(\.timestamp)
        #expect(times == times.sorted())
        #expect((times.last ?? 0) - (times.first ?? 0) > 1_000 * (1 << 32))
    }

    /// Decoding a buffer alone gives the same events as decoding the whole trace from the start.
    @Test func decodeFromAnyBuffer() throws {
        let set = try #require(TraceLogSet(cpuCount: 1, buffers: 64, wordsPerBuffer: 512, mode: .dropNewest))
        let log = set.log(cpu: 0)
        for i in 0..<6000 { log.log(major: 13, minor: 2, clock: WrapClock.self, UInt64(i), UInt64(i) * 3) }
        log.sealCurrentBuffer()
        var all: [Event] = []
        var perBuffer: [[Event]] = []
        var views: [TraceBufferView] = []
        while let v = log.nextCompleteBuffer() { views.append(v); log.release(v) }
        #expect(views.count > 10)
        for v in views { let d = decode(v.words); perBuffer.append(d.events); all += d.events }
        #expect(all.count == 6000)
        // Decode in reverse order: no state carries over between buffers.
        var offset = all.count
        for (k, v) in views.enumerated().reversed() {
            let alone = decode(v.words).events
            offset -= alone.count
            #expect(alone == Array(all[offset..<offset + alone.count]))
            #expect(alone == perBuffer[k])
        }
    }

    @Test func containerRoundTrip() throws {
        let set = try #require(TraceLogSet(cpuCount: 2, buffers: 4, wordsPerBuffer: 512, mode: .dropNewest))
        var writer = TraceFileWriter(sink: MemorySink())
        writer.writeHeader(set.fileHeader())
        for i in 0..<1000 { set.log(cpu: i % 2).log(major: 13, minor: 1, clock: StepClockA.self, UInt64(i)) }
        writer.drainAll(set.tracer)
        writer.finish(set.tracer)
        let words = writer.sink.words
        try words.withUnsafeBufferPointer { buffer in
            var reader = try TraceFileReader(words: buffer)
            #expect(reader.header == set.fileHeader())
            var events = 0, buffers = 0, ended = false
            while let record = try reader.next() {
                switch record {
                case .buffer(let cpu, _, let w):
                    buffers += 1
                    let d = decode(w, cpu: cpu)
                    #expect(d.error == nil)
                    events += d.events.count
                    #expect(d.events.allSatisfy { Int($0.payload[0]) % 2 == Int(cpu) })
                case .lost: Issue.record("no loss expected")
                case .end: ended = true
                }
            }
            #expect(events == 1000)
            #expect(buffers >= 2)
            #expect(ended)
        }
        var bad = words
        bad[0] = 0
        bad.withUnsafeBufferPointer { b in #expect(throws: TraceFileError.badMagic) { _ = try TraceFileReader(words: b) } }
    }
}
