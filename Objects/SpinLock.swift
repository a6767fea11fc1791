// The kernel's basic lock: a test-and-test-and-set spinlock on Synchronization.Atomic, the
// only mutual exclusion Embedded Swift on bare metal offers (no Mutex; research
// embedded-swift.md 1). Locks here guard slow paths only (misses, id partitions, the global
// frame pool); hot paths are per-CPU and lock-free by design (DESIGN.md 1.2). Trace class
// `lock`: an acquisition that waited logs `lock:contended` (ticks waited, call site). Class
// `lockhold`: every acquisition logs `lockhold:acquire` (call site, ticks waited) and every
// release `lockhold:release` (ticks held); k42-trace locks reports both. Off, lock() and
// unlock() each pay one disabled trace point (a load, test and branch).
import Platform
import Synchronization
import Trace

/// A spinlock. Hold it briefly; it disables nothing by itself (see `withLockIRQSave`).
public final class SpinLock: @unchecked Sendable {
    private let word = Atomic<Bool>(false)
    /// Acquisitions that found the lock held (for the trace's lock report).
    public let contendedCount = Atomic<Int>(0)
    /// When the holder took the lock (clock ticks), 0 if its acquisition was not traced. Only the
    /// holder touches it; atomic (relaxed) so that is all it costs.
    private let acquiredAt = Atomic<UInt64>(0)

    public init() {}

    @inline(__always)
    public func lock() {
        if word.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged {
            if traceEnabled(.lockHold) { traceAcquired(waited: 0) }
            return
        }
        lockContended()
    }

    /// An uncontended acquisition, traced: the call site of `lock()` is our return address.
    @inline(never)
    private func traceAcquired(waited: UInt64) {
        let now = k42_timestamp()
        acquiredAt.store(now | 1, ordering: .relaxed)   // never 0, even at tick 0
        trace(LockHoldEvent.acquire, traceID, UInt64(UInt(bitPattern: k42_return_address())), waited)
    }

    private var traceID: UInt64 { UInt64(UInt(bitPattern: ObjectIdentifier(self))) }

    /// The wait, out of line: the call site of `lock()` is this function's return address.
    @inline(never)
    private func lockContended() {
        contendedCount.wrappingAdd(1, ordering: .relaxed)
        let start = traceEnabled(.lock) || traceEnabled(.lockHold) ? k42_timestamp() : 0   // the clock only when traced
        repeat {
            while word.load(ordering: .relaxed) { k42_cpu_relax() }
        } while !word.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        if start != 0 {
            let now = k42_timestamp(), caller = UInt64(UInt(bitPattern: k42_return_address()))
            trace(LockEvent.contended, traceID, now &- start, caller)
            if traceEnabled(.lockHold) {
                acquiredAt.store(now | 1, ordering: .relaxed)
                trace(LockHoldEvent.acquire, traceID, caller, now &- start)
            }
        }
    }

    @inline(__always)
    public func tryLock() -> Bool {
        guard word.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            return false
        }
        if traceEnabled(.lockHold) { traceAcquired(waited: 0) }
        return true
    }

    @inline(__always)
    public func unlock() {
        if _slowPath(acquiredAt.load(ordering: .relaxed) != 0) { traceReleased() }
        word.store(false, ordering: .releasing)
    }

    /// A traced acquisition ends: log how long the lock was held (still held here).
    @inline(never)
    private func traceReleased() {
        let held = k42_timestamp() &- acquiredAt.exchange(0, ordering: .relaxed)
        trace(LockHoldEvent.release, traceID, held)
    }

    @inline(__always)
    public func withLock<T>(_ body: () -> T) -> T {
        lock(); defer { unlock() }
        return body()
    }

    /// Takes the lock with interrupts off on this CPU, for data an interrupt handler may touch.
    @inline(__always)
    public func withLockIRQSave<T>(_ body: () -> T) -> T {
        let flags = k42_irq_save()
        lock()
        defer { unlock(); k42_irq_restore(flags) }
        return body()
    }
}

/// Runs `body` with interrupts off on this CPU: the guard for per-CPU data that interrupt
/// handlers on the same CPU also use (Linux's local_irq_save).
@inline(__always)
public func withInterruptsDisabled<T>(_ body: () -> T) -> T {
    let flags = k42_irq_save()
    defer { k42_irq_restore(flags) }
    return body()
}

/// The current CPU's number (0 = boot CPU).
@inline(__always)
public var currentCPU: Int { Int(k42_cpu_id()) }

/// An atomic integer with reference semantics, for sharing between closures that run on
/// different CPUs (Atomic itself is noncopyable and cannot be captured by escaping closures).
public final class SharedAtomic: @unchecked Sendable {
    public let value: Atomic<Int>
    public init(_ initial: Int = 0) { value = Atomic<Int>(initial) }
    @inline(__always) public func load() -> Int { value.load(ordering: .acquiring) }
    @inline(__always) public func store(_ v: Int) { value.store(v, ordering: .releasing) }
    @inline(__always) public func add(_ d: Int) { value.wrappingAdd(d, ordering: .acquiringAndReleasing) }
}
