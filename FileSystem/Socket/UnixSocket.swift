// An AF_UNIX socket (unix(7), Linux's net/unix/af_unix.c): stream, datagram or seqpacket.
// This file is the connection life cycle: bind, listen, connect (a stream connect makes the
// server's socket at once and queues it on the listener, as Linux does, so the client may
// write before accept), accept, shutdown, release, poll readiness. Data moves in
// UnixSocket+Data.swift. Like pipes, nothing here blocks: an operation that would wait throws
// EAGAIN and the syscall layer sleeps on `waitQueue` (and, for a full receiver or listener,
// on that socket's queue too). Each socket has its own lock; code holding one never takes
// another, so there is no lock order to keep.
import LinuxABI
import Objects

public final class UnixSocket: @unchecked Sendable {
    public enum Kind: Int32 {
        case stream = 1, datagram = 2, seqpacket = 5
    }
    enum State { case unconnected, listening, connected }
    /// sk_shutdown bits: RCV_SHUTDOWN (no more data will arrive) and SEND_SHUTDOWN.
    static let receiveShutdown: UInt8 = 1, sendShutdown: UInt8 = 2

    /// net.core.wmem_default / wmem_max and rmem_max (212992 bytes); SO_SNDBUF doubles what it is given.
    public static let defaultBufferBytes = 212992
    /// net.unix.max_dgram_qlen: datagrams a receiver queues from senders it is not connected to.
    static let maxDatagramQueue = 10
    /// net.core.somaxconn: the largest listen backlog.
    static let maxBacklog = 4096
    /// What a queued message costs its sender beyond its bytes (Linux charges skb truesize).
    static let messageOverhead = 256

    public let kind: Kind
    public let domain: UnixSocketDomain
    public let inode: Inode
    public let waitQueue = WaitQueue()
    let lock = SpinLock()

    // Under `lock`.
    var state = State.unconnected
    /// The connected peer (streams: the other end; datagrams: the default destination). A
    /// stream keeps it after the peer closes (getpeername still answers), as Linux does.
    var peer: UnixSocket?
    var queue: [UnixMessage] = []
    /// Listening sockets: connections made but not yet accepted (server-side sockets).
    var pending: [UnixSocket] = []
    var backlog = 0
    var shutdownBits: UInt8 = 0
    /// sk_err: reported once by the next receive (or SO_ERROR), then cleared.
    var error: Errno?
    var address: UnixAddress?
    var boundInode: Inode?
    var released = false
    /// Bytes this socket sent that nobody has read yet (Linux's sk_wmem_alloc): sends wait
    /// while it reaches `sendBufferBytes`.
    var inFlight = 0
    var sendBufferBytes = UnixSocket.defaultBufferBytes
    var receiveBufferBytes = UnixSocket.defaultBufferBytes
    var passCredentials = false
    var peerCredentials = UnixCredentials.none
    /// Credentials of the process that called listen (what a connecting client's SO_PEERCRED shows).
    var listenCredentials = UnixCredentials.none
    /// SO_RCVTIMEO / SO_SNDTIMEO in nanoseconds; 0 waits forever (the syscall layer applies them).
    var timeouts: (receive: UInt64, send: UInt64) = (0, 0)

    public init(kind: Kind, domain: UnixSocketDomain) {
        self.kind = kind
        self.domain = domain
        self.inode = SocketInode(superBlock: domain.superBlock)
    }

    /// socketpair(2): two sockets connected to each other, each with the creator's credentials.
    public static func pair(kind: Kind, domain: UnixSocketDomain, credentials: UnixCredentials) -> (UnixSocket, UnixSocket) {
        let a = UnixSocket(kind: kind, domain: domain), b = UnixSocket(kind: kind, domain: domain)
        a.peer = b; b.peer = a
        a.state = .connected; b.state = .connected
        a.peerCredentials = credentials; b.peerCredentials = credentials
        return (a, b)
    }

    // MARK: names

    public var isBound: Bool { lock.withLock { address != nil } }
    public var isListening: Bool { lock.withLock { state == .listening } }
    public var isConnected: Bool { lock.withLock { state == .connected } }

    /// bind(2) to a pathname node the caller created, or an abstract name: EINVAL if already
    /// bound, EADDRINUSE for a taken abstract name.
    public func bind(_ name: UnixAddress, inode: Inode?) throws(Errno) {
        let taken = lock.withLock { address != nil }
        guard !taken else { throw .EINVAL }
        if name.kind == .abstract { try domain.register(self, abstractName: name.name) }
        lock.withLock { address = name; boundInode = inode }
        if let inode { domain.register(self, inode: inode) }
    }

    /// bind(2) with only the family: an abstract name of five hex digits (unix_autobind); a
    /// bound socket keeps its name.
    public func autobind() {
        guard !isBound else { return }
        let name = domain.registerAutobind(self)
        lock.withLock { address = name }
    }

    /// getsockname(2): the family alone when unnamed.
    public var localAddressEncoded: [UInt8] { lock.withLock { address?.encoded ?? UnixAddress.unnamedEncoded } }

    /// getpeername(2): ENOTCONN without a peer.
    public func peerAddressEncoded() throws(Errno) -> [UInt8] {
        guard let p = lock.withLock({ peer }) else { throw .ENOTCONN }
        return p.localAddressEncoded
    }

    // MARK: connections

    /// listen(2): EOPNOTSUPP for datagrams, EINVAL unbound or connected. A negative or huge
    /// backlog is somaxconn; the queue holds backlog + 1 connections, as Linux's does.
    public func listen(backlog requested: Int32, credentials: UnixCredentials) throws(Errno) {
        guard kind != .datagram else { throw .EOPNOTSUPP }
        do {
            lock.lock(); defer { lock.unlock() }
            guard address != nil, state != .connected else { throw .EINVAL }
            state = .listening
            backlog = requested < 0 || Int(requested) > UnixSocket.maxBacklog ? UnixSocket.maxBacklog : Int(requested)
            listenCredentials = credentials
        }
        waitQueue.wakeAll()
    }

    /// connect(2) to `target` (found by name; the caller checked the type). Datagrams: set the
    /// default destination (EPERM if the target is connected to someone else). Streams: queue a
    /// new server-side socket on the listener (ECONNREFUSED unless listening, EAGAIN when the
    /// backlog is full, EISCONN if already connected).
    public func connect(to target: UnixSocket, credentials: UnixCredentials) throws(Errno) {
        guard target.kind == kind else { throw .EPROTOTYPE }
        if kind == .datagram {
            let refused: Errno? = target.lock.withLock {
                if target.released { return .ECONNREFUSED }
                if let p = target.peer, p !== self { return .EPERM }
                return nil
            }
            if let refused { throw refused }
            lock.withLock { peer = target }
            return
        }
        let current = lock.withLock { state }
        if current == .connected { throw .EISCONN }
        if current == .listening { throw .EINVAL }
        let server = UnixSocket(kind: kind, domain: domain)
        let serverCredentials: UnixCredentials
        do {
            target.lock.lock(); defer { target.lock.unlock() }
            guard !target.released, target.state == .listening else { throw .ECONNREFUSED }
            guard target.pending.count <= target.backlog else { throw .EAGAIN }
            server.address = target.address
            server.peer = self
            server.state = .connected
            server.peerCredentials = credentials
            target.pending.append(server)
            serverCredentials = target.listenCredentials
        }
        lock.withLock {
            peer = server
            state = .connected
            peerCredentials = serverCredentials
        }
        target.waitQueue.wakeAll()
    }

    /// connect(2) with AF_UNSPEC on a datagram socket: no default destination any more.
    public func disconnect() {
        lock.withLock { if kind == .datagram { peer = nil } }
    }

    /// accept(2): the oldest pending connection; EINVAL unless listening, EAGAIN if none.
    public func accept() throws(Errno) -> UnixSocket {
        guard kind != .datagram else { throw .EOPNOTSUPP }
        let server: UnixSocket
        do {
            lock.lock(); defer { lock.unlock() }
            guard state == .listening else { throw .EINVAL }
            guard !pending.isEmpty else { throw .EAGAIN }
            server = pending.removeFirst()
        }
        waitQueue.wakeAll()     // a connect waiting for backlog room
        return server
    }

    /// shutdown(2): 0 stops receiving, 1 sending, 2 both; a stream's peer learns the mirror image.
    public func shutdown(_ how: Int32) throws(Errno) {
        guard how >= 0 && how <= 2 else { throw .EINVAL }
        let mode = UInt8(how + 1)
        let p: UnixSocket? = lock.withLock {
            shutdownBits |= mode
            return kind == .datagram ? nil : peer
        }
        if let p {
            var mirror: UInt8 = 0
            if mode & UnixSocket.receiveShutdown != 0 { mirror |= UnixSocket.sendShutdown }
            if mode & UnixSocket.sendShutdown != 0 { mirror |= UnixSocket.receiveShutdown }
            p.lock.withLock { p.shutdownBits |= mirror }
            p.waitQueue.wakeAll()
        }
        waitQueue.wakeAll()
    }

    /// SO_RCVTIMEO / SO_SNDTIMEO (nanoseconds, 0 = no limit).
    public var receiveTimeout: UInt64 {
        get { lock.withLock { timeouts.receive } }
        set { lock.withLock { timeouts.receive = newValue } }
    }
    public var sendTimeout: UInt64 {
        get { lock.withLock { timeouts.send } }
        set { lock.withLock { timeouts.send = newValue } }
    }

    /// SO_ERROR: the pending error, cleared.
    public func takeError() -> Errno? {
        lock.withLock { let e = error; error = nil; return e }
    }

    /// The last close (the open file's deinit), or a never-accepted connection going with its
    /// listener (`unaccepted`). A stream peer sees end of file and EPIPE, and ECONNRESET if
    /// this end had unread data or was never accepted. Queued messages are dropped, releasing
    /// their senders' buffer space, and their descriptors closed (without recursion: see
    /// UnixSocketDomain.close). The name stays on disk.
    public func release(unaccepted: Bool = false) {
        let (p, dropped, unacceptedConnections, name, node) = lock.withLock {
            () -> (UnixSocket?, [UnixMessage], [UnixSocket], UnixAddress?, Inode?) in
            released = true
            let p = peer
            peer = nil
            let q = queue, c = pending
            queue = []; pending = []
            return (p, q, c, address, boundInode)
        }
        domain.unregister(self, address: name, inode: node)
        if let p, kind != .datagram {
            p.lock.withLock {
                p.shutdownBits = UnixSocket.receiveShutdown | UnixSocket.sendShutdown
                if !dropped.isEmpty || unaccepted { p.error = .ECONNRESET }
            }
            p.waitQueue.wakeAll()
        }
        for m in dropped {
            m.releaseCharge()
            domain.close(&m.files)
        }
        for c in unacceptedConnections { c.release(unaccepted: true) }
        waitQueue.wakeAll()
    }

    // MARK: readiness

    /// poll(2) bits as Linux's unix_poll (streams) and unix_dgram_poll (datagrams, seqpacket).
    public func pollEvents() -> UInt32 {
        var e: UInt32 = 0
        let target: UnixSocket?
        do {
            lock.lock(); defer { lock.unlock() }
            if error != nil { e |= PollEvents.POLLERR }
            if shutdownBits == UnixSocket.receiveShutdown | UnixSocket.sendShutdown { e |= PollEvents.POLLHUP }
            if shutdownBits & UnixSocket.receiveShutdown != 0 {
                e |= PollEvents.POLLRDHUP | PollEvents.POLLIN | PollEvents.POLLRDNORM
            }
            if !queue.isEmpty || !pending.isEmpty { e |= PollEvents.POLLIN | PollEvents.POLLRDNORM }
            if kind != .datagram && state == .unconnected { e |= PollEvents.POLLHUP }
            guard state != .listening, inFlight * 4 <= sendBufferBytes else { return e }
            target = kind == .datagram ? peer : nil
        }
        // A datagram sender is not writable while its destination's queue is full.
        if let target, target.datagramQueueFull(for: self) { return e }
        return e | PollEvents.POLLOUT | PollEvents.POLLWRNORM | PollEvents.POLLWRBAND
    }

    /// True when `sender` may not add a datagram: the queue is over max_dgram_qlen and this
    /// socket is not connected back to the sender (unix_recvq_full and unix_peer checks).
    func datagramQueueFull(for sender: UnixSocket) -> Bool {
        lock.withLock { peer !== sender && queue.count > UnixSocket.maxDatagramQueue }
    }

    /// The queue a blocked send to `target` (or the peer) also waits on: room there wakes it.
    public func destinationQueue(_ target: UnixSocket?) -> WaitQueue? {
        (target ?? lock.withLock { peer })?.waitQueue
    }

    /// A stable number for traces: the socket inode's.
    public var traceID: UInt64 { inode.inodeNumber }
}
