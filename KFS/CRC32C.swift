// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum on every KFS metadata block
// (docs/kfs-format.md "Block header"). Table-driven, one byte per step; written from the
// polynomial's definition. iSCSI (RFC 3720 appendix B.4) gives the check value 0xE3069283 for
// "123456789", which the unit tests verify.

enum CRC32C {
    /// 256-entry lookup table, built once on first use.
    static let table: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        for index in 0..<256 {
            var value = UInt32(index)
            for _ in 0..<8 {
                value = (value & 1) != 0 ? (value >> 1) ^ 0x82F6_3B78 : value >> 1
            }
            table[index] = value
        }
        return table
    }()

    /// Checksum of `bytes[range]`, treating the 4 bytes at `skip` (if any) as zero so a block can
    /// carry its own checksum.
    static func checksum(_ bytes: [UInt8], skipping skip: Int = -1) -> UInt32 {
        let table = CRC32C.table
        var crc: UInt32 = 0xFFFF_FFFF
        var index = 0
        let count = bytes.count
        while index < count {
            let byte: UInt8 = (skip >= 0 && index >= skip && index < skip + 4) ? 0 : bytes[index]
            crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
            index += 1
        }
        return crc ^ 0xFFFF_FFFF
    }
}
