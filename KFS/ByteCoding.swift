// Little-endian integer access on byte arrays, the only way KFS encodes on-disk fields.
// `put`/`u32(at:)` are for fixed offsets inside a full block (always in range by construction);
// `ByteReader` is for variable-length data read from disk: every read is bounds-checked and
// throws EUCLEAN, so a corrupt length can never index past a buffer (docs/kfs-format.md).

extension Array where Element == UInt8 {
    @inline(__always) func u8(at offset: Int) -> UInt8 { self[offset] }

    func u16(at offset: Int) -> UInt16 {
        UInt16(self[offset]) | UInt16(self[offset + 1]) << 8
    }

    func u32(at offset: Int) -> UInt32 {
        UInt32(self[offset]) | UInt32(self[offset + 1]) << 8
            | UInt32(self[offset + 2]) << 16 | UInt32(self[offset + 3]) << 24
    }

    func u64(at offset: Int) -> UInt64 {
        UInt64(u32(at: offset)) | UInt64(u32(at: offset + 4)) << 32
    }

    mutating func put(_ value: UInt8, at offset: Int) { self[offset] = value }

    mutating func put(_ value: UInt16, at offset: Int) {
        self[offset] = UInt8(truncatingIfNeeded: value)
        self[offset + 1] = UInt8(truncatingIfNeeded: value >> 8)
    }

    mutating func put(_ value: UInt32, at offset: Int) {
        for byte in 0..<4 { self[offset + byte] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(byte))) }
    }

    mutating func put(_ value: UInt64, at offset: Int) {
        put(UInt32(truncatingIfNeeded: value), at: offset)
        put(UInt32(truncatingIfNeeded: value >> 32), at: offset + 4)
    }

    /// Appends `value` little-endian (used when building variable-length bodies).
    mutating func append32(_ value: UInt32) {
        for byte in 0..<4 { append(UInt8(truncatingIfNeeded: value >> (8 * UInt32(byte)))) }
    }
}

/// A bounds-checked cursor over bytes that came from disk.
struct ByteReader {
    let bytes: [UInt8]
    private(set) var offset: Int
    let end: Int

    /// Reads `bytes[start ..< start+length]`; throws if that range is not inside `bytes`.
    init(_ bytes: [UInt8], start: Int, length: Int) throws(KFSError) {
        guard start >= 0, length >= 0, start <= bytes.count, length <= bytes.count - start else {
            throw .corrupted
        }
        self.bytes = bytes
        self.offset = start
        self.end = start + length
    }

    var remaining: Int { end - offset }
    var atEnd: Bool { offset == end }

    mutating func u8() throws(KFSError) -> UInt8 {
        guard remaining >= 1 else { throw .corrupted }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u32() throws(KFSError) -> UInt32 {
        guard remaining >= 4 else { throw .corrupted }
        defer { offset += 4 }
        return bytes.u32(at: offset)
    }

    mutating func take(_ count: Int) throws(KFSError) -> [UInt8] {
        guard count >= 0, remaining >= count else { throw .corrupted }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }
}
