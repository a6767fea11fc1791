// The inodes and open files procfs makes from its registrations (ProcFS.swift). Inodes are
// made on each lookup, with numbers hashed from the parent's number and the name so that
// repeated lookups agree; a file's content is generated when it is opened, and reads, seeks
// and the size come from that snapshot (stat reports size 0, as Linux's /proc does).
import LinuxABI
import Objects

/// A stable inode number for a generated name (FNV-1a of parent number and name, high bits set
/// so it never meets the counter-allocated numbers of static nodes).
func procInodeNumber(parent: UInt64, name: [UInt8]) -> UInt64 {
    var h: UInt64 = 0xcbf29ce484222325 ^ parent
    for b in name { h = (h ^ UInt64(b)) &* 0x100000001b3 }
    return (h & 0x0fff_ffff_ffff_ffff) | 0x1000_0000_0000_0000
}

func makeProcInode(_ entry: ProcEntry, fs: ProcFS, parent: ProcDirectoryInode, name: [UInt8]) -> Inode {
    let number = procInodeNumber(parent: parent.inodeNumber, name: name)
    switch entry {
    case .file(let spec): return ProcFileInode(fs: fs, spec: spec, inodeNumber: number)
    case .symlink(let target, let jump): return ProcSymlinkInode(fs: fs, target: target, jump: jump, inodeNumber: number)
    case .directory(let d): return ProcDirectoryInode(fs: fs, directory: d, parent: parent, name: name, inodeNumber: number)
    }
}

final class ProcDirectoryInode: Inode, @unchecked Sendable {
    unowned(unsafe) let fs: ProcFS
    let directory: ProcDirectory
    let parent: ProcDirectoryInode?
    let name: [UInt8]?

    init(fs: ProcFS, directory: ProcDirectory, parent: ProcDirectoryInode?, name: [UInt8]?, inodeNumber: UInt64) {
        self.fs = fs; self.directory = directory; self.parent = parent; self.name = name
        super.init(superBlock: fs, mode: FileMode(rawValue: FileMode.S_IFDIR.rawValue | 0o555), linkCount: 2,
                   inodeNumber: inodeNumber)
    }

    override var parentDirectory: Inode? { parent }
    override var nameInParent: [UInt8]? { name }
    override var isEmptyDirectory: Bool { false }
    override var allocatedBlocksLocked: Int64 { 0 }

    override func lookup(_ name: [UInt8]) throws(Errno) -> Inode {
        if let e = directory.staticChild(name) { return makeProcInode(e, fs: fs, parent: self, name: name) }
        if let lookup = directory.provider.lookup, let e = lookup(name) { return makeProcInode(e, fs: fs, parent: self, name: name) }
        throw .ENOENT
    }

    override func readDirectory(after cookie: Int64, _ body: (DirectoryEntry) -> Bool) throws(Errno) {
        var c: Int64 = 3
        for child in directory.staticChildren {
            if c > cookie {
                let e = DirectoryEntry(name: child.name, inodeNumber: procInodeNumber(parent: inodeNumber, name: child.name),
                                       type: child.entry.type, cookie: c)
                if !body(e) { return }
            }
            c += 1
        }
        guard let list = directory.provider.list else { return }
        for item in list() {
            if c > cookie {
                let e = DirectoryEntry(name: item.name, inodeNumber: procInodeNumber(parent: inodeNumber, name: item.name),
                                       type: item.type, cookie: c)
                if !body(e) { return }
            }
            c += 1
        }
    }

    override func createNode(_ name: [UInt8], mode: FileMode, device: DeviceNumber, uid: UInt32, gid: UInt32) throws(Errno) -> Inode { throw .ENOENT }   // Linux: no such entry (proc lookups fail, nothing is created)
    override func makeDirectory(_ name: [UInt8], mode: FileMode, uid: UInt32, gid: UInt32) throws(Errno) -> Inode { throw .EACCES }
    override func makeSymlink(_ name: [UInt8], target: [UInt8], uid: UInt32, gid: UInt32) throws(Errno) -> Inode { throw .EACCES }
    override func link(_ name: [UInt8], to inode: Inode) throws(Errno) { throw .EACCES }
    override func unlink(_ name: [UInt8]) throws(Errno) { throw .EACCES }
    override func removeDirectory(_ name: [UInt8]) throws(Errno) { throw .EACCES }
    override func rename(_ oldName: [UInt8], to newDirectory: Inode, as newName: [UInt8], flags: RenameFlags) throws(Errno) { throw .EACCES }
    override func open(flags: OpenFlags) throws(Errno) -> OpenFile { DirectoryFile(inode: self, flags: flags) }
}

final class ProcFileInode: Inode, @unchecked Sendable {
    let spec: ProcFileSpec
    init(fs: ProcFS, spec: ProcFileSpec, inodeNumber: UInt64) {
        self.spec = spec
        super.init(superBlock: fs, mode: FileMode(rawValue: FileMode.S_IFREG.rawValue | (spec.mode & 0o7777)),
                   inodeNumber: inodeNumber)
    }
    override var allocatedBlocksLocked: Int64 { 0 }
    override func truncate(to length: Int64) throws(Errno) {
        guard spec.write != nil else { throw .EACCES }      // O_TRUNC on a writable proc file: nothing to do
    }
    override func open(flags: OpenFlags) throws(Errno) -> OpenFile {
        if flags.isWritable && spec.write == nil { throw .EACCES }
        let content = flags.isReadable ? try spec.content() : []
        return ProcFile(inode: self, flags: flags, content: content, writer: spec.write)
    }
}

final class ProcSymlinkInode: Inode, @unchecked Sendable {
    let target: () throws(Errno) -> [UInt8]
    let jump: (() throws(Errno) -> Inode)?
    init(fs: ProcFS, target: @escaping () throws(Errno) -> [UInt8], jump: (() throws(Errno) -> Inode)?, inodeNumber: UInt64) {
        self.target = target; self.jump = jump
        super.init(superBlock: fs, mode: FileMode(rawValue: FileMode.S_IFLNK.rawValue | 0o777), inodeNumber: inodeNumber)
    }
    override func readlink() throws(Errno) -> [UInt8] { try target() }
    override func followLink() throws(Errno) -> Inode? { try jump?() }
    override func stat() -> Stat {
        var s = super.stat()
        s.size = Int64((try? target())?.count ?? 0)
        return s
    }
}

/// An open /proc file: the snapshot made at open; writes go to the registration's writer.
final class ProcFile: OpenFile, @unchecked Sendable {
    let content: [UInt8]
    let writer: (([UInt8]) throws(Errno) -> Void)?
    init(inode: Inode, flags: OpenFlags, content: [UInt8], writer: (([UInt8]) throws(Errno) -> Void)?) {
        self.content = content; self.writer = writer
        super.init(inode: inode, flags: flags)
    }
    override func doRead(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        guard offset < Int64(content.count) else { return 0 }
        let start = Int(offset)
        let n = min(buffer.count, content.count - start)
        for i in 0..<n { buffer[i] = content[start + i] }
        return n
    }
    override func doWrite(from buffer: UnsafeRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        guard let w = writer else { throw .EIO }
        try w(Array(buffer))
        return buffer.count
    }
    override func computeSeek(_ offset: Int64, whence: SeekWhence, current: Int64) throws(Errno) -> Int64 {
        switch whence {
        case .SEEK_SET: return offset
        case .SEEK_CUR: return current + offset
        case .SEEK_END: return Int64(content.count) + offset
        default: throw .EINVAL
        }
    }
}
