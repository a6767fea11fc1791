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
/// Each shard is an open-addressed table (linear probing, deletion by shifting the run back,
/// so no tombstones) that compares a looked-up name in place: a path walk asks with a slice of
/// the path it copied in and allocates nothing on a hit. The FNV-1a hash of directory and name
/// picks the shard (low bits) and the first slot (high bits).
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
    private let shards: [Shard]
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
        var s: [Shard] = []
        for _ in 0..<n { s.append(Shard(slotCount: 16)) }
        shards = s
        shardMask = UInt64(n - 1)
        self.capacityPerShard = max(1, capacityPerShard)
    }

    /// Lookups answered from the cache, and not (all shards).
    public var hits: Int { shards.reduce(0) { total, s in total + s.lock.withLock { s.hits } } }
    public var misses: Int { shards.reduce(0) { total, s in total + s.lock.withLock { s.misses } } }

    @inline(__always)
    static func hash(_ directory: UInt64, _ name: ArraySlice<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf29ce484222325 ^ directory
        for b in name { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        return h
    }

    @inline(__always)
    private func shard(_ hash: UInt64) -> Shard { shards[Int(truncatingIfNeeded: hash & shardMask)] }

    @inline(__always)
    private static func firstSlot(_ hash: UInt64, _ mask: Int) -> Int { Int(truncatingIfNeeded: hash >> 16) & mask }

    /// The slot holding (directory, name), or nil. Shard lock held.
    @inline(__always)
    private static func find(_ s: Shard, _ directory: UInt64, _ hash: UInt64, _ name: ArraySlice<UInt8>) -> Int? {
        var i = firstSlot(hash, s.mask)
        while true {
            let slot = s.slots + i
            if slot.pointee.inode == nil { return nil }
            if slot.pointee.hash == hash && slot.pointee.directory == directory && equal(slot.pointee.name, name) { return i }
            i = (i + 1) & s.mask
        }
    }

    @inline(__always)
    private static func equal(_ stored: [UInt8], _ name: ArraySlice<UInt8>) -> Bool {
        guard stored.count == name.count else { return false }
        return stored.withUnsafeBufferPointer { a in
            name.withUnsafeBufferPointer { b in
                var i = 0
                while i < a.count && a[i] == b[i] { i += 1 }
                return i == a.count
            }
        }
    }

    public func lookup(directory: Inode, name: ArraySlice<UInt8>) -> Inode? {
        let number = directory.inodeNumber
        let h = NameCache.hash(number, name)
        let s = shard(h)
        s.lock.lock(); defer { s.lock.unlock() }
        guard let i = NameCache.find(s, number, h, name) else { s.misses &+= 1; return nil }
        s.hits &+= 1
        return s.slots[i].inode
    }
    public func lookup(directory: Inode, name: [UInt8]) -> Inode? { lookup(directory: directory, name: name[...]) }

    /// Caches `inode` unless an invalidation happened since `generation` was read.
    public func insert(directory: Inode, name: ArraySlice<UInt8>, inode: Inode, ifGeneration generation: Int) {
        let number = directory.inodeNumber
        let h = NameCache.hash(number, name)
        let s = shard(h)
        s.lock.lock(); defer { s.lock.unlock() }
        guard invalidations.load() == generation else { return }
        if let i = NameCache.find(s, number, h, name) { s.slots[i].inode = inode; return }
        if s.count >= capacityPerShard { NameCache.clear(s) }
        if (s.count + 1) * 2 > s.mask + 1 { NameCache.grow(s) }
        var i = NameCache.firstSlot(h, s.mask)
        while s.slots[i].inode != nil { i = (i + 1) & s.mask }
        s.slots[i] = Slot(directory: number, hash: h, name: Array(name), inode: inode)
        s.count += 1
    }
    public func insert(directory: Inode, name: [UInt8], inode: Inode, ifGeneration generation: Int) {
        insert(directory: directory, name: name[...], inode: inode, ifGeneration: generation)
    }

    public func invalidate(directory: Inode, name: [UInt8]) {
        let number = directory.inodeNumber
        let h = NameCache.hash(number, name[...])
        let s = shard(h)
        s.lock.withLock {
            if let i = NameCache.find(s, number, h, name[...]) { NameCache.remove(s, at: i) }
            invalidations.add(1)
        }
    }

    public func removeAll() {
        for s in shards { s.lock.withLock { NameCache.clear(s); invalidations.add(1) } }
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
