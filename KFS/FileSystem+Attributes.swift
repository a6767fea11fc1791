// Attributes and whole-file-system queries: stat(2), chmod(2), chown(2), utimensat(2),
// readlink(2) and statfs(2). Timestamps are nanoseconds since the epoch.

/// What stat(2) reports for an element.
public struct ElementStat: Equatable {
    public var id: UInt32
    public var kind: ElementKind
    /// Type and permission bits, as st_mode.
    public var mode: UInt32
    public var uid: UInt32
    public var gid: UInt32
    public var nlink: UInt32
    public var size: UInt64
    /// 512-byte units allocated (st_blocks): the record plus data and index blocks.
    public var blocks: UInt64
    public var atimeNs: Int64
    public var mtimeNs: Int64
    public var ctimeNs: Int64
    public var implementation: Implementation
}

/// What statfs(2) reports.
public struct FileSystemStat: Equatable {
    public var blockSize: Int
    public var totalBlocks: UInt64
    /// Free once the pending copy-on-write garbage is reclaimed by the next commit.
    public var freeBlocks: UInt64
    public var totalElements: UInt64
    public var freeElements: UInt64
    public var nameMax: Int
}

extension FileSystem {
    /// st_size alone (the kernel's page cache asks on every read).
    public func fileSize(_ id: UInt32) throws(KFSError) -> UInt64 { try element(id).size }

    public func stat(_ id: UInt32) throws(KFSError) -> ElementStat {
        let target = try element(id)
        let attributes = target.attributes
        return ElementStat(id: id, kind: target.kind, mode: target.kind.modeType | attributes.mode,
                           uid: attributes.uid, gid: attributes.gid, nlink: attributes.nlink,
                           size: target.size, blocks: (1 + target.extraBlocks) * UInt64(kfsBlockSize / 512),
                           atimeNs: attributes.atimeNs, mtimeNs: attributes.mtimeNs,
                           ctimeNs: attributes.ctimeNs, implementation: target.implementation)
    }

    /// chmod(2): permission bits (and setuid/setgid/sticky), 0o7777.
    public func chmod(_ id: UInt32, mode: UInt32) throws(KFSError) {
        let target = try element(id)
        try beginChange(blocks: 0)
        target.attributes.mode = mode & 0o7777
        target.attributes.ctimeNs = now
        markDirty(target)
    }

    /// chown(2): nil leaves an id unchanged (like passing -1).
    public func chown(_ id: UInt32, uid: UInt32?, gid: UInt32?) throws(KFSError) {
        let target = try element(id)
        try beginChange(blocks: 0)
        if let uid { target.attributes.uid = uid }
        if let gid { target.attributes.gid = gid }
        target.attributes.ctimeNs = now
        markDirty(target)
    }

    /// utimensat(2): nil leaves a time unchanged (UTIME_OMIT); the caller resolves UTIME_NOW.
    public func setTimes(_ id: UInt32, accessNs: Int64?, modifyNs: Int64?) throws(KFSError) {
        let target = try element(id)
        try beginChange(blocks: 0)
        if let accessNs { target.attributes.atimeNs = accessNs }
        if let modifyNs { target.attributes.mtimeNs = modifyNs }
        target.attributes.ctimeNs = now
        markDirty(target)
    }

    /// readlink(2): the target of a symlink; EINVAL for anything else.
    public func readlink(_ id: UInt32) throws(KFSError) -> [UInt8] {
        switch try element(id).body {
        case .inlineSymlink(let symlink), .blockSymlink(let symlink): return symlink.target
        default: throw .notSymlink
        }
    }

    public func statfs() -> FileSystemStat {
        let totalElements = UInt64(RecordMap.maxLeaves * RecordMap.entriesPerLeaf)
        return FileSystemStat(
            blockSize: kfsBlockSize, totalBlocks: UInt64(allocation.blockCount),
            freeBlocks: UInt64(allocation.blockCount - allocation.usedCount),
            totalElements: totalElements,
            freeElements: totalElements - UInt64(recordMap.usedCount), nameMax: kfsNameMax)
    }
}
