// The block allocation map: one bit per device block, in bitmap blocks listed by a pointer
// block. Two in-memory copies make copy-on-write safe: `committed` is the map of the last
// committed snapshot, `current` the map of the live state. A block may be handed out only if it
// is free in both, so nothing the on-disk snapshot uses is overwritten before the next commit.

final class AllocationMap {
    /// Bits per bitmap block: (4096 - 24) bytes of bits = 509 64-bit words.
    static let wordsPerBlock = (kfsBlockSize - 24) / 8
    static let bitsPerBlock = wordsPerBlock * 64

    let blockCount: Int
    private(set) var current: [UInt64]
    private(set) var committed: [UInt64]
    /// Where each bitmap block lives now, and whether it changed since the last commit.
    var locations: [UInt32]
    var dirty: [Bool]
    var rootLocation: UInt32
    /// Blocks free in both maps (allocatable now).
    private(set) var freeCount: Int
    /// Blocks used in the live state.
    private(set) var usedCount: Int
    private var cursor = 0

    static func bitmapBlocks(for blockCount: Int) -> Int {
        (blockCount + bitsPerBlock - 1) / bitsPerBlock
    }

    /// A map with only `reserved` blocks marked used (for mkfs).
    init(blockCount: Int) {
        self.blockCount = blockCount
        let blocks = AllocationMap.bitmapBlocks(for: blockCount)
        current = [UInt64](repeating: 0, count: blocks * AllocationMap.wordsPerBlock)
        committed = current
        locations = [UInt32](repeating: 0, count: blocks)
        dirty = [Bool](repeating: true, count: blocks)
        rootLocation = 0
        freeCount = blockCount
        usedCount = 0
        padTail()
    }

    /// Marks the bits past the end of the device used in both maps, so they are never allocated.
    private func padTail() {
        var word = blockCount >> 6
        if blockCount & 63 != 0 {
            let tail = UInt64.max << UInt64(blockCount & 63)
            current[word] |= tail
            committed[word] |= tail
            word += 1
        }
        while word < current.count {
            current[word] = UInt64.max
            committed[word] = UInt64.max
            word += 1
        }
    }

    func isUsed(_ block: UInt32) -> Bool {
        Int(block) < blockCount && current[Int(block) >> 6] & (1 << UInt64(block & 63)) != 0
    }

    func isCommitted(_ block: UInt32) -> Bool {
        Int(block) < blockCount && committed[Int(block) >> 6] & (1 << UInt64(block & 63)) != 0
    }

    private func markDirty(_ block: Int) { dirty[block / AllocationMap.bitsPerBlock] = true }

    /// Marks `block` used without searching (mkfs and fsck's rebuild).
    func markUsed(_ block: UInt32) {
        let index = Int(block)
        guard index < blockCount, !isUsed(block) else { return }
        current[index >> 6] |= 1 << UInt64(index & 63)
        usedCount += 1
        if !isCommitted(block) { freeCount -= 1 }
        markDirty(index)
    }

    /// Finds a block free in both maps, preferring `hint` and the blocks after it (so a growing
    /// file gets contiguous blocks, which its extent list then merges).
    func allocate(near hint: UInt32 = 0) -> UInt32? {
        guard freeCount > 0 else { return nil }
        let start = (hint != 0 && Int(hint) < blockCount) ? Int(hint) : cursor
        let words = current.count
        var wordIndex = start >> 6
        var scanned = 0
        while scanned <= words {
            let busy = current[wordIndex] | committed[wordIndex]
            if busy != UInt64.max {
                // In the first word, skip bits below the start position.
                var candidates = ~busy
                if scanned == 0 { candidates &= UInt64.max << UInt64(start & 63) }
                if candidates != 0 {
                    let block = wordIndex * 64 + candidates.trailingZeroBitCount
                    if block < blockCount {
                        markUsed(UInt32(block))
                        cursor = block + 1 < blockCount ? block + 1 : 0
                        return UInt32(block)
                    }
                }
            }
            wordIndex = wordIndex + 1 == words ? 0 : wordIndex + 1
            scanned += 1
        }
        return nil
    }

    /// Releases `block` from the live state. It becomes allocatable at once if the committed
    /// snapshot does not use it, otherwise after the next commit.
    func free(_ block: UInt32) {
        let index = Int(block)
        guard index < blockCount, isUsed(block) else { return }
        current[index >> 6] &= ~(1 << UInt64(index & 63))
        usedCount -= 1
        if !isCommitted(block) { freeCount += 1 }
        markDirty(index)
    }

    /// Called once a commit is durable: the live map becomes the committed one.
    func commitDone() {
        committed = current
        freeCount = blockCount - usedCount
        for index in 0..<dirty.count { dirty[index] = false }
    }

    // MARK: encoding (docs/kfs-format.md "Allocation map")

    func encodeBlock(_ index: Int, generation: UInt64) -> [UInt8] {
        var block = BlockHeader.newBlock(.bitmap, generation: generation)
        block.put(UInt32(index), at: 16)
        for word in 0..<AllocationMap.wordsPerBlock {
            block.put(current[index * AllocationMap.wordsPerBlock + word], at: 24 + 8 * word)
        }
        BlockHeader.seal(&block)
        return block
    }

    /// Loads the map of a committed snapshot: `root` lists the bitmap blocks.
    static func load<D: BlockDevice>(_ device: D, root: UInt32, blockCount: Int) throws(KFSError) -> AllocationMap {
        let map = AllocationMap(blockCount: blockCount)
        var buffer = [UInt8](repeating: 0, count: kfsBlockSize)
        try device.readBlock(UInt64(root), into: &buffer)
        let pointers = try PointerBlock.decode(buffer, blockCount: UInt64(blockCount),
                                               expected: map.locations.count)
        var used = 0
        for (index, location) in pointers.enumerated() {
            try device.readBlock(UInt64(location), into: &buffer)
            try BlockHeader.verify(buffer, .bitmap)
            guard buffer.u32(at: 16) == UInt32(index) else { throw .corrupted }
            for word in 0..<wordsPerBlock {
                let value = buffer.u64(at: 24 + 8 * word)
                map.current[index * wordsPerBlock + word] = value
            }
        }
        map.locations = pointers
        map.rootLocation = root
        map.padTail()
        map.committed = map.current
        for word in map.current { used += word.nonzeroBitCount }
        used -= map.current.count * 64 - blockCount  // the padding bits
        map.usedCount = used
        map.freeCount = blockCount - used
        for index in 0..<map.dirty.count { map.dirty[index] = false }
        // The superblocks and the structures naming this snapshot must be marked used.
        guard map.isUsed(0), map.isUsed(1), map.isUsed(root) else { throw .corrupted }
        for location in pointers { guard map.isUsed(location) else { throw .corrupted } }
        return map
    }

    /// Makes `used` both the live and the committed map (fsck's repair rebuilds the map from
    /// the blocks it found reachable; those are exactly what the snapshot on disk uses).
    func reset(used: [Bool]) {
        for word in 0..<current.count { current[word] = 0 }
        usedCount = 0
        for block in 0..<min(used.count, blockCount) where used[block] {
            current[block >> 6] |= 1 << UInt64(block & 63)
            usedCount += 1
        }
        committed = current
        padTail()
        freeCount = blockCount - usedCount
        for index in 0..<dirty.count { dirty[index] = true }
    }
}
