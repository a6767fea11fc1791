// Interposition (K42's arbiter objects, research k42.md 3): a wrapper in the object's gate
// that sees every call before and after it runs. Works on any clustered object without
// knowing its interface, because it wraps the call through CORef's slow path rather than the
// methods; an object without an interposer is called exactly as before (no cost when absent).
// `CallMonitor` counts calls and times them, per CPU, with no shared line written per call.
import Platform
import Synchronization

open class Interposer: ObjectGate {
    private(set) var root: (any ObjectRoot)? = nil
    /// This CPU's representative of the wrapped object (cached; owner CPU only).
    private var reps: UnsafeMutablePointer<UnsafeMutableRawPointer?>? = nil
    static let stride = 8                        // one cache line per CPU

    public init() { super.init(kind: .interposer) }

    deinit { reps?.deallocate() }

    func attach(root: any ObjectRoot, cpus: Int) {
        self.root = root
        let table = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: cpus * Interposer.stride)
        table.initialize(repeating: nil, count: cpus * Interposer.stride)
        reps = table
    }

    @inline(__always)
    func representative(cpu: Int) -> UnsafeMutableRawPointer {
        let slot = reps.unsafelyUnwrapped + cpu * Interposer.stride
        if let rep = slot.pointee { return rep }
        let rep = root.unsafelyUnwrapped.representative(forCPU: cpu)
        slot.pointee = rep
        return rep
    }

    /// Before the call; the value returned comes back to `leave`.
    open func enter(cpu: Int) -> UInt64 { 0 }
    /// After the call.
    open func leave(cpu: Int, started: UInt64) {}
    /// Calls seen so far (for the trace and /proc).
    open var totalCalls: UInt64 { 0 }
    /// One line on what it recorded.
    open var report: String { "" }
}

/// Counts and times every call, per CPU: calls, total and longest duration in timestamp ticks.
public final class CallMonitor: Interposer {
    private let counters: UnsafeMutablePointer<Atomic<UInt64>>
    private let cpus: Int
    private static let calls = 0, ticks = 1, longest = 2

    public init(cpus: Int) {
        self.cpus = cpus
        counters = .allocate(capacity: cpus * Interposer.stride)
        for i in 0..<(cpus * Interposer.stride) { (counters + i).initialize(to: Atomic<UInt64>(0)) }
        super.init()
    }

    deinit { counters.deallocate() }

    override public func enter(cpu: Int) -> UInt64 { k42_timestamp() }

    override public func leave(cpu: Int, started: UInt64) {
        let elapsed = k42_timestamp() &- started
        let base = counters + cpu * Interposer.stride
        // Atomic adds on this CPU's own line: an interrupt on this CPU may count a call too.
        base[CallMonitor.calls].wrappingAdd(1, ordering: .relaxed)
        base[CallMonitor.ticks].wrappingAdd(elapsed, ordering: .relaxed)
        if elapsed > base[CallMonitor.longest].load(ordering: .relaxed) {
            base[CallMonitor.longest].store(elapsed, ordering: .relaxed)
        }
    }

    private func sum(_ field: Int) -> UInt64 {
        var total: UInt64 = 0
        for c in 0..<cpus { total &+= counters[c * Interposer.stride + field].load(ordering: .relaxed) }
        return total
    }

    /// Calls on `cpu`.
    public func calls(cpu: Int) -> UInt64 { counters[cpu * Interposer.stride + CallMonitor.calls].load(ordering: .relaxed) }

    override public var totalCalls: UInt64 { sum(CallMonitor.calls) }
    public var totalTicks: UInt64 { sum(CallMonitor.ticks) }
    public var longestTicks: UInt64 {
        var m: UInt64 = 0
        for c in 0..<cpus { m = max(m, counters[c * Interposer.stride + CallMonitor.longest].load(ordering: .relaxed)) }
        return m
    }

    override public var report: String {
        let n = totalCalls
        return "calls \(n) mean_ticks \(n == 0 ? 0 : totalTicks / n) max_ticks \(longestTicks)"
    }
}
