// The on-the-wire layout of one trace event: a 64-bit header word followed by 64-bit payload
// words (docs/tracing.md, "Event format"). Writers (TraceLog), decoders (TraceDecoder) and the
// host tools all go through TraceHeader, so the bit layout lives only here. The layout is K42's
// (traceCore.H): 32-bit timestamp, 8-bit length, 4-bit layer, 6-bit major class, 14-bit minor id.

/// One event's header word.
///
///     63            32 31     24 23   20 19     14 13          0
///     | timestamp low | length  | layer | major   | minor       |
///
/// - timestamp: the low 32 bits of the CPU's clock; the high bits come from the last full
///   timestamp in the same buffer (buffer-start and timestamp control events).
/// - length: the whole event in 64-bit words, header included (1...255). A filler event has
///   length 0, meaning "the rest of this buffer".
/// - layer: who logged it (`TraceLayer`).
/// - major: the event class (`TraceClass`), one bit of the 64-bit enable mask.
/// - minor: the event within its class.
public struct TraceHeader: Equatable {
    public var word: UInt64

    @inlinable @inline(__always)
    public init(word: UInt64) { self.word = word }

    @inlinable @inline(__always)
    public init(timestamp: UInt64, length: Int, layer: UInt8, major: UInt8, minor: UInt16) {
        word = (timestamp &<< 32)
            | (UInt64(truncatingIfNeeded: length) & 0xFF) &<< 24
            | (UInt64(layer) & 0xF) &<< 20
            | (UInt64(major) & 0x3F) &<< 14
            | (UInt64(minor) & 0x3FFF)
    }

    @inlinable @inline(__always) public var timestampLow: UInt32 { UInt32(truncatingIfNeeded: word &>> 32) }
    @inlinable @inline(__always) public var length: Int { Int(truncatingIfNeeded: (word &>> 24) & 0xFF) }
    @inlinable @inline(__always) public var layer: UInt8 { UInt8(truncatingIfNeeded: (word &>> 20) & 0xF) }
    @inlinable @inline(__always) public var major: UInt8 { UInt8(truncatingIfNeeded: (word &>> 14) & 0x3F) }
    @inlinable @inline(__always) public var minor: UInt16 { UInt16(truncatingIfNeeded: word & 0x3FFF) }
}

/// Format limits, shared by writers and decoders.
public enum TraceLimits {
    /// Longest event, header included (the length field is 8 bits).
    public static let maxEventWords = 255
    /// Most payload words one event can carry.
    public static let maxPayloadWords = maxEventWords - 1
    /// Smallest buffer: a buffer-start event plus a timestamp event plus the longest event must fit.
    public static let minWordsPerBuffer = 512
    /// Largest buffer: offsets and commit counts stay far from overflow.
    public static let maxWordsPerBuffer = 1 << 24
    /// At most 2^16 buffers per CPU.
    public static let maxBuffersPerCPU = 1 << 16
}

/// Who logged an event (header bits 23..20). K42 reserved this field for HW/OS/application layers.
public enum TraceLayer: UInt8 {
    case kernel = 0
    case server = 1
    case user = 2
}

/// Control events (major class 0, `TraceClass.control`): the buffer machinery's own records.
/// Every buffer begins with `bufferStart`; `timestamp` restates the full 64-bit clock whenever
/// its high 32 bits change; `filler` pads the end of a buffer so no event straddles two buffers.
public enum TraceControlMinor {
    /// Pads to the end of the buffer. Length field 0; only the header word is meaningful.
    public static let filler: UInt16 = 0
    /// First event of every buffer. Payload: full timestamp, buffer sequence number on this CPU,
    /// events dropped (drop-newest mode) since the previous buffer started, CPU number.
    public static let bufferStart: UInt16 = 1
    /// Full 64-bit timestamp, written before an event whose clock high half changed.
    public static let timestamp: UInt16 = 2
    /// The enable mask changed. Payload: old mask, new mask.
    public static let maskChanged: UInt16 = 3

    /// Words in a buffer-start event (header + 4 payload words).
    public static let bufferStartWords = 5
    /// Words in a timestamp event (header + 1 payload word).
    public static let timestampWords = 2
}

/// How 64-bit time is rebuilt from the 32-bit field: the smallest value not before `previous`
/// whose low 32 bits equal `low`. Writers guarantee that the high half never changes between two
/// consecutive events without a full timestamp in between, so this is exact (TraceLog+Reserve).
@inlinable @inline(__always)
public func traceExtendTimestamp(previous: UInt64, low: UInt32) -> UInt64 {
    let candidate = (previous & 0xFFFF_FFFF_0000_0000) | UInt64(low)
    return candidate >= previous ? candidate : candidate &+ (1 << 32)
}
