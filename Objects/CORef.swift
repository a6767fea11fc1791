// A reference to a clustered object, as clients hold it: the object's id, typed by the
// interface class its representatives share. `call` finds this CPU's representative with
// one load from CPU-local memory and calls it without retaining (a retain would be an
// atomic write to a shared line, exactly what K42 avoids); a miss asks the root.
// Representatives live until the object's grace period, so the unretained call is safe for
// its duration; never keep the representative beyond the call.
import Platform

public struct CORef<Interface: AnyObject>: Hashable {
    public let id: ObjectID
    public init(id: ObjectID) { self.id = id }

    /// Calls `body` on this CPU's representative.
    @inline(__always)
    public func call<R>(_ body: (Interface) -> R) -> R {
        let table = k42_local_translation_table().unsafelyUnwrapped
            .assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
        let rep = table[Int(id.index)] ?? ObjectSpace.shared.handleMiss(id)
        return Unmanaged<Interface>.fromOpaque(rep)._withUnsafeGuaranteedRef(body)
    }

    /// Creates an object in the shared object space and returns its reference.
    public static func create(_ root: any ObjectRoot) throws(ObjectError) -> CORef<Interface> {
        CORef(id: try ObjectSpace.shared.install(root: root))
    }

    /// Destroys the object; see ObjectSpace.destroy.
    public func destroy() throws(ObjectError) { try ObjectSpace.shared.destroy(id) }
}
