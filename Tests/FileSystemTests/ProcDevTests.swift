// procfs generation (content made at open, consistent while open; symlinks; dynamic PID
// directories; magic links reopening a pipe; writable files; EACCES for changes) and devfs
// (null, zero, full, urandom, device nodes from any file system reaching the same driver).
import Testing
import LinuxABI
@testable import FileSystem

final class Counter: @unchecked Sendable { var value = 0 }

@Suite struct ProcDevTests {
    func procVFS() throws -> (VFS, ProcFS) {
        let vfs = makeVFS()
        try vfs.makeDirectory("/proc")
        let proc = ProcFS(vfs: vfs)
        try vfs.mount(proc, at: "/proc", source: "proc")
        return (vfs, proc)
    }

    @Test func filesAreGeneratedAtOpen() throws {
        let (vfs, proc) = try procVFS()
        let uptime = Counter()
        proc.addFile("uptime") { uptime.value += 1; return "\(uptime.value).00 0.00\n" }
        proc.addFile("sys/kernel/ostype") { "Linux\n" }
        proc.addFile("mounts") { text(vfs.mountsText()) }
        let f = try vfs.open("/proc/uptime", flags: [])
        #expect(try f.read(count: 3) == bytes("1.0"))
        #expect(try f.read(count: 100) == bytes("0 0.00\n"))        // same snapshot
        _ = try f.seek(0, whence: .SEEK_SET)
        #expect(try f.readAll() == bytes("1.00 0.00\n"))
        #expect(try vfs.open("/proc/uptime", flags: []).readAll() == bytes("2.00 0.00\n"))
        #expect(try vfs.open("/proc/sys/kernel/ostype", flags: []).readAll() == bytes("Linux\n"))
        #expect(try vfs.open("/proc/mounts", flags: []).readAll() == bytes("rootfs / ramfs rw 0 0\nproc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n"))
        #expect(try vfs.stat("/proc/uptime").size == 0)
        #expect(try vfs.stat("/proc/uptime").mode.rawValue == 0o100444)
        #expect(try vfs.stat("/proc/sys").mode.isDirectory)
        #expect(errno { try vfs.open("/proc/uptime", flags: [.O_WRONLY]) } == .EACCES)
        #expect(errno { try vfs.open("/proc/new", flags: [.O_CREAT]) } == .ENOENT)   // as on Linux
        #expect(errno { try vfs.makeDirectory("/proc/d") } == .EACCES)
        #expect(errno { try vfs.unlink("/proc/uptime") } == .EACCES)
        #expect(errno { try vfs.resolve("/proc/nothing") } == .ENOENT)
        #expect(try vfs.statfs(bytes("/proc")).type == StatFS.PROC_SUPER_MAGIC)
        // A writable file.
        let written = Counter()
        proc.register("sys/vm/drop_caches", .file(ProcFileSpec(mode: 0o644, content: { () throws(Errno) -> [UInt8] in bytes("0\n") },
                                                               write: { (b: [UInt8]) throws(Errno) in written.value += b.count })))
        try vfs.open("/proc/sys/vm/drop_caches", flags: [.O_WRONLY, .O_TRUNC]).write("3\n")
        #expect(written.value == 2)
    }

    @Test func pidDirectoriesAndSelf() throws {
        let (vfs, proc) = try procVFS()
        var pids: [Int32] = [1, 42]
        let current: Int32 = 42
        let pidsBox = Box(pids)
        proc.addSymlink("self") { "\(current)" }
        proc.addFile("meminfo") { "MemTotal: 1 kB\n" }
        proc.rootDirectory.setProvider(
            list: { pidsBox.value!.map { ProcListing("\($0)", .directory) } },
            lookup: { name in
                guard let pid = Int32(text(name)), pidsBox.value!.contains(pid) else { return nil }
                let dir = ProcDirectory()
                dir.add("stat", .text { "\(pid) (sh) S 1 \(pid) \(pid) 0\n" })
                dir.add("cmdline", .file(ProcFileSpec(content: { () throws(Errno) -> [UInt8] in bytes("sh") + [0] })))
                dir.add("exe", .link { "/bin/busybox" })
                dir.add("fd", .directory(ProcDirectory(
                    list: { [ProcListing("0", .symlink), ProcListing("1", .symlink)] },
                    lookup: { n in n == bytes("0") || n == bytes("1") ? .link { "/dev/console" } : nil })))
                return .directory(dir)
            })
        let listing = try vfs.open("/proc", flags: [.O_DIRECTORY]).listNames()
        #expect(listing == [".", "..", "self", "meminfo", "1", "42"])
        #expect(try vfs.readlink("/proc/self") == bytes("42"))
        #expect(try vfs.open("/proc/self/stat", flags: []).readAll() == bytes("42 (sh) S 1 42 42 0\n"))
        #expect(try vfs.open("/proc/1/cmdline", flags: []).readAll() == bytes("sh") + [0])
        #expect(try vfs.readlink("/proc/self/exe") == bytes("/bin/busybox"))
        #expect(try vfs.open("/proc/42/fd", flags: [.O_DIRECTORY]).listNames() == [".", "..", "0", "1"])
        #expect(try vfs.stat("/proc/42/fd/..").inode == (try vfs.stat("/proc/42")).inode)   // generated anew, same number
        #expect(try vfs.stat("/proc/42").inode == (try vfs.stat("/proc/self")).inode)  // stable numbers
        pids = [1]
        pidsBox.value = pids
        #expect(errno { try vfs.resolve("/proc/42") } == .ENOENT)
        #expect(try vfs.open("/proc", flags: [.O_DIRECTORY]).listNames() == [".", "..", "self", "meminfo", "1"])
    }

    @Test func magicLinksReopenPipes() throws {
        let (vfs, proc) = try procVFS()
        let (r, w) = vfs.makePipe()
        let fds: [OpenFile] = [r, w]
        proc.register("self/fd/0", .symlink(target: { () throws(Errno) -> [UInt8] in fds[0].path },
                                            jump: { () throws(Errno) -> Inode in fds[0].inode }))
        #expect(text(try vfs.readlink("/proc/self/fd/0")).hasPrefix("pipe:["))
        let again = try vfs.open("/proc/self/fd/0", flags: [.O_WRONLY])
        try again.write("via /proc")
        #expect(try r.read(count: 100) == bytes("via /proc"))
        #expect(try vfs.stat("/proc/self/fd/0").mode.isFIFO)
        // bash's `> >(cmd)`: O_CREAT|O_TRUNC through the magic link reopens the pipe too.
        let created = try vfs.open("/proc/self/fd/0", flags: [.O_WRONLY, .O_CREAT, .O_TRUNC])
        try created.write("with O_CREAT")
        #expect(try r.read(count: 100) == bytes("with O_CREAT"))
        _ = w
    }

    @Test func memoryDevices() throws {
        let vfs = makeVFS()
        try vfs.makeDirectory("/dev")
        let devfs = DevFS(vfs: vfs) { buf in for i in 0..<buf.count { buf[i] = 0xA5 } }
        try vfs.mount(devfs.fileSystem, at: "/dev", source: "devtmpfs")
        let null = try vfs.open("/dev/null", flags: [.O_RDWR])
        #expect(try null.write(bytes("discard")) == 7)
        #expect(try null.read(count: 10) == [])
        #expect(try null.seek(100, whence: .SEEK_SET) == 0)
        let appendNull = try vfs.open("/dev/null", flags: [.O_WRONLY, .O_APPEND])
        #expect(try appendNull.write(bytes("x")) == 1)
        #expect(try vfs.open("/dev/zero", flags: []).read(count: 5) == [0, 0, 0, 0, 0])
        let full = try vfs.open("/dev/full", flags: [.O_RDWR])
        #expect(errno { try full.write(bytes("x")) } == .ENOSPC)
        #expect(try full.read(count: 2) == [0, 0])
        #expect(try vfs.open("/dev/urandom", flags: []).read(count: 3) == [0xA5, 0xA5, 0xA5])
        #expect(try vfs.open("/dev/random", flags: []).read(count: 1) == [0xA5])
        #expect(try vfs.stat("/dev/null").specialDevice == StandardDevice.null)
        #expect(try vfs.stat("/dev/null").mode.rawValue == 0o020666)
        #expect(try vfs.readlink("/dev/fd") == bytes("/proc/self/fd"))
        #expect(try vfs.statfs(bytes("/dev")).type == StatFS.TMPFS_MAGIC || (try vfs.statfs(bytes("/dev"))).type == StatFS.RAMFS_MAGIC)
        // A node made elsewhere (an initramfs's /dev/null) reaches the same driver.
        try vfs.makeNode("/mynull", mode: FileMode.S_IFCHR.rawValue | 0o666, device: StandardDevice.null)
        #expect(try vfs.open("/mynull", flags: [.O_WRONLY]).write(bytes("abc")) == 3)
        #expect(try vfs.open("/", flags: [.O_DIRECTORY]).listNames().contains("dev"))
        #expect(try vfs.open("/dev", flags: [.O_DIRECTORY]).listNames()
                == [".", "..", "null", "zero", "full", "random", "urandom", "fd", "stdin", "stdout", "stderr", "pts", "shm"])
        #expect(vfs.path(of: try vfs.resolve("/dev/pts")) == bytes("/dev/pts"))
    }
}
