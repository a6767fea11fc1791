// The VFS calls on attributes (man 2 stat, chmod, chown, utimensat, truncate, statfs) and the
// reverse mapping from a directory inode to its absolute path (getcwd(2), /proc/PID/cwd).
// Each follows symlinks unless told not to (lstat, lchown, AT_SYMLINK_NOFOLLOW).
import LinuxABI
import Objects

extension VFS {
    /// stat(2)/lstat(2)/newfstatat(2).
    public func stat(_ path: [UInt8], from directory: Inode? = nil, followSymlinks: Bool = true) throws(Errno) -> Stat {
        try resolve(path, from: directory, followSymlinks: followSymlinks).stat()
    }
    public func stat(_ path: String, from directory: Inode? = nil, followSymlinks: Bool = true) throws(Errno) -> Stat {
        try stat(Array(path.utf8), from: directory, followSymlinks: followSymlinks)
    }

    /// chmod(2)/fchmodat(2).
    public func changeMode(_ path: [UInt8], from directory: Inode? = nil, mode: UInt32, followSymlinks: Bool = true) throws(Errno) {
        let inode = try resolve(path, from: directory, followSymlinks: followSymlinks)
        if inode.isSymlink { throw .EOPNOTSUPP }      // fchmodat(AT_SYMLINK_NOFOLLOW) on a link
        try inode.changeMode(mode)
    }

    /// chown(2)/lchown(2)/fchownat(2); nil leaves an id unchanged (the caller's -1).
    public func changeOwner(_ path: [UInt8], from directory: Inode? = nil, uid: UInt32?, gid: UInt32?,
                            followSymlinks: Bool = true) throws(Errno) {
        try resolve(path, from: directory, followSymlinks: followSymlinks).changeOwner(uid: uid, gid: gid)
    }

    /// utimensat(2) with a path.
    public func updateTimes(_ path: [UInt8], from directory: Inode? = nil, access: TimeUpdate, modification: TimeUpdate,
                            followSymlinks: Bool = true) throws(Errno) {
        try resolve(path, from: directory, followSymlinks: followSymlinks).updateTimes(access: access, modification: modification)
    }

    /// truncate(2): EISDIR for a directory, EINVAL for other non-regular files or a negative length.
    public func truncate(_ path: [UInt8], from directory: Inode? = nil, length: Int64) throws(Errno) {
        guard length >= 0 else { throw .EINVAL }
        let inode = try resolve(path, from: directory)
        if inode.isDirectory { throw .EISDIR }
        guard inode.lock.withLock({ inode.mode.isRegular }) else { throw .EINVAL }
        try inode.truncate(to: length)
    }

    /// statfs(2).
    public func statfs(_ path: [UInt8], from directory: Inode? = nil) throws(Errno) -> StatFS {
        try resolve(path, from: directory).superBlock.statfs()
    }

    /// The absolute path of a directory (getcwd(2)); nil if it was removed (getcwd's ENOENT).
    /// Climbs parent links and crosses from mounted roots to their mount points.
    public func path(of directory: Inode) -> [UInt8]? {
        let top = callerRoot
        var names: [[UInt8]] = []
        var current = directory
        var steps = 0
        while current !== top {
            steps += 1
            if steps > 4096 { return nil }
            if current === current.superBlock.root {
                guard let mp = current.superBlock.mount?.mountpoint else { return nil }
                current = mp
                continue
            }
            guard let parent = current.parentDirectory, let name = current.nameInParent else { return nil }
            names.append(name)
            current = parent
        }
        if names.isEmpty { return [0x2f] }
        var out: [UInt8] = []
        for n in names.reversed() { out.append(0x2f); out += n }
        return out
    }
}
