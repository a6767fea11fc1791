// Behaviour of the file-system API: names, data, attributes, errors (as Linux reports them),
// persistence across remounts, and the automatic implementation switches: a file growing from
// file.inline to file.extents and back, a directory from dir.linear to dir.hashed and back.

import Testing
@testable import KFS

@Suite struct FileSystemTests {
    @Test func createWriteReadSurvivesRemount() throws {
        let (device, fileSystem) = try freshFileSystem()
        let directory = try fileSystem.create(kfsRootID, b("docs"), .directory, mode: 0o750, uid: 5, gid: 6)
        let file = try fileSystem.create(directory, b("a.txt"), .file, mode: 0o600)
        try fileSystem.write(file, offset: 0, b("hello, kfs"))
        try fileSystem.create(directory, b("link"), .symlink(target: b("a.txt")))
        try fileSystem.sync()
        let again = try FileSystem(mounting: device)
        let found = try again.resolve(b("/docs/a.txt"))
        #expect(try again.read(found, offset: 7, count: 100) == b("kfs"))
        #expect(try again.readlink(again.resolve(b("docs/link"))) == b("a.txt"))
        let stat = try again.stat(try again.resolve(b("docs")))
        #expect(stat.mode == 0o040750 && stat.uid == 5 && stat.gid == 6 && stat.nlink == 2)
        #expect(try again.stat(found).mode == 0o100600)
        #expect(try again.lookup(directory, b("..")) == kfsRootID)
        #expect(try again.stat(kfsRootID).nlink == 3)
        expectClean(device)
    }

    @Test func errorsFollowLinux() throws {
        let (_, fileSystem) = try freshFileSystem()
        let file = try fileSystem.create(kfsRootID, b("f"), .file)
        let directory = try fileSystem.create(kfsRootID, b("d"), .directory)
        try fileSystem.create(directory, b("inner"), .file)
        #expect(throws: KFSError.exists) { try fileSystem.create(kfsRootID, b("f"), .file) }
        #expect(throws: KFSError.notFound) { try fileSystem.lookup(kfsRootID, b("nope")) }
        #expect(throws: KFSError.notDirectory) { try fileSystem.lookup(file, b("x")) }
        #expect(throws: KFSError.isDirectory) { try fileSystem.unlink(kfsRootID, b("d")) }
        #expect(throws: KFSError.notDirectory) { try fileSystem.rmdir(kfsRootID, b("f")) }
        #expect(throws: KFSError.notEmpty) { try fileSystem.rmdir(kfsRootID, b("d")) }
        #expect(throws: KFSError.nameTooLong) {
            try fileSystem.create(kfsRootID, [UInt8](repeating: 0x61, count: 256), .file)
        }
        #expect(throws: KFSError.invalid) { try fileSystem.create(kfsRootID, b("a/b"), .file) }
        #expect(throws: KFSError.isDirectory) { try fileSystem.read(directory, offset: 0, count: 1) }
        #expect(throws: KFSError.notPermitted) { try fileSystem.link(directory, kfsRootID, b("d2")) }
        #expect(throws: KFSError.invalid) { try fileSystem.rename(kfsRootID, b("d"), directory, b("loop")) }
        #expect(throws: KFSError.notSymlink) { try fileSystem.readlink(file) }
        #expect(throws: KFSError.fileTooBig) { try fileSystem.truncate(file, size: kfsMaxFileSize + 1) }
        #expect(try fileSystem.create(kfsRootID, [UInt8](repeating: 0x61, count: 255), .file) > 0)
    }

    @Test func fileGrowsFromInlineToExtentsAndBack() throws {
        let (device, fileSystem) = try freshFileSystem()
        let file = try fileSystem.create(kfsRootID, b("grow"), .file)
        var random = SeededRandom(seed: 1)
        var expected: [UInt8] = []
        while expected.count < InlineFile.capacity {
            let chunk = randomBytes(700, &random)
            try fileSystem.write(file, offset: UInt64(expected.count), chunk)
            expected += chunk
            let wanted: Implementation = expected.count <= InlineFile.capacity ? .inlineFile : .extentFile
            #expect(try fileSystem.implementation(of: file) == wanted)
        }
        let big = randomBytes(5 * kfsBlockSize + 123, &random)
        try fileSystem.write(file, offset: UInt64(expected.count), big)
        expected += big
        #expect(try fileSystem.implementationName(of: file).description == "file.extents")
        try fileSystem.sync()
        let again = try FileSystem(mounting: device)
        #expect(try again.read(file, offset: 0, count: expected.count + 10) == expected)
        // A small file served inline sits beside it, in the same file system.
        let small = try again.create(kfsRootID, b("small"), .file)
        try again.write(small, offset: 0, b("tiny"))
        #expect(try again.implementation(of: small) == .inlineFile)
        try again.truncate(file, size: 1000)
        #expect(try again.implementation(of: file) == .inlineFile)
        #expect(try again.read(file, offset: 0, count: 5000) == Array(expected[0..<1000]))
        try again.sync()
        expectClean(device)
    }

    @Test func sparseFilesAndOverwritesInsideBlocks() throws {
        let (device, fileSystem) = try freshFileSystem()
        let file = try fileSystem.create(kfsRootID, b("sparse"), .file)
        try fileSystem.write(file, offset: 10 * UInt64(kfsBlockSize) + 5, b("end"))
        #expect(try fileSystem.stat(file).size == 10 * UInt64(kfsBlockSize) + 8)
        #expect(try fileSystem.read(file, offset: 0, count: 16) == [UInt8](repeating: 0, count: 16))
        try fileSystem.sync()
        try fileSystem.write(file, offset: 10 * UInt64(kfsBlockSize) + 6, b("X"))  // copy-on-write
        #expect(try fileSystem.read(file, offset: 10 * UInt64(kfsBlockSize) + 5, count: 3) == b("eXd"))
        try fileSystem.truncate(file, size: 10 * UInt64(kfsBlockSize) + 6)
        try fileSystem.truncate(file, size: 10 * UInt64(kfsBlockSize) + 100)
        #expect(try fileSystem.read(file, offset: 10 * UInt64(kfsBlockSize) + 5, count: 3) == [0x65, 0, 0])
        try fileSystem.sync()
        expectClean(device)
    }

    @Test func directoryGrowsFromLinearToHashedAndBack() throws {
        let (device, fileSystem) = try freshFileSystem(blocks: 4096)
        let directory = try fileSystem.create(kfsRootID, b("big"), .directory)
        var names: [[UInt8]] = []
        for index in 0..<1500 {
            let name = b("file-number-\(index)")
            try fileSystem.create(directory, name, .file)
            names.append(name)
            if index == 10 { #expect(try fileSystem.implementation(of: directory) == .linearDirectory) }
        }
        #expect(try fileSystem.implementation(of: directory) == .hashedDirectory)
        try fileSystem.sync()
        let again = try FileSystem(mounting: device)
        #expect(try again.readdir(directory).count == 1500)
        for name in names.shuffled(using: &SeededRandomBox.shared.random).prefix(100) {
            _ = try again.lookup(directory, name)
        }
        expectClean(device)
        for name in names.dropFirst(20) { try again.unlink(directory, name) }
        #expect(try again.implementation(of: directory) == .linearDirectory)
        let left = try again.readdir(directory).map(\.name).sorted { $0.lexicographicallyPrecedes($1) }
        #expect(left == Array(names.prefix(20)).sorted { $0.lexicographicallyPrecedes($1) })
        try again.sync()
        expectClean(device)
    }

    @Test func longSymlinkUsesABlock() throws {
        let (device, fileSystem) = try freshFileSystem()
        let long = [UInt8](repeating: 0x78, count: kfsSymlinkMax)
        let id = try fileSystem.create(kfsRootID, b("long"), .symlink(target: long))
        let short = try fileSystem.create(kfsRootID, b("short"), .symlink(target: b("x")))
        #expect(try fileSystem.implementation(of: id) == .blockSymlink)
        #expect(try fileSystem.implementation(of: short) == .inlineSymlink)
        try fileSystem.sync()
        #expect(try FileSystem(mounting: device).readlink(id) == long)
        #expect(throws: KFSError.nameTooLong) {
            try fileSystem.create(kfsRootID, b("x"), .symlink(target: long + [1]))
        }
        expectClean(device)
    }

    @Test func hardLinksAndRenameKeepLinkCounts() throws {
        let (device, fileSystem) = try freshFileSystem()
        let a = try fileSystem.create(kfsRootID, b("a"), .directory)
        let c = try fileSystem.create(kfsRootID, b("c"), .directory)
        let file = try fileSystem.create(a, b("f"), .file)
        try fileSystem.link(file, c, b("g"))
        #expect(try fileSystem.stat(file).nlink == 2)
        try fileSystem.rename(a, b("f"), c, b("g"))  // same element: nothing happens
        #expect(try fileSystem.stat(file).nlink == 2)
        let other = try fileSystem.create(kfsRootID, b("other"), .file)
        try fileSystem.rename(kfsRootID, b("other"), c, b("g"))  // replaces one link of `file`
        #expect(try fileSystem.stat(file).nlink == 1)
        #expect(try fileSystem.lookup(c, b("g")) == other)
        let sub = try fileSystem.create(a, b("sub"), .directory)
        try fileSystem.rename(a, b("sub"), c, b("sub2"))
        #expect(try fileSystem.lookup(sub, b("..")) == c)
        #expect(try fileSystem.stat(a).nlink == 2 && fileSystem.stat(c).nlink == 3)
        #expect(throws: KFSError.exists) { try fileSystem.rename(a, b("f"), c, b("g"), noReplace: true) }
        try fileSystem.unlink(a, b("f"))
        #expect(throws: KFSError.notFound) { try fileSystem.stat(file) }
        try fileSystem.sync()
        expectClean(device)
    }

    @Test func attributesAndStatfs() throws {
        let (device, fileSystem) = try freshFileSystem()
        let file = try fileSystem.create(kfsRootID, b("f"), .file)
        try fileSystem.chmod(file, mode: 0o4755)
        try fileSystem.chown(file, uid: 1000, gid: nil)
        try fileSystem.setTimes(file, accessNs: 11, modifyNs: 22)
        let stat = try fileSystem.stat(file)
        #expect(stat.mode == 0o104755 && stat.uid == 1000 && stat.gid == 0)
        #expect(stat.atimeNs == 11 && stat.mtimeNs == 22 && stat.ctimeNs > 22)
        let before = fileSystem.statfs()
        try fileSystem.write(file, offset: 0, [UInt8](repeating: 1, count: 40_000))
        try fileSystem.sync()
        #expect(fileSystem.statfs().freeBlocks < before.freeBlocks)
        #expect(fileSystem.statfs().totalBlocks == 2048)
        expectClean(device)
    }

    @Test func fillingTheDiskGivesENOSPCAndStaysConsistent() throws {
        let (device, fileSystem) = try freshFileSystem(blocks: 200)
        var index = 0
        var sawNoSpace = false
        while index < 400 {
            do {
                let file = try fileSystem.create(kfsRootID, b("f\(index)"), .file)
                try fileSystem.write(file, offset: 0, [UInt8](repeating: 7, count: 3 * kfsBlockSize))
            } catch KFSError.noSpace {
                sawNoSpace = true
                break
            }
            index += 1
        }
        #expect(sawNoSpace)
        try fileSystem.sync()
        expectClean(device)
        // Deleting makes room again.
        for victim in 0..<index { try? fileSystem.unlink(kfsRootID, b("f\(victim)")) }
        try fileSystem.sync()
        let file = try fileSystem.create(kfsRootID, b("again"), .file)
        try fileSystem.write(file, offset: 0, [UInt8](repeating: 7, count: 20 * kfsBlockSize))
        try fileSystem.sync()
        expectClean(device)
    }

    @Test func elementCacheIsTrimmedAtSync() throws {
        let (device, fileSystem) = try freshFileSystem()
        fileSystem.cachedElementLimit = 10
        var ids: [UInt32] = []
        for index in 0..<50 {
            let id = try fileSystem.create(kfsRootID, b("f\(index)"), .file)
            try fileSystem.write(id, offset: 0, b("data \(index)"))
            ids.append(id)
        }
        try fileSystem.sync()
        #expect(fileSystem.elements.compactMap { $0 }.count == 1)
        for (index, id) in ids.enumerated() { #expect(try fileSystem.read(id, offset: 0, count: 99) == b("data \(index)")) }
        try fileSystem.unlink(kfsRootID, b("f3"))
        try fileSystem.sync()
        expectClean(device)
    }

    @Test func selfTestPasses() {
        #expect(kfsSelfTest() == nil)
    }
}

/// A shared seeded generator for tests that only need "some" order.
final class SeededRandomBox: @unchecked Sendable {
    static let shared = SeededRandomBox()
    var random = SeededRandom(seed: 42)
}

/// A RAM disk that counts multi-block reads (how many device calls `readBlocks` makes).
final class RunCountingDevice: BlockDevice {
    let inner: MemoryBlockDevice
    var runs: [(first: UInt64, count: Int)] = []
    init(blockCount: Int) { inner = MemoryBlockDevice(blockCount: blockCount) }
    var blockCount: UInt64 { inner.blockCount }
    func readBlock(_ index: UInt64, into buffer: inout [UInt8]) throws(KFSError) { try inner.readBlock(index, into: &buffer) }
    func writeBlock(_ index: UInt64, _ data: [UInt8]) throws(KFSError) { try inner.writeBlock(index, data) }
    func flush() throws(KFSError) { try inner.flush() }
    func readBlocks(_ first: UInt64, into destinations: [UnsafeMutableRawPointer]) throws(KFSError) {
        runs.append((first, destinations.count))
        try inner.readBlocks(first, into: destinations)
    }
}

@Suite struct BlockReadTests {
    /// readBlocks (the kernel page cache's fill call) gives the same bytes as read, block by
    /// block: inline data, extents, holes, a partial last block and blocks past the end.
    @Test func readBlocksMatchesReadAndReadsRunsInOneCall() throws {
        let device = RunCountingDevice(blockCount: 2048)
        try FileSystem.format(device, label: b("test"))
        let fs = try FileSystem(mounting: device)
        var random = SeededRandom(seed: 7)
        let small = try fs.create(kfsRootID, b("small"), .file)
        try fs.write(small, offset: 0, b("inline bytes"))
        let large = try fs.create(kfsRootID, b("large"), .file)
        try fs.write(large, offset: 0, randomBytes(16 * kfsBlockSize, &random))
        try fs.write(large, offset: 20 * UInt64(kfsBlockSize), randomBytes(2 * kfsBlockSize + 100, &random))  // hole 16..<20
        let buffers = (0..<32).map { _ in UnsafeMutableRawPointer.allocate(byteCount: kfsBlockSize, alignment: kfsBlockSize) }
        defer { for buffer in buffers { buffer.deallocate() } }
        func bytes(_ count: Int) -> [UInt8] {
            var out: [UInt8] = []
            for buffer in buffers.prefix(count) { out += Array(UnsafeRawBufferPointer(start: buffer, count: kfsBlockSize)) }
            return out
        }
        #expect(try fs.readBlocks(small, first: 0, into: Array(buffers.prefix(2))) == 1)
        #expect(bytes(2) == b("inline bytes") + [UInt8](repeating: 0, count: 2 * kfsBlockSize - 12))
        device.runs = []
        #expect(try fs.readBlocks(large, first: 0, into: buffers) == 23)
        var expected = try fs.read(large, offset: 0, count: 32 * kfsBlockSize)
        expected += [UInt8](repeating: 0, count: 32 * kfsBlockSize - expected.count)
        #expect(bytes(32) == expected)
        #expect(device.runs.count == 2 && device.runs[0].count == 16 && device.runs[1].count == 3)
        #expect(try fs.readBlocks(large, first: 40, into: Array(buffers.prefix(1))) == 0)
    }
}

#if canImport(Glibc)
import Glibc

extension BlockReadTests {
    /// The image-file device (kfs-fuse, fsck) reads a run with one preadv: same bytes as block
    /// by block, and a run past the end is EIO.
    @Test func fileDeviceReadsRuns() throws {
        let path = "/tmp/kfs-readblocks-\(getpid()).img"
        defer { unlink(path) }
        var random = SeededRandom(seed: 11)
        let image = randomBytes(8 * kfsBlockSize, &random)
        let fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o644)
        #expect(image.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == image.count)
        close(fd)
        let device = try FileBlockDevice(path: path)
        let buffers = (0..<5).map { _ in UnsafeMutableRawPointer.allocate(byteCount: kfsBlockSize, alignment: 16) }
        defer { for buffer in buffers { buffer.deallocate() } }
        try device.readBlocks(2, into: buffers)
        for (i, buffer) in buffers.enumerated() {
            let start = (2 + i) * kfsBlockSize
            #expect(Array(UnsafeRawBufferPointer(start: buffer, count: kfsBlockSize)) == Array(image[start..<(start + kfsBlockSize)]))
        }
        #expect(throws: KFSError.io) { try device.readBlocks(4, into: buffers) }
    }
}
#endif
