// The AF_UNIX name space (unix(7)): socket addresses, the credentials a message or connection
// carries, and the registry that finds a bound socket by its name. A pathname socket is
// found through its S_IFSOCK inode (the node bind(2) created, as Linux's
// unix_find_socket_byinode does), so a renamed node still reaches its socket and a stale one
// (socket closed) refuses; abstract names live only here. Also sockfs, the file system the
// sockets' own inodes (what fstat reports) belong to.
import LinuxABI
import Objects

/// A socket's name: a filesystem path, an abstract name (sun_path starting with a NUL byte),
/// or nothing (unnamed). Paths are stored as given to bind, without the final NUL.
public struct UnixAddress: Equatable {
    public enum Kind: Equatable { case path, abstract }
    public let kind: Kind
    public let name: [UInt8]
    public init(kind: Kind, name: [UInt8]) { self.kind = kind; self.name = name }

    /// The struct sockaddr_un bytes getsockname, accept and recvfrom return: the family, then
    /// the path and its NUL (length offsetof(sun_path) + strlen + 1), or a NUL and the abstract
    /// name (no terminator).
    public var encoded: [UInt8] {
        var b: [UInt8] = [UInt8(AddressFamily.AF_UNIX), 0]
        if kind == .abstract { b.append(0) }
        b += name
        if kind == .path { b.append(0) }
        return b
    }

    /// An unnamed socket's sockaddr: just the family (getsockname, getpeername).
    public static let unnamedEncoded: [UInt8] = [UInt8(AddressFamily.AF_UNIX), 0]
}

/// struct ucred: who sent a message or made a connection (SO_PEERCRED, SCM_CREDENTIALS).
public struct UnixCredentials: Equatable {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32
    public init(pid: Int32, uid: UInt32, gid: UInt32) { self.pid = pid; self.uid = uid; self.gid = gid }
    /// What SO_PEERCRED reports without a peer: pid 0, uid and gid -1 (cred_to_ucred).
    public static let none = UnixCredentials(pid: 0, uid: UInt32.max, gid: UInt32.max)
}

public final class UnixSocketDomain: @unchecked Sendable {
    private let lock = SpinLock()
    /// Bound pathname sockets by their node (the entry keeps the inode, so its identity stays unique).
    private var byInode: [ObjectIdentifier: (inode: Inode, socket: UnixSocket)] = [:]
    private var abstractNames: [[UInt8]: UnixSocket] = [:]
    private var nextAutobind: UInt32 = 0
    /// sockfs: where every socket's inode lives.
    public let superBlock: SuperBlock
    /// Descriptors from dropped messages, waiting to be closed, and whether a thread is closing
    /// them (see `close(_:)`).
    private var closing: [[OpenFile]] = []
    private var draining = false

    public init(device: DeviceNumber, clock: FileSystemClock) {
        superBlock = SuperBlock(typeName: "sockfs", magic: 0x534F434B, device: device, clock: clock, nameCache: nil)
    }

    func register(_ socket: UnixSocket, inode: Inode) {
        lock.withLock { byInode[ObjectIdentifier(inode)] = (inode, socket) }
    }

    /// Takes an abstract name: EADDRINUSE if another socket holds it.
    func register(_ socket: UnixSocket, abstractName: [UInt8]) throws(Errno) {
        lock.lock(); defer { lock.unlock() }
        guard abstractNames[abstractName] == nil else { throw .EADDRINUSE }
        abstractNames[abstractName] = socket
    }

    /// autobind: the next free abstract name of five hex digits, as Linux's unix_autobind.
    func registerAutobind(_ socket: UnixSocket) -> UnixAddress {
        lock.lock(); defer { lock.unlock() }
        while true {
            nextAutobind = (nextAutobind + 1) & 0xFFFFF
            var name: [UInt8] = []
            var v = nextAutobind
            for _ in 0..<5 { name.insert(Array("0123456789abcdef".utf8)[Int(v & 0xF)], at: 0); v >>= 4 }
            if abstractNames[name] == nil {
                abstractNames[name] = socket
                return UnixAddress(kind: .abstract, name: name)
            }
        }
    }

    func unregister(_ socket: UnixSocket, address: UnixAddress?, inode: Inode?) {
        lock.withLock {
            if let inode, byInode[ObjectIdentifier(inode)]?.socket === socket { byInode[ObjectIdentifier(inode)] = nil }
            if let address, address.kind == .abstract, abstractNames[address.name] === socket { abstractNames[address.name] = nil }
        }
    }

    /// Closes descriptors that were in flight, iteratively: closing a socket drops its queue,
    /// whose descriptors may be sockets with queues of their own (a chain can be thousands
    /// long), so a close found during a close is queued here instead of recursing on the
    /// kernel stack (Linux defers fput for the same reason). Whoever finds the list idle
    /// drains it. Takes the caller's references (`files` is emptied): a copy left behind would
    /// keep the files open until after the drain, and close them recursively after all.
    func close(_ files: inout [OpenFile]) {
        guard !files.isEmpty else { return }
        let drain: Bool = lock.withLock {
            closing.append(files)
            files = []
            if draining { return false }
            draining = true
            return true
        }
        guard drain else { return }
        while true {
            let batch: [[OpenFile]] = lock.withLock {
                let b = closing
                closing = []
                if b.isEmpty { draining = false }
                return b
            }
            if batch.isEmpty { return }
            // `batch` ends here: the last references go, and nested closes queue themselves.
        }
    }

    /// The socket bound to a node, if it is still open.
    public func socket(boundTo inode: Inode) -> UnixSocket? {
        lock.withLock { byInode[ObjectIdentifier(inode)]?.socket }
    }

    public func socket(abstractName: [UInt8]) -> UnixSocket? {
        lock.withLock { abstractNames[abstractName] }
    }
}

/// A socket's own inode in sockfs: S_IFSOCK, mode 0777, as fstat on a socket shows. Opening it
/// (through /proc/PID/fd/N) is ENXIO, as on Linux.
final class SocketInode: Inode, @unchecked Sendable {
    init(superBlock: SuperBlock) {
        super.init(superBlock: superBlock, mode: FileMode(rawValue: FileMode.S_IFSOCK.rawValue | 0o777))
    }
}
