// The inode: one file-system object (file, directory, symlink, device node, fifo), like K42's
// per-file server objects and Linux's struct inode. A base class with overridable methods (the
// Embedded Swift way to get K42's C++ virtual objects): attributes live here, each file system
// subclasses it (RamFS/, ProcFS/) and overrides what it supports. The VFS (VFS/) validates names
// and does the generic checks; inode methods do the file-system-specific work under `lock`.
import LinuxABI
import Objects

/// One entry a directory reports to getdents64.
public struct DirectoryEntry {
    public var name: [UInt8]
    public var inodeNumber: UInt64
    public var type: FileType
    /// The directory offset just past this entry (d_off); readDirectory(after:) resumes there.
    public var cookie: Int64
    public init(name: [UInt8], inodeNumber: UInt64, type: FileType, cookie: Int64) {
        self.name = name; self.inodeNumber = inodeNumber; self.type = type; self.cookie = cookie
    }
}

open class Inode: @unchecked Sendable {
    /// Guards the attributes below and whatever the subclass says (its data, its entries).
    /// Lock order: parent directory before child; two directories in address order.
    public let lock = SpinLock()
    public let superBlock: SuperBlock
    public let inodeNumber: UInt64
    /// The file type, fixed at creation (chmod changes only permission bits), so it can be read
    /// without the lock: a directory checks its children's types while holding its own lock.
    public let fileType: FileType

    // Attributes (under `lock`).
    public var mode: FileMode
    public var linkCount: UInt64
    public var uid: UInt32 = 0
    public var gid: UInt32 = 0
    public var size: Int64 = 0
    public var specialDevice: DeviceNumber = .none
    public var accessTime: Timespec
    public var modificationTime: Timespec
    public var changeTime: Timespec
    /// The mount whose root covers this inode (set by the VFS under `lock`).
    public var mountedHere: Mount? { didSet { isMountpoint = mountedHere != nil } }
    /// Whether `mountedHere` is set, read by path walks without the lock (Linux's
    /// DCACHE_MOUNTED): only when it is true does a walk take the lock to cross. A walk racing
    /// with mount(2) may see either side, as on Linux.
    public private(set) var isMountpoint = false

    public init(superBlock: SuperBlock, mode: FileMode, linkCount: UInt64 = 1, inodeNumber: UInt64? = nil) {
        self.superBlock = superBlock
        self.inodeNumber = inodeNumber ?? superBlock.allocateInodeNumber()
        self.mode = mode
        self.fileType = mode.type
        self.linkCount = linkCount
        let now = superBlock.clock.now()
        accessTime = now; modificationTime = now; changeTime = now
    }

    public var type: FileType { fileType }
    public var isDirectory: Bool { fileType == .directory }
    public var isSymlink: Bool { fileType == .symlink }
    public var currentSize: Int64 { lock.withLock { size } }

    // MARK: attributes

    /// st_blocks (512-byte units) with `lock` held; file systems with real allocation override
    /// it (or, when finding out needs more than the lock, `allocatedBlocks` and `stat`).
    open var allocatedBlocksLocked: Int64 { (size + 511) / 512 }
    open var allocatedBlocks: Int64 { lock.withLock { allocatedBlocksLocked } }

    /// stat(2)'s attributes, under one acquisition of `lock`.
    open func stat() -> Stat {
        var s = Stat()
        lock.lock(); defer { lock.unlock() }
        let blocks = allocatedBlocksLocked
        s.device = superBlock.device
        s.inode = inodeNumber
        s.linkCount = linkCount
        s.mode = mode
        s.uid = uid; s.gid = gid
        s.specialDevice = specialDevice
        s.size = size
        s.blockSize = 4096
        s.blocks = blocks
        s.accessTime = accessTime; s.modificationTime = modificationTime; s.changeTime = changeTime
        return s
    }

    /// chmod(2): the permission bits; the type bits stay.
    open func changeMode(_ permissions: UInt32) throws(Errno) {
        let now = superBlock.clock.now()
        lock.withLock {
            mode = FileMode(rawValue: (mode.rawValue & ~0o7777) | (permissions & 0o7777))
            changeTime = now
        }
    }

    /// chown(2): nil (the caller's -1) leaves an id alone. Clears set-uid/set-gid on regular files.
    open func changeOwner(uid newUID: UInt32?, gid newGID: UInt32?) throws(Errno) {
        let now = superBlock.clock.now()
        lock.withLock {
            if let u = newUID { uid = u }
            if let g = newGID { gid = g }
            if mode.isRegular && (newUID != nil || newGID != nil) {
                mode = FileMode(rawValue: mode.rawValue & ~(FileMode.S_ISUID.rawValue | FileMode.S_ISGID.rawValue))
            }
            changeTime = now
        }
    }

    /// utimensat(2).
    open func updateTimes(access: TimeUpdate, modification: TimeUpdate) throws(Errno) {
        let now = superBlock.clock.now()
        lock.withLock {
            switch access { case .omit: break; case .now: accessTime = now; case .set(let t): accessTime = t }
            switch modification { case .omit: break; case .now: modificationTime = now; case .set(let t): modificationTime = t }
            if access != .omit || modification != .omit { changeTime = now }
        }
    }

    /// Marks a content change (mtime and ctime now). Call with `lock` held.
    public func touchModifiedLocked() {
        let now = superBlock.clock.now()
        modificationTime = now; changeTime = now
    }

    // MARK: directory operations (names are single components, never "." or "..")

    /// The directory this one is linked in (".."); nil for a file-system root or a removed directory.
    open var parentDirectory: Inode? { nil }
    /// This directory's name in its parent (for getcwd and /proc/PID/cwd).
    open var nameInParent: [UInt8]? { nil }

    open func lookup(_ name: [UInt8]) throws(Errno) -> Inode { throw .ENOTDIR }
    /// mknod(2) and open(O_CREAT): a regular file, fifo, device node or socket named `name`.
    open func createNode(_ name: [UInt8], mode: FileMode, device: DeviceNumber, uid: UInt32, gid: UInt32) throws(Errno) -> Inode { throw .ENOTDIR }
    open func makeDirectory(_ name: [UInt8], mode: FileMode, uid: UInt32, gid: UInt32) throws(Errno) -> Inode { throw .ENOTDIR }
    open func makeSymlink(_ name: [UInt8], target: [UInt8], uid: UInt32, gid: UInt32) throws(Errno) -> Inode { throw .ENOTDIR }
    /// link(2): adds `name` for the non-directory `inode` (same file system; the VFS checks).
    open func link(_ name: [UInt8], to inode: Inode) throws(Errno) { throw .ENOTDIR }
    /// unlink(2) of a non-directory (EISDIR for a directory).
    open func unlink(_ name: [UInt8]) throws(Errno) { throw .ENOTDIR }
    /// rmdir(2) of an empty directory (ENOTDIR for a non-directory, ENOTEMPTY).
    open func removeDirectory(_ name: [UInt8]) throws(Errno) { throw .ENOTDIR }
    /// rename(2)/renameat2(2) from this directory to `newDirectory` (same file system).
    open func rename(_ oldName: [UInt8], to newDirectory: Inode, as newName: [UInt8], flags: RenameFlags) throws(Errno) { throw .ENOTDIR }
    /// Calls `body` for each entry with a cookie greater than `cookie`, in cookie order, until it
    /// returns false. Cookies 1 and 2 are reserved for "." and ".." (the VFS adds those).
    open func readDirectory(after cookie: Int64, _ body: (DirectoryEntry) -> Bool) throws(Errno) { throw .ENOTDIR }
    /// True for a directory with no entries besides "." and "..".
    open var isEmptyDirectory: Bool { false }

    // MARK: symlinks

    open func readlink() throws(Errno) -> [UInt8] { throw .EINVAL }
    /// For "magic" symlinks (/proc/PID/fd/N, exe, cwd): the inode a path walk lands on instead
    /// of resolving the target text. nil: resolve the text.
    open func followLink() throws(Errno) -> Inode? { nil }

    // MARK: data (regular files)

    open func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        throw isDirectory ? .EISDIR : .EINVAL
    }
    open func write(from buffer: UnsafeRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        throw isDirectory ? .EISDIR : .EINVAL
    }
    /// An O_APPEND write: at the end of file, atomically with respect to other appends.
    /// Returns the count written and the new end of file.
    open func append(from buffer: UnsafeRawBufferPointer) throws(Errno) -> (count: Int, end: Int64) {
        let end = currentSize
        let n = try write(from: buffer, at: end)
        return (n, end + Int64(n))
    }
    /// The IOBuffer versions of read, write and append (OpenFile's RegularFile calls these). The
    /// defaults bounce user memory through a kernel buffer into the pointer versions above; file
    /// systems whose data sits in pages (RamFile) override them and copy directly.
    open func read(to buffer: IOBuffer, at offset: Int64) throws(Errno) -> Int {
        try buffer.bounceRead { (b) throws(Errno) -> Int in try read(into: b, at: offset) }
    }
    open func write(from buffer: IOBuffer, at offset: Int64) throws(Errno) -> Int {
        try buffer.bounceWrite { (b) throws(Errno) -> Int in try write(from: b, at: offset) }
    }
    open func append(from buffer: IOBuffer) throws(Errno) -> (count: Int, end: Int64) {
        try buffer.bounceWrite { (b) throws(Errno) -> (count: Int, end: Int64) in try append(from: b) }
    }
    /// The page of data at file offset `index * 4096` (for mapping a file through an FCM):
    /// nil for a hole when not `create`. The returned page stays valid while referenced, even
    /// if the file is truncated. ENODEV for files without page-cached data.
    open func page(at index: Int, create: Bool) throws(Errno) -> RamPage? { throw .ENODEV }
    /// truncate(2): EISDIR for directories, EINVAL for other non-regular files.
    open func truncate(to length: Int64) throws(Errno) { throw isDirectory ? .EISDIR : .EINVAL }
    open func sync() throws(Errno) {}
    /// munmap/msync(MS_ASYNC) of a shared mapping: pages a mapping may have changed go back
    /// into the file (KFS; file systems whose mappings share their own pages need nothing).
    open func writeBackMappedPages() throws(Errno) {}

    // MARK: opening

    /// Makes the open file for this inode. The default handles directories (getdents) and
    /// refuses the rest; file systems override it. Device nodes never get here: the VFS sends
    /// them to its DeviceRegistry.
    open func open(flags: OpenFlags) throws(Errno) -> OpenFile {
        if isDirectory { return DirectoryFile(inode: self, flags: flags) }
        throw .ENXIO
    }
}
