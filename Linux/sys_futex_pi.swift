// Priority-inheritance futexes (futex(2) "Priority-inheritance futexes"): the ownership
// protocol glibc's PTHREAD_PRIO_INHERIT mutexes use. The word holds the owner's TID, plus
// FUTEX_WAITERS while threads wait in the kernel; user space takes a free lock with a
// compare-and-swap 0 -> TID and releases it with TID -> 0, calling in only when that fails.
// FUTEX_LOCK_PI(2) sets FUTEX_WAITERS and sleeps; FUTEX_UNLOCK_PI hands the lock straight to
// the first waiter (its TID goes into the word, with FUTEX_WAITERS if more wait); TRYLOCK_PI
// never sleeps. Every change to the word is an atomic compare-and-swap on user memory
// (k42_cmpxchg_user32), made under the futex's bucket lock. A robust PI futex whose owner
// died goes to the first waiter with FUTEX_OWNER_DIED (handOffDeadOwner). Simplified: no priority is
// inherited (the scheduler has no priorities to lend yet: waiters queue first come, first
// served).
import LinuxABI
import Objects

extension Futex {
    static let waitersBit: UInt32 = 0x8000_0000      // FUTEX_WAITERS
    static let ownerDiedBit: UInt32 = 0x4000_0000    // FUTEX_OWNER_DIED
    static let tidMask: UInt32 = 0x3FFF_FFFF         // FUTEX_TID_MASK

    /// Atomically replaces the word at `address` by `desired` if it holds `expected`; returns
    /// what it held. EFAULT for an address that cannot be written.
    static func compareAndSwap(_ address: UInt64, expected: UInt32, desired: UInt32) throws(Errno) -> UInt32 {
        try UserMemory.check(address, 4)
        var actual: UInt32 = 0
        // SAFETY: the address is below USER_END; a fault resumes at the copy fixup (EFAULT).
        let failed = k42_cmpxchg_user32(UnsafeMutablePointer<UInt32>(bitPattern: UInt(address)), expected, desired, &actual) != 0
        if failed { throw .EFAULT }
        return actual
    }

    /// True if a live thread has this TID (ESRCH otherwise).
    static func threadExists(_ tid: Int) -> Bool {
        ProcessTable.lock.withLockIRQSave {
            if ProcessTable.threads[tid] != nil { return true }
            if let p = ProcessTable.processes[tid], !p.isZombie { return true }
            return false
        }
    }

    /// FUTEX_LOCK_PI, FUTEX_LOCK_PI2, FUTEX_TRYLOCK_PI (`tryOnly`).
    static func lockPI(process: Process, address: UInt64, deadline: UInt64?, tryOnly: Bool, isPrivate: Bool) throws(Errno) {
        guard address & 3 == 0 else { throw .EINVAL }
        let me = Scheduler.current
        let tid = UInt32(truncatingIfNeeded: me.tid)
        let k = key(process, address, isPrivate: isPrivate)
        let b = bucket(k)
        var waiter: Waiter? = nil
        if let d = deadline { Timers.wake(me, at: d) }
        defer { if deadline != nil { Timers.cancel(me) } }
        func leave() { if let w = waiter { b.waiters.removeAll { $0 === w } } }
        while true {
            b.lock.lock()
            if let w = waiter, w.woken { b.lock.unlock(); return }          // handed to us
            let value: UInt32
            do { value = try UserMemory.read(address, as: UInt32.self) } catch { leave(); b.lock.unlock(); throw error }
            if value & tidMask == 0 {
                // Free (or its owner died): take it, keeping FUTEX_WAITERS if others wait and
                // FUTEX_OWNER_DIED (glibc then reports EOWNERDEAD; Linux's futex_lock_pi_atomic).
                let others = b.waiters.contains { $0.key == k && $0 !== waiter }
                let desired = tid | (value & ownerDiedBit) | (others ? waitersBit : 0)
                let old: UInt32
                do { old = try compareAndSwap(address, expected: value, desired: desired) }
                catch { leave(); b.lock.unlock(); throw error }
                if old != value { b.lock.unlock(); continue }                // user space raced us
                leave(); b.lock.unlock()
                return
            }
            if value & tidMask == tid { leave(); b.lock.unlock(); throw .EDEADLK }
            // As Linux (futex_lock_pi_atomic), FUTEX_WAITERS goes in before the owner is looked
            // up, even for a trylock or an owner that does not exist.
            if value & waitersBit == 0 {
                let old: UInt32
                do { old = try compareAndSwap(address, expected: value, desired: value | waitersBit) }
                catch { leave(); b.lock.unlock(); throw error }
                if old != value { b.lock.unlock(); continue }
            }
            guard threadExists(Int(value & tidMask)) else { leave(); b.lock.unlock(); throw .ESRCH }
            if tryOnly { b.lock.unlock(); throw .EAGAIN }
            if waiter == nil {
                let w = Waiter(thread: me, key: k, bitset: ~0)
                b.waiters.append(w)
                waiter = w
            }
            b.lock.unlock()
            let timedOut = deadline.map { Clock.nanoseconds() >= $0 } ?? false
            if timedOut || Signals.hasDeliverable(me) {
                let handed: Bool = b.lock.withLockIRQSave {
                    if waiter!.woken { return true }
                    leave()
                    return false
                }
                if handed { return }
                // A handler runs, then the lock is tried again (Linux restarts FUTEX_LOCK_PI).
                throw timedOut ? .ETIMEDOUT : .ERESTARTNOINTR
            }
            Scheduler.block()
        }
    }

    /// The waiter a hand-off goes to (the first queued on `k`) and the word that gives it the
    /// lock: its TID, with FUTEX_WAITERS if more wait; (nil, 0) if nobody waits. Bucket lock held.
    private static func handOffWordLocked(_ b: Bucket, _ k: Key) -> (first: Waiter?, word: UInt32) {
        let queued = b.waiters.filter { $0.key == k && !$0.woken }
        guard let first = queued.first else { return (nil, 0) }
        return (first, UInt32(truncatingIfNeeded: first.thread.tid) | (queued.count > 1 ? waitersBit : 0))
    }

    /// Completes a hand-off to `first` (bucket lock held); wake the thread after unlocking.
    private static func grantLocked(_ b: Bucket, _ first: Waiter) -> Thread {
        first.woken = true
        b.waiters.removeAll { $0 === first }
        return first.thread
    }

    /// A PI futex whose owner exited while holding it (robust list): the first waiter gets it
    /// with FUTEX_OWNER_DIED (so its pthread_mutex_lock says EOWNERDEAD); with no waiter the word
    /// becomes FUTEX_OWNER_DIED alone, and the next locker takes it (lockPI: TID 0 is free).
    static func handOffDeadOwner(process: Process, address: UInt64, value observed: UInt32) {
        let k = key(process, address, isPrivate: false)
        let b = bucket(k)
        var next: Thread? = nil
        b.lock.lock()
        var value = observed
        for _ in 0..<16 {
            let (first, word) = handOffWordLocked(b, k)
            guard let old = try? compareAndSwap(address, expected: value, desired: word | ownerDiedBit) else { break }
            if old != value {
                guard old & tidMask == observed & tidMask else { break }   // someone else owns it now
                value = old
                continue
            }
            if let first { next = grantLocked(b, first) }
            break
        }
        b.lock.unlock()
        if let next { Scheduler.wake(next) }
    }

    /// FUTEX_UNLOCK_PI: EPERM unless the caller owns the word; hands the lock to the first
    /// waiter, or frees it.
    static func unlockPI(process: Process, address: UInt64, isPrivate: Bool) throws(Errno) {
        guard address & 3 == 0 else { throw .EINVAL }
        let tid = UInt32(truncatingIfNeeded: Scheduler.current.tid)
        let k = key(process, address, isPrivate: isPrivate)
        let b = bucket(k)
        var next: Thread? = nil
        b.lock.lock()
        while true {
            let value: UInt32
            do { value = try UserMemory.read(address, as: UInt32.self) } catch { b.lock.unlock(); throw error }
            guard value & tidMask == tid else { b.lock.unlock(); throw .EPERM }
            let (first, word) = handOffWordLocked(b, k)
            let old: UInt32
            do { old = try compareAndSwap(address, expected: value, desired: word) } catch { b.lock.unlock(); throw error }
            if old != value { continue }
            if let first { next = grantLocked(b, first) }
            break
        }
        b.lock.unlock()
        if let next { Scheduler.wake(next) }
    }
}
