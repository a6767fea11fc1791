// The virtual file system: the mount table, the device registry, pipes, and the clock, plus the
// path operations in PathWalk.swift (resolution), VFS+Namespace.swift (open, mkdir, unlink,
// rename...) and VFS+Attributes.swift (stat, chmod, utimens, truncate, statfs, getcwd paths).
// Paths are byte arrays, as Linux paths are; String overloads exist for the kernel and tests.
// The mount table has one lock (mounting is rare); lookups read each inode's `mountedHere`
// under that inode's own lock, so path walks never touch a global lock.
import LinuxABI
import Objects
import Synchronization

public final class VFS: @unchecked Sendable {
    public let clock: FileSystemClock
    /// Character-device drivers by device number (DevFS/DeviceRegistry.swift).
    public let devices = DeviceRegistry()
    /// Block-device drivers by device number (Linux's separate blkdev table): the kernel
    /// registers its virtio disks (Linux/BlockDeviceFile.swift). ENXIO with no driver.
    public let blockDevices = DeviceRegistry()
    let mountLock = SpinLock()
    var mounts: [Mount] = []
    /// Unmounted mounts are kept, never freed: path walks read `SuperBlock.mount` and
    /// `Mount.mountpoint` without the mount lock, so a racing reader must never see a freed one.
    private var retiredMounts: [Mount] = []
    private var nextMountID = 1
    private var rootMount: Mount?
    private let anonymousMinor = SharedAtomic(0)
    /// pipefs: the inodes anonymous pipes report to fstat.
    let pipeFS: SuperBlock

    /// `nanosecondsNow` is the realtime clock (nanoseconds since the epoch) for file times.
    public init(clock nanosecondsNow: @escaping () -> Int64) {
        clock = FileSystemClock(nanosecondsNow)
        pipeFS = SuperBlock(typeName: "pipefs", magic: StatFS.PIPEFS_MAGIC, device: DeviceNumber(major: 0, minor: 0),
                            clock: clock, nameCache: nil)
        _ = allocateAnonymousDevice()   // minor 0 is pipefs's
    }

    /// An anonymous device number (major 0) for a new file-system instance, as Linux's get_anon_bdev.
    public func allocateAnonymousDevice() -> DeviceNumber {
        DeviceNumber(major: 0, minor: UInt32(anonymousMinor.value.wrappingAdd(1, ordering: .relaxed).oldValue))
    }

    /// A new ramfs (or tmpfs with `pageLimit`) instance, not yet mounted.
    public func makeRamFS(typeName: String = "ramfs", pageLimit: Int = 0) -> RamFS {
        RamFS(device: allocateAnonymousDevice(), clock: clock, typeName: typeName, pageLimit: pageLimit)
    }

    // MARK: mounts

    /// The root directory of the name space ("/"). Read without a lock on every absolute path
    /// walk: `mountRoot` runs once at boot, before any concurrent use.
    public var root: Inode { rootMount!.superBlock.root }
    public var hasRoot: Bool { rootMount != nil }
    /// The calling process's root directory after chroot(2), if any (set by the Linux
    /// personality, which knows the caller; nil when nobody has called chroot).
    public var rootOverride: (() -> Inode?)? = nil

    /// Makes `superBlock` the root file system.
    public func mountRoot(_ superBlock: SuperBlock, source: String = "rootfs") {
        mountLock.withLock {
            let m = Mount(superBlock: superBlock, mountpoint: nil, parent: nil, source: Array(source.utf8),
                          path: [0x2f], id: nextMountID)
            nextMountID += 1
            superBlock.mount = m
            rootMount = m
            mounts.insert(m, at: 0)
        }
    }

    /// mount(2) of an instance on the directory `path`: EBUSY if the instance is already
    /// mounted or something is already mounted there, ENOTDIR if not a directory.
    public func mount(_ superBlock: SuperBlock, at path: [UInt8], from directory: Inode?, source: String) throws(Errno) {
        let target = try resolve(path, from: directory)
        guard target.isDirectory else { throw .ENOTDIR }
        let absolute = self.path(of: target) ?? path
        let parent = target.superBlock.mount
        mountLock.lock(); defer { mountLock.unlock() }
        guard superBlock.mount == nil else { throw .EBUSY }
        let busy = target.lock.withLock { target.mountedHere != nil }
        guard !busy else { throw .EBUSY }
        let m = Mount(superBlock: superBlock, mountpoint: target, parent: parent, source: Array(source.utf8),
                      path: absolute, id: nextMountID)
        nextMountID += 1
        superBlock.mount = m
        target.lock.withLock { target.mountedHere = m }
        mounts.append(m)
    }
    public func mount(_ superBlock: SuperBlock, at path: String, from directory: Inode? = nil, source: String) throws(Errno) {
        try mount(superBlock, at: Array(path.utf8), from: directory, source: source)
    }

    /// umount2(2): `path` names the root of a mount. EINVAL if it is not one, EBUSY if another
    /// mount sits below it or it is the root mount. (Open files keep the instance alive.)
    public func unmount(_ path: [UInt8], from directory: Inode?) throws(Errno) {
        let top = try resolve(path, from: directory)
        mountLock.lock(); defer { mountLock.unlock() }
        let sb = top.superBlock
        guard top === sb.root, let m = sb.mount, let mountpoint = m.mountpoint else { throw top === sb.root ? .EBUSY : .EINVAL }
        guard !mounts.contains(where: { $0.parent === m }) else { throw .EBUSY }
        mountpoint.lock.withLock { mountpoint.mountedHere = nil }
        sb.mount = nil
        mounts.removeAll { $0 === m }
        retiredMounts.append(m)
        sb.nameCache?.removeAll()
    }

    /// The mount table, root first (for /proc/mounts and df).
    public var mountList: [Mount] { mountLock.withLock { mounts } }

    /// /proc/mounts: "source path type options 0 0" per line (man 5 proc, /proc/pid/mounts).
    public func mountsText() -> [UInt8] {
        var out: [UInt8] = []
        for m in mountList {
            out += m.source; out.append(0x20)
            out += m.path; out.append(0x20)
            out += Array(m.superBlock.typeName.utf8); out.append(0x20)
            out += Array(m.superBlock.mountOptions.utf8)
            out += Array(" 0 0\n".utf8)
        }
        return out
    }

    // MARK: pipes

    /// pipe2(2): a new pipe's read and write ends (flags may hold O_NONBLOCK; O_CLOEXEC is the
    /// fd table's).
    public func makePipe(flags: OpenFlags = []) -> (read: OpenFile, write: OpenFile) {
        let inode = PipeInode(superBlock: pipeFS)
        let pipe = Pipe(inode: inode)
        inode.attach(pipe)
        let status = OpenFlags(rawValue: flags.rawValue & OpenFlags.O_NONBLOCK.rawValue)
        let r = pipe.openReadEnd(flags: status)
        let w = pipe.openWriteEnd(flags: status.union(.O_WRONLY))
        r.path = Array("pipe:[\(inode.inodeNumber)]".utf8)
        w.path = r.path
        return (r, w)
    }
}
