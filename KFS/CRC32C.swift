// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum on every KFS metadata block
// (docs/kfs-format.md "Block header"). Slicing-by-8 tables, built once from the polynomial's
// definition; the loop reads through an unsafe buffer because checksums dominate mount and fsck
// time. iSCSI (RFC 3720 appendix B.4) gives the check value 0xE3069283 for "123456789", which
// the unit tests verify.

enum CRC32C {
    /// Eight 256-entry tables: table[k*256 + b] is the CRC of byte b followed by k zero bytes.
    static let table: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 8 * 256)
        for index in 0..<256 {
            var value = UInt32(index)
            for _ in 0..<8 {
                value = (value & 1) != 0 ? (value >> 1) ^ 0x82F6_3B78 : value >> 1
            }
            table[index] = value
        }
        for index in 0..<256 {
            for slice in 1..<8 {
                let previous = table[(slice - 1) * 256 + index]
                table[slice * 256 + index] = (previous >> 8) ^ table[Int(previous & 0xFF)]
            }
        }
        return table
    }()

    /// Checksum of `bytes`, treating the 4 bytes at `skip` (if any) as zero so a block can
    /// carry its own checksum.
    static func checksum(_ bytes: [UInt8], skipping skip: Int = -1) -> UInt32 {
        let table = CRC32C.table
        return table.withUnsafeBufferPointer { table in
            bytes.withUnsafeBufferPointer { buffer in
                var crc: UInt32 = 0xFFFF_FFFF
                if skip >= 0 && skip + 4 <= buffer.count {
                    crc = update(crc, UnsafeBufferPointer(rebasing: buffer[0..<skip]), table)
                    let zeros: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
                    withUnsafeBytes(of: zeros) { raw in
                        crc = update(crc, raw.bindMemory(to: UInt8.self), table)
                    }
                    crc = update(crc, UnsafeBufferPointer(rebasing: buffer[(skip + 4)...]), table)
                } else {
                    crc = update(crc, buffer, table)
                }
                return crc ^ 0xFFFF_FFFF
            }
        }
    }

    private static func update(_ start: UInt32, _ bytes: UnsafeBufferPointer<UInt8>,
                               _ table: UnsafeBufferPointer<UInt32>) -> UInt32 {
        var crc = start
        var index = 0
        let count = bytes.count
        // Eight bytes per step: fold the CRC into the first four, look all eight up at once.
        while index + 8 <= count {
            let low = crc ^ (UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8
                | UInt32(bytes[index + 2]) << 16 | UInt32(bytes[index + 3]) << 24)
            crc = table[7 * 256 + Int(low & 0xFF)] ^ table[6 * 256 + Int((low >> 8) & 0xFF)]
                ^ table[5 * 256 + Int((low >> 16) & 0xFF)] ^ table[4 * 256 + Int(low >> 24)]
                ^ table[3 * 256 + Int(bytes[index + 4])] ^ table[2 * 256 + Int(bytes[index + 5])]
                ^ table[1 * 256 + Int(bytes[index + 6])] ^ table[Int(bytes[index + 7])]
            index += 8
        }
        while index < count {
            crc = table[Int((crc ^ UInt32(bytes[index])) & 0xFF)] ^ (crc >> 8)
            index += 1
        }
        return crc
    }
}
