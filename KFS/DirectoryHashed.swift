// The large-directory implementation ("dir.hashed"): entries spread over 2^k buckets by an
// FNV-1a hash of the name; each bucket is one block, the record lists the bucket blocks. A
// change rewrites only the touched bucket at commit, not the whole directory. A bucket that
// overflows doubles the bucket count (all entries re-spread); at 512 buckets a full bucket is
// ENOSPC. Element.swift switches back to dir.linear when the entries fit in half a record.

final class HashedDirectory {
    static let maxBuckets = 512
    /// Entry bytes a bucket block holds: 4096 - 16 header - 12 bucket header.
    static let bucketCapacity = kfsBlockSize - 28

    private(set) var buckets: [[DirectoryEntry]]
    private(set) var bucketBytes: [Int]
    /// Where each bucket lives on disk (0: not written yet) and whether it changed.
    var bucketBlocks: [UInt32]
    var bucketDirty: [Bool]
    private(set) var count = 0
    private(set) var encodedSize = 0

    init(bucketCount: Int) {
        buckets = [[DirectoryEntry]](repeating: [], count: bucketCount)
        bucketBytes = [Int](repeating: 0, count: bucketCount)
        bucketBlocks = [UInt32](repeating: 0, count: bucketCount)
        bucketDirty = [Bool](repeating: true, count: bucketCount)
    }

    static func hash(_ name: [UInt8]) -> UInt32 {
        var hash: UInt32 = 0x811C_9DC5
        for byte in name { hash = (hash ^ UInt32(byte)) &* 0x0100_0193 }
        return hash
    }

    func bucket(for name: [UInt8]) -> Int { Int(HashedDirectory.hash(name) & UInt32(buckets.count - 1)) }

    var entries: [DirectoryEntry] { buckets.flatMap { $0 } }

    func find(_ name: [UInt8]) -> (Int, Int)? {
        let b = bucket(for: name)
        for index in 0..<buckets[b].count where buckets[b][index].name == name { return (b, index) }
        return nil
    }

    func entry(at position: (Int, Int)) -> DirectoryEntry { buckets[position.0][position.1] }

    /// Blocks of buckets that a rehash made obsolete; the file system frees them (and drains
    /// this list) after every insert.
    var releasedBlocks: [UInt32] = []

    /// Adds `entry`, doubling the bucket count while its bucket is full; throws ENOSPC when the
    /// bucket is full at the largest bucket count.
    func insert(_ entry: DirectoryEntry) throws(KFSError) {
        while bucketBytes[bucket(for: entry.name)] + entry.encodedSize > HashedDirectory.bucketCapacity {
            guard buckets.count < HashedDirectory.maxBuckets else { throw .noSpace }
            rehash(bucketCount: buckets.count * 2)
        }
        let b = bucket(for: entry.name)
        buckets[b].append(entry)
        bucketBytes[b] += entry.encodedSize
        bucketDirty[b] = true
        count += 1
        encodedSize += entry.encodedSize
    }

    func remove(at position: (Int, Int)) {
        let entry = buckets[position.0].remove(at: position.1)
        bucketBytes[position.0] -= entry.encodedSize
        bucketDirty[position.0] = true
        count -= 1
        encodedSize -= entry.encodedSize
    }

    /// Replaces an entry with one of the same name (rename onto an existing name).
    func replace(at position: (Int, Int), with entry: DirectoryEntry) {
        buckets[position.0][position.1] = entry
        bucketDirty[position.0] = true
    }

    private func rehash(bucketCount: Int) {
        let all = entries
        releasedBlocks.append(contentsOf: bucketBlocks.filter { $0 != 0 })
        buckets = [[DirectoryEntry]](repeating: [], count: bucketCount)
        bucketBytes = [Int](repeating: 0, count: bucketCount)
        bucketBlocks = [UInt32](repeating: 0, count: bucketCount)
        bucketDirty = [Bool](repeating: true, count: bucketCount)
        for entry in all {
            let b = bucket(for: entry.name)
            buckets[b].append(entry)
            bucketBytes[b] += entry.encodedSize
        }
    }

    // MARK: encoding (docs/kfs-format.md "dir.hashed")

    func encodeBody() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.append32(UInt32(buckets.count))
        bytes.append32(UInt32(count))
        for block in bucketBlocks { bytes.append32(block) }
        return bytes
    }

    func encodeBucket(_ b: Int, owner: UInt32, generation: UInt64) -> [UInt8] {
        var block = BlockHeader.newBlock(.directoryBucket, generation: generation)
        block.put(owner, at: 16)
        block.put(UInt32(b), at: 20)
        block.put(UInt32(bucketBytes[b]), at: 24)
        var bytes: [UInt8] = []
        for entry in buckets[b] { entry.encode(into: &bytes) }
        for (offset, byte) in bytes.enumerated() { block[28 + offset] = byte }
        BlockHeader.seal(&block)
        return block
    }

    static func load<D: BlockDevice>(_ body: inout ByteReader, owner: UInt32, device: D,
                                     maxGeneration: UInt64) throws(KFSError) -> HashedDirectory {
        let bucketCount = Int(try body.u32())
        let total = Int(try body.u32())
        guard bucketCount >= 1, bucketCount <= maxBuckets, bucketCount & (bucketCount - 1) == 0 else {
            throw .corrupted
        }
        let directory = HashedDirectory(bucketCount: bucketCount)
        var buffer = [UInt8](repeating: 0, count: kfsBlockSize)
        for b in 0..<bucketCount {
            let location = try body.u32()
            guard location >= 2, UInt64(location) < device.blockCount else { throw .corrupted }
            try device.readBlock(UInt64(location), into: &buffer)
            try BlockHeader.verify(buffer, .directoryBucket)
            guard buffer.u32(at: 16) == owner, buffer.u32(at: 20) == UInt32(b),
                  BlockHeader.generation(of: buffer) <= maxGeneration else { throw .corrupted }
            let length = Int(buffer.u32(at: 24))
            guard length <= bucketCapacity else { throw .corrupted }
            var reader = try ByteReader(buffer, start: 28, length: length)
            while !reader.atEnd {
                let entry = try DirectoryEntry.decode(&reader)
                guard directory.bucket(for: entry.name) == b else { throw .corrupted }
                directory.buckets[b].append(entry)
                directory.bucketBytes[b] += entry.encodedSize
                directory.count += 1
                directory.encodedSize += entry.encodedSize
            }
            directory.bucketBlocks[b] = location
            directory.bucketDirty[b] = false
        }
        guard body.atEnd, directory.count == total else { throw .corrupted }
        return directory
    }
}
