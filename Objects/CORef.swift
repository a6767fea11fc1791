// A reference to a clustered object, as clients hold it: the object's id, typed by the
// interface class its representatives share. `call` finds this CPU's representative with
// one load from CPU-local memory and calls it without retaining (a retain would be an
// atomic write to a shared line, exactly what K42 avoids); a miss asks the root.
// Representatives live until the object's grace period, so the unretained call is safe for
// its duration; never keep the representative beyond the call.
//
// The slow path also serves objects behind a gate (HotSwap/): during a hot swap the mediator
// forwards or holds each call, and an interposer wraps each call; neither costs anything on
// the fast path, because a gated object is never cached in a local table.
import Platform

public struct CORef<Interface: AnyObject>: Hashable {
    public let id: ObjectID
    public init(id: ObjectID) { self.id = id }

    /// Calls `body` on this CPU's representative.
    @inline(__always)
    public func call<R>(_ body: (Interface) -> R) -> R {
        let table = k42_local_translation_table().unsafelyUnwrapped
            .assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
        if let rep = table[Int(id.index)] {
            return Unmanaged<Interface>.fromOpaque(rep)._withUnsafeGuaranteedRef(body)
        }
        return callSlow(body)
    }

    /// A miss, or a gated object: resolve through the object space, retrying when a swap
    /// finishes under us (the mediator answers "retry" once the new root is in place).
    @inline(never)
    func callSlow<R>(_ body: (Interface) -> R) -> R {
        let space = ObjectSpace.shared.unsafelyUnwrapped
        while true {
            guard let gate = space.gate(of: id) else {
                if let rep = space.handleMiss(id) {
                    return Unmanaged<Interface>.fromOpaque(rep)._withUnsafeGuaranteedRef(body)
                }
                continue
            }
            // The gate is used unretained: it is released only after a grace period, and no
            // quiescent point passes before we are done with it (a mediator that must wait
            // retains itself first; see Mediator.enter).
            let outcome: R? = Unmanaged<ObjectGate>.fromOpaque(gate)._withUnsafeGuaranteedRef { object in
                switch object.kind {
                case .interposer:
                    let interposer = unsafeDowncast(object, to: Interposer.self)
                    let cpu = currentCPU
                    let rep = interposer.representative(cpu: cpu)
                    let start = interposer.enter(cpu: cpu)
                    let result = Unmanaged<Interface>.fromOpaque(rep)._withUnsafeGuaranteedRef(body)
                    interposer.leave(cpu: cpu, started: start)
                    return result
                case .mediator:
                    let mediator = unsafeDowncast(object, to: Mediator.self)
                    guard let rep = mediator.enter() else { return nil }    // swap over: start again
                    let result = Unmanaged<Interface>.fromOpaque(rep)._withUnsafeGuaranteedRef(body)
                    mediator.leave()
                    return result
                }
            }
            if let outcome { return outcome }
        }
    }

    /// Creates an object in the shared object space and returns its reference.
    public static func create(_ root: any ObjectRoot) throws(ObjectError) -> CORef<Interface> {
        CORef(id: try ObjectSpace.shared.install(root: root))
    }

    /// Destroys the object; see ObjectSpace.destroy.
    public func destroy() throws(ObjectError) { try ObjectSpace.shared.destroy(id) }
}
