// Path resolution (path_resolution(7)): absolute or relative to a starting directory (the
// caller's cwd or dirfd), "." and "..", mount crossing in both directions, symlinks followed
// iteratively (ELOOP after 40 in one walk), trailing slashes (the result must be a directory),
// ENOTDIR for a non-directory in the middle, ENAMETOOLONG at PATH_MAX / NAME_MAX.
// Each file system's NameCache is consulted before asking the directory inode.
import LinuxABI
import Objects

/// What the last component of a path is (Linux's LAST_NORM, LAST_DOT, LAST_DOTDOT, LAST_ROOT).
public enum LastComponentKind: Equatable { case normal, dot, dotDot, root }

/// A path resolved up to its last component.
public struct ParentLocation {
    public var directory: Inode
    public var name: [UInt8]
    public var kind: LastComponentKind
    public var trailingSlash: Bool
}

/// A fully resolved path: the inode and, when the last step was a lookup, where it was found
/// (the name only when the caller asked for it: an open file's path text).
public struct Resolved {
    public var inode: Inode
    public var parent: Inode?
    public var name: [UInt8]
}

/// The bytes of a path a symlink spliced together: a walk's only allocation.
final class PathStorage {
    let buffer: UnsafeMutableBufferPointer<UInt8>
    init(count: Int) { buffer = .allocate(capacity: max(count, 1)) }
    deinit { buffer.deallocate() }
}

/// A path being walked: its bytes and where the next component starts. Components are ranges
/// of the bytes (no list of components, no array per name). The bytes are the caller's (the
/// syscall layer's copy on its stack, or an array it holds for the walk) until a symlink is
/// met: its target is spliced in front of the rest of the path into storage the cursor owns.
struct PathCursor {
    private(set) var bytes: UnsafeBufferPointer<UInt8>
    private var storage: PathStorage? = nil
    private var position = 0
    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    func name(_ r: Range<Int>) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: bytes[r]) }

    /// The next component (empty components, "a//b", vanish), its name's hash (for the name
    /// cache, computed in the same pass), whether it is the last, and whether slashes follow
    /// it; nil when none is left.
    mutating func next() -> (name: Range<Int>, hash: UInt64, isLast: Bool, trailingSlash: Bool)? {
        let p = bytes, count = p.count
        var start = position
        while start < count && p[start] == 0x2f { start += 1 }
        if start == count { position = count; return nil }
        var h = ComponentName.hashBasis
        var end = start
        while end < count && p[end] != 0x2f { h = ComponentName.hashStep(h, p[end]); end += 1 }
        var after = end
        while after < count && p[after] == 0x2f { after += 1 }
        position = after
        return (start..<end, h, after == count, end < count)
    }

    /// Continues with `target` (a symlink's text) in place of the component `link`: the
    /// target's components, then whatever followed the link, slashes included (so "link/"
    /// still demands a directory at the end).
    mutating func splice(_ target: [UInt8], replacing link: Range<Int>) {
        let rest = UnsafeBufferPointer(rebasing: bytes[link.upperBound...])
        let spliced = PathStorage(count: target.count + rest.count)
        var i = 0
        for b in target { spliced.buffer[i] = b; i += 1 }
        for b in rest { spliced.buffer[i] = b; i += 1 }
        storage = spliced                       // the old storage (if any) goes only now
        bytes = UnsafeBufferPointer(spliced.buffer)
        position = 0
    }

    func isDot(_ r: Range<Int>) -> Bool { r.count == 1 && bytes[r.lowerBound] == 0x2e }
    func isDotDot(_ r: Range<Int>) -> Bool { r.count == 2 && bytes[r.lowerBound] == 0x2e && bytes[r.lowerBound + 1] == 0x2e }
}

extension VFS {
    /// Splits a path into its components; empty components ("a//b") vanish (for the boot-time
    /// builders, the initramfs and /proc's registry; path walks use PathCursor).
    static func split(_ path: [UInt8]) -> (absolute: Bool, components: [[UInt8]], trailingSlash: Bool) {
        var components: [[UInt8]] = []
        var trailing = false
        path.withUnsafeBufferPointer { p in
            var cursor = PathCursor(p)
            while let (name, _, _, slash) = cursor.next() {
                components.append(Array(cursor.name(name)))
                trailing = slash
            }
        }
        return (path.first == 0x2f, components, trailing)
    }

    static func isDot(_ n: [UInt8]) -> Bool { n.count == 1 && n[0] == 0x2e }
    static func isDotDot(_ n: [UInt8]) -> Bool { n.count == 2 && n[0] == 0x2e && n[1] == 0x2e }

    /// The root the caller sees: its chroot(2) directory, else the name space's root.
    public var callerRoot: Inode { rootOverride?() ?? root }

    /// The directory to start from: root for absolute paths, else `from` (or root).
    func startingPoint(_ path: UnsafeBufferPointer<UInt8>, from directory: Inode?) throws(Errno) -> Inode {
        guard !path.isEmpty else { throw .ENOENT }
        guard path.count < PATH_MAX else { throw .ENAMETOOLONG }
        if path[0] == 0x2f { return callerRoot }
        guard let d = directory else { return callerRoot }
        guard d.isDirectory else { throw .ENOTDIR }
        return d
    }

    /// Looks `name` up in `directory`: the name cache first, then the file system; crosses onto
    /// whatever is mounted on the result when `crossMounts`.
    func lookupChild(_ directory: Inode, _ name: ComponentName, crossMounts: Bool = true) throws(Errno) -> Inode {
        guard name.count <= NAME_MAX else { throw .ENAMETOOLONG }
        var found: Inode
        if let cache = directory.superBlock.nameCache {
            if let hit = cache.lookup(directory: directory, name: name) {
                found = hit
            } else {
                let generation = cache.generation
                found = try directory.lookup(name.array)
                cache.insert(directory: directory, name: name, inode: found, ifGeneration: generation)
            }
        } else {
            found = try directory.lookup(name.array)
        }
        // The unlocked hint first: most directories have nothing mounted on them.
        if crossMounts {
            while found.isMountpoint, let m = found.lock.withLock({ found.mountedHere }) { found = m.superBlock.root }
        }
        return found
    }
    func lookupChild(_ directory: Inode, _ name: [UInt8], crossMounts: Bool = true) throws(Errno) -> Inode {
        try name.withUnsafeBufferPointer { (b) throws(Errno) -> Inode in
            try lookupChild(directory, ComponentName(b), crossMounts: crossMounts)
        }
    }

    /// ".." of `directory`: stays at the caller's root, climbs out of mounted roots.
    func parentOf(_ directory: Inode) throws(Errno) -> Inode {
        let top = callerRoot
        var current = directory
        while current !== top, current === current.superBlock.root, let mp = current.superBlock.mount?.mountpoint {
            current = mp
        }
        if current === top || current === current.superBlock.root { return current }
        guard let parent = current.parentDirectory else { throw .ENOENT }
        return parent
    }

    /// The core walk. With `stopAtLast` it returns before the last component (never following
    /// it) in `last`; otherwise it resolves the whole path, following a final symlink when
    /// `followLast` (or when the path ends in a slash), and copies the last name into the
    /// result when `wantName`.
    func walk(_ path: UnsafeBufferPointer<UInt8>, from directory: Inode?, followLast: Bool, stopAtLast: Bool,
              wantName: Bool = false, symlinks: inout Int) throws(Errno) -> (resolved: Resolved, last: ParentLocation?) {
        var current = try startingPoint(path, from: directory)
        var cursor = PathCursor(path)
        var mustBeDirectory = false
        var parent: Inode? = nil
        var lastName = 0..<0
        var walkedAny = false
        while let (name, hash, isLast, trailingSlash) = cursor.next() {
            walkedAny = true
            if isLast && trailingSlash { mustBeDirectory = true }
            guard current.isDirectory else { throw .ENOTDIR }
            if isLast && stopAtLast {
                guard name.count <= NAME_MAX else { throw .ENAMETOOLONG }   // a name to create or remove
                let kind: LastComponentKind = cursor.isDot(name) ? .dot : cursor.isDotDot(name) ? .dotDot : .normal
                let bytes = Array(cursor.name(name))
                let at = ParentLocation(directory: current, name: bytes, kind: kind, trailingSlash: mustBeDirectory)
                return (Resolved(inode: current, parent: nil, name: bytes), at)
            }
            if cursor.isDot(name) { parent = nil; lastName = name; continue }
            if cursor.isDotDot(name) { current = try parentOf(current); parent = nil; lastName = name; continue }
            let next = try lookupChild(current, ComponentName(bytes: cursor.name(name), hash: hash))
            if next.isSymlink && (!isLast || followLast || mustBeDirectory) {
                symlinks += 1
                guard symlinks <= MAXSYMLINKS else { throw .ELOOP }
                if let jump = try next.followLink() {
                    parent = nil; lastName = name
                    current = jump
                    continue
                }
                let target = try next.readlink()
                guard !target.isEmpty else { throw .ENOENT }
                guard target.count < PATH_MAX else { throw .ENAMETOOLONG }
                if target[0] == 0x2f { current = callerRoot }
                cursor.splice(target, replacing: name)
                // A link to "/" as the last component ends the walk at the root.
                parent = nil; lastName = 0..<0
                continue
            }
            parent = current
            lastName = name
            current = next
        }
        if !walkedAny {
            // "/" (or "///"): the root itself.
            let at = ParentLocation(directory: current, name: [], kind: .root, trailingSlash: false)
            return (Resolved(inode: current, parent: nil, name: []), stopAtLast ? at : nil)
        }
        if mustBeDirectory && !current.isDirectory { throw .ENOTDIR }
        return (Resolved(inode: current, parent: parent, name: wantName ? Array(cursor.name(lastName)) : []), nil)
    }
    func walk(_ path: [UInt8], from directory: Inode?, followLast: Bool, stopAtLast: Bool,
              wantName: Bool = false, symlinks: inout Int) throws(Errno) -> (resolved: Resolved, last: ParentLocation?) {
        try path.withUnsafeBufferPointer { (p) throws(Errno) -> (resolved: Resolved, last: ParentLocation?) in
            try walk(p, from: directory, followLast: followLast, stopAtLast: stopAtLast, wantName: wantName, symlinks: &symlinks)
        }
    }

    // MARK: public resolution

    /// Resolves `path` from `directory` (the cwd or a dirfd's directory; ignored for absolute
    /// paths) to an inode. `followSymlinks: false` is lstat's and O_NOFOLLOW's behaviour.
    public func resolve(_ path: UnsafeBufferPointer<UInt8>, from directory: Inode? = nil, followSymlinks: Bool = true) throws(Errno) -> Inode {
        var links = 0
        return try walk(path, from: directory, followLast: followSymlinks, stopAtLast: false, symlinks: &links).resolved.inode
    }
    public func resolve(_ path: [UInt8], from directory: Inode? = nil, followSymlinks: Bool = true) throws(Errno) -> Inode {
        try path.withUnsafeBufferPointer { (p) throws(Errno) -> Inode in try resolve(p, from: directory, followSymlinks: followSymlinks) }
    }
    public func resolve(_ path: String, from directory: Inode? = nil, followSymlinks: Bool = true) throws(Errno) -> Inode {
        try resolve(Array(path.utf8), from: directory, followSymlinks: followSymlinks)
    }

    /// Resolves all but the last component (for the calls that create or remove names).
    public func resolveParent(_ path: [UInt8], from directory: Inode? = nil) throws(Errno) -> ParentLocation {
        var links = 0
        return try resolveParent(path, from: directory, symlinks: &links)
    }

    func resolveParent(_ path: [UInt8], from directory: Inode?, symlinks: inout Int) throws(Errno) -> ParentLocation {
        try walk(path, from: directory, followLast: false, stopAtLast: true, symlinks: &symlinks).last!
    }
}
