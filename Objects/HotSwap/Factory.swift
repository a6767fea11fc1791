// Dynamic upgrade (Baumann et al., USENIX'05; research k42.md 3): a factory per clustered-
// object type knows every live instance, so that new code can replace them all. `upgradeAll`
// builds a replacement root for each instance and swaps it in, lazily (each instance on its
// next call: untouched instances cost nothing until used) or eagerly (all now). An object
// whose root names a factory is registered when installed and forgotten when destroyed.
import Synchronization
import Trace

open class ObjectFactory {
    public let typeName: StaticString
    private let lock = SpinLock()
    private var instances: [UInt32: Bool] = [:]            // guarded by lock

    public init(typeName: StaticString) { self.typeName = typeName }

    /// Records a new instance (ObjectSpace.install).
    func register(_ id: ObjectID) { lock.withLockIRQSave { instances[id.index] = true } }

    /// Forgets a destroyed instance (ObjectSpace.destroy).
    func forget(_ id: ObjectID) { lock.withLockIRQSave { _ = instances.removeValue(forKey: id.index) } }

    /// Live instances.
    public var count: Int { lock.withLockIRQSave { instances.count } }

    /// The live instances, in id order.
    public var instanceIDs: [ObjectID] {
        lock.withLockIRQSave { instances.keys.sorted().map { ObjectID(index: $0) } }
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
