// Unit tests of each on-disk structure on its own: CRC32C, the block header, the superblock
// pair, pointer blocks, the allocation map's copy-on-write rule, the RecordMap, extent lists,
// hashed-directory buckets and records.

import Testing
@testable import KFS

@Suite struct StructureTests {
    @Test func crc32cMatchesTheStandardCheckValue() {
        #expect(CRC32C.checksum(b("123456789")) == 0xE306_9283)
        #expect(CRC32C.checksum([]) == 0)
    }

    @Test func blockHeaderDetectsAnyFlippedBit() throws {
        var block = BlockHeader.newBlock(.record, generation: 7)
        block[100] = 42
        BlockHeader.seal(&block)
        try BlockHeader.verify(block, .record)
        #expect(throws: KFSError.corrupted) { try BlockHeader.verify(block, .bitmap) }
        for bit in [0, 37, 800, 4095 * 8 + 7] {
            var damaged = block
            damaged[bit / 8] ^= UInt8(1 << (bit % 8))
            #expect(throws: KFSError.self) { try BlockHeader.verify(damaged, .record) }
        }
    }

    @Test func superblockRoundTripsAndRejectsDamage() throws {
        let superblock = Superblock(blockCount: 100, sequence: 5, recordMapRoot: 3, allocationRoot: 4,
                                    usedBlocks: 9, usedElements: 1, createdNs: -5, committedNs: 77,
                                    uuid: [UInt8](repeating: 9, count: 16), label: b("disk"))
        let block = superblock.encode()
        #expect(try Superblock.decode(block, deviceBlocks: 100) == superblock)
        #expect(throws: KFSError.corrupted) { try Superblock.decode(block, deviceBlocks: 99) }
        var notKFS = block
        notKFS[16] ^= 1
        #expect(throws: KFSError.invalid) { try Superblock.decode(notKFS, deviceBlocks: 100) }
    }

    @Test func newestValidSuperblockWins() throws {
        let device = MemoryBlockDevice(blockCount: 64)
        var superblock = Superblock(blockCount: 64, sequence: 1, recordMapRoot: 3, allocationRoot: 4,
                                    usedBlocks: 0, usedElements: 0, createdNs: 0, committedNs: 0,
                                    uuid: [], label: [])
        try device.writeBlock(1, superblock.encode())
        superblock.sequence = 2
        var torn = superblock.encode()
        try device.writeBlock(0, torn)
        #expect(try Superblock.readNewest(device).0.sequence == 2)
        for index in 2048..<4096 { torn[index] = 0 }  // a torn write: second half never landed
        torn[2100] = 1
        try device.writeBlock(0, torn)
        #expect(try Superblock.readNewest(device).0.sequence == 1)
    }

    @Test func pointerBlocksValidateTheirTargets() throws {
        let block = PointerBlock.encode([2, 9, 15], generation: 1)
        #expect(try PointerBlock.decode(block, blockCount: 16, expected: 3) == [2, 9, 15])
        #expect(throws: KFSError.corrupted) { try PointerBlock.decode(block, blockCount: 15, expected: nil) }
        #expect(throws: KFSError.corrupted) { try PointerBlock.decode(block, blockCount: 16, expected: 2) }
    }

    @Test func allocationNeverReusesCommittedBlocksBeforeTheCommit() {
        let map = AllocationMap(blockCount: 100)
        map.markUsed(0)
        map.markUsed(1)
        let first = map.allocate()!
        map.commitDone()
        map.free(first)
        // The committed snapshot still uses `first`: it must not come back before commitDone.
        var handed: [UInt32] = []
        while let block = map.allocate() { handed.append(block) }
        #expect(!handed.contains(first))
        #expect(handed.count == 100 - 3)
        map.commitDone()
        #expect(map.allocate() == first)
        #expect(map.allocate() == nil)
    }

    @Test func allocationPrefersTheBlockAfterTheHint() {
        let map = AllocationMap(blockCount: 1000)
        #expect(map.allocate(near: 500) == 500)
        #expect(map.allocate(near: 500) == 501)
        #expect(map.allocate(near: 999) == 999)
        #expect(map.allocate(near: 999) != nil)
    }

    @Test func recordMapAllocatesGrowsAndRoundTrips() throws {
        let map = RecordMap(leaves: 1)
        map.set(kfsRootID, block: 10, implementation: .linearDirectory)
        var ids: [UInt32] = []
        for _ in 0..<(RecordMap.entriesPerLeaf + 5) { ids.append(map.allocate(.inlineFile)!) }
        #expect(ids.first == 2)
        #expect(map.leafLocations.count == 2)
        map.release(ids[3])
        #expect(map.allocate(.extentFile) == ids[3])
        let device = MemoryBlockDevice(blockCount: 64)
        for id in ids { map.set(id, block: 11, implementation: map.implementation(of: id)!) }
        try device.writeBlock(20, map.encodeLeaf(0, generation: 1))
        try device.writeBlock(21, map.encodeLeaf(1, generation: 1))
        try device.writeBlock(22, PointerBlock.encode([20, 21], generation: 1))
        let loaded = try RecordMap.load(device, root: 22, blockCount: 64)
        #expect(loaded.usedCount == map.usedCount)
        #expect(loaded.implementation(of: ids[3]) == .extentFile)
        #expect(loaded.recordBlock(of: kfsRootID) == 10)
    }

    @Test func extentMapSplitsAndMerges() {
        let file = ExtentFile()
        for block in 0..<10 { file.map(UInt32(block), to: 100 + UInt32(block)) }
        #expect(file.extents == [Extent(fileBlock: 0, diskBlock: 100, count: 10)])
        file.map(4, to: 500)  // copy-on-write of one block splits the run in three
        #expect(file.extents.count == 3)
        #expect(file.lookup(4) == 500)
        #expect(file.lookup(5) == 105)
        file.map(4, to: 104)  // and mapping it back merges again
        #expect(file.extents == [Extent(fileBlock: 0, diskBlock: 100, count: 10)])
        file.map(20, to: 7)
        #expect(file.lookup(15) == nil)
        let freed = file.truncate(keepBlocks: 6)
        #expect(freed.reduce(0) { $0 + $1.count } == 5)
        #expect(file.mappedBlocks == 6)
    }

    @Test func hashedDirectoryDoublesWhenABucketFills() throws {
        let directory = HashedDirectory(bucketCount: 1)
        var names: [[UInt8]] = []
        for index in 0..<600 {
            let name = b("entry-\(index)-with-a-longish-name")
            names.append(name)
            try directory.insert(DirectoryEntry(name: name, id: UInt32(index + 2), kind: .file))
        }
        #expect(directory.bucketBlocks.count > 1)
        for (index, name) in names.enumerated() {
            let position = try #require(directory.find(name))
            #expect(directory.entry(at: position).id == UInt32(index + 2))
        }
    }

    @Test func recordsRejectForeignOrOversizedContent() throws {
        let attributes = Attributes(mode: 0o644, uid: 1, gid: 2, nlink: 1, size: 3, atimeNs: 1,
                                    mtimeNs: 2, ctimeNs: 3, parent: 0)
        let block = Record.encode(id: 9, implementation: .inlineFile, attributes: attributes,
                                  body: [1, 2, 3], generation: 4)
        let (decoded, body) = try Record.decode(block, id: 9, implementation: .inlineFile, maxGeneration: 4)
        #expect(decoded.uid == 1 && decoded.size == 3 && body.remaining == 3)
        #expect(throws: KFSError.corrupted) { try Record.decode(block, id: 8, implementation: .inlineFile, maxGeneration: 4) }
        #expect(throws: KFSError.corrupted) { try Record.decode(block, id: 9, implementation: .extentFile, maxGeneration: 4) }
        #expect(throws: KFSError.corrupted) { try Record.decode(block, id: 9, implementation: .inlineFile, maxGeneration: 3) }
    }

    @Test func errnoValuesMatchLinux() {
        #expect(KFSError.notFound.errno == 2)
        #expect(KFSError.notEmpty.errno == 39)
        #expect(KFSError.corrupted.errno == 117)
        #expect(KFSError.crossDevice.errno == 18)
    }
}
