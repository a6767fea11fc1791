// FileSystem: one mounted KFS instance over a block device. This file holds mount, mkfs
// (format), the element cache (one live object per element, loaded on first use) and the
// space reservation that keeps room for the next commit. Operations are split by concern:
// +Namespace (names), +Directory (entry storage and its switching), +Data (file contents),
// +Attributes (stat and friends), +Commit (the metadata snapshot).

public final class FileSystem<Device: BlockDevice> {
    public let device: Device
    var superblock: Superblock
    let allocation: AllocationMap
    let recordMap: RecordMap
    /// Live element objects by id (nil: not loaded yet).
    var elements: [Element?]
    /// Elements changed since the last commit.
    var dirtyIDs: [UInt32] = []
    /// Set when a device error struck mid-commit: the in-memory state can no longer be
    /// committed, so every later operation fails with EIO (remounting recovers the snapshot).
    public internal(set) var poisoned = false
    /// Refuse every change with EROFS (fsck -n, read-only mounts).
    public var readOnly = false
    /// Nanoseconds since the epoch, for timestamps. The kernel and tools supply a real clock.
    public var clock: () -> Int64 = { 0 }
    /// A transaction with this many changed elements is committed on its own, which bounds
    /// both memory and the cost of the space check.
    public var autoCommitElements = 4096
    /// After a sync, if more element objects than this are cached, the clean ones are dropped
    /// (they reload from their records on next use). Eviction happens only in `sync()`, between
    /// operations, so no operation ever holds an object the cache has forgotten.
    public var cachedElementLimit = 16384

    /// Mounts the newest valid snapshot on `device`. EINVAL: not KFS (or a newer format);
    /// EUCLEAN: damaged; EIO: the device failed.
    public init(mounting device: Device) throws(KFSError) {
        self.device = device
        let (newest, _) = try Superblock.readNewest(device)
        superblock = newest
        recordMap = try RecordMap.load(device, root: newest.recordMapRoot, blockCount: newest.blockCount)
        allocation = try AllocationMap.load(device, root: newest.allocationRoot, blockCount: Int(newest.blockCount))
        guard allocation.isUsed(recordMap.rootLocation) else { throw .corrupted }
        for leaf in recordMap.leafLocations { guard allocation.isUsed(leaf) else { throw .corrupted } }
        elements = [Element?](repeating: nil, count: recordMap.capacity)
        let root = try element(kfsRootID)
        guard root.kind == .directory, root.attributes.parent == kfsRootID else { throw .corrupted }
    }

    /// fsck's repair mount: the given RecordMap and an allocation map rebuilt from the blocks
    /// the checker found reachable (the map on disk may be the damaged part).
    init(repairing device: Device, superblock: Superblock, recordMap: RecordMap, used: [Bool],
         oldAllocation: AllocationMap?) {
        self.device = device
        self.superblock = superblock
        self.recordMap = recordMap
        allocation = AllocationMap(blockCount: Int(superblock.blockCount))
        allocation.reset(used: used)
        // Keep the old map's block locations (if it was readable) so the commit frees them.
        if let oldAllocation {
            allocation.rootLocation = oldAllocation.rootLocation
            allocation.locations = oldAllocation.locations
        }
        elements = [Element?](repeating: nil, count: recordMap.capacity)
    }

    /// mount(2) for KFS: the same as `init(mounting:)`.
    public static func mount(_ device: Device) throws(KFSError) -> FileSystem {
        try FileSystem(mounting: device)
    }

    /// An empty file system in memory (format finishes it with a first commit).
    private init(formatting device: Device, blockCount: UInt64, label: [UInt8], uuid: [UInt8], now: Int64) {
        self.device = device
        superblock = Superblock(blockCount: blockCount, sequence: 0, recordMapRoot: 0, allocationRoot: 0,
                                usedBlocks: 0, usedElements: 0, createdNs: now, committedNs: now,
                                uuid: uuid, label: label)
        allocation = AllocationMap(blockCount: Int(blockCount))
        allocation.markUsed(0)
        allocation.markUsed(1)
        recordMap = RecordMap(leaves: 1)
        recordMap.set(kfsRootID, block: 0, implementation: .linearDirectory)
        elements = [Element?](repeating: nil, count: recordMap.capacity)
        let root = Element(id: kfsRootID, attributes: Attributes(
            mode: 0o755, uid: 0, gid: 0, nlink: 2, size: 0, atimeNs: now, mtimeNs: now, ctimeNs: now,
            parent: kfsRootID), body: .linearDirectory(LinearDirectory()))
        elements[Int(kfsRootID)] = root
        markDirty(root)
    }

    /// mkfs: writes an empty file system (a root directory) over the whole device.
    public static func format(_ device: Device, label: [UInt8] = [], uuid: [UInt8] = [],
                              now: Int64 = 0) throws(KFSError) {
        let blockCount = min(device.blockCount, UInt64(UInt32.max))
        guard blockCount >= UInt64(Superblock.minimumBlocks), label.count <= 32 else { throw .invalid }
        // Erase both superblock slots first, so no older file system's snapshot can win.
        let zero = [UInt8](repeating: 0, count: kfsBlockSize)
        try device.writeBlock(0, zero)
        try device.writeBlock(1, zero)
        try device.flush()
        let fileSystem = FileSystem(formatting: device, blockCount: blockCount, label: label,
                                    uuid: uuid, now: now)
        fileSystem.clock = { now }
        try fileSystem.sync()
    }

    // MARK: element cache

    /// The live object for element `id`, loading it on first use. ENOENT for an id not in the
    /// RecordMap; EUCLEAN when its record fails validation.
    func element(_ id: UInt32) throws(KFSError) -> Element {
        guard let implementation = recordMap.implementation(of: id) else { throw .notFound }
        if Int(id) < elements.count, let cached = elements[Int(id)] { return cached }
        let block = recordMap.recordBlock(of: id)
        guard block != 0, allocation.isUsed(block) else { throw .corrupted }
        let loaded = try Element.load(id: id, implementation: implementation, recordBlock: block,
                                      device: device, generation: superblock.sequence)
        try checkBlocksInUse(loaded)
        store(loaded)
        return loaded
    }

    /// The element a directory entry names, which must exist and be of the entry's kind.
    func element(for entry: DirectoryEntry) throws(KFSError) -> Element {
        guard recordMap.contains(entry.id) else { throw .corrupted }
        let target = try element(entry.id)
        guard target.kind == entry.kind else { throw .corrupted }
        return target
    }

    func directory(_ id: UInt32) throws(KFSError) -> Element {
        let found = try element(id)
        guard found.kind == .directory else { throw .notDirectory }
        return found
    }

    func store(_ element: Element) {
        while elements.count <= Int(element.id) { elements.append(nil) }
        elements[Int(element.id)] = element
    }

    /// Every block a freshly loaded element names must be allocated: otherwise a later
    /// allocation could hand it out twice and overwrite live data.
    private func checkBlocksInUse(_ element: Element) throws(KFSError) {
        switch element.body {
        case .extentFile(let file):
            for block in file.overflowBlocks { guard allocation.isUsed(block) else { throw .corrupted } }
            for extent in file.extents {
                for offset in 0..<extent.count {
                    guard allocation.isUsed(extent.diskBlock + offset) else { throw .corrupted }
                }
            }
        case .hashedDirectory(let directory):
            for block in directory.bucketBlocks { guard allocation.isUsed(block) else { throw .corrupted } }
        case .blockSymlink(let symlink):
            guard allocation.isUsed(symlink.block) else { throw .corrupted }
        default:
            break
        }
    }

    func markDirty(_ element: Element) {
        guard !element.dirty else { return }
        element.dirty = true
        dirtyIDs.append(element.id)
    }

    var now: Int64 { clock() }

    // MARK: guarding changes

    /// Called at the start of every change: refuses when read-only or poisoned, commits a
    /// transaction grown too large, and makes sure `blocks` more blocks plus everything the next
    /// commit will need are free (committing first to reclaim copy-on-write garbage).
    func beginChange(blocks: Int) throws(KFSError) {
        guard !poisoned else { throw .io }
        guard !readOnly else { throw .readOnly }
        if dirtyIDs.count >= autoCommitElements { try commitSnapshot() }
        if allocation.freeCount >= blocks + commitBlocksNeeded() { return }
        try commitSnapshot()
        guard allocation.freeCount >= blocks + commitBlocksNeeded() else { throw .noSpace }
    }

    /// An upper bound on the blocks the next commit allocates.
    func commitBlocksNeeded() -> Int {
        var need = recordMap.leafLocations.count + 1 + allocation.locations.count + 1 + 8
        for id in dirtyIDs {
            guard Int(id) < elements.count, let element = elements[Int(id)], element.dirty else { continue }
            need += 1
            switch element.body {
            case .hashedDirectory(let directory):
                need += directory.bucketBlocks.count
            case .extentFile(let file) where file.extents.count > ExtentFile.inlineCapacity:
                need += (file.extents.count + ExtentFile.overflowCapacity - 1) / ExtentFile.overflowCapacity
            default:
                break
            }
        }
        return need
    }

    /// Takes a block for new data or metadata; ENOSPC if none.
    func allocateBlock(near hint: UInt32 = 0) throws(KFSError) -> UInt32 {
        guard let block = allocation.allocate(near: hint) else { throw .noSpace }
        return block
    }

    /// Writes one block; a device failure poisons the file system.
    func writeDevice(_ block: UInt32, _ data: [UInt8]) throws(KFSError) {
        do { try device.writeBlock(UInt64(block), data) } catch { poisoned = true; throw error }
    }

    func readDevice(_ block: UInt32) throws(KFSError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: kfsBlockSize)
        try device.readBlock(UInt64(block), into: &buffer)
        guard buffer.count == kfsBlockSize else { throw .io }
        return buffer
    }

    /// Which implementation serves element `id` ("file.inline", "dir.hashed", ...): the
    /// kernel shows this in /proc, kfs-fuse as an extended attribute.
    public func implementationName(of id: UInt32) throws(KFSError) -> StaticString {
        try element(id).implementation.name
    }

    public func implementation(of id: UInt32) throws(KFSError) -> Implementation {
        try element(id).implementation
    }
}
