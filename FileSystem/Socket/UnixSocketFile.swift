// The open file of a socket (Linux's socket file in sockfs): read(2) and write(2) are recv and
// send without flags, poll asks the socket, and the last reference going away is the close
// that releases the socket. The syscall layer (Linux/sys_socket.swift) reaches the socket
// itself for everything else.
import LinuxABI
import Objects

public final class UnixSocketFile: OpenFile, @unchecked Sendable {
    public let socket: UnixSocket

    public init(socket: UnixSocket, flags: OpenFlags) {
        self.socket = socket
        super.init(inode: socket.inode, flags: OpenFlags(rawValue: OpenFlags.O_RDWR.rawValue | (flags.rawValue & OpenFlags.O_NONBLOCK.rawValue)))
        special = .socket
        path = Array("socket:[\(socket.inode.inodeNumber)]".utf8)
    }
    deinit { socket.release() }

    public override var isSeekable: Bool { false }
    public override var waitQueue: WaitQueue? { socket.waitQueue }
    public override func pollEvents() -> UInt32 { socket.pollEvents() }

    public override func doRead(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        try socket.receive(into: buffer, peek: false, dontWait: isNonBlocking).count
    }
    public override func doWrite(from buffer: UnsafeRawBufferPointer) throws(Errno) -> Int {
        try socket.send(ArraySlice(buffer), to: nil, files: [], credentials: .none)
    }
    public override func ioctl(_ request: UInt32, argument: UInt64, caller: any IoctlCaller) throws(Errno) -> Int {
        guard request == IoctlRequest.FIONREAD else { throw .ENOTTY }
        try caller.copyOutInt32(Int32(socket.bytesAvailable), to: argument)
        return 0
    }
    public override func truncate(to length: Int64) throws(Errno) { throw .EINVAL }
}
