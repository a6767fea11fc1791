// The superblock: two copies, in blocks 0 and 1, alternately overwritten by each commit. The valid
// copy with the highest sequence number names the current snapshot: the roots of the RecordMap
// and the allocation map. A torn superblock write fails its checksum, so the other copy (the
// previous snapshot) is used. FileSystem+Commit.swift writes it; mount reads it.

struct Superblock: Equatable {
    static let magic: UInt64 = 0x3130_5346_4B32_344B  // "K42KFS01" little-endian
    static let slots: [UInt64] = [0, 1]

    var blockCount: UInt64
    var sequence: UInt64
    var recordMapRoot: UInt32
    var allocationRoot: UInt32
    var usedBlocks: UInt64
    var usedElements: UInt64
    var createdNs: Int64
    var committedNs: Int64
    var uuid: [UInt8]  // 16 bytes
    var label: [UInt8] // up to 32 bytes

    // Field offsets (after the 16-byte block header); docs/kfs-format.md "Superblock".
    private enum Offset {
        static let magic = 16, blockSize = 24, rootElement = 28, blockCount = 32, sequence = 40
        static let recordMapRoot = 48, allocationRoot = 52, usedBlocks = 56, usedElements = 64
        static let createdNs = 72, committedNs = 80, uuid = 88, labelLength = 104, label = 108
    }

    func encode() -> [UInt8] {
        var block = BlockHeader.newBlock(.superblock, generation: sequence)
        block.put(Superblock.magic, at: Offset.magic)
        block.put(UInt32(kfsBlockSize), at: Offset.blockSize)
        block.put(kfsRootID, at: Offset.rootElement)
        block.put(blockCount, at: Offset.blockCount)
        block.put(sequence, at: Offset.sequence)
        block.put(recordMapRoot, at: Offset.recordMapRoot)
        block.put(allocationRoot, at: Offset.allocationRoot)
        block.put(usedBlocks, at: Offset.usedBlocks)
        block.put(usedElements, at: Offset.usedElements)
        block.put(UInt64(bitPattern: createdNs), at: Offset.createdNs)
        block.put(UInt64(bitPattern: committedNs), at: Offset.committedNs)
        for index in 0..<16 { block[Offset.uuid + index] = index < uuid.count ? uuid[index] : 0 }
        let labelCount = min(label.count, 32)
        block.put(UInt32(labelCount), at: Offset.labelLength)
        for index in 0..<labelCount { block[Offset.label + index] = label[index] }
        BlockHeader.seal(&block)
        return block
    }

    /// Decodes and validates one slot against the device size. EINVAL: not a KFS image or an
    /// unsupported version; EUCLEAN: damaged.
    static func decode(_ block: [UInt8], deviceBlocks: UInt64) throws(KFSError) -> Superblock {
        guard block.count == kfsBlockSize else { throw .corrupted }
        if block.u64(at: Offset.magic) != magic { throw .invalid }
        try BlockHeader.verify(block, .superblock)
        guard block.u32(at: Offset.blockSize) == UInt32(kfsBlockSize),
              block.u32(at: Offset.rootElement) == kfsRootID else { throw .invalid }
        let blockCount = block.u64(at: Offset.blockCount)
        let sequence = block.u64(at: Offset.sequence)
        guard blockCount >= UInt64(minimumBlocks), blockCount <= deviceBlocks,
              blockCount <= UInt64(UInt32.max),
              BlockHeader.generation(of: block) == sequence else { throw .corrupted }
        let recordMapRoot = block.u32(at: Offset.recordMapRoot)
        let allocationRoot = block.u32(at: Offset.allocationRoot)
        guard recordMapRoot >= 2, UInt64(recordMapRoot) < blockCount,
              allocationRoot >= 2, UInt64(allocationRoot) < blockCount else { throw .corrupted }
        let labelCount = Int(block.u32(at: Offset.labelLength))
        guard labelCount <= 32 else { throw .corrupted }
        return Superblock(
            blockCount: blockCount, sequence: sequence,
            recordMapRoot: recordMapRoot, allocationRoot: allocationRoot,
            usedBlocks: block.u64(at: Offset.usedBlocks),
            usedElements: block.u64(at: Offset.usedElements),
            createdNs: Int64(bitPattern: block.u64(at: Offset.createdNs)),
            committedNs: Int64(bitPattern: block.u64(at: Offset.committedNs)),
            uuid: Array(block[Offset.uuid..<(Offset.uuid + 16)]),
            label: Array(block[Offset.label..<(Offset.label + labelCount)]))
    }

    /// Smallest image mkfs accepts: 2 superblocks, 2 roots, 1 leaf, 1 bitmap, root record, slack.
    static let minimumBlocks = 16

    /// Reads both slots and returns the newest valid one with its slot index. The error thrown
    /// when neither is valid is EINVAL if neither even carries the magic, else EUCLEAN.
    static func readNewest<D: BlockDevice>(_ device: D) throws(KFSError) -> (Superblock, Int) {
        var best: (Superblock, Int)? = nil
        var sawMagic = false
        var buffer = [UInt8](repeating: 0, count: kfsBlockSize)
        for slot in 0..<2 {
            guard UInt64(slot) < device.blockCount else { break }
            try device.readBlock(UInt64(slot), into: &buffer)
            if buffer.count == kfsBlockSize, buffer.u64(at: Offset.magic) == magic { sawMagic = true }
            guard let candidate = try? decode(buffer, deviceBlocks: device.blockCount) else { continue }
            if best == nil || candidate.sequence > best!.0.sequence { best = (candidate, slot) }
        }
        guard let found = best else { throw sawMagic ? .corrupted : .invalid }
        return found
    }
}
