// Data on sockets: sendto(2)/recvfrom(2), sendmsg(2)/recvmsg(2) with their control messages
// (SCM_RIGHTS descriptors, SCM_CREDENTIALS), sendmmsg(2)/recvmmsg(2) as loops over those, and
// read/write/readv/writev on a socket, which sys_file.swift hands here so a datagram is one
// message however large. Streams are sent in
// pieces (a partial count when interrupted or nonblocking); EPIPE on a stream raises SIGPIPE
// unless MSG_NOSIGNAL. The socket objects are in FileSystem/Socket/.
import FileSystem
import LinuxABI
import Trace

/// Largest kernel buffer one receive uses (a datagram is at most SO_SNDBUF's cap, 425984 bytes).
let socketReceiveLimit = 512 * 1024

/// Ancillary data parsed from a sendmsg control buffer.
struct SocketControl {
    var files: [OpenFile] = []
    var credentials: UnixCredentials? = nil
}

/// __scm_send: cmsghdr records (len, level, type; 16 bytes, 8-aligned). A record shorter than
/// its header or running past the buffer is EINVAL; other levels are skipped; SCM_RIGHTS takes
/// up to 253 open descriptors (EBADF otherwise), SCM_CREDENTIALS one struct ucred.
func parseSocketControl(_ control: [UInt8]) throws(Errno) -> SocketControl {
    var out = SocketControl()
    var offset = 0
    func word<T: FixedWidthInteger>(_ at: Int, _ type: T.Type) -> T {
        var v: T = 0
        for i in 0..<MemoryLayout<T>.size { v |= T(truncatingIfNeeded: control[at + i]) << (8 * i) }
        return v
    }
    while control.count - offset >= 16 {
        let length = Int(truncatingIfNeeded: word(offset, UInt64.self))
        let level = word(offset + 8, Int32.self), type = word(offset + 12, Int32.self)
        guard length >= 16, length <= control.count - offset else { throw .EINVAL }
        if level == SocketOption.SOL_SOCKET {
            switch type {
            case SocketOption.SCM_RIGHTS:
                let count = (length - 16) / 4
                guard out.files.count + count <= SocketOption.SCM_MAX_FD else { throw .EINVAL }
                for i in 0..<count {
                    out.files.append(try currentProcess.files.get(word(offset + 16 + 4 * i, Int32.self)))
                }
            case SocketOption.SCM_CREDENTIALS:
                guard length == 28 else { throw .EINVAL }
                // Root may claim any credentials (scm_check_creds); everything runs as root.
                out.credentials = UnixCredentials(pid: word(offset + 16, Int32.self), uid: word(offset + 20, UInt32.self),
                                                  gid: word(offset + 24, UInt32.self))
            default: throw .EINVAL
            }
        }
        offset += (length + 7) & ~7
    }
    return out
}

/// Sends `iovecs` as one operation. A datagram is gathered whole (EMSGSIZE above the send
/// buffer); a stream goes in pieces, each waiting for room, returning the partial count on an
/// error after some bytes went.
func socketSend(_ file: UnixSocketFile, _ iovecs: [(UInt64, Int)], flags: MessageFlags, name: SocketName?,
                control: SocketControl = SocketControl()) throws(Errno) -> Int {
    let socket = file.socket
    if flags.contains(.MSG_OOB) { throw .EOPNOTSUPP }
    let nonBlocking = file.isNonBlocking || flags.contains(.MSG_DONTWAIT)
    var target: UnixSocket? = nil
    if let name {
        switch socket.kind {
        case .stream: throw socket.isConnected ? .EISCONN : .EOPNOTSUPP
        case .seqpacket: break                                  // ignored, as Linux does
        case .datagram: target = try socketNamed(name, kind: .datagram)
        }
    }
    let credentials = control.credentials ?? KernelIPC.credentials
    var total = 0
    for (_, length) in iovecs { total += length }
    var sent = 0
    do throws(Errno) {
        if socket.kind != .stream {
            guard total <= socket.sendBufferSize - 32 else { throw .EMSGSIZE }
            var data: [UInt8] = []
            data.reserveCapacity(total)
            for (base, length) in iovecs { data += try UserMemory.readBytes(base, count: length) }
            sent = try socketBlocking(file, nonBlocking: nonBlocking, also: socket.destinationQueue(target),
                                      timeoutNanoseconds: socket.sendTimeout) { () throws(Errno) -> Int in
                try socket.send(data[...], to: target, files: control.files, credentials: credentials)
            }
        } else {
            var filesToSend = control.files
            for (base, length) in iovecs {
                var done = 0
                while done < length {
                    let chunk = try UserMemory.readBytes(base + UInt64(done), count: min(length - done, ioChunk))
                    var offset = 0
                    while offset < chunk.count {
                        let n = try socketBlocking(file, nonBlocking: nonBlocking,
                                                   timeoutNanoseconds: socket.sendTimeout) { () throws(Errno) -> Int in
                            try socket.send(chunk[offset...], to: nil, files: filesToSend, credentials: credentials)
                        }
                        filesToSend = []
                        offset += n; done += n; sent += n
                    }
                }
            }
        }
    } catch {
        if error == .EPIPE && socket.kind == .stream && sent == 0 && !flags.contains(.MSG_NOSIGNAL) {
            Signals.send(Signal.SIGPIPE, to: currentProcess)
        }
        if sent > 0 && error != .EFAULT { return sent }
        throw error
    }
    trace(IPCEvent.send, socket.traceID, UInt64(sent), UInt64(control.files.count))
    return sent
}

/// Receives into `iovecs`: one message (datagrams) or what a stream has (all of it with
/// MSG_WAITALL). Returns the data count (a datagram's full length with MSG_TRUNC) and what
/// came with it.
func socketReceive(_ file: UnixSocketFile, _ iovecs: [(UInt64, Int)], flags: MessageFlags) throws(Errno) -> (Int, UnixReceived) {
    let socket = file.socket
    if flags.contains(.MSG_OOB) { throw .EINVAL }
    let nonBlocking = file.isNonBlocking || flags.contains(.MSG_DONTWAIT)
    var total = 0
    // A buffer outside user space fails before anything is consumed; one that is merely
    // unmapped fails at the copy (the data is lost then, as Linux loses a datagram). Only the
    // start is checked: the buffer may be far larger than what arrives (recv of INT_MAX).
    for (base, length) in iovecs {
        try UserMemory.check(base, min(length, 1))
        let (sum, overflow) = total.addingReportingOverflow(length)
        total = overflow ? Int.max : sum
    }
    var buffer = [UInt8](repeating: 0, count: min(total, socketReceiveLimit))
    var got = UnixReceived()
    var filled = 0
    repeat {
        // withUnsafeMutableBytes rethrows untyped errors (not in Embedded Swift): carry it out.
        var failure: Errno? = nil
        let part: UnixReceived = buffer.withUnsafeMutableBytes { b in
            let rest = UnsafeMutableRawBufferPointer(rebasing: b[filled...])
            do throws(Errno) {
                return try socketBlocking(file, nonBlocking: nonBlocking,
                                          timeoutNanoseconds: socket.receiveTimeout) { () throws(Errno) -> UnixReceived in
                    try socket.receive(into: rest, peek: flags.contains(.MSG_PEEK), dontWait: nonBlocking)
                }
            } catch { failure = error; return UnixReceived() }
        }
        if let failure {
            if filled > 0 { break }
            throw failure
        }
        if filled == 0 { got = part } else { got.files += part.files }
        filled += part.count
        if part.count == 0 || !part.files.isEmpty { break }
    } while socket.kind == .stream && flags.contains(.MSG_WAITALL) && !flags.contains(.MSG_PEEK) && filled < buffer.count
    got.count = filled
    if socket.kind == .stream { got.messageLength = filled }
    // Scatter into the caller's buffers.
    var offset = 0
    for (base, length) in iovecs where offset < filled {
        let n = min(length, filled - offset)
        try UserMemory.writeBytes(base, Array(buffer[offset..<offset + n]))
        offset += n
    }
    trace(IPCEvent.receive, socket.traceID, UInt64(filled), UInt64(got.files.count))
    let result = socket.kind != .stream && flags.contains(.MSG_TRUNC) ? got.messageLength : filled
    return (result, got)
}

/// A size_t length as __sys_sendto/__sys_recvfrom take it: above INT_MAX it is INT_MAX.
func socketLength(_ raw: UInt64) -> Int { Int(min(raw, UInt64(Int32.max))) }

func sys_sendto(_ a: SyscallArguments) throws(Errno) -> Int {
    let file = try socketFile(a.a0)
    let length = socketLength(a.a2)
    let name = a.a4 != 0 ? try readSocketName(a.a4, a.a5) : nil
    return try socketSend(file, [(a.a1, length)], flags: MessageFlags(rawValue: UInt32(truncatingIfNeeded: a.a3)), name: name)
}

func sys_recvfrom(_ a: SyscallArguments) throws(Errno) -> Int {
    let file = try socketFile(a.a0)
    let length = socketLength(a.a2)
    let (n, got) = try socketReceive(file, [(a.a1, length)], flags: MessageFlags(rawValue: UInt32(truncatingIfNeeded: a.a3)))
    if a.a4 != 0 { try writeSocketName(got.senderAddress?.encoded ?? [], to: a.a4, length: a.a5) }
    return n
}

/// struct msghdr (56 bytes): name, namelen, iov, iovlen, control, controllen, flags.
struct MessageHeader {
    var name: UInt64, nameLength: UInt64, iov: UInt64, iovCount: UInt64, control: UInt64, controlLength: UInt64
    init(_ address: UInt64) throws(Errno) {
        let (n, nl, i, ic, c, cl) = try UserMemory.read(address, as: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64).self)
        name = n; nameLength = UInt64(UInt32(truncatingIfNeeded: nl)); iov = i; iovCount = ic; control = c; controlLength = cl
    }
}

func sys_sendmsg(_ a: SyscallArguments) throws(Errno) -> Int {
    let file = try socketFile(a.a0)
    let header = try MessageHeader(a.a1)
    guard header.iovCount <= 1024 else { throw .EMSGSIZE }
    // Linux allocates control data against net.core.optmem_max (ENOBUFS beyond it).
    guard header.controlLength <= 131072 else { throw .ENOBUFS }
    let name = header.name != 0 && header.nameLength != 0 ? try readSocketName(header.name, header.nameLength) : nil
    let vectors = try iovecs(header.iov, header.iovCount)
    let control = header.controlLength > 0 ? try parseSocketControl(try UserMemory.readBytes(header.control, count: Int(header.controlLength)))
                                           : SocketControl()
    return try socketSend(file, vectors, flags: MessageFlags(rawValue: UInt32(truncatingIfNeeded: a.a2)), name: name, control: control)
}

/// recvmsg(2): the data, the sender's name, then control messages as put_cmsg and
/// scm_detach_fds build them: SCM_CREDENTIALS (with SO_PASSCRED) first, then as many
/// descriptors as fit (the rest are closed and MSG_CTRUNC is set). msg_flags echoes
/// MSG_CMSG_CLOEXEC, as Linux's does.
func sys_recvmsg(_ a: SyscallArguments) throws(Errno) -> Int {
    let file = try socketFile(a.a0)
    let header = try MessageHeader(a.a1)
    let flags = MessageFlags(rawValue: UInt32(truncatingIfNeeded: a.a2))
    guard header.iovCount <= 1024 else { throw .EMSGSIZE }
    let vectors = try iovecs(header.iov, header.iovCount)
    let (n, got) = try socketReceive(file, vectors, flags: flags)
    if header.name != 0 { try writeSocketName(got.senderAddress?.encoded ?? [], to: header.name, length: a.a1 + 8) }
    var outFlags = flags.intersection(.MSG_CMSG_CLOEXEC)
    if got.truncated && file.socket.kind != .stream { outFlags.insert(.MSG_TRUNC) }
    let room = header.control != 0 ? Int(min(header.controlLength, 1 << 20)) : 0
    var control: [UInt8] = []
    if let c = got.credentials {
        if room - control.count >= 28 {
            var w = ABIStructWriter(count: 32)
            w.put(UInt64(28), at: 0); w.put(SocketOption.SOL_SOCKET, at: 8); w.put(SocketOption.SCM_CREDENTIALS, at: 12)
            w.put(c.pid, at: 16); w.put(c.uid, at: 20); w.put(c.gid, at: 24)
            control += w.bytes.prefix(min(32, room - control.count))
        } else {
            outFlags.insert(.MSG_CTRUNC)
        }
    }
    if !got.files.isEmpty {
        let left = room - control.count
        let fit = left > 16 ? min((left - 16) / 4, got.files.count) : 0
        var fds: [Int32] = []
        for f in got.files.prefix(fit) {
            guard let n = try? currentProcess.files.allocate(f, closeOnExec: flags.contains(.MSG_CMSG_CLOEXEC)) else { break }
            fds.append(n)
        }
        if fds.count < got.files.count { outFlags.insert(.MSG_CTRUNC) }
        if !fds.isEmpty {
            let length = 16 + 4 * fds.count
            var w = ABIStructWriter(count: (length + 7) & ~7)
            w.put(UInt64(length), at: 0); w.put(SocketOption.SOL_SOCKET, at: 8); w.put(SocketOption.SCM_RIGHTS, at: 12)
            for (i, d) in fds.enumerated() { w.put(d, at: 16 + 4 * i) }
            control += w.bytes.prefix(min(w.bytes.count, left))
        }
    }
    if !control.isEmpty { try UserMemory.writeBytes(header.control, control) }
    try UserMemory.write(a.a1 + 40, UInt64(control.count))
    try UserMemory.write(a.a1 + 48, Int32(bitPattern: outFlags.rawValue))
    return n
}

/// read(2)/readv(2) on a socket: recv without flags.
func socketRead(_ file: UnixSocketFile, _ vectors: [(UInt64, Int)]) throws(Errno) -> Int {
    try socketReceive(file, vectors, flags: []).0
}

/// write(2)/writev(2) on a socket: send without flags (SIGPIPE on a broken stream).
func socketWrite(_ file: UnixSocketFile, _ vectors: [(UInt64, Int)]) throws(Errno) -> Int {
    try socketSend(file, vectors, flags: [], name: nil)
}

// MARK: sendmmsg(2), recvmmsg(2): a vector of struct mmsghdr { struct msghdr (56 bytes);
// unsigned int msg_len; } (64 bytes each), one sendmsg/recvmsg per entry, at most UIO_MAXIOV.

private let mmsgEntrySize: UInt64 = 64

/// sendmmsg(2): the number of messages sent; an error after the first ends the call early
/// (the error itself is lost, as in Linux).
func sys_sendmmsg(_ a: SyscallArguments) throws(Errno) -> Int {
    _ = try socketFile(a.a0)
    let count = min(UInt64(UInt32(truncatingIfNeeded: a.a2)), 1024)
    var sent = 0
    while UInt64(sent) < count {
        let entry = a.a1 + UInt64(sent) * mmsgEntrySize
        do {
            let n = try sys_sendmsg(SyscallArguments(frame: a.frame, override: (a.a0, entry), shift: a.a3))
            try UserMemory.write(entry + 56, UInt32(truncatingIfNeeded: n))
        } catch {
            if sent > 0 { break }
            throw error
        }
        sent += 1
    }
    return sent
}

/// recvmmsg(2): MSG_WAITFORONE (0x10000) turns on MSG_DONTWAIT after the first message; the
/// timeout is checked after each message (as Linux does: the first receive may still block)
/// and the time left is written back.
func sys_recvmmsg(_ a: SyscallArguments) throws(Errno) -> Int {
    _ = try socketFile(a.a0)
    let waitForOne: UInt32 = 0x10000
    var flags = UInt32(truncatingIfNeeded: a.a3)
    var deadline: UInt64? = nil
    if a.a4 != 0 {
        let (s, ns) = try UserMemory.read(a.a4, as: (Int64, Int64).self)
        guard s >= 0, ns >= 0, ns < 1_000_000_000 else { throw .EINVAL }
        // A zero timeout is "already expired" (poll_select_set_timeout's zero end time).
        deadline = s == 0 && ns == 0 ? 0 : Clock.nanoseconds() &+ saturatingNanoseconds(seconds: s, nanoseconds: ns)
    }
    let count = min(UInt64(UInt32(truncatingIfNeeded: a.a2)), 1024)
    var received = 0
    while UInt64(received) < count {
        let entry = a.a1 + UInt64(received) * mmsgEntrySize
        do {
            let n = try sys_recvmsg(SyscallArguments(frame: a.frame, override: (a.a0, entry),
                                                     shift: UInt64(flags & ~waitForOne)))
            try UserMemory.write(entry + 56, UInt32(truncatingIfNeeded: n))
        } catch {
            if received > 0 { break }
            throw error
        }
        received += 1
        if flags & waitForOne != 0 { flags |= MessageFlags.MSG_DONTWAIT.rawValue }
        if let d = deadline {
            let now = Clock.nanoseconds()
            let left = d > now ? d - now : 0
            try UserMemory.write(a.a4, (Int64(left / 1_000_000_000), Int64(left % 1_000_000_000)))
            if left == 0 { break }
        }
    }
    return received
}
