// The initramfs unpacker: cpio "newc" archives (070701, and 070702 whose checksum we do not
// verify) as Linux's init/initramfs.c reads them: a 110-byte header of 13 eight-digit hex
// fields, the NUL-terminated name, the data, each padded to 4 bytes; "TRAILER!!!" ends an
// archive and another may follow after zero padding. Regular files, directories, symlinks,
// device nodes, fifos and sockets; hard links by (device, inode) as in Linux's maybe_link.
// Every field and size is validated: a corrupt or truncated archive throws EINVAL, never traps.
// Deviations: missing parent directories are created; compressed archives are EINVAL.
import LinuxABI
import Objects

public struct CPIOUnpackResult: Equatable {
    public var directories = 0
    public var files = 0
    public var symlinks = 0
    public var nodes = 0
    public var hardLinks = 0
    public var dataBytes = 0
    public init() {}
}

public enum CPIO {
    static let headerSize = 110
    static let trailer: [UInt8] = Array("TRAILER!!!".utf8)

    /// One parsed header.
    struct Header {
        var inode: UInt32, mode: UInt32, uid: UInt32, gid: UInt32, linkCount: UInt32, mtime: UInt32
        var fileSize: UInt32, deviceMajor: UInt32, deviceMinor: UInt32, rdevMajor: UInt32, rdevMinor: UInt32
        var nameSize: UInt32
    }

    struct LinkKey: Hashable { let major: UInt32, minor: UInt32, inode: UInt32 }

    /// Unpacks `archive` into `directory` (normally the root of the VFS's root ramfs).
    @discardableResult
    public static func unpack(_ archive: UnsafeRawBufferPointer, into directory: Inode, vfs: VFS) throws(Errno) -> CPIOUnpackResult {
        var result = CPIOUnpackResult()
        var links: [LinkKey: Inode] = [:]
        var directoryTimes: [(Inode, Timespec)] = []
        var offset = 0
        var sawTrailer = false
        var sawHeader = false
        let count = archive.count
        while true {
            // Zero padding between concatenated archives.
            while offset < count && archive[offset] == 0 { offset += 1 }
            if offset >= count { break }
            sawTrailer = false
            sawHeader = true
            guard count - offset >= headerSize else { throw .EINVAL }
            let h = try parseHeader(archive, at: offset)
            guard h.nameSize >= 2, h.nameSize <= UInt32(PATH_MAX) else { throw .EINVAL }
            let nameStart = offset + headerSize
            let nameEnd = nameStart + Int(h.nameSize)
            guard nameEnd <= count, archive[nameEnd - 1] == 0 else { throw .EINVAL }
            var name: [UInt8] = []
            name.reserveCapacity(Int(h.nameSize) - 1)
            for i in nameStart..<(nameEnd - 1) {
                guard archive[i] != 0 else { throw .EINVAL }
                name.append(archive[i])
            }
            let dataStart = align4(nameEnd)
            guard dataStart <= count, Int(h.fileSize) <= count - dataStart else { throw .EINVAL }
            let data = UnsafeRawBufferPointer(rebasing: archive[dataStart..<(dataStart + Int(h.fileSize))])
            offset = align4(dataStart + Int(h.fileSize))
            if name == trailer {
                sawTrailer = true
                links.removeAll()
                continue
            }
            try extract(h, name: name, data: data, into: directory, vfs: vfs, links: &links,
                        directoryTimes: &directoryTimes, result: &result)
        }
        // Directory times last: creating their entries changed them (Linux's dir_utime).
        for (dir, time) in directoryTimes {
            try? dir.updateTimes(access: .set(time), modification: .set(time))
        }
        if sawHeader && !sawTrailer { throw .EINVAL }   // truncated: no trailer after the last entry
        return result
    }

    /// Unpacks an archive held in an array (tests, small archives).
    @discardableResult
    public static func unpack(_ archive: [UInt8], into directory: Inode, vfs: VFS) throws(Errno) -> CPIOUnpackResult {
        let outcome = archive.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Result<CPIOUnpackResult, Errno> in
            do throws(Errno) { return .success(try unpack(raw, into: directory, vfs: vfs)) } catch { return .failure(error) }
        }
        return try outcome.get()
    }

    static func align4(_ x: Int) -> Int { (x + 3) & ~3 }

    static func parseHeader(_ a: UnsafeRawBufferPointer, at offset: Int) throws(Errno) -> Header {
        // "070701" (newc) or "070702" (crc).
        let magic: [UInt8] = [0x30, 0x37, 0x30, 0x37, 0x30]
        for i in 0..<5 { guard a[offset + i] == magic[i] else { throw .EINVAL } }
        guard a[offset + 5] == 0x31 || a[offset + 5] == 0x32 else { throw .EINVAL }
        var fields: [UInt32] = []
        fields.reserveCapacity(13)
        for f in 0..<13 {
            var v: UInt32 = 0
            for i in 0..<8 {
                let c = a[offset + 6 + f * 8 + i]
                let digit: UInt32
                switch c {
                case 0x30...0x39: digit = UInt32(c - 0x30)
                case 0x41...0x46: digit = UInt32(c - 0x41 + 10)
                case 0x61...0x66: digit = UInt32(c - 0x61 + 10)
                default: throw .EINVAL
                }
                v = v << 4 | digit
            }
            fields.append(v)
        }
        return Header(inode: fields[0], mode: fields[1], uid: fields[2], gid: fields[3], linkCount: fields[4],
                      mtime: fields[5], fileSize: fields[6], deviceMajor: fields[7], deviceMinor: fields[8],
                      rdevMajor: fields[9], rdevMinor: fields[10], nameSize: fields[11])
    }

    /// Strips leading "/" and "./" so every name is relative to the target directory.
    static func relativeName(_ name: [UInt8]) -> [UInt8] {
        var n = name[...]
        while true {
            if n.first == 0x2f { n = n.dropFirst(); continue }
            if n.count >= 2 && n[n.startIndex] == 0x2e && n[n.startIndex + 1] == 0x2f { n = n.dropFirst(2); continue }
            break
        }
        return Array(n)
    }

    static func extract(_ h: Header, name rawName: [UInt8], data: UnsafeRawBufferPointer, into root: Inode, vfs: VFS,
                        links: inout [LinkKey: Inode], directoryTimes: inout [(Inode, Timespec)],
                        result: inout CPIOUnpackResult) throws(Errno) {
        let name = relativeName(rawName)
        let mode = FileMode(rawValue: h.mode)
        let time = Timespec(seconds: Int64(h.mtime), nanoseconds: 0)
        if name.isEmpty || name == [0x2e] {
            if mode.isDirectory { try root.changeMode(h.mode & 0o7777); directoryTimes.append((root, time)) }
            return
        }
        let at = try parentCreating(name, root: root, vfs: vfs)
        let existing = try? vfs.lookupChild(at.directory, at.name, crossMounts: false)
        // Linux's clean_path: a name of a different kind is removed first (a directory stays).
        if let old = existing, !(old.isDirectory && mode.isDirectory) {
            if old.isDirectory { try? at.directory.removeDirectory(at.name) } else { try? at.directory.unlink(at.name) }
            at.directory.superBlock.nameCache?.invalidate(directory: at.directory, name: at.name)
        }
        let inode: Inode
        switch mode.type {
        case .directory:
            if let old = existing, old.isDirectory { inode = old }
            else { inode = try at.directory.makeDirectory(at.name, mode: FileMode(h.mode & 0o7777), uid: h.uid, gid: h.gid) }
            try inode.changeMode(h.mode & 0o7777)
            directoryTimes.append((inode, time))
            result.directories += 1
            return
        case .regular:
            let key = LinkKey(major: h.deviceMajor, minor: h.deviceMinor, inode: h.inode)
            if h.linkCount >= 2, let first = links[key] {
                try at.directory.link(at.name, to: first)
                inode = first
                result.hardLinks += 1
            } else {
                inode = try at.directory.createNode(at.name, mode: mode, device: .none, uid: h.uid, gid: h.gid)
                if h.linkCount >= 2 { links[key] = inode }
                result.files += 1
            }
            if data.count > 0 {
                var written = 0
                while written < data.count {
                    let n = try inode.write(from: UnsafeRawBufferPointer(rebasing: data[written...]), at: Int64(written))
                    guard n > 0 else { throw .ENOSPC }
                    written += n
                }
                result.dataBytes += data.count
            }
        case .symlink:
            guard data.count > 0, data.count < PATH_MAX else { throw .EINVAL }
            inode = try at.directory.makeSymlink(at.name, target: Array(data), uid: h.uid, gid: h.gid)
            result.symlinks += 1
            try inode.updateTimes(access: .set(time), modification: .set(time))
            return
        case .characterDevice, .blockDevice, .fifo, .socket:
            let rdev = DeviceNumber(major: h.rdevMajor, minor: h.rdevMinor)
            inode = try at.directory.createNode(at.name, mode: mode, device: rdev, uid: h.uid, gid: h.gid)
            result.nodes += 1
        default:
            return      // unknown type: skipped, as Linux does
        }
        try inode.changeMode(h.mode & 0o7777)
        try inode.changeOwner(uid: h.uid, gid: h.gid)
        try inode.updateTimes(access: .set(time), modification: .set(time))
    }

    /// The parent of `name` below `root`, making missing directories on the way (mode 0755).
    static func parentCreating(_ name: [UInt8], root: Inode, vfs: VFS) throws(Errno) -> ParentLocation {
        do throws(Errno) {
            let at = try vfs.resolveParent(name, from: root)
            guard at.kind == .normal else { throw Errno.EINVAL }
            return at
        } catch {
            guard error == .ENOENT else { throw error }
        }
        let (_, parts, _) = VFS.split(name)
        var current = root
        for part in parts.dropLast() {
            if VFS.isDot(part) || VFS.isDotDot(part) { throw .EINVAL }
            if let next = try? vfs.lookupChild(current, part) {
                guard next.isDirectory else { throw .ENOTDIR }
                current = next
            } else {
                current = try current.makeDirectory(part, mode: FileMode(0o755), uid: 0, gid: 0)
            }
        }
        return try vfs.resolveParent(parts.last!, from: current)
    }
}
