// The clustered-object system (K42's COSMgr; paper section 6, research k42.md 2): object ids,
// the global translation table of roots, one local translation table of representatives per
// CPU, lazy creation of representatives on a miss, and destruction deferred until quiescence.
//
// A call through a CORef costs one load of this CPU's table base (GS-relative in the kernel)
// and one load of the entry; an empty entry is a miss, handled here by asking the object's
// root for this CPU's representative. Ids come from per-CPU partitions, so creating an object
// takes no global lock; an id is reused only after the destroyed object's grace period.
// Misses and destructions are trace points (class objects; the CPU is the log's).
//
// Beside each global entry is a gate word: empty for an ordinary object, or a pointer to the
// mediator of a hot swap in progress or to an interposer (HotSwap/). While a gate is set no CPU
// caches a representative, so every call takes the slow path (CORef.callSlow) through the gate;
// an object without a gate pays nothing for the mechanism.
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
    /// A swap, upgrade or interposition is already under way on the object.
    case busy
    /// The old and new implementations share no state-transfer format; nothing was changed.
    case noCommonFormat
    /// The new implementation refused the state; the old one stays in place.
    case transferFailed

    public var description: String {
        switch self {
        case .outOfIDs: return "out of object ids"
        case .noSuchObject: return "no such object"
        case .busy: return "object busy (swap or interposer in place)"
        case .noCommonFormat: return "no common state-transfer format"
        case .transferFailed: return "state transfer refused"
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
    /// Per id: 0, or an unmanaged ObjectGate (mediator or interposer) holding one retain.
    /// Written under the partition lock; read without it by the slow call path.
    let gates: UnsafeMutablePointer<Atomic<UInt>>
    let globalLocks: [SpinLock]                           // one per partition
    /// How waits inside the object system pass time (the kernel yields the CPU when it may).
    public var hooks = ObjectHooks()
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
        gates = .allocate(capacity: total)
        for i in 0..<total { (gates + i).initialize(to: Atomic<UInt>(0)) }
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
        root.factory?.register(objectID)
        liveObjects.wrappingAdd(1, ordering: .relaxed)
        return objectID
    }

    func partition(of id: ObjectID) -> Int { Int(id.index) / idsPerCPU }

    /// The root of a live object.
    public func root(of id: ObjectID) -> (any ObjectRoot)? {
        guard Int(id.index) < capacity else { return nil }
        return globalLocks[partition(of: id)].withLockIRQSave {
            global[Int(id.index)].destroying ? nil : global[Int(id.index)].root
        }
    }

    /// A miss: this CPU has no representative for `id` cached. The root chooses or creates
    /// one and we cache it in this CPU's local table, unless a gate appeared or the root was
    /// replaced meanwhile (then nil: the caller starts over and finds the gate or new root).
    /// The check and the store happen under the partition lock, which swaps take to set a
    /// gate and flush the tables, so no stale representative is ever cached after a flush.
    @inline(never)
    public func handleMiss(_ id: ObjectID) -> UnsafeMutableRawPointer? {
        let cpu = currentCPU
        guard let root = root(of: id) else {
            fatalError("clustered object call on a dead id")
        }
        let rep = root.representative(forCPU: cpu)
        let index = Int(id.index)
        let cached: Bool = globalLocks[partition(of: id)].withLockIRQSave {
            guard gates[index].load(ordering: .relaxed) == 0, !global[index].destroying,
                  let current = global[index].root, current === root else { return false }
            root.noteInstalled(cpu: cpu)
            localTables[cpu][index] = rep
            return true
        }
        guard cached else { return nil }
        missCounts[cpu].wrappingAdd(1, ordering: .relaxed)
        trace(ObjectEvent.miss, UInt64(id.index))
        return rep
    }

    /// The gate of `id` (unretained), or nil for an ordinary object.
    @inline(__always)
    func gate(of id: ObjectID) -> UnsafeMutableRawPointer? {
        UnsafeMutableRawPointer(bitPattern: gates[Int(id.index)].load(ordering: .acquiring))
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

    /// Drops every CPU's cached representative of `id` (caller holds the partition lock).
    func flushAllCPUs(_ index: Int) {
        for c in 0..<maxCPUs { localTables[c][index] = nil }
    }

    /// Runs `body` on the global entry of `id` under its partition lock, interrupts off.
    func withEntry<T>(_ id: ObjectID, _ body: (inout GlobalEntry, Int) -> T) -> T {
        let index = Int(id.index)
        return globalLocks[partition(of: id)].withLockIRQSave { body(&global[index], index) }
    }

    /// Destroys an object: no new misses are served at once, cached representatives are
    /// dropped, and the root (with its representatives) is released and the id reused only
    /// after a grace period, when no CPU can still be running a call that began earlier.
    public func destroy(_ id: ObjectID) throws(ObjectError) {
        guard Int(id.index) < capacity else { throw .noSuchObject }
        let p = partition(of: id)
        var busy = false
        let root: (any ObjectRoot)? = globalLocks[p].withLockIRQSave {
            guard !global[Int(id.index)].destroying, let r = global[Int(id.index)].root else { return nil }
            guard gates[Int(id.index)].load(ordering: .relaxed) == 0 else { busy = true; return nil }
            global[Int(id.index)].destroying = true
            return r
        }
        if busy { throw .busy }
        guard let root else { throw .noSuchObject }
        trace(ObjectEvent.destroy, UInt64(id.index))
        root.factory?.forget(id)
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

    /// Every live object, in id order (for /proc/k42/objects).
    public func liveIDs() -> [ObjectID] {
        var out: [ObjectID] = []
        for p in 0..<maxCPUs {
            globalLocks[p].withLockIRQSave {
                let first = p * idsPerCPU
                for i in first..<(first + Int(nextFresh[p])) where global[i].root != nil && !global[i].destroying {
                    out.append(ObjectID(index: UInt32(i)))
                }
            }
        }
        return out
    }
}

/// How the object system waits (set by the kernel at boot; hosted tests keep the defaults).
public struct ObjectHooks {
    /// Lets time pass in a wait loop; `mayYield` is false in contexts that must not give up
    /// the CPU (interrupts off, or inside another object's call): then only spin.
    public var relax: (_ mayYield: Bool) -> Void = { _ in k42_cpu_relax() }
    public init() {}
}

