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

/// A fully resolved path: the inode and, when the last step was a lookup, where it was found.
/// The last name stays a range of the walked bytes until someone asks for it (an open file's
/// path text, made lazily), so resolving allocates nothing for it.
public struct Resolved {
    public var inode: Inode
    public var parent: Inode?
    let nameBytes: [UInt8]
    let nameRange: Range<Int>
    public var name: [UInt8] { Array(nameBytes[nameRange]) }

    public init(inode: Inode, parent: Inode?, name: [UInt8]) {
        self.init(inode: inode, parent: parent, nameBytes: name, nameRange: 0..<name.count)
    }
    init(inode: Inode, parent: Inode?, nameBytes: [UInt8], nameRange: Range<Int>) {
        self.inode = inode; self.parent = parent; self.nameBytes = nameBytes; self.nameRange = nameRange
    }
}

/// A path being walked: its bytes and where the next component starts. Components are ranges
/// of the bytes (no list of components, no array per name); a symlink met on the way is
/// spliced in front of the rest of the path, the one case that copies.
struct PathCursor {
    private(set) var bytes: [UInt8]
    private var position = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The next component (empty components, "a//b", vanish), its name's hash (for the name
    /// cache, computed in the same pass), whether it is the last, and whether slashes follow
    /// it; nil when none is left.
    mutating func next() -> (name: Range<Int>, hash: UInt64, isLast: Bool, trailingSlash: Bool)? {
        let from = position
        let found = bytes.withUnsafeBufferPointer { p -> (Range<Int>, UInt64, Int)? in
            let count = p.count
            var start = from
            while start < count && p[start] == 0x2f { start += 1 }
            if start == count { return nil }
            var h = ComponentName.hashBasis
            var end = start
            while end < count && p[end] != 0x2f { h = ComponentName.hashStep(h, p[end]); end += 1 }
            var after = end
            while after < count && p[after] == 0x2f { after += 1 }
            return (start..<end, h, after)
        }
        guard let (name, hash, after) = found else { position = bytes.count; return nil }
        position = after
        return (name, hash, after == bytes.count, name.upperBound < bytes.count)
    }

    /// Continues with `target` (a symlink's text) in place of the component `link`: the
    /// target's components, then whatever followed the link, slashes included (so "link/"
    /// still demands a directory at the end).
    mutating func splice(_ target: [UInt8], replacing link: Range<Int>) {
        var spliced = target
        spliced.append(contentsOf: bytes[link.upperBound...])
        bytes = spliced
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
        var cursor = PathCursor(path)
        var trailing = false
        while let (name, _, _, slash) = cursor.next() {
            components.append(Array(path[name]))
            trailing = slash
        }
        return (path.first == 0x2f, components, trailing)
    }

    static func isDot(_ n: [UInt8]) -> Bool { n.count == 1 && n[0] == 0x2e }
    static func isDotDot(_ n: [UInt8]) -> Bool { n.count == 2 && n[0] == 0x2e && n[1] == 0x2e }

    /// The root the caller sees: its chroot(2) directory, else the name space's root.
    public var callerRoot: Inode { rootOverride?() ?? root }

    /// The directory to start from: root for absolute paths, else `from` (or root).
    func startingPoint(_ path: [UInt8], from directory: Inode?) throws(Errno) -> Inode {
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
    /// `followLast` (or when the path ends in a slash).
    func walk(_ path: [UInt8], from directory: Inode?, followLast: Bool, stopAtLast: Bool,
              symlinks: inout Int) throws(Errno) -> (resolved: Resolved, last: ParentLocation?) {
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
                let bytes = Array(cursor.bytes[name])
                let at = ParentLocation(directory: current, name: bytes, kind: kind, trailingSlash: mustBeDirectory)
                return (Resolved(inode: current, parent: nil, name: bytes), at)
            }
            if cursor.isDot(name) { parent = nil; lastName = name; continue }
            if cursor.isDotDot(name) { current = try parentOf(current); parent = nil; lastName = name; continue }
            let directory = current
            let next = try cursor.bytes.withUnsafeBufferPointer { (b) throws(Errno) -> Inode in
                try lookupChild(directory, ComponentName(bytes: UnsafeBufferPointer(rebasing: b[name]), hash: hash))
            }
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
        return (Resolved(inode: current, parent: parent, nameBytes: cursor.bytes, nameRange: lastName), nil)
    }

    // MARK: public resolution

    /// Resolves `path` from `directory` (the cwd or a dirfd's directory; ignored for absolute
    /// paths) to an inode. `followSymlinks: false` is lstat's and O_NOFOLLOW's behaviour.
    public func resolve(_ path: [UInt8], from directory: Inode? = nil, followSymlinks: Bool = true) throws(Errno) -> Inode {
        var links = 0
        return try walk(path, from: directory, followLast: followSymlinks, stopAtLast: false, symlinks: &links).resolved.inode
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
