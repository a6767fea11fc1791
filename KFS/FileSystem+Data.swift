// File contents: read, write and truncate, and the policy that picks a file's implementation:
// file.inline while the data fits in the record body, file.extents beyond that, and back to
// file.inline when a truncate makes it fit again. Data blocks are copy-on-write too: a block
// the committed snapshot uses is never overwritten; the write goes to a fresh block instead.

extension FileSystem {
    private func file(_ id: UInt32) throws(KFSError) -> Element {
        let found = try element(id)
        switch found.kind {
        case .file: return found
        case .directory: throw .isDirectory
        case .symlink: throw .invalid
        }
    }

    /// Reads up to `count` bytes at `offset`; short at end of file, holes read as zeros.
    public func read(_ id: UInt32, offset: UInt64, count: Int) throws(KFSError) -> [UInt8] {
        let target = try file(id)
        guard count >= 0 else { throw .invalid }
        let size = target.attributes.size
        guard offset < size, count > 0 else { return [] }
        let end = min(size, offset + UInt64(min(count, Int(Int32.max))))
        var result: [UInt8] = []
        result.reserveCapacity(Int(end - offset))
        switch target.body {
        case .inlineFile(let inline):
            result.append(contentsOf: inline.bytes[Int(offset)..<Int(end)])
        case .extentFile(let extents):
            var position = offset
            while position < end {
                let fileBlock = UInt32(position / UInt64(kfsBlockSize))
                let within = Int(position % UInt64(kfsBlockSize))
                let take = Int(min(UInt64(kfsBlockSize - within), end - position))
                if let disk = extents.lookup(fileBlock) {
                    let block = try readDevice(disk)
                    result.append(contentsOf: block[within..<(within + take)])
                } else {
                    result.append(contentsOf: [UInt8](repeating: 0, count: take))
                }
                position += UInt64(take)
            }
        default:
            throw .corrupted
        }
        touchAccess(target)
        return result
    }

    /// Reads whole file blocks `first`, `first + 1`, ... into `pages` (one `kfsBlockSize`-byte
    /// buffer each), for a page cache above the library: holes and bytes past the end of file
    /// read as zeros, and each run of blocks that is contiguous on disk is one device call
    /// (`BlockDevice.readBlocks`: one virtio request). Returns how many of the blocks lie (at
    /// least partly) before the end of file.
    @discardableResult
    public func readBlocks(_ id: UInt32, first: UInt32, into pages: [UnsafeMutableRawPointer]) throws(KFSError) -> Int {
        let target = try file(id)
        let size = target.attributes.size
        let blockSize = UInt64(kfsBlockSize)
        let inFile = Int(min(UInt64(pages.count), (size + blockSize - 1) / blockSize > UInt64(first)
                             ? (size + blockSize - 1) / blockSize - UInt64(first) : 0))
        for page in pages { page.initializeMemory(as: UInt8.self, repeating: 0, count: kfsBlockSize) }
        guard inFile > 0 else { return 0 }
        switch target.body {
        case .inlineFile(let inline):
            // Only block 0 can hold inline data.
            if first == 0, !inline.bytes.isEmpty {
                inline.bytes.withUnsafeBytes { pages[0].copyMemory(from: $0.baseAddress!, byteCount: min($0.count, kfsBlockSize)) }
            }
        case .extentFile(let extents):
            var index = 0
            while index < inFile {
                guard let disk = extents.lookup(first + UInt32(index)) else { index += 1; continue }
                var run = 1
                while index + run < inFile, extents.lookup(first + UInt32(index + run)) == disk + UInt32(run) { run += 1 }
                try device.readBlocks(UInt64(disk), into: Array(pages[index..<(index + run)]))
                index += run
            }
            // The last block's bytes past the end of file read as zeros (they are on disk too,
            // truncate zeroes them; this keeps a damaged tail from showing).
            let tail = Int(size % blockSize)
            if tail != 0, UInt64(first) + UInt64(inFile) == (size + blockSize - 1) / blockSize {
                (pages[inFile - 1] + tail).initializeMemory(as: UInt8.self, repeating: 0, count: kfsBlockSize - tail)
            }
        default:
            throw .corrupted
        }
        touchAccess(target)
        return inFile
    }

    /// relatime: atime moves only when it is older than the last change, so reads seldom
    /// dirty metadata.
    private func touchAccess(_ target: Element) {
        guard !readOnly, !poisoned,
              target.attributes.atimeNs < target.attributes.mtimeNs
                || target.attributes.atimeNs < target.attributes.ctimeNs else { return }
        target.attributes.atimeNs = now
        markDirty(target)
    }

    /// Writes `data` at `offset`, growing the file; returns the bytes written (short only if
    /// space ran out part-way).
    @discardableResult
    public func write(_ id: UInt32, offset: UInt64, _ data: [UInt8]) throws(KFSError) -> Int {
        let target = try file(id)
        guard !data.isEmpty else { return 0 }
        let (end, overflow) = offset.addingReportingOverflow(UInt64(data.count))
        guard !overflow, end <= kfsMaxFileSize else { throw .fileTooBig }
        let blocks = data.count / kfsBlockSize + 2
        try beginChange(blocks: blocks + (target.attributes.size <= UInt64(InlineFile.capacity) ? 1 : 0))
        if case .inlineFile(let inline) = target.body {
            if end <= UInt64(InlineFile.capacity) {
                if UInt64(inline.bytes.count) < end {
                    inline.bytes.append(contentsOf: [UInt8](repeating: 0, count: Int(end) - inline.bytes.count))
                }
                inline.bytes.replaceSubrange(Int(offset)..<Int(end), with: data)
                target.attributes.size = UInt64(inline.bytes.count)
                changed(target)
                return data.count
            }
            try switchToExtents(target, inline)
        }
        guard case .extentFile(let extents) = target.body else { throw .corrupted }
        var written = 0
        while written < data.count {
            let position = offset + UInt64(written)
            let fileBlock = UInt32(position / UInt64(kfsBlockSize))
            let within = Int(position % UInt64(kfsBlockSize))
            let take = min(kfsBlockSize - within, data.count - written)
            do {
                try storeBlock(extents, fileBlock, overwritesAll: take == kfsBlockSize) { (block: inout [UInt8]) in
                    block.replaceSubrange(within..<(within + take), with: data[written..<(written + take)])
                }
            } catch {
                if written == 0 { throw error }
                break
            }
            written += take
            // Grow as we go, so the record never lists a block beyond its size.
            target.attributes.size = max(target.attributes.size, position + UInt64(take))
        }
        changed(target)
        return written
    }

    /// truncate(2)/ftruncate(2).
    public func truncate(_ id: UInt32, size: UInt64) throws(KFSError) {
        let target = try file(id)
        guard size <= kfsMaxFileSize else { throw .fileTooBig }
        try beginChange(blocks: 2)
        switch target.body {
        case .inlineFile(let inline):
            if size <= UInt64(InlineFile.capacity) {
                if size < UInt64(inline.bytes.count) {
                    inline.bytes.removeSubrange(Int(size)...)
                } else {
                    inline.bytes.append(contentsOf: [UInt8](repeating: 0, count: Int(size) - inline.bytes.count))
                }
            } else {
                try switchToExtents(target, inline)
            }
        case .extentFile(let extents):
            if size <= UInt64(InlineFile.capacity) {
                try switchToInline(target, extents, size: size)
            } else if size < target.attributes.size {
                let keep = (size + UInt64(kfsBlockSize) - 1) / UInt64(kfsBlockSize)
                for extent in extents.truncate(keepBlocks: keep) {
                    for offset in 0..<extent.count { allocation.free(extent.diskBlock + offset) }
                }
                // Zero the tail of the last block, so growing again reads zeros there.
                let within = Int(size % UInt64(kfsBlockSize))
                let lastBlock = UInt32(size / UInt64(kfsBlockSize))
                if within != 0, extents.lookup(lastBlock) != nil {
                    try storeBlock(extents, lastBlock) { (block: inout [UInt8]) in
                        for index in within..<kfsBlockSize { block[index] = 0 }
                    }
                }
            }
        default:
            throw .corrupted
        }
        target.attributes.size = size
        changed(target)
    }

    private func changed(_ target: Element) {
        let time = now
        target.attributes.mtimeNs = time
        target.attributes.ctimeNs = time
        markDirty(target)
    }

    /// Applies `update` to file block `fileBlock`: in place if the block was allocated since the
    /// last commit, else into a fresh block (copy-on-write), remapping the extent.
    private func storeBlock(_ extents: ExtentFile, _ fileBlock: UInt32, overwritesAll: Bool = false,
                            _ update: (inout [UInt8]) -> Void) throws(KFSError) {
        let existing = extents.lookup(fileBlock)
        // A write covering the whole block needs no read of the old contents.
        var block = existing == nil || overwritesAll
            ? [UInt8](repeating: 0, count: kfsBlockSize) : try readDevice(existing!)
        update(&block)
        if let existing, !allocation.isCommitted(existing) {
            try writeDevice(existing, block)
            return
        }
        let fresh = try allocateBlock(near: existing ?? extents.hint(before: fileBlock))
        do { try writeDevice(fresh, block) } catch { allocation.free(fresh); throw error }
        extents.map(fileBlock, to: fresh)
        if let existing { allocation.free(existing) }
    }

    /// Swaps an inline file's body for an extent map holding the same bytes.
    private func switchToExtents(_ target: Element, _ inline: InlineFile) throws(KFSError) {
        let extents = ExtentFile()
        if !inline.bytes.isEmpty {
            var block = inline.bytes
            block.append(contentsOf: [UInt8](repeating: 0, count: kfsBlockSize - block.count))
            let fresh = try allocateBlock()
            do { try writeDevice(fresh, block) } catch { allocation.free(fresh); throw error }
            extents.map(0, to: fresh)
        }
        target.body = .extentFile(extents)
        markDirty(target)
    }

    /// Swaps an extent file's body for inline bytes (the first `size` bytes of the file).
    private func switchToInline(_ target: Element, _ extents: ExtentFile, size: UInt64) throws(KFSError) {
        var bytes: [UInt8] = []
        if size > 0 {
            if let disk = extents.lookup(0) {
                bytes = Array(try readDevice(disk)[0..<Int(min(size, UInt64(kfsBlockSize)))])
            }
            if UInt64(bytes.count) < size {
                bytes.append(contentsOf: [UInt8](repeating: 0, count: Int(size) - bytes.count))
            }
        }
        releaseBlocks(of: target)
        target.body = .inlineFile(InlineFile(bytes: bytes))
        markDirty(target)
    }
}
