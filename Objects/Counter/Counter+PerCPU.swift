// The distributed counter: one representative per CPU (or per cluster of CPUs), each
// counting locally; `value` gathers over all representatives through the root. Increments
// touch only this CPU's cache line (an atomic add on a line no other CPU writes, since with
// clusters several CPUs may share one representative). Its root exports and imports the
// value (`.counterValue`): a value taken over from a swap is the root's base.
import Synchronization

public final class CounterPerCPU: Counter {
    let count = Atomic<Int>(0)
    /// Updates through this representative (for the adaptive policy).
    let updates = Atomic<Int>(0)
    unowned(unsafe) let root: CounterPerCPURoot

    init(root: CounterPerCPURoot) { self.root = root }

    override public func increment() { add(1) }
    override public func decrement() { add(-1) }
    override public func add(_ delta: Int) {
        count.wrappingAdd(delta, ordering: .relaxed)
        if root.adaptive { updates.wrappingAdd(1, ordering: .relaxed) }
    }
    override public func value() -> Int {
        let total = root.gather()
        if root.adaptive { root.noteRead() }
        return total
    }

    /// Makes a distributed counter with one representative per `clusterSize` CPUs; an
    /// adaptive one swaps itself to the shared implementation when reads dominate.
    public static func create(clusterSize: Int = 1, adaptive: Bool = false) throws(ObjectError) -> CORef<Counter> {
        try CORef<Counter>.create(makeRoot(clusterSize: clusterSize, adaptive: adaptive))
    }

    /// A root for a new or replacement distributed counter.
    public static func makeRoot(clusterSize: Int = 1, adaptive: Bool = false) -> CounterPerCPURoot {
        CounterPerCPURoot(maxCPUs: ObjectSpace.shared.maxCPUs, clusterSize: clusterSize, adaptive: adaptive)
    }
}

public final class CounterPerCPURoot: ClusteredRoot<Counter> {
    let adaptive: Bool
    /// The value taken over from the implementation this one replaced.
    private var base = 0
    private let reads = Atomic<Int>(0)
    private let updatesAtLastCheck = Atomic<Int>(0)

    /// The representatives' way back to their root, unretained (the root owns them).
    private final class Back { unowned(unsafe) var root: CounterPerCPURoot? = nil }

    init(maxCPUs: Int, clusterSize: Int, adaptive: Bool) {
        self.adaptive = adaptive
        let back = Back()
        super.init(maxCPUs: maxCPUs, clusterSize: clusterSize, typeName: "Counter",
                   implementationName: adaptive ? "PerCPU(adaptive)" : "PerCPU") { _ in CounterPerCPU(root: back.root!) }
        back.root = self
        factory = Counter.factory
    }

    func gather() -> Int {
        var total = base
        forEachRepresentative { total &+= ($0 as! CounterPerCPU).count.load(ordering: .relaxed) }
        return total
    }

    /// Every 16 reads: if fewer than 8 updates per read happened since the last check, a
    /// gather per read costs more than the shared counter's contention would: swap.
    func noteRead() {
        let n = reads.wrappingAdd(1, ordering: .relaxed).newValue
        guard n % 16 == 0 else { return }
        var updates = 0
        forEachRepresentative { updates &+= ($0 as! CounterPerCPU).updates.load(ordering: .relaxed) }
        let previous = updatesAtLastCheck.exchange(updates, ordering: .relaxed)
        if updates - previous < 16 * 8 {
            _ = try? ObjectSpace.shared.requestSwap(id, to: CounterShared.makeRoot(adaptive: true))
        }
    }

    override public var exportFormats: TransferFormats { [.counterValue, .none] }
    override public var importFormats: TransferFormats { [.counterValue, .none] }
    override public func exportState(_ format: TransferFormats) -> TransferredState? {
        format == .counterValue ? CounterValueState(value: gather()) : nil
    }
    override public func importState(_ format: TransferFormats, _ state: TransferredState?) -> Bool {
        if format == .none { return true }
        guard let value = state as? CounterValueState else { return false }
        base = value.value
        return true
    }
}

/// The shared counter: one representative, one atomic count.
public final class CounterShared: Counter {
    let count = Atomic<Int>(0)
    let adaptive: Bool
    /// Adaptive bookkeeping: updates, updates from a CPU other than the previous one, reads.
    private let updates = Atomic<Int>(0)
    private let crossings = Atomic<Int>(0)
    private let reads = Atomic<Int>(0)
    private let lastCPU = Atomic<Int>(-1)
    unowned(unsafe) var root: CounterSharedRoot? = nil

    init(adaptive: Bool) { self.adaptive = adaptive }

    override public func increment() { add(1) }
    override public func decrement() { add(-1) }
    override public func add(_ delta: Int) {
        count.wrappingAdd(delta, ordering: .relaxed)
        if adaptive { noteUpdate() }
    }
    override public func value() -> Int {
        if adaptive { reads.wrappingAdd(1, ordering: .relaxed) }
        return count.load(ordering: .relaxed)
    }

    /// Every 1024 updates: if a quarter of them moved the line from another CPU and reads are
    /// rare (under one per 8 updates), the distributed counter is the better choice: swap.
    private func noteUpdate() {
        let cpu = currentCPU
        if lastCPU.exchange(cpu, ordering: .relaxed) != cpu { crossings.wrappingAdd(1, ordering: .relaxed) }
        let n = updates.wrappingAdd(1, ordering: .relaxed).newValue
        guard n % 1024 == 0 else { return }
        let crossed = crossings.exchange(0, ordering: .relaxed)
        let read = reads.exchange(0, ordering: .relaxed)
        if crossed * 4 >= 1024 && read * 8 < 1024, let root {
            _ = try? ObjectSpace.shared.requestSwap(root.id, to: CounterPerCPU.makeRoot(adaptive: true))
        }
    }

    public static func create(adaptive: Bool = false) throws(ObjectError) -> CORef<Counter> {
        try CORef<Counter>.create(makeRoot(adaptive: adaptive))
    }

    /// A root for a new or replacement shared counter.
    public static func makeRoot(adaptive: Bool = false) -> CounterSharedRoot {
        let rep = CounterShared(adaptive: adaptive)
        let root = CounterSharedRoot(rep, typeName: "Counter", implementationName: adaptive ? "Shared(adaptive)" : "Shared")
        rep.root = root
        root.factory = Counter.factory
        return root
    }
}

public final class CounterSharedRoot: SharedRoot<Counter> {
    override public var exportFormats: TransferFormats { [.counterValue, .none] }
    override public var importFormats: TransferFormats { [.counterValue, .none] }
    override public func exportState(_ format: TransferFormats) -> TransferredState? {
        guard format == .counterValue, let rep = theRepresentative as? CounterShared else { return nil }
        return CounterValueState(value: rep.count.load(ordering: .relaxed))
    }
    override public func importState(_ format: TransferFormats, _ state: TransferredState?) -> Bool {
        if format == .none { return true }
        guard let value = state as? CounterValueState, let rep = theRepresentative as? CounterShared else { return false }
        rep.count.store(value.value, ordering: .relaxed)
        return true
    }
}
