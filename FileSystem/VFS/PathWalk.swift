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
public struct Resolved {
    public var inode: Inode
    public var parent: Inode?
    public var name: [UInt8]
}

extension VFS {
    /// Splits a path into its components; empty components ("a//b") vanish. Each component is
    /// one exactly-sized array, made from its range in `path` (no byte-by-byte growing).
    static func split(_ path: [UInt8]) -> (absolute: Bool, components: [[UInt8]], trailingSlash: Bool) {
        var components: [[UInt8]] = []
        var start = 0
        let count = path.count
        while start < count {
            if path[start] == 0x2f { start += 1; continue }
            var end = start + 1
            while end < count && path[end] != 0x2f { end += 1 }
            components.append(Array(path[start..<end]))
            start = end
        }
        let absolute = path.first == 0x2f
        let trailing = path.count > 1 && path.last == 0x2f && !components.isEmpty
        return (absolute, components, trailing)
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
    func lookupChild(_ directory: Inode, _ name: [UInt8], crossMounts: Bool = true) throws(Errno) -> Inode {
        guard name.count <= NAME_MAX else { throw .ENAMETOOLONG }
        var found: Inode
        if let cache = directory.superBlock.nameCache {
            if let hit = cache.lookup(directory: directory, name: name) {
                found = hit
            } else {
                let generation = cache.generation
                found = try directory.lookup(name)
                cache.insert(directory: directory, name: name, inode: found, ifGeneration: generation)
            }
        } else {
            found = try directory.lookup(name)
        }
        if crossMounts {
            while let m = found.lock.withLock({ found.mountedHere }) { found = m.superBlock.root }
        }
        return found
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
    /// it); otherwise it resolves the whole path, following a final symlink when `followLast`
    /// (or when the path ends in a slash).
    func walk(_ path: [UInt8], from directory: Inode?, followLast: Bool, stopAtLast: Bool,
              symlinks: inout Int) throws(Errno) -> (resolved: Resolved, last: ParentLocation?) {
        var current = try startingPoint(path, from: directory)
        // The stack is split's own array, reversed in place (no copy: nothing else holds it).
        var stack: [[UInt8]]
        let trailing: Bool
        (_, stack, trailing) = VFS.split(path)
        stack.reverse()
        var mustBeDirectory = trailing
        var parent: Inode? = nil
        var lastName: [UInt8] = []
        if stack.isEmpty {
            // "/" (or "///"): the root itself.
            let at = ParentLocation(directory: current, name: [], kind: .root, trailingSlash: false)
            return (Resolved(inode: current, parent: nil, name: []), stopAtLast ? at : nil)
        }
        while let name = stack.popLast() {
            let isLast = stack.isEmpty
            guard current.isDirectory else { throw .ENOTDIR }
            if isLast && stopAtLast {
                guard name.count <= NAME_MAX else { throw .ENAMETOOLONG }   // a name to create or remove
                let kind: LastComponentKind = VFS.isDot(name) ? .dot : VFS.isDotDot(name) ? .dotDot : .normal
                let at = ParentLocation(directory: current, name: name, kind: kind, trailingSlash: mustBeDirectory)
                return (Resolved(inode: current, parent: nil, name: name), at)
            }
            if VFS.isDot(name) { parent = nil; lastName = name; continue }
            if VFS.isDotDot(name) { current = try parentOf(current); parent = nil; lastName = name; continue }
            let next = try lookupChild(current, name)
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
                let (absolute, parts, targetTrailing) = VFS.split(target)
                if isLast && targetTrailing { mustBeDirectory = true }
                if absolute { current = callerRoot }
                for p in parts.reversed() { stack.append(p) }
                if parts.isEmpty && isLast {
                    // A link to "/": the walk ends at the root.
                    parent = nil; lastName = []
                }
                continue
            }
            parent = current
            lastName = name
            current = next
        }
        if mustBeDirectory && !current.isDirectory { throw .ENOTDIR }
        return (Resolved(inode: current, parent: parent, name: lastName), nil)
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
