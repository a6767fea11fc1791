// The kernel-facing entry points (Tracer.swift): the global mask, `trace(...)` through the
// installed tracer, arguments not evaluated when disabled, and text events. These share global
// state (the mask and the installed tracer), so the suite runs serialized.
import Testing
@testable import Trace

@Suite(.serialized) struct GlobalTraceTests {
    @Test func maskGatesEvents() throws {
        let set = try #require(TraceLogSet(cpuCount: 2, buffers: 4, wordsPerBuffer: 512, mode: .dropNewest))
        set.tracer.install()
        defer { traceSetMask(0); installedTracer = nil }
        traceSetMask(0)
        var evaluated = 0
        func argument() -> UInt64 { evaluated += 1; return 42 }
        trace(SyscallEvent.entry, argument(), 1, 2, 3)
        #expect(evaluated == 0)
        traceSetMask(TraceClass.syscall.maskBit | TraceClass.process.maskBit)
        #expect(traceEnabled(.syscall) && !traceEnabled(.sched))
        trace(SyscallEvent.entry, argument(), 1, 2, 3)
        trace(SchedEvent.idle)
        trace(SyscallEvent.exit, 0, 0)
        let name = Array("busybox".utf8)
        [UInt64(77)].withUnsafeBufferPointer { prefix in
            name.withUnsafeBytes { trace(ProcessEvent.exec, words: prefix, text: $0) }
        }
        #expect(evaluated == 1)
        let log = set.log(cpu: 0)  // the test thread is not bound: CPU 0
        log.sealCurrentBuffer()
        let events = drain(log).events
        // Two mask changes (control, always logged), entry, exit, exec; no sched event.
        #expect(events.map { "\($0.major).\($0.minor)" } == ["0.3", "0.3", "1.0", "1.1", "8.1"])
        guard events.count == 5 else { return }
        #expect(events[1].payload == [0, TraceClass.syscall.maskBit | TraceClass.process.maskBit])
        #expect(events[2].payload == [42, 1, 2, 3])
        var text: [UInt8] = []
        events[4].payload.dropFirst().withUnsafeBufferPointer { TracePacking.unpack($0) { text.append($0) } }
        #expect(events[4].payload[0] == 77)
        #expect(text == name)
    }
}
