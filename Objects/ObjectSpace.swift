// The clustered-object system (K42's COSMgr; paper section 6, research k42.md 2): object ids,
// the global translation table of roots, one local translation table of representatives per
// CPU, lazy creation of representatives on a miss, and destruction deferred until quiescence.
//
// A call through a CORef costs one load of this CPU's table base (GS-relative in the kernel)
// and one load of the entry; an empty entry is a miss, handled here by asking the object's
// root for this CPU's representative. Ids come from per-CPU partitions, so creating an object
// takes no global lock; an id is reused only after the destroyed object's grace period.
// Misses and destructions are trace points (class objects; the CPU is the log's).
import Platform
import Synchronization
import Trace

/// The name of a clustered object: an index into the translation tables.
public struct ObjectID: Hashable, CustomStringConvertible {
    public let index: UInt32
    public init(index: UInt32) { self.index = index }
    public var description: String { "co#\(index)" }
}

public enum ObjectError: Error, Equatable, CustomStringConvertible {
    /// Every id of this CPU's partition is in use.
    case outOfIDs
    /// The id names no live object (never created, or already destroyed).
    case noSuchObject

    public var description: String {
        switch self {
        case .outOfIDs: return "out of object ids"
        case .noSuchObject: return "no such object"
        }
    }
}

/// What the global table holds for a live id.
struct GlobalEntry {
    var root: (any ObjectRoot)?
    var destroying: Bool = false
}

public final class ObjectSpace: @unchecked Sendable {
    /// The system's object space (set once at boot, or by a test).
    nonisolated(unsafe) public static var shared: ObjectSpace! = nil

    public let maxCPUs: Int
    public let idsPerCPU: Int
    public var capacity: Int { maxCPUs * idsPerCPU }
    public let quiescence: QuiescenceDetector

    private let global: UnsafeMutablePointer<GlobalEntry>
    private let globalLocks: [SpinLock]                   // one per partition
    private var freeIDs: [[UInt32]]                      // per partition, guarded by globalLocks[p]
    private var nextFresh: [UInt32]                      // per partition, guarded by globalLocks[p]
    private let localTables: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutableRawPointer?>>
    /// Misses served, per CPU (diagnostics and tests).
    private let missCounts: UnsafeMutablePointer<Atomic<UInt64>>
    public let liveObjects = Atomic<Int>(0)

    public init(maxCPUs: Int, idsPerCPU: Int = 4096) {
        self.maxCPUs = maxCPUs
        self.idsPerCPU = idsPerCPU
        quiescence = QuiescenceDetector(maxCPUs: maxCPUs)
        let total = maxCPUs * idsPerCPU
        global = .allocate(capacity: total)
        global.initialize(repeating: GlobalEntry(), count: total)
        var locks: [SpinLock] = []
        for _ in 0..<maxCPUs { locks.append(SpinLock()) }
        globalLocks = locks
        freeIDs = Array(repeating: [], count: maxCPUs)
        // Id 0 of partition 0 is never handed out, so a zeroed CORef is recognisably invalid.
        nextFresh = (0..<maxCPUs).map { $0 == 0 ? 1 : 0 }
        localTables = .allocate(capacity: maxCPUs)
        for c in 0..<maxCPUs {
            let t = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: total)
            t.initialize(repeating: nil, count: total)
            localTables[c] = t
        }
        missCounts = .allocate(capacity: maxCPUs)
        for c in 0..<maxCPUs { (missCounts + c).initialize(to: Atomic<UInt64>(0)) }
    }

    /// The local translation table of `cpu`; the kernel stores it in the CPU's per-CPU area
    /// (GS-relative) and the hosted tests in the simulated CPU's area.
    public func localTable(cpu: Int) -> UnsafeMutableRawPointer { UnsafeMutableRawPointer(localTables[cpu]) }

    // MARK: Creating and finding objects

    /// Registers `root` under a fresh id from this CPU's partition.
    public func install(root: any ObjectRoot) throws(ObjectError) -> ObjectID {
        let p = currentCPU
        let fresh: UInt32? = globalLocks[p].withLockIRQSave { () -> UInt32? in
            if let reused = freeIDs[p].popLast() { return reused }
            guard nextFresh[p] < UInt32(idsPerCPU) else { return nil }
            defer { nextFresh[p] += 1 }
            return UInt32(p * idsPerCPU) + nextFresh[p]
        }
        guard let id = fresh else { throw .outOfIDs }
        let objectID = ObjectID(index: id)
        globalLocks[p].withLockIRQSave { global[Int(id)] = GlobalEntry(root: root, destroying: false) }
        root.attach(id: objectID)
        liveObjects.wrappingAdd(1, ordering: .relaxed)
        return objectID
    }

    private func partition(of id: ObjectID) -> Int { Int(id.index) / idsPerCPU }

    /// The root of a live object.
    public func root(of id: ObjectID) -> (any ObjectRoot)? {
        guard Int(id.index) < capacity else { return nil }
        return globalLocks[partition(of: id)].withLockIRQSave {
            global[Int(id.index)].destroying ? nil : global[Int(id.index)].root
        }
    }

    /// The slow path of every call: this CPU has no representative for `id` yet.
    /// The root chooses or creates one; we cache it in this CPU's local table.
    @inline(never)
    public func handleMiss(_ id: ObjectID) -> UnsafeMutableRawPointer {
        let cpu = currentCPU
        guard let root = root(of: id) else {
            fatalError("clustered object call on a dead id")
        }
        let rep = root.representative(forCPU: cpu)
        root.noteInstalled(cpu: cpu)
        localTables[cpu][Int(id.index)] = rep
        missCounts[cpu].wrappingAdd(1, ordering: .relaxed)
        trace(ObjectEvent.miss, UInt64(id.index))
        return rep
    }

    /// Misses served on `cpu` since boot.
    public func misses(cpu: Int) -> UInt64 { missCounts[cpu].load(ordering: .relaxed) }

    /// Whether `cpu` has a representative of `id` cached (lazy creation is observable).
    public func isCached(_ id: ObjectID, cpu: Int) -> Bool { localTables[cpu][Int(id.index)] != nil }

    // MARK: Replacing and destroying

    /// Drops every CPU's cached representative of `id`, so the next call on each CPU misses
    /// and asks the root again (used by hot swap and destruction).
    public func flushCachedRepresentatives(_ id: ObjectID, cpus: UInt64) {
        for c in 0..<min(maxCPUs, 64) where cpus & (1 << UInt64(c)) != 0 {
            localTables[c][Int(id.index)] = nil
        }
    }

    /// Destroys an object: no new misses are served at once, cached representatives are
    /// dropped, and the root (with its representatives) is released and the id reused only
    /// after a grace period, when no CPU can still be running a call that began earlier.
    public func destroy(_ id: ObjectID) throws(ObjectError) {
        guard Int(id.index) < capacity else { throw .noSuchObject }
        let p = partition(of: id)
        let root: (any ObjectRoot)? = globalLocks[p].withLockIRQSave {
            guard !global[Int(id.index)].destroying, let r = global[Int(id.index)].root else { return nil }
            global[Int(id.index)].destroying = true
            return r
        }
        guard let root else { throw .noSuchObject }
        trace(ObjectEvent.destroy, UInt64(id.index))
        flushCachedRepresentatives(id, cpus: root.installedCPUs)
        quiescence.deferUntilQuiescent(cpu: currentCPU) { [self] in
            root.cleanup()
            globalLocks[p].withLockIRQSave {
                global[Int(id.index)] = GlobalEntry()
                freeIDs[p].append(id.index)
            }
            liveObjects.wrappingAdd(-1, ordering: .relaxed)
        }
    }

    /// Whether `id` currently names a live object.
    public func isLive(_ id: ObjectID) -> Bool { root(of: id) != nil }
}

