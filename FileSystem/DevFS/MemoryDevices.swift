// The memory character devices of null(4), zero(4), full(4) and random(4): /dev/null (1,3),
// /dev/zero (1,5), /dev/full (1,7), /dev/random (1,8) and /dev/urandom (1,9). Random bytes come
// from a closure the kernel supplies (RDRAND or its own generator); both random devices
// behave like urandom (never block), as Linux's do once the pool is initialised.
import LinuxABI
import Objects

/// Linux's device numbers for the standard character devices (Documentation/admin-guide/devices.txt).
public enum StandardDevice {
    public static let null = DeviceNumber(major: 1, minor: 3)
    public static let zero = DeviceNumber(major: 1, minor: 5)
    public static let full = DeviceNumber(major: 1, minor: 7)
    public static let random = DeviceNumber(major: 1, minor: 8)
    public static let urandom = DeviceNumber(major: 1, minor: 9)
    public static let ttyS0 = DeviceNumber(major: 4, minor: 64)
    public static let tty = DeviceNumber(major: 5, minor: 0)
    public static let console = DeviceNumber(major: 5, minor: 1)
}

/// What a memory device does on read and write.
enum MemoryDeviceKind { case null, zero, full, random }

final class MemoryDeviceFile: OpenFile, @unchecked Sendable {
    let kind: MemoryDeviceKind
    let randomBytes: (UnsafeMutableRawBufferPointer) -> Void

    init(inode: Inode, flags: OpenFlags, kind: MemoryDeviceKind, randomBytes: @escaping (UnsafeMutableRawBufferPointer) -> Void) {
        self.kind = kind
        self.randomBytes = randomBytes
        super.init(inode: inode, flags: flags)
    }

    override func doRead(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        switch kind {
        case .null: return 0
        case .zero, .full:
            if buffer.count > 0 { buffer.baseAddress!.initializeMemory(as: UInt8.self, repeating: 0, count: buffer.count) }
            return buffer.count
        case .random:
            randomBytes(buffer)
            return buffer.count
        }
    }

    /// The caller's buffer directly: null reads nothing, zero and full clear it (partially, up
    /// to a bad address, as Linux's read_iter_zero); random bounces.
    override func doRead(to buffer: IOBuffer, at offset: Int64) throws(Errno) -> Int {
        switch kind {
        case .null: return 0
        case .zero, .full:
            try buffer.zero(count: buffer.count, at: 0)
            return buffer.count
        case .random:
            return try buffer.bounceRead { (b) throws(Errno) -> Int in try doRead(into: b, at: offset) }
        }
    }

    /// Writes never look at the bytes (drivers/char/mem.c write_null), so nothing is copied.
    override func doWrite(from buffer: IOBuffer, at offset: Int64) throws(Errno) -> Int {
        if kind == .full { throw .ENOSPC }
        return buffer.count
    }

    override func doWrite(from buffer: UnsafeRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        if kind == .full { throw .ENOSPC }
        return buffer.count
    }

    /// The position means nothing: lseek always answers 0 (drivers/char/mem.c null_lseek).
    override func computeSeek(_ offset: Int64, whence: SeekWhence, current: Int64) throws(Errno) -> Int64 { 0 }
    override func truncate(to length: Int64) throws(Errno) { throw .EINVAL }
}
