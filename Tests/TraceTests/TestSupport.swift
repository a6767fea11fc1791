// Helpers shared by the TraceTests files: clocks the tests drive (each test its own type, so
// tests stay parallel-safe), a decoded-event record, draining a TraceLogSet into events, and a
// thread runner that binds each thread to a simulated CPU (Platform's hosted per-CPU area).
import Foundation
import Platform
import Synchronization
@testable import Trace

/// A decoded event, copied out of its buffer.
struct Event: Equatable {
    var cpu: UInt32
    var sequence: UInt64
    var timestamp: UInt64
    var major: UInt8
    var minor: UInt16
    var payload: [UInt64]
}

/// Decodes one buffer into events (control events skipped); fails the caller on decode errors.
func decode(_ words: UnsafeBufferPointer<UInt64>, cpu: UInt32 = 0) -> (events: [Event], lost: UInt64, error: TraceDecodeError?) {
    var decoder = TraceBufferDecoder(words: words)
    var events: [Event] = []
    while let e = decoder.next() {
        events.append(Event(cpu: cpu, sequence: decoder.sequence, timestamp: e.timestamp, major: e.header.major,
                            minor: e.header.minor,
                            payload: Array(words[e.payloadOffset..<e.payloadOffset + e.payloadCount])))
    }
    return (events, decoder.lostEventsBefore, decoder.error)
}

/// Drains every complete buffer of one log; returns the decoded events and reported losses.
func drain(_ log: TraceLog) -> (events: [Event], lost: UInt64, buffers: [UInt64], errors: Int) {
    var events: [Event] = [], lost: UInt64 = 0, sequences: [UInt64] = [], errors = 0
    while let view = log.nextCompleteBuffer() {
        let d = decode(view.words, cpu: log.cpu)
        if log.release(view) {
            events += d.events
            lost += d.lost
            sequences.append(view.sequence)
            if d.error != nil { errors += 1 }
        }
    }
    return (events, lost, sequences, errors)
}

/// Runs `body(i)` on `count` threads, each bound to simulated CPU `cpuOf(i)`, and waits.
func runThreads(_ count: Int, cpuOf: @escaping @Sendable (Int) -> UInt32, _ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for i in 0..<count {
        group.enter()
        let thread = Thread {
            let area = UnsafeMutablePointer<k42_cpu_area>.allocate(capacity: 1)
            area.initialize(to: k42_cpu_area())
            area.pointee.cpu = cpuOf(i)
            k42_hosted_bind_cpu(area)
            body(i)
            k42_hosted_bind_cpu(nil)
            area.deallocate()
            group.leave()
        }
        thread.start()
    }
    group.wait()
}

/// Test clocks: each is an independent atomic counter advanced by a fixed step per read.
enum StepClockA: TraceClock {
    static let value = Atomic<UInt64>(0)
    static let step = Atomic<UInt64>(10)
    static func now() -> UInt64 { value.wrappingAdd(step.load(ordering: .relaxed), ordering: .relaxed).oldValue }
}

enum WrapClock: TraceClock {
    /// Starts just below 2^40 and advances by ~0.7 × 2^32 per read: the 32-bit field wraps
    /// every one or two events and the high half changes constantly.
    static let value = Atomic<UInt64>((1 << 40) - 5)
    static func now() -> UInt64 { value.wrappingAdd(3_000_000_001, ordering: .relaxed).oldValue }
}

enum JumpClock: TraceClock {
    /// Jumps by several full 2^32 periods at once (a CPU idle for a long time).
    static let value = Atomic<UInt64>(7)
    static func now() -> UInt64 { value.wrappingAdd((5 << 32) + 12345, ordering: .relaxed).oldValue }
}

/// Collects words in memory (a TraceSink).
struct MemorySink: TraceSink {
    var words: [UInt64] = []
    mutating func write(_ w: UnsafeBufferPointer<UInt64>) { words.append(contentsOf: w) }
}
