// The extent-based file implementation ("file.extents"): a sorted list of runs
// (file block, disk block, count). Up to 334 extents live in the record; more spill into
// extent-overflow blocks named by the record. Holes are simply unmapped ranges. Copy-on-write
// remapping of single blocks (FileSystem+Data.swift) splits and re-merges runs here.

struct Extent: Equatable {
    var fileBlock: UInt32
    var diskBlock: UInt32
    var count: UInt32
    var fileEnd: UInt64 { UInt64(fileBlock) + UInt64(count) }
}

final class ExtentFile {
    /// Extents that fit in a record body: (4016 - 8) / 12.
    static let inlineCapacity = (Record.bodyCapacity - 8) / 12
    /// Extents per overflow block: (4096 - 24) / 12.
    static let overflowCapacity = (kfsBlockSize - 24) / 12
    /// Overflow blocks a record can name.
    static let maxOverflowBlocks = (Record.bodyCapacity - 8) / 4

    private(set) var extents: [Extent]
    /// Overflow blocks the last committed record names (freed when the list is rewritten).
    var overflowBlocks: [UInt32]

    init(extents: [Extent] = [], overflowBlocks: [UInt32] = []) {
        self.extents = extents
        self.overflowBlocks = overflowBlocks
    }

    var mappedBlocks: UInt64 { extents.reduce(0) { $0 + UInt64($1.count) } }

    /// Index of the extent containing `fileBlock`, or of the first extent after it.
    private func search(_ fileBlock: UInt32) -> Int {
        var low = 0, high = extents.count
        while low < high {
            let mid = (low + high) / 2
            if extents[mid].fileEnd <= UInt64(fileBlock) { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// The disk block holding `fileBlock`, or nil for a hole.
    func lookup(_ fileBlock: UInt32) -> UInt32? {
        let index = search(fileBlock)
        guard index < extents.count, extents[index].fileBlock <= fileBlock else { return nil }
        return extents[index].diskBlock + (fileBlock - extents[index].fileBlock)
    }

    /// Maps `fileBlock` to `diskBlock`, replacing any earlier mapping (the caller frees that).
    func map(_ fileBlock: UInt32, to diskBlock: UInt32) {
        var index = search(fileBlock)
        if index < extents.count, extents[index].fileBlock <= fileBlock {
            // Split the run that holds fileBlock into before / (removed) / after.
            let old = extents[index]
            let before = fileBlock - old.fileBlock
            let after = old.count - before - 1
            extents.remove(at: index)
            if after > 0 {
                extents.insert(Extent(fileBlock: fileBlock + 1, diskBlock: old.diskBlock + before + 1,
                                      count: after), at: index)
            }
            if before > 0 {
                extents.insert(Extent(fileBlock: old.fileBlock, diskBlock: old.diskBlock, count: before),
                               at: index)
                index += 1
            }
        }
        extents.insert(Extent(fileBlock: fileBlock, diskBlock: diskBlock, count: 1), at: index)
        // Merge with the neighbours when both file and disk blocks continue.
        if index + 1 < extents.count, canMerge(extents[index], extents[index + 1]) {
            extents[index].count += extents[index + 1].count
            extents.remove(at: index + 1)
        }
        if index > 0, canMerge(extents[index - 1], extents[index]) {
            extents[index - 1].count += extents[index].count
            extents.remove(at: index)
        }
    }

    private func canMerge(_ first: Extent, _ second: Extent) -> Bool {
        first.fileEnd == UInt64(second.fileBlock)
            && UInt64(first.diskBlock) + UInt64(first.count) == UInt64(second.diskBlock)
            && UInt64(first.count) + UInt64(second.count) <= UInt64(UInt32.max)
    }

    /// Drops every mapping at or past `keepBlocks`; returns the disk runs to free.
    func truncate(keepBlocks: UInt64) -> [Extent] {
        var freed: [Extent] = []
        while let last = extents.last, last.fileEnd > keepBlocks {
            if UInt64(last.fileBlock) >= keepBlocks {
                freed.append(last)
                extents.removeLast()
            } else {
                let keep = UInt32(keepBlocks - UInt64(last.fileBlock))
                freed.append(Extent(fileBlock: last.fileBlock + keep, diskBlock: last.diskBlock + keep,
                                    count: last.count - keep))
                extents[extents.count - 1].count = keep
            }
        }
        return freed
    }

    /// Last mapped disk block before `fileBlock` (an allocation hint for contiguity).
    func hint(before fileBlock: UInt32) -> UInt32 {
        let index = search(fileBlock)
        if index > 0 { let e = extents[index - 1]; return e.diskBlock + e.count }
        return 0
    }

    // MARK: encoding (docs/kfs-format.md "file.extents")

    static func encodeExtents(_ extents: ArraySlice<Extent>, into bytes: inout [UInt8]) {
        for extent in extents {
            bytes.append32(extent.fileBlock)
            bytes.append32(extent.diskBlock)
            bytes.append32(extent.count)
        }
    }

    static func decodeExtents(_ reader: inout ByteReader, count: Int, into extents: inout [Extent],
                              blockCount: UInt64) throws(KFSError) {
        for _ in 0..<count {
            let extent = Extent(fileBlock: try reader.u32(), diskBlock: try reader.u32(), count: try reader.u32())
            guard extent.count > 0, extent.diskBlock >= 2,
                  UInt64(extent.diskBlock) + UInt64(extent.count) <= blockCount,
                  extent.fileEnd <= UInt64(UInt32.max) else { throw .corrupted }
            if let previous = extents.last, previous.fileEnd > UInt64(extent.fileBlock) { throw .corrupted }
            extents.append(extent)
        }
    }

    func encodeOverflowBlock(_ index: Int, owner: UInt32, generation: UInt64) -> [UInt8] {
        var block = BlockHeader.newBlock(.extentOverflow, generation: generation)
        let start = index * ExtentFile.overflowCapacity
        let end = min(extents.count, start + ExtentFile.overflowCapacity)
        block.put(owner, at: 16)
        block.put(UInt32(end - start), at: 20)
        var bytes: [UInt8] = []
        ExtentFile.encodeExtents(extents[start..<end], into: &bytes)
        for (offset, byte) in bytes.enumerated() { block[24 + offset] = byte }
        BlockHeader.seal(&block)
        return block
    }

    /// Reads an extent list from a record body (and its overflow blocks).
    static func load<D: BlockDevice>(_ body: inout ByteReader, owner: UInt32, size: UInt64, device: D,
                                     maxGeneration: UInt64) throws(KFSError) -> ExtentFile {
        let total = Int(try body.u32())
        let overflowCount = Int(try body.u32())
        var extents: [Extent] = []
        let blockCount = device.blockCount
        if overflowCount == 0 {
            guard total <= inlineCapacity else { throw .corrupted }
            try decodeExtents(&body, count: total, into: &extents, blockCount: blockCount)
        } else {
            guard overflowCount <= maxOverflowBlocks,
                  total > inlineCapacity, total <= overflowCount * overflowCapacity,
                  total > (overflowCount - 1) * overflowCapacity else { throw .corrupted }
            var overflow: [UInt32] = []
            var buffer = [UInt8](repeating: 0, count: kfsBlockSize)
            for index in 0..<overflowCount {
                let location = try body.u32()
                guard location >= 2, UInt64(location) < blockCount else { throw .corrupted }
                try device.readBlock(UInt64(location), into: &buffer)
                try BlockHeader.verify(buffer, .extentOverflow)
                let expected = min(overflowCapacity, total - index * overflowCapacity)
                guard buffer.u32(at: 16) == owner, Int(buffer.u32(at: 20)) == expected,
                      BlockHeader.generation(of: buffer) <= maxGeneration else { throw .corrupted }
                var reader = try ByteReader(buffer, start: 24, length: expected * 12)
                try decodeExtents(&reader, count: expected, into: &extents, blockCount: blockCount)
                overflow.append(location)
            }
            guard body.atEnd else { throw .corrupted }
            return try ExtentFile.checked(extents, overflow, size: size)
        }
        guard body.atEnd else { throw .corrupted }
        return try ExtentFile.checked(extents, [], size: size)
    }

    /// No extent may lie past the end of the file (truncate frees them).
    private static func checked(_ extents: [Extent], _ overflow: [UInt32], size: UInt64) throws(KFSError) -> ExtentFile {
        guard size <= kfsMaxFileSize else { throw .corrupted }
        let blocks = (size + UInt64(kfsBlockSize) - 1) / UInt64(kfsBlockSize)
        if let last = extents.last, last.fileEnd > blocks { throw .corrupted }
        return ExtentFile(extents: extents, overflowBlocks: overflow)
    }
}
