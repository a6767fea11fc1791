// Shared helpers for the file-system tests: a VFS with a ramfs root and a fake clock, an
// ioctl caller over a private byte array, blocking read/write the way the syscall layer does
// it (retry on EAGAIN after registering a waker on the file's WaitQueue), and byte helpers.
import Foundation
import LinuxABI
@testable import FileSystem

final class FakeClock: @unchecked Sendable {
    private let lock = NSLock()
    private var nanoseconds: Int64 = 1_700_000_000_000_000_000
    func now() -> Int64 { lock.lock(); defer { lock.unlock() }; nanoseconds += 1000; return nanoseconds }
}

func makeVFS() -> VFS {
    let clock = FakeClock()
    let vfs = VFS(clock: { clock.now() })
    vfs.mountRoot(vfs.makeRamFS(), source: "rootfs")
    return vfs
}

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }
func text(_ b: [UInt8]) -> String { String(decoding: b, as: UTF8.self) }

/// Captures Errno from a throwing call (nil if it succeeded).
func errno<T>(_ body: () throws -> T) -> Errno? {
    do { _ = try body(); return nil } catch { return (error as? Errno) ?? .ENOSYS }
}

extension OpenFile {
    func read(count: Int) throws(Errno) -> [UInt8] {
        var buf = [UInt8](repeating: 0, count: count)
        let n = try buf.withUnsafeMutableBytes { (raw: UnsafeMutableRawBufferPointer) -> Result<Int, Errno> in
            do throws(Errno) { return .success(try read(into: raw)) } catch { return .failure(error) }
        }.get()
        return Array(buf[0..<n])
    }
    func read(count: Int, at offset: Int64) throws(Errno) -> [UInt8] {
        var buf = [UInt8](repeating: 0, count: count)
        let n = try buf.withUnsafeMutableBytes { (raw: UnsafeMutableRawBufferPointer) -> Result<Int, Errno> in
            do throws(Errno) { return .success(try read(into: raw, at: offset)) } catch { return .failure(error) }
        }.get()
        return Array(buf[0..<n])
    }
    @discardableResult
    func write(_ data: [UInt8]) throws(Errno) -> Int {
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Result<Int, Errno> in
            do throws(Errno) { return .success(try write(from: raw)) } catch { return .failure(error) }
        }.get()
    }
    @discardableResult
    func write(_ data: [UInt8], at offset: Int64) throws(Errno) -> Int {
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Result<Int, Errno> in
            do throws(Errno) { return .success(try write(from: raw, at: offset)) } catch { return .failure(error) }
        }.get()
    }
    func write(_ s: String) throws(Errno) { try write(bytes(s)) }
    func readAll() throws(Errno) -> [UInt8] {
        var out: [UInt8] = []
        while true {
            let chunk = try read(count: 4096)
            if chunk.isEmpty { return out }
            out += chunk
        }
    }
    func getdents(bufferSize: Int) throws(Errno) -> [UInt8] {
        var buf = [UInt8](repeating: 0, count: bufferSize)
        let n = try buf.withUnsafeMutableBytes { (raw: UnsafeMutableRawBufferPointer) -> Result<Int, Errno> in
            do throws(Errno) { return .success(try readDirectory(into: raw)) } catch { return .failure(error) }
        }.get()
        return Array(buf[0..<n])
    }
    /// All names getdents64 lists, decoded.
    func listNames() throws(Errno) -> [String] {
        var names: [String] = []
        while true {
            let b = try getdents(bufferSize: 512)
            if b.isEmpty { return names }
            for d in decodeDirents(b) { names.append(d.name) }
        }
    }

    /// What the syscall layer does for a blocking call: try; on EAGAIN register a waker,
    /// retry once, then sleep until woken.
    func blocking<T>(_ op: () throws(Errno) -> T) throws(Errno) -> T {
        while true {
            do { return try op() } catch {
                guard error == .EAGAIN, let queue = waitQueue else { throw error }
                let sem = DispatchSemaphore(value: 0)
                let token = queue.add { sem.signal() }
                defer { queue.remove(token) }
                do { return try op() } catch {
                    guard error == .EAGAIN else { throw error }
                    sem.wait()
                }
            }
        }
    }
}

struct DecodedDirent { var ino: UInt64; var off: Int64; var reclen: Int; var type: UInt8; var name: String }

func decodeDirents(_ b: [UInt8]) -> [DecodedDirent] {
    var out: [DecodedDirent] = []
    var o = 0
    while o + 19 <= b.count {
        let ino = readLittleEndian(UInt64.self, b, at: o)
        let off = readLittleEndian(Int64.self, b, at: o + 8)
        let reclen = Int(readLittleEndian(UInt16.self, b, at: o + 16))
        let type = b[o + 18]
        var end = o + 19
        while b[end] != 0 { end += 1 }
        out.append(DecodedDirent(ino: ino, off: off, reclen: reclen, type: type, name: text(Array(b[(o + 19)..<end]))))
        if reclen == 0 { break }
        o += reclen
    }
    return out
}

/// An ioctl caller with a flat fake memory (addresses are offsets into `memory`).
final class FakeCaller: IoctlCaller {
    var memory = [UInt8](repeating: 0, count: 4096)
    var processID: Int32 = 100
    var processGroupID: Int32 = 100
    var sessionID: Int32 = 100
    func copyIn(from address: UInt64, count: Int) throws(Errno) -> [UInt8] {
        guard address + UInt64(count) <= UInt64(memory.count) else { throw .EFAULT }
        return Array(memory[Int(address)..<(Int(address) + count)])
    }
    func copyOut(_ bytes: [UInt8], to address: UInt64) throws(Errno) {
        guard address + UInt64(bytes.count) <= UInt64(memory.count) else { throw .EFAULT }
        for (i, b) in bytes.enumerated() { memory[Int(address) + i] = b }
    }
}
