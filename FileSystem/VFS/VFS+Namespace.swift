// The VFS calls that open, create and remove names, with Linux's errno rules (man 2 open,
// mkdir, mknod, unlink, rmdir, rename, link, symlink, readlink). Each takes the path and the
// directory relative paths start from (the cwd, or the dirfd of the *at call); the caller has
// already applied its umask to `mode`. The name cache is invalidated for every removed name.
import LinuxABI
import Objects

extension VFS {
    // MARK: open

    /// open(2)/openat(2): O_CREAT, O_EXCL, O_TRUNC, O_DIRECTORY, O_NOFOLLOW, O_PATH; device
    /// nodes go to the device registry. Returns the new open file (the fd table's business next).
    public func open(_ path: [UInt8], from directory: Inode? = nil, flags: OpenFlags, mode: UInt32 = 0o666,
                     uid: UInt32 = 0, gid: UInt32 = 0) throws(Errno) -> OpenFile {
        if flags.contains(.O_TMPFILE) { throw .EOPNOTSUPP }
        var links = 0
        var resolved: Resolved
        var created = false
        if flags.contains(.O_CREAT) {
            var currentPath = path
            var start = directory
            while true {
                let at = try resolveParent(currentPath, from: start, symlinks: &links)
                guard at.kind == .normal else { throw .EISDIR }
                if at.trailingSlash { throw .EISDIR }
                var existing: Inode? = nil
                do { existing = try lookupChild(at.directory, at.name) } catch {
                    if error != .ENOENT { throw error }
                }
                if let found = existing {
                    if flags.contains(.O_EXCL) { throw .EEXIST }
                    if found.isSymlink {
                        if flags.contains(.O_NOFOLLOW) { throw .ELOOP }
                        links += 1
                        guard links <= MAXSYMLINKS else { throw .ELOOP }
                        // A /proc/PID/fd/N link leads to the open file's inode itself (bash's
                        // `> >(cmd)` opens /dev/fd/63 with O_CREAT|O_TRUNC: a pipe).
                        if let jump = try found.followLink() {
                            resolved = Resolved(inode: jump, parent: nil, name: [])
                            break
                        }
                        currentPath = try found.readlink()
                        start = at.directory
                        continue
                    }
                    resolved = Resolved(inode: found, parent: at.directory, name: at.name)
                } else {
                    let fileMode = FileMode(rawValue: FileMode.S_IFREG.rawValue | (mode & 0o7777))
                    do {
                        let inode = try at.directory.createNode(at.name, mode: fileMode, device: .none, uid: uid, gid: gid)
                        resolved = Resolved(inode: inode, parent: at.directory, name: at.name)
                        created = true
                    } catch {
                        if error == .EEXIST && !flags.contains(.O_EXCL) { continue }   // lost a race: open it
                        throw error
                    }
                }
                break
            }
        } else {
            resolved = try walk(path, from: directory, followLast: !flags.contains(.O_NOFOLLOW), stopAtLast: false,
                                wantName: true, symlinks: &links).resolved
        }
        return try openResolved(resolved, flags: flags, created: created)
    }

    /// The same for a path the caller holds in its own memory (the syscall layer's stack copy):
    /// opening an existing file walks it in place; creating copies it first.
    public func open(_ path: UnsafeBufferPointer<UInt8>, from directory: Inode? = nil, flags: OpenFlags, mode: UInt32 = 0o666,
                     uid: UInt32 = 0, gid: UInt32 = 0) throws(Errno) -> OpenFile {
        if flags.contains(.O_CREAT) || flags.contains(.O_TMPFILE) {
            return try open(Array(path), from: directory, flags: flags, mode: mode, uid: uid, gid: gid)
        }
        var links = 0
        let resolved = try walk(path, from: directory, followLast: !flags.contains(.O_NOFOLLOW), stopAtLast: false,
                                wantName: true, symlinks: &links).resolved
        return try openResolved(resolved, flags: flags, created: false)
    }

    public func open(_ path: String, from directory: Inode? = nil, flags: OpenFlags, mode: UInt32 = 0o666) throws(Errno) -> OpenFile {
        try open(Array(path.utf8), from: directory, flags: flags, mode: mode)
    }

    /// Opens an inode already in hand (the *at calls' AT_EMPTY_PATH, /proc/PID/fd re-opens).
    public func open(inode: Inode, flags: OpenFlags) throws(Errno) -> OpenFile {
        try openResolved(Resolved(inode: inode, parent: nil, name: []), flags: flags, created: false)
    }

    func openResolved(_ r: Resolved, flags: OpenFlags, created: Bool) throws(Errno) -> OpenFile {
        let inode = r.inode
        let mode = inode.lock.withLock { inode.mode }
        if flags.contains(.O_PATH) {
            let file = PathFile(inode: inode, flags: OpenFlags(rawValue: flags.rawValue & (OpenFlags.O_PATH.rawValue | OpenFlags.O_DIRECTORY.rawValue | OpenFlags.O_NOFOLLOW.rawValue)))
            file.setPath { self.pathText(r) }
            if flags.contains(.O_DIRECTORY) && !mode.isDirectory { throw .ENOTDIR }
            return file
        }
        if mode.isSymlink { throw .ELOOP }      // O_NOFOLLOW on a symlink
        if flags.contains(.O_DIRECTORY) && !mode.isDirectory { throw .ENOTDIR }
        if mode.isDirectory && (flags.isWritable || flags.contains(.O_CREAT) || flags.contains(.O_TRUNC)) { throw .EISDIR }
        let file: OpenFile
        if mode.isCharacterDevice {
            file = try devices.open(inode.lock.withLock { inode.specialDevice }, inode: inode, flags: flags)
        } else if mode.isBlockDevice {
            file = try blockDevices.open(inode.lock.withLock { inode.specialDevice }, inode: inode, flags: flags)
        } else if mode.type == .socket {
            throw .ENXIO
        } else {
            if flags.contains(.O_TRUNC) && mode.isRegular && !created && flags.isWritable {
                try inode.truncate(to: 0)
            }
            file = try inode.open(flags: flags)
        }
        if !file.hasPath { file.setPath { self.pathText(r) } }
        return file
    }

    /// The absolute path text for an open file (best effort: the parent's path plus the name).
    func pathText(_ r: Resolved) -> [UInt8] {
        if r.inode.isDirectory, let p = path(of: r.inode) { return p }
        guard let parent = r.parent, let base = path(of: parent) else { return r.name }
        return base == [0x2f] ? [0x2f] + r.name : base + [0x2f] + r.name
    }

    // MARK: creating names

    /// Resolves the parent for a call that creates `path`; EEXIST for ".", ".." and "/", and
    /// Linux's rule for a trailing slash on a non-directory: EEXIST if the name exists, else ENOENT.
    func parentForCreate(_ path: [UInt8], from directory: Inode?, wantDirectory: Bool) throws(Errno) -> ParentLocation {
        let at = try resolveParent(path, from: directory)
        guard at.kind == .normal else { throw .EEXIST }
        if at.trailingSlash && !wantDirectory {
            if (try? lookupChild(at.directory, at.name, crossMounts: false)) != nil { throw .EEXIST }
            throw .ENOENT
        }
        return at
    }

    /// mkdir(2).
    @discardableResult
    public func makeDirectory(_ path: [UInt8], from directory: Inode? = nil, mode: UInt32 = 0o755,
                              uid: UInt32 = 0, gid: UInt32 = 0) throws(Errno) -> Inode {
        let at = try parentForCreate(path, from: directory, wantDirectory: true)
        return try at.directory.makeDirectory(at.name, mode: FileMode(rawValue: mode & 0o7777), uid: uid, gid: gid)
    }
    @discardableResult
    public func makeDirectory(_ path: String, from directory: Inode? = nil, mode: UInt32 = 0o755) throws(Errno) -> Inode {
        try makeDirectory(Array(path.utf8), from: directory, mode: mode)
    }

    /// mknod(2): regular files (type 0 too), fifos, character and block devices, sockets.
    /// EPERM for a directory type (use mkdir), EINVAL for an unknown type.
    @discardableResult
    public func makeNode(_ path: [UInt8], from directory: Inode? = nil, mode: UInt32, device: DeviceNumber = .none,
                         uid: UInt32 = 0, gid: UInt32 = 0) throws(Errno) -> Inode {
        var m = FileMode(rawValue: mode)
        if m.rawValue & FileMode.S_IFMT.rawValue == 0 { m = FileMode(rawValue: m.rawValue | FileMode.S_IFREG.rawValue) }
        switch m.type {
        case .regular, .fifo, .characterDevice, .blockDevice, .socket: break
        case .directory: throw .EPERM
        default: throw .EINVAL
        }
        let at = try parentForCreate(path, from: directory, wantDirectory: false)
        return try at.directory.createNode(at.name, mode: m, device: device, uid: uid, gid: gid)
    }
    @discardableResult
    public func makeNode(_ path: String, mode: UInt32, device: DeviceNumber = .none) throws(Errno) -> Inode {
        try makeNode(Array(path.utf8), mode: mode, device: device)
    }

    /// symlink(2): `target` is stored as given (ENOENT if empty).
    @discardableResult
    public func makeSymlink(target: [UInt8], at path: [UInt8], from directory: Inode? = nil,
                            uid: UInt32 = 0, gid: UInt32 = 0) throws(Errno) -> Inode {
        guard !target.isEmpty else { throw .ENOENT }
        guard target.count < PATH_MAX else { throw .ENAMETOOLONG }
        let at = try parentForCreate(path, from: directory, wantDirectory: false)
        return try at.directory.makeSymlink(at.name, target: target, uid: uid, gid: gid)
    }
    @discardableResult
    public func makeSymlink(target: String, at path: String) throws(Errno) -> Inode {
        try makeSymlink(target: Array(target.utf8), at: Array(path.utf8))
    }

    /// link(2)/linkat(2): EPERM for a directory, EXDEV across file systems, ENOENT for a file
    /// already unlinked. `followSymlink` is linkat's AT_SYMLINK_FOLLOW (link(2) does not follow).
    public func link(_ oldPath: [UInt8], from oldDirectory: Inode? = nil, to newPath: [UInt8], from newDirectory: Inode? = nil,
                     followSymlink: Bool = false) throws(Errno) {
        let old = try resolve(oldPath, from: oldDirectory, followSymlinks: followSymlink)
        try link(inode: old, to: newPath, from: newDirectory)
    }
    public func link(_ oldPath: String, to newPath: String) throws(Errno) {
        try link(Array(oldPath.utf8), to: Array(newPath.utf8))
    }

    /// linkat(2) with AT_EMPTY_PATH: a new name for an inode in hand.
    public func link(inode old: Inode, to newPath: [UInt8], from newDirectory: Inode?) throws(Errno) {
        if old.isDirectory { throw .EPERM }
        let at = try parentForCreate(newPath, from: newDirectory, wantDirectory: false)
        guard at.directory.superBlock === old.superBlock else { throw .EXDEV }
        guard old.lock.withLock({ old.linkCount }) > 0 else { throw .ENOENT }
        try at.directory.link(at.name, to: old)
    }

    // MARK: removing names

    /// unlink(2): EISDIR for a directory (and for "." or ".."), EBUSY for a mount point.
    public func unlink(_ path: [UInt8], from directory: Inode? = nil) throws(Errno) {
        let at = try resolveParent(path, from: directory)
        guard at.kind == .normal else { throw .EISDIR }
        let victim = try lookupChild(at.directory, at.name, crossMounts: false)
        if at.trailingSlash { throw victim.isDirectory ? .EISDIR : .ENOTDIR }
        if victim.isDirectory { throw .EISDIR }
        try at.directory.unlink(at.name)
        at.directory.superBlock.nameCache?.invalidate(directory: at.directory, name: at.name)
    }
    public func unlink(_ path: String, from directory: Inode? = nil) throws(Errno) { try unlink(Array(path.utf8), from: directory) }

    /// rmdir(2): EINVAL for ".", ENOTEMPTY for "..", EBUSY for "/" and mount points,
    /// ENOTDIR for a non-directory, ENOTEMPTY for a directory with entries.
    public func removeDirectory(_ path: [UInt8], from directory: Inode? = nil) throws(Errno) {
        let at = try resolveParent(path, from: directory)
        switch at.kind {
        case .dot: throw .EINVAL
        case .dotDot: throw .ENOTEMPTY
        case .root: throw .EBUSY
        case .normal: break
        }
        let victim = try lookupChild(at.directory, at.name, crossMounts: false)
        guard victim.isDirectory else { throw .ENOTDIR }
        if victim.lock.withLock({ victim.mountedHere != nil }) || victim === root { throw .EBUSY }
        try at.directory.removeDirectory(at.name)
        at.directory.superBlock.nameCache?.invalidate(directory: at.directory, name: at.name)
    }
    public func removeDirectory(_ path: String, from directory: Inode? = nil) throws(Errno) {
        try removeDirectory(Array(path.utf8), from: directory)
    }

    /// readlink(2): the target bytes (the caller truncates to its buffer). EINVAL for a non-symlink.
    public func readlink(_ path: [UInt8], from directory: Inode? = nil) throws(Errno) -> [UInt8] {
        let inode = try resolve(path, from: directory, followSymlinks: false)
        guard inode.isSymlink else { throw .EINVAL }
        return try inode.readlink()
    }
    public func readlink(_ path: String, from directory: Inode? = nil) throws(Errno) -> [UInt8] {
        try readlink(Array(path.utf8), from: directory)
    }
}

/// An O_PATH file: it names an inode (fstat, *at calls, fchdir) and allows no I/O.
final class PathFile: OpenFile, @unchecked Sendable {
    override func doRead(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(Errno) -> Int { throw .EBADF }
    override func doWrite(from buffer: UnsafeRawBufferPointer, at offset: Int64) throws(Errno) -> Int { throw .EBADF }
    override func ioctl(_ request: UInt32, argument: UInt64, caller: any IoctlCaller) throws(Errno) -> Int { throw .EBADF }
    override func doReadDirectory(into buffer: UnsafeMutableRawBufferPointer, from offset: Int64) throws(Errno) -> (Int, Int64) { throw .EBADF }
}
