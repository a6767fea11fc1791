// A pointer block: a checksummed list of block numbers. The RecordMap root lists the RecordMap
// leaves; the allocation-map root lists the bitmap blocks. Both roots are named by the
// superblock and rewritten (copy-on-write) by every commit that changes a block they list.

enum PointerBlock {
    /// Pointers one block can hold: (4096 - 16 header - 4 count) / 4.
    static let capacity = (kfsBlockSize - BlockHeader.size - 4) / 4

    static func encode(_ pointers: [UInt32], generation: UInt64) -> [UInt8] {
        var block = BlockHeader.newBlock(.pointers, generation: generation)
        block.put(UInt32(pointers.count), at: 16)
        for (index, pointer) in pointers.enumerated() { block.put(pointer, at: 20 + 4 * index) }
        BlockHeader.seal(&block)
        return block
    }

    /// Decodes and checks that there are exactly `expected` pointers (if given), each naming a
    /// block in 2 ..< blockCount.
    static func decode(_ block: [UInt8], blockCount: UInt64, expected: Int?) throws(KFSError) -> [UInt32] {
        try BlockHeader.verify(block, .pointers)
        let count = Int(block.u32(at: 16))
        guard count <= capacity, count >= 1 else { throw .corrupted }
        if let expected, expected != count { throw .corrupted }
        var pointers: [UInt32] = []
        pointers.reserveCapacity(count)
        for index in 0..<count {
            let pointer = block.u32(at: 20 + 4 * index)
            guard pointer >= 2, UInt64(pointer) < blockCount else { throw .corrupted }
            pointers.append(pointer)
        }
        return pointers
    }
}
