// kfs-fuse IMAGE MOUNTPOINT: mounts a KFS image on Linux through libfuse3's high-level API, so
// the same library the kernel uses serves the files (the K42 paper's "KFS on Linux").
// Operations.swift holds the operation table, Bridge.swift the shared state. Callbacks run
// one at a time (libfuse -s plus a lock shared with the periodic commit thread).

import ArgumentParser
import CFuse3
import Glibc
import KFS

struct KFSFuse: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kfs-fuse", abstract: "Mount a KFS image through FUSE.")

    @Argument(help: "Image file holding a KFS file system (see mkfs.kfs).") var image: String
    @Argument(help: "Directory to mount it on.") var mountpoint: String
    @Flag(name: .customShort("f"), help: "Stay in the foreground.") var foreground = false
    @Flag(name: .customShort("d"), help: "libfuse debug output (implies -f).") var debug = false
    @Flag(name: .customShort("r"), help: "Mount read-only.") var readOnly = false
    @Option(name: .customShort("o"), help: "Extra libfuse mount options (comma-separated).") var options: String?
    @Option(name: .long, help: "Commit the snapshot every N seconds (0: only on fsync/unmount).")
    var commitInterval: UInt32 = 5

    func run() throws {
        do {
            let device = try FileBlockDevice(path: image, readOnly: readOnly)
            let fileSystem = try FileSystem(mounting: device)
            fileSystem.clock = kfsHostClock
            fileSystem.readOnly = readOnly
            mounted = fileSystem
        } catch {
            let line = Array("kfs-fuse: cannot mount \(image): \(error.name)\n".utf8)
            _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            throw ExitCode(1)
        }
        pthread_mutex_init(&bigLock, nil)
        var mountOptions = "fsname=\(image),subtype=kfs,default_permissions"
        if readOnly { mountOptions += ",ro" }
        if let options { mountOptions += "," + options }
        var arguments = ["kfs-fuse", mountpoint, "-s", "-o", mountOptions]
        if foreground { arguments.append("-f") }
        if debug { arguments.append("-d") }
        if !readOnly { startCommitThread(every: commitInterval) }
        var operations = kfsOperations()
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        let status = kfs_fuse_main(Int32(arguments.count), &argv, &operations)
        if status != 0 { throw ExitCode(status) }
    }
}

KFSFuse.main()
