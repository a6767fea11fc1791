// ramfs file data: page-spanning reads and writes, large files, sparse holes reading as zeros,
// truncate (shrink zeroes the tail, grow makes a hole), O_APPEND, lseek (SEEK_END, SEEK_DATA,
// SEEK_HOLE), pread/pwrite, st_blocks, and the tmpfs size limit giving ENOSPC.
import Testing
import LinuxABI
@testable import FileSystem

@Suite struct RamFileTests {
    @Test func largeFileRoundTrip() throws {
        let vfs = makeVFS()
        let f = try vfs.open("/big", flags: [.O_CREAT, .O_RDWR])
        var data = [UInt8](repeating: 0, count: 3 * 1024 * 1024 + 123)
        for i in 0..<data.count { data[i] = UInt8(truncatingIfNeeded: i &* 2654435761 >> 13) }
        var written = 0
        while written < data.count {
            written += try f.write(Array(data[written..<min(data.count, written + 10007)]))
        }
        #expect(f.stat().size == Int64(data.count))
        #expect(f.stat().blocks == Int64((data.count + 4095) / 4096 * 8))
        _ = try f.seek(0, whence: .SEEK_SET)
        #expect(try f.readAll() == data)
        #expect(try f.read(count: 10, at: 4090) == Array(data[4090..<4100]))
    }

    @Test func sparseHolesAndTruncate() throws {
        let vfs = makeVFS()
        let f = try vfs.open("/sparse", flags: [.O_CREAT, .O_RDWR])
        try f.write(bytes("end"), at: 1 << 30)
        #expect(f.stat().size == (1 << 30) + 3)
        #expect(f.stat().blocks == 8)                        // one page allocated
        #expect(try f.read(count: 8, at: 12345) == [UInt8](repeating: 0, count: 8))
        #expect(try f.read(count: 8, at: (1 << 30) - 2) == [0, 0] + bytes("end"))
        #expect(try f.read(count: 8, at: (1 << 30) + 3) == [])
        try f.write(bytes("abcdefgh"), at: 0)
        try f.truncate(to: 3)
        #expect(f.stat().blocks == 8)
        try f.truncate(to: 8)
        #expect(try f.read(count: 8, at: 0) == bytes("abc") + [0, 0, 0, 0, 0])
        #expect(errno { try f.write(bytes("x"), at: -1) } == .EINVAL)
    }

    @Test func appendAndSeek() throws {
        let vfs = makeVFS()
        let f = try vfs.open("/log", flags: [.O_CREAT, .O_RDWR, .O_APPEND])
        try f.write("one ")
        let other = try vfs.open("/log", flags: [.O_WRONLY, .O_APPEND])
        try other.write("two ")
        try f.write("three")
        #expect(f.currentPosition == 13)
        #expect(try f.read(count: 100, at: 0) == bytes("one two three"))
        try f.write(bytes("X"), at: 0)                        // pwrite with O_APPEND appends (Linux)
        #expect(try f.read(count: 100, at: 0) == bytes("one two threeX"))
        let r = try vfs.open("/log", flags: [])
        #expect(try r.seek(-1, whence: .SEEK_END) == 13)
        #expect(try r.read(count: 5) == bytes("X"))
        #expect(try r.seek(-4, whence: .SEEK_CUR) == 10)
        #expect(errno { try r.seek(-100, whence: .SEEK_CUR) } == .EINVAL)
        #expect(try r.seek(3, whence: .SEEK_DATA) == 3)
        #expect(try r.seek(3, whence: .SEEK_HOLE) == 14)
        #expect(errno { try r.seek(14, whence: .SEEK_DATA) } == .ENXIO)
        #expect(try r.seek(100, whence: .SEEK_SET) == 100)
        #expect(try r.read(count: 5) == [])
        // Shared position through one OpenFile (what dup gives).
        let shared = try vfs.open("/log", flags: [])
        _ = try shared.read(count: 4)
        #expect(try shared.read(count: 3) == bytes("two"))
    }

    @Test func tmpfsLimit() throws {
        let vfs = makeVFS()
        try vfs.makeDirectory("/small")
        let fs = vfs.makeRamFS(typeName: "tmpfs", pageLimit: 4)
        try vfs.mount(fs, at: "/small", source: "tmpfs")
        let f = try vfs.open("/small/f", flags: [.O_CREAT, .O_RDWR])
        let chunk = [UInt8](repeating: 7, count: 3 * 4096)
        #expect(try f.write(chunk) == 3 * 4096)
        #expect(try f.write(chunk) == 4096)                   // partial: one page left
        #expect(errno { try f.write(chunk) } == .ENOSPC)
        #expect(try vfs.statfs(bytes("/small")).freeBlocks == 0)
        try f.truncate(to: 0)
        #expect(fs.usedPages == 0)
        #expect(try vfs.statfs(bytes("/small")).freeBlocks == 4)
        // Pages of a file freed when its last reference goes.
        let g = try vfs.open("/small/g", flags: [.O_CREAT, .O_RDWR])
        try g.write(chunk)
        try vfs.unlink("/small/g")
        #expect(fs.usedPages == 3)
        _ = consume g
        #expect(fs.usedPages == 0)
    }
}

@Suite struct RamPageTests {
    @Test func pagesForMapping() throws {
        let vfs = makeVFS()
        let f = try vfs.open("/m", flags: [.O_CREAT, .O_RDWR])
        try f.write(bytes("mapped"), at: 4096)
        #expect(try f.inode.page(at: 0, create: false) == nil)        // a hole
        let page = try #require(try f.inode.page(at: 1, create: false))
        #expect(page.bytes.load(fromByteOffset: 0, as: UInt8.self) == 0x6d)
        page.bytes.storeBytes(of: 0x4d, toByteOffset: 0, as: UInt8.self)   // a write through a mapping
        #expect(try f.read(count: 6, at: 4096) == bytes("Mapped"))
        #expect(errno { try vfs.resolve("/").page(at: 0, create: true) } == .ENODEV)
    }
}
