// The name-space calls against Linux's errno rules: open's O_CREAT/O_EXCL/O_TRUNC/O_DIRECTORY/
// O_NOFOLLOW/O_PATH, mkdir, mknod, unlink, rmdir, link counts, rename (replace, directories,
// into itself, ancestors, RENAME_NOREPLACE/EXCHANGE), and files that stay readable after unlink.
import Testing
import LinuxABI
@testable import FileSystem

@Suite struct NamespaceTests {
    @Test func openFlags() throws {
        let vfs = makeVFS()
        #expect(errno { try vfs.open("/f", flags: []) } == .ENOENT)
        let f = try vfs.open("/f", flags: [.O_CREAT, .O_RDWR], mode: 0o640)
        #expect(try vfs.stat("/f").mode.rawValue == 0o100640)
        try f.write("hello")
        #expect(errno { try vfs.open("/f", flags: [.O_CREAT, .O_EXCL]) } == .EEXIST)
        let again = try vfs.open("/f", flags: [.O_CREAT, .O_RDONLY])
        #expect(try again.read(count: 10) == bytes("hello"))
        _ = try vfs.open("/f", flags: [.O_WRONLY, .O_TRUNC])
        #expect(try vfs.stat("/f").size == 0)
        #expect(errno { try vfs.open("/f", flags: [.O_DIRECTORY]) } == .ENOTDIR)
        try vfs.makeDirectory("/d")
        #expect(errno { try vfs.open("/d", flags: [.O_WRONLY]) } == .EISDIR)
        #expect(errno { try vfs.open("/d", flags: [.O_CREAT]) } == .EISDIR)
        #expect(errno { try vfs.open("/new/", flags: [.O_CREAT]) } == .EISDIR)
        #expect(errno { try vfs.open("/nodir/x", flags: [.O_CREAT]) } == .ENOENT)
        _ = try vfs.open("/d", flags: [.O_DIRECTORY])
        try vfs.makeSymlink(target: "f", at: "/link")
        #expect(errno { try vfs.open("/link", flags: [.O_NOFOLLOW]) } == .ELOOP)
        #expect(errno { try vfs.open("/link", flags: [.O_CREAT, .O_EXCL]) } == .EEXIST)
        let viaPath = try vfs.open("/link", flags: [.O_PATH, .O_NOFOLLOW])
        #expect(viaPath.stat().mode.isSymlink)
        #expect(errno { try viaPath.read(count: 1) } == .EBADF)
        // O_CREAT through a dangling symlink creates its target (open(2)).
        try vfs.makeSymlink(target: "/created", at: "/dangling")
        _ = try vfs.open("/dangling", flags: [.O_CREAT, .O_WRONLY])
        #expect(try vfs.stat("/created").mode.isRegular)
        // Access modes.
        let ro = try vfs.open("/f", flags: [.O_RDONLY])
        #expect(errno { try ro.write("x") } == .EBADF)
        let wo = try vfs.open("/f", flags: [.O_WRONLY])
        #expect(errno { try wo.read(count: 1) } == .EBADF)
        #expect(wo.path == bytes("/f"))
    }

    @Test func mkdirMknodUnlinkRmdir() throws {
        let vfs = makeVFS()
        try vfs.makeDirectory("/d")
        #expect(errno { try vfs.makeDirectory("/d") } == .EEXIST)
        #expect(errno { try vfs.makeDirectory("/d/.") } == .EEXIST)
        #expect(errno { try vfs.makeDirectory("/") } == .EEXIST)
        #expect(errno { try vfs.makeDirectory("/x/y") } == .ENOENT)
        try vfs.makeDirectory("/e/")                          // a trailing slash is fine for mkdir
        #expect(try vfs.stat("/").linkCount == 4)             // ".", "..", d, e
        _ = try vfs.open("/d/f", flags: [.O_CREAT])
        #expect(errno { try vfs.removeDirectory("/d") } == .ENOTEMPTY)
        #expect(errno { try vfs.removeDirectory("/d/f") } == .ENOTDIR)
        #expect(errno { try vfs.removeDirectory("/d/.") } == .EINVAL)
        #expect(errno { try vfs.removeDirectory("/d/..") } == .ENOTEMPTY)
        #expect(errno { try vfs.removeDirectory("/") } == .EBUSY)
        #expect(errno { try vfs.unlink("/d") } == .EISDIR)
        #expect(errno { try vfs.unlink("/d/f/") } == .ENOTDIR)
        #expect(errno { try vfs.unlink("/d/nothing") } == .ENOENT)
        try vfs.unlink("/d/f")
        try vfs.removeDirectory("/d")
        #expect(try vfs.stat("/").linkCount == 3)
        #expect(errno { try vfs.stat("/d") } == .ENOENT)
        // mknod.
        try vfs.makeNode("/fifo", mode: FileMode.S_IFIFO.rawValue | 0o644)
        try vfs.makeNode("/null", mode: FileMode.S_IFCHR.rawValue | 0o666, device: StandardDevice.null)
        try vfs.makeNode("/plain", mode: 0o600)
        #expect(try vfs.stat("/fifo").mode.isFIFO)
        #expect(try vfs.stat("/null").specialDevice == StandardDevice.null)
        #expect(try vfs.stat("/plain").mode.isRegular)
        #expect(errno { try vfs.makeNode("/dir", mode: FileMode.S_IFDIR.rawValue) } == .EPERM)
        #expect(errno { try vfs.makeNode("/fifo", mode: FileMode.S_IFIFO.rawValue) } == .EEXIST)
        #expect(errno { try vfs.makeNode("/new/", mode: FileMode.S_IFIFO.rawValue) } == .ENOENT)
        // A device node with no driver is ENXIO.
        #expect(errno { try vfs.open("/null", flags: []) } == .ENXIO)
        // Block nodes open through the block-device registry, a separate table from the
        // character devices' (the same numbers name different devices).
        let disk = DeviceNumber(major: 254, minor: 0)
        try vfs.makeNode("/vda", mode: FileMode.S_IFBLK.rawValue | 0o660, device: disk)
        #expect(errno { try vfs.open("/vda", flags: []) } == .ENXIO)
        vfs.devices.register(disk) { (inode: Inode, flags: OpenFlags) throws(Errno) -> OpenFile in throw .EPERM }
        #expect(errno { try vfs.open("/vda", flags: []) } == .ENXIO)
        vfs.blockDevices.register(disk) { (inode: Inode, flags: OpenFlags) throws(Errno) -> OpenFile in RegularFile(inode: inode, flags: flags) }
        #expect(try vfs.open("/vda", flags: []).inode.stat().mode.isBlockDevice)
    }

    @Test func hardLinksAndDeletedOpenFiles() throws {
        let vfs = makeVFS()
        let f = try vfs.open("/a", flags: [.O_CREAT, .O_RDWR])
        try f.write("data")
        try vfs.link("/a", to: "/b")
        #expect(try vfs.stat("/a").linkCount == 2)
        #expect(try vfs.stat("/b").inode == (try vfs.stat("/a")).inode)
        #expect(errno { try vfs.link("/a", to: "/b") } == .EEXIST)
        try vfs.makeDirectory("/d")
        #expect(errno { try vfs.link("/d", to: "/d2") } == .EPERM)
        #expect(errno { try vfs.link("/nothing", to: "/x") } == .ENOENT)
        try vfs.unlink("/a")
        #expect(try vfs.stat("/b").linkCount == 1)
        try vfs.unlink("/b")
        // Deleted but open: still readable and writable; stat says nlink 0.
        #expect(f.stat().linkCount == 0)
        _ = try f.seek(0, whence: .SEEK_SET)
        #expect(try f.read(count: 10) == bytes("data"))
        try f.write("more")
        #expect(try f.read(count: 10, at: 0) == bytes("datamore"))
        #expect(errno { try vfs.link(inode: f.inode, to: bytes("/again"), from: nil) } == .ENOENT)
        // A removed directory cannot get new entries.
        try vfs.makeDirectory("/gone")
        let gone = try vfs.resolve("/gone")
        try vfs.removeDirectory("/gone")
        #expect(errno { try vfs.open("x", from: gone, flags: [.O_CREAT]) } == .ENOENT)
        #expect(vfs.path(of: gone) == nil)
    }

    @Test func renameFiles() throws {
        let vfs = makeVFS()
        let a = try vfs.open("/a", flags: [.O_CREAT, .O_RDWR])
        try a.write("A")
        _ = try vfs.open("/b", flags: [.O_CREAT, .O_RDWR])
        try vfs.rename("/a", to: "/b")                         // replaces b
        #expect(errno { try vfs.stat("/a") } == .ENOENT)
        #expect(try vfs.resolve("/b") === a.inode)
        #expect(errno { try vfs.rename("/a", to: "/c") } == .ENOENT)
        try vfs.link("/b", to: "/b2")
        try vfs.rename("/b", to: "/b2")                        // same inode: nothing happens
        #expect(try vfs.stat("/b").linkCount == 2)
        try vfs.makeDirectory("/d")
        #expect(errno { try vfs.rename("/b", to: "/d") } == .EISDIR)
        #expect(errno { try vfs.rename("/d", to: "/b") } == .ENOTDIR)
        #expect(errno { try vfs.rename("/b/", to: "/c") } == .ENOTDIR)
        #expect(errno { try vfs.rename("/b", to: "/b2", flags: .RENAME_NOREPLACE) } == nil)   // same inode
        _ = try vfs.open("/c", flags: [.O_CREAT])
        #expect(errno { try vfs.rename("/b", to: "/c", flags: .RENAME_NOREPLACE) } == .EEXIST)
        #expect(errno { try vfs.rename("/.", to: "/x") } == .EBUSY)
        #expect(errno { try vfs.rename("/b", to: "/d/..") } == .EBUSY)
        #expect(errno { try vfs.rename("/b", to: "/c", flags: [.RENAME_NOREPLACE, .RENAME_EXCHANGE]) } == .EINVAL)
        // Exchange.
        let c = try vfs.resolve("/c")
        try vfs.rename("/b", to: "/c", flags: .RENAME_EXCHANGE)
        #expect(try vfs.resolve("/b") === c)
        #expect(try vfs.resolve("/c") === a.inode)
        #expect(errno { try vfs.rename("/b", to: "/zz", flags: .RENAME_EXCHANGE) } == .ENOENT)
    }

    @Test func renameDirectories() throws {
        let vfs = makeVFS()
        try vfs.makeDirectory("/p")
        try vfs.makeDirectory("/p/q")
        try vfs.makeDirectory("/p/q/r")
        try vfs.makeDirectory("/empty")
        try vfs.makeDirectory("/full")
        _ = try vfs.open("/full/x", flags: [.O_CREAT])
        #expect(errno { try vfs.rename("/p", to: "/p/q/r/s") } == .EINVAL)   // into itself
        #expect(errno { try vfs.rename("/p", to: "/p/new") } == .EINVAL)
        #expect(errno { try vfs.rename("/p/q", to: "/p") } == .ENOTEMPTY)     // onto an ancestor
        #expect(errno { try vfs.rename("/p", to: "/full") } == .ENOTEMPTY)
        let q = try vfs.resolve("/p/q")
        #expect(try vfs.stat("/p").linkCount == 3)
        try vfs.rename("/p/q", to: "/empty")                   // replaces an empty directory
        #expect(try vfs.resolve("/empty") === q)
        #expect(try vfs.stat("/p").linkCount == 2)
        #expect(try vfs.resolve("/empty/r/..") === q)
        #expect(vfs.path(of: try vfs.resolve("/empty/r")) == bytes("/empty/r"))
        try vfs.rename("/empty", to: "/p/moved/")               // a trailing slash on a directory is fine
        #expect(try vfs.stat("/p").linkCount == 3)
        #expect(try vfs.resolve("/p/moved/r/../..") === (try vfs.resolve("/p")))
        // Directory and rename within one directory keeps the parent's count.
        try vfs.rename("/p/moved", to: "/p/again")
        #expect(try vfs.stat("/p").linkCount == 3)
    }

    @Test func attributes() throws {
        let vfs = makeVFS()
        let f = try vfs.open("/f", flags: [.O_CREAT, .O_RDWR], mode: 0o4755)
        try vfs.changeMode(bytes("/f"), mode: 0o600)
        #expect(try vfs.stat("/f").mode.rawValue == 0o100600)
        try vfs.changeOwner(bytes("/f"), uid: 5, gid: nil)
        #expect(try vfs.stat("/f").uid == 5 && (try vfs.stat("/f")).gid == 0)
        try vfs.updateTimes(bytes("/f"), access: .set(Timespec(seconds: 1, nanoseconds: 2)), modification: .omit)
        let s = try vfs.stat("/f")
        #expect(s.accessTime == Timespec(seconds: 1, nanoseconds: 2))
        #expect(s.modificationTime != Timespec(seconds: 1, nanoseconds: 2))
        try vfs.updateTimes(bytes("/f"), access: .omit, modification: .set(Timespec(seconds: 9, nanoseconds: 0)))
        #expect(try vfs.stat("/f").modificationTime.seconds == 9)
        let before = try vfs.stat("/f").modificationTime
        try f.write("x")
        #expect(try vfs.stat("/f").modificationTime > before)
        #expect(throws: Errno.EINVAL) { try TimeUpdate(seconds: 0, nanoseconds: 2_000_000_000) }
        #expect(try TimeUpdate(seconds: 0, nanoseconds: TimeUpdate.UTIME_NOW) == .now)
        try vfs.truncate(bytes("/f"), length: 10000)
        #expect(try vfs.stat("/f").size == 10000)
        try vfs.makeDirectory("/d")
        #expect(errno { try vfs.truncate(bytes("/d"), length: 0) } == .EISDIR)
        #expect(errno { try vfs.truncate(bytes("/f"), length: -1) } == .EINVAL)
        let ro = try vfs.open("/f", flags: [])
        #expect(errno { try ro.truncate(to: 0) } == .EINVAL)
    }
}
