// Pipes (pipe(7)): a ring buffer shared by read and write ends (PipeEnds.swift). Reads throw
// EAGAIN when empty while writers remain and return 0 (EOF) once all writers are gone; writes
// throw EPIPE once all readers are gone (the caller sends SIGPIPE), are atomic up to PIPE_BUF,
// and may be partial above it. Every change wakes the pipe's WaitQueue after the lock drops.
// Used for pipe2(2) (VFS.makePipe) and for named fifos (RamFS's RamFIFO).
import LinuxABI
import Objects

public final class Pipe: @unchecked Sendable {
    /// 64 KiB, Linux's default (16 pages).
    public static let defaultCapacity = 65536
    /// /proc/sys/fs/pipe-max-size's default (1 MiB).
    public static let maximumCapacity = 1 << 20

    let lock = SpinLock()
    /// The inode fstat reports (pipefs for pipe2, the fifo's own inode for mkfifo).
    public let inode: Inode
    public let waitQueue = WaitQueue()
    private var storage: UnsafeMutableRawPointer?   // allocated on first write
    private var capacity: Int
    private var head = 0          // index of the first unread byte
    private var count = 0         // unread bytes
    private var readers = 0
    private var writers = 0

    public init(inode: Inode, capacity: Int = Pipe.defaultCapacity) {
        self.inode = inode
        self.capacity = capacity
    }
    deinit { storage?.deallocate() }

    public func openReadEnd(flags: OpenFlags) -> OpenFile {
        lock.withLock { readers += 1 }
        return PipeReadEnd(pipe: self, flags: flags)
    }
    public func openWriteEnd(flags: OpenFlags) -> OpenFile {
        lock.withLock { writers += 1 }
        waitQueue.wakeAll()
        return PipeWriteEnd(pipe: self, flags: flags)
    }
    /// A fifo opened O_RDWR: both a reader and a writer.
    public func openReadWriteEnd(flags: OpenFlags) -> OpenFile {
        lock.withLock { readers += 1; writers += 1 }
        return PipeReadWriteEnd(pipe: self, flags: flags)
    }

    func closeEnd(reader: Bool, writer: Bool) {
        let unused = lock.withLock { () -> Bool in
            if reader { readers -= 1 }
            if writer { writers -= 1 }
            return readers == 0 && writers == 0
        }
        if unused { (inode as? PipeInode)?.detach() }    // breaks the inode <-> pipe cycle
        waitQueue.wakeAll()
    }

    /// Bytes waiting to be read (FIONREAD).
    public var bytesAvailable: Int { lock.withLock { count } }
    public var readerCount: Int { lock.withLock { readers } }
    public var writerCount: Int { lock.withLock { writers } }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        if buffer.count == 0 { return 0 }
        let n: Int
        do {
            lock.lock(); defer { lock.unlock() }
            if count == 0 {
                if writers == 0 { return 0 }
                throw .EAGAIN
            }
            n = min(count, buffer.count)
            let first = min(n, capacity - head)
            buffer.baseAddress!.copyMemory(from: storage! + head, byteCount: first)
            if n > first { (buffer.baseAddress! + first).copyMemory(from: storage!, byteCount: n - first) }
            head = (head + n) % capacity
            count -= n
            if count == 0 { head = 0 }
        }
        waitQueue.wakeAll()
        return n
    }

    func write(from buffer: UnsafeRawBufferPointer) throws(Errno) -> Int {
        if buffer.count == 0 {
            let noReaders = lock.withLock { readers == 0 }
            if noReaders { throw .EPIPE }
            return 0
        }
        let n: Int
        do {
            lock.lock(); defer { lock.unlock() }
            if readers == 0 { throw .EPIPE }
            let space = capacity - count
            if space == 0 || (buffer.count <= PIPE_BUF && space < buffer.count) { throw .EAGAIN }
            if storage == nil { storage = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16) }
            n = min(space, buffer.count)
            let tail = (head + count) % capacity
            let first = min(n, capacity - tail)
            (storage! + tail).copyMemory(from: buffer.baseAddress!, byteCount: first)
            if n > first { storage!.copyMemory(from: buffer.baseAddress! + first, byteCount: n - first) }
            count += n
        }
        waitQueue.wakeAll()
        return n
    }

    /// Read-end readiness: POLLIN with data, POLLHUP once all writers are gone.
    func readEvents() -> UInt32 {
        lock.withLock {
            var e: UInt32 = 0
            if count > 0 { e |= PollEvents.POLLIN | PollEvents.POLLRDNORM }
            if writers == 0 { e |= PollEvents.POLLHUP }
            return e
        }
    }
    /// Write-end readiness: POLLOUT with room for an atomic write, POLLERR once readers are gone.
    func writeEvents() -> UInt32 {
        lock.withLock {
            var e: UInt32 = 0
            if capacity - count >= min(PIPE_BUF, capacity) { e |= PollEvents.POLLOUT | PollEvents.POLLWRNORM }
            if readers == 0 { e |= PollEvents.POLLERR }
            return e
        }
    }

    /// F_GETPIPE_SZ.
    public var currentCapacity: Int { lock.withLock { capacity } }

    /// F_SETPIPE_SZ: rounds up to a power-of-two number of pages; EBUSY if the data would not
    /// fit, EINVAL above 2^31 (Linux's round_pipe_size gives up there; fcntl's argument is an
    /// unsigned int, so -1 lands here), EPERM above the 1 MiB maximum (Linux lets
    /// CAP_SYS_RESOURCE past it; we do not, since the ring is allocated whole). Returns the new
    /// capacity.
    public func setCapacity(_ requested: Int) throws(Errno) -> Int {
        guard requested >= 0, requested <= 1 << 31 else { throw .EINVAL }
        guard requested <= Pipe.maximumCapacity else { throw .EPERM }
        var size = 4096
        while size < requested { size <<= 1 }
        do {
            lock.lock(); defer { lock.unlock() }
            guard count <= size else { throw .EBUSY }
            if size != capacity {
                if let old = storage {
                    let new = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
                    let first = min(count, capacity - head)
                    new.copyMemory(from: old + head, byteCount: first)
                    if count > first { (new + first).copyMemory(from: old, byteCount: count - first) }
                    old.deallocate()
                    storage = new
                }
                head = 0
                capacity = size
            }
        }
        waitQueue.wakeAll()
        return size
    }
}

/// The pipefs inode of an anonymous pipe. Opening it again (through /proc/PID/fd/N) makes a
/// new end of the same pipe, as on Linux. Inode and pipe refer to each other while any end is
/// open; the pipe detaches the inode when its last end closes, which breaks the cycle.
final class PipeInode: Inode, @unchecked Sendable {
    private var pipe: Pipe?
    init(superBlock: SuperBlock) {
        super.init(superBlock: superBlock, mode: FileMode(rawValue: FileMode.S_IFIFO.rawValue | 0o600))
    }
    func attach(_ p: Pipe) { lock.withLock { pipe = p } }
    func detach() { lock.withLock { pipe = nil } }
    override func open(flags: OpenFlags) throws(Errno) -> OpenFile {
        guard let p = lock.withLock({ pipe }) else { throw .ENXIO }
        switch flags.accessMode {
        case 0: return p.openReadEnd(flags: flags)
        case 1: return p.openWriteEnd(flags: flags)
        default: return p.openReadWriteEnd(flags: flags)
        }
    }
}
