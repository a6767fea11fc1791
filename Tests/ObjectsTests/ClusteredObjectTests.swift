// Hosted tests of the clustered-object runtime with simulated CPUs as threads: lazy
// representatives, exact counts under concurrency, standard roots, quiescence-deferred
// destruction and id reuse. One serialized suite: ObjectSpace.shared is process-wide.
import Foundation
import K42TestSupport
import Objects
import Testing

@Suite(.serialized)
struct ClusteredObjectTests {
    @Test func representativesAreCreatedLazilyPerCPU() throws {
        let (space, cpus) = makeObjectSpace(cpus: 4)
        let counter = try CounterPerCPU.create()
        let root = try #require(space.root(of: counter.id))
        #expect(root.representativeCount == 0)
        cpus.run(cpus: [2]) { _ in counter.increment() }
        #expect(root.representativeCount == 1)
        #expect(space.isCached(counter.id, cpu: 2))
        #expect(!space.isCached(counter.id, cpu: 0))
        #expect(space.misses(cpu: 2) == 1)
        cpus.runOnAll { _ in counter.increment() }
        #expect(root.representativeCount == 4)
        #expect((0..<4).allSatisfy { space.isCached(counter.id, cpu: $0) })
        #expect(counter.value() == 5)
        #expect(space.misses(cpu: 2) == 1, "a cached representative must not miss again")
    }

    @Test func concurrentIncrementsAreExact() throws {
        let (_, cpus) = makeObjectSpace(cpus: 4)
        let perCPU = try CounterPerCPU.create()
        let shared = try CounterShared.create()
        cpus.runOnAll { _ in
            for _ in 0..<50_000 { perCPU.increment(); shared.increment() }
            for _ in 0..<10_000 { perCPU.decrement(); shared.decrement() }
        }
        #expect(perCPU.value() == 4 * 40_000)
        #expect(shared.value() == 4 * 40_000)
    }

    @Test func clusterRootSharesOneRepresentativePerCluster() throws {
        let (space, cpus) = makeObjectSpace(cpus: 6)
        let counter = try CounterPerCPU.create(clusterSize: 4)
        cpus.runOnAll { _ in for _ in 0..<1000 { counter.add(2) } }
        #expect(try #require(space.root(of: counter.id)).representativeCount == 2)
        #expect(counter.value() == 6 * 2000)
        let sharedCounter = try CounterShared.create()
        cpus.runOnAll { _ in sharedCounter.increment() }
        #expect(try #require(space.root(of: sharedCounter.id)).representativeCount == 1)
    }

    final class Probe {
        let destroyed: SharedAtomic
        init(_ d: SharedAtomic) { destroyed = d }
        deinit { destroyed.add(1) }
    }

    @Test func destructionWaitsForEveryCPUToBeQuiescent() throws {
        let (space, cpus) = makeObjectSpace(cpus: 3)
        let destroyed = SharedAtomic()
        let ref = try CORef<Probe>.create(SharedRoot(Probe(destroyed), typeName: "Probe"))
        let inside = SharedAtomic(), release = SharedAtomic(), finished = SharedAtomic()
        cpus.start(cpu: 1) {
            ref.call { _ in
                inside.store(1)
                while release.load() == 0 { usleep(100) }
            }
            space.quiescence.quiescentPoint(cpu: 1)
            finished.store(1)
        }
        #expect(eventually { inside.load() == 1 })
        try ref.destroy()
        #expect(!space.isLive(ref.id))
        // CPUs 0 and 2 pass quiescent points repeatedly; CPU 1 is still inside the call.
        for _ in 0..<50 {
            space.quiescence.quiescentPoint(cpu: 0)
            cpus.run(cpus: [2]) { _ in space.quiescence.quiescentPoint(cpu: 2) }
        }
        #expect(destroyed.load() == 0, "destroyed while a call was in flight on CPU 1")
        release.store(1)
        #expect(eventually { finished.load() == 1 })
        #expect(eventually {
            space.quiescence.quiescentPoint(cpu: 0)
            cpus.run(cpus: [1, 2]) { space.quiescence.quiescentPoint(cpu: $0) }
            return destroyed.load() == 1
        })
        #expect(space.liveObjects.load(ordering: .relaxed) == 0)
    }

    @Test func idsAreReusedOnlyAfterTheGracePeriod() throws {
        let (space, cpus) = makeObjectSpace(cpus: 2)
        let first = try CounterShared.create()
        try first.destroy()
        let second = try CounterShared.create()
        #expect(second.id != first.id)
        for _ in 0..<3 {
            space.quiescence.quiescentPoint(cpu: 0)
            cpus.run(cpus: [1]) { space.quiescence.quiescentPoint(cpu: $0) }
        }
        space.quiescence.quiescentPoint(cpu: 0)
        #expect(space.quiescence.pendingCount(cpu: 0) == 0)
        let third = try CounterShared.create()
        #expect(third.id == first.id)
    }

    @Test func errorsAreReportedNotFatal() throws {
        let (space, _) = makeObjectSpace(cpus: 1, idsPerCPU: 8)
        var made: [CORef<Counter>] = []
        #expect(throws: ObjectError.outOfIDs) {
            for _ in 0..<20 { made.append(try CounterShared.create()) }
        }
        #expect(made.count == 7)                     // id 0 is never handed out
        try made[0].destroy()
        #expect(throws: ObjectError.noSuchObject) { try made[0].destroy() }
        #expect(throws: ObjectError.noSuchObject) { try space.destroy(ObjectID(index: 100_000)) }
    }

    @Test func quiescenceIgnoresOfflineCPUs() {
        let detector = QuiescenceDetector(maxCPUs: 4)
        detector.setOnline(0, true)
        let ran = SharedAtomic()
        detector.deferUntilQuiescent(cpu: 0) { ran.add(1) }
        for _ in 0..<3 { detector.quiescentPoint(cpu: 0) }
        #expect(ran.load() == 1)
        detector.setOnline(1, true)
        detector.deferUntilQuiescent(cpu: 0) { ran.add(1) }
        for _ in 0..<5 { detector.quiescentPoint(cpu: 0) }
        #expect(ran.load() == 1, "CPU 1 is online and has not been quiescent")
        detector.quiescentPoint(cpu: 1)
        detector.quiescentPoint(cpu: 0)
        detector.quiescentPoint(cpu: 1)
        detector.quiescentPoint(cpu: 0)
        #expect(ran.load() == 2)
    }
}
