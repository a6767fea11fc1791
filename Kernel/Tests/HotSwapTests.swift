// In-kernel tests of hot swap (Objects/HotSwap) on real (emulated) CPUs: a swap while every CPU
// calls the object, recursive calls into the object during swaps, a failed negotiation and a
// refused transfer, a lazy upgrade of 10,000 instances, an interposer added and removed under
// load, and the adaptive counter changing its implementation on its own. Workers run on the
// other CPUs (CrossCPU) and pass a quiescent point between calls, as threads do at every
// context switch and return to user.
#if KERNEL_TESTS
import Objects
import Synchronization

/// A test interface whose calls recurse into the same object through its reference.
class Echo {
    init() {}
    func call(depth: Int, ref: CORef<Echo>) -> Int { fatalError("Echo is an interface") }
}

final class EchoImpl: Echo {
    let calls = Atomic<Int>(0)
    override func call(depth: Int, ref: CORef<Echo>) -> Int {
        calls.wrappingAdd(1, ordering: .relaxed)
        return depth == 0 ? 1 : 1 + ref.call { $0.call(depth: depth - 1, ref: ref) }
    }
}

final class EchoState: TransferredState {
    let calls: Int
    init(calls: Int) { self.calls = calls }
}

/// A root with one representative (not a SharedRoot subclass: Embedded Swift cannot
/// specialize a generic class's vtable for a subclass in another module).
final class EchoRoot: RootBase, ObjectRoot {
    let formats: TransferFormats
    let refuse: Bool
    private var rep: EchoImpl? = EchoImpl()
    init(formats: TransferFormats = .test(0), refuse: Bool = false) {
        self.formats = formats
        self.refuse = refuse
        super.init(typeName: "Echo", implementationName: "Impl")
    }
    func representative(forCPU cpu: Int) -> UnsafeMutableRawPointer { Unmanaged.passUnretained(rep!).toOpaque() }
    func cleanup() { rep = nil }
    var representativeCount: Int { rep == nil ? 0 : 1 }
    var theRepresentative: EchoImpl? { rep }
    var calls: Int { rep?.calls.load(ordering: .relaxed) ?? 0 }
    override var exportFormats: TransferFormats { formats }
    override var importFormats: TransferFormats { formats }
    override func exportState(_ format: TransferFormats) -> TransferredState? { EchoState(calls: calls) }
    override func importState(_ format: TransferFormats, _ state: TransferredState?) -> Bool {
        guard !refuse, let s = state as? EchoState else { return false }
        rep?.calls.store(s.calls, ordering: .relaxed)
        return true
    }
}

extension KernelTests {
    /// Starts `work(cpu)` on every online CPU but this one; returns a count of finished workers.
    static func startWorkers(_ work: @escaping (Int) -> Void) -> (finished: SharedAtomic, count: Int) {
        let finished = SharedAtomic(0)
        let others = CPUs.all.filter { $0.online.load(ordering: .acquiring) && $0.index != currentCPU }.map { $0.index }
        for cpu in others { CrossCPU.run(on: cpu) { work(cpu); finished.add(1) } }
        return (finished, others.count)
    }

    /// Every other CPU increments `counter` `times` times, passing a quiescent point after each.
    static func startIncrementing(_ counter: CORef<Counter>, times: Int) -> (finished: SharedAtomic, count: Int) {
        let space = ObjectSpace.shared!
        return startWorkers { cpu in
            for _ in 0..<times {
                counter.increment()
                space.quiescence.pass(cpu: cpu)
            }
        }
    }

    static func implementation(_ id: ObjectID) -> String {
        ObjectSpace.shared.root(of: id)?.implementationName.description ?? "(none)"
    }

    static func swapDuringCallsFromEveryCPU() throws(TestFailure) {
        let space = ObjectSpace.shared!
        let counter = try orFail(CounterPerCPU.create())
        let perWorker = 20_000
        let (finished, workers) = startIncrementing(counter, times: perWorker)
        var swaps = 0, failures = 0, own = 0
        var toShared = true
        while finished.load() < workers || swaps < 50 {
            let root: any ObjectRoot = toShared ? CounterShared.makeRoot() : CounterPerCPU.makeRoot()
            do { _ = try space.swap(counter.id, to: root); swaps += 1 } catch { failures += 1 }
            toShared.toggle()
            for _ in 0..<8 { counter.increment(); own += 1 }
        }
        try expect(failures == 0, "\(failures) swaps failed")
        let expected = workers * perWorker + own
        try expect(counter.value() == expected, "value \(counter.value()), expected \(expected) after \(swaps) swaps")
        try orFail(counter.destroy())
    }

    static func recursiveCallsDuringSwap() throws(TestFailure) {
        let space = ObjectSpace.shared!
        let ref = try orFail(CORef<Echo>.create(EchoRoot()))
        let wrong = SharedAtomic(0)
        let rounds = 2_000
        let (finished, workers) = startWorkers { cpu in
            for _ in 0..<rounds {
                if ref.call({ $0.call(depth: 4, ref: ref) }) != 5 { wrong.add(1) }
                space.quiescence.pass(cpu: cpu)
            }
        }
        var swaps = 0
        while finished.load() < workers || swaps < 10 {
            do { _ = try space.swap(ref.id, to: EchoRoot()); swaps += 1 } catch { try expect(false, "swap failed: \(error)") }
        }
        try expect(wrong.load() == 0, "\(wrong.load()) recursive calls returned the wrong depth")
        let calls = ref.call { ($0 as! EchoImpl).calls.load(ordering: .relaxed) }
        try expect(calls == workers * rounds * 5, "calls carried through \(swaps) swaps: \(calls), expected \(workers * rounds * 5)")
        try orFail(ref.destroy())
    }

    static func failedNegotiation() throws(TestFailure) {
        let space = ObjectSpace.shared!
        let oldRoot = EchoRoot(formats: .test(0))
        let ref = try orFail(CORef<Echo>.create(oldRoot))
        _ = ref.call { $0.call(depth: 1, ref: ref) }
        var error: ObjectError? = nil
        do { _ = try space.swap(ref.id, to: EchoRoot(formats: .test(1))) } catch let e { error = e }
        try expect(error == .noCommonFormat, "swap without a common format: \(error.map { $0.description } ?? "succeeded")")
        try expect(space.gateKind(ref.id) == nil && space.root(of: ref.id) === oldRoot, "the old object is not in place")
        error = nil
        do { _ = try space.swap(ref.id, to: EchoRoot(refuse: true)) } catch let e { error = e }
        try expect(error == .transferFailed, "refused transfer: \(error.map { $0.description } ?? "succeeded")")
        try expect(space.root(of: ref.id) === oldRoot, "a refused transfer replaced the old object")
        _ = ref.call { $0.call(depth: 0, ref: ref) }
        try expect(oldRoot.calls == 3, "old object's calls \(oldRoot.calls), expected 3")
        try orFail(ref.destroy())
    }

    static func lazyUpgradeOfTenThousand() throws(TestFailure) {
        let space = ObjectSpace.shared!
        let factory = ObjectFactory(typeName: "Counter")
        var refs: [CORef<Counter>] = []
        for i in 0..<10_000 {
            let root = CounterPerCPU.makeRoot()
            root.factory = factory
            let ref = try orFail(CORef<Counter>.create(root))
            ref.add(i)
            refs.append(ref)
        }
        let result = factory.upgradeAll(lazily: true) { _ in CounterShared.makeRoot() }
        try expect(result.upgraded == 10_000 && result.refused == 0, "upgrade set \(result.upgraded), refused \(result.refused)")
        try expect(refs.allSatisfy { space.isSwapping($0.id) }, "an instance changed before its next call")
        // After the grace period, the next call to each instance performs its swap. Each CPU
        // calls its share of the first half once; the untouched half stays pending.
        let marker = space.quiescence.marker()
        try expect(waitUntil { space.quiescence.hasElapsed(marker) }, "no grace period")
        let cpus = CPUs.onlineCount
        let used = Array(refs[0..<5_000])
        CrossCPU.runEverywhere { cpu in
            var i = cpu
            while i < used.count { used[i].increment(); i += cpus }
        }
        var wrong = 0, notUpgraded = 0, changedEarly = 0
        for (i, ref) in refs.enumerated() {
            if i < 5_000 {
                if implementation(ref.id) != "Shared" || space.isSwapping(ref.id) { notUpgraded += 1 }
                if ref.value() != i + 1 { wrong += 1 }
            } else {
                if !space.isSwapping(ref.id) || implementation(ref.id) != "PerCPU" { changedEarly += 1 }
                if ref.value() != i { wrong += 1 }              // this call upgrades it
            }
        }
        try expect(notUpgraded == 0, "\(notUpgraded) called instances not upgraded")
        try expect(changedEarly == 0, "\(changedEarly) untouched instances changed before their next call")
        try expect(refs.allSatisfy { implementation($0.id) == "Shared" }, "not every instance was upgraded")
        try expect(wrong == 0, "\(wrong) values lost in the upgrade")
        for ref in refs { try orFail(ref.destroy()) }
        try expect(factory.count == 0, "factory still lists \(factory.count) instances")
    }

    static func interposerUnderLoad() throws(TestFailure) {
        let space = ObjectSpace.shared!
        let counter = try orFail(CounterPerCPU.create())
        let perWorker = 20_000
        let (finished, workers) = startIncrementing(counter, times: perWorker)
        let monitor = CallMonitor(cpus: space.maxCPUs)
        try orFail(space.interpose(counter.id, with: monitor))
        _ = waitUntil { monitor.totalCalls >= 1_000 || finished.load() == workers }
        let removed = try orFail(space.removeInterposer(counter.id))
        _ = waitUntil { finished.load() == workers }
        try expect(removed === monitor && monitor.totalCalls > 0, "the interposer saw no calls")
        try expect(space.gateKind(counter.id) == nil, "the interposer is still in place")
        try expect(counter.value() == workers * perWorker, "value \(counter.value()), expected \(workers * perWorker)")
        try expect(space.isCached(counter.id, cpu: currentCPU), "calls do not take the fast path again")
        try orFail(counter.destroy())
    }

    static func adaptiveCounter() throws(TestFailure) {
        let counter = try orFail(CounterShared.create(adaptive: true))
        guard CPUs.onlineCount >= 2 else { return }
        // CPUs 0 and 1 take turns: every update moves the line; no reads.
        let turn = SharedAtomic(0)
        let rounds = 2_048
        CrossCPU.run(on: 1) {
            for _ in 0..<rounds {
                while turn.load() != 1 { k42_cpu_relax() }
                counter.increment()
                turn.store(0)
            }
        }
        for _ in 0..<rounds {
            while turn.load() != 0 { k42_cpu_relax() }
            counter.increment()
            turn.store(1)
        }
        while turn.load() != 0 { k42_cpu_relax() }
        var total = 2 * rounds
        let distributed = waitUntil { counter.increment(); total += 1; return implementation(counter.id) == "PerCPU(adaptive)" }
        try expect(distributed, "a write-shared counter stayed \(implementation(counter.id))")
        // Now reads dominate: it goes back to one shared representative.
        let shared = waitUntil { _ = counter.value(); return implementation(counter.id) == "Shared(adaptive)" }
        try expect(shared, "a read-mostly counter stayed \(implementation(counter.id))")
        try expect(counter.value() == total, "value \(counter.value()), expected \(total)")
        try orFail(counter.destroy())
    }
}
#endif
