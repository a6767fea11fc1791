// A mounted file-system instance (Linux's struct super_block): its root inode, device number,
// inode numbering, statfs answer, and its own name cache. K42 (paper section 8) keeps name
// caching per file system instead of one global dentry cache, so each file system decides
// whether caching pays (ramfs's directories are already hash tables, procfs's are generated);
// `NameCache` is the cache a file system may attach. Mount records where an instance is mounted.
import LinuxABI
import Objects
import Synchronization

open class SuperBlock: @unchecked Sendable {
    /// The name /proc/mounts shows ("ramfs", "tmpfs", "proc", "devtmpfs").
    public let typeName: String
    /// f_type for statfs (RAMFS_MAGIC, TMPFS_MAGIC, PROC_SUPER_MAGIC...).
    public let magic: Int64
    public let device: DeviceNumber
    public let clock: FileSystemClock
    /// The name cache the VFS consults before `Inode.lookup`; nil means "always ask the file system".
    public let nameCache: NameCache?
    /// Serialises renames within this file system, so "is the target inside the source?"
    /// walks a stable tree (Linux's s_vfs_rename_mutex).
    public let renameLock = SpinLock()
    private let nextInode = SharedAtomic(1)
    private var rootInode: Inode?
    /// Where this instance is mounted (set by the VFS; an instance is mounted at most once).
    public var mount: Mount?

    public init(typeName: String, magic: Int64, device: DeviceNumber, clock: FileSystemClock, nameCache: NameCache?) {
        self.typeName = typeName; self.magic = magic; self.device = device
        self.clock = clock; self.nameCache = nameCache
    }

    /// The root directory. Subclasses set it once in their initialiser with `setRoot`.
    public var root: Inode { rootInode! }
    public func setRoot(_ inode: Inode) { rootInode = inode }

    public func allocateInodeNumber() -> UInt64 {
        UInt64(nextInode.value.wrappingAdd(1, ordering: .relaxed).newValue)
    }

    /// statfs(2) for this instance.
    open func statfs() -> StatFS {
        var s = StatFS()
        s.type = magic
        s.fsid = (device.minor, device.major)
        return s
    }

    /// Mount options for /proc/mounts ("rw" and what the file system adds).
    open var mountOptions: String { "rw" }
}

/// One entry of the mount table.
public final class Mount: @unchecked Sendable {
    public let superBlock: SuperBlock
    /// The covered directory in the parent mount (nil for the root mount).
    public let mountpoint: Inode?
    public let parent: Mount?
    /// What /proc/mounts shows: source, absolute path.
    public let source: [UInt8]
    public let path: [UInt8]
    public let id: Int

    init(superBlock: SuperBlock, mountpoint: Inode?, parent: Mount?, source: [UInt8], path: [UInt8], id: Int) {
        self.superBlock = superBlock; self.mountpoint = mountpoint; self.parent = parent
        self.source = source; self.path = path; self.id = id
    }
}

/// A per-file-system cache of (directory inode number, name) -> inode, sharded so lookups on
/// different CPUs rarely meet on a lock. The VFS fills it after a successful lookup and
/// invalidates names it unlinks, removes or renames. Positive entries only.
public final class NameCache: @unchecked Sendable {
    /// The name's FNV-1a hash is computed once per lookup and serves both to pick the shard
    /// and as the Dictionary's hash (Array's own Hashable feeds SipHash one byte at a time).
    struct Key: Hashable {
        let directory: UInt64
        let name: [UInt8]
        let hash: UInt64
        init(_ directory: UInt64, _ name: [UInt8]) {
            var h: UInt64 = 0xcbf29ce484222325 ^ directory
            for b in name { h = (h ^ UInt64(b)) &* 0x100000001b3 }
            self.directory = directory; self.name = name; hash = h
        }
        static func == (a: Key, b: Key) -> Bool { a.hash == b.hash && a.directory == b.directory && a.name == b.name }
        func hash(into hasher: inout Hasher) { hasher.combine(hash) }
    }
    final class Shard {
        let lock = SpinLock()
        var entries: [Key: Inode] = [:]
    }
    private let shards: [Shard]
    private let capacityPerShard: Int
    public let hits = SharedAtomic(0)
    public let misses = SharedAtomic(0)
    /// Bumped by every invalidation: a lookup that raced with an unlink or rename does not
    /// insert its (possibly stale) answer.
    private let invalidations = SharedAtomic(0)
    public var generation: Int { invalidations.load() }

    public init(shardCount: Int = 16, capacityPerShard: Int = 512) {
        var s: [Shard] = []
        for _ in 0..<max(1, shardCount) { s.append(Shard()) }
        shards = s
        self.capacityPerShard = capacityPerShard
    }

    private func shard(_ key: Key) -> Shard { shards[Int(key.hash % UInt64(shards.count))] }

    public func lookup(directory: Inode, name: [UInt8]) -> Inode? {
        let key = Key(directory.inodeNumber, name)
        let s = shard(key)
        let found = s.lock.withLock { s.entries[key] }
        if found != nil { hits.add(1) } else { misses.add(1) }
        return found
    }

    /// Caches `inode` unless an invalidation happened since `generation` was read.
    public func insert(directory: Inode, name: [UInt8], inode: Inode, ifGeneration generation: Int) {
        let key = Key(directory.inodeNumber, name)
        let s = shard(key)
        s.lock.withLock {
            guard invalidations.load() == generation else { return }
            if s.entries.count >= capacityPerShard { s.entries.removeAll(keepingCapacity: true) }
            s.entries[key] = inode
        }
    }

    public func invalidate(directory: Inode, name: [UInt8]) {
        let key = Key(directory.inodeNumber, name)
        let s = shard(key)
        s.lock.withLock {
            s.entries.removeValue(forKey: key)
            invalidations.add(1)
        }
    }

    public func removeAll() {
        for s in shards { s.lock.withLock { s.entries.removeAll(); invalidations.add(1) } }
    }
}
