// The file-system checker behind fsck.kfs (and the tests' "fsck clean" assertions). It reads a
// device without mounting it: both superblocks, the RecordMap, the allocation map, every
// record and the blocks it names (checksums and ranges via the same decoders mount uses), then
// walks the directory tree from the root to check entries, parents and link counts, and
// compares reachable blocks with the allocation map. Checker+Repair.swift applies the fixes.

public enum CheckProblemKind: UInt8 {
    case superblockSlotInvalid  // the slot not in use does not hold a valid older snapshot (note)
    case noValidSuperblock      // fatal
    case recordMapDamaged       // fatal
    case rootDamaged            // fatal
    case allocationMapDamaged
    case elementDamaged         // a record or a block it names failed validation
    case blockSharedByTwo       // two structures claim one block (not repaired)
    case danglingEntry          // entry naming a free, damaged or wrong-kind element
    case duplicateEntry
    case directoryLinkedTwice
    case wrongParent            // a directory's ".." does not name the directory holding it
    case orphan                 // element no directory names
    case wrongLinkCount
    case blockNotMarked         // in use but free in the allocation map
    case blockLeaked            // marked used but nothing uses it
    case countersWrong          // superblock's used-block / used-element counters

    /// Whether this problem makes the file system unusable (fsck cannot repair it). A block
    /// shared by two elements is repaired by dropping the second claimant; one shared with a
    /// file-system structure (CheckProblem.id 0) is fatal, see `CheckProblem.isFatal`.
    public var isFatal: Bool {
        self == .noValidSuperblock || self == .recordMapDamaged || self == .rootDamaged
    }
    /// Notes do not make a file system unclean.
    public var isNote: Bool { self == .superblockSlotInvalid }
}

public struct CheckProblem {
    public var kind: CheckProblemKind
    public var id: UInt32 = 0        // element concerned (or directory holding the entry)
    public var block: UInt32 = 0
    public var name: [UInt8] = []    // entry name, for entry problems
    public var expected: UInt64 = 0
    public var found: UInt64 = 0

    public var isFatal: Bool { kind.isFatal || (kind == .blockSharedByTwo && id == 0) }
}

public struct CheckReport {
    public var problems: [CheckProblem] = []
    public var sequence: UInt64 = 0
    public var elements = 0
    public var usedBlocks = 0
    /// No errors (notes allowed).
    public var clean: Bool { !problems.contains { !$0.kind.isNote } }
    public var fatal: Bool { problems.contains { $0.isFatal } }
}

/// One pass over a device. Keeps what repair needs besides the report.
public final class Checker<Device: BlockDevice> {
    let device: Device
    public internal(set) var report = CheckReport()
    var superblock: Superblock? = nil
    var recordMap: RecordMap? = nil
    var allocation: AllocationMap? = nil
    /// Valid elements by id (nil: free or damaged).
    var loaded: [Element?] = []
    var damaged: [UInt32] = []
    /// Elements that claimed a block something else claimed first (dropped by repair).
    var sharing: [UInt32] = []
    /// Blocks reachable from the snapshot: 0 = unused, else how many claims.
    var claims: [UInt8] = []
    /// Entries to drop (directory id, name), parents to fix (directory id, parent id).
    var badEntries: [(UInt32, [UInt8])] = []
    var badParents: [(UInt32, UInt32)] = []
    var orphans: [UInt32] = []
    var linkCounts: [(UInt32, UInt32)] = []

    public init(_ device: Device) { self.device = device }

    func add(_ problem: CheckProblem) { report.problems.append(problem) }

    @discardableResult
    public func run() -> CheckReport {
        report = CheckReport()
        guard let (newest, slot) = try? Superblock.readNewest(device) else {
            add(CheckProblem(kind: .noValidSuperblock))
            return report
        }
        superblock = newest
        report.sequence = newest.sequence
        var buffer = [UInt8](repeating: 0, count: kfsBlockSize)
        let other = 1 - slot
        if (try? device.readBlock(UInt64(other), into: &buffer)) == nil
            || (try? Superblock.decode(buffer, deviceBlocks: device.blockCount)) == nil {
            add(CheckProblem(kind: .superblockSlotInvalid, block: UInt32(other)))
        }
        let blockCount = Int(newest.blockCount)
        claims = [UInt8](repeating: 0, count: blockCount)
        claim(0, owner: 0)
        claim(1, owner: 0)
        guard let map = try? RecordMap.load(device, root: newest.recordMapRoot, blockCount: newest.blockCount) else {
            add(CheckProblem(kind: .recordMapDamaged, block: newest.recordMapRoot))
            return report
        }
        recordMap = map
        claim(map.rootLocation, owner: 0)
        for leaf in map.leafLocations { claim(leaf, owner: 0) }
        if let bitmap = try? AllocationMap.load(device, root: newest.allocationRoot, blockCount: blockCount) {
            allocation = bitmap
            claim(bitmap.rootLocation, owner: 0)
            for location in bitmap.locations { claim(location, owner: 0) }
        } else {
            add(CheckProblem(kind: .allocationMapDamaged, block: newest.allocationRoot))
        }
        loadElements(map, newest)
        guard let root = loaded[Int(kfsRootID)], root.kind == .directory else {
            add(CheckProblem(kind: .rootDamaged, id: kfsRootID))
            return report
        }
        walkTree(map)
        compareAllocation(newest)
        return report
    }

    private func claim(_ block: UInt32, owner: UInt32) {
        guard Int(block) < claims.count else { return }
        if claims[Int(block)] != 0 {
            add(CheckProblem(kind: .blockSharedByTwo, id: owner, block: block))
            if owner != 0 && !sharing.contains(owner) { sharing.append(owner) }
        }
        if claims[Int(block)] < 255 { claims[Int(block)] += 1 }
    }

    private func loadElements(_ map: RecordMap, _ superblock: Superblock) {
        loaded = [Element?](repeating: nil, count: map.capacity)
        for index in 1..<map.capacity {
            let id = UInt32(index)
            guard let implementation = map.implementation(of: id) else { continue }
            report.elements += 1
            let block = map.recordBlock(of: id)
            guard let element = try? Element.load(id: id, implementation: implementation, recordBlock: block,
                                                  device: device, generation: superblock.sequence) else {
                add(CheckProblem(kind: .elementDamaged, id: id, block: block))
                damaged.append(id)
                continue
            }
            loaded[index] = element
            claim(block, owner: id)
            switch element.body {
            case .extentFile(let file):
                for overflow in file.overflowBlocks { claim(overflow, owner: id) }
                for extent in file.extents {
                    for offset in 0..<extent.count { claim(extent.diskBlock + offset, owner: id) }
                }
            case .hashedDirectory(let directory):
                for bucket in directory.bucketBlocks { claim(bucket, owner: id) }
            case .blockSymlink(let symlink):
                claim(symlink.block, owner: id)
            default:
                break
            }
        }
    }
}
