// Several threads writing at once: on one simulated CPU's log (the CAS reserve under
// contention, as with interrupts and user writers) and on different CPUs through
// Tracer.currentLog (k42_cpu_id). Every event must arrive exactly once, untorn.
import Synchronization
import Testing
@testable import Trace

@Suite struct ConcurrencyTests {
    /// Event payload: writer id, its sequence number, and a check word tying them together.
    static func check(_ w: UInt64, _ s: UInt64) -> UInt64 { (w &* 0x9E37_79B9_7F4A_7C15) ^ (s &* 31) ^ 0xA5A5 }

    func verify(_ events: [Event], writers: Int, perWriter: Int) {
        #expect(events.count == writers * perWriter)
        var next = [Int](repeating: 0, count: writers)
        var torn = 0, disorder = 0
        for e in events {
            guard e.payload.count == 3, e.payload[2] == Self.check(e.payload[0], e.payload[1]) else { torn += 1; continue }
            let w = Int(e.payload[0])
            if Int(e.payload[1]) != next[w] { disorder += 1 }
            next[w] = Int(e.payload[1]) + 1
        }
        #expect(torn == 0)
        #expect(disorder == 0)
        #expect(next == [Int](repeating: perWriter, count: writers))
    }

    @Test func manyWritersOneCPU() throws {
        let set = try #require(TraceLogSet(cpuCount: 1, buffers: 8, wordsPerBuffer: 1024, mode: .dropNewest))
        let log = set.log(cpu: 0)
        let writers = 4, perWriter = 50_000
        let done = Atomic<Int>(0)
        nonisolated(unsafe) var collected: [Event] = []
        nonisolated(unsafe) var lost: UInt64 = 0
        // Thread `writers` is the consumer; it drains until all writers finished.
        runThreads(writers + 1, cpuOf: { _ in 0 }) { i in
            if i == writers {
                while true {
                    let finished = done.load(ordering: .acquiring) == writers
                    let d = drain(log)
                    collected += d.events
                    lost += d.lost
                    if finished { break }
                }
                return
            }
            for s in 0..<UInt64(perWriter) {
                log.log(major: 13, minor: 3, clock: PlatformClock.self, UInt64(i), s, Self.check(UInt64(i), s))
            }
            done.wrappingAdd(1, ordering: .releasing)
        }
        log.sealCurrentBuffer()
        let tail = drain(log)
        collected += tail.events
        lost += tail.lost + log.takePendingLostEvents()
        // Exact accounting under contention: kept + reported lost == logged.
        #expect(UInt64(collected.count) + lost == UInt64(writers * perWriter))
        #expect(lost == log.statistics.lostEvents)
        let times = collected.map(\.timestamp)
        #expect(times == times.sorted())
        verifyNoDuplicates(collected, writers: writers)
    }

    /// With a ring large enough never to drop, exactly every event arrives.
    @Test func manyWritersOneCPUNoLoss() throws {
        let writers = 4, perWriter = 40_000
        let set = try #require(TraceLogSet(cpuCount: 1, buffers: 256, wordsPerBuffer: 4096, mode: .dropNewest))
        let log = set.log(cpu: 0)
        runThreads(writers, cpuOf: { _ in 0 }) { i in
            for s in 0..<UInt64(perWriter) {
                log.log(major: 13, minor: 3, clock: PlatformClock.self, UInt64(i), s, Self.check(UInt64(i), s))
            }
        }
        log.sealCurrentBuffer()
        let d = drain(log)
        #expect(log.statistics.lostEvents == 0)
        #expect(d.errors == 0)
        verify(d.events, writers: writers, perWriter: perWriter)
        let times = d.events.map(\.timestamp)
        #expect(times == times.sorted())
    }

    func verifyNoDuplicates(_ events: [Event], writers: Int) {
        var seen = Set<UInt64>()
        var torn = 0
        for e in events {
            guard e.payload.count == 3, e.payload[2] == Self.check(e.payload[0], e.payload[1]) else { torn += 1; continue }
            #expect(seen.insert(e.payload[0] << 32 | e.payload[1]).inserted)
        }
        // Per writer, what arrived is in order.
        for w in 0..<writers {
            let seqs = events.filter { $0.payload[0] == UInt64(w) }.map(\.payload[1])
            #expect(seqs == seqs.sorted())
        }
        #expect(torn == 0)
    }

    @Test func writersOnDifferentCPUs() throws {
        let cpus = 4, perWriter = 30_000
        let set = try #require(TraceLogSet(cpuCount: cpus, buffers: 128, wordsPerBuffer: 4096, mode: .dropNewest))
        let tracer = set.tracer
        runThreads(cpus * 2, cpuOf: { UInt32($0 % cpus) }) { i in
            guard let log = tracer.currentLog else { return }
            for s in 0..<UInt64(perWriter) {
                log.log(major: 13, minor: 3, clock: PlatformClock.self, UInt64(i), s, Self.check(UInt64(i), s))
            }
        }
        var all: [Event] = []
        for cpu in 0..<cpus {
            let log = set.log(cpu: cpu)
            log.sealCurrentBuffer()
            let d = drain(log)
            #expect(d.errors == 0)
            #expect(log.statistics.lostEvents == 0)
            // Writers i and i+cpus ran on this CPU; nothing from elsewhere.
            #expect(d.events.allSatisfy { Int($0.payload[0]) % cpus == cpu })
            #expect(d.events.count == 2 * perWriter)
            all += d.events
        }
        verify(all, writers: cpus * 2, perWriter: perWriter)
    }
}
