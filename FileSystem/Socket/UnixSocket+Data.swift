// Moving data through AF_UNIX sockets. A send appends a UnixMessage to the receiver's queue
// and charges its size to the sender (Linux's sk_wmem_alloc), which the receiver gives back
// as it reads, waking the sender. Streams read across message boundaries (stopping after a
// message that carries descriptors, as Linux does); datagrams and seqpackets return one
// message per call, truncated to the buffer. Messages carry descriptors (SCM_RIGHTS) as open
// files, so a file in flight stays open; cycles of sockets sent through themselves are not
// collected (Linux has a garbage collector for them).
import LinuxABI
import Objects

/// One queued message (Linux's skb on sk_receive_queue).
final class UnixMessage {
    let data: [UInt8]
    /// Bytes already read (streams read a message in pieces).
    var offset = 0
    let sender: UnixSocket
    let senderAddress: UnixAddress?
    var files: [OpenFile]
    let credentials: UnixCredentials
    /// What is still charged to the sender's send buffer.
    private(set) var charge: Int

    init(data: [UInt8], sender: UnixSocket, senderAddress: UnixAddress?, files: [OpenFile], credentials: UnixCredentials, charge: Int) {
        self.data = data; self.sender = sender; self.senderAddress = senderAddress
        self.files = files; self.credentials = credentials; self.charge = charge
    }

    /// Gives `bytes` of the charge back (all of it when nil); returns what was given.
    func uncharge(_ bytes: Int? = nil) -> Int {
        let n = min(bytes ?? charge, charge)
        charge -= n
        return n
    }

    /// Returns the whole remaining charge to the sender and wakes it (drop or full read).
    func releaseCharge() {
        let n = uncharge()
        if n > 0 { sender.creditSendBuffer(n) }
    }
}

/// What one receive got.
public struct UnixReceived {
    /// Bytes copied into the buffer.
    public var count = 0
    /// The datagram's full length (MSG_TRUNC's answer); for streams equal to `count`.
    public var messageLength = 0
    /// The sender's name, nil if it had none (recvfrom then reports length 0).
    public var senderAddress: UnixAddress?
    public var files: [OpenFile] = []
    /// Set when the receiver asked for credentials (SO_PASSCRED).
    public var credentials: UnixCredentials?
    public var truncated: Bool { messageLength > count }
    public init() {}
}

extension UnixSocket {
    func creditSendBuffer(_ bytes: Int) {
        lock.withLock { inFlight -= bytes }
        waitQueue.wakeAll()
    }

    /// The send buffer size (SO_SNDBUF); a datagram larger than it minus 32 bytes is EMSGSIZE.
    public var sendBufferSize: Int { lock.withLock { sendBufferBytes } }
    public var receiveBufferSize: Int { lock.withLock { receiveBufferBytes } }
    public func setBufferSizes(send: Int?, receive: Int?) {
        lock.withLock {
            if let send { sendBufferBytes = send }
            if let receive { receiveBufferBytes = receive }
        }
    }
    public var passesCredentials: Bool {
        get { lock.withLock { passCredentials } }
        set { lock.withLock { passCredentials = newValue } }
    }
    /// SO_PEERCRED.
    public var peerCredentialsValue: UnixCredentials { lock.withLock { peerCredentials } }

    /// send(2) of `data` to the peer or (datagrams) to `target`. Streams may take part of the
    /// data (the count is returned; the caller loops); datagrams and seqpackets all or nothing.
    /// Errors: ENOTCONN, EPIPE (a stream's caller raises SIGPIPE), ECONNREFUSED (the datagram
    /// peer closed: the association is dropped), EPERM, EMSGSIZE, EAGAIN.
    public func send(_ data: ArraySlice<UInt8>, to target: UnixSocket?, files: [OpenFile],
                     credentials: UnixCredentials) throws(Errno) -> Int {
        if kind == .stream && data.isEmpty { return 0 }
        let destination: UnixSocket
        let count: Int
        let charge: Int
        let from: UnixAddress?
        do {
            lock.lock(); defer { lock.unlock() }
            if kind == .datagram, let target {
                destination = target
            } else {
                guard let p = peer, kind == .datagram || state == .connected else { throw .ENOTCONN }
                destination = p
            }
            if shutdownBits & UnixSocket.sendShutdown != 0 { throw .EPIPE }
            if kind != .stream && data.count > sendBufferBytes - 32 { throw .EMSGSIZE }
            guard inFlight < sendBufferBytes else { throw .EAGAIN }
            count = kind == .stream ? min(data.count, max(sendBufferBytes / 2, 1)) : data.count
            charge = count + UnixSocket.messageOverhead
            inFlight += charge                      // reserved; given back if delivery fails
            from = address
        }
        let message = UnixMessage(data: Array(data.prefix(count)), sender: self, senderAddress: from,
                                  files: files, credentials: credentials, charge: charge)
        let refused: Errno? = destination.lock.withLock {
            if destination.released { return kind == .datagram ? .ECONNREFUSED : .EPIPE }
            if kind == .datagram, let p = destination.peer, p !== self { return .EPERM }
            if destination.shutdownBits & UnixSocket.receiveShutdown != 0 { return .EPIPE }
            if kind != .stream && destination.peer !== self && destination.queue.count > UnixSocket.maxDatagramQueue { return .EAGAIN }
            destination.queue.append(message)
            return nil
        }
        if let refused {
            lock.withLock {
                inFlight -= charge
                // A datagram peer that closed: forget it, so the next send is ENOTCONN.
                if refused == .ECONNREFUSED && peer === destination { peer = nil }
            }
            throw refused
        }
        destination.waitQueue.wakeAll()
        return count
    }

    /// recv(2) into `buffer`. Empty queue: the pending error (once), then 0 at end of stream,
    /// else EAGAIN. `peek` leaves the data queued; `dontWait` is the caller's nonblocking mode
    /// (a shut-down datagram socket then says EAGAIN rather than 0, as Linux does).
    public func receive(into buffer: UnsafeMutableRawBufferPointer, peek: Bool, dontWait: Bool) throws(Errno) -> UnixReceived {
        var result = UnixReceived()
        var credited: [(UnixSocket, Int)] = []
        do {
            lock.lock(); defer { lock.unlock() }
            if kind == .stream && state != .connected { throw .EINVAL }
            if kind == .seqpacket && state != .connected { throw .ENOTCONN }
            if queue.isEmpty {
                if let e = error { error = nil; throw e }
                if shutdownBits & UnixSocket.receiveShutdown != 0 {
                    if kind == .datagram && dontWait { throw .EAGAIN }
                    return result
                }
                throw .EAGAIN
            }
            if passCredentials { result.credentials = queue[0].credentials }
            result.senderAddress = queue[0].senderAddress
            if kind == .stream {
                readStream(into: buffer, peek: peek, result: &result, credited: &credited)
            } else {
                let m = queue[0]
                let n = min(buffer.count, m.data.count)
                copy(m.data, from: 0, count: n, into: buffer, at: 0)
                result.count = n
                result.messageLength = m.data.count
                result.files = m.files
                if !peek {
                    queue.removeFirst()
                    m.files = []
                    credited.append((m.sender, m.uncharge()))
                }
            }
        }
        for (sender, bytes) in credited where bytes > 0 { sender.creditSendBuffer(bytes) }
        if kind != .stream { waitQueue.wakeAll() }      // senders waiting for queue room
        return result
    }

    /// The stream part of `receive`, with `lock` held.
    private func readStream(into buffer: UnsafeMutableRawBufferPointer, peek: Bool, result: inout UnixReceived,
                            credited: inout [(UnixSocket, Int)]) {
        var index = 0
        var skipped = 0                 // with peek: bytes of the current message already seen
        while result.count < buffer.count && index < queue.count {
            let m = queue[index]
            // Messages from different writers are not glued when credentials are wanted.
            if result.count > 0, let c = result.credentials, m.credentials != c { break }
            let start = m.offset + skipped
            let n = min(buffer.count - result.count, m.data.count - start)
            copy(m.data, from: start, count: n, into: buffer, at: result.count)
            result.count += n
            let finished = start + n == m.data.count
            if peek {
                if finished { index += 1; skipped = 0 } else { skipped += n }
            } else {
                m.offset += n
                if finished {
                    queue.remove(at: index)
                    credited.append((m.sender, m.uncharge()))
                } else {
                    credited.append((m.sender, m.uncharge(n)))
                }
            }
            if !m.files.isEmpty {
                result.files = m.files
                if !peek { m.files = [] }
                break
            }
            if !finished { break }
        }
        result.messageLength = result.count
    }

    private func copy(_ data: [UInt8], from start: Int, count: Int, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        guard count > 0 else { return }
        data.withUnsafeBytes { src in
            (buffer.baseAddress! + offset).copyMemory(from: src.baseAddress! + start, byteCount: count)
        }
    }

    /// Bytes waiting to be read (FIONREAD / SIOCINQ): a stream's total, a datagram's first message.
    public var bytesAvailable: Int {
        lock.withLock {
            if kind == .stream { return queue.reduce(0) { $0 + $1.data.count - $1.offset } }
            return queue.first?.data.count ?? 0
        }
    }
}
