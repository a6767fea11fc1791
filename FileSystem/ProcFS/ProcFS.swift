// procfs as a framework: the kernel registers what /proc shows, the file system turns it into
// inodes on lookup (ProcNodes.swift). Files have content generators run at open time (each open
// reads one consistent snapshot, like Linux's seq_file); symlinks have target generators and may
// be "magic" (an inode to jump to, like /proc/PID/fd/N, so a pipe can be reopened); directories
// have static children plus an optional dynamic provider (for /proc/PID and /proc/PID/fd).
// No name cache: everything here is generated.
import LinuxABI
import Objects

/// A generated file: its permission bits, its content at open time, and an optional writer.
public struct ProcFileSpec {
    public var mode: UInt32
    public var content: () throws(Errno) -> [UInt8]
    public var write: (([UInt8]) throws(Errno) -> Void)?
    public init(mode: UInt32 = 0o444, content: @escaping () throws(Errno) -> [UInt8],
                write: (([UInt8]) throws(Errno) -> Void)? = nil) {
        self.mode = mode; self.content = content; self.write = write
    }
}

/// What a /proc name stands for.
public enum ProcEntry {
    case file(ProcFileSpec)
    /// A symlink: its target text, and optionally the inode a path walk jumps to instead of
    /// resolving the text (Linux's magic links: /proc/PID/exe, cwd, root, fd/N).
    case symlink(target: () throws(Errno) -> [UInt8], jump: (() throws(Errno) -> Inode)?)
    case directory(ProcDirectory)

    /// A read-only text file.
    public static func text(_ mode: UInt32 = 0o444, _ content: @escaping () -> String) -> ProcEntry {
        .file(ProcFileSpec(mode: mode, content: { () throws(Errno) -> [UInt8] in Array(content().utf8) }))
    }
    /// A symlink with a text target and no jump.
    public static func link(_ target: @escaping () -> String) -> ProcEntry {
        .symlink(target: { () throws(Errno) -> [UInt8] in Array(target().utf8) }, jump: nil)
    }

    var type: FileType {
        switch self {
        case .file: return .regular
        case .symlink: return .symlink
        case .directory: return .directory
        }
    }
}

/// One name a dynamic directory lists.
public struct ProcListing {
    public var name: [UInt8]
    public var type: FileType
    public init(name: [UInt8], type: FileType) { self.name = name; self.type = type }
    public init(_ name: String, _ type: FileType) { self.name = Array(name.utf8); self.type = type }
}

/// A /proc directory's contents: static children in registration order, then dynamic ones.
public final class ProcDirectory: @unchecked Sendable {
    let lock = SpinLock()
    private(set) var children: [(name: [UInt8], entry: ProcEntry)] = []
    private var list: (() -> [ProcListing])?
    private var lookupDynamic: (([UInt8]) -> ProcEntry?)?

    /// A directory with static children only.
    public init() {}

    /// A directory whose further entries come from `list` (for getdents) and `lookup` (for a
    /// name; nil means ENOENT). Static children added with `add` come first.
    public init(list: @escaping () -> [ProcListing], lookup: @escaping ([UInt8]) -> ProcEntry?) {
        self.list = list; self.lookupDynamic = lookup
    }

    /// Sets (or replaces) the dynamic provider, e.g. the PID directories of /proc itself.
    public func setProvider(list: @escaping () -> [ProcListing], lookup: @escaping ([UInt8]) -> ProcEntry?) {
        lock.withLock { self.list = list; self.lookupDynamic = lookup }
    }

    var provider: (list: (() -> [ProcListing])?, lookup: (([UInt8]) -> ProcEntry?)?) {
        lock.withLock { (list, lookupDynamic) }
    }

    /// Adds or replaces a static child.
    public func add(_ name: String, _ entry: ProcEntry) { add(Array(name.utf8), entry) }
    public func add(_ name: [UInt8], _ entry: ProcEntry) {
        lock.withLock {
            if let i = children.firstIndex(where: { $0.name == name }) { children[i].entry = entry }
            else { children.append((name: name, entry: entry)) }
        }
    }
    public func remove(_ name: String) {
        let n = Array(name.utf8)
        lock.withLock { children.removeAll { $0.name == n } }
    }

    func staticChild(_ name: [UInt8]) -> ProcEntry? {
        lock.withLock { children.first(where: { $0.name == name })?.entry }
    }
    var staticChildren: [(name: [UInt8], entry: ProcEntry)] { lock.withLock { children } }
}

public final class ProcFS: SuperBlock, @unchecked Sendable {
    public let rootDirectory = ProcDirectory()

    public init(device: DeviceNumber, clock: FileSystemClock) {
        super.init(typeName: "proc", magic: StatFS.PROC_SUPER_MAGIC, device: device, clock: clock, nameCache: nil)
        setRoot(ProcDirectoryInode(fs: self, directory: rootDirectory, parent: nil, name: nil, inodeNumber: 1))
    }

    public convenience init(vfs: VFS) {
        self.init(device: vfs.allocateAnonymousDevice(), clock: vfs.clock)
    }

    public override var mountOptions: String { "rw,nosuid,nodev,noexec,relatime" }

    /// Registers `entry` at `path` below /proc ("meminfo", "sys/kernel/ostype"), making the
    /// static directories on the way.
    public func register(_ path: String, _ entry: ProcEntry) {
        let (_, parts, _) = VFS.split(Array(path.utf8))
        guard let last = parts.last else { return }
        var dir = rootDirectory
        for part in parts.dropLast() {
            if case .directory(let d)? = dir.staticChild(part) { dir = d; continue }
            let d = ProcDirectory()
            dir.add(part, .directory(d))
            dir = d
        }
        dir.add(last, entry)
    }

    /// A text file generated at each open.
    public func addFile(_ path: String, mode: UInt32 = 0o444, _ content: @escaping () -> String) {
        register(path, .text(mode, content))
    }
    /// A byte file generated at each open (for NUL-separated files like cmdline and environ).
    public func addBinaryFile(_ path: String, mode: UInt32 = 0o444, _ content: @escaping () throws(Errno) -> [UInt8]) {
        register(path, .file(ProcFileSpec(mode: mode, content: content)))
    }
    /// A symlink whose target is generated at each readlink ("self" -> the caller's pid).
    public func addSymlink(_ path: String, _ target: @escaping () -> String) {
        register(path, .link(target))
    }
    /// A dynamic directory at `path` (for /proc itself, call `rootDirectory.setProvider`).
    public func addDirectory(_ path: String, list: @escaping () -> [ProcListing], lookup: @escaping ([UInt8]) -> ProcEntry?) {
        register(path, .directory(ProcDirectory(list: list, lookup: lookup)))
    }
}
