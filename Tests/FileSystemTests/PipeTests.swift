// Pipes: EOF once writers close, EPIPE once readers close, atomic writes up to PIPE_BUF,
// partial writes above it, ESPIPE, poll readiness, F_GETPIPE_SZ/F_SETPIPE_SZ, named fifos,
// and a writer thread streaming 4 MiB to a reader thread through WaitQueue wake-ups.
import Foundation
import Testing
import LinuxABI
@testable import FileSystem

@Suite struct PipeTests {
    @Test func eofAndEpipe() throws {
        let vfs = makeVFS()
        var (r, w): (OpenFile?, OpenFile?) = vfs.makePipe()
        #expect(errno { try r!.read(count: 10) } == .EAGAIN)
        #expect(r!.pollEvents() & PollEvents.POLLIN == 0)
        #expect(w!.pollEvents() & PollEvents.POLLOUT != 0)
        try w!.write("hi")
        #expect(r!.pollEvents() & PollEvents.POLLIN != 0)
        #expect(try r!.read(count: 10) == bytes("hi"))
        #expect(errno { try r!.seek(0, whence: .SEEK_SET) } == .ESPIPE)
        #expect(errno { try r!.read(count: 1, at: 0) } == .ESPIPE)
        #expect(errno { try w!.read(count: 1) } == .EBADF)
        #expect(errno { try r!.write("x") } == .EBADF)
        #expect(r!.stat().mode.isFIFO)
        try w!.write("last")
        w = nil                                                 // close the only writer
        #expect(r!.pollEvents() & PollEvents.POLLHUP != 0)
        #expect(try r!.read(count: 10) == bytes("last"))
        #expect(try r!.read(count: 10) == [])                    // EOF
        let (r2, w2) = vfs.makePipe()
        var r2opt: OpenFile? = r2
        _ = r2opt
        r2opt = nil
        _ = consume r2
        #expect(errno { try w2.write("x") } == .EPIPE)
        #expect(w2.pollEvents() & PollEvents.POLLERR != 0)
        _ = r
    }

    @Test func atomicAndPartialWrites() throws {
        let vfs = makeVFS()
        let (r, w) = vfs.makePipe()
        #expect(try w.pipeCapacity() == 65536)
        #expect(try w.write([UInt8](repeating: 1, count: 65536 - 100)) == 65436)
        #expect(errno { try w.write([UInt8](repeating: 2, count: 200)) } == .EAGAIN)   // <= PIPE_BUF: all or nothing
        #expect(w.pollEvents() & PollEvents.POLLOUT == 0)
        #expect(try w.write([UInt8](repeating: 3, count: 5000)) == 100)                // > PIPE_BUF: partial
        #expect(errno { try w.write([UInt8](repeating: 3, count: 5000)) } == .EAGAIN)
        let caller = FakeCaller()
        _ = try r.ioctl(IoctlRequest.FIONREAD, argument: 0, caller: caller)
        #expect(readLittleEndian(Int32.self, caller.memory, at: 0) == 65536)
        #expect(errno { try w.setPipeCapacity(4096) } == .EBUSY)
        #expect(try r.read(count: 65436).count == 65436)
        #expect(try r.read(count: 1000) == [UInt8](repeating: 3, count: 100))
        #expect(try w.setPipeCapacity(5000) == 8192)
        #expect(errno { try w.setPipeCapacity(2 << 20) } == .EPERM)
        try w.write("wrap")
        #expect(try r.read(count: 10) == bytes("wrap"))
        #expect(errno { try vfs.open("/x", flags: []).pipeCapacity() } == .ENOENT)
    }

    @Test func namedFifo() throws {
        let vfs = makeVFS()
        try vfs.makeNode("/fifo", mode: FileMode.S_IFIFO.rawValue | 0o644)
        let w = try vfs.open("/fifo", flags: [.O_WRONLY])
        let r = try vfs.open("/fifo", flags: [.O_RDONLY, .O_NONBLOCK])
        try w.write("through a fifo")
        #expect(try r.read(count: 100) == bytes("through a fifo"))
        #expect(r.isNonBlocking)
        let f = try vfs.open("/", flags: [])
        #expect(errno { try f.pipeCapacity() } == .EBADF)
    }

    @Test func readerAndWriterThreads() throws {
        let vfs = makeVFS()
        var ends: (read: OpenFile, write: OpenFile)? = vfs.makePipe()
        let reader = ends!.read
        let total = 4 << 20
        let writerDone = DispatchSemaphore(value: 0)
        let writerEnd = ends!.write
        ends = nil
        var pattern = [UInt8](repeating: 0, count: total)
        for i in 0..<total { pattern[i] = UInt8(truncatingIfNeeded: i % 251) }
        let source = pattern
        Thread { [writerEnd] in
            var sent = 0
            while sent < total {
                let chunk = Array(source[sent..<min(total, sent + 7000)])
                let n = (try? writerEnd.blocking { () throws(Errno) -> Int in try writerEnd.write(chunk) }) ?? 0
                sent += n
            }
            writerDone.signal()
        }.start()
        var received: [UInt8] = []
        received.reserveCapacity(total)
        while received.count < total {
            let chunk = try reader.blocking { () throws(Errno) -> [UInt8] in try reader.read(count: 10000) }
            received += chunk
        }
        #expect(writerDone.wait(timeout: .now() + 10) == .success)
        #expect(received == pattern)
    }

    @Test func eofWakesABlockedReader() throws {
        let vfs = makeVFS()
        var ends: (read: OpenFile, write: OpenFile)? = vfs.makePipe()
        let reader = ends!.read
        let writer = Box(ends!.write)
        ends = nil
        let got = DispatchSemaphore(value: 0)
        let outcome = Screen()
        Thread {
            let r = try? reader.blocking { () throws(Errno) -> [UInt8] in try reader.read(count: 10) }
            if r == [] { outcome.append(UnsafeRawBufferPointer(start: nil, count: 0)) ; got.signal() }
        }.start()
        Thread.sleep(forTimeInterval: 0.05)
        writer.value = nil                                       // last writer closes: EOF
        #expect(got.wait(timeout: .now() + 5) == .success)
    }
}

final class Box<T>: @unchecked Sendable {
    var value: T?
    init(_ v: T) { value = v }
}
