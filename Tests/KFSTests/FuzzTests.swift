// Fuzzing: images mutated by bit flips (raw, or re-sealed with a valid checksum so the
// decoders behind the checksum are exercised), zeroed or duplicated blocks, field overwrites
// and truncation. Mount must fail cleanly (EUCLEAN, EIO, EINVAL) or succeed, and then every
// walk, read, change, sync and fsck (with repair) must return normally: a trap fails the run.
// KFS_FUZZ_ITERATIONS sets the number of mutated images.

import Testing
@testable import KFS

@Suite struct FuzzTests {
    /// A small image using every implementation: inline and extent files, linear and hashed
    /// directories, inline and block symlinks, hard links, a sparse file.
    static func seedImage() throws -> [UInt8] {
        let device = MemoryBlockDevice(blockCount: 400)
        try FileSystem.format(device)
        let fileSystem = try FileSystem(mounting: device)
        var random = SeededRandom(seed: 9)
        let small = try fileSystem.create(kfsRootID, b("small"), .directory)
        let file = try fileSystem.create(small, b("inline"), .file)
        // Hard links fill a hashed directory without a record per entry.
        let big = try fileSystem.create(kfsRootID, b("big"), .directory)
        for index in 0..<170 { try fileSystem.link(file, big, b("hard-link-number-\(index)")) }
        try fileSystem.create(big, b("subdirectory"), .directory)
        try fileSystem.write(file, offset: 0, randomBytes(300, &random))
        let large = try fileSystem.create(small, b("extents"), .file)
        try fileSystem.write(large, offset: 0, randomBytes(6 * kfsBlockSize, &random))
        try fileSystem.sync()
        try fileSystem.write(large, offset: UInt64(kfsBlockSize), randomBytes(10, &random))
        let sparse = try fileSystem.create(small, b("sparse"), .file)
        try fileSystem.write(sparse, offset: 40 * UInt64(kfsBlockSize), b("tail"))
        #expect(try fileSystem.implementation(of: big) == .hashedDirectory)
        try fileSystem.create(small, b("s1"), .symlink(target: b("inline")))
        try fileSystem.create(small, b("s2"), .symlink(target: [UInt8](repeating: 0x61, count: 4090)))
        try fileSystem.sync()
        return device.image
    }

    /// Applies one random mutation.
    static func mutate(_ image: inout [UInt8], _ random: inout SeededRandom, usedBlocks: [Int]) {
        let blocks = image.count / kfsBlockSize
        let block = random.next() % 3 == 0 ? Int(random.next() % UInt64(blocks))
            : usedBlocks[Int(random.next() % UInt64(usedBlocks.count))]
        let start = block * kfsBlockSize
        guard start + kfsBlockSize <= image.count else { return }  // an earlier truncation
        switch random.next() % 10 {
        case 0, 1: // raw bit flips
            for _ in 0..<(1 + random.next() % 4) {
                let bit = Int(random.next() % UInt64(kfsBlockSize * 8))
                image[start + bit / 8] ^= UInt8(1 << (bit % 8))
            }
        case 2, 3, 4, 5: // flips or field overwrites, then a valid checksum again
            for _ in 0..<(1 + random.next() % 3) {
                let offset = Int(random.next() % UInt64(kfsBlockSize - 4)) & ~3
                let values: [UInt32] = [0, 1, 2, 0xFFFF_FFFF, 0x8000_0000, UInt32(blocks), UInt32(blocks - 1),
                                        UInt32(truncatingIfNeeded: random.next()), 255, 256, 4096]
                let value = values[Int(random.next() % UInt64(values.count))]
                for byte in 0..<4 { image[start + offset + byte] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(byte))) }
            }
            var sealed = Array(image[start..<(start + kfsBlockSize)])
            BlockHeader.seal(&sealed)
            image.replaceSubrange(start..<(start + kfsBlockSize), with: sealed)
        case 6: // zeroed block
            image.replaceSubrange(start..<(start + kfsBlockSize), with: [UInt8](repeating: 0, count: kfsBlockSize))
        case 7: // one block copied over another
            let source = usedBlocks[Int(random.next() % UInt64(usedBlocks.count))] * kfsBlockSize
            guard source + kfsBlockSize <= image.count else { return }
            let copy = Array(image[source..<(source + kfsBlockSize)])
            image.replaceSubrange(start..<(start + kfsBlockSize), with: copy)
        case 8: // truncated image
            image.removeSubrange((Int(random.next() % UInt64(image.count)))...)
        default: // a single byte set to a random value
            image[start + Int(random.next() % UInt64(kfsBlockSize))] = UInt8(truncatingIfNeeded: random.next())
        }
    }

    /// Walks and changes a mounted image; any error is fine, a trap is not.
    static func exercise(_ fileSystem: FileSystem<MemoryBlockDevice>, _ random: inout SeededRandom) {
        var queue: [UInt32] = [kfsRootID]
        var seen = Set<UInt32>()
        var files: [UInt32] = []
        while let id = queue.popLast(), seen.count < 500 {
            guard seen.insert(id).inserted else { continue }
            _ = try? fileSystem.stat(id)
            _ = try? fileSystem.implementationName(of: id)
            guard let entries = try? fileSystem.readdir(id) else {
                if (try? fileSystem.read(id, offset: 0, count: 1 << 20)) != nil { files.append(id) }
                _ = try? fileSystem.readlink(id)
                continue
            }
            for entry in entries {
                _ = try? fileSystem.lookup(id, entry.name)
                queue.append(entry.id)
            }
            _ = try? fileSystem.lookup(id, b(".."))
        }
        let directories = Array(seen)
        for step in 0..<12 {
            let directory = directories.isEmpty ? kfsRootID : directories[Int(random.next() % UInt64(directories.count))]
            switch step % 6 {
            case 0: _ = try? fileSystem.create(directory, b("new\(step)"), .file)
            case 1: if let file = files.randomElement(using: &random) {
                _ = try? fileSystem.write(file, offset: random.next() % 30000, [UInt8](repeating: 1, count: 5000)) }
            case 2: if let entry = (try? fileSystem.readdir(directory))?.first { _ = try? fileSystem.unlink(directory, entry.name) }
            case 3: if let entry = (try? fileSystem.readdir(directory))?.last {
                _ = try? fileSystem.rename(directory, entry.name, kfsRootID, b("moved\(step)")) }
            case 4: if let file = files.randomElement(using: &random) { _ = try? fileSystem.truncate(file, size: random.next() % 9000) }
            default: _ = try? fileSystem.create(directory, b("d\(step)"), .directory)
            }
        }
        _ = try? fileSystem.sync()
        _ = fileSystem.statfs()
    }

    @Test func mutatedImagesNeverTrap() throws {
        let count = iterations("KFS_FUZZ_ITERATIONS", default: 2000)
        let original = try FuzzTests.seedImage()
        let checker = Checker(MemoryBlockDevice(image: original))
        checker.run()
        #expect(checker.report.clean)
        var usedBlocks: [Int] = []
        for (block, claims) in checker.claims.enumerated() where claims != 0 { usedBlocks.append(block) }
        var random = SeededRandom(seed: 2024)
        var mounted = 0, refused = 0, repairedClean = 0
        for iteration in 0..<count {
            var image = original
            for _ in 0..<(1 + random.next() % 2) { FuzzTests.mutate(&image, &random, usedBlocks: usedBlocks) }
            do {
                let fileSystem = try FileSystem(mounting: MemoryBlockDevice(image: image))
                mounted += 1
                FuzzTests.exercise(fileSystem, &random)
            } catch {
                #expect([KFSError.corrupted, .io, .invalid].contains(error))
                refused += 1
            }
            // fsck -y on every fourth image (the checker alone on the others).
            let device = MemoryBlockDevice(image: image)
            if iteration % 4 == 0 {
                let result = kfsCheck(device, repair: true)
                if result.final.clean { repairedClean += 1 }
                // What fsck -y leaves must be a fatal problem (no superblock, RecordMap or root).
                #expect(result.final.clean || result.final.fatal)
            } else {
                Checker(device).run()
            }
        }
        #expect(mounted + refused == count)
        #expect(mounted > count / 10 && refused > count / 10)
        print("fuzz: \(count) images, \(mounted) mounted, \(refused) refused, \(repairedClean) of \((count + 3) / 4) clean after fsck -y")
    }
}
