// The trace container: how complete buffers leave the machine, as a file or as a byte stream on
// a serial port (the same bytes either way). A header (magic, version, CPU count, clock
// frequency, buffer geometry), then records: per-CPU buffers exactly as logged, lost-event
// counts, and an end marker. All words little-endian. Layout table: docs/tracing.md.

/// Where a TraceFileWriter sends words: a file (tools), a serial port or memory (kernel).
public protocol TraceSink {
    mutating func write(_ words: UnsafeBufferPointer<UInt64>)
}

public struct TraceFileHeader: Equatable {
    public static let magic: UInt64 = 0x4543_4152_5432_344B  // "K42TRACE" in little-endian bytes
    public static let version: UInt64 = 1
    public static let words = 8

    public var cpuCount: UInt64
    public var timestampFrequency: UInt64
    public var wordsPerBuffer: UInt64
    public var buffersPerCPU: UInt64
    public var mode: UInt64

    public init(cpuCount: UInt64, timestampFrequency: UInt64, wordsPerBuffer: UInt64, buffersPerCPU: UInt64,
                mode: UInt64) {
        self.cpuCount = cpuCount
        self.timestampFrequency = timestampFrequency
        self.wordsPerBuffer = wordsPerBuffer
        self.buffersPerCPU = buffersPerCPU
        self.mode = mode
    }
}

/// Record types. Every record starts with 4 words: type | cpu << 32, a, b, payload word count.
public enum TraceRecordType: UInt64 {
    /// a = buffer sequence, payload = the buffer's words.
    case buffer = 1
    /// a = events dropped and not reported in any buffer, b = buffers overwritten unread.
    case lost = 2
    /// End of trace.
    case end = 3
}

public struct TraceFileWriter<Sink: TraceSink> {
    public var sink: Sink

    public init(sink: Sink) { self.sink = sink }

    public mutating func writeHeader(_ header: TraceFileHeader) {
        let words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
            (TraceFileHeader.magic, TraceFileHeader.version | UInt64(TraceFileHeader.words) &<< 32,
             header.cpuCount, header.timestampFrequency, header.wordsPerBuffer, header.buffersPerCPU, header.mode, 0)
        emit(words)
    }

    public mutating func writeBuffer(_ view: TraceBufferView) {
        emit((TraceRecordType.buffer.rawValue | UInt64(view.cpu) &<< 32, view.sequence, 0, UInt64(view.words.count)))
        sink.write(view.words)
    }

    public mutating func writeLost(cpu: UInt32, events: UInt64, buffers: UInt64) {
        emit((TraceRecordType.lost.rawValue | UInt64(cpu) &<< 32, events, buffers, 0))
    }

    public mutating func writeEnd() {
        emit((TraceRecordType.end.rawValue, 0, 0, 0))
    }

    private mutating func emit<T>(_ tuple: T) {
        var value = tuple
        withUnsafeBytes(of: &value) { raw in
            sink.write(raw.bindMemory(to: UInt64.self))
        }
    }

    /// Drains every complete buffer of every CPU of `tracer` into the sink; returns how many.
    @discardableResult
    public mutating func drainAll(_ tracer: Tracer) -> Int {
        var count = 0
        for cpu in 0..<tracer.cpuCount {
            let log = tracer.log(cpu: cpu)
            while let view = log.nextCompleteBuffer() {
                writeBuffer(view)
                log.release(view)
                count += 1
            }
        }
        return count
    }

    /// Stops a trace cleanly: seals each CPU's current buffer, drains everything, writes each
    /// CPU's unreported losses and the end record. Call with the mask off (or writers quiet).
    public mutating func finish(_ tracer: Tracer) {
        for cpu in 0..<tracer.cpuCount { tracer.log(cpu: cpu).sealCurrentBuffer() }
        drainAll(tracer)
        for cpu in 0..<tracer.cpuCount {
            let log = tracer.log(cpu: cpu)
            let events = log.takePendingLostEvents()
            let buffers = log.statistics.lostBuffers
            if events != 0 || buffers != 0 { writeLost(cpu: UInt32(cpu), events: events, buffers: buffers) }
        }
        writeEnd()
    }
}

/// One parsed record.
public enum TraceFileRecord {
    case buffer(cpu: UInt32, sequence: UInt64, words: UnsafeBufferPointer<UInt64>)
    case lost(cpu: UInt32, events: UInt64, buffers: UInt64)
    case end
}

public enum TraceFileError: Error, Equatable {
    case badMagic
    case unsupportedVersion(UInt64)
    case truncated(atWord: Int)
    case unknownRecord(type: UInt64, atWord: Int)
}

/// Reads a container held in memory. Records are returned in file order (a stream interleaves
/// CPUs); a truncated tail (a stream cut off mid-record) is reported as an error.
public struct TraceFileReader {
    public let words: UnsafeBufferPointer<UInt64>
    public let header: TraceFileHeader
    private var position: Int

    public init(words: UnsafeBufferPointer<UInt64>) throws(TraceFileError) {
        guard words.count >= TraceFileHeader.words, words[0] == TraceFileHeader.magic else { throw .badMagic }
        guard words[1] & 0xFFFF_FFFF == TraceFileHeader.version else { throw .unsupportedVersion(words[1] & 0xFFFF_FFFF) }
        self.words = words
        header = TraceFileHeader(cpuCount: words[2], timestampFrequency: words[3], wordsPerBuffer: words[4],
                                 buffersPerCPU: words[5], mode: words[6])
        position = Int(truncatingIfNeeded: words[1] &>> 32)
    }

    /// The next record, nil at the end of the words.
    public mutating func next() throws(TraceFileError) -> TraceFileRecord? {
        guard position < words.count else { return nil }
        guard position + 4 <= words.count else { throw .truncated(atWord: position) }
        let kind = words[position] & 0xFFFF_FFFF
        let cpu = UInt32(truncatingIfNeeded: words[position] &>> 32)
        let a = words[position + 1], b = words[position + 2]
        let count = Int(truncatingIfNeeded: words[position + 3])
        guard count >= 0, position + 4 + count <= words.count else { throw .truncated(atWord: position) }
        let start = position + 4
        position = start + count
        switch TraceRecordType(rawValue: kind) {
        case .buffer:
            return .buffer(cpu: cpu, sequence: a,
                           words: UnsafeBufferPointer(rebasing: words[start..<start + count]))
        case .lost: return .lost(cpu: cpu, events: a, buffers: b)
        case .end: return .end
        case nil: throw .unknownRecord(type: kind, atWord: start - 4)
        }
    }
}
