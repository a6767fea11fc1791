// A wait queue: where the kernel parks wakers for a file's readiness changes. The file layer
// never blocks: an operation that would block throws EAGAIN, and the syscall layer (unless
// O_NONBLOCK) registers a waker here, retries the operation once (no lost wake-ups), then
// sleeps until woken. Files call `wakeAll()` after data arrives, space frees or a peer closes,
// always after dropping their own locks. Safe from interrupt handlers (the tty's receive path).
import LinuxABI
import Objects

public final class WaitQueue: @unchecked Sendable {
    /// Names one registration, for `remove`.
    public struct Token: Equatable { public let id: Int }

    private let lock = SpinLock()
    private var waiters: [(id: Int, wake: () -> Void)] = []
    private var nextID = 1

    public init() {}

    /// Registers `wake`; it runs on every `wakeAll()` until removed. Wakers must be cheap and must
    /// not call back into the file that woke them (they run in the waker's context, possibly an
    /// interrupt handler).
    @discardableResult
    public func add(_ wake: @escaping () -> Void) -> Token {
        lock.withLockIRQSave {
            let id = nextID
            nextID += 1
            waiters.append((id: id, wake: wake))
            return Token(id: id)
        }
    }

    public func remove(_ token: Token) {
        lock.withLockIRQSave {
            if let i = waiters.firstIndex(where: { $0.id == token.id }) { waiters.remove(at: i) }
        }
    }

    /// Calls every registered waker, outside the queue's lock.
    public func wakeAll() {
        let snapshot = lock.withLockIRQSave { () -> [(id: Int, wake: () -> Void)] in waiters }
        for w in snapshot { w.wake() }
    }

    public var waiterCount: Int { lock.withLockIRQSave { waiters.count } }
}

/// The kernel's realtime clock, in nanoseconds since the epoch, as a closure the kernel supplies
/// (file times: atime, mtime, ctime).
public final class FileSystemClock: @unchecked Sendable {
    private let nanosecondsNow: () -> Int64
    public init(_ nanosecondsNow: @escaping () -> Int64) { self.nanosecondsNow = nanosecondsNow }
    public func now() -> Timespec { Timespec(totalNanoseconds: nanosecondsNow()) }
}
