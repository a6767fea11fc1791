// Kernel statistics as clustered objects (the paper's per-CPU counter put to work): one
// InterruptCounts representative per CPU counts that CPU's interrupts by vector with plain
// stores to its own memory; reading a total gathers over the representatives. Created at
// boot, representatives appear lazily on each CPU's first interrupt.
import Objects
import Synchronization

/// Interrupts taken on one CPU, by vector.
final class InterruptCounts {
    let counts: UnsafeMutablePointer<UInt64>
    unowned(unsafe) var root: ClusteredRoot<InterruptCounts>? = nil

    init() {
        counts = .allocate(capacity: 256)
        counts.initialize(repeating: 0, count: 256)
    }
    deinit { counts.deallocate() }

    @inline(__always) func record(_ vector: Int) { counts[vector & 255] &+= 1 }

    /// Sum over every CPU's representative.
    func total(_ vector: Int) -> UInt64 {
        var sum: UInt64 = 0
        root?.forEachRepresentative { sum &+= $0.counts[vector & 255] }
        return sum
    }

    /// Per-CPU counts for one vector (index = representative creation order is not CPU order,
    /// so the root is asked per CPU).
    func thisCPU(_ vector: Int) -> UInt64 { counts[vector & 255] }
}

enum KernelStatistics {
    nonisolated(unsafe) static var interrupts: CORef<InterruptCounts>? = nil

    static func initialize(maxCPUs: Int) {
        var rootRef: ClusteredRoot<InterruptCounts>? = nil
        let root = ClusteredRoot<InterruptCounts>(maxCPUs: maxCPUs, typeName: "InterruptCounts",
                                                  implementationName: "PerCPU") { _ in
            let rep = InterruptCounts()
            rep.root = rootRef
            return rep
        }
        rootRef = root
        guard let ref = try? CORef<InterruptCounts>.create(root) else { kernelPanic("cannot create interrupt statistics") }
        interrupts = ref
        InterruptHandlers.observer = { vector in ref.call { $0.record(vector) } }
    }
}
