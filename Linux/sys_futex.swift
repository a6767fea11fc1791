// futex(2): the kernel half of glibc's mutexes, condition variables, barriers and
// pthread_join. Waiters queue on a hashed bucket keyed by a Futex.Key: 64 buckets, each with
// its own lock, so unrelated futexes never share a lock. The value check and the enqueue
// happen under the bucket lock, so a wake between them is never lost. A FUTEX_PRIVATE_FLAG
// futex is keyed by (address space, address); a shared one in a MAP_SHARED region by (the
// region's FCM, byte offset in it), so processes sharing anonymous memory across fork or
// mapping the same file meet on one key (Linux's get_futex_key). PI futexes: sys_futex_pi.swift.
// FUTEX_WAIT(_BITSET), WAKE(_BITSET), REQUEUE, CMP_REQUEUE; PRIVATE and CLOCK_REALTIME flags.
// Not yet: WAKE_OP.
import LinuxABI
import Memory
import Objects

enum Futex {
    /// What a futex word is known by: (address space, address) for private futexes and
    /// non-shared memory, (FCM, byte offset) for MAP_SHARED memory. `anchor` keeps the keyed
    /// object alive while a waiter holds the key, so its identity cannot be reused.
    struct Key {
        let object: ObjectIdentifier
        let offset: UInt64
        let anchor: AnyObject
        static func == (a: Key, b: Key) -> Bool { a.object == b.object && a.offset == b.offset }
    }

    /// The key of `address` in `process` (FUTEX_PRIVATE_FLAG: `isPrivate`).
    static func key(_ process: Process, _ address: UInt64, isPrivate: Bool) -> Key {
        let space = process.addressSpace
        if !isPrivate, let r = space.region(containing: address), r.shared {
            return Key(object: ObjectIdentifier(r.fcm), offset: r.pageIndex(address) * 4096 + address % 4096, anchor: r.fcm)
        }
        return Key(object: ObjectIdentifier(space), offset: address, anchor: space)
    }

    final class Waiter {
        let thread: Thread
        var key: Key
        let bitset: UInt32
        var woken = false
        init(thread: Thread, key: Key, bitset: UInt32) {
            self.thread = thread; self.key = key; self.bitset = bitset
        }
    }

    final class Bucket {
        let lock = SpinLock()
        var waiters: [Waiter] = []
    }

    nonisolated(unsafe) static var buckets: [Bucket] = (0..<64).map { _ in Bucket() }

    static func bucket(_ key: Key) -> Bucket {
        let h = (UInt64(UInt(bitPattern: key.object.hashValue)) &* 0x9E37_79B9_7F4A_7C15) ^ (key.offset >> 2)
        return buckets[Int(h % 64)]
    }

    /// FUTEX_WAIT: sleeps while *address == expected, until woken, the deadline, or a signal.
    static func wait(process: Process, address: UInt64, expected: UInt32, bitset: UInt32, deadline: UInt64?,
                     isPrivate: Bool) throws(Errno) {
        guard address & 3 == 0 else { throw .EINVAL }
        guard bitset != 0 else { throw .EINVAL }
        let me = Scheduler.current
        let k = key(process, address, isPrivate: isPrivate)
        let b = bucket(k)
        let waiter = Waiter(thread: me, key: k, bitset: bitset)
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
    static func wake(process: Process, address: UInt64, count: Int, bitset: UInt32, isPrivate: Bool) -> Int {
        let k = key(process, address, isPrivate: isPrivate)
        let b = bucket(k)
        let woken: [Thread] = b.lock.withLockIRQSave {
            var out: [Thread] = []
            b.waiters.removeAll { w in
                guard out.count < count, w.key == k, w.bitset & bitset != 0 else { return false }
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
                        expected: UInt32?, isPrivate: Bool) throws(Errno) -> Int {
        let fromKey = key(process, address, isPrivate: isPrivate), toKey = key(process, target, isPrivate: isPrivate)
        let from = bucket(fromKey), to = bucket(toKey)
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
            guard w.key == fromKey else { return false }
            if woken.count < wakeCount { w.woken = true; woken.append(w.thread); return true }
            if moved.count < requeueCount { moved.append(w); return true }
            return false
        }
        for w in moved { w.key = toKey; to.waiters.append(w) }
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
    let isPrivate = op & 128 != 0                 // FUTEX_PRIVATE_FLAG
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
        try Futex.wait(process: process, address: a.a0, expected: value, bitset: bitset, deadline: deadline, isPrivate: isPrivate)
        return 0
    case 1, 10:                                   // FUTEX_WAKE, FUTEX_WAKE_BITSET
        let bitset = command == 10 ? UInt32(truncatingIfNeeded: a.a5) : ~0
        guard bitset != 0 else { throw .EINVAL }
        return Futex.wake(process: process, address: a.a0, count: Int(min(value, 0x7FFF_FFFF)), bitset: bitset, isPrivate: isPrivate)
    case 3, 4:                                    // FUTEX_REQUEUE, FUTEX_CMP_REQUEUE
        let requeue = Int(min(UInt32(truncatingIfNeeded: a.a3), 0x7FFF_FFFF))
        return try Futex.requeue(process: process, address: a.a0, target: a.a4, wakeCount: Int(min(value, 0x7FFF_FFFF)),
                                 requeueCount: requeue, expected: command == 4 ? UInt32(truncatingIfNeeded: a.a5) : nil, isPrivate: isPrivate)
    case 6, 13:                                   // FUTEX_LOCK_PI, FUTEX_LOCK_PI2
        var deadline: UInt64? = nil
        if a.a3 != 0 {
            // Absolute: CLOCK_REALTIME for LOCK_PI; for LOCK_PI2 CLOCK_MONOTONIC unless
            // FUTEX_CLOCK_REALTIME.
            let (s, ns) = try UserMemory.read(a.a3, as: (Int64, Int64).self)
            guard s >= 0, ns >= 0, ns < 1_000_000_000 else { throw .EINVAL }
            let t = saturatingNanoseconds(seconds: s, nanoseconds: ns)
            let now = command == 6 || realtime ? WallClock.nowNanoseconds() : Clock.nanoseconds()
            deadline = Clock.nanoseconds() &+ (t > now ? t - now : 0)
        }
        try Futex.lockPI(process: process, address: a.a0, deadline: deadline, tryOnly: false, isPrivate: isPrivate)
        return 0
    case 7:                                       // FUTEX_UNLOCK_PI
        try Futex.unlockPI(process: process, address: a.a0, isPrivate: isPrivate)
        return 0
    case 8:                                       // FUTEX_TRYLOCK_PI
        try Futex.lockPI(process: process, address: a.a0, deadline: nil, tryOnly: true, isPrivate: isPrivate)
        return 0
    default:
        throw .ENOSYS
    }
}
