// ramfs/tmpfs: the in-memory file system. The root file system is a RamFS filled from the
// initrd (Initramfs/CPIO.swift); /tmp and /dev (DevFS/) are RamFS instances too. Directories
// are hash tables with insertion-ordered cookies for getdents (RamDirectory below), file data
// lives in page-sized chunks (RamFile.swift). Each inode has its own lock; no global lock.
import LinuxABI
import Objects
import Synchronization

public final class RamFS: SuperBlock, @unchecked Sendable {
    /// tmpfs's size= limit in pages (0 = unlimited, like ramfs).
    public let pageLimit: Int
    let pagesInUse = SharedAtomic(0)
    let inodesInUse = SharedAtomic(0)

    /// A ramfs ("ramfs", RAMFS_MAGIC) or a tmpfs ("tmpfs", TMPFS_MAGIC) with an optional size
    /// limit; "rootfs" and "devtmpfs" are tmpfs instances too, as Linux's are.
    public init(device: DeviceNumber, clock: FileSystemClock, typeName: String = "ramfs",
                pageLimit: Int = 0, rootMode: UInt32 = 0o755) {
        self.pageLimit = pageLimit
        super.init(typeName: typeName, magic: typeName == "ramfs" ? StatFS.RAMFS_MAGIC : StatFS.TMPFS_MAGIC,
                   device: device, clock: clock, nameCache: NameCache())
        let root = RamDirectory(fs: self, mode: FileMode(rawValue: FileMode.S_IFDIR.rawValue | (rootMode & 0o7777)), parent: nil, name: nil)
        setRoot(root)
    }

    /// Reserves `count` pages; false (ENOSPC for the caller) when over the limit.
    func reservePages(_ count: Int) -> Bool {
        let after = pagesInUse.value.wrappingAdd(count, ordering: .relaxed).newValue
        if pageLimit > 0 && after > pageLimit {
            pagesInUse.value.wrappingSubtract(count, ordering: .relaxed)
            return false
        }
        return true
    }
    func releasePages(_ count: Int) { pagesInUse.value.wrappingSubtract(count, ordering: .relaxed) }

    public var usedPages: Int { pagesInUse.load() }

    /// The machine's RAM in pages (set at boot): a tmpfs without size= reports half of it, as
    /// Linux's default size and nr_inodes are (Documentation/filesystems/tmpfs.rst).
    public nonisolated(unsafe) static var memoryPages = 0

    /// statfs(2). Plain ramfs reports no size (Linux's simple_statfs: df hides it); tmpfs, the
    /// initramfs root (Linux's rootfs is a tmpfs) and devtmpfs report their size= limit or the
    /// default half of RAM, and free = size - used. The default is reported, not enforced.
    public override func statfs() -> StatFS {
        var s = super.statfs()
        let used = UInt64(pagesInUse.load())
        let inodes = UInt64(inodesInUse.load())
        if typeName == "ramfs" {
            s.files = inodes; s.freeFiles = 0
            return s
        }
        let size = UInt64(pageLimit > 0 ? pageLimit : RamFS.memoryPages / 2)
        s.blocks = size
        s.freeBlocks = size > used ? size - used : 0
        s.availableBlocks = s.freeBlocks
        let inodeLimit = max(UInt64(RamFS.memoryPages / 2), inodes)
        s.files = inodeLimit
        s.freeFiles = inodeLimit - inodes
        return s
    }

    /// Makes the inode for a new directory entry of `mode`'s type.
    func makeInode(mode: FileMode, device: DeviceNumber, parent: RamDirectory, name: [UInt8]) throws(Errno) -> Inode {
        switch mode.type {
        case .regular: return RamFile(fs: self, mode: mode)
        case .directory: return RamDirectory(fs: self, mode: mode, parent: parent, name: name)
        case .fifo: return RamFIFO(fs: self, mode: mode)
        case .characterDevice, .blockDevice, .socket:
            let node = RamSpecial(fs: self, mode: mode)
            node.specialDevice = device
            return node
        default: throw .EINVAL
        }
    }
}

/// A ramfs symlink: its target bytes.
final class RamSymlink: Inode, @unchecked Sendable {
    let target: [UInt8]
    init(fs: RamFS, target: [UInt8]) {
        self.target = target
        super.init(superBlock: fs, mode: FileMode(rawValue: FileMode.S_IFLNK.rawValue | 0o777))
        size = Int64(target.count)
        fs.inodesInUse.add(1)
    }
    deinit { (superBlock as? RamFS)?.inodesInUse.add(-1) }
    override func readlink() throws(Errno) -> [UInt8] { target }
    override func open(flags: OpenFlags) throws(Errno) -> OpenFile { throw .ELOOP }
}

/// A device node or socket in a ramfs: attributes only; the VFS routes opens of device nodes to
/// its DeviceRegistry, and sockets cannot be opened (ENXIO).
final class RamSpecial: Inode, @unchecked Sendable {
    init(fs: RamFS, mode: FileMode) {
        super.init(superBlock: fs, mode: mode)
        fs.inodesInUse.add(1)
    }
    deinit { (superBlock as? RamFS)?.inodesInUse.add(-1) }
}

/// A named pipe (mkfifo): the pipe is made on first open and shared by later opens.
/// Deviation: opening does not wait for the other end (fifo(7) says it blocks).
final class RamFIFO: Inode, @unchecked Sendable {
    private var pipe: Pipe?
    init(fs: RamFS, mode: FileMode) {
        super.init(superBlock: fs, mode: mode)
        fs.inodesInUse.add(1)
    }
    deinit { (superBlock as? RamFS)?.inodesInUse.add(-1) }
    override func open(flags: OpenFlags) throws(Errno) -> OpenFile {
        let p: Pipe = lock.withLock {
            if let existing = pipe { return existing }
            let made = Pipe(inode: self)
            pipe = made
            return made
        }
        switch flags.accessMode {
        case 0: return p.openReadEnd(flags: flags)
        case 1: return p.openWriteEnd(flags: flags)
        default: return p.openReadWriteEnd(flags: flags)
        }
    }
}
