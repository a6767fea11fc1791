// Roots: the one global part of each clustered object (paper section 6). The root decides
// which representative serves each CPU: the standard roots give one shared representative,
// one per CPU, or one per cluster of N CPUs (K42's CObjRootSingleRep / CObjRootMultiRep).
// Representatives are created lazily, on the first call from a CPU of their cluster; the
// root keeps them alive (strong references) and the local tables point at them unretained.
import Platform
import Synchronization

/// What every root offers the object space.
public protocol ObjectRoot: AnyObject {
    /// The representative for calls from `cpu`, created if needed; returned unretained
    /// (the root keeps it alive until `cleanup`).
    func representative(forCPU cpu: Int) -> UnsafeMutableRawPointer
    /// Records that `cpu`'s local table caches a representative.
    func noteInstalled(cpu: Int)
    /// CPUs whose local tables may cache a representative (bit per CPU).
    var installedCPUs: UInt64 { get }
    /// Called once, when the id is assigned.
    func attach(id: ObjectID)
    /// Releases the representatives; runs after the grace period of a destroy.
    func cleanup()
    /// The interface the object implements ("Counter") and the implementation ("PerCPU").
    var typeName: StaticString { get }
    var implementationName: StaticString { get }
    /// Representatives created so far.
    var representativeCount: Int { get }
    /// The factory that tracks this object's type for dynamic upgrade (HotSwap/Factory.swift),
    /// if any: the object space registers the id when the object is made and forgets it when
    /// it is destroyed; a swap hands it on to the new root.
    var factory: ObjectFactory? { get set }
    /// A few words on what this instance serves (a file's inode...), for /proc/k42/objects.
    var detail: String { get }

    // Hot swap (HotSwap/StateTransfer.swift): the formats this implementation can hand its
    // state over in and take it over in, and the transfer itself. The object is quiescent
    // while these run (no call in progress, new calls held), with interrupts off.
    var exportFormats: TransferFormats { get }
    var importFormats: TransferFormats { get }
    func exportState(_ format: TransferFormats) -> TransferredState?
    /// Takes over state exported by the old implementation; false refuses the swap.
    func importState(_ format: TransferFormats, _ state: TransferredState?) -> Bool
}

/// State every standard root shares: its id and the set of CPUs that cached a representative.
/// Implementations that can be hot-swapped subclass a standard root and override the
/// state-transfer members (the defaults: no formats, so a swap is refused cleanly).
open class RootBase {
    public private(set) var id = ObjectID(index: 0)
    let installed = Atomic<UInt64>(0)
    public let typeName: StaticString
    public let implementationName: StaticString
    public var factory: ObjectFactory? = nil

    public init(typeName: StaticString, implementationName: StaticString) {
        self.typeName = typeName
        self.implementationName = implementationName
    }
    public func attach(id: ObjectID) { self.id = id }
    public func noteInstalled(cpu: Int) {
        installed.bitwiseOr(1 << UInt64(cpu & 63), ordering: .relaxed)
    }
    public var installedCPUs: UInt64 { installed.load(ordering: .relaxed) }

    open var detail: String { "" }
    open var exportFormats: TransferFormats { [] }
    open var importFormats: TransferFormats { [] }
    open func exportState(_ format: TransferFormats) -> TransferredState? { nil }
    open func importState(_ format: TransferFormats, _ state: TransferredState?) -> Bool { false }
}

/// One representative shared by every CPU (K42's CObjRootSingleRep).
open class SharedRoot<Rep: AnyObject>: RootBase, ObjectRoot {
    private var rep: Rep?
    private let opaque: UnsafeMutableRawPointer

    public init(_ rep: Rep, typeName: StaticString, implementationName: StaticString = "Shared") {
        self.rep = rep
        opaque = Unmanaged.passUnretained(rep).toOpaque()
        super.init(typeName: typeName, implementationName: implementationName)
    }
    public func representative(forCPU cpu: Int) -> UnsafeMutableRawPointer { opaque }
    public func cleanup() { rep = nil }
    public var representativeCount: Int { rep == nil ? 0 : 1 }
    /// The representative (for the object's own code, e.g. a gather).
    public var theRepresentative: Rep? { rep }
}

/// One representative per cluster of `clusterSize` consecutive CPUs, created on the first
/// miss from that cluster (K42's CObjRootMultiRep); clusterSize 1 gives one per CPU.
open class ClusteredRoot<Rep: AnyObject>: RootBase, ObjectRoot {
    public let clusterSize: Int
    private let lock = SpinLock()
    private var reps: [Rep?]                 // indexed by cluster; guarded by lock
    private let makeRepresentative: (Int) -> Rep    // cluster number -> new representative
    private let created = Atomic<Int>(0)

    public init(maxCPUs: Int, clusterSize: Int = 1, typeName: StaticString,
                implementationName: StaticString, factory: @escaping (Int) -> Rep) {
        precondition(clusterSize >= 1)
        self.clusterSize = clusterSize
        makeRepresentative = factory
        reps = Array(repeating: nil, count: (maxCPUs + clusterSize - 1) / clusterSize)
        super.init(typeName: typeName, implementationName: implementationName)
    }

    public func representative(forCPU cpu: Int) -> UnsafeMutableRawPointer {
        let cluster = cpu / clusterSize
        let rep: Rep = lock.withLockIRQSave {
            if let r = reps[cluster] { return r }
            let r = makeRepresentative(cluster)
            reps[cluster] = r
            created.wrappingAdd(1, ordering: .relaxed)
            return r
        }
        return Unmanaged.passUnretained(rep).toOpaque()
    }

    public func cleanup() { lock.withLockIRQSave { reps = reps.map { _ in nil } } }

    public var representativeCount: Int { created.load(ordering: .relaxed) }

    /// Visits every representative created so far (a gather, such as a counter's value).
    /// The visitor runs under the root's lock: keep it short and do not call back in.
    public func forEachRepresentative(_ body: (Rep) -> Void) {
        lock.withLockIRQSave { for case let r? in reps { body(r) } }
    }
}
