// Path resolution: absolute and relative walks, "." and "..", symlinks (relative, absolute,
// chains, loops -> ELOOP), trailing slashes, ENOTDIR, ENAMETOOLONG, mount crossing both ways,
// getcwd-style paths, and the per-file-system name cache staying correct across changes.
import Testing
import LinuxABI
@testable import FileSystem

@Suite struct PathTests {
    @Test func absoluteRelativeDotAndDotDot() throws {
        let vfs = makeVFS()
        try vfs.makeDirectory("/a")
        try vfs.makeDirectory("/a/b")
        let f = try vfs.open("/a/b/f", flags: [.O_CREAT, .O_WRONLY])
        let b = try vfs.resolve("/a/b")
        #expect(try vfs.resolve("f", from: b) === f.inode)
        #expect(try vfs.resolve("./f", from: b) === f.inode)
        #expect(try vfs.resolve("../b/./f", from: b) === f.inode)
        #expect(try vfs.resolve("//a///b//f") === f.inode)
        #expect(try vfs.resolve("/../../a/..") === vfs.root)
        #expect(try vfs.resolve("..", from: vfs.root) === vfs.root)
        #expect(errno { try vfs.resolve("") } == .ENOENT)
        #expect(errno { try vfs.resolve("/a/nothing") } == .ENOENT)
        #expect(errno { try vfs.resolve("/a/b/f/x") } == .ENOTDIR)
        #expect(errno { try vfs.resolve("/a/b/f/") } == .ENOTDIR)
        #expect(errno { try vfs.resolve("/a/b/f/.") } == .ENOTDIR)
        #expect(try vfs.resolve("/a/b/") === b)
        #expect(errno { try vfs.resolve("x", from: f.inode) } == .ENOTDIR)
        #expect(vfs.path(of: b) == bytes("/a/b"))
        #expect(vfs.path(of: vfs.root) == bytes("/"))
    }

    @Test func nameLengthLimits() throws {
        let vfs = makeVFS()
        let long = String(repeating: "x", count: 256)
        #expect(errno { try vfs.resolve("/" + long) } == .ENAMETOOLONG)
        #expect(errno { try vfs.open("/" + long, flags: [.O_CREAT]) } == .ENAMETOOLONG)
        let ok = String(repeating: "y", count: 255)
        _ = try vfs.open("/" + ok, flags: [.O_CREAT])
        #expect(try vfs.stat("/" + ok).mode.isRegular)
        let path = String(repeating: "a/", count: 2048)     // 4096 bytes
        #expect(errno { try vfs.resolve(path) } == .ENAMETOOLONG)
    }

    @Test func symlinks() throws {
        let vfs = makeVFS()
        try vfs.makeDirectory("/usr")
        try vfs.makeDirectory("/usr/bin")
        let busybox = try vfs.open("/usr/bin/busybox", flags: [.O_CREAT, .O_WRONLY])
        try vfs.makeSymlink(target: "usr/bin", at: "/bin")              // relative
        try vfs.makeSymlink(target: "/usr/bin/busybox", at: "/usr/bin/sh")  // absolute
        try vfs.makeSymlink(target: "sh", at: "/usr/bin/ash")           // chain
        #expect(try vfs.resolve("/bin/sh") === busybox.inode)
        #expect(try vfs.resolve("/bin/ash") === busybox.inode)
        #expect(try vfs.resolve("/bin/ash", followSymlinks: false).isSymlink)
        #expect(try vfs.readlink("/bin/ash") == bytes("sh"))
        #expect(errno { try vfs.readlink("/usr/bin/busybox") } == .EINVAL)
        #expect(try vfs.stat("/bin/sh").inode == busybox.inode.inodeNumber)
        #expect(try vfs.stat("/bin/sh", followSymlinks: false).mode.isSymlink)
        #expect(try vfs.stat("/bin/sh", followSymlinks: false).size == 16)
        // A trailing slash follows a final symlink and demands a directory.
        #expect(try vfs.resolve("/bin/", followSymlinks: false) === (try vfs.resolve("/usr/bin")))
        #expect(errno { try vfs.resolve("/bin/sh/") } == .ENOTDIR)
        // Dangling and looping links.
        try vfs.makeSymlink(target: "/nowhere", at: "/dangling")
        #expect(errno { try vfs.resolve("/dangling") } == .ENOENT)
        try vfs.makeSymlink(target: "loop2", at: "/loop1")
        try vfs.makeSymlink(target: "loop1", at: "/loop2")
        #expect(errno { try vfs.resolve("/loop1") } == .ELOOP)
        #expect(errno { try vfs.open("/loop1", flags: []) } == .ELOOP)
        // 40 links are fine, 41 are not.
        _ = try vfs.open("/target", flags: [.O_CREAT])
        try vfs.makeSymlink(target: "target", at: "/l0")
        for i in 1...40 { try vfs.makeSymlink(target: "l\(i - 1)", at: "/l\(i)") }
        #expect(try vfs.resolve("/l39").isSymlink == false)
        #expect(errno { try vfs.resolve("/l40") } == .ELOOP)
        // Symlink in the middle of a path, with "..".
        try vfs.makeSymlink(target: "/usr/bin", at: "/usr/link")
        #expect(try vfs.resolve("/usr/link/../bin/busybox") === busybox.inode)
        #expect(errno { try vfs.makeSymlink(target: "", at: "/empty") } == .ENOENT)
    }

    @Test func mountCrossing() throws {
        let vfs = makeVFS()
        try vfs.makeDirectory("/tmp")
        let tmp = vfs.makeRamFS(typeName: "tmpfs")
        try vfs.mount(tmp, at: "/tmp", source: "tmpfs")
        _ = try vfs.open("/tmp/x", flags: [.O_CREAT])
        #expect(try vfs.resolve("/tmp") === tmp.root)
        #expect(try vfs.resolve("/tmp/..") === vfs.root)
        #expect(try vfs.stat("/tmp/x").device == tmp.device)
        #expect(try vfs.statfs(bytes("/tmp")).type == StatFS.TMPFS_MAGIC)
        #expect(try vfs.statfs(bytes("/")).type == StatFS.RAMFS_MAGIC)
        #expect(vfs.path(of: tmp.root) == bytes("/tmp"))
        try vfs.makeDirectory("/tmp/d")
        #expect(vfs.path(of: try vfs.resolve("/tmp/d")) == bytes("/tmp/d"))
        #expect(errno { try vfs.removeDirectory("/tmp") } == .EBUSY)
        #expect(errno { try vfs.rename("/tmp/x", to: "/x") } == .EXDEV)
        #expect(errno { try vfs.link("/tmp/x", to: "/x") } == .EXDEV)
        #expect(text(vfs.mountsText()) == "rootfs / ramfs rw 0 0\ntmpfs /tmp tmpfs rw 0 0\n")
        try vfs.unmount(bytes("/tmp"), from: nil)
        #expect(errno { try vfs.resolve("/tmp/x") } == .ENOENT)
        #expect(errno { try vfs.unmount(bytes("/tmp"), from: nil) } == .EINVAL)
    }

    @Test func nameCacheFollowsChanges() throws {
        let vfs = makeVFS()
        let cache = try #require(vfs.root.superBlock.nameCache)
        _ = try vfs.open("/a", flags: [.O_CREAT])
        let first = try vfs.resolve("/a")
        let hitsBefore = cache.hits
        #expect(try vfs.resolve("/a") === first)
        #expect(cache.hits > hitsBefore)
        try vfs.unlink("/a")
        #expect(errno { try vfs.resolve("/a") } == .ENOENT)
        _ = try vfs.open("/a", flags: [.O_CREAT])
        #expect(try vfs.resolve("/a") !== first)
        _ = try vfs.open("/b", flags: [.O_CREAT])
        let b = try vfs.resolve("/b")
        try vfs.rename("/b", to: "/a")
        #expect(try vfs.resolve("/a") === b)
        #expect(errno { try vfs.resolve("/b") } == .ENOENT)
    }

    /// The open-addressed table: many names in one shard (growth), collisions within a probe
    /// run, removal from the middle of a run (entries after the hole stay reachable), names
    /// that differ only in length or one byte, and the capacity reset.
    @Test func nameCacheTable() throws {
        let vfs = makeVFS()
        let cache = NameCache(shardCount: 1, capacityPerShard: 300)
        var inodes: [Inode] = []
        for i in 0..<200 { inodes.append(try vfs.makeDirectory("/d\(i)")) }
        let root = vfs.root
        for i in 0..<200 { cache.insert(directory: root, name: bytes("d\(i)"), inode: inodes[i], ifGeneration: cache.generation) }
        for i in 0..<200 { #expect(cache.lookup(directory: root, name: bytes("d\(i)")) === inodes[i]) }
        #expect(cache.lookup(directory: root, name: bytes("d")) == nil)
        #expect(cache.lookup(directory: root, name: bytes("d1000")) == nil)
        #expect(cache.lookup(directory: inodes[0], name: bytes("d1")) == nil)       // another directory
        for i in stride(from: 0, to: 200, by: 3) { cache.invalidate(directory: root, name: bytes("d\(i)")) }
        for i in 0..<200 {
            let hit = cache.lookup(directory: root, name: bytes("d\(i)"))
            if i % 3 == 0 { #expect(hit == nil) } else { #expect(hit === inodes[i]) }
        }
        // A slice of a longer path finds the same entry.
        let path = bytes("/d17/rest")
        let hit = path.withUnsafeBufferPointer { cache.lookup(directory: root, name: ComponentName(UnsafeBufferPointer(rebasing: $0[1..<4]))) }
        #expect(hit === inodes[17])
        // A stale generation does not insert.
        let stale = cache.generation - 1
        cache.insert(directory: root, name: bytes("d0"), inode: inodes[0], ifGeneration: stale)
        #expect(cache.lookup(directory: root, name: bytes("d0")) == nil)
        // Past the capacity the shard starts again empty, and keeps working.
        for i in 0..<400 { cache.insert(directory: inodes[1], name: bytes("n\(i)"), inode: inodes[2], ifGeneration: cache.generation) }
        #expect(cache.lookup(directory: inodes[1], name: bytes("n399")) === inodes[2])
        cache.removeAll()
        #expect(cache.lookup(directory: inodes[1], name: bytes("n399")) == nil)
    }

    /// A symlink's target is spliced in front of the rest of the path: slashes after the link,
    /// links to "/" and "." and links inside links' targets.
    @Test func symlinkSplicing() throws {
        let vfs = makeVFS()
        try vfs.makeDirectory("/a")
        try vfs.makeDirectory("/a/b")
        let f = try vfs.open("/a/b/f", flags: [.O_CREAT, .O_WRONLY])
        try vfs.makeSymlink(target: "/", at: "/toroot")
        try vfs.makeSymlink(target: ".", at: "/a/here")
        try vfs.makeSymlink(target: "b/", at: "/a/bslash")
        try vfs.makeSymlink(target: "bslash/f", at: "/a/viaslash")
        try vfs.makeSymlink(target: "f", at: "/a/b/tofile")
        #expect(try vfs.resolve("/toroot") === vfs.root)
        #expect(try vfs.resolve("/toroot/") === vfs.root)
        #expect(try vfs.resolve("/toroot//a/b/f") === f.inode)
        #expect(try vfs.resolve("/a/here/here/b/f") === f.inode)
        #expect(try vfs.resolve("/a/bslash") === (try vfs.resolve("/a/b")))
        #expect(try vfs.resolve("/a/bslash", followSymlinks: false).isSymlink)
        #expect(try vfs.resolve("/a/viaslash") === f.inode)
        #expect(errno { try vfs.resolve("/a/b/tofile/") } == .ENOTDIR)
        #expect(errno { try vfs.resolve("/a/b/tofile//", followSymlinks: false) } == .ENOTDIR)
        #expect(try vfs.resolve("/a/bslash//tofile") === f.inode)
        let opened = try vfs.open("/a/bslash/tofile", flags: [])
        #expect(opened.inode === f.inode)
        let parent = try vfs.resolveParent(bytes("/a/bslash/new"))
        #expect(parent.directory === (try vfs.resolve("/a/b")) && parent.name == bytes("new"))
        #expect(VFS.split(bytes("//x//y/")).components == [bytes("x"), bytes("y")])
        #expect(VFS.split(bytes("//x//y/")).trailingSlash && !VFS.split(bytes("x/y")).trailingSlash)
        #expect(!VFS.split(bytes("/")).trailingSlash && VFS.split(bytes("/")).absolute)
    }

    /// The walk hashes each component while it looks for the next slash; the name cache hashes
    /// a lone name. Both must agree at every length and position, and find the same name.
    @Test func componentScanAgreesWithNameHash() {
        for length in 1...20 {
            for slashes in 0...9 {
                let name = (0..<length).map { UInt8(0x61 + ($0 * 7) % 26) }
                let own = name.withUnsafeBufferPointer { ComponentName($0).hash }
                for tail in [[], [0x2f], [0x2f, 0x2f, 0x78, 0x79, 0x7a, 0x77, 0x76, 0x75, 0x74]] as [[UInt8]] {
                    let path = [UInt8](repeating: 0x2f, count: slashes) + name + tail
                    path.withUnsafeBufferPointer { p in
                        var cursor = PathCursor(p)
                        guard let (range, hash, isLast, trailing) = cursor.next() else { Issue.record("no component"); return }
                        #expect(Array(cursor.name(range)) == name)
                        #expect(hash == own)
                        #expect(isLast == (tail.count < 3))
                        #expect(trailing == !tail.isEmpty)
                    }
                }
            }
        }
    }

    /// Names that differ only in one byte, at every position of names up to 20 bytes long.
    @Test func nameCacheComparesEveryByte() throws {
        let vfs = makeVFS()
        let cache = NameCache(shardCount: 1)
        let a = try vfs.makeDirectory("/a"), b = try vfs.makeDirectory("/b")
        for length in 1...20 {
            let name = (0..<length).map { UInt8(0x41 + $0) }
            cache.insert(directory: vfs.root, name: name, inode: a, ifGeneration: cache.generation)
            for position in 0..<length {
                var other = name
                other[position] ^= 0x20
                #expect(cache.lookup(directory: vfs.root, name: other) == nil)
                cache.insert(directory: vfs.root, name: other, inode: b, ifGeneration: cache.generation)
                #expect(cache.lookup(directory: vfs.root, name: other) === b)
                #expect(cache.lookup(directory: vfs.root, name: name) === a)
                cache.invalidate(directory: vfs.root, name: other)
            }
            #expect(cache.lookup(directory: vfs.root, name: name + [0x41]) == nil)
        }
    }
}
