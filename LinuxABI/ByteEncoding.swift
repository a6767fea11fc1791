// Little-endian encoding of Linux ABI structures into byte arrays (x86_64 is little-endian;
// the encoders below write each field at its offset from the uapi header, so the result is the
// exact bytes the syscall layer copies out to user memory).

/// Writes integers little-endian into a fixed-size, zero-filled byte array.
public struct ABIStructWriter {
    public private(set) var bytes: [UInt8]
    public init(count: Int) { bytes = [UInt8](repeating: 0, count: count) }

    /// One store per field (these run on every stat, termios and statfs call), bounds checked once.
    public mutating func put<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        precondition(offset >= 0 && offset + MemoryLayout<T>.size <= bytes.count)
        bytes.withUnsafeMutableBytes { $0.storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self) }
    }
    public mutating func put(_ data: [UInt8], at offset: Int) {
        precondition(offset >= 0 && offset + data.count <= bytes.count)
        if data.isEmpty { return }
        bytes.withUnsafeMutableBytes { raw in
            data.withUnsafeBytes { raw.baseAddress!.advanced(by: offset).copyMemory(from: $0.baseAddress!, byteCount: data.count) }
        }
    }
}

/// Reads little-endian integers from bytes (for structures the syscall layer copied in).
public func readLittleEndian<T: FixedWidthInteger>(_ type: T.Type, _ bytes: [UInt8], at offset: Int) -> T {
    var v: T = 0
    for i in 0..<MemoryLayout<T>.size { v |= T(truncatingIfNeeded: bytes[offset + i]) << (8 * i) }
    return v
}
