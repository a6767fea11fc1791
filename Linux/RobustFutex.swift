// Robust futexes (set_robust_list(2), Documentation/locking/robust-futexes and
// robust-futex-ABI in Linux): a thread registers a user-space list of the robust mutexes it
// holds; when it exits, the kernel walks that list and marks each futex word it still owns
// FUTEX_OWNER_DIED, waking one waiter (for a PI futex, handing the lock to the first waiter),
// so the next locker gets EOWNERDEAD instead of waiting forever. The walk reads user memory
// only through checked copies and stops at a fault or after Linux's limit of 2048 entries.
import Objects

enum RobustFutexList {
    /// sizeof(struct robust_list_head): list.next, futex_offset, list_op_pending.
    static let headSize: UInt64 = 24
    /// ROBUST_LIST_LIMIT: a circular or very long list cannot keep an exiting thread busy.
    static let limit = 2048

    /// Walks `head` for `thread` (exiting). Entries' low bit marks a PI futex.
    static func release(head: UInt64, thread: Thread, process: Process) {
        guard let first = try? UserMemory.read(head, as: UInt64.self),
              let offsetWord = try? UserMemory.read(head + 8, as: UInt64.self),
              let pending = try? UserMemory.read(head + 16, as: UInt64.self) else { return }
        let futexOffset = Int64(bitPattern: offsetWord)
        var entry = first
        var visited = 0
        while entry != head && visited < limit {
            // Read the next link before touching this entry's futex (user space may reuse it).
            guard let next = try? UserMemory.read(entry & ~1, as: UInt64.self) else { break }
            if entry & ~1 != pending & ~1 { died(entry, futexOffset, thread, process) }
            entry = next
            visited += 1
        }
        if pending != 0 { died(pending, futexOffset, thread, process) }
    }

    /// Linux's handle_futex_death for one entry.
    private static func died(_ entry: UInt64, _ futexOffset: Int64, _ thread: Thread, _ process: Process) {
        let address = UInt64(bitPattern: Int64(bitPattern: entry & ~1) &+ futexOffset)
        guard address & 3 == 0 else { return }
        let isPI = entry & 1 != 0
        let tid = UInt32(truncatingIfNeeded: thread.tid)
        for _ in 0..<16 {                                   // retried only while user space races us
            guard let value = try? UserMemory.read(address, as: UInt32.self),
                  value & Futex.tidMask == tid else { return }  // not (or no longer) ours
            if isPI {
                Futex.handOffDeadOwner(process: process, address: address, value: value)
                return
            }
            let desired = (value & Futex.waitersBit) | Futex.ownerDiedBit
            guard let old = try? Futex.compareAndSwap(address, expected: value, desired: desired) else { return }
            if old != value { continue }
            if value & Futex.waitersBit != 0 {
                Futex.wake(process: process, address: address, count: 1, bitset: ~0, isPrivate: false)
            }
            return
        }
    }
}
