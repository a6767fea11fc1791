// The open files of a pipe: a read end, a write end, and (for a fifo opened O_RDWR) both.
// They are streams (no position: lseek and pread give ESPIPE); the last reference to an end
// going away is its close, which wakes the other side (EOF for readers, EPIPE for writers).
import LinuxABI
import Objects

class PipeEnd: OpenFile, @unchecked Sendable {
    let pipe: Pipe
    init(pipe: Pipe, flags: OpenFlags) {
        self.pipe = pipe
        super.init(inode: pipe.inode, flags: flags)
    }
    override var isSeekable: Bool { false }
    override var waitQueue: WaitQueue? { pipe.waitQueue }
    override func pipeCapacity() throws(Errno) -> Int { pipe.currentCapacity }
    override func setPipeCapacity(_ bytes: Int) throws(Errno) -> Int { try pipe.setCapacity(bytes) }
    override func ioctl(_ request: UInt32, argument: UInt64, caller: any IoctlCaller) throws(Errno) -> Int {
        guard request == IoctlRequest.FIONREAD else { throw .ENOTTY }
        try caller.copyOutInt32(Int32(pipe.bytesAvailable), to: argument)
        return 0
    }
    override func truncate(to length: Int64) throws(Errno) { throw .EINVAL }
}

final class PipeReadEnd: PipeEnd, @unchecked Sendable {
    deinit { pipe.closeEnd(reader: true, writer: false) }
    override func doRead(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int { try pipe.read(into: buffer) }
    override func doWrite(from buffer: UnsafeRawBufferPointer) throws(Errno) -> Int { throw .EBADF }
    override func pollEvents() -> UInt32 { pipe.readEvents() }
}

final class PipeWriteEnd: PipeEnd, @unchecked Sendable {
    deinit { pipe.closeEnd(reader: false, writer: true) }
    override func doRead(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int { throw .EBADF }
    override func doWrite(from buffer: UnsafeRawBufferPointer) throws(Errno) -> Int { try pipe.write(from: buffer) }
    override func pollEvents() -> UInt32 { pipe.writeEvents() }
}

final class PipeReadWriteEnd: PipeEnd, @unchecked Sendable {
    deinit { pipe.closeEnd(reader: true, writer: true) }
    override func doRead(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int { try pipe.read(into: buffer) }
    override func doWrite(from buffer: UnsafeRawBufferPointer) throws(Errno) -> Int { try pipe.write(from: buffer) }
    override func pollEvents() -> UInt32 { pipe.readEvents() & ~PollEvents.POLLHUP | pipe.writeEvents() & ~PollEvents.POLLERR }
}
