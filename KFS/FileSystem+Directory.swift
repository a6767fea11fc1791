// Directory entry storage and the policy that picks a directory's implementation: dir.linear
// while the entries fit in the record body, dir.hashed beyond that, and back to dir.linear
// once a hashed directory shrinks to half a record (the gap avoids flapping at the boundary).
// The switch builds the new implementation object and swaps it in under the same element id.

extension FileSystem {
    /// Adds `entry` to `directory`, switching it to dir.hashed when the record is full.
    func insertEntry(_ directory: Element, _ entry: DirectoryEntry) throws(KFSError) {
        switch directory.body {
        case .linearDirectory(let linear):
            if linear.fits(entry) {
                linear.append(entry)
            } else {
                let hashed = try makeHashed(from: linear.entries + [entry])
                directory.body = .hashedDirectory(hashed)
            }
        case .hashedDirectory(let hashed):
            defer { releaseBuckets(hashed) }
            try hashed.insert(entry)
        default:
            throw .notDirectory
        }
        markDirty(directory)
    }

    /// Removes the entry called `name`; switches a small hashed directory back to dir.linear.
    @discardableResult
    func removeEntry(_ directory: Element, _ name: [UInt8]) -> DirectoryEntry? {
        var removed: DirectoryEntry? = nil
        switch directory.body {
        case .linearDirectory(let linear):
            if let index = linear.find(name) {
                removed = linear.entries[index]
                linear.remove(at: index)
            }
        case .hashedDirectory(let hashed):
            if let position = hashed.find(name) {
                removed = hashed.entry(at: position)
                hashed.remove(at: position)
            }
            if hashed.encodedSize <= Record.bodyCapacity / 2 {
                let linear = LinearDirectory(entries: hashed.entries)
                for block in hashed.bucketBlocks where block != 0 { allocation.free(block) }
                releaseBuckets(hashed)
                directory.body = .linearDirectory(linear)
            }
        default:
            break
        }
        if removed != nil { markDirty(directory) }
        return removed
    }

    /// Points the existing entry `name` at another element (rename over an existing name).
    func replaceEntry(_ directory: Element, _ name: [UInt8], with entry: DirectoryEntry) {
        switch directory.body {
        case .linearDirectory(let linear):
            if let index = linear.find(name) { linear.replace(at: index, with: entry) }
        case .hashedDirectory(let hashed):
            if let position = hashed.find(name) { hashed.replace(at: position, with: entry) }
        default:
            return
        }
        markDirty(directory)
    }

    /// Builds a hashed directory holding `entries`, sized so buckets start about half full.
    private func makeHashed(from entries: [DirectoryEntry]) throws(KFSError) -> HashedDirectory {
        var bytes = 0
        for entry in entries { bytes += entry.encodedSize }
        var buckets = 4
        while buckets < HashedDirectory.maxBuckets && buckets * HashedDirectory.bucketCapacity < 2 * bytes {
            buckets *= 2
        }
        let hashed = HashedDirectory(bucketCount: buckets)
        for entry in entries { try hashed.insert(entry) }
        return hashed
    }

    private func releaseBuckets(_ hashed: HashedDirectory) {
        for block in hashed.releasedBlocks { allocation.free(block) }
        hashed.releasedBlocks = []
    }

    /// Blocks a namespace change in `directory` may need (a hashed split rewrites every bucket).
    func namespaceReserve(_ directory: Element) -> Int {
        if case .hashedDirectory(let hashed) = directory.body { return 8 + 2 * hashed.bucketBlocks.count }
        return 8
    }
}
