// The Counter interface: the base class every counter representative derives from, so that
// callers hold a CORef<Counter> and never know which implementation serves them. Counters
// register with `Counter.factory`, so a dynamic upgrade can replace them all.
import Synchronization

open class Counter {
    public init() {}
    open func increment() { fatalError("Counter is an interface") }
    open func decrement() { fatalError("Counter is an interface") }
    open func add(_ delta: Int) { fatalError("Counter is an interface") }
    /// The counter's value: on a distributed counter, a gather across representatives.
    open func value() -> Int { fatalError("Counter is an interface") }

    /// Every counter made through CounterPerCPU.create or CounterShared.create, and the
    /// implementations a swap or upgrade can choose by name.
    nonisolated(unsafe) public static let factory: ObjectFactory = {
        let f = ObjectFactory(typeName: "Counter", register: true)
        f.addImplementation("Shared") { _ in CounterShared.makeRoot() }
        f.addImplementation("PerCPU") { _ in CounterPerCPU.makeRoot() }
        f.addImplementation("Shared(adaptive)") { _ in CounterShared.makeRoot(adaptive: true) }
        f.addImplementation("PerCPU(adaptive)") { _ in CounterPerCPU.makeRoot(adaptive: true) }
        return f
    }()
}

extension CORef where Interface == Counter {
    @inline(__always) public func increment() { call { $0.increment() } }
    @inline(__always) public func decrement() { call { $0.decrement() } }
    @inline(__always) public func add(_ delta: Int) { call { $0.add(delta) } }
    public func value() -> Int { call { $0.value() } }
}
