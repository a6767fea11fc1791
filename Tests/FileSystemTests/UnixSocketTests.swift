// AF_UNIX sockets and eventfd in the file layer (FileSystem/Socket/, FileSystem/EventFD/):
// stream pairs (byte stream, shutdown, close giving EOF and EPIPE), datagram boundaries and
// truncation, connect/accept with the backlog and ECONNREFUSED, ECONNRESET for a connection
// its listener dropped, descriptors travelling in messages, poll bits, the send buffer
// filling and draining, and the eventfd counter. The tier-3 programs check the syscall layer.
import Foundation
import Testing
import LinuxABI
@testable import FileSystem

private let me = UnixCredentials(pid: 42, uid: 0, gid: 0)

private func domain() -> UnixSocketDomain {
    let clock = FakeClock()
    return UnixSocketDomain(device: DeviceNumber(major: 0, minor: 99), clock: FileSystemClock({ clock.now() }))
}

private func send(_ s: UnixSocket, _ text: String, to target: UnixSocket? = nil, files: [OpenFile] = []) throws(Errno) -> Int {
    try s.send(ArraySlice(bytes(text)), to: target, files: files, credentials: me)
}

private func receive(_ s: UnixSocket, _ count: Int, peek: Bool = false) throws(Errno) -> (String, UnixReceived) {
    var buffer = [UInt8](repeating: 0, count: count)
    var failure: Errno? = nil
    let r: UnixReceived = buffer.withUnsafeMutableBytes { b in
        do throws(Errno) { return try s.receive(into: b, peek: peek, dontWait: true) } catch { failure = error; return UnixReceived() }
    }
    if let failure { throw failure }
    return (text(Array(buffer[0..<r.count])), r)
}

@Suite struct UnixSocketTests {
    @Test func streamPair() throws {
        let (a, b) = UnixSocket.pair(kind: .stream, domain: domain(), credentials: me)
        #expect(a.pollEvents() & PollEvents.POLLOUT != 0)
        #expect(a.pollEvents() & PollEvents.POLLIN == 0)
        #expect(try send(a, "ab") == 2)
        #expect(try send(a, "cd") == 2)
        #expect(try receive(b, 10, peek: true).0 == "abcd")
        #expect(try receive(b, 3).0 == "abc")
        #expect(try receive(b, 3).0 == "d")
        #expect(errno { try receive(b, 3) } == .EAGAIN)
        try a.shutdown(1)
        #expect(errno { try send(a, "x") } == .EPIPE)
        #expect(try receive(b, 3).0 == "")                       // end of stream
        #expect(b.pollEvents() & PollEvents.POLLRDHUP != 0)
        #expect(try send(b, "back") == 4)
        b.release()
        #expect(try receive(a, 10).0 == "back")
        #expect(try receive(a, 10).0 == "")
        #expect(a.pollEvents() & PollEvents.POLLHUP != 0)
        #expect(errno { try a.shutdown(3) } == .EINVAL)
        a.release()
    }

    @Test func datagramsKeepBoundaries() throws {
        let d = domain()
        let a = UnixSocket(kind: .datagram, domain: d), b = UnixSocket(kind: .datagram, domain: d)
        try b.bind(UnixAddress(kind: .abstract, name: bytes("b")), inode: nil)
        #expect(errno { try send(a, "x") } == .ENOTCONN)
        #expect(d.socket(abstractName: bytes("b")) === b)
        #expect(try send(a, "one", to: b) == 3)
        #expect(try send(a, "a longer one", to: b) == 12)
        #expect(try send(a, "", to: b) == 0)
        let (first, r1) = try receive(b, 100)
        #expect(first == "one" && r1.senderAddress == nil)
        let (cut, r2) = try receive(b, 4)
        #expect(cut == "a lo" && r2.truncated && r2.messageLength == 12)
        #expect(try receive(b, 4).1.messageLength == 0)
        #expect(errno { try receive(b, 4) } == .EAGAIN)
        a.autobind()
        #expect(a.localAddressEncoded.count == 8)
        #expect(try send(a, "named", to: b) == 5)
        #expect(try receive(b, 10).1.senderAddress?.kind == .abstract)
        b.release()
        #expect(d.socket(abstractName: bytes("b")) == nil)
        a.release()
    }

    @Test func connectAcceptAndBacklog() throws {
        let d = domain()
        let listener = UnixSocket(kind: .stream, domain: d)
        let client = UnixSocket(kind: .stream, domain: d), second = UnixSocket(kind: .stream, domain: d)
        #expect(errno { try listener.listen(backlog: 0, credentials: me) } == .EINVAL)      // unbound
        try listener.bind(UnixAddress(kind: .abstract, name: bytes("srv")), inode: nil)
        #expect(errno { try client.connect(to: listener, credentials: me) } == .ECONNREFUSED)
        try listener.listen(backlog: 0, credentials: me)
        #expect(errno { try listener.accept() } == .EAGAIN)
        try client.connect(to: listener, credentials: me)
        #expect(errno { try client.connect(to: listener, credentials: me) } == .EISCONN)
        #expect(errno { try second.connect(to: listener, credentials: me) } == .EAGAIN)     // backlog 0: one waits
        #expect(listener.pollEvents() & PollEvents.POLLIN != 0)
        #expect(try send(client, "early") == 5)                  // before accept, as on Linux
        let server = try listener.accept()
        #expect(try receive(server, 10).0 == "early")
        #expect(server.peerCredentialsValue == me)
        #expect(try server.peerAddressEncoded() == UnixAddress.unnamedEncoded)
        try second.connect(to: listener, credentials: me)
        listener.release()                                       // drops the unaccepted one
        #expect(errno { try receive(second, 10) } == .ECONNRESET)
        #expect(try receive(second, 10).0 == "")
        let dgram = UnixSocket(kind: .datagram, domain: d)
        #expect(errno { try dgram.connect(to: server, credentials: me) } == .EPROTOTYPE)
        for s in [client, second, server, dgram] { s.release() }
    }

    @Test func descriptorsTravel() throws {
        let vfs = makeVFS()
        let (a, b) = UnixSocket.pair(kind: .stream, domain: domain(), credentials: me)
        let (r, w) = vfs.makePipe()
        #expect(try send(a, "fd", files: [r]) == 2)
        #expect(try send(a, "more") == 4)
        let (data, got) = try receive(b, 100)
        #expect(data == "fd")                                    // a read stops after descriptors
        #expect(got.files.count == 1 && got.files[0] === r)
        try w.write("through")
        #expect(try got.files[0].read(count: 20) == bytes("through"))
        a.release(); b.release()
    }

    @Test func sendBufferFillsAndDrains() throws {
        let (a, b) = UnixSocket.pair(kind: .stream, domain: domain(), credentials: me)
        let chunk = [UInt8](repeating: 7, count: 65536)
        var total = 0
        while true {
            do { total += try a.send(chunk[...], to: nil, files: [], credentials: me) } catch {
                #expect(error == .EAGAIN); break
            }
        }
        #expect(total >= UnixSocket.defaultBufferBytes / 2)
        #expect(a.pollEvents() & PollEvents.POLLOUT == 0)
        var drained = 0
        while let (s, _) = try? receive(b, 65536), !s.isEmpty { drained += s.utf8.count }
        #expect(drained == total)
        #expect(a.pollEvents() & PollEvents.POLLOUT != 0)
        a.release(); b.release()
    }

    @Test func eventfdCounter() throws {
        let clock = FakeClock()
        let inode = AnonymousInode(device: DeviceNumber(major: 0, minor: 98), clock: FileSystemClock({ clock.now() }))
        let e = EventFDFile(inode: inode, initialValue: 2, semaphore: false, flags: [])
        var value: UInt64 = 5
        let eight = withUnsafeBytes(of: &value) { Array($0) }
        #expect(try e.read(count: 8) == withUnsafeBytes(of: UInt64(2)) { Array($0) })
        #expect(errno { try e.read(count: 8) } == .EAGAIN)
        #expect(errno { try e.read(count: 4) } == .EINVAL)
        _ = try e.write(eight)
        #expect(e.value == 5 && e.pollEvents() & PollEvents.POLLIN != 0)
        var max = EventFDFile.maximum
        let big = withUnsafeBytes(of: &max) { Array($0) }
        #expect(errno { try e.write(big) } == .EAGAIN)
        let s = EventFDFile(inode: inode, initialValue: 2, semaphore: true, flags: [])
        #expect(try s.read(count: 8) == withUnsafeBytes(of: UInt64(1)) { Array($0) })
        #expect(s.value == 1)
    }
}
