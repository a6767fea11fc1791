// rename(2)/renameat2(2): the VFS half. It resolves both parents, applies the checks that need
// the whole tree (EXDEV across mounts, EINVAL for moving a directory into itself, ENOTEMPTY when
// the target is an ancestor of the source, EBUSY for mount points and ".", "..") under the file
// system's rename lock, then lets the directory inode move the entry (RamDirectory.rename).
import LinuxABI
import Objects

extension VFS {
    public func rename(_ oldPath: [UInt8], from oldDirectory: Inode? = nil, to newPath: [UInt8], from newDirectory: Inode? = nil,
                       flags: RenameFlags = []) throws(Errno) {
        let known: RenameFlags = [.RENAME_NOREPLACE, .RENAME_EXCHANGE]
        guard flags.rawValue & ~known.rawValue == 0 else { throw .EINVAL }
        if flags.contains(.RENAME_NOREPLACE) && flags.contains(.RENAME_EXCHANGE) { throw .EINVAL }
        let from = try resolveParent(oldPath, from: oldDirectory)
        let to = try resolveParent(newPath, from: newDirectory)
        guard from.kind == .normal else { throw .EBUSY }
        guard to.kind == .normal else { throw flags.contains(.RENAME_NOREPLACE) ? .EEXIST : .EBUSY }
        let sb = from.directory.superBlock
        guard to.directory.superBlock === sb else { throw .EXDEV }

        sb.renameLock.lock(); defer { sb.renameLock.unlock() }
        let old = try lookupChild(from.directory, from.name, crossMounts: false)
        var new: Inode? = nil
        do { new = try lookupChild(to.directory, to.name, crossMounts: false) } catch {
            if error != .ENOENT { throw error }
        }
        if flags.contains(.RENAME_EXCHANGE) && new == nil { throw .ENOENT }
        let oldIsDirectory = old.isDirectory
        if (from.trailingSlash || to.trailingSlash) && !oldIsDirectory {
            if !(flags.contains(.RENAME_EXCHANGE) && new?.isDirectory == true && !from.trailingSlash) { throw .ENOTDIR }
        }
        if let n = new, n === old { return }
        if flags.contains(.RENAME_NOREPLACE) && new != nil { throw .EEXIST }
        if old.lock.withLock({ old.mountedHere != nil }) || old === root { throw .EBUSY }
        if let n = new, n.lock.withLock({ n.mountedHere != nil }) || n === root { throw .EBUSY }
        // Moving a directory below itself: EINVAL. (For an exchange, either direction.)
        if oldIsDirectory && isSameOrAncestor(old, of: to.directory) { throw .EINVAL }
        if let n = new {
            if flags.contains(.RENAME_EXCHANGE) && n.isDirectory && isSameOrAncestor(n, of: from.directory) { throw .EINVAL }
            // The target is an ancestor of the source: it cannot be empty.
            if isSameOrAncestor(n, of: from.directory) { throw .ENOTEMPTY }
            if !flags.contains(.RENAME_EXCHANGE) {
                if oldIsDirectory && !n.isDirectory { throw .ENOTDIR }
                if !oldIsDirectory && n.isDirectory { throw .EISDIR }
                if oldIsDirectory && !n.isEmptyDirectory { throw .ENOTEMPTY }
            }
        }
        try from.directory.rename(from.name, to: to.directory, as: to.name, flags: flags)
        if let cache = sb.nameCache {
            cache.invalidate(directory: from.directory, name: from.name)
            cache.invalidate(directory: to.directory, name: to.name)
        }
    }

    public func rename(_ oldPath: String, to newPath: String, flags: RenameFlags = []) throws(Errno) {
        try rename(Array(oldPath.utf8), to: Array(newPath.utf8), flags: flags)
    }

    /// True if `ancestor` is `inode` or one of its parent directories within one file system.
    func isSameOrAncestor(_ ancestor: Inode, of inode: Inode) -> Bool {
        var current: Inode? = inode
        var steps = 0
        while let c = current, steps < 4096 {
            if c === ancestor { return true }
            current = c.parentDirectory
            steps += 1
        }
        return false
    }
}
