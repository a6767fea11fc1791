// fsck: each kind of damage is detected and, with repair, fixed so a second check is clean.
// Damage is injected by rewriting committed structures with valid checksums (the checker must
// catch what a checksum cannot), and by corrupting blocks outright.

import Testing
@testable import KFS

@Suite struct CheckerTests {
    /// A populated, committed file system.
    static func populated() throws -> (MemoryBlockDevice, FileSystem<MemoryBlockDevice>, UInt32, UInt32) {
        let (device, fileSystem) = try freshFileSystem()
        let directory = try fileSystem.create(kfsRootID, b("dir"), .directory)
        let file = try fileSystem.create(directory, b("file"), .file)
        try fileSystem.write(file, offset: 0, [UInt8](repeating: 3, count: 3 * kfsBlockSize))
        try fileSystem.create(directory, b("small"), .file)
        try fileSystem.sync()
        return (device, fileSystem, directory, file)
    }

    /// Rewrites element `id`'s record with `change` applied, as a buggy commit might have.
    static func rewriteRecord(_ device: MemoryBlockDevice, _ fileSystem: FileSystem<MemoryBlockDevice>,
                              _ id: UInt32, _ change: (inout [UInt8]) -> Void) throws {
        let block = fileSystem.recordMap.recordBlock(of: id)
        var bytes = device.blocks[Int(block)]
        change(&bytes)
        BlockHeader.seal(&bytes)
        try device.writeBlock(UInt64(block), bytes)
    }

    func expectRepaired(_ device: MemoryBlockDevice, _ kind: CheckProblemKind) {
        let result = kfsCheck(device, repair: true)
        #expect(result.first.problems.contains { $0.kind == kind }, "expected \(kind)")
        #expect(result.repaired)
        #expect(result.final.clean, "after repair: \(result.final.problems.map(\.kind))")
        #expect((try? FileSystem(mounting: device)) != nil)
    }

    @Test func wrongLinkCountIsFixed() throws {
        let (device, fileSystem, _, file) = try CheckerTests.populated()
        try CheckerTests.rewriteRecord(device, fileSystem, file) { $0.put(UInt32(7), at: 36) }
        expectRepaired(device, .wrongLinkCount)
        #expect(try FileSystem(mounting: device).stat(file).nlink == 1)
    }

    @Test func leakedAndUnmarkedBlocksAreFixed() throws {
        let (device, fileSystem, _, _) = try CheckerTests.populated()
        // Mark a free block used and a used data block free, in the committed bitmap.
        let location = fileSystem.allocation.locations[0]
        var bitmap = device.blocks[Int(location)]
        bitmap[24 + 1000 / 8] |= UInt8(1 << (1000 % 8))
        let dataBlock = Int(fileSystem.superblock.recordMapRoot)
        bitmap[24 + dataBlock / 8] &= ~UInt8(1 << (dataBlock % 8))
        BlockHeader.seal(&bitmap)
        try device.writeBlock(UInt64(location), bitmap)
        let report = Checker(device).run()
        #expect(report.problems.contains { $0.kind == .blockLeaked && $0.block == 1000 })
        expectRepaired(device, .blockNotMarked)
    }

    @Test func danglingEntryIsRemovedAndOrphanRelinked() throws {
        let (device, fileSystem, directory, file) = try CheckerTests.populated()
        // Point "file" at a free id: the entry dangles and the real file becomes an orphan.
        try CheckerTests.rewriteRecord(device, fileSystem, directory) { bytes in
            var offset = Record.bodyOffset
            while offset < Record.bodyOffset + Int(bytes.u32(at: 76)) {
                if bytes.u32(at: offset) == file { bytes.put(UInt32(400), at: offset) }
                offset += 6 + Int(bytes[offset + 5])
            }
        }
        let report = Checker(device).run()
        #expect(report.problems.contains { $0.kind == .danglingEntry })
        #expect(report.problems.contains { $0.kind == .orphan && $0.id == file })
        expectRepaired(device, .orphan)
        let again = try FileSystem(mounting: device)
        let lostFound = try again.lookup(kfsRootID, b("lost+found"))
        #expect(try again.lookup(lostFound, b("#\(file)")) == file)
        #expect(try again.read(file, offset: 0, count: 10) == [UInt8](repeating: 3, count: 10))
    }

    @Test func damagedRecordIsDropped() throws {
        let (device, fileSystem, _, file) = try CheckerTests.populated()
        let block = fileSystem.recordMap.recordBlock(of: file)
        try device.writeBlock(UInt64(block), [UInt8](repeating: 0xAB, count: kfsBlockSize))
        let mounted = try FileSystem(mounting: device)
        #expect(throws: KFSError.corrupted) { try mounted.stat(file) }
        expectRepaired(device, .elementDamaged)
    }

    @Test func damagedAllocationMapIsRebuilt() throws {
        let (device, fileSystem, _, _) = try CheckerTests.populated()
        try device.writeBlock(UInt64(fileSystem.allocation.locations[0]), [UInt8](repeating: 0, count: kfsBlockSize))
        #expect(throws: KFSError.corrupted) { try FileSystem(mounting: device) }
        expectRepaired(device, .allocationMapDamaged)
    }

    @Test func wrongParentIsFixed() throws {
        let (device, fileSystem, directory, _) = try CheckerTests.populated()
        try CheckerTests.rewriteRecord(device, fileSystem, directory) { $0.put(UInt32(directory), at: 72) }
        expectRepaired(device, .wrongParent)
    }

    @Test func missingSuperblocksAreFatal() throws {
        let (device, _, _, _) = try CheckerTests.populated()
        try device.writeBlock(0, [UInt8](repeating: 0, count: kfsBlockSize))
        try device.writeBlock(1, [UInt8](repeating: 0, count: kfsBlockSize))
        #expect(throws: KFSError.invalid) { try FileSystem(mounting: device) }
        let result = kfsCheck(device, repair: true)
        #expect(result.first.fatal && !result.repaired)
    }
}
