// Strings in events: bytes packed little-endian into payload words, NUL-terminated and padded
// to a whole word (K42's traceDefaultStr). Used by TraceLog.logText (writers) and by decoders,
// which read a `name:s` field as the bytes up to the first NUL in the remaining words.

public enum TracePacking {
    /// Payload words needed for `byteCount` bytes plus the terminating NUL.
    @inlinable @inline(__always)
    public static func wordsForText(byteCount: Int) -> Int { (byteCount + 8) / 8 }

    /// Writes `text` into `words` (which must hold wordsForText(text.count) words).
    public static func pack(_ text: UnsafeRawBufferPointer, into words: UnsafeMutablePointer<UInt64>) {
        let count = wordsForText(byteCount: text.count)
        for w in 0..<count {
            var value: UInt64 = 0
            for b in 0..<8 {
                let i = w * 8 + b
                if i < text.count { value |= UInt64(text[i]) &<< UInt64(b * 8) }
            }
            words[w] = value
        }
    }

    /// Calls `body` with each byte of the NUL-terminated string in `words`.
    public static func unpack(_ words: UnsafeBufferPointer<UInt64>, _ body: (UInt8) -> Void) {
        for word in words {
            for b in 0..<8 {
                let byte = UInt8(truncatingIfNeeded: word &>> UInt64(b * 8))
                if byte == 0 { return }
                body(byte)
            }
        }
    }
}

extension TraceLog {
    /// Logs `prefix` payload words then `text` as a packed string, truncated to fit one event.
    public func logText<C: TraceClock>(major: UInt8, minor: UInt16, layer: TraceLayer = .kernel,
                                       prefix: UnsafeBufferPointer<UInt64>, text: UnsafeRawBufferPointer,
                                       clock: C.Type) {
        let room = TraceLimits.maxPayloadWords - prefix.count
        guard room > 0 else { return }
        let maxBytes = room * 8 - 1
        let bytes = text.count > maxBytes ? UnsafeRawBufferPointer(rebasing: text[0..<maxBytes]) : text
        let textWords = TracePacking.wordsForText(byteCount: bytes.count)
        guard let r = reserve(major: major, minor: minor, payloadWords: prefix.count + textWords,
                              layer: layer, clock: clock) else { return }
        for i in 0..<prefix.count { r.payload[i] = prefix[i] }
        TracePacking.pack(bytes, into: r.payload + prefix.count)
        commit(r)
    }
}
