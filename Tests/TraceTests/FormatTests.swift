// Tests of the event encoding (TraceFormat.swift), string packing and the event catalogue.
import Testing
@testable import Trace

@Suite struct FormatTests {
    @Test func headerRoundTrip() {
        let h = TraceHeader(timestamp: 0x1234_5678_9ABC_DEF0, length: 255, layer: 2, major: 63, minor: 0x3FFF)
        #expect(h.timestampLow == 0x9ABC_DEF0)
        #expect(h.length == 255)
        #expect(h.layer == 2)
        #expect(h.major == 63)
        #expect(h.minor == 0x3FFF)
        let g = TraceHeader(timestamp: 7, length: 3, layer: 0, major: 1, minor: 1)
        #expect(g.word == (7 << 32 | 3 << 24 | 1 << 14 | 1))
        #expect(TraceHeader(word: g.word) == g)
    }

    @Test func timestampExtension() {
        #expect(traceExtendTimestamp(previous: 0x5_FFFF_FFF0, low: 0xFFFF_FFF5) == 0x5_FFFF_FFF5)
        #expect(traceExtendTimestamp(previous: 0x5_FFFF_FFF0, low: 0x10) == 0x6_0000_0010)
        #expect(traceExtendTimestamp(previous: 0x5_0000_0010, low: 0x10) == 0x5_0000_0010)
    }

    @Test func textPacking() {
        let text = Array("hello, k42 world".utf8)
        var words = [UInt64](repeating: 0xFFFF, count: TracePacking.wordsForText(byteCount: text.count))
        #expect(words.count == 3)
        text.withUnsafeBytes { raw in words.withUnsafeMutableBufferPointer { TracePacking.pack(raw, into: $0.baseAddress!) } }
        var back: [UInt8] = []
        words.withUnsafeBufferPointer { TracePacking.unpack($0) { back.append($0) } }
        #expect(back == text)
    }

    @Test func catalogNamesEveryEvent() {
        #expect(TraceCatalog.spec(major: 1, minor: 0)?.name.description == "entry")
        #expect(TraceCatalog.spec(major: TraceClass.lock.rawValue, minor: 0)?.fields.description
                == "lock:x wait_ticks caller:x")
        #expect(TraceCatalog.spec(major: 50, minor: 0) == nil)
        #expect(TraceCatalog.eventCount(major: TraceClass.sched.rawValue) == 4)
        #expect(TraceCatalog.spec(major: TraceClass.lockHold.rawValue, minor: 1)?.fields.description == "lock:x hold_ticks")
        for c in TraceClass.allCases { #expect(TraceCatalog.eventCount(major: c.rawValue) > 0) }
    }
}
