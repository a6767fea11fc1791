// Lost-event accounting when the consumer is slow: drop-newest counts every dropped event
// exactly (in buffer-start events plus the pending count), overwrite-oldest keeps the newest
// buffers and counts the overwritten ones.
import Testing
@testable import Trace

@Suite struct LossTests {
    @Test func dropNewestCountsExactly() throws {
        let set = try #require(TraceLogSet(cpuCount: 1, buffers: 4, wordsPerBuffer: 512, mode: .dropNewest))
        let log = set.log(cpu: 0)
        var kept: [Event] = [], reported: UInt64 = 0
        var total = 0
        // Bursts larger than the ring, drained only between bursts.
        for burst in 0..<6 {
            for i in 0..<1500 {
                log.log(major: 13, minor: 2, clock: StepClockA.self, UInt64(burst), UInt64(i))
                total += 1
            }
            let d = drain(log)
            kept += d.events
            reported += d.lost
        }
        log.sealCurrentBuffer()
        let d = drain(log)
        kept += d.events
        reported += d.lost
        let pending = log.takePendingLostEvents()
        #expect(log.statistics.lostEvents > 0)
        #expect(reported + pending == log.statistics.lostEvents)
        #expect(UInt64(kept.count) + reported + pending == UInt64(total))
        // Dropped events are the newest: within a burst, what was kept is a prefix.
        for burst in 0..<6 {
            let ids = kept.filter { $0.payload[0] == UInt64(burst) }.map { Int($0.payload[1]) }
            #expect(ids == Array(0..<ids.count))
        }
    }

    @Test func overwriteKeepsNewest() throws {
        let set = try #require(TraceLogSet(cpuCount: 1, buffers: 4, wordsPerBuffer: 512, mode: .overwriteOldest))
        let log = set.log(cpu: 0)
        for i in 0..<10_000 { log.log(major: 13, minor: 1, clock: StepClockA.self, UInt64(i)) }
        log.sealCurrentBuffer()
        let d = drain(log)
        let stats = log.statistics
        #expect(stats.lostEvents == 0)
        #expect(stats.lostBuffers > 0)
        #expect(d.buffers.count <= 4)
        // Sequences handed out are consecutive, end at the last buffer, and gaps = lost buffers.
        #expect(d.buffers.first! == stats.lostBuffers)
        #expect(d.buffers == Array(d.buffers.first!...d.buffers.last!))
        #expect(d.events.last?.payload == [9999])
        let ids = d.events.map { Int($0.payload[0]) }
        #expect(ids == Array(ids.first!...9999))
    }
}
