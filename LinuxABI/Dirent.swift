// struct linux_dirent64, the record getdents64(2) writes (include/linux/dirent.h):
// d_ino u64 @0, d_off s64 @8, d_reclen u16 @16, d_type u8 @18, d_name NUL-terminated @19,
// the record padded to a multiple of 8 bytes (fs/readdir.c filldir64: ALIGN(..., sizeof(u64))).

public enum LinuxDirent64 {
    /// offsetof(struct linux_dirent64, d_name).
    public static let nameOffset = 19

    /// The record length for a name of `nameLength` bytes (header + name + NUL, aligned to 8).
    public static func recordLength(nameLength: Int) -> Int {
        (nameOffset + nameLength + 1 + 7) & ~7
    }

    /// Writes one record at `buffer[offset...]`; returns its length, or nil if it does not fit.
    public static func encode(into buffer: UnsafeMutableRawBufferPointer, at offset: Int,
                              inode: UInt64, nextOffset: Int64, type: FileType, name: [UInt8]) -> Int? {
        let length = recordLength(nameLength: name.count)
        guard offset >= 0, offset + length <= buffer.count else { return nil }
        func put<T: FixedWidthInteger>(_ v: T, _ at: Int) {
            var le = v.littleEndian
            withUnsafeBytes(of: &le) { raw in
                for i in 0..<raw.count { buffer[offset + at + i] = raw[i] }
            }
        }
        put(inode, 0)
        put(nextOffset, 8)
        put(UInt16(length), 16)
        buffer[offset + 18] = type.rawValue
        for i in 0..<name.count { buffer[offset + nameOffset + i] = name[i] }
        for i in (nameOffset + name.count)..<length { buffer[offset + i] = 0 }
        return length
    }
}
