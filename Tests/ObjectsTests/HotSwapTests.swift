// Hosted tests of hot swap, lazy upgrade and interposition (Objects/HotSwap) with simulated
// CPUs as threads. Worker threads pass a quiescent point between calls, as the kernel's
// threads do at every context switch and return to user; a worker that finishes takes its
// CPU offline, and the swapping thread passes its own CPU's points while it waits.
import Foundation
import K42TestSupport
import Objects
import Platform
import Synchronization
import Testing

/// A test object whose calls can recurse into the same object through its reference.
class Echo {
    init() {}
    func call(depth: Int, ref: CORef<Echo>) -> Int { fatalError("interface") }
}

final class EchoImpl: Echo {
    let calls = Atomic<Int>(0)
    override func call(depth: Int, ref: CORef<Echo>) -> Int {
        calls.wrappingAdd(1, ordering: .relaxed)
        if depth == 0 { return 1 }
        return 1 + ref.call { $0.call(depth: depth - 1, ref: ref) }
    }
}

final class EchoState: TransferredState {
    let calls: Int
    init(calls: Int) { self.calls = calls }
}

/// A shared-representative Echo root with configurable transfer formats.
final class EchoRoot: SharedRoot<Echo> {
    let exports: TransferFormats
    let imports: TransferFormats
    let refuse: Bool
    init(exports: TransferFormats = .test(0), imports: TransferFormats = .test(0), refuse: Bool = false) {
        self.exports = exports
        self.imports = imports
        self.refuse = refuse
        super.init(EchoImpl(), typeName: "Echo", implementationName: "Impl")
    }
    var impl: EchoImpl { theRepresentative as! EchoImpl }
    override var exportFormats: TransferFormats { exports }
    override var importFormats: TransferFormats { imports }
    override func exportState(_ format: TransferFormats) -> TransferredState? { EchoState(calls: impl.calls.load(ordering: .relaxed)) }
    override func importState(_ format: TransferFormats, _ state: TransferredState?) -> Bool {
        guard !refuse, let s = state as? EchoState else { return false }
        impl.calls.store(s.calls, ordering: .relaxed)
        return true
    }
}

// Part of the serialized ClusteredObjectTests suite: ObjectSpace.shared is process-wide.
extension ClusteredObjectTests {
    /// An object space whose waits pass the waiting CPU's quiescent points.
    func makeSpace(cpus count: Int) -> (ObjectSpace, SimulatedCPUs) {
        let (space, cpus) = makeObjectSpace(cpus: count, idsPerCPU: 16384)
        space.hooks.relax = { _ in
            space.quiescence.pass(cpu: currentCPU)
            sched_yield()
        }
        return (space, cpus)
    }

    /// Two rounds of quiescent points on every online CPU: any marker taken before has elapsed.
    func settle(_ space: ObjectSpace, cpus: Int) {
        for _ in 0..<3 { for c in 0..<cpus where space.quiescence.isOnline(c) { space.quiescence.quiescentPoint(cpu: c) } }
    }

    /// Runs `work(cpu)` on CPUs 1..<count (passing a quiescent point after each call it
    /// makes, then going offline) while `swapper` runs on CPU 0.
    func underLoad(_ space: ObjectSpace, _ cpus: SimulatedCPUs, work: @escaping @Sendable (Int) -> Void,
                   swapper: @escaping @Sendable () -> Void) {
        cpus.run(cpus: Array(0..<cpus.count)) { cpu in
            if cpu == 0 { swapper() } else {
                work(cpu)
                space.quiescence.setOnline(cpu, false)
            }
        }
        for c in 0..<cpus.count { space.quiescence.setOnline(c, true) }
    }

    @Test func swapBackAndForthUnderLoadKeepsEveryIncrement() throws {
        let (space, cpus) = makeSpace(cpus: 4)
        let counter = try CounterPerCPU.create()
        let perWorker = 20_000
        let swaps = SharedAtomic(), failures = SharedAtomic()
        let running = SharedAtomic(3)
        underLoad(space, cpus, work: { cpu in
            for i in 0..<perWorker {
                counter.increment()
                if i % 4 == 0 { space.quiescence.pass(cpu: cpu) }
            }
            running.add(-1)
        }, swapper: {
            var toShared = true
            while running.load() > 0 || swaps.load() < 20 {
                let root: any ObjectRoot = toShared ? CounterShared.makeRoot() : CounterPerCPU.makeRoot()
                do { _ = try space.swap(counter.id, to: root); swaps.add(1) } catch { failures.add(1) }
                toShared.toggle()
            }
        })
        #expect(failures.load() == 0)
        #expect(swaps.load() >= 20)
        #expect(counter.value() == 3 * perWorker)
        #expect(!space.isSwapping(counter.id))
    }

    @Test func recursiveCallsDuringASwapDoNotDeadlock() throws {
        let (space, cpus) = makeSpace(cpus: 3)
        let ref = try CORef<Echo>.create(EchoRoot())
        let running = SharedAtomic(2), wrong = SharedAtomic(), swaps = SharedAtomic()
        underLoad(space, cpus, work: { cpu in
            for _ in 0..<3_000 {
                if ref.call({ $0.call(depth: 4, ref: ref) }) != 5 { wrong.add(1) }
                space.quiescence.pass(cpu: cpu)
            }
            running.add(-1)
        }, swapper: {
            while running.load() > 0 {
                if (try? space.swap(ref.id, to: EchoRoot())) != nil { swaps.add(1) }
            }
        })
        #expect(wrong.load() == 0)
        #expect(swaps.load() > 0)
        // Every call made (2 workers x 3,000 x 5 levels) moved along with the state.
        let total = ref.call { ($0 as! EchoImpl).calls.load(ordering: .relaxed) }
        #expect(total == 2 * 3_000 * 5)
    }

    @Test func aSwapWithoutACommonFormatFailsAndChangesNothing() throws {
        let (space, _) = makeSpace(cpus: 2)
        let oldRoot = EchoRoot(exports: .test(0), imports: .test(0))
        let ref = try CORef<Echo>.create(oldRoot)
        #expect(ref.call { $0.call(depth: 0, ref: ref) } == 1)
        #expect(throws: ObjectError.noCommonFormat) {
            try space.swap(ref.id, to: EchoRoot(exports: .test(1), imports: .test(1)))
        }
        #expect(space.gateKind(ref.id) == nil)
        #expect(space.root(of: ref.id) === oldRoot)
        #expect(ref.call { $0.call(depth: 0, ref: ref) } == 1)
        #expect(oldRoot.impl.calls.load(ordering: .relaxed) == 2)
    }

    @Test func aRefusedTransferKeepsTheOldObject() throws {
        let (space, _) = makeSpace(cpus: 2)
        space.quiescence.setOnline(1, false)        // only this thread's CPU takes part
        let oldRoot = EchoRoot()
        let ref = try CORef<Echo>.create(oldRoot)
        _ = ref.call { $0.call(depth: 2, ref: ref) }
        #expect(throws: ObjectError.transferFailed) { try space.swap(ref.id, to: EchoRoot(refuse: true)) }
        #expect(space.root(of: ref.id) === oldRoot)
        #expect(ref.call { $0.call(depth: 0, ref: ref) } == 1)
        #expect(oldRoot.impl.calls.load(ordering: .relaxed) == 4)
    }

    @Test func lazyUpgradeOfTenThousandInstances() throws {
        let (space, cpus) = makeSpace(cpus: 2)
        let factory = ObjectFactory(typeName: "Counter")
        var refs: [CORef<Counter>] = []
        for i in 0..<10_000 {
            let root = CounterPerCPU.makeRoot()
            root.factory = factory
            let ref = try CORef<Counter>.create(root)
            ref.add(i)
            refs.append(ref)
        }
        #expect(factory.count == 10_000)
        let result = factory.upgradeAll(lazily: true) { _ in CounterShared.makeRoot() }
        #expect(result.upgraded == 10_000 && result.refused == 0)
        // Nothing has moved yet: each instance changes on its next call.
        #expect(refs.allSatisfy { space.isSwapping($0.id) })
        settle(space, cpus: 2)
        // The first half are used (from CPU 1): they upgrade; the rest stay pending.
        let used = Array(refs[0..<5_000])
        cpus.run(cpus: [1]) { _ in for ref in used { ref.increment() } }
        for i in 0..<5_000 {
            #expect(!space.isSwapping(refs[i].id))
            #expect(space.root(of: refs[i].id)?.implementationName.description == "Shared")
        }
        #expect(refs[5_000...].allSatisfy { space.isSwapping($0.id) })
        for (i, ref) in refs.enumerated() { #expect(ref.value() == i + (i < 5_000 ? 1 : 0)) }
        #expect(refs.allSatisfy { space.root(of: $0.id)?.implementationName.description == "Shared" })
        #expect(factory.count == 10_000)
    }

    @Test func eagerUpgradeSwapsEveryInstanceBeforeReturning() throws {
        let (space, _) = makeSpace(cpus: 2)
        space.quiescence.setOnline(1, false)
        let factory = ObjectFactory(typeName: "Counter")
        var refs: [CORef<Counter>] = []
        for i in 0..<200 {
            let root = CounterShared.makeRoot()
            root.factory = factory
            refs.append(try CORef<Counter>.create(root))
            refs[i].add(i)
        }
        let result = factory.upgradeAll(lazily: false) { _ in CounterPerCPU.makeRoot() }
        #expect(result.upgraded == 200)
        #expect(refs.allSatisfy { !space.isSwapping($0.id) })
        for (i, ref) in refs.enumerated() { #expect(ref.value() == i) }
        try refs[0].destroy()
        #expect(factory.count == 199)
    }

    @Test func interposerCountsCallsUnderLoadAndGoesAway() throws {
        let (space, cpus) = makeSpace(cpus: 3)
        let counter = try CounterPerCPU.create()
        let running = SharedAtomic(2)
        let monitor = CallMonitor(cpus: 3)
        let removedCalls = SharedAtomic()
        underLoad(space, cpus, work: { cpu in
            for i in 0..<20_000 {
                counter.increment()
                if i % 8 == 0 { space.quiescence.pass(cpu: cpu) }
            }
            running.add(-1)
        }, swapper: {
            while running.load() == 2 && counter.value() < 1000 { sched_yield() }
            try? space.interpose(counter.id, with: monitor)
            while counter.value() < 20_000 && running.load() > 0 { sched_yield() }
            if let removed = try? space.removeInterposer(counter.id) { removedCalls.store(Int(removed.totalCalls)) }
        })
        #expect(counter.value() == 40_000)
        #expect(removedCalls.load() > 0)
        #expect(monitor.totalCalls > 0 && monitor.totalCalls <= 40_000 + 100)
        #expect(space.gateKind(counter.id) == nil)
        counter.increment()
        #expect(space.isCached(counter.id, cpu: 0), "without the interposer the fast path caches again")
    }

    @Test func adaptiveCounterSwitchesOnItsOwn() throws {
        let (space, cpus) = makeSpace(cpus: 4)
        let counter = try CounterShared.create(adaptive: true)
        // Updates from CPU after CPU, few reads: it becomes distributed. (One thread that
        // takes each CPU's identity in turn, so the interleaving is certain.)
        for i in 0..<4_000 {
            cpus.bind(i % 4)
            counter.increment()
        }
        cpus.bind(0)
        #expect(space.isSwapping(counter.id), "the counter asked for its own swap")
        settle(space, cpus: 4)
        counter.increment()
        #expect(space.root(of: counter.id)?.implementationName.description == "PerCPU(adaptive)")
        // Reads dominate: it goes back to one shared representative.
        for _ in 0..<64 {
            _ = counter.value()
            settle(space, cpus: 4)
        }
        #expect(counter.value() == 4_001)
        #expect(space.root(of: counter.id)?.implementationName.description == "Shared(adaptive)")
    }
}
