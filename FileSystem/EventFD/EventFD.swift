// eventfd(2): a 64-bit counter as a file. write adds to it (EAGAIN while the sum would pass
// 0xfffffffffffffffe), read takes all of it, or 1 with EFD_SEMAPHORE (EAGAIN at zero); both
// need 8-byte buffers (EINVAL). Readable while the counter is nonzero, writable while it is
// below the maximum. lseek is accepted and goes nowhere (Linux's noop_llseek). Every eventfd
// shares one anonymous inode, as Linux's anon_inode files do ("anon_inode:[eventfd]").
import LinuxABI
import Objects

public final class EventFDFile: OpenFile, @unchecked Sendable {
    /// ULLONG_MAX - 1: the largest value the counter holds.
    public static let maximum = UInt64.max - 1

    private let lock = SpinLock()
    private var counter: UInt64
    private let semaphore: Bool
    private let queue = WaitQueue()
    /// Called after each read (false) and write (true) with the value moved: the Linux layer
    /// traces through it (this module does not link the trace library).
    public var observer: ((Bool, UInt64) -> Void)?

    public init(inode: Inode, initialValue: UInt64, semaphore: Bool, flags: OpenFlags) {
        counter = initialValue
        self.semaphore = semaphore
        super.init(inode: inode, flags: OpenFlags(rawValue: OpenFlags.O_RDWR.rawValue | (flags.rawValue & OpenFlags.O_NONBLOCK.rawValue)))
        path = Array("anon_inode:[eventfd]".utf8)
    }

    public override var waitQueue: WaitQueue? { queue }
    public override func computeSeek(_ offset: Int64, whence: SeekWhence, current: Int64) throws(Errno) -> Int64 { 0 }

    public override func doRead(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        guard buffer.count >= 8 else { throw .EINVAL }
        let value: UInt64
        do {
            lock.lock(); defer { lock.unlock() }
            guard counter > 0 else { throw .EAGAIN }
            value = semaphore ? 1 : counter
            counter -= value
        }
        buffer.storeBytes(of: value.littleEndian, toByteOffset: 0, as: UInt64.self)
        queue.wakeAll()
        observer?(false, value)
        return 8
    }

    public override func doWrite(from buffer: UnsafeRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        guard buffer.count >= 8 else { throw .EINVAL }
        let value = UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        guard value != UInt64.max else { throw .EINVAL }
        do {
            lock.lock(); defer { lock.unlock() }
            guard EventFDFile.maximum - counter >= value else { throw .EAGAIN }
            counter += value
        }
        if value > 0 { queue.wakeAll() }
        observer?(true, value)
        return 8
    }

    /// The counter now (for traces).
    public var value: UInt64 { lock.withLock { counter } }

    public override func pollEvents() -> UInt32 {
        lock.withLock {
            var e: UInt32 = 0
            if counter > 0 { e |= PollEvents.POLLIN | PollEvents.POLLRDNORM }
            if counter < EventFDFile.maximum { e |= PollEvents.POLLOUT | PollEvents.POLLWRNORM }
            return e
        }
    }

    public override func truncate(to length: Int64) throws(Errno) { throw .EINVAL }
}

/// The inode anonymous files share (anon_inodefs): mode 0600 with no type bits, as Linux's.
public final class AnonymousInode: Inode, @unchecked Sendable {
    public init(device: DeviceNumber, clock: FileSystemClock) {
        let sb = SuperBlock(typeName: "anon_inodefs", magic: 0x09041934, device: device, clock: clock, nameCache: nil)
        super.init(superBlock: sb, mode: FileMode(rawValue: 0o600))
    }
}
