// Sockets (socket(7), unix(7)): socket(2), socketpair, bind, listen, accept/accept4, connect,
// shutdown, getsockname/getpeername, getsockopt/setsockopt here; sendto/recvfrom,
// sendmsg/recvmsg and read/write on sockets in sys_socket_io.swift. Only AF_UNIX is built in
// (FileSystem/Socket/); every other family is EAFNOSUPPORT, as on a Linux configured without
// it. Names of pathname sockets are S_IFSOCK nodes made through the VFS; blocking calls sleep
// on the socket's wait queue and end with ERESTARTSYS on a signal (restarted or EINTR).
import FileSystem
import LinuxABI
import Objects
import Trace

enum KernelIPC {
    nonisolated(unsafe) private static var unixDomain: UnixSocketDomain?
    nonisolated(unsafe) private static var anonymous: AnonymousInode?
    private static let lock = SpinLock()

    /// The AF_UNIX name space and sockfs, made on first use.
    static var domain: UnixSocketDomain {
        lock.withLock {
            if let d = unixDomain { return d }
            let vfs = KernelFiles.vfs!
            let d = UnixSocketDomain(device: vfs.allocateAnonymousDevice(), clock: vfs.clock)
            unixDomain = d
            return d
        }
    }

    /// The inode eventfds share (anon_inodefs).
    static var anonymousInode: AnonymousInode {
        lock.withLock {
            if let a = anonymous { return a }
            let vfs = KernelFiles.vfs!
            let a = AnonymousInode(device: vfs.allocateAnonymousDevice(), clock: vfs.clock)
            anonymous = a
            return a
        }
    }

    /// The caller's struct ucred (everything runs as root).
    static var credentials: UnixCredentials { UnixCredentials(pid: Int32(currentProcess.pid), uid: 0, gid: 0) }
}

/// The socket behind a descriptor: EBADF if none, ENOTSOCK if not a socket.
func socketFile(_ raw: UInt64) throws(Errno) -> UnixSocketFile {
    guard let s = try currentProcess.files.get(fd(raw)) as? UnixSocketFile else { throw .ENOTSOCK }
    return s
}

/// The socket type and SOCK_* flags of socket(2)/socketpair(2), checked in Linux's order:
/// unknown flags EINVAL, family EAFNOSUPPORT, type out of range EINVAL, protocol
/// EPROTONOSUPPORT, a type AF_UNIX lacks ESOCKTNOSUPPORT. SOCK_RAW is a datagram socket.
func socketKind(_ a0: UInt64, _ a1: UInt64, _ a2: UInt64) throws(Errno) -> (UnixSocket.Kind, OpenFlags, Bool) {
    let family = Int32(truncatingIfNeeded: a0), raw = Int32(truncatingIfNeeded: a1), proto = Int32(truncatingIfNeeded: a2)
    let flags = raw & ~SocketTypeBits.SOCK_TYPE_MASK
    guard flags & ~(SocketTypeBits.SOCK_NONBLOCK | SocketTypeBits.SOCK_CLOEXEC) == 0 else { throw .EINVAL }
    guard family >= 0 && family < AddressFamily.AF_MAX else { throw .EAFNOSUPPORT }
    let type = raw & SocketTypeBits.SOCK_TYPE_MASK
    guard type < SocketTypeBits.SOCK_MAX else { throw .EINVAL }
    guard family == AddressFamily.AF_UNIX else { throw .EAFNOSUPPORT }
    guard proto == 0 || proto == AddressFamily.AF_UNIX else { throw .EPROTONOSUPPORT }
    let kind: UnixSocket.Kind
    switch type {
    case SocketTypeBits.SOCK_STREAM: kind = .stream
    case SocketTypeBits.SOCK_DGRAM, SocketTypeBits.SOCK_RAW: kind = .datagram
    case SocketTypeBits.SOCK_SEQPACKET: kind = .seqpacket
    default: throw .ESOCKTNOSUPPORT
    }
    let status: OpenFlags = flags & SocketTypeBits.SOCK_NONBLOCK != 0 ? .O_NONBLOCK : []
    return (kind, status, flags & SocketTypeBits.SOCK_CLOEXEC != 0)
}

func sys_socket(_ a: SyscallArguments) throws(Errno) -> Int {
    let (kind, status, cloexec) = try socketKind(a.a0, a.a1, a.a2)
    let socket = UnixSocket(kind: kind, domain: KernelIPC.domain)
    let n = try currentProcess.files.allocate(UnixSocketFile(socket: socket, flags: status), closeOnExec: cloexec)
    trace(IPCEvent.socket, socket.traceID, UInt64(kind.rawValue), UInt64(n))
    return Int(n)
}

func sys_socketpair(_ a: SyscallArguments) throws(Errno) -> Int {
    let (kind, status, cloexec) = try socketKind(a.a0, a.a1, a.a2)
    let (s0, s1) = UnixSocket.pair(kind: kind, domain: KernelIPC.domain, credentials: KernelIPC.credentials)
    let files = currentProcess.files
    let fd0 = try files.allocate(UnixSocketFile(socket: s0, flags: status), closeOnExec: cloexec)
    let fd1: Int32
    do { fd1 = try files.allocate(UnixSocketFile(socket: s1, flags: status), closeOnExec: cloexec) } catch {
        _ = try? files.close(fd0)
        throw error
    }
    do { try UserMemory.write(a.a3, (fd0, fd1)) } catch {
        _ = try? files.close(fd0); _ = try? files.close(fd1)
        throw error
    }
    trace(IPCEvent.socket, s0.traceID, UInt64(kind.rawValue), UInt64(fd0))
    trace(IPCEvent.socket, s1.traceID, UInt64(kind.rawValue), UInt64(fd1))
    return 0
}

/// A struct sockaddr_un from user memory, as unix_validate_addr and unix_mkname_bsd read it.
enum SocketName {
    case unspecified            // AF_UNSPEC (datagram connect: disconnect)
    case autobind               // only the family (bind: pick an abstract name)
    case path([UInt8])
    case abstract([UInt8])
}

func readSocketName(_ address: UInt64, _ rawLength: UInt64, forBind: Bool = false) throws(Errno) -> SocketName {
    let length = Int32(truncatingIfNeeded: rawLength)
    guard length >= 0 && length <= 128 else { throw .EINVAL }      // sizeof(struct sockaddr_storage)
    let bytes = try UserMemory.readBytes(address, count: Int(length))
    guard bytes.count >= 2 else { throw .EINVAL }
    let family = Int32(bytes[0]) | Int32(bytes[1]) << 8
    if family == AddressFamily.AF_UNSPEC && !forBind { return .unspecified }
    if forBind && bytes.count == 2 && family == AddressFamily.AF_UNIX { return .autobind }
    guard bytes.count > 2 && bytes.count <= 110, family == AddressFamily.AF_UNIX else { throw .EINVAL }
    if bytes[2] == 0 { return .abstract(Array(bytes[3...])) }
    let path = bytes[2...]
    return .path(Array(path.prefix { $0 != 0 }))
}

/// The bound socket a name refers to: the path's errors (ENOENT...), ECONNREFUSED when the
/// node is not a socket or nobody is bound to it, EPROTOTYPE for another socket type.
func socketNamed(_ name: SocketName, kind: UnixSocket.Kind) throws(Errno) -> UnixSocket {
    let target: UnixSocket?
    switch name {
    case .path(let p):
        let vfs = KernelFiles.vfs!
        let inode = try vfs.resolve(p, from: try directory(AT_FDCWD, for: p))
        guard inode.type == .socket else { throw .ECONNREFUSED }
        target = KernelIPC.domain.socket(boundTo: inode)
    case .abstract(let n): target = KernelIPC.domain.socket(abstractName: n)
    case .unspecified, .autobind: throw .EINVAL
    }
    guard let target else { throw .ECONNREFUSED }
    guard target.kind == kind else { throw .EPROTOTYPE }
    return target
}

/// Copies a sockaddr out as move_addr_to_user does: at most *length bytes, then the full
/// length into *length (EINVAL if *length is negative).
func writeSocketName(_ encoded: [UInt8], to address: UInt64, length lengthAddress: UInt64) throws(Errno) {
    let room = try UserMemory.read(lengthAddress, as: Int32.self)
    guard room >= 0 else { throw .EINVAL }
    let n = min(Int(room), encoded.count)
    if n > 0 { try UserMemory.writeBytes(address, Array(encoded[0..<n])) }
    try UserMemory.write(lengthAddress, Int32(encoded.count))
}

func sys_bind(_ a: SyscallArguments) throws(Errno) -> Int {
    let socket = try socketFile(a.a0).socket
    let name = try readSocketName(a.a1, a.a2, forBind: true)
    switch name {
    case .autobind: socket.autobind()
    case .abstract(let n): try socket.bind(UnixAddress(kind: .abstract, name: n), inode: nil)
    case .path(let p):
        // Like Linux: make the node first (an existing name is EADDRINUSE), then take it,
        // removing the node again if this socket already had a name (EINVAL).
        let vfs = KernelFiles.vfs!
        let start = try directory(AT_FDCWD, for: p)
        let mode = FileMode.S_IFSOCK.rawValue | (0o777 & ~currentProcess.umask)
        let inode: Inode
        do { inode = try vfs.makeNode(p, from: start, mode: mode) } catch {
            throw error == .EEXIST ? .EADDRINUSE : error
        }
        do { try socket.bind(UnixAddress(kind: .path, name: p), inode: inode) } catch {
            _ = try? vfs.unlink(p, from: start)
            throw error
        }
    case .unspecified: throw .EINVAL
    }
    if case .abstract = name { trace(IPCEvent.bind, socket.traceID, 1) } else { trace(IPCEvent.bind, socket.traceID, 0) }
    return 0
}

func sys_listen(_ a: SyscallArguments) throws(Errno) -> Int {
    let socket = try socketFile(a.a0).socket
    try socket.listen(backlog: Int32(truncatingIfNeeded: a.a1), credentials: KernelIPC.credentials)
    trace(IPCEvent.listen, socket.traceID, UInt64(truncatingIfNeeded: Int64(Int32(truncatingIfNeeded: a.a1))))
    return 0
}

func sys_connect(_ a: SyscallArguments) throws(Errno) -> Int {
    let file = try socketFile(a.a0)
    let socket = file.socket
    let name = try readSocketName(a.a1, a.a2)
    if case .unspecified = name {
        guard socket.kind == .datagram else { throw .EINVAL }
        socket.disconnect()
        return 0
    }
    let target = try socketNamed(name, kind: socket.kind)
    do {
        try socketBlocking(file, nonBlocking: file.isNonBlocking, also: target.waitQueue,
                           timeoutNanoseconds: socket.sendTimeout) { () throws(Errno) in
            try socket.connect(to: target, credentials: KernelIPC.credentials)
        }
    } catch {
        trace(IPCEvent.connect, socket.traceID, target.traceID, UInt64(bitPattern: -Int64(error.rawValue)))
        throw error
    }
    trace(IPCEvent.connect, socket.traceID, target.traceID, 0)
    return 0
}

func acceptCall(_ a: SyscallArguments, flags: UInt64) throws(Errno) -> Int {
    let allowed = UInt64(UInt32(bitPattern: SocketTypeBits.SOCK_NONBLOCK | SocketTypeBits.SOCK_CLOEXEC))
    guard flags & ~allowed == 0 else { throw .EINVAL }
    let file = try socketFile(a.a0)
    let listener = file.socket
    let server = try socketBlocking(file, nonBlocking: file.isNonBlocking,
                                    timeoutNanoseconds: listener.receiveTimeout) { () throws(Errno) -> UnixSocket in
        try listener.accept()
    }
    let status: OpenFlags = flags & UInt64(SocketTypeBits.SOCK_NONBLOCK) != 0 ? .O_NONBLOCK : []
    let accepted = UnixSocketFile(socket: server, flags: status)      // closing it now resets the peer
    if a.a1 != 0 { try writeSocketName(try server.peerAddressEncoded(), to: a.a1, length: a.a2) }
    let n = try currentProcess.files.allocate(accepted, closeOnExec: flags & UInt64(SocketTypeBits.SOCK_CLOEXEC) != 0)
    trace(IPCEvent.accept, listener.traceID, server.traceID, UInt64(n))
    return Int(n)
}

func sys_accept(_ a: SyscallArguments) throws(Errno) -> Int { try acceptCall(a, flags: 0) }
func sys_accept4(_ a: SyscallArguments) throws(Errno) -> Int { try acceptCall(a, flags: a.a3) }

func sys_shutdown(_ a: SyscallArguments) throws(Errno) -> Int {
    let socket = try socketFile(a.a0).socket
    try socket.shutdown(Int32(truncatingIfNeeded: a.a1))
    trace(IPCEvent.shutdown, socket.traceID, a.a1)
    return 0
}

func sys_getsockname(_ a: SyscallArguments) throws(Errno) -> Int {
    try writeSocketName(try socketFile(a.a0).socket.localAddressEncoded, to: a.a1, length: a.a2)
    return 0
}

func sys_getpeername(_ a: SyscallArguments) throws(Errno) -> Int {
    try writeSocketName(try socketFile(a.a0).socket.peerAddressEncoded(), to: a.a1, length: a.a2)
    return 0
}

/// getsockopt(2) at SOL_SOCKET (other levels: EOPNOTSUPP, as AF_UNIX has none). Integers
/// are copied up to *optlen bytes, as Linux's sk_getsockopt does.
func sys_getsockopt(_ a: SyscallArguments) throws(Errno) -> Int {
    let socket = try socketFile(a.a0).socket
    let level = Int32(truncatingIfNeeded: a.a1), name = Int32(truncatingIfNeeded: a.a2)
    let room = try UserMemory.read(a.a4, as: Int32.self)
    guard room >= 0 else { throw .EINVAL }
    guard level == SocketOption.SOL_SOCKET else { throw .EOPNOTSUPP }
    var value = ABIStructWriter(count: 4)
    switch name {
    case SocketOption.SO_TYPE: value.put(socket.kind.rawValue, at: 0)
    case SocketOption.SO_ERROR: value.put(socket.takeError()?.rawValue ?? 0, at: 0)
    case SocketOption.SO_SNDBUF: value.put(Int32(socket.sendBufferSize), at: 0)
    case SocketOption.SO_RCVBUF: value.put(Int32(socket.receiveBufferSize), at: 0)
    case SocketOption.SO_PASSCRED: value.put(Int32(socket.passesCredentials ? 1 : 0), at: 0)
    case SocketOption.SO_ACCEPTCONN: value.put(Int32(socket.isListening ? 1 : 0), at: 0)
    case SocketOption.SO_DOMAIN: value.put(AddressFamily.AF_UNIX, at: 0)
    case SocketOption.SO_RCVLOWAT, SocketOption.SO_SNDLOWAT: value.put(Int32(1), at: 0)
    case SocketOption.SO_PROTOCOL, SocketOption.SO_REUSEADDR, SocketOption.SO_KEEPALIVE, SocketOption.SO_BROADCAST,
         SocketOption.SO_DONTROUTE, SocketOption.SO_OOBINLINE, SocketOption.SO_PRIORITY, SocketOption.SO_DEBUG:
        break
    case SocketOption.SO_LINGER: value = ABIStructWriter(count: 8)
    case SocketOption.SO_RCVTIMEO, SocketOption.SO_SNDTIMEO:
        let ns = name == SocketOption.SO_RCVTIMEO ? socket.receiveTimeout : socket.sendTimeout
        value = ABIStructWriter(count: 16)
        value.put(Int64(ns / 1_000_000_000), at: 0); value.put(Int64(ns % 1_000_000_000 / 1000), at: 8)
    case SocketOption.SO_PEERCRED:
        let c = socket.peerCredentialsValue
        value = ABIStructWriter(count: 12)
        value.put(c.pid, at: 0); value.put(c.uid, at: 4); value.put(c.gid, at: 8)
    default: throw .ENOPROTOOPT
    }
    let n = min(Int(room), value.bytes.count)
    try UserMemory.writeBytes(a.a3, Array(value.bytes[0..<n]))
    try UserMemory.write(a.a4, Int32(n))
    return 0
}

/// setsockopt(2) at SOL_SOCKET: buffer sizes (doubled and clamped as Linux does), SO_PASSCRED,
/// SO_RCVTIMEO/SO_SNDTIMEO; the other common options are accepted and change nothing
/// (docs/linux.md).
func sys_setsockopt(_ a: SyscallArguments) throws(Errno) -> Int {
    let socket = try socketFile(a.a0).socket
    let level = Int32(truncatingIfNeeded: a.a1), name = Int32(truncatingIfNeeded: a.a2)
    guard level == SocketOption.SOL_SOCKET else { throw .EOPNOTSUPP }
    guard Int32(truncatingIfNeeded: a.a4) >= 4 else { throw .EINVAL }
    let value = try UserMemory.read(a.a3, as: Int32.self)
    // sock_setsockopt: min_t(u32, val, wmem_max) * 2, at least SOCK_MIN_SNDBUF / SOCK_MIN_RCVBUF.
    let capped = Int(min(UInt32(bitPattern: value), UInt32(UnixSocket.defaultBufferBytes))) * 2
    let forced = Int(max(value, 0)) * 2
    switch name {
    case SocketOption.SO_SNDBUF: socket.setBufferSizes(send: max(capped, 4608), receive: nil)
    case SocketOption.SO_RCVBUF: socket.setBufferSizes(send: nil, receive: max(capped, 2304))
    case SocketOption.SO_SNDBUFFORCE: socket.setBufferSizes(send: max(forced, 4608), receive: nil)
    case SocketOption.SO_RCVBUFFORCE: socket.setBufferSizes(send: nil, receive: max(forced, 2304))
    case SocketOption.SO_PASSCRED: socket.passesCredentials = value != 0
    case SocketOption.SO_RCVTIMEO, SocketOption.SO_SNDTIMEO:
        // sock_set_timeout: a struct timeval; {0, 0} is no limit, a negative time never waits.
        guard Int32(truncatingIfNeeded: a.a4) >= 16 else { throw .EINVAL }
        let (seconds, microseconds) = try UserMemory.read(a.a3, as: (Int64, Int64).self)
        guard microseconds >= 0 && microseconds < 1_000_000 else { throw .EDOM }
        let ns: UInt64 = seconds < 0 ? 1 : UInt64(min(seconds, 1 << 32)) * 1_000_000_000 + UInt64(microseconds) * 1000
        if name == SocketOption.SO_RCVTIMEO { socket.receiveTimeout = ns } else { socket.sendTimeout = ns }
    case SocketOption.SO_REUSEADDR, SocketOption.SO_KEEPALIVE, SocketOption.SO_BROADCAST, SocketOption.SO_DONTROUTE,
         SocketOption.SO_OOBINLINE, SocketOption.SO_PRIORITY, SocketOption.SO_LINGER,
         SocketOption.SO_RCVLOWAT, SocketOption.SO_SNDLOWAT, SocketOption.SO_DEBUG:
        break
    default: throw .ENOPROTOOPT
    }
    return 0
}

/// Runs a socket operation, sleeping while it would block unless `nonBlocking`; also wakes on
/// `other` (a full datagram receiver's queue, a listener's). A signal ends the sleep with
/// ERESTARTSYS, as `blocking` does for other files. With a `timeoutNanoseconds` (SO_RCVTIMEO,
/// SO_SNDTIMEO) the wait ends in EAGAIN when it expires and a signal gives EINTR, never a
/// restart (socket(7): such calls are not restarted).
func socketBlocking<T>(_ file: UnixSocketFile, nonBlocking: Bool, also other: WaitQueue? = nil, timeoutNanoseconds: UInt64 = 0,
                       _ operation: () throws(Errno) -> T) throws(Errno) -> T {
    let me = Scheduler.current
    let deadline: UInt64? = timeoutNanoseconds > 0 ? Clock.nanoseconds() &+ timeoutNanoseconds : nil
    let interrupted: Errno = deadline == nil ? .ERESTARTSYS : .EINTR
    while true {
        do {
            return try operation()
        } catch {
            guard error == .EAGAIN, !nonBlocking else { throw error }
            if let deadline, Clock.nanoseconds() >= deadline { throw .EAGAIN }
            let queue = file.socket.waitQueue
            let token = queue.add { Scheduler.wake(me) }
            let otherToken = other.map { q in q.add { Scheduler.wake(me) } }
            defer {
                queue.remove(token)
                if let other, let otherToken { other.remove(otherToken) }
            }
            // Retry once registered: readiness may have changed before we got on the queues.
            do { return try operation() } catch {
                guard error == .EAGAIN else { throw error }
            }
            if Signals.hasDeliverable(me) { throw interrupted }
            if let deadline { Timers.wake(me, at: deadline) }
            Scheduler.block()
            if deadline != nil { Timers.cancel(me) }
            if Signals.hasDeliverable(me) { throw interrupted }
        }
    }
}
