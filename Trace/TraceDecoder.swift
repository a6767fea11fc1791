// Decoding one buffer: walks the events of a complete buffer (which always begins with a
// buffer-start event carrying the full clock), rebuilds each event's 64-bit timestamp from its
// 32-bit field, and stops at the filler. Because every buffer is self-contained, decoding can
// start at any buffer. Used by k42-trace (through TraceFileReader) and by tests.

/// One decoded event: its 64-bit time, header, and where its payload lies in the buffer.
public struct TraceDecodedEvent {
    public var timestamp: UInt64
    public var header: TraceHeader
    /// Index of the first payload word within the buffer.
    public var payloadOffset: Int
    public var payloadCount: Int
}

/// Why a buffer could not be decoded to its end.
public enum TraceDecodeError: Error, Equatable {
    /// The first event is not a buffer-start event.
    case missingBufferStart
    /// An event's length is 0 (and it is not a filler) or runs past the buffer end, at word `at`.
    case malformedEvent(at: Int)
}

/// Iterates the events of one buffer. Control events (buffer start, timestamp, filler) are
/// consumed internally; the mask-change event is returned like any other.
public struct TraceBufferDecoder: IteratorProtocol {
    public let words: UnsafeBufferPointer<UInt64>
    /// From the buffer-start event.
    public private(set) var startTimestamp: UInt64 = 0
    public private(set) var sequence: UInt64 = 0
    public private(set) var lostEventsBefore: UInt64 = 0
    public private(set) var cpu: UInt32 = 0
    /// Set when decoding stopped early.
    public private(set) var error: TraceDecodeError? = nil
    /// Index just past the last event (filler excluded): the buffer's content length in words.
    public private(set) var contentWords = 0
    private var position = 0
    private var previousTimestamp: UInt64 = 0
    /// Include the buffer-start and timestamp control events in the iteration.
    public var includeControl = false

    public init(words: UnsafeBufferPointer<UInt64>) {
        self.words = words
        let start = TraceHeader(word: words.count > 0 ? words[0] : 0)
        guard words.count >= TraceControlMinor.bufferStartWords, start.major == TraceClass.control.rawValue,
              start.minor == TraceControlMinor.bufferStart, start.length == TraceControlMinor.bufferStartWords
        else { error = .missingBufferStart; position = words.count; return }
        startTimestamp = words[1]
        sequence = words[2]
        lostEventsBefore = words[3]
        cpu = UInt32(truncatingIfNeeded: words[4])
        previousTimestamp = startTimestamp
    }

    public mutating func next() -> TraceDecodedEvent? {
        while position < words.count {
            let header = TraceHeader(word: words[position])
            let isControl = header.major == TraceClass.control.rawValue
            if isControl && header.minor == TraceControlMinor.filler { position = words.count; return nil }
            let length = header.length
            guard length > 0, position + length <= words.count else {
                error = .malformedEvent(at: position)
                position = words.count
                return nil
            }
            var timestamp = traceExtendTimestamp(previous: previousTimestamp, low: header.timestampLow)
            if isControl && (header.minor == TraceControlMinor.bufferStart
                             || header.minor == TraceControlMinor.timestamp), length >= 2 {
                timestamp = words[position + 1]
            }
            previousTimestamp = timestamp
            let event = TraceDecodedEvent(timestamp: timestamp, header: header,
                                          payloadOffset: position + 1, payloadCount: length - 1)
            position += length
            contentWords = position
            if isControl && !includeControl
                && (header.minor == TraceControlMinor.bufferStart || header.minor == TraceControlMinor.timestamp) {
                continue
            }
            return event
        }
        return nil
    }
}
