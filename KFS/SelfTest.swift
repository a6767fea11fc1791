// A small end-to-end check on a RAM disk: format, mount, create, write, commit, remount, read.
// The kernel's tier-2 tests can call it at boot; it also makes the Embedded build specialize
// FileSystem<MemoryBlockDevice>, so scripts/embedded-check.sh compiles the generic code paths.

/// Returns nil on success, or the step that failed.
public func kfsSelfTest() -> StaticString? {
    let device = MemoryBlockDevice(blockCount: 256)
    do {
        try FileSystem.format(device)
        let fileSystem = try FileSystem(mounting: device)
        let directory = try fileSystem.create(kfsRootID, [0x64], .directory, mode: 0o755)
        let file = try fileSystem.create(directory, [0x66], .file)
        var data = [UInt8](repeating: 0x5A, count: 3 * kfsBlockSize + 17)
        data[0] = 1
        try fileSystem.write(file, offset: 0, data)
        try fileSystem.create(directory, [0x6C], .symlink(target: [0x66]))
        try fileSystem.sync()
        let again = try FileSystem(mounting: device)
        let found = try again.lookup(try again.lookup(kfsRootID, [0x64]), [0x66])
        guard try again.read(found, offset: 0, count: data.count) == data else { return "read back" }
        guard try again.implementation(of: found) == .extentFile else { return "implementation" }
        try again.unlink(directory, [0x66])
        try again.sync()
        guard kfsCheck(device, repair: false).final.clean else { return "fsck" }
    } catch {
        return error.name
    }
    return nil
}
