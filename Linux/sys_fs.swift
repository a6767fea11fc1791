// The name space: stat family (stat/lstat/fstat/newfstatat/statx), access/faccessat,
// getcwd/chdir/fchdir/chroot, mkdir/mknod, unlink/rmdir, rename, link, symlink, readlink, chmod,
// chown, utimensat, truncate, statfs, umask, mount/umount2. Paths resolve from the cwd or the
// *at call's directory descriptor; AT_EMPTY_PATH operates on the descriptor itself.
import FileSystem
import LinuxABI

/// The inode an *at call names (path, or the fd itself with AT_EMPTY_PATH).
func inodeAt(_ dirfd: Int32, _ pathAddress: UInt64, flags: UInt64, follow: Bool) throws(Errno) -> Inode {
    let at = AtFlags(rawValue: UInt32(truncatingIfNeeded: flags))
    return try UserMemory.withPath(pathAddress, allowEmpty: at.contains(.AT_EMPTY_PATH)) { (path) throws(Errno) -> Inode in
        if path.isEmpty {
            if dirfd == AT_FDCWD { return currentProcess.cwd }
            return try currentProcess.files.get(dirfd).inode
        }
        return try KernelFiles.vfs.resolve(path, from: try directory(dirfd, for: path),
                                           followSymlinks: follow && !at.contains(.AT_SYMLINK_NOFOLLOW))
    }
}

func sys_stat(_ a: SyscallArguments) throws(Errno) -> Int {
    try UserMemory.writeStat(a.a1, try inodeAt(AT_FDCWD, a.a0, flags: 0, follow: true).stat()); return 0
}
func sys_lstat(_ a: SyscallArguments) throws(Errno) -> Int {
    try UserMemory.writeStat(a.a1, try inodeAt(AT_FDCWD, a.a0, flags: 0, follow: false).stat()); return 0
}
func sys_fstat(_ a: SyscallArguments) throws(Errno) -> Int {
    try UserMemory.writeStat(a.a1, try currentFile(fd(a.a0)).stat()); return 0
}
func sys_newfstatat(_ a: SyscallArguments) throws(Errno) -> Int {
    // AT_SYMLINK_NOFOLLOW 0x100, AT_NO_AUTOMOUNT 0x800, AT_EMPTY_PATH 0x1000.
    guard a.a3 & ~0x1900 == 0 else { throw .EINVAL }
    try UserMemory.writeStat(a.a2, try inodeAt(fd(a.a0), a.a1, flags: a.a3, follow: true).stat()); return 0
}
/// statx(2): flags as newfstatat plus AT_STATX_SYNC_TYPE 0x6000 (FORCE_SYNC|DONT_SYNC, not
/// both); mask bit STATX__RESERVED 0x80000000 is EINVAL.
func sys_statx(_ a: SyscallArguments) throws(Errno) -> Int {
    guard a.a2 & ~0x7900 == 0, a.a2 & 0x6000 != 0x6000, a.a3 & 0x8000_0000 == 0 else { throw .EINVAL }
    let inode = try inodeAt(fd(a.a0), a.a1, flags: a.a2, follow: true)
    try UserMemory.writeBytes(a.a4, inode.stat().encodedStatx(mountID: UInt64(inode.superBlock.mount?.id ?? 0)))
    return 0
}

/// access(2): everything runs as root, so only existence and, for X_OK, an execute bit count.
func checkAccess(_ inode: Inode, _ mode: UInt64) throws(Errno) {
    guard mode & ~7 == 0 else { throw .EINVAL }
    if mode & 1 != 0 {
        let st = inode.stat()
        if !st.mode.isDirectory && st.mode.rawValue & 0o111 == 0 { throw .EACCES }
    }
}
func sys_access(_ a: SyscallArguments) throws(Errno) -> Int {
    try checkAccess(try inodeAt(AT_FDCWD, a.a0, flags: 0, follow: true), a.a1); return 0
}
func sys_faccessat(_ a: SyscallArguments) throws(Errno) -> Int {
    try checkAccess(try inodeAt(fd(a.a0), a.a1, flags: 0, follow: true), a.a2); return 0
}
func sys_faccessat2(_ a: SyscallArguments) throws(Errno) -> Int {
    try checkAccess(try inodeAt(fd(a.a0), a.a1, flags: a.a3, follow: true), a.a2); return 0
}

func sys_getcwd(_ a: SyscallArguments) throws(Errno) -> Int {
    guard var path = KernelFiles.vfs.path(of: currentProcess.cwd) else { throw .ENOENT }
    path.append(0)
    guard path.count <= Int(a.a1) else { throw .ERANGE }
    try UserMemory.writeBytes(a.a0, path)
    return path.count
}

func sys_chdir(_ a: SyscallArguments) throws(Errno) -> Int {
    let inode = try KernelFiles.vfs.resolve(try userPath(a.a0), from: currentProcess.cwd)
    guard inode.isDirectory else { throw .ENOTDIR }
    currentProcess.cwd = inode
    return 0
}

/// chroot(2): absolute paths and ".." of the caller (and its children) stop at `path`
/// (ENOTDIR if it is not a directory). The cwd stays where it is, as on Linux.
func sys_chroot(_ a: SyscallArguments) throws(Errno) -> Int {
    let inode = try KernelFiles.vfs.resolve(try userPath(a.a0), from: currentProcess.cwd)
    guard inode.isDirectory else { throw .ENOTDIR }
    guard let vfs = KernelFiles.vfs else { throw .ENOENT }
    if vfs.rootOverride == nil { vfs.rootOverride = { Scheduler.current.process?.root } }
    currentProcess.root = inode === vfs.root ? nil : inode
    return 0
}

func sys_fchdir(_ a: SyscallArguments) throws(Errno) -> Int {
    let inode = try currentFile(fd(a.a0)).inode
    guard inode.isDirectory else { throw .ENOTDIR }
    currentProcess.cwd = inode
    return 0
}

func sys_mkdirat(_ a: SyscallArguments) throws(Errno) -> Int {
    let path = try userPath(a.a1)
    _ = try KernelFiles.vfs.makeDirectory(path, from: try directory(fd(a.a0), for: path),
                                          mode: UInt32(truncatingIfNeeded: a.a2) & ~currentProcess.umask & 0o7777)
    return 0
}
func sys_mkdir(_ a: SyscallArguments) throws(Errno) -> Int {
    try sys_mkdirat(SyscallArguments(frame: a.frame, override: (UInt64(bitPattern: Int64(AT_FDCWD)), a.a0), shift: a.a1))
}

func sys_mknodat(_ a: SyscallArguments) throws(Errno) -> Int {
    let mode = UInt32(truncatingIfNeeded: a.a2)
    let type = mode & 0o170000
    let permissions = mode & 0o7777 & ~currentProcess.umask
    let path = try userPath(a.a1)
    _ = try KernelFiles.vfs.makeNode(path, from: try directory(fd(a.a0), for: path),
                                     mode: (type == 0 ? 0o100000 : type) | permissions,
                                     device: DeviceNumber(encoded: a.a3))
    return 0
}

func sys_unlinkat(_ a: SyscallArguments) throws(Errno) -> Int {
    let flags = AtFlags(rawValue: UInt32(truncatingIfNeeded: a.a2))
    guard flags.subtracting(.AT_REMOVEDIR).isEmpty else { throw .EINVAL }
    let path = try userPath(a.a1), dir = try directory(fd(a.a0), for: path)
    if flags.contains(.AT_REMOVEDIR) { try KernelFiles.vfs.removeDirectory(path, from: dir) }
    else { try KernelFiles.vfs.unlink(path, from: dir) }
    return 0
}
func sys_unlink(_ a: SyscallArguments) throws(Errno) -> Int { try KernelFiles.vfs.unlink(try userPath(a.a0), from: currentProcess.cwd); return 0 }
func sys_rmdir(_ a: SyscallArguments) throws(Errno) -> Int { try KernelFiles.vfs.removeDirectory(try userPath(a.a0), from: currentProcess.cwd); return 0 }

func sys_renameat2(_ a: SyscallArguments) throws(Errno) -> Int {
    let old = try userPath(a.a1), new = try userPath(a.a3)
    try KernelFiles.vfs.rename(old, from: try directory(fd(a.a0), for: old), to: new,
                               from: try directory(fd(a.a2), for: new), flags: RenameFlags(rawValue: UInt32(truncatingIfNeeded: a.a4)))
    return 0
}
func sys_renameat(_ a: SyscallArguments) throws(Errno) -> Int {
    let old = try userPath(a.a1), new = try userPath(a.a3)
    try KernelFiles.vfs.rename(old, from: try directory(fd(a.a0), for: old), to: new, from: try directory(fd(a.a2), for: new))
    return 0
}
func sys_rename(_ a: SyscallArguments) throws(Errno) -> Int {
    try KernelFiles.vfs.rename(try userPath(a.a0), from: currentProcess.cwd, to: try userPath(a.a1), from: currentProcess.cwd)
    return 0
}

func sys_linkat(_ a: SyscallArguments) throws(Errno) -> Int {
    let flags = AtFlags(rawValue: UInt32(truncatingIfNeeded: a.a4))
    guard flags.subtracting([.AT_SYMLINK_FOLLOW, .AT_EMPTY_PATH]).isEmpty else { throw .EINVAL }
    if flags.contains(.AT_EMPTY_PATH), try userPath(a.a1, allowEmpty: true).isEmpty {
        let new = try userPath(a.a3)
        try KernelFiles.vfs.link(inode: try currentFile(fd(a.a0)).inode, to: new, from: try directory(fd(a.a2), for: new))
        return 0
    }
    let old = try userPath(a.a1), new = try userPath(a.a3)
    try KernelFiles.vfs.link(old, from: try directory(fd(a.a0), for: old), to: new,
                             from: try directory(fd(a.a2), for: new), followSymlink: flags.contains(.AT_SYMLINK_FOLLOW))
    return 0
}
func sys_link(_ a: SyscallArguments) throws(Errno) -> Int {
    try KernelFiles.vfs.link(try userPath(a.a0), from: currentProcess.cwd, to: try userPath(a.a1), from: currentProcess.cwd)
    return 0
}

func sys_symlinkat(_ a: SyscallArguments) throws(Errno) -> Int {
    let path = try userPath(a.a2)
    _ = try KernelFiles.vfs.makeSymlink(target: try userPath(a.a0), at: path, from: try directory(fd(a.a1), for: path))
    return 0
}
func sys_symlink(_ a: SyscallArguments) throws(Errno) -> Int {
    _ = try KernelFiles.vfs.makeSymlink(target: try userPath(a.a0), at: try userPath(a.a1), from: currentProcess.cwd)
    return 0
}

func readlinkInto(_ target: [UInt8], _ address: UInt64, _ size: UInt64) throws(Errno) -> Int {
    guard Int64(bitPattern: size) > 0 else { throw .EINVAL }
    let n = min(target.count, Int(size))
    try UserMemory.writeBytes(address, Array(target[0..<n]))
    return n
}
func sys_readlinkat(_ a: SyscallArguments) throws(Errno) -> Int {
    let inode = try inodeAt(fd(a.a0), a.a1, flags: UInt64(AtFlags.AT_EMPTY_PATH.rawValue), follow: false)
    return try readlinkInto(try inode.readlink(), a.a2, a.a3)
}
func sys_readlink(_ a: SyscallArguments) throws(Errno) -> Int {
    try readlinkInto(try KernelFiles.vfs.readlink(try userPath(a.a0), from: currentProcess.cwd), a.a1, a.a2)
}

func sys_fchmodat(_ a: SyscallArguments) throws(Errno) -> Int {
    try inodeAt(fd(a.a0), a.a1, flags: 0, follow: true).changeMode(UInt32(truncatingIfNeeded: a.a2) & 0o7777); return 0
}
func sys_chmod(_ a: SyscallArguments) throws(Errno) -> Int {
    try inodeAt(AT_FDCWD, a.a0, flags: 0, follow: true).changeMode(UInt32(truncatingIfNeeded: a.a1) & 0o7777); return 0
}
func sys_fchmod(_ a: SyscallArguments) throws(Errno) -> Int {
    try currentFile(fd(a.a0)).inode.changeMode(UInt32(truncatingIfNeeded: a.a1) & 0o7777); return 0
}

func ownerIDs(_ u: UInt64, _ g: UInt64) -> (UInt32?, UInt32?) {
    let uid = UInt32(truncatingIfNeeded: u), gid = UInt32(truncatingIfNeeded: g)
    return (uid == .max ? nil : uid, gid == .max ? nil : gid)
}
func sys_fchownat(_ a: SyscallArguments) throws(Errno) -> Int {
    let (u, g) = ownerIDs(a.a2, a.a3)
    try inodeAt(fd(a.a0), a.a1, flags: a.a4, follow: true).changeOwner(uid: u, gid: g); return 0
}
func sys_chown(_ a: SyscallArguments) throws(Errno) -> Int {
    let (u, g) = ownerIDs(a.a1, a.a2)
    try inodeAt(AT_FDCWD, a.a0, flags: 0, follow: true).changeOwner(uid: u, gid: g); return 0
}
func sys_lchown(_ a: SyscallArguments) throws(Errno) -> Int {
    let (u, g) = ownerIDs(a.a1, a.a2)
    try inodeAt(AT_FDCWD, a.a0, flags: 0, follow: false).changeOwner(uid: u, gid: g); return 0
}
func sys_fchown(_ a: SyscallArguments) throws(Errno) -> Int {
    let (u, g) = ownerIDs(a.a1, a.a2)
    try currentFile(fd(a.a0)).inode.changeOwner(uid: u, gid: g); return 0
}

/// utimensat(2): NULL times = now; UTIME_NOW / UTIME_OMIT per field; a NULL path with a dirfd
/// is futimens.
func sys_utimensat(_ a: SyscallArguments) throws(Errno) -> Int {
    var access = TimeUpdate.now, modification = TimeUpdate.now
    if a.a2 != 0 {
        let t = try UserMemory.read(a.a2, as: (Int64, Int64, Int64, Int64).self)
        access = try TimeUpdate(seconds: t.0, nanoseconds: t.1)
        modification = try TimeUpdate(seconds: t.2, nanoseconds: t.3)
    }
    let inode: Inode
    if a.a1 == 0 { inode = try currentFile(fd(a.a0)).inode }
    else { inode = try inodeAt(fd(a.a0), a.a1, flags: a.a3, follow: true) }
    try inode.updateTimes(access: access, modification: modification)
    return 0
}

func sys_truncate(_ a: SyscallArguments) throws(Errno) -> Int {
    try KernelFiles.vfs.truncate(try userPath(a.a0), from: currentProcess.cwd, length: Int64(bitPattern: a.a1)); return 0
}

func sys_statfs(_ a: SyscallArguments) throws(Errno) -> Int {
    try UserMemory.writeBytes(a.a1, try KernelFiles.vfs.statfs(try userPath(a.a0), from: currentProcess.cwd).encoded()); return 0
}
func sys_fstatfs(_ a: SyscallArguments) throws(Errno) -> Int {
    try UserMemory.writeBytes(a.a1, try currentFile(fd(a.a0)).inode.superBlock.statfs().encoded()); return 0
}

func sys_umask(_ a: SyscallArguments) throws(Errno) -> Int {
    let p = currentProcess
    let old = p.umask
    p.umask = UInt32(truncatingIfNeeded: a.a0) & 0o777
    return Int(old)
}

/// mount(2): proc, tmpfs/ramfs, devtmpfs, kfs (a virtio disk), and MS_REMOUNT (accepted). umount2(2).
func sys_mount(_ a: SyscallArguments) throws(Errno) -> Int {
    let target = try userPath(a.a1)
    let flags = a.a3
    if flags & 32 != 0 { return 0 }                               // MS_REMOUNT
    let type = a.a2 != 0 ? try UserMemory.readString(a.a2, limit: 64) : []
    let source = a.a0 != 0 ? try UserMemory.readString(a.a0, limit: 256) : type
    let vfs = KernelFiles.vfs!
    let sb: SuperBlock
    switch String(decoding: type, as: UTF8.self) {
    case "proc": sb = KernelFiles.procfs
    case "tmpfs", "ramfs": sb = vfs.makeRamFS(typeName: String(decoding: type, as: UTF8.self))
    case "devtmpfs": sb = KernelFiles.devfs.fileSystem
    case "kfs": sb = try KFSMounts.mount(source: source, vfs: vfs, from: currentProcess.cwd)  // Linux/KFSMount.swift
    case "sysfs": throw .ENODEV
    default: throw .ENODEV
    }
    try vfs.mount(sb, at: target, from: currentProcess.cwd, source: String(decoding: source, as: UTF8.self))
    return 0
}

func sys_umount2(_ a: SyscallArguments) throws(Errno) -> Int {
    try KFSMounts.willUnmount(try userPath(a.a0), from: currentProcess.cwd)   // commits a KFS snapshot first
    try KernelFiles.vfs.unmount(try userPath(a.a0), from: currentProcess.cwd)
    return 0
}
