// The open file: Linux's struct file. One per open(2) (or pipe end, or device open); the fd
// table holds references to it, so dup'd and inherited fds share its position and status flags.
// The public entry points (read, write, pread, pwrite, seek, getdents64) check the access mode
// and the position rules, then call the overridable `do...` methods that subclasses implement:
// RegularFile and DirectoryFile here, device files in DevFS/, TTYFile, pipe ends, proc files.
// Closing is the last reference going away (Linux's fput -> release): subclasses use deinit.
import LinuxABI
import Objects
import Synchronization

open class OpenFile: @unchecked Sendable {
    public let inode: Inode
    /// Guards `position` and `statusFlags`; held across a positional read or write, as Linux
    /// holds f_pos_lock (lock order: file before inode).
    public let positionLock = SpinLock()
    /// Files the system-call layer treats specially: a socket's read is one datagram and goes
    /// through recvmsg's path; a terminal's read and write obey job control. Every other file
    /// skips both with this one load (dynamic casts walk the class chain on every call).
    public enum Special: UInt8 { case none, socket, terminal }
    public final internal(set) var special: Special = .none
    private var position: Int64 = 0
    private var statusFlags: OpenFlags
    /// The absolute path this file was opened by (readlink of /proc/PID/fd/N, /proc/PID/maps).
    /// The VFS leaves a recipe (`setPath(computedBy:)`) that runs on the first read: few open
    /// files are ever asked, and building the text walks up the directory tree.
    public var path: [UInt8] {
        get {
            positionLock.withLock {
                if let make = pathRecipe { pathText = make(); pathRecipe = nil }
                return pathText
            }
        }
        set { positionLock.withLock { pathText = newValue; pathRecipe = nil } }
    }
    private var pathText: [UInt8] = []
    private var pathRecipe: (() -> [UInt8])?
    /// True once a path or a recipe for it was given.
    public var hasPath: Bool { positionLock.withLock { pathRecipe != nil || !pathText.isEmpty } }
    public func setPath(computedBy recipe: @escaping () -> [UInt8]) {
        positionLock.withLock { pathRecipe = recipe; pathText = [] }
    }

    public init(inode: Inode, flags: OpenFlags) {
        self.inode = inode
        var f = flags
        f.remove(.O_CLOEXEC)       // an fd flag: the fd table keeps it
        f.remove([.O_CREAT, .O_EXCL, .O_NOCTTY, .O_TRUNC])
        self.statusFlags = f
    }

    /// The file's status flags and access mode (fcntl F_GETFL).
    public var flags: OpenFlags { positionLock.withLock { statusFlags } }

    /// fcntl(F_SETFL): changes only O_APPEND, O_NONBLOCK, O_ASYNC, O_DIRECT, O_NOATIME.
    public func setStatusFlags(_ new: OpenFlags) {
        positionLock.withLock {
            statusFlags = OpenFlags(rawValue: (statusFlags.rawValue & ~OpenFlags.settableStatusFlags.rawValue)
                                    | (new.rawValue & OpenFlags.settableStatusFlags.rawValue))
        }
    }

    public var isNonBlocking: Bool { flags.contains(.O_NONBLOCK) }
    /// The current offset (lseek(fd, 0, SEEK_CUR) without the call).
    public var currentPosition: Int64 { positionLock.withLock { position } }

    // MARK: entry points for the syscall layer

    /// read(2). Throws EAGAIN when it would block (the caller waits on `waitQueue`).
    public final func read(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        try read(to: IOBuffer(buffer))
    }
    /// read(2) into kernel or user memory. A file that copies straight to the caller returns
    /// the bytes copied before a bad user address (EFAULT if none), as Linux does.
    public final func read(to buffer: IOBuffer) throws(Errno) -> Int {
        if !isSeekable {
            let f = flags
            guard f.isReadable, !f.contains(.O_PATH) else { throw .EBADF }
            return try doRead(to: buffer)
        }
        // One lock round trip for the mode check and the position (atomics are dear under TCG).
        positionLock.lock(); defer { positionLock.unlock() }
        guard statusFlags.isReadable, !statusFlags.contains(.O_PATH) else { throw .EBADF }
        let n = try doRead(to: buffer, at: position)
        position += Int64(n)
        return n
    }

    /// pread64(2): ESPIPE on pipes, ttys and other streams.
    public final func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        try read(to: IOBuffer(buffer), at: offset)
    }
    public final func read(to buffer: IOBuffer, at offset: Int64) throws(Errno) -> Int {
        let f = flags
        guard f.isReadable, !f.contains(.O_PATH) else { throw .EBADF }
        guard isSeekable else { throw .ESPIPE }
        guard offset >= 0 else { throw .EINVAL }
        return try doRead(to: buffer, at: offset)
    }

    /// write(2): at the position, or at the end with O_APPEND. EPIPE from a pipe means the
    /// caller sends SIGPIPE.
    public final func write(from buffer: UnsafeRawBufferPointer) throws(Errno) -> Int {
        try write(from: IOBuffer(buffer))
    }
    public final func write(from buffer: IOBuffer) throws(Errno) -> Int {
        if !isSeekable {
            let f = flags
            guard f.isWritable, !f.contains(.O_PATH) else { throw .EBADF }
            return try doWrite(from: buffer)
        }
        positionLock.lock(); defer { positionLock.unlock() }
        guard statusFlags.isWritable, !statusFlags.contains(.O_PATH) else { throw .EBADF }
        if statusFlags.contains(.O_APPEND) {
            let (n, end) = try doAppend(from: buffer, position: position)
            position = end
            return n
        }
        let n = try doWrite(from: buffer, at: position)
        position += Int64(n)
        return n
    }

    /// pwrite64(2). Like Linux, O_APPEND files append whatever the offset says.
    public final func write(from buffer: UnsafeRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        try write(from: IOBuffer(buffer), at: offset)
    }
    public final func write(from buffer: IOBuffer, at offset: Int64) throws(Errno) -> Int {
        let f = flags
        guard f.isWritable, !f.contains(.O_PATH) else { throw .EBADF }
        guard isSeekable else { throw .ESPIPE }
        guard offset >= 0 else { throw .EINVAL }
        if f.contains(.O_APPEND) { return try doAppend(from: buffer, position: offset).count }
        return try doWrite(from: buffer, at: offset)
    }

    /// lseek(2).
    public final func seek(_ offset: Int64, whence: SeekWhence) throws(Errno) -> Int64 {
        guard isSeekable else { throw .ESPIPE }
        positionLock.lock(); defer { positionLock.unlock() }
        let new = try computeSeek(offset, whence: whence, current: position)
        guard new >= 0 else { throw .EINVAL }
        position = new
        return new
    }

    /// getdents64(2): fills `buffer` with linux_dirent64 records; 0 at the end; EINVAL if the
    /// buffer cannot hold the next record; ENOTDIR for non-directories.
    public final func readDirectory(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        positionLock.lock(); defer { positionLock.unlock() }
        let (n, next) = try doReadDirectory(into: buffer, from: position)
        position = next
        return n
    }

    // MARK: what subclasses implement

    // The IOBuffer versions are what the entry points call. Their defaults bounce user memory
    // through a kernel buffer into the pointer versions below, which is all most files need;
    // files on the hot paths (regular files, /dev/null, /dev/zero) override them and copy
    // straight between their data and the caller's memory.
    open func doRead(to buffer: IOBuffer, at offset: Int64) throws(Errno) -> Int {
        try buffer.bounceRead { (b) throws(Errno) -> Int in try doRead(into: b, at: offset) }
    }
    open func doWrite(from buffer: IOBuffer, at offset: Int64) throws(Errno) -> Int {
        try buffer.bounceWrite { (b) throws(Errno) -> Int in try doWrite(from: b, at: offset) }
    }
    open func doAppend(from buffer: IOBuffer, position: Int64) throws(Errno) -> (count: Int, end: Int64) {
        try buffer.bounceWrite { (b) throws(Errno) -> (count: Int, end: Int64) in try doAppend(from: b, position: position) }
    }
    open func doRead(to buffer: IOBuffer) throws(Errno) -> Int {
        try buffer.bounceRead { (b) throws(Errno) -> Int in try doRead(into: b) }
    }
    open func doWrite(from buffer: IOBuffer) throws(Errno) -> Int {
        try buffer.bounceWrite { (b) throws(Errno) -> Int in try doWrite(from: b) }
    }


    /// False for pipes, ttys and other streams: no position, ESPIPE on seek and pread.
    open var isSeekable: Bool { true }
    /// A positional read (seekable files).
    open func doRead(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(Errno) -> Int { throw .EINVAL }
    /// A positional write (seekable files).
    open func doWrite(from buffer: UnsafeRawBufferPointer, at offset: Int64) throws(Errno) -> Int { throw .EINVAL }
    /// An O_APPEND write: the count and the new position. Regular files append atomically at
    /// the end; the default writes at `position` (devices, where the end means nothing).
    open func doAppend(from buffer: UnsafeRawBufferPointer, position: Int64) throws(Errno) -> (count: Int, end: Int64) {
        let n = try doWrite(from: buffer, at: position)
        return (n, position + Int64(n))
    }
    /// A stream read (non-seekable files).
    open func doRead(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int { throw .EINVAL }
    /// A stream write (non-seekable files).
    open func doWrite(from buffer: UnsafeRawBufferPointer) throws(Errno) -> Int { throw .EINVAL }
    /// getdents64 from directory offset `offset`: the bytes written and the next offset.
    open func doReadDirectory(into buffer: UnsafeMutableRawBufferPointer, from offset: Int64) throws(Errno) -> (Int, Int64) { throw .ENOTDIR }
    /// The new offset for lseek; the default follows generic_file_llseek.
    open func computeSeek(_ offset: Int64, whence: SeekWhence, current: Int64) throws(Errno) -> Int64 {
        switch whence {
        case .SEEK_SET: return offset
        case .SEEK_CUR:
            let (r, o) = current.addingReportingOverflow(offset); if o { throw .EOVERFLOW }; return r
        case .SEEK_END:
            let (r, o) = inode.currentSize.addingReportingOverflow(offset); if o { throw .EOVERFLOW }; return r
        case .SEEK_DATA:
            let size = inode.currentSize
            guard offset >= 0, offset < size else { throw .ENXIO }
            return offset
        case .SEEK_HOLE:
            let size = inode.currentSize
            guard offset >= 0, offset < size else { throw .ENXIO }
            return size
        }
    }

    /// ioctl(2): ENOTTY unless the file knows the request. FIONBIO, FIOCLEX and FIONCLEX are the
    /// fd layer's (they change fd or status flags, not the file).
    open func ioctl(_ request: UInt32, argument: UInt64, caller: any IoctlCaller) throws(Errno) -> Int { throw .ENOTTY }

    /// Readiness for poll/select as POLL* bits. Files that never block are always ready.
    open func pollEvents() -> UInt32 {
        PollEvents.POLLIN | PollEvents.POLLRDNORM | PollEvents.POLLOUT | PollEvents.POLLWRNORM
    }
    /// Where readiness changes are announced; nil for files that never block.
    open var waitQueue: WaitQueue? { nil }

    /// fsync(2)/fdatasync(2).
    open func sync() throws(Errno) { try inode.sync() }

    /// ftruncate(2): EINVAL unless a regular file open for writing.
    open func truncate(to length: Int64) throws(Errno) {
        guard flags.isWritable else { throw .EINVAL }
        guard length >= 0 else { throw .EINVAL }
        guard inode.lock.withLock({ inode.mode.isRegular }) else { throw .EINVAL }
        try inode.truncate(to: length)
    }

    /// fcntl(F_GETPIPE_SZ) / fcntl(F_SETPIPE_SZ): EBADF on anything but a pipe.
    open func pipeCapacity() throws(Errno) -> Int { throw .EBADF }
    open func setPipeCapacity(_ bytes: Int) throws(Errno) -> Int { throw .EBADF }

    /// fstat(2).
    public func stat() -> Stat { inode.stat() }

    // MARK: descriptors (epoll(7): an interest-list entry lives until the open file description
    // is closed, i.e. until the last descriptor naming it goes away)

    /// Descriptor table slots naming this file. An atomic count, not a lock of its own: one
    /// lock object fewer per open file (each is a heap allocation on open and a free on close).
    private let descriptorCount = Atomic<Int>(0)
    /// Close hooks and their ids: guarded by `positionLock` (rarely used: epoll).
    private var closeHooks: [(id: Int, run: () -> Void)] = []
    private var nextHookID = 1

    /// A descriptor table slot now holds this file (open, dup, fork, SCM_RIGHTS receive).
    public final func descriptorOpened() {
        descriptorCount.wrappingAdd(1, ordering: .relaxed)
    }

    /// A slot let go of this file. The last one runs the close hooks (outside the lock) and
    /// `lastDescriptorClosed()`.
    public final func descriptorClosed() {
        guard descriptorCount.wrappingSubtract(1, ordering: .acquiringAndReleasing).newValue == 0 else { return }
        let hooks: [(id: Int, run: () -> Void)] = positionLock.withLockIRQSave {
            let h = closeHooks
            closeHooks = []
            return h
        }
        for h in hooks { h.run() }
        lastDescriptorClosed()
    }

    /// Registers `hook` to run when the last descriptor closes; returns its id for removal.
    public final func addCloseHook(_ hook: @escaping () -> Void) -> Int {
        positionLock.withLockIRQSave {
            let id = nextHookID
            nextHookID += 1
            closeHooks.append((id: id, run: hook))
            return id
        }
    }

    public final func removeCloseHook(_ id: Int) {
        positionLock.withLockIRQSave {
            if let i = closeHooks.firstIndex(where: { $0.id == id }) { closeHooks.remove(at: i) }
        }
    }

    /// Called once the last descriptor is gone (an epoll instance drops its interest list here,
    /// which breaks the reference cycles between it and the files it watches).
    open func lastDescriptorClosed() {}
}

/// An open regular file: reads and writes go to the inode's data at the file position.
open class RegularFile: OpenFile, @unchecked Sendable {
    open override func doRead(to buffer: IOBuffer, at offset: Int64) throws(Errno) -> Int {
        try inode.read(to: buffer, at: offset)
    }
    open override func doWrite(from buffer: IOBuffer, at offset: Int64) throws(Errno) -> Int {
        try inode.write(from: buffer, at: offset)
    }
    open override func doAppend(from buffer: IOBuffer, position: Int64) throws(Errno) -> (count: Int, end: Int64) {
        try inode.append(from: buffer)
    }
    open override func doRead(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        try inode.read(into: buffer, at: offset)
    }
    open override func doWrite(from buffer: UnsafeRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        try inode.write(from: buffer, at: offset)
    }
    open override func doAppend(from buffer: UnsafeRawBufferPointer, position: Int64) throws(Errno) -> (count: Int, end: Int64) {
        try inode.append(from: buffer)
    }
}

/// An open directory: getdents64 lists ".", "..", then the inode's entries; read(2) is EISDIR.
open class DirectoryFile: OpenFile, @unchecked Sendable {
    open override func doRead(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(Errno) -> Int { throw .EISDIR }
    open override func doWrite(from buffer: UnsafeRawBufferPointer, at offset: Int64) throws(Errno) -> Int { throw .EISDIR }

    open override func computeSeek(_ offset: Int64, whence: SeekWhence, current: Int64) throws(Errno) -> Int64 {
        switch whence {
        case .SEEK_SET: return offset
        case .SEEK_CUR: return current + offset
        default: throw .EINVAL
        }
    }

    open override func doReadDirectory(into buffer: UnsafeMutableRawBufferPointer, from offset: Int64) throws(Errno) -> (Int, Int64) {
        // A removed directory lists nothing, not even "." and "..": ENOENT (Linux's IS_DEADDIR).
        guard inode.lock.withLock({ inode.linkCount }) > 0 else { throw .ENOENT }
        var written = 0
        var next = offset
        var full = false
        func emit(_ name: [UInt8], _ ino: UInt64, _ type: FileType, _ cookie: Int64) -> Bool {
            guard let n = LinuxDirent64.encode(into: buffer, at: written, inode: ino, nextOffset: cookie,
                                               type: type, name: name) else { full = true; return false }
            written += n; next = cookie
            return true
        }
        if next == 0 { if !emit([0x2e], inode.inodeNumber, .directory, 1) { return try finish(written, next, full) } }
        if next == 1 {
            let parent = inode.parentDirectory ?? inode
            if !emit([0x2e, 0x2e], parent.inodeNumber, .directory, 2) { return try finish(written, next, full) }
        }
        try inode.readDirectory(after: max(next, 2)) { entry in
            emit(entry.name, entry.inodeNumber, entry.type, entry.cookie)
        }
        return try finish(written, next, full)
    }

    private func finish(_ written: Int, _ next: Int64, _ full: Bool) throws(Errno) -> (Int, Int64) {
        if written == 0 && full { throw .EINVAL }
        return (written, next)
    }
}
