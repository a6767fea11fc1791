// The mediator of one hot swap (paper section 5; research k42.md 3). It sits in the object's
// gate while the swap runs; every call meanwhile misses (no CPU caches a representative) and
// comes here. Phases, kept with the count of calls in flight through the mediator in one
// atomic word:
//   forward   calls go on to the old object, counted, while the calls that began before the
//             swap (on the fast path, uncounted) finish: a quiescence marker taken after the
//             flush of the local tables elapses;
//   block     new calls are held (they spin: they may be inside another object's call, where
//             giving up the CPU would break that object's quiescence); recursive calls, from a
//             CPU already inside a forwarded call, and calls with interrupts off still go on;
//   transfer  no call in flight: with interrupts off the old root exports its state and the
//             new root imports it;
//   done      the new root is installed and the gate cleared: held calls start again and miss
//             into the new root. `failed`: the old root stays, as if nothing happened.
// A swap is driven by its requester (ObjectSpace.swap) or, for a lazy swap (an upgrade, or an
// object that decided to change itself from inside a call), by the first call that arrives
// after the marker elapsed. Held time and phase durations are trace events (class hotswap).
import Platform
import Synchronization
import Trace

/// What can sit in an object's gate.
open class ObjectGate {
    public enum Kind { case mediator, interposer }
    let kind: Kind
    init(kind: Kind) { self.kind = kind }
}

public final class Mediator: ObjectGate {
    enum Phase: UInt64 { case forward = 0, block = 1, transfer = 2, done = 3, failed = 4 }

    public let id: ObjectID
    let space: ObjectSpace
    let oldRoot: any ObjectRoot
    let newRoot: any ObjectRoot
    let format: TransferFormats
    /// Driven by the first caller after the grace period, not by the requester.
    let lazy: Bool
    /// Taken right after the local tables were flushed (set under the partition lock).
    var marker: UInt64 = 0
    /// phase << 32 | calls in flight through the mediator.
    private let state = Atomic<UInt64>(0)
    private let driving: Atomic<Bool>
    /// Per CPU (one cache line each): forwarded calls in progress on that CPU. A call never
    /// spans a quiescent point, so a CPU with a forwarded call in progress is running the
    /// thread that made it (or an interrupt on top of it): a new call there is recursive.
    private let depth: UnsafeMutablePointer<Atomic<Int>>
    private static let stride = 8
    /// The longest time a call was held, in timestamp ticks.
    let longestHold = Atomic<UInt64>(0)
    let requested = k42_timestamp()
    /// Ticks from request to completion (valid once finished).
    public private(set) var duration: UInt64 = 0

    init(id: ObjectID, space: ObjectSpace, oldRoot: any ObjectRoot, newRoot: any ObjectRoot,
         format: TransferFormats, lazy: Bool) {
        self.id = id
        self.space = space
        self.oldRoot = oldRoot
        self.newRoot = newRoot
        self.format = format
        self.lazy = lazy
        driving = Atomic<Bool>(!lazy)
        depth = .allocate(capacity: space.maxCPUs * Mediator.stride)
        for i in 0..<(space.maxCPUs * Mediator.stride) { (depth + i).initialize(to: Atomic<Int>(0)) }
        super.init(kind: .mediator)
    }

    deinit { depth.deallocate() }

    private func phase(_ word: UInt64) -> Phase { Phase(rawValue: word >> 32) ?? .failed }
    private func word(_ phase: Phase, _ inFlight: UInt64 = 0) -> UInt64 { phase.rawValue << 32 | inFlight }

    /// Whether the swap has ended (done or failed).
    public var isFinished: Bool { phase(state.load(ordering: .acquiring)).rawValue >= Phase.done.rawValue }
    /// Whether it ended with the new implementation in place.
    public var succeeded: Bool { phase(state.load(ordering: .acquiring)) == .done }

    // MARK: Calls

    /// A call arriving at the gate: the old object's representative for this CPU, to call and
    /// then `leave()`; or nil once the swap has ended (the caller starts over).
    func enter() -> UnsafeMutableRawPointer? {
        let cpu = currentCPU
        let interruptsOn = k42_interrupts_enabled() != 0
        let recursive = depth[cpu * Mediator.stride].load(ordering: .relaxed) > 0
        var heldSince: UInt64 = 0
        while true {
            let s = state.load(ordering: .acquiring)
            switch phase(s) {
            case .forward, .block:
                if phase(s) == .block && interruptsOn && !recursive { break }    // held
                if phase(s) == .forward && lazy && interruptsOn && !recursive && tryDriveLazily() { return nil }
                if state.compareExchange(expected: s, desired: s + 1, ordering: .acquiringAndReleasing).exchanged {
                    depth[cpu * Mediator.stride].wrappingAdd(1, ordering: .relaxed)
                    if heldSince != 0 { noteHold(k42_timestamp() &- heldSince) }
                    return oldRoot.representative(forCPU: cpu)
                }
                continue
            case .transfer:
                break
            case .done, .failed:
                if heldSince != 0 { noteHold(k42_timestamp() &- heldSince) }
                return nil
            }
            if heldSince == 0 { heldSince = k42_timestamp() }
            k42_cpu_relax()
        }
    }

    /// The end of a forwarded call.
    func leave() {
        depth[currentCPU * Mediator.stride].wrappingAdd(-1, ordering: .relaxed)
        state.wrappingSubtract(1, ordering: .acquiringAndReleasing)
    }

    private func noteHold(_ ticks: UInt64) {
        var seen = longestHold.load(ordering: .relaxed)
        while ticks > seen {
            let (done, now) = longestHold.compareExchange(expected: seen, desired: ticks, ordering: .relaxed)
            if done { break }
            seen = now
        }
    }

    /// A lazy swap: the first call after the grace period drives it (spinning only: it may be
    /// inside another object's call). True if this call drove it to the end.
    private func tryDriveLazily() -> Bool {
        guard space.quiescence.hasElapsed(marker),
              driving.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return false }
        _ = run(mayYield: false)
        return true
    }

    /// Drives a lazy swap now from a context that may yield (an eager upgrade); waits for it
    /// if someone else drives it. True if the new implementation is in place.
    public func complete() -> Bool {
        if driving.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged {
            return run(mayYield: k42_interrupts_enabled() != 0)
        }
        while !isFinished { space.hooks.relax(false) }
        return succeeded
    }

    // MARK: Driving

    /// Runs the swap from forward to done (or failed). The caller owns `driving`.
    func run(mayYield: Bool) -> Bool {
        // Forward: wait until no call that began before the flush can still be running.
        while !space.quiescence.hasElapsed(marker) { space.hooks.relax(mayYield) }
        let forwardEnd = k42_timestamp()
        var s = state.load(ordering: .acquiring)
        while true {
            let (exchanged, now) = state.compareExchange(expected: s, desired: word(.block, s & 0xFFFF_FFFF),
                                                         ordering: .acquiringAndReleasing)
            if exchanged { break }
            s = now
        }
        trace(HotSwapEvent.block, UInt64(id.index), forwardEnd &- requested)

        // Block: the forwarded calls drain. The gate to transfer closes only at zero calls in
        // flight, with interrupts off here, so no call on this CPU can arrive and spin on us.
        var flags: UInt64
        while true {
            flags = k42_irq_save()
            if state.compareExchange(expected: word(.block), desired: word(.transfer),
                                     ordering: .acquiringAndReleasing).exchanged { break }
            k42_irq_restore(flags)
            k42_cpu_relax()
        }
        let drained = k42_timestamp()
        trace(HotSwapEvent.transfer, UInt64(id.index), drained &- forwardEnd)

        // Transfer, then install (or keep the old root), then let the held calls go.
        let exported = oldRoot.exportState(format)
        let accepted = newRoot.importState(format, exported)
        space.finishSwap(self, install: accepted)
        duration = k42_timestamp() &- requested
        state.store(word(accepted ? .done : .failed), ordering: .releasing)
        k42_irq_restore(flags)
        if accepted {
            trace(HotSwapEvent.end, UInt64(id.index), duration)
            oldRoot.cleanup()
        } else {
            trace(HotSwapEvent.failed, UInt64(id.index), 1)
            newRoot.cleanup()
        }
        return accepted
    }
}
