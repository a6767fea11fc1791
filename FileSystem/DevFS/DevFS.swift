// /dev: a ramfs instance ("devtmpfs") holding device nodes, with the standard memory devices
// and the consoles registered in the VFS's DeviceRegistry. The kernel makes one DevFS at boot,
// adds its TTYs (console, tty, ttyS0), and mounts `fileSystem` on /dev. Nodes opened from any
// file system reach the same drivers, because opens go by device number.
import LinuxABI
import Objects

public final class DevFS: @unchecked Sendable {
    public let fileSystem: RamFS
    public let vfs: VFS

    /// Makes /dev with null, zero, full, random, urandom, the /dev/fd, stdin, stdout, stderr
    /// links (to /proc/self/fd) and the pts and shm directories. `randomBytes` fills a buffer
    /// with random bytes.
    public init(vfs: VFS, randomBytes: @escaping (UnsafeMutableRawBufferPointer) -> Void) {
        self.vfs = vfs
        fileSystem = RamFS(device: vfs.allocateAnonymousDevice(), clock: vfs.clock, typeName: "devtmpfs")
        let memory: [(String, DeviceNumber, MemoryDeviceKind)] = [
            ("null", StandardDevice.null, .null), ("zero", StandardDevice.zero, .zero),
            ("full", StandardDevice.full, .full), ("random", StandardDevice.random, .random),
            ("urandom", StandardDevice.urandom, .random),
        ]
        for (name, number, kind) in memory {
            vfs.devices.register(number) { (inode: Inode, flags: OpenFlags) throws(Errno) -> OpenFile in
                MemoryDeviceFile(inode: inode, flags: flags, kind: kind, randomBytes: randomBytes)
            }
            _ = try? addNode(name, device: number, mode: 0o666)
        }
        let root = fileSystem.root
        let links: [(String, String)] = [("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")]
        for (name, target) in links {
            _ = try? root.makeSymlink(Array(name.utf8), target: Array(target.utf8), uid: 0, gid: 0)
        }
        _ = try? root.makeDirectory(Array("pts".utf8), mode: FileMode(0o755), uid: 0, gid: 0)
        _ = try? root.makeDirectory(Array("shm".utf8), mode: FileMode(0o1777), uid: 0, gid: 0)
    }

    /// Adds a character-device node `name` in /dev (no driver registration).
    @discardableResult
    public func addNode(_ name: String, device: DeviceNumber, mode: UInt32 = 0o666) throws(Errno) -> Inode {
        try fileSystem.root.createNode(Array(name.utf8), mode: FileMode(rawValue: FileMode.S_IFCHR.rawValue | (mode & 0o7777)),
                                       device: device, uid: 0, gid: 0)
    }

    /// Registers `opener` for `device` and adds its node.
    public func addDevice(_ name: String, device: DeviceNumber, mode: UInt32 = 0o666, opener: @escaping DeviceOpener) throws(Errno) {
        vfs.devices.register(device, opener: opener)
        try addNode(name, device: device, mode: mode)
    }

    /// Registers a terminal under `device` and adds its node (e.g. "console" 5:1, "ttyS0" 4:64).
    /// /dev/tty (5:0) should open the caller's controlling terminal; until the kernel registers
    /// its own opener for 5:0, `addTTY(console, name: "tty", device: StandardDevice.tty)` makes it
    /// the console.
    public func addTTY(_ tty: TTY, name: String, device: DeviceNumber, mode: UInt32 = 0o620) throws(Errno) {
        try addDevice(name, device: device, mode: mode) { (inode: Inode, flags: OpenFlags) throws(Errno) -> OpenFile in
            TTYFile(tty: tty, inode: inode, flags: flags)
        }
    }
}
