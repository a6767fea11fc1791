// Dynamic upgrade (Baumann et al., USENIX'05; research k42.md 3): a factory per clustered-
// object type knows every live instance, so that new code can replace them all. `upgradeAll`
// builds a replacement root for each instance and swaps it in, lazily (each instance on its
// next call: untouched instances cost nothing until used) or eagerly (all now). An object
// whose root names a factory is registered when installed and forgotten when destroyed.
import Synchronization
import Trace

open class ObjectFactory {
    public typealias Maker = (any ObjectRoot) -> (any ObjectRoot)?
    public let typeName: StaticString
    private let lock = SpinLock()
    /// Instances by the partition of their id (the CPU that made them), so that objects made
    /// and destroyed on different CPUs never meet on one lock.
    private final class Part {
        let lock = SpinLock()
        var ids: [UInt32: Bool] = [:]                      // guarded by lock
    }
    private let parts: [Part] = (0..<64).map { _ in Part() }
    private var makers: [(name: String, make: Maker)] = []  // guarded by lock

    nonisolated(unsafe) private static var all: [ObjectFactory] = []
    private static let allLock = SpinLock()

    /// A factory for `typeName`; `register` makes it findable by name (ObjectFactory.named).
    public init(typeName: StaticString, register: Bool = false) {
        self.typeName = typeName
        if register { ObjectFactory.allLock.withLockIRQSave { ObjectFactory.all.append(self) } }
    }

    /// The registered factory of the type called `name`.
    public static func named(_ name: String) -> ObjectFactory? {
        allLock.withLockIRQSave { all.first { $0.typeName.description == name } }
    }

    /// Names an implementation of this type and how to build its root, given the root it
    /// replaces (the control interface swaps by name: /proc/k42/objects).
    public func addImplementation(_ name: String, _ make: @escaping Maker) {
        lock.withLockIRQSave { makers.append((name, make)) }
    }

    public var implementationNames: [String] { lock.withLockIRQSave { makers.map { $0.name } } }

    /// A new root of implementation `name` to replace `old` (nil: no such implementation).
    public func makeImplementation(_ name: String, replacing old: any ObjectRoot) -> (any ObjectRoot)? {
        let make = lock.withLockIRQSave { makers.first { $0.name == name }?.make }
        return make?(old)
    }

    private func part(_ id: ObjectID) -> Part { parts[ObjectSpace.shared.partition(of: id) % parts.count] }

    /// Records a new instance (ObjectSpace.install).
    func register(_ id: ObjectID) {
        let part = part(id)
        part.lock.withLockIRQSave { part.ids[id.index] = true }
    }

    /// Forgets a destroyed instance (ObjectSpace.destroy).
    func forget(_ id: ObjectID) {
        let part = part(id)
        part.lock.withLockIRQSave { _ = part.ids.removeValue(forKey: id.index) }
    }

    /// Live instances.
    public var count: Int { instanceIDs.count }

    /// The live instances, in id order.
    public var instanceIDs: [ObjectID] {
        var out: [UInt32] = []
        for part in parts { part.lock.withLockIRQSave { out.append(contentsOf: part.ids.keys) } }
        return out.sorted().map { ObjectID(index: $0) }
    }

    public struct UpgradeResult {
        /// Instances set to upgrade (lazily) or upgraded (eagerly).
        public var upgraded = 0
        /// Instances that could not be: busy, or no common transfer format (they keep the old code).
        public var refused = 0
    }

    /// Replaces every instance's implementation by the root `replacement` builds from the old
    /// one (nil: leave that instance as it is). Lazily, each swap happens on the instance's
    /// next call; eagerly, all happen before this returns. Call from outside any object call.
    public func upgradeAll(lazily: Bool, _ replacement: (any ObjectRoot) -> (any ObjectRoot)?) -> UpgradeResult {
        let space = ObjectSpace.shared!
        var result = UpgradeResult()
        var pending: [Mediator] = []
        for id in instanceIDs {
            guard let old = space.root(of: id), let new = replacement(old) else { continue }
            do {
                pending.append(try space.requestSwap(id, to: new))
                result.upgraded += 1
            } catch {
                result.refused += 1
            }
        }
        trace(HotSwapEvent.upgrade, UInt64(result.upgraded), lazily ? 1 : 0)
        if !lazily {
            for mediator in pending where !mediator.complete() {
                result.upgraded -= 1
                result.refused += 1
            }
        }
        return result
    }
}
