// Quiescence detection: K42's generation counts (research k42.md 2.5) in the form of an RCU
// grace period. Each CPU announces at its quiescent points (context switch, return to user,
// idle) the global generation it has seen. When every online CPU has seen generation g, the
// generation advances to g + 1. Anything retired while the generation was g is unreachable
// once the generation reaches g + 2: every CPU has since passed a quiescent point that began
// after the retirement (K42's "genCount - marker >= 2"). Deferred work waits for exactly that.
//
// Quiescent points come in two weights: `quiescentPoint` (the idle loop) also advances the
// generation and runs ready work; `pass` (every context switch and return to user) only records
// the generation seen, unless this CPU has work waiting. The rule that makes both sound: a call
// on a clustered object never spans a quiescent point (the kernel does not preempt kernel code,
// and object calls do not block), so a CPU at a quiescent point is inside no call.
//
// Retirement lists are per CPU (only the owner touches its list, with interrupts off), so
// retiring and reclaiming take no lock. Advancing scans the online CPUs' counters: O(CPUs)
// reads, fine for the machines we target; K42 circulated a token instead. Each advance logs
// `objects:quiescent` with the new generation (trace class objects).
import Platform
import Synchronization
import Trace

public final class QuiescenceDetector: @unchecked Sendable {
    public let maxCPUs: Int
    private let generation = Atomic<UInt64>(2)
    private let perCPU: [CPUState]

    struct Deferred {
        let readyAt: UInt64
        let work: () -> Void
    }

    /// Per-CPU state, each in its own heap object so CPUs do not share lines on the fast path.
    final class CPUState {
        let seen = Atomic<UInt64>(0)
        let online = Atomic<Bool>(false)
        var pending: [Deferred] = []          // owner CPU only, interrupts off
        let waiting = Atomic<Int>(0)          // pending.count, readable without disabling interrupts
        var completed: UInt64 = 0
        var padding: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    }

    /// The same objects, unretained, for `pass`: reading a class reference out of `perCPU`
    /// retains and releases it, two atomic writes on every system call. `perCPU` owns them.
    private let unretained: UnsafeMutablePointer<Unmanaged<CPUState>>

    public init(maxCPUs: Int) {
        self.maxCPUs = maxCPUs
        let states = (0..<maxCPUs).map { _ in CPUState() }
        perCPU = states
        unretained = .allocate(capacity: max(maxCPUs, 1))
        for (i, state) in states.enumerated() { (unretained + i).initialize(to: Unmanaged.passUnretained(state)) }
    }

    deinit { unretained.deallocate() }

    /// The current global generation.
    public var currentGeneration: UInt64 { generation.load(ordering: .acquiring) }

    /// Marks `cpu` as taking part (it must then pass quiescent points regularly).
    public func setOnline(_ cpu: Int, _ online: Bool) {
        perCPU[cpu].seen.store(generation.load(ordering: .acquiring), ordering: .releasing)
        perCPU[cpu].online.store(online, ordering: .releasing)
    }

    /// Called by `cpu` at a quiescent point: it holds no references to retired objects.
    /// Announces the generation seen, tries to advance it, and runs this CPU's ready work.
    public func quiescentPoint(cpu: Int) {
        let g = generation.load(ordering: .acquiring)
        perCPU[cpu].seen.store(g, ordering: .sequentiallyConsistent)     // see `pass`
        tryAdvance(from: g)
        runReady(cpu: cpu)
    }

    /// The light quiescent point of hot paths (context switch, return to user): one load of
    /// the generation and one store to this CPU's own line, unless work waits here.
    @inline(__always)
    public func pass(cpu: Int) {
        precondition(cpu >= 0 && cpu < maxCPUs)
        // SAFETY: `perCPU` holds every state for the detector's lifetime.
        let busy = unretained[cpu]._withUnsafeGuaranteedRef { s in
        // Sequentially consistent (XCHG on x86): the loads of the calls that follow, such as a
        // local-table entry, must not be performed before this store is visible, or a call
        // could use a representative flushed before a marker this pass is counted against.
        // Skipped when this CPU already announced the current generation: a pass that
        // announces nothing new is counted against no marker (a locked instruction on every
        // system call is dear, under TCG especially).
            let g = generation.load(ordering: .relaxed)
            if s.seen.load(ordering: .relaxed) != g { s.seen.store(g, ordering: .sequentiallyConsistent) }
            return s.waiting.load(ordering: .relaxed) != 0
        }
        if busy { quiescentPoint(cpu: cpu) }
    }

    /// A marker for "now": every call that is in progress now has finished once
    /// `hasElapsed(marker)` (K42's thread marker; elapsed when the generation is 2 past it).
    /// The fence makes the caller's earlier stores (a flush of cached representatives) visible
    /// before the generation is read (x86 lets a load pass earlier stores).
    public func marker() -> UInt64 {
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        return generation.load(ordering: .acquiring)
    }

    /// Whether every online CPU has passed a quiescent point since `marker` was taken. Tries to
    /// advance the generation itself, so a waiter does not depend on idle CPUs to do it.
    public func hasElapsed(_ marker: UInt64) -> Bool {
        let g = generation.load(ordering: .acquiring)
        if g >= marker + 2 { return true }
        tryAdvance(from: g)
        return generation.load(ordering: .acquiring) >= marker + 2
    }

    /// Whether `cpu` takes part in quiescence.
    public func isOnline(_ cpu: Int) -> Bool { perCPU[cpu].online.load(ordering: .acquiring) }

    private func tryAdvance(from g: UInt64) {
        for c in 0..<maxCPUs where perCPU[c].online.load(ordering: .acquiring) {
            if perCPU[c].seen.load(ordering: .acquiring) < g { return }
        }
        if generation.compareExchange(expected: g, desired: g + 1, ordering: .acquiringAndReleasing).exchanged {
            trace(ObjectEvent.quiescent, g + 1)
        }
    }

    /// Runs `work` on `cpu` once every CPU has passed a quiescent point after this call.
    public func deferUntilQuiescent(cpu: Int, _ work: @escaping () -> Void) {
        let ready = marker() + 2
        withInterruptsDisabled {
            perCPU[cpu].pending.append(Deferred(readyAt: ready, work: work))
            perCPU[cpu].waiting.store(perCPU[cpu].pending.count, ordering: .relaxed)
        }
    }

    /// Number of deferred items still waiting on `cpu`.
    public func pendingCount(cpu: Int) -> Int { withInterruptsDisabled { perCPU[cpu].pending.count } }

    /// Number of deferred items completed on `cpu` so far.
    public func completedCount(cpu: Int) -> UInt64 { perCPU[cpu].completed }

    private func runReady(cpu: Int) {
        let now = generation.load(ordering: .acquiring)
        // Take the ready items out with interrupts off, then run them with interrupts as they were.
        let ready: [Deferred] = withInterruptsDisabled {
            guard !perCPU[cpu].pending.isEmpty, perCPU[cpu].pending[0].readyAt <= now else { return [] }
            var take: [Deferred] = []
            var keep: [Deferred] = []
            for d in perCPU[cpu].pending { if d.readyAt <= now { take.append(d) } else { keep.append(d) } }
            perCPU[cpu].pending = keep
            perCPU[cpu].waiting.store(keep.count, ordering: .relaxed)
            return take
        }
        for d in ready { d.work() }
        if !ready.isEmpty { withInterruptsDisabled { perCPU[cpu].completed &+= UInt64(ready.count) } }
    }
}
