// Where event timestamps come from. Writers are generic over a clock type so that the kernel and
// hosted code use Platform's k42_timestamp() (RDTSC, or CLOCK_MONOTONIC ns when hosted) at no
// cost, while tests and the synthetic-trace generator substitute a clock they control (to cross
// many 32-bit wraps in microseconds). Specialization makes the call a direct inline read.
import Platform
import Synchronization

/// A source of monotonic 64-bit timestamps, read inside the reserve loop (TraceLog).
public protocol TraceClock {
    static func now() -> UInt64
}

/// The machine clock: RDTSC in the kernel, CLOCK_MONOTONIC nanoseconds when hosted.
public enum PlatformClock: TraceClock {
    @inlinable @inline(__always) public static func now() -> UInt64 { k42_timestamp() }
}

/// A clock the caller drives: tests and `k42-trace synth` set and advance it. Shared by all
/// threads; each read also ticks it by `autoStep`, so successive reads differ like a real clock.
public enum ManualClock: TraceClock {
    @usableFromInline static let current = Atomic<UInt64>(0)
    @usableFromInline static let step = Atomic<UInt64>(1)

    @inlinable @inline(__always) public static func now() -> UInt64 {
        current.wrappingAdd(step.load(ordering: .relaxed), ordering: .relaxed).oldValue
    }
    public static func set(_ value: UInt64) { current.store(value, ordering: .relaxed) }
    public static func advance(by ticks: UInt64) { current.wrappingAdd(ticks, ordering: .relaxed) }
    /// Ticks added on every read (default 1).
    public static func setAutoStep(_ ticks: UInt64) { step.store(ticks, ordering: .relaxed) }
    public static var value: UInt64 { current.load(ordering: .relaxed) }
}
