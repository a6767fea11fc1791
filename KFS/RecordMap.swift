// The RecordMap (K42's "object record store" map): element id -> the block where that element's
// record currently lives and the implementation that serves it. Because records move on every
// commit (copy-on-write), nothing else on disk names a record's block: directories name ids.
// Stored as leaves of 509 eight-byte entries, listed by a pointer block the superblock names.

final class RecordMap {
    /// Entries per leaf: (4096 - 24) / 8.
    static let entriesPerLeaf = (kfsBlockSize - 24) / 8
    /// Most elements a file system can hold: one root block of leaf pointers.
    static let maxLeaves = PointerBlock.capacity

    /// Per element id: record block (0 = not yet written) and implementation (0 = id free).
    private(set) var recordBlocks: [UInt32]
    private(set) var implementations: [UInt8]
    var leafLocations: [UInt32]
    var leafDirty: [Bool]
    var rootLocation: UInt32 = 0
    private(set) var usedCount = 0
    private var searchHint = 2

    var capacity: Int { recordBlocks.count }

    init(leaves: Int) {
        recordBlocks = [UInt32](repeating: 0, count: leaves * RecordMap.entriesPerLeaf)
        implementations = [UInt8](repeating: 0, count: leaves * RecordMap.entriesPerLeaf)
        leafLocations = [UInt32](repeating: 0, count: leaves)
        leafDirty = [Bool](repeating: true, count: leaves)
    }

    func contains(_ id: UInt32) -> Bool {
        Int(id) < capacity && id != 0 && implementations[Int(id)] != 0
    }

    func implementation(of id: UInt32) -> Implementation? {
        guard contains(id) else { return nil }
        return Implementation(rawValue: implementations[Int(id)])
    }

    func recordBlock(of id: UInt32) -> UInt32 { Int(id) < capacity ? recordBlocks[Int(id)] : 0 }

    func set(_ id: UInt32, block: UInt32, implementation: Implementation) {
        let index = Int(id)
        if implementations[index] == 0 { usedCount += 1 }
        recordBlocks[index] = block
        implementations[index] = implementation.rawValue
        leafDirty[index / RecordMap.entriesPerLeaf] = true
    }

    func release(_ id: UInt32) {
        let index = Int(id)
        guard index < capacity, implementations[index] != 0 else { return }
        usedCount -= 1
        recordBlocks[index] = 0
        implementations[index] = 0
        leafDirty[index / RecordMap.entriesPerLeaf] = true
        if index < searchHint { searchHint = index }
    }

    /// Reserves a free id for a new element of `implementation` (the record is written at the
    /// next commit). Grows by a leaf when full; nil when the root block cannot list more leaves.
    func allocate(_ implementation: Implementation) -> UInt32? {
        var index = max(searchHint, 2)
        while index < capacity {
            if implementations[index] == 0 {
                set(UInt32(index), block: 0, implementation: implementation)
                searchHint = index + 1
                return UInt32(index)
            }
            index += 1
        }
        guard leafLocations.count < RecordMap.maxLeaves else { return nil }
        let first = capacity
        recordBlocks.append(contentsOf: [UInt32](repeating: 0, count: RecordMap.entriesPerLeaf))
        implementations.append(contentsOf: [UInt8](repeating: 0, count: RecordMap.entriesPerLeaf))
        leafLocations.append(0)
        leafDirty.append(true)
        set(UInt32(first), block: 0, implementation: implementation)
        searchHint = first + 1
        return UInt32(first)
    }

    // MARK: encoding (docs/kfs-format.md "RecordMap")

    func encodeLeaf(_ leaf: Int, generation: UInt64) -> [UInt8] {
        var block = BlockHeader.newBlock(.recordMapLeaf, generation: generation)
        block.put(UInt32(leaf), at: 16)
        for slot in 0..<RecordMap.entriesPerLeaf {
            let id = leaf * RecordMap.entriesPerLeaf + slot
            block.put(recordBlocks[id], at: 24 + 8 * slot)
            block.put(implementations[id], at: 24 + 8 * slot + 4)
        }
        BlockHeader.seal(&block)
        return block
    }

    /// Loads the RecordMap of a committed snapshot and validates every entry.
    static func load<D: BlockDevice>(_ device: D, root: UInt32, blockCount: UInt64) throws(KFSError) -> RecordMap {
        var buffer = [UInt8](repeating: 0, count: kfsBlockSize)
        try device.readBlock(UInt64(root), into: &buffer)
        let leaves = try PointerBlock.decode(buffer, blockCount: blockCount, expected: nil)
        let map = RecordMap(leaves: leaves.count)
        map.leafLocations = leaves
        map.rootLocation = root
        for (leaf, location) in leaves.enumerated() {
            try device.readBlock(UInt64(location), into: &buffer)
            try BlockHeader.verify(buffer, .recordMapLeaf)
            guard buffer.u32(at: 16) == UInt32(leaf) else { throw .corrupted }
            for slot in 0..<entriesPerLeaf {
                let id = leaf * entriesPerLeaf + slot
                let block = buffer.u32(at: 24 + 8 * slot)
                let raw = buffer[24 + 8 * slot + 4]
                if raw == 0 {
                    guard block == 0 else { throw .corrupted }
                    continue
                }
                guard id >= 1, Implementation(rawValue: raw) != nil,
                      block >= 2, UInt64(block) < blockCount else { throw .corrupted }
                map.recordBlocks[id] = block
                map.implementations[id] = raw
                map.usedCount += 1
            }
            map.leafDirty[leaf] = false
        }
        guard map.implementation(of: kfsRootID)?.kind == .directory else { throw .corrupted }
        return map
    }
}
