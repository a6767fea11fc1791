// How the firmware parsers read physical memory: through a reader the caller supplies (the
// kernel's direct map, or a byte array in the hosted tests). Every read is bounds-checked by
// the reader and returns nil when out of range, so a bad pointer in a firmware table becomes
// a parse error, never a fault.

/// A window onto physical memory.
public protocol PhysicalReader {
    /// Copies `count` bytes at physical address `address`; nil if any byte is unreadable.
    func bytes(at address: UInt64, count: Int) -> [UInt8]?
}

extension PhysicalReader {
    public func u8(_ a: UInt64) -> UInt8? { bytes(at: a, count: 1).map { $0[0] } }
    public func u16(_ a: UInt64) -> UInt16? { bytes(at: a, count: 2).map { LittleEndian.u16($0, 0) } }
    public func u32(_ a: UInt64) -> UInt32? { bytes(at: a, count: 4).map { LittleEndian.u32($0, 0) } }
    public func u64(_ a: UInt64) -> UInt64? { bytes(at: a, count: 8).map { LittleEndian.u64($0, 0) } }

    /// A NUL-terminated string of at most `limit` bytes (boot command lines, module names).
    public func cString(at a: UInt64, limit: Int = 4096) -> String? {
        var out: [UInt8] = []
        var p = a
        while out.count < limit {
            guard let b = u8(p) else { return nil }
            if b == 0 { break }
            out.append(b)
            p &+= 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Little-endian field access into byte arrays (all x86 firmware structures are little endian).
public enum LittleEndian {
    @inline(__always) public static func u16(_ b: [UInt8], _ o: Int) -> UInt16 {
        UInt16(b[o]) | UInt16(b[o + 1]) << 8
    }
    @inline(__always) public static func u32(_ b: [UInt8], _ o: Int) -> UInt32 {
        UInt32(u16(b, o)) | UInt32(u16(b, o + 2)) << 16
    }
    @inline(__always) public static func u64(_ b: [UInt8], _ o: Int) -> UInt64 {
        UInt64(u32(b, o)) | UInt64(u32(b, o + 4)) << 32
    }
}

/// A reader over a byte array that stands for physical memory starting at `base`.
public struct ArrayPhysicalReader: PhysicalReader {
    public var memory: [UInt8]
    public var base: UInt64
    public init(memory: [UInt8], base: UInt64 = 0) { self.memory = memory; self.base = base }
    public func bytes(at address: UInt64, count: Int) -> [UInt8]? {
        guard address >= base, count >= 0 else { return nil }
        let offset = address - base
        guard offset <= UInt64(memory.count), UInt64(count) <= UInt64(memory.count) - offset else { return nil }
        return Array(memory[Int(offset)..<Int(offset) + count])
    }
}
