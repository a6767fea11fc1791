// The initramfs unpacker: archives built here in newc format (what `cpio -H newc` and the
// kernel's usr/gen_init_cpio write), unpacked and compared; hard links by inode number;
// devices, fifos, symlinks, modes, owners and times; concatenated archives; and a fuzz run
// of thousands of mutated and truncated archives that must fail with EINVAL or succeed, never trap.
import Testing
import LinuxABI
@testable import FileSystem

/// Builds newc archives.
struct CPIOBuilder {
    var data: [UInt8] = []
    var nextInode: UInt32 = 1

    mutating func entry(_ name: String, mode: UInt32, body: [UInt8] = [], inode: UInt32? = nil, nlink: UInt32 = 1,
                        uid: UInt32 = 0, gid: UInt32 = 0, mtime: UInt32 = 1_600_000_000, rdev: (UInt32, UInt32) = (0, 0)) {
        let ino = inode ?? { nextInode += 1; return nextInode }()
        let nameBytes = Array(name.utf8) + [0]
        func hex(_ v: UInt32) -> [UInt8] {
            let digits = Array("0123456789ABCDEF".utf8)
            return (0..<8).map { digits[Int((v >> (28 - 4 * UInt32($0))) & 0xF)] }
        }
        data += Array("070701".utf8)
        for v in [ino, mode, uid, gid, nlink, mtime, UInt32(body.count), 0, 0, rdev.0, rdev.1, UInt32(nameBytes.count), 0] {
            data += hex(v)
        }
        data += nameBytes
        while data.count % 4 != 0 { data.append(0) }
        data += body
        while data.count % 4 != 0 { data.append(0) }
    }
    mutating func trailer() { entry("TRAILER!!!", mode: 0, inode: 0) }
}

@Suite struct CPIOTests {
    func sampleArchive() -> [UInt8] {
        var b = CPIOBuilder()
        b.entry(".", mode: 0o040755)
        b.entry("bin", mode: 0o040755)
        b.entry("bin/busybox", mode: 0o100755, body: Array(repeating: 0x90, count: 10000))
        b.entry("bin/sh", mode: 0o120777, body: bytes("busybox"))
        b.entry("dev", mode: 0o040755)
        b.entry("dev/console", mode: 0o020600, rdev: (5, 1))
        b.entry("dev/fifo", mode: 0o010644)
        b.entry("etc", mode: 0o040700, uid: 1, gid: 2, mtime: 12345)
        b.entry("etc/passwd", mode: 0o100644, body: bytes("root:x:0:0:root:/root:/bin/sh\n"), uid: 3, gid: 4, mtime: 777)
        b.entry("init", mode: 0o100755, body: bytes("#!/bin/sh\necho hi\n"))
        // Hard links as GNU cpio writes them: earlier names empty, data with the last.
        b.entry("a1", mode: 0o100644, inode: 500, nlink: 2)
        b.entry("a2", mode: 0o100644, body: bytes("linked"), inode: 500, nlink: 2)
        b.entry("./deep/er/file", mode: 0o100600, body: bytes("x"))       // parents missing
        b.trailer()
        return b.data
    }

    @Test func unpackSample() throws {
        let vfs = makeVFS()
        let r = try CPIO.unpack(sampleArchive(), into: vfs.root, vfs: vfs)
        #expect(r.directories == 3 && r.files == 5 && r.symlinks == 1 && r.nodes == 2 && r.hardLinks == 1)
        #expect(try vfs.stat("/bin/busybox").size == 10000)
        #expect(try vfs.stat("/bin/busybox").mode.rawValue == 0o100755)
        #expect(try vfs.readlink("/bin/sh") == bytes("busybox"))
        #expect(try vfs.resolve("/bin/sh") === (try vfs.resolve("/bin/busybox")))
        #expect(try vfs.stat("/dev/console").specialDevice == DeviceNumber(major: 5, minor: 1))
        #expect(try vfs.stat("/dev/console").mode.rawValue == 0o020600)
        #expect(try vfs.stat("/dev/fifo").mode.isFIFO)
        let etc = try vfs.stat("/etc")
        #expect(etc.mode.rawValue == 0o040700 && etc.uid == 1 && etc.gid == 2 && etc.modificationTime.seconds == 12345)
        let passwd = try vfs.stat("/etc/passwd")
        #expect(passwd.uid == 3 && passwd.gid == 4 && passwd.modificationTime.seconds == 777)
        #expect(try vfs.open("/etc/passwd", flags: []).readAll() == bytes("root:x:0:0:root:/root:/bin/sh\n"))
        #expect(try vfs.stat("/a1").inode == (try vfs.stat("/a2")).inode)
        #expect(try vfs.stat("/a1").linkCount == 2)
        #expect(try vfs.open("/a1", flags: []).readAll() == bytes("linked"))
        #expect(try vfs.open("/deep/er/file", flags: []).readAll() == bytes("x"))
        #expect(try vfs.open("/", flags: [.O_DIRECTORY]).listNames().sorted()
                == [".", "..", "a1", "a2", "bin", "deep", "dev", "etc", "init"])
    }

    @Test func concatenatedArchivesAndReplacement() throws {
        let vfs = makeVFS()
        var a = CPIOBuilder()
        a.entry("f", mode: 0o100644, body: bytes("first"))
        a.entry("l", mode: 0o100644, body: bytes("file"))
        a.trailer()
        var b = CPIOBuilder()
        b.entry("f", mode: 0o100644, body: bytes("second"))
        b.entry("l", mode: 0o120777, body: bytes("f"))        // a file replaced by a symlink
        b.trailer()
        let both = a.data + [UInt8](repeating: 0, count: 512) + b.data
        try CPIO.unpack(both, into: vfs.root, vfs: vfs)
        #expect(try vfs.open("/f", flags: []).readAll() == bytes("second"))
        #expect(try vfs.readlink("/l") == bytes("f"))
        // Empty input is an empty archive.
        #expect(try CPIO.unpack([], into: vfs.root, vfs: vfs) == CPIOUnpackResult())
    }

    @Test func corruptArchivesAreEINVAL() throws {
        let good = sampleArchive()
        let vfs = makeVFS()
        // No trailer / cut in the middle of a header, a name or data.
        for cut in [good.count - 120, 50, 112, 200, good.count - 4] {
            #expect(throws: Errno.EINVAL) { try CPIO.unpack(Array(good[0..<cut]), into: makeVFS().root, vfs: vfs) }
        }
        var bad = good
        bad[3] = 0x38                                           // magic 070801
        #expect(throws: Errno.EINVAL) { try CPIO.unpack(bad, into: vfs.root, vfs: vfs) }
        bad = good
        bad[6 + 6 * 8] = 0x5a                                   // 'Z' in the size field
        #expect(throws: Errno.EINVAL) { try CPIO.unpack(bad, into: vfs.root, vfs: vfs) }
        bad = good
        for i in 0..<8 { bad[6 + 6 * 8 + i] = 0x46 }             // size FFFFFFFF
        #expect(throws: Errno.EINVAL) { try CPIO.unpack(bad, into: vfs.root, vfs: vfs) }
        bad = good
        for i in 0..<8 { bad[6 + 11 * 8 + i] = 0x30 }             // namesize 0
        #expect(throws: Errno.EINVAL) { try CPIO.unpack(bad, into: vfs.root, vfs: vfs) }
        #expect(throws: Errno.EINVAL) { try CPIO.unpack(Array("gzip\u{1f}\u{8b}".utf8), into: vfs.root, vfs: vfs) }
    }

    @Test func fuzzNeverTraps() throws {
        let good = sampleArchive()
        var rng = SplitMix64(seed: 42)
        var outcomes = (ok: 0, failed: 0)
        for round in 0..<3000 {
            var a = good
            switch round % 4 {
            case 0:                                            // flip random bytes
                for _ in 0..<(1 + Int(rng.next() % 8)) { a[Int(rng.next() % UInt64(a.count))] = UInt8(truncatingIfNeeded: rng.next()) }
            case 1:                                            // random hex digits in header fields
                for _ in 0..<(1 + Int(rng.next() % 4)) {
                    let i = Int(rng.next() % UInt64(a.count))
                    a[i] = Array("0123456789ABCDEFf".utf8)[Int(rng.next() % 17)]
                }
            case 2:                                            // truncate
                a = Array(a[0..<Int(rng.next() % UInt64(a.count))])
            default:                                           // splice garbage
                let at = Int(rng.next() % UInt64(a.count))
                let junk = (0..<Int(rng.next() % 64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                a.insert(contentsOf: junk, at: at)
            }
            let vfs = makeVFS()
            do {
                try CPIO.unpack(a, into: vfs.root, vfs: vfs)
                outcomes.ok += 1
            } catch {
                outcomes.failed += 1
            }
        }
        #expect(outcomes.ok + outcomes.failed == 3000)
        #expect(outcomes.failed > 1000)
    }
}

struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}
