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

/// One path component, borrowed from the path being walked: its bytes (valid only while the
/// walk holds that path) and their FNV-1a hash, which the walk computes in the same pass that
/// looks for the next slash. The name cache needs no copy of it to look it up.
public struct ComponentName {
    public let bytes: UnsafeBufferPointer<UInt8>
    public let hash: UInt64
    public init(bytes: UnsafeBufferPointer<UInt8>, hash: UInt64) { self.bytes = bytes; self.hash = hash }
    public init(_ bytes: UnsafeBufferPointer<UInt8>) {
        var h = ComponentName.hashBasis
        for b in bytes { h = ComponentName.hashStep(h, b) }
        self.init(bytes: bytes, hash: h)
    }
    public var count: Int { bytes.count }
    /// A copy, for the file system's own lookup and for the cache's entries.
    public var array: [UInt8] { Array(bytes) }

    public static let hashBasis: UInt64 = 0xcbf29ce484222325
    @inline(__always)
    public static func hashStep(_ h: UInt64, _ byte: UInt8) -> UInt64 { (h ^ UInt64(byte)) &* 0x100000001b3 }
}

/// A per-file-system cache of (directory inode number, name) -> inode, sharded so lookups on
/// different CPUs rarely meet on a lock. The VFS fills it after a successful lookup and
/// invalidates names it unlinks, removes or renames. Positive entries only.
/// Each shard is an open-addressed table (linear probing, deletion by shifting the run back,
/// so no tombstones) that compares a looked-up name in place: a path walk asks with a
/// `ComponentName` borrowed from the path it copied in and allocates nothing on a hit. The
/// name's hash mixed with the directory's number picks the shard (low bits) and the first slot.
public final class NameCache: @unchecked Sendable {
    struct Slot {
        var directory: UInt64 = 0
        var hash: UInt64 = 0
        var name: [UInt8] = []
        /// nil: an empty slot.
        var inode: Inode? = nil
    }
    final class Shard {
        let lock = SpinLock()
        /// `mask + 1` slots (a power of two), at most half of them used.
        var slots: UnsafeMutablePointer<Slot>
        var mask: Int
        var count = 0
        var hits = 0
        var misses = 0
        init(slotCount: Int) {
            slots = .allocate(capacity: slotCount)
            slots.initialize(repeating: Slot(), count: slotCount)
            mask = slotCount - 1
        }
        deinit {
            slots.deinitialize(count: mask + 1)
            slots.deallocate()
        }
    }
    /// The shards, owned by `shardOwners`; lookups reach them through this table without
    /// reference counting (they live as long as the cache).
    private let shards: UnsafeMutablePointer<Unmanaged<Shard>>
    private let shardOwners: [Shard]
    private let shardMask: UInt64
    private let capacityPerShard: Int
    /// Bumped by every invalidation: a lookup that raced with an unlink or rename does not
    /// insert its (possibly stale) answer.
    private let invalidations = SharedAtomic(0)
    public var generation: Int { invalidations.load() }

    /// `shardCount` is rounded up to a power of two; a shard that reaches `capacityPerShard`
    /// names starts again empty.
    public init(shardCount: Int = 16, capacityPerShard: Int = 512) {
        var n = 1
        while n < shardCount { n *= 2 }
        var owners: [Shard] = []
        for _ in 0..<n { owners.append(Shard(slotCount: 16)) }
        shardOwners = owners
        shards = .allocate(capacity: n)
        for i in 0..<n { (shards + i).initialize(to: Unmanaged.passUnretained(owners[i])) }
        shardMask = UInt64(n - 1)
        self.capacityPerShard = max(1, capacityPerShard)
    }
    deinit { shards.deallocate() }

    /// Lookups answered from the cache, and not (all shards).
    public var hits: Int { shardOwners.reduce(0) { total, s in total + s.lock.withLock { s.hits } } }
    public var misses: Int { shardOwners.reduce(0) { total, s in total + s.lock.withLock { s.misses } } }

    /// The table's hash: the name's, mixed with the directory's number.
    @inline(__always)
    static func hash(_ directory: UInt64, _ name: ComponentName) -> UInt64 {
        let h = (name.hash ^ directory) &* 0x9e3779b97f4a7c15
        return h ^ (h >> 29)
    }

    @inline(__always)
    private func withShard<T>(_ hash: UInt64, _ body: (Shard) -> T) -> T {
        // SAFETY: shardOwners keeps every shard alive for the cache's lifetime.
        shards[Int(truncatingIfNeeded: hash & shardMask)]._withUnsafeGuaranteedRef(body)
    }

    @inline(__always)
    private static func firstSlot(_ hash: UInt64, _ mask: Int) -> Int { Int(truncatingIfNeeded: hash >> 16) & mask }

    /// The slot holding (directory, name), or nil. Shard lock held.
    @inline(__always)
    private static func find(_ s: Shard, _ directory: UInt64, _ hash: UInt64, _ name: ComponentName) -> Int? {
        var i = firstSlot(hash, s.mask)
        while true {
            let slot = s.slots + i
            if slot.pointee.inode == nil { return nil }
            if slot.pointee.hash == hash && slot.pointee.directory == directory && equal(slot.pointee.name, name.bytes) { return i }
            i = (i + 1) & s.mask
        }
    }

    @inline(__always)
    private static func equal(_ stored: [UInt8], _ name: UnsafeBufferPointer<UInt8>) -> Bool {
        guard stored.count == name.count else { return false }
        return stored.withUnsafeBufferPointer { a in
            var i = 0
            while i < a.count && a[i] == name[i] { i += 1 }
            return i == a.count
        }
    }

    public func lookup(directory: Inode, name: ComponentName) -> Inode? {
        let number = directory.inodeNumber
        let h = NameCache.hash(number, name)
        return withShard(h) { s in
            s.lock.lock(); defer { s.lock.unlock() }
            guard let i = NameCache.find(s, number, h, name) else { s.misses &+= 1; return nil }
            s.hits &+= 1
            return s.slots[i].inode
        }
    }

    /// Caches `inode` unless an invalidation happened since `generation` was read.
    public func insert(directory: Inode, name: ComponentName, inode: Inode, ifGeneration generation: Int) {
        let number = directory.inodeNumber
        let h = NameCache.hash(number, name)
        withShard(h) { s in
            s.lock.lock(); defer { s.lock.unlock() }
            guard invalidations.load() == generation else { return }
            if let i = NameCache.find(s, number, h, name) { s.slots[i].inode = inode; return }
            if s.count >= capacityPerShard { NameCache.clear(s) }
            if (s.count + 1) * 2 > s.mask + 1 { NameCache.grow(s) }
            var i = NameCache.firstSlot(h, s.mask)
            while s.slots[i].inode != nil { i = (i + 1) & s.mask }
            s.slots[i] = Slot(directory: number, hash: h, name: name.array, inode: inode)
            s.count += 1
        }
    }

    // The same with a name in an array (tests, and callers that hold one anyway).
    public func lookup(directory: Inode, name: [UInt8]) -> Inode? {
        name.withUnsafeBufferPointer { lookup(directory: directory, name: ComponentName($0)) }
    }
    public func insert(directory: Inode, name: [UInt8], inode: Inode, ifGeneration generation: Int) {
        name.withUnsafeBufferPointer { insert(directory: directory, name: ComponentName($0), inode: inode, ifGeneration: generation) }
    }

    public func invalidate(directory: Inode, name: [UInt8]) {
        let number = directory.inodeNumber
        name.withUnsafeBufferPointer { buffer in
            let component = ComponentName(buffer)
            let h = NameCache.hash(number, component)
            withShard(h) { s in
                s.lock.withLock {
                    if let i = NameCache.find(s, number, h, component) { NameCache.remove(s, at: i) }
                    invalidations.add(1)
                }
            }
        }
    }

    public func removeAll() {
        for s in shardOwners { s.lock.withLock { NameCache.clear(s); invalidations.add(1) } }
    }

    /// Empties slot `hole` and moves later members of its probe run back so that every entry
    /// stays reachable from its first slot (Knuth's algorithm R). Shard lock held.
    private static func remove(_ s: Shard, at hole: Int) {
        var hole = hole
        var j = hole
        while true {
            j = (j + 1) & s.mask
            if s.slots[j].inode == nil { break }
            let home = firstSlot(s.slots[j].hash, s.mask)
            // The entry at j may fill the hole unless its first slot lies cyclically in (hole, j].
            let reachable = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j)
            if !reachable {
                s.slots[hole] = s.slots[j]
                hole = j
            }
        }
        s.slots[hole] = Slot()
        s.count -= 1
    }

    private static func clear(_ s: Shard) {
        for i in 0...s.mask where s.slots[i].inode != nil { s.slots[i] = Slot() }
        s.count = 0
    }

    /// Doubles a shard's table and re-inserts its entries. Shard lock held.
    private static func grow(_ s: Shard) {
        let oldSlots = s.slots, oldCount = s.mask + 1
        let newCount = oldCount * 2
        s.slots = .allocate(capacity: newCount)
        s.slots.initialize(repeating: Slot(), count: newCount)
        s.mask = newCount - 1
        for k in 0..<oldCount where oldSlots[k].inode != nil {
            var i = firstSlot(oldSlots[k].hash, s.mask)
            while s.slots[i].inode != nil { i = (i + 1) & s.mask }
            s.slots[i] = oldSlots[k]
        }
        oldSlots.deinitialize(count: oldCount)
        oldSlots.deallocate()
    }
}
