// The kernel's file systems at boot: a tmpfs root filled from the initrd (cpio newc), /dev
// (devtmpfs with the memory devices and the console tty on the serial port), one procfs
// instance (mounted by `mount -t proc`; its files are in Linux/ProcFiles.swift), and tmpfs on
// demand. The console tty's input comes from the UART interrupt, its ^C/^\/^Z go to the
// foreground process group.
import Firmware
import FileSystem
import LinuxABI
import Memory
import Objects

enum KernelFiles {
    nonisolated(unsafe) static var vfs: VFS! = nil
    nonisolated(unsafe) static var console: TTY! = nil
    nonisolated(unsafe) static var devfs: DevFS! = nil
    nonisolated(unsafe) static var procfs: ProcFS! = nil

    static func initialize(_ boot: BootInfo) {
        FilePages.useObjects = true                                // each tmpfs file's pages: a FileCache object
        UserMemory.installFileSystemAccess()
        RamFS.memoryPages = MemoryBringup.frames!.frameCount     // tmpfs's default size: half of it
        let vfs = VFS(clock: { Int64(WallClock.nowNanoseconds()) })
        self.vfs = vfs
        VirtioBlockDevice.probe()                                  // /dev/vda... (virtio-blk on PCI)
        if let root = Bringup.commandLine.value("root"), let kfs = mountKFSRoot(root, vfs) {
            vfs.mountRoot(kfs, source: root)                       // root=/dev/vda: KFS, not the initrd
        } else {
            // A tmpfs, shown as "tmpfs / tmpfs" in /proc/mounts: Linux's "rootfs" name would
            // make busybox df skip it (docs/linux.md).
            vfs.mountRoot(vfs.makeRamFS(typeName: "tmpfs"), source: "tmpfs")
        }
        if vfs.root.superBlock is KFSSuperBlock {
            if Initramfs.archive != nil { klog("initramfs: ignored (root is KFS)") }
        } else if let archive = Initramfs.archive {
            do {
                let r = try CPIO.unpack(archive, into: vfs.root, vfs: vfs)
                klog("initramfs: unpacked \(r.files) files, \(r.directories) directories, \(r.symlinks) symlinks, \(r.dataBytes >> 10) KiB")
            } catch {
                klog("initramfs: not a valid cpio newc archive (\(error.name)); the root is empty")
            }
        }
        console = TTY(name: "console", serialLine: 0) { bytes in
            for b in bytes { Serial.write(b) }
        }
        console.setSignalHandler { signal, group in
            guard group > 0 else { return }
            let targets = ProcessTable.lock.withLockIRQSave {
                ProcessTable.processes.values.filter { $0.processGroup == Int(group) }
            }
            for p in targets { Signals.send(signal, to: p, info: SignalInfo(code: 0x80)) }
        }
        ConsoleInput.receive = { byte in console.receive(byte) }
        devfs = DevFS(vfs: vfs) { buffer in arc4random_buf(buffer.baseAddress, UInt(buffer.count)) }
        do {
            try devfs.addTTY(console, name: "console", device: StandardDevice.console)
            try devfs.addTTY(console, name: "tty", device: StandardDevice.tty)
            try devfs.addTTY(console, name: "ttyS0", device: StandardDevice.ttyS0)
            if (try? vfs.resolve("/dev")) == nil { _ = try vfs.makeDirectory("/dev") }
            KFSMounts.addDeviceNodes(devfs)
            try vfs.mount(devfs.fileSystem, at: "/dev", source: "devtmpfs")
        } catch {
            klog("devfs: cannot mount /dev (\(error.name))")
        }
        procfs = ProcFS(vfs: vfs)
        ProcFiles.register(procfs)
        procfs.addFile("kfs") { KFSMounts.procText() }
    }

    /// root=/dev/vdX: the KFS on that disk, or nil (logged) to fall back to the initrd.
    private static func mountKFSRoot(_ source: String, _ vfs: VFS) -> KFSSuperBlock? {
        do {
            return try KFSMounts.mount(source: Array(source.utf8), vfs: vfs, resolve: false, from: nil)
        } catch {
            klog("VFS: cannot mount root \(source) as kfs (\(error.name)); using the initramfs")
            return nil
        }
    }

    /// Standard input, output and error of init: the console.
    static func consoleFiles() -> FileTable {
        let table = FileTable()
        if let f = try? vfs.open("/dev/console", flags: .O_RDWR) {
            for _ in 0..<3 { _ = try? table.allocate(f) }
        }
        return table
    }
}
