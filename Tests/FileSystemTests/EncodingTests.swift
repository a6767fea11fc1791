// ABI encodings: struct stat's 144 bytes and field offsets, statx, statfs, linux_dirent64
// records (8-byte aligned reclen, d_type), termios and winsize round trips, device numbers.
import Testing
import LinuxABI
@testable import FileSystem

@Suite struct EncodingTests {
    @Test func statLayout() {
        var s = Stat()
        s.device = DeviceNumber(major: 0, minor: 5)
        s.inode = 0x1122334455667788
        s.linkCount = 3
        s.mode = FileMode(0o100644)
        s.uid = 1000; s.gid = 1001
        s.specialDevice = DeviceNumber(major: 4, minor: 64)
        s.size = 12345
        s.blocks = 24
        s.accessTime = Timespec(seconds: 10, nanoseconds: 11)
        s.modificationTime = Timespec(seconds: 20, nanoseconds: 21)
        s.changeTime = Timespec(seconds: 30, nanoseconds: 31)
        let b = s.encoded()
        #expect(b.count == 144)
        #expect(readLittleEndian(UInt64.self, b, at: 0) == 5)
        #expect(readLittleEndian(UInt64.self, b, at: 8) == 0x1122334455667788)
        #expect(readLittleEndian(UInt64.self, b, at: 16) == 3)
        #expect(readLittleEndian(UInt32.self, b, at: 24) == 0o100644)
        #expect(readLittleEndian(UInt32.self, b, at: 28) == 1000)
        #expect(readLittleEndian(UInt32.self, b, at: 32) == 1001)
        #expect(readLittleEndian(UInt64.self, b, at: 40) == (4 << 8 | 64))
        #expect(readLittleEndian(Int64.self, b, at: 48) == 12345)
        #expect(readLittleEndian(Int64.self, b, at: 56) == 4096)
        #expect(readLittleEndian(Int64.self, b, at: 64) == 24)
        #expect(readLittleEndian(Int64.self, b, at: 72) == 10)
        #expect(readLittleEndian(Int64.self, b, at: 80) == 11)
        #expect(readLittleEndian(Int64.self, b, at: 88) == 20)
        #expect(readLittleEndian(Int64.self, b, at: 96) == 21)
        #expect(readLittleEndian(Int64.self, b, at: 104) == 30)
        #expect(readLittleEndian(Int64.self, b, at: 112) == 31)
        #expect(b[120..<144].allSatisfy { $0 == 0 })
    }

    @Test func statxLayout() {
        var s = Stat()
        s.mode = FileMode(0o040755); s.inode = 77; s.size = 4096; s.linkCount = 2
        s.modificationTime = Timespec(seconds: 5, nanoseconds: 6)
        s.device = DeviceNumber(major: 0, minor: 9)
        let b = s.encodedStatx()
        #expect(b.count == 256)
        #expect(readLittleEndian(UInt32.self, b, at: 0) & 0x7ff == 0x7ff)
        #expect(readLittleEndian(UInt32.self, b, at: 16) == 2)
        #expect(readLittleEndian(UInt16.self, b, at: 28) == 0o040755)
        #expect(readLittleEndian(UInt64.self, b, at: 32) == 77)
        #expect(readLittleEndian(UInt64.self, b, at: 40) == 4096)
        #expect(readLittleEndian(Int64.self, b, at: 112) == 5)
        #expect(readLittleEndian(UInt32.self, b, at: 120) == 6)
        #expect(readLittleEndian(UInt32.self, b, at: 140) == 9)
    }

    @Test func statfsLayout() {
        var s = StatFS()
        s.type = StatFS.TMPFS_MAGIC; s.blocks = 100; s.freeBlocks = 40
        let b = s.encoded()
        #expect(b.count == 120)
        #expect(readLittleEndian(Int64.self, b, at: 0) == 0x01021994)
        #expect(readLittleEndian(Int64.self, b, at: 8) == 4096)
        #expect(readLittleEndian(UInt64.self, b, at: 16) == 100)
        #expect(readLittleEndian(UInt64.self, b, at: 24) == 40)
        #expect(readLittleEndian(Int64.self, b, at: 64) == 255)
    }

    @Test func deviceNumbers() {
        let d = DeviceNumber(major: 259, minor: 300000)
        #expect(DeviceNumber(encoded: d.encoded) == d)
        #expect(DeviceNumber(major: 1, minor: 3).encoded == 0x103)
        #expect(DeviceNumber(major: 4, minor: 64).encoded == 0x440)
    }

    @Test func direntRecords() throws {
        var buf = [UInt8](repeating: 0xAA, count: 64)
        let n = buf.withUnsafeMutableBytes { raw in
            LinuxDirent64.encode(into: raw, at: 0, inode: 42, nextOffset: 7, type: .regular, name: bytes("hello"))
        }
        #expect(n == 32)               // 19 + 5 + 1 = 25 -> 32
        #expect(readLittleEndian(UInt64.self, buf, at: 0) == 42)
        #expect(readLittleEndian(Int64.self, buf, at: 8) == 7)
        #expect(readLittleEndian(UInt16.self, buf, at: 16) == 32)
        #expect(buf[18] == 8)          // DT_REG
        #expect(Array(buf[19..<24]) == bytes("hello"))
        #expect(buf[24..<32].allSatisfy { $0 == 0 })
        for len in 0..<40 { #expect(LinuxDirent64.recordLength(nameLength: len) % 8 == 0) }
        #expect(LinuxDirent64.recordLength(nameLength: 4) == 24)
        let tooSmall = buf.withUnsafeMutableBytes { raw in
            LinuxDirent64.encode(into: raw, at: 40, inode: 1, nextOffset: 1, type: .directory, name: bytes("hello"))
        }
        #expect(tooSmall == nil)
    }

    @Test func getdentsFromDirectory() throws {
        let vfs = makeVFS()
        try vfs.makeDirectory("/d")
        try vfs.makeDirectory("/d/sub")
        _ = try vfs.open("/d/file", flags: [.O_CREAT, .O_WRONLY])
        try vfs.makeSymlink(target: "file", at: "/d/link")
        let dir = try vfs.open("/d", flags: [.O_DIRECTORY])
        let recs = decodeDirents(try dir.getdents(bufferSize: 4096))
        #expect(recs.map(\.name) == [".", "..", "sub", "file", "link"])
        #expect(recs.map(\.type) == [4, 4, 4, 8, 10])
        #expect(recs.allSatisfy { $0.reclen % 8 == 0 })
        #expect(recs[0].ino == (try vfs.stat("/d")).inode)
        #expect(recs[1].ino == (try vfs.stat("/")).inode)
        #expect(try dir.getdents(bufferSize: 4096).isEmpty)
        // Resuming from each d_off lists the rest.
        _ = try dir.seek(recs[2].off, whence: .SEEK_SET)
        #expect(decodeDirents(try dir.getdents(bufferSize: 4096)).map(\.name) == ["file", "link"])
        // A buffer too small for one record is EINVAL; small buffers page through.
        _ = try dir.seek(0, whence: .SEEK_SET)
        #expect(errno { try dir.getdents(bufferSize: 10) } == .EINVAL)
        #expect(try dir.listNames() == [".", "..", "sub", "file", "link"])
        // read(2) on a directory is EISDIR; getdents on a file ENOTDIR.
        #expect(errno { try dir.read(count: 10) } == .EISDIR)
        let f = try vfs.open("/d/file", flags: [])
        #expect(errno { try f.getdents(bufferSize: 100) } == .ENOTDIR)
    }

    @Test func termiosRoundTrip() {
        let t = Termios.standard
        let b = t.encoded()
        #expect(b.count == 36)
        #expect(readLittleEndian(UInt32.self, b, at: 12) == 0x8a3b)   // what busybox sees cooked
        #expect(b[17 + Termios.VINTR] == 3 && b[17 + Termios.VERASE] == 0x7f && b[17 + Termios.VEOF] == 4)
        #expect(Termios(encoded: b) == t)
        let w = WindowSize(rows: 24, columns: 80)
        #expect(WindowSize(encoded: w.encoded()) == w)
        #expect(w.encoded() == [24, 0, 80, 0, 0, 0, 0, 0])
    }

    @Test func openFlagValues() {
        #expect(OpenFlags.O_CREAT.rawValue == 0x40)
        #expect(OpenFlags.O_DIRECTORY.rawValue == 0x10000)
        #expect(OpenFlags.O_CLOEXEC.rawValue == 0x80000)
        #expect(OpenFlags.O_PATH.rawValue == 0x200000)
        #expect(FileMode(0o120777).type == .symlink)
        #expect(FileType.directory.modeBits == .S_IFDIR)
    }
}
