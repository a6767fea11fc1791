// futex(2): the kernel half of glibc's mutexes, condition variables, barriers and
// pthread_join. Waiters queue on a hashed bucket keyed by (address space, user address): 64
// buckets, each with its own lock, so unrelated futexes never share a lock. The value check
// and the enqueue happen under the bucket lock, so a wake between them is never lost.
// FUTEX_WAIT(_BITSET), WAKE(_BITSET), REQUEUE, CMP_REQUEUE; PRIVATE and CLOCK_REALTIME flags.
// Not yet: priority-inheritance futexes (glibc uses them only for PI mutexes), WAKE_OP, and
// futexes shared between processes through MAP_SHARED memory (keyed per address space here).
import LinuxABI
import Memory
import Objects

enum Futex {
    final class Waiter {
        let thread: Thread
        var space: ObjectIdentifier
        var address: UInt64
        let bitset: UInt32
        var woken = false
        init(thread: Thread, space: ObjectIdentifier, address: UInt64, bitset: UInt32) {
            self.thread = thread; self.space = space; self.address = address; self.bitset = bitset
        }
    }

    final class Bucket {
        let lock = SpinLock()
        var waiters: [Waiter] = []
    }

    nonisolated(unsafe) static var buckets: [Bucket] = (0..<64).map { _ in Bucket() }

    static func bucket(_ space: ObjectIdentifier, _ address: UInt64) -> Bucket {
        let h = (UInt64(UInt(bitPattern: space.hashValue)) &* 0x9E37_79B9_7F4A_7C15) ^ (address >> 2)
        return buckets[Int(h % 64)]
    }

    /// FUTEX_WAIT: sleeps while *address == expected, until woken, the deadline, or a signal.
    static func wait(process: Process, address: UInt64, expected: UInt32, bitset: UInt32, deadline: UInt64?) throws(Errno) {
        guard address & 3 == 0 else { throw .EINVAL }
        guard bitset != 0 else { throw .EINVAL }
        let me = Scheduler.current
        let space = ObjectIdentifier(process.addressSpace)
        let b = bucket(space, address)
        let waiter = Waiter(thread: me, space: space, address: address, bitset: bitset)
        b.lock.lock()
        let current: UInt32
        do { current = try UserMemory.read(address, as: UInt32.self) } catch { b.lock.unlock(); throw error }
        guard current == expected else { b.lock.unlock(); throw .EAGAIN }
        b.waiters.append(waiter)
        b.lock.unlock()
        if let d = deadline { Timers.wake(me, at: d) }
        defer { if deadline != nil { Timers.cancel(me) } }
        while true {
            if b.lock.withLockIRQSave({ waiter.woken }) { return }
            let timedOut = deadline.map { Clock.nanoseconds() >= $0 } ?? false
            if timedOut || Signals.hasDeliverable(me) {
                let woken: Bool = b.lock.withLockIRQSave {
                    if waiter.woken { return true }
                    b.waiters.removeAll { $0 === waiter }
                    return false
                }
                if woken { return }
                throw timedOut ? .ETIMEDOUT : .ERESTARTSYS
            }
            Scheduler.block()
        }
    }

    /// FUTEX_WAKE: wakes up to `count` waiters on the address whose bitset matches.
    @discardableResult
    static func wake(process: Process, address: UInt64, count: Int, bitset: UInt32) -> Int {
        let space = ObjectIdentifier(process.addressSpace)
        let b = bucket(space, address)
        let woken: [Thread] = b.lock.withLockIRQSave {
            var out: [Thread] = []
            b.waiters.removeAll { w in
                guard out.count < count, w.space == space, w.address == address, w.bitset & bitset != 0 else { return false }
                w.woken = true
                out.append(w.thread)
                return true
            }
            return out
        }
        for t in woken { Scheduler.wake(t) }
        return woken.count
    }

    /// FUTEX_(CMP_)REQUEUE: wakes `wakeCount`, moves up to `requeueCount` more to `target`.
    static func requeue(process: Process, address: UInt64, target: UInt64, wakeCount: Int, requeueCount: Int,
                        expected: UInt32?) throws(Errno) -> Int {
        let space = ObjectIdentifier(process.addressSpace)
        let from = bucket(space, address), to = bucket(space, target)
        // Lock both buckets in a fixed order (by identity) to avoid deadlock.
        let first = ObjectIdentifier(from) < ObjectIdentifier(to) ? from : to
        let second = first === from ? to : from
        first.lock.lock()
        if second !== first { second.lock.lock() }
        defer { if second !== first { second.lock.unlock() }; first.lock.unlock() }
        if let expected {
            let value: UInt32
            do { value = try UserMemory.read(address, as: UInt32.self) } catch { throw error }
            guard value == expected else { throw .EAGAIN }
        }
        var woken: [Thread] = []
        var moved: [Waiter] = []
        from.waiters.removeAll { w in
            guard w.space == space, w.address == address else { return false }
            if woken.count < wakeCount { w.woken = true; woken.append(w.thread); return true }
            if moved.count < requeueCount { moved.append(w); return true }
            return false
        }
        for w in moved { w.address = target; to.waiters.append(w) }
        for t in woken { Scheduler.wake(t) }
        return woken.count + moved.count
    }
}

/// futex(2): uaddr, op, val, timeout (or val2), uaddr2, val3.
func sys_futex(_ a: SyscallArguments) throws(Errno) -> Int {
    let process = currentProcess
    let op = Int32(truncatingIfNeeded: a.a1)
    let command = op & 0x7F                       // without FUTEX_PRIVATE_FLAG (128)
    let realtime = op & 256 != 0                  // FUTEX_CLOCK_REALTIME
    let value = UInt32(truncatingIfNeeded: a.a2)
    switch command {
    case 0, 9:                                    // FUTEX_WAIT, FUTEX_WAIT_BITSET
        var deadline: UInt64? = nil
        if a.a3 != 0 {
            let (s, ns) = try UserMemory.read(a.a3, as: (Int64, Int64).self)
            guard s >= 0, ns >= 0, ns < 1_000_000_000 else { throw .EINVAL }
            let t = saturatingNanoseconds(seconds: s, nanoseconds: ns)
            if command == 0 {
                deadline = Clock.nanoseconds() &+ t            // relative for FUTEX_WAIT
            } else {                                           // absolute for WAIT_BITSET
                let now = realtime ? WallClock.nowNanoseconds() : Clock.nanoseconds()
                deadline = Clock.nanoseconds() &+ (t > now ? t - now : 0)
            }
        }
        let bitset = command == 9 ? UInt32(truncatingIfNeeded: a.a5) : ~0
        try Futex.wait(process: process, address: a.a0, expected: value, bitset: bitset, deadline: deadline)
        return 0
    case 1, 10:                                   // FUTEX_WAKE, FUTEX_WAKE_BITSET
        let bitset = command == 10 ? UInt32(truncatingIfNeeded: a.a5) : ~0
        guard bitset != 0 else { throw .EINVAL }
        return Futex.wake(process: process, address: a.a0, count: Int(min(value, 0x7FFF_FFFF)), bitset: bitset)
    case 3, 4:                                    // FUTEX_REQUEUE, FUTEX_CMP_REQUEUE
        let requeue = Int(min(UInt32(truncatingIfNeeded: a.a3), 0x7FFF_FFFF))
        return try Futex.requeue(process: process, address: a.a0, target: a.a4, wakeCount: Int(min(value, 0x7FFF_FFFF)),
                                 requeueCount: requeue, expected: command == 4 ? UInt32(truncatingIfNeeded: a.a5) : nil)
    default:
        throw .ENOSYS
    }
}
