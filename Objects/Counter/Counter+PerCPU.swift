// The distributed counter: one representative per CPU (or per cluster of CPUs), each
// counting locally; `value` gathers over all representatives through the root. Increments
// touch only this CPU's cache line (an atomic add on a line no other CPU writes, since with
// clusters several CPUs may share one representative).
import Synchronization

public final class CounterPerCPU: Counter {
    let count = Atomic<Int>(0)
    unowned(unsafe) var root: ClusteredRoot<Counter>? = nil

    override public func increment() { count.wrappingAdd(1, ordering: .relaxed) }
    override public func decrement() { count.wrappingAdd(-1, ordering: .relaxed) }
    override public func add(_ delta: Int) { count.wrappingAdd(delta, ordering: .relaxed) }
    override public func value() -> Int {
        var total = 0
        root?.forEachRepresentative { total &+= ($0 as! CounterPerCPU).count.load(ordering: .relaxed) }
        return total
    }

    /// Makes a distributed counter with one representative per `clusterSize` CPUs.
    public static func create(clusterSize: Int = 1) throws(ObjectError) -> CORef<Counter> {
        let space = ObjectSpace.shared!
        var rootRef: ClusteredRoot<Counter>? = nil
        let root = ClusteredRoot<Counter>(maxCPUs: space.maxCPUs, clusterSize: clusterSize,
                                          typeName: "Counter", implementationName: "PerCPU") { _ in
            let rep = CounterPerCPU()
            rep.root = rootRef
            return rep
        }
        rootRef = root
        return try CORef.create(root)
    }
}

/// The shared counter: one representative, one atomic count.
public final class CounterShared: Counter {
    let count = Atomic<Int>(0)
    override public func increment() { count.wrappingAdd(1, ordering: .relaxed) }
    override public func decrement() { count.wrappingAdd(-1, ordering: .relaxed) }
    override public func add(_ delta: Int) { count.wrappingAdd(delta, ordering: .relaxed) }
    override public func value() -> Int { count.load(ordering: .relaxed) }

    public static func create() throws(ObjectError) -> CORef<Counter> {
        try CORef.create(SharedRoot<Counter>(CounterShared(), typeName: "Counter"))
    }
}
