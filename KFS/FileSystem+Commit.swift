// The metadata snapshot commit (Soules/Soares SNAPI'03, docs/kfs-format.md "Commit protocol").
// Every changed record, bucket, extent list, RecordMap leaf and bitmap block is written to a
// NEW block (never over anything the committed snapshot uses); after a flush, the superblock
// slot not holding the current snapshot gets sequence+1, then a second flush. A crash before
// that superblock write is whole leaves the previous snapshot, intact, as the newest valid one.

extension FileSystem {
    /// Whether anything changed since the last commit.
    public var hasUncommittedChanges: Bool {
        !dirtyIDs.isEmpty || recordMap.leafDirty.contains(true) || allocation.dirty.contains(true)
    }

    /// The sequence number of the snapshot on disk.
    public var committedSequence: UInt64 { superblock.sequence }

    /// fsync(2): KFS commits the whole metadata snapshot, so this is `sync()`.
    public func fsync(_ id: UInt32) throws(KFSError) {
        _ = try element(id)
        try sync()
    }

    /// sync(2): commits the current state as the new on-disk snapshot and returns once it is
    /// durable; then trims the element cache.
    public func sync() throws(KFSError) {
        try commitSnapshot()
        var cached = 0
        for element in elements where element != nil { cached += 1 }
        guard cached > cachedElementLimit else { return }
        for index in 0..<elements.count where index != Int(kfsRootID) {
            if let element = elements[index], !element.dirty { elements[index] = nil }
        }
    }

    /// The commit itself; also called in the middle of operations (to reclaim space), which is
    /// why it never touches the element cache.
    func commitSnapshot() throws(KFSError) {
        guard !poisoned else { throw .io }
        guard hasUncommittedChanges || superblock.sequence == 0 else { return }
        guard !readOnly else { throw .readOnly }
        let generation = superblock.sequence + 1
        do {
            try commitElements(generation)
            try commitRecordMap(generation)
            try commitAllocationMap(generation)
            try device.flush()
            var next = superblock
            next.sequence = generation
            next.recordMapRoot = recordMap.rootLocation
            next.allocationRoot = allocation.rootLocation
            next.usedBlocks = UInt64(allocation.usedCount)
            next.usedElements = UInt64(recordMap.usedCount)
            next.committedNs = now
            try device.writeBlock(generation & 1, next.encode())
            try device.flush()
            superblock = next
            allocation.commitDone()
        } catch {
            poisoned = true
            throw error
        }
    }

    /// Moves a structure to a fresh block: frees the old location (reusable after this commit)
    /// and allocates the new one.
    private func relocate(_ old: UInt32) throws(KFSError) -> UInt32 {
        let fresh = try allocateBlock(near: old)
        if old != 0 { allocation.free(old) }
        return fresh
    }

    private func commitElements(_ generation: UInt64) throws(KFSError) {
        for id in dirtyIDs {
            guard Int(id) < elements.count, let element = elements[Int(id)], element.dirty,
                  recordMap.contains(id) else { continue }
            let body: [UInt8]
            switch element.body {
            case .inlineFile(let file):
                body = file.bytes
            case .extentFile(let file):
                body = try commitExtents(file, owner: id, generation: generation)
            case .linearDirectory(let directory):
                body = directory.encodeBody()
            case .hashedDirectory(let directory):
                for block in directory.releasedBlocks { allocation.free(block) }
                directory.releasedBlocks = []
                for bucket in 0..<directory.bucketBlocks.count where directory.bucketDirty[bucket] {
                    let location = try relocate(directory.bucketBlocks[bucket])
                    directory.bucketBlocks[bucket] = location
                    try writeDevice(location, directory.encodeBucket(bucket, owner: id, generation: generation))
                    directory.bucketDirty[bucket] = false
                }
                body = directory.encodeBody()
            case .inlineSymlink(let symlink):
                body = symlink.target
            case .blockSymlink(let symlink):
                var bytes: [UInt8] = []
                bytes.append32(symlink.block)
                body = bytes
            }
            var attributes = element.attributes
            attributes.size = element.size
            let location = try relocate(recordMap.recordBlock(of: id))
            try writeDevice(location, Record.encode(id: id, implementation: element.implementation,
                                                    attributes: attributes, body: body, generation: generation))
            recordMap.set(id, block: location, implementation: element.implementation)
            element.dirty = false
        }
        dirtyIDs = []
    }

    /// Writes a file's extent list: inline in the record if it fits, else in overflow blocks.
    private func commitExtents(_ file: ExtentFile, owner: UInt32, generation: UInt64) throws(KFSError) -> [UInt8] {
        for block in file.overflowBlocks { allocation.free(block) }
        file.overflowBlocks = []
        var body: [UInt8] = []
        body.append32(UInt32(file.extents.count))
        if file.extents.count <= ExtentFile.inlineCapacity {
            body.append32(0)
            ExtentFile.encodeExtents(file.extents[...], into: &body)
            return body
        }
        let blocks = (file.extents.count + ExtentFile.overflowCapacity - 1) / ExtentFile.overflowCapacity
        guard blocks <= ExtentFile.maxOverflowBlocks else { throw .fileTooBig }
        body.append32(UInt32(blocks))
        for index in 0..<blocks {
            let location = try allocateBlock()
            try writeDevice(location, file.encodeOverflowBlock(index, owner: owner, generation: generation))
            file.overflowBlocks.append(location)
            body.append32(location)
        }
        return body
    }

    private func commitRecordMap(_ generation: UInt64) throws(KFSError) {
        var changed = recordMap.rootLocation == 0
        for leaf in 0..<recordMap.leafLocations.count where recordMap.leafDirty[leaf] {
            let location = try relocate(recordMap.leafLocations[leaf])
            recordMap.leafLocations[leaf] = location
            try writeDevice(location, recordMap.encodeLeaf(leaf, generation: generation))
            recordMap.leafDirty[leaf] = false
            changed = true
        }
        guard changed else { return }
        recordMap.rootLocation = try relocate(recordMap.rootLocation)
        try writeDevice(recordMap.rootLocation,
                        PointerBlock.encode(recordMap.leafLocations, generation: generation))
    }

    /// The allocation map describes itself, so moving a bitmap block can dirty another: assign
    /// new locations until no dirty bitmap block is left without one, then write them all.
    private func commitAllocationMap(_ generation: UInt64) throws(KFSError) {
        allocation.rootLocation = try relocate(allocation.rootLocation)
        var moved = [Bool](repeating: false, count: allocation.locations.count)
        var progress = true
        while progress {
            progress = false
            for index in 0..<allocation.locations.count where allocation.dirty[index] && !moved[index] {
                allocation.locations[index] = try relocate(allocation.locations[index])
                moved[index] = true
                progress = true
            }
        }
        for index in 0..<allocation.locations.count where moved[index] {
            try writeDevice(allocation.locations[index], allocation.encodeBlock(index, generation: generation))
        }
        try writeDevice(allocation.rootLocation, PointerBlock.encode(allocation.locations, generation: generation))
    }
}
