// Hot swap, lazy swap and interposition on any clustered object (research k42.md 3). Each
// puts a gate on the object under its partition lock and flushes every CPU's cached
// representative in the same critical section; from then on calls take the slow path through
// the gate (Mediator.swift, Interposer.swift). Removing a gate releases it after a grace
// period, since a slow-path call may still hold it unretained.
import Platform
import Synchronization
import Trace

/// What one completed swap measured.
public struct SwapResult {
    /// Timestamp ticks from the request to the new root being in place.
    public let ticks: UInt64
    /// The longest time a call was held by the swap, in ticks.
    public let longestHoldTicks: UInt64
    public let format: TransferFormats
}

extension ObjectSpace {
    /// Replaces the implementation of `id` by `newRoot` while calls go on, and returns when
    /// the new root is in place. Fails without changing anything if the object is busy (another
    /// swap or an interposer) or the two roots share no transfer format; fails after blocking
    /// if the new root refuses the state (the old root then stays). Call it from a context that
    /// is inside no clustered-object call (it yields the CPU while the old calls finish).
    public func swap(_ id: ObjectID, to newRoot: any ObjectRoot) throws(ObjectError) -> SwapResult {
        let mediator = try installMediator(id, newRoot: newRoot, lazy: false)
        let mayYield = k42_interrupts_enabled() != 0
        guard mediator.run(mayYield: mayYield) else { throw .transferFailed }
        return SwapResult(ticks: mediator.duration,
                          longestHoldTicks: mediator.longestHold.load(ordering: .relaxed),
                          format: mediator.format)
    }

    /// Asks for a swap that happens lazily: the first call to the object after a grace period
    /// performs it. Safe to call from inside one of the object's own calls (an object that
    /// decides to change its implementation); throws as `swap` does when it cannot start.
    @discardableResult
    public func requestSwap(_ id: ObjectID, to newRoot: any ObjectRoot) throws(ObjectError) -> Mediator {
        try installMediator(id, newRoot: newRoot, lazy: true)
    }

    /// Performs a requested lazy swap of `id` now (or waits for the call performing it).
    /// True if the object's new implementation is in place; false if no swap was pending.
    @discardableResult
    public func completeSwap(_ id: ObjectID) -> Bool {
        guard let mediator = withEntry(id, { (_: inout GlobalEntry, index: Int) -> Mediator? in
            guard let raw = UnsafeMutableRawPointer(bitPattern: gates[index].load(ordering: .relaxed)) else { return nil }
            let gate = Unmanaged<ObjectGate>.fromOpaque(raw).takeUnretainedValue()
            return gate.kind == .mediator ? unsafeDowncast(gate, to: Mediator.self) : nil
        }) else { return false }
        return mediator.complete()
    }

    /// Whether a swap of `id` is under way or pending.
    public func isSwapping(_ id: ObjectID) -> Bool { gateKind(id) == .mediator }

    /// The kind of gate on `id`, if any.
    public func gateKind(_ id: ObjectID) -> ObjectGate.Kind? {
        guard Int(id.index) < capacity, let raw = gate(of: id) else { return nil }
        return Unmanaged<ObjectGate>.fromOpaque(raw)._withUnsafeGuaranteedRef { $0.kind }
    }

    private func installMediator(_ id: ObjectID, newRoot: any ObjectRoot, lazy: Bool) throws(ObjectError) -> Mediator {
        guard Int(id.index) < capacity, let oldRoot = root(of: id) else { throw .noSuchObject }
        guard let format = TransferFormats.negotiate(exports: oldRoot.exportFormats, imports: newRoot.importFormats) else {
            trace(HotSwapEvent.failed, UInt64(id.index), 0)
            throw .noCommonFormat
        }
        let mediator = Mediator(id: id, space: self, oldRoot: oldRoot, newRoot: newRoot, format: format, lazy: lazy)
        let error: ObjectError? = withEntry(id) { entry, index in
            guard let current = entry.root, current === oldRoot, !entry.destroying else { return .noSuchObject }
            guard gates[index].load(ordering: .relaxed) == 0 else { return .busy }
            gates[index].store(UInt(bitPattern: Unmanaged.passRetained(mediator).toOpaque()), ordering: .releasing)
            flushAllCPUs(index)
            mediator.marker = quiescence.marker()
            return nil
        }
        if let error { throw error }
        trace(HotSwapEvent.begin, UInt64(id.index), UInt64(format.bitNumber), lazy ? 1 : 0)
        return mediator
    }

    /// The mediator's last step, with interrupts off: the new root (if `install`) takes the
    /// entry, the gate goes, and no stale representative remains cached.
    func finishSwap(_ mediator: Mediator, install: Bool) {
        if install {
            mediator.newRoot.attach(id: mediator.id)
            mediator.newRoot.factory = mediator.oldRoot.factory
        }
        let raw: UInt = withEntry(mediator.id) { entry, index in
            if install { entry.root = mediator.newRoot }
            flushAllCPUs(index)
            return gates[index].exchange(0, ordering: .acquiringAndReleasing)
        }
        releaseGateLater(raw)
    }

    /// Drops the gate's retain once no slow-path call can still be using it.
    func releaseGateLater(_ raw: UInt) {
        guard let pointer = UnsafeMutableRawPointer(bitPattern: raw) else { return }
        quiescence.deferUntilQuiescent(cpu: currentCPU) {
            Unmanaged<ObjectGate>.fromOpaque(pointer).release()
        }
    }

    // MARK: Interposition

    /// Wraps every call to `id` in `interposer` (a call counter, a tracer) from now on.
    public func interpose(_ id: ObjectID, with interposer: Interposer) throws(ObjectError) {
        guard Int(id.index) < capacity, let root = root(of: id) else { throw .noSuchObject }
        interposer.attach(root: root, cpus: maxCPUs)
        let error: ObjectError? = withEntry(id) { entry, index in
            guard let current = entry.root, current === root, !entry.destroying else { return .noSuchObject }
            guard gates[index].load(ordering: .relaxed) == 0 else { return .busy }
            gates[index].store(UInt(bitPattern: Unmanaged.passRetained(interposer).toOpaque()), ordering: .releasing)
            flushAllCPUs(index)
            return nil
        }
        if let error { throw error }
        trace(HotSwapEvent.interpose, UInt64(id.index))
    }

    /// Removes the interposer on `id` and returns it (with what it recorded); calls go
    /// straight to the object again, at no cost.
    public func removeInterposer(_ id: ObjectID) throws(ObjectError) -> Interposer {
        guard Int(id.index) < capacity else { throw .noSuchObject }
        let raw: UInt = withEntry(id) { _, index in
            let current = gates[index].load(ordering: .relaxed)
            guard let pointer = UnsafeMutableRawPointer(bitPattern: current),
                  Unmanaged<ObjectGate>.fromOpaque(pointer)._withUnsafeGuaranteedRef({ $0.kind }) == .interposer
            else { return 0 }
            gates[index].store(0, ordering: .releasing)
            flushAllCPUs(index)
            return current
        }
        guard let pointer = UnsafeMutableRawPointer(bitPattern: raw) else { throw .noSuchObject }
        let interposer = unsafeDowncast(Unmanaged<ObjectGate>.fromOpaque(pointer).takeUnretainedValue(), to: Interposer.self)
        trace(HotSwapEvent.interposeRemove, UInt64(id.index), interposer.totalCalls)
        releaseGateLater(raw)
        return interposer
    }

    /// The interposer on `id`, if one is in place.
    public func interposer(on id: ObjectID) -> Interposer? {
        withEntry(id) { (_: inout GlobalEntry, index: Int) -> Interposer? in
            guard let raw = UnsafeMutableRawPointer(bitPattern: gates[index].load(ordering: .relaxed)) else { return nil }
            let gate = Unmanaged<ObjectGate>.fromOpaque(raw).takeUnretainedValue()
            return gate.kind == .interposer ? unsafeDowncast(gate, to: Interposer.self) : nil
        }
    }
}
