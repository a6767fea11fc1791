// In-kernel tests of the clustered-object runtime: lazy representatives per CPU, correct
// counts under concurrent increments from every CPU, and destruction only after quiescence.
#if KERNEL_TESTS
import Objects
import Synchronization

extension KernelTests {
    static func smpAllOnline() throws(TestFailure) {
        try expect(CPUs.onlineCount == CPUs.count, "\(CPUs.onlineCount) of \(CPUs.count) CPUs online")
        var seen: [Int] = []
        let lock = SpinLock()
        CrossCPU.runEverywhere { cpu in
            let id = currentCPU
            lock.withLockIRQSave { seen.append(id) }
            _ = cpu
        }
        try expect(seen.sorted() == Array(0..<CPUs.count), "CPUs that ran work: \(list(seen.sorted()))")
    }

    static func clockMonotonic() throws(TestFailure) {
        let bad = SharedAtomic(0)
        CrossCPU.runEverywhere { _ in
            var last = Clock.nanoseconds()
            for _ in 0..<10_000 {
                let now = Clock.nanoseconds()
                if now < last { bad.add(1) }
                last = now
            }
        }
        try expect(bad.load() == 0, "clock went backwards \(bad.load()) times")
    }

    static func timerTicksEveryCPU() throws(TestFailure) {
        let before = CPUs.all.map { $0.ticks.load(ordering: .relaxed) }
        let ok = waitUntil(seconds: 5) {
            CPUs.all.enumerated().allSatisfy { $0.element.ticks.load(ordering: .relaxed) >= before[$0.offset] + 3 }
        }
        try expect(ok, "ticks did not advance on every CPU: \(list(CPUs.all.map { Int($0.ticks.load(ordering: .relaxed)) }))")
    }

    static func lazyRepresentatives() throws(TestFailure) {
        let counter = try orFail(CounterPerCPU.create())
        let space = ObjectSpace.shared!
        let root = space.root(of: counter.id)!
        try expect(root.representativeCount == 0, "representatives before first use: \(root.representativeCount)")
        for c in 0..<CPUs.count { try expect(!space.isCached(counter.id, cpu: c), "CPU \(c) cached before use") }
        counter.increment()
        try expect(root.representativeCount == 1, "after one call on CPU 0: \(root.representativeCount) reps")
        try expect(space.isCached(counter.id, cpu: 0), "CPU 0 did not cache its representative")
        for c in 1..<max(CPUs.count, 1) { try expect(!space.isCached(counter.id, cpu: c), "CPU \(c) cached early") }
        CrossCPU.runEverywhere { _ in counter.increment() }
        try expect(root.representativeCount == CPUs.count, "reps after every CPU called: \(root.representativeCount)")
        for c in 0..<CPUs.count { try expect(space.isCached(counter.id, cpu: c), "CPU \(c) not cached") }
        try expect(counter.value() == CPUs.count + 1, "value \(counter.value())")
        try orFail(counter.destroy())
    }

    static func concurrentIncrements() throws(TestFailure) {
        let counter = try orFail(CounterPerCPU.create())
        let perCPU = 200_000
        CrossCPU.runEverywhere { _ in
            for _ in 0..<perCPU { counter.increment() }
            for _ in 0..<(perCPU / 2) { counter.decrement() }
        }
        let expected = CPUs.count * (perCPU - perCPU / 2)
        try expect(counter.value() == expected, "value \(counter.value()), expected \(expected)")
        try orFail(counter.destroy())
    }

    static func sharedCounter() throws(TestFailure) {
        let counter = try orFail(CounterShared.create())
        CrossCPU.runEverywhere { _ in for _ in 0..<50_000 { counter.increment() } }
        try expect(counter.value() == CPUs.count * 50_000, "value \(counter.value())")
        let root = ObjectSpace.shared.root(of: counter.id)!
        try expect(root.representativeCount == 1, "shared counter has \(root.representativeCount) reps")
        try orFail(counter.destroy())
    }

    static func clusterRoot() throws(TestFailure) {
        let counter = try orFail(CounterPerCPU.create(clusterSize: 2))
        CrossCPU.runEverywhere { _ in for _ in 0..<10_000 { counter.increment() } }
        let root = ObjectSpace.shared.root(of: counter.id)!
        try expect(root.representativeCount == (CPUs.count + 1) / 2, "cluster reps \(root.representativeCount)")
        try expect(counter.value() == CPUs.count * 10_000, "value \(counter.value())")
        try orFail(counter.destroy())
    }

    /// A representative that reports its own destruction.
    final class Probe {
        let destroyed: SharedAtomic
        init(_ flag: SharedAtomic) { destroyed = flag }
        deinit { destroyed.add(1) }
    }

    static func destroyAfterQuiescence() throws(TestFailure) {
        guard CPUs.count > 1 else { return }
        let destroyed = SharedAtomic(0)
        let inCall = SharedAtomic(0)
        let release = SharedAtomic(0)
        let ref = try orFail(CORef<Probe>.create(SharedRoot(Probe(destroyed), typeName: "Probe")))
        // CPU 1 enters a call on the object and stays inside it: not quiescent.
        CrossCPU.run(on: 1) {
            ref.call { _ in
                inCall.store(1)
                while release.load() == 0 { k42_cpu_relax() }
            }
        }
        try expect(waitUntil { inCall.load() != 0 }, "CPU 1 never entered the call")
        try orFail(ref.destroy())
        _ = waitUntil(seconds: 1) { destroyed.load() != 0 }
        try expect(destroyed.load() == 0, "destroyed while CPU 1 was inside a call")
        try expect(!ObjectSpace.shared.isLive(ref.id), "id still live after destroy")
        release.store(1)        // CPU 1 returns to its idle loop: quiescent
        try expect(waitUntil { destroyed.load() == 1 }, "not destroyed after quiescence")
    }

    static func idReuseAfterGracePeriod() throws(TestFailure) {
        let space = ObjectSpace.shared!
        let first = try orFail(CounterShared.create())
        try orFail(first.destroy())
        let second = try orFail(CounterShared.create())
        try expect(second.id != first.id, "id \(first.id) reused before its grace period")
        let freed = waitUntil { space.quiescence.pendingCount(cpu: 0) == 0 }
        try expect(freed, "grace period never ended")
        let third = try orFail(CounterShared.create())
        try expect(third.id == first.id, "id not reused after the grace period (got \(third.id))")
        try orFail(second.destroy())
        try orFail(third.destroy())
    }

    static func interruptStatistics() throws(TestFailure) {
        guard let stats = KernelStatistics.interrupts else { throw TestFailure(message: "no statistics object") }
        let root = ObjectSpace.shared.root(of: stats.id)!
        try expect(root.representativeCount == CPUs.count, "statistics reps \(root.representativeCount), CPUs \(CPUs.count)")
        let total = stats.call { $0.total(Vector.timer) }
        let ticks = CPUs.all.reduce(UInt64(0)) { $0 + $1.ticks.load(ordering: .relaxed) }
        try expect(total > 0 && total + UInt64(CPUs.count) * 2 >= ticks, "timer interrupts \(total), ticks \(ticks)")
    }

    static func orFail<T>(_ body: @autoclosure () throws(ObjectError) -> T) throws(TestFailure) -> T {
        do { return try body() } catch { throw TestFailure(message: "object error \(error)") }
    }
}
#endif
