// The mounted KFS instances: mount and unmount through the VFS (`mount -t kfs`, root=/dev/vdX),
// the block-device nodes, and /proc/kfs. The file system itself is Linux/KFSMount.swift.
import FileSystem
import KFS
import LinuxABI
import Objects

/// The mounted KFS instances, block-device nodes, and the mount entry points.
enum KFSMounts {
    private static let lock = SpinLock()
    nonisolated(unsafe) private static var mounted: [KFSSuperBlock] = []
    /// Linux's virtio_blk major is dynamic; 254 is what it gets on a typical system.
    static let virtioMajor: UInt32 = 254

    static func deviceNumber(_ index: Int) -> DeviceNumber { DeviceNumber(major: virtioMajor, minor: UInt32(16 * index)) }

    /// /dev/vda, /dev/vdb...: block-device nodes for the virtio disks (mount names them).
    static func addDeviceNodes(_ devfs: DevFS) {
        for (i, device) in VirtioBlockDevice.all.enumerated() {
            devfs.vfs.blockDevices.register(deviceNumber(i)) { (inode: Inode, flags: OpenFlags) throws(Errno) -> OpenFile in
                BlockDeviceFile(device: device, inode: inode, flags: flags)
            }
            _ = try? devfs.fileSystem.root.createNode(Array(device.name.utf8),
                                                      mode: FileMode(rawValue: FileMode.S_IFBLK.rawValue | 0o660),
                                                      device: deviceNumber(i), uid: 0, gid: 0)
        }
    }

    /// The disk a mount source names: a block-device node (resolved through the VFS) or, for
    /// `root=`, a "/dev/vdX" path before /dev exists.
    static func device(forSource source: [UInt8], vfs: VFS, resolve: Bool, from directory: Inode?) throws(Errno) -> (VirtioBlockDevice, DeviceNumber) {
        if resolve, let node = try? vfs.resolve(source, from: directory) {
            guard node.type == .blockDevice else { throw .ENOTBLK }
            let number = node.lock.withLock { node.specialDevice }
            for (i, d) in VirtioBlockDevice.all.enumerated() where deviceNumber(i) == number { return (d, number) }
            throw .ENXIO
        }
        var name = source
        if name.starts(with: Array("/dev/".utf8)) { name.removeFirst(5) }
        for (i, d) in VirtioBlockDevice.all.enumerated() where Array(d.name.utf8) == name { return (d, deviceNumber(i)) }
        throw .ENOENT
    }

    /// mount -t kfs SOURCE: mounts the KFS image on the disk SOURCE names. A disk that is not
    /// KFS is EINVAL, a damaged one EUCLEAN, a failing one EIO, each with a log line.
    /// `resolve` false: before the root exists (root=), SOURCE is "/dev/vdX" or "vdX".
    static func mount(source: [UInt8], vfs: VFS, resolve: Bool = true, from directory: Inode?) throws(Errno) -> KFSSuperBlock {
        let (device, number) = try device(forSource: source, vfs: vfs, resolve: resolve, from: directory)
        let clock = vfs.clock
        // An unmounted instance (mount == nil) no longer owns its disk.
        let busy = lock.withLock {
            mounted.removeAll { $0.mount == nil }
            return mounted.contains { $0.blockDevice === device }
        }
        guard !busy else { throw .EBUSY }
        let sb: KFSSuperBlock
        do {
            sb = try KFSSuperBlock(device: device, deviceNumber: number, clock: clock)
        } catch {
            let reason = error == .invalid ? "not a KFS image" : (error == .corrupted ? "damaged image" : "device error")
            klog("kfs: cannot mount \(device.name): \(reason) (\(error.name))")
            throw kfsErrno(error)
        }
        let stat = sb.kfs.statfs()
        klog("kfs: mounted \(device.name): \(stat.totalBlocks * 4) KiB, \(stat.freeBlocks * 4) KiB free, snapshot \(sb.kfs.committedSequence)")
        lock.withLock { mounted.append(sb) }
        return sb
    }

    /// Commits every mounted instance (sync(2), power-off); logs failures.
    static func syncAll() {
        for sb in lock.withLock({ mounted }) {
            do { try sb.sync() } catch { klog("kfs: sync of \(sb.blockDevice.name) failed (\(error.name))") }
        }
    }

    /// umount2: commits the instance mounted at `path` (if KFS) before the VFS detaches it.
    /// Files still open in it keep using it; its disk can be mounted again once it is
    /// detached (KFS v1 does not stop the old instance from writing: do not do that).
    static func willUnmount(_ path: [UInt8], from directory: Inode?) throws(Errno) {
        guard let top = try? KernelFiles.vfs.resolve(path, from: directory),
              let sb = top.superBlock as? KFSSuperBlock, top === sb.root else { return }
        try sb.sync()
    }

    /// /proc/kfs: each mounted instance, then "ID implementation" for every element with a
    /// live inode (the K42 point: two files served by different implementations at once).
    static func procText() -> String {
        var out = ""
        for sb in lock.withLock({ mounted }) {
            let path = sb.mount.map { String(decoding: $0.path, as: UTF8.self) } ?? "(unmounted)"
            out += "\(sb.blockDevice.name) \(path) snapshot \(sb.kfs.committedSequence) reads \(sb.blockDevice.readCount) writes \(sb.blockDevice.writeCount) flushes \(sb.blockDevice.flushCount) cached-pages \(sb.kfsLock.withLock { sb.cachedPages })\n"
            out += sb.implementationsText()
        }
        return out
    }
}
