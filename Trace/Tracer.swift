// The system-wide face of tracing: the global enable mask, the set of per-CPU logs (Tracer),
// and the `trace(...)` functions that kernel code calls at its trace points. A disabled trace
// point is one load of the mask, a test and a branch; arguments are autoclosures, so they are not
// evaluated when disabled; -D TRACE_COMPILED_OUT removes every trace point. Logs: TraceLog.swift.
import Platform
import Synchronization

/// The enable mask: bit n enables `TraceClass(rawValue: n)`. Change it with `traceSetMask`.
/// A global with a constant initializer, so reading it is one load from a fixed address.
public let traceMask = Atomic<UInt64>(0)

/// The per-CPU logs that `trace(...)` writes into, installed once at bring-up (`install`).
/// Kept as three atomic words with constant initializers, so a trace point reads them with
/// plain loads (no lazy-global check, no exclusivity bookkeeping in hosted builds).
public var installedTracer: Tracer? {
    get {
        let logs = installedLogs.load(ordering: .acquiring)
        guard logs != 0, let pointer = UnsafeMutablePointer<TraceLog>(bitPattern: logs) else { return nil }
        return Tracer(logs: pointer, cpuCount: installedCPUCount.load(ordering: .relaxed),
                      timestampFrequency: installedFrequency.load(ordering: .relaxed))
    }
    set {
        installedLogs.store(0, ordering: .releasing)
        guard let tracer = newValue else { return }
        installedCPUCount.store(tracer.cpuCount, ordering: .relaxed)
        installedFrequency.store(tracer.timestampFrequency, ordering: .relaxed)
        installedLogs.store(UInt(bitPattern: tracer.logs), ordering: .releasing)
    }
}
@usableFromInline let installedLogs = Atomic<UInt>(0)
@usableFromInline let installedCPUCount = Atomic<Int>(0)
let installedFrequency = Atomic<UInt64>(0)

/// One TraceLog per CPU, carved out of one memory region.
///
/// Region layout: a table of `cpuCount` TraceLog handles, then each CPU's log region (64-byte
/// aligned). The kernel gives it physically contiguous pages; hosted code uses TraceLogSet.
public struct Tracer: @unchecked Sendable {
    public let logs: UnsafeMutablePointer<TraceLog>
    public let cpuCount: Int
    /// Ticks per second of the clock the logs use (TSC frequency in the kernel, 1e9 hosted).
    public let timestampFrequency: UInt64

    static func tableBytes(cpuCount: Int) -> Int {
        (cpuCount * MemoryLayout<TraceLog>.stride + 63) & ~63
    }

    public static func regionBytes(cpuCount: Int, buffers: Int, wordsPerBuffer: Int) -> Int {
        tableBytes(cpuCount: cpuCount) + cpuCount * TraceLog.regionBytes(buffers: buffers, wordsPerBuffer: wordsPerBuffer)
    }

    /// Formats `cpuCount` logs in `region` (64-byte aligned, `regionBytes` long).
    public init?(formatting region: UnsafeMutableRawPointer, cpuCount: Int, buffers: Int, wordsPerBuffer: Int,
                 mode: TraceOverflowMode, timestampFrequency: UInt64) {
        guard cpuCount > 0, TraceLog.isValidGeometry(buffers: buffers, wordsPerBuffer: wordsPerBuffer)
        else { return nil }
        let table = region.bindMemory(to: TraceLog.self, capacity: cpuCount)
        var next = region + Self.tableBytes(cpuCount: cpuCount)
        let perCPU = TraceLog.regionBytes(buffers: buffers, wordsPerBuffer: wordsPerBuffer)
        for cpu in 0..<cpuCount {
            guard let log = TraceLog(formatting: next, cpu: UInt32(cpu), buffers: buffers,
                                     wordsPerBuffer: wordsPerBuffer, mode: mode) else { return nil }
            (table + cpu).initialize(to: log)
            next += perCPU
        }
        self.init(logs: table, cpuCount: cpuCount, timestampFrequency: timestampFrequency)
    }

    public init(logs: UnsafeMutablePointer<TraceLog>, cpuCount: Int, timestampFrequency: UInt64) {
        self.logs = logs
        self.cpuCount = cpuCount
        self.timestampFrequency = timestampFrequency
    }

    @inlinable @inline(__always)
    public func log(cpu: Int) -> TraceLog { logs[cpu] }

    /// The calling CPU's log (nil if the CPU number is out of range).
    @inlinable @inline(__always)
    public var currentLog: TraceLog? {
        let cpu = Int(k42_cpu_id())
        return cpu < cpuCount ? logs[cpu] : nil
    }

    /// Makes this the tracer that `trace(...)` writes to. Call before enabling any class.
    public func install() { installedTracer = self }
}

// MARK: - Mask

/// Whether events of `traceClass` are being logged: one load, test and branch.
@inlinable @inline(__always)
public func traceEnabled(_ traceClass: TraceClass) -> Bool {
    #if TRACE_COMPILED_OUT
    return false
    #else
    return traceMask.load(ordering: .relaxed) & traceClass.maskBit != 0
    #endif
}

/// Replaces the enable mask (e.g. from /proc/trace/mask) and logs the change on this CPU.
public func traceSetMask(_ newMask: UInt64) {
    let old = traceMask.exchange(newMask, ordering: .sequentiallyConsistent)
    installedTracer?.currentLog?.log(major: TraceClass.control.rawValue, minor: TraceControlMinor.maskChanged,
                                     old, newMask)
}

// MARK: - Trace points

@usableFromInline @inline(never)
func traceWrite(_ major: UInt8, _ minor: UInt16, _ count: Int,
                _ w0: UInt64, _ w1: UInt64, _ w2: UInt64, _ w3: UInt64, _ w4: UInt64) {
    let cpu = Int(k42_cpu_id())
    guard cpu < installedCPUCount.load(ordering: .relaxed),
          let logs = UnsafeMutablePointer<TraceLog>(bitPattern: installedLogs.load(ordering: .acquiring))
    else { return }
    let log = logs + cpu
    guard let r = log.pointee.reserve(major: major, minor: minor, payloadWords: count, clock: PlatformClock.self)
    else { return }
    if count > 0 { r.payload[0] = w0 }
    if count > 1 { r.payload[1] = w1 }
    if count > 2 { r.payload[2] = w2 }
    if count > 3 { r.payload[3] = w3 }
    if count > 4 { r.payload[4] = w4 }
    log.pointee.commit(r)
}

@inlinable @inline(__always)
public func trace<E: TraceEventKind>(_ event: E) {
    if traceEnabled(E.traceClass) { traceWrite(E.traceClass.rawValue, event.rawValue, 0, 0, 0, 0, 0, 0) }
}

@inlinable @inline(__always)
public func trace<E: TraceEventKind>(_ event: E, _ w0: @autoclosure () -> UInt64) {
    if traceEnabled(E.traceClass) { traceWrite(E.traceClass.rawValue, event.rawValue, 1, w0(), 0, 0, 0, 0) }
}

@inlinable @inline(__always)
public func trace<E: TraceEventKind>(_ event: E, _ w0: @autoclosure () -> UInt64, _ w1: @autoclosure () -> UInt64) {
    if traceEnabled(E.traceClass) {
        traceWrite(E.traceClass.rawValue, event.rawValue, 2, w0(), w1(), 0, 0, 0)
    }
}

@inlinable @inline(__always)
public func trace<E: TraceEventKind>(_ event: E, _ w0: @autoclosure () -> UInt64, _ w1: @autoclosure () -> UInt64,
                                     _ w2: @autoclosure () -> UInt64) {
    if traceEnabled(E.traceClass) {
        traceWrite(E.traceClass.rawValue, event.rawValue, 3, w0(), w1(), w2(), 0, 0)
    }
}

@inlinable @inline(__always)
public func trace<E: TraceEventKind>(_ event: E, _ w0: @autoclosure () -> UInt64, _ w1: @autoclosure () -> UInt64,
                                     _ w2: @autoclosure () -> UInt64, _ w3: @autoclosure () -> UInt64) {
    if traceEnabled(E.traceClass) {
        traceWrite(E.traceClass.rawValue, event.rawValue, 4, w0(), w1(), w2(), w3(), 0)
    }
}

@inlinable @inline(__always)
public func trace<E: TraceEventKind>(_ event: E, _ w0: @autoclosure () -> UInt64, _ w1: @autoclosure () -> UInt64,
                                     _ w2: @autoclosure () -> UInt64, _ w3: @autoclosure () -> UInt64,
                                     _ w4: @autoclosure () -> UInt64) {
    if traceEnabled(E.traceClass) {
        traceWrite(E.traceClass.rawValue, event.rawValue, 5, w0(), w1(), w2(), w3(), w4())
    }
}

/// Logs `prefix` words followed by `text` packed as a NUL-padded string (e.g. process exec with
/// pid and name). Text longer than the event limit is truncated.
@inlinable @inline(__always)
public func trace<E: TraceEventKind>(_ event: E, words prefix: UnsafeBufferPointer<UInt64>,
                                     text: UnsafeRawBufferPointer) {
    if traceEnabled(E.traceClass) { traceWriteText(E.traceClass.rawValue, event.rawValue, prefix, text) }
}

@usableFromInline @inline(never)
func traceWriteText(_ major: UInt8, _ minor: UInt16, _ prefix: UnsafeBufferPointer<UInt64>,
                    _ text: UnsafeRawBufferPointer) {
    guard let log = installedTracer?.currentLog else { return }
    log.logText(major: major, minor: minor, prefix: prefix, text: text, clock: PlatformClock.self)
}
