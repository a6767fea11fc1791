// epoll(7): an interest list of (file, fd) entries as a file. Each entry is registered on its
// file's wait queue for as long as it is in the list; a wake-up marks the entry and wakes the
// epoll's own queue (which epoll_wait sleeps on, and which poll/select or an outer epoll watch).
// Collecting asks each file for its readiness (files know their state; there is no separate
// ready list): level-triggered entries report while ready, EPOLLET ones only after a wake-up
// since their last report, EPOLLONESHOT ones are disarmed once reported until EPOLL_CTL_MOD.
// An entry goes away when its open file description loses its last descriptor (OpenFile's close
// hooks), and the whole list when the epoll's own last descriptor goes (lastDescriptorClosed).
import LinuxABI
import Objects

/// epoll_event.events bits (include/uapi/linux/eventpoll.h); the low ones equal POLL*.
public enum EpollEvents {
    public static let EPOLLIN: UInt32 = 0x001
    public static let EPOLLPRI: UInt32 = 0x002
    public static let EPOLLOUT: UInt32 = 0x004
    public static let EPOLLERR: UInt32 = 0x008
    public static let EPOLLHUP: UInt32 = 0x010
    public static let EPOLLRDHUP: UInt32 = 0x2000
    /// EPOLLEXCLUSIVE (1 << 28): wake one of several epolls on the same file.
    public static let EPOLLEXCLUSIVE: UInt32 = 1 << 28
    /// EPOLLWAKEUP (1 << 29): keep the system awake (no meaning here; accepted).
    public static let EPOLLWAKEUP: UInt32 = 1 << 29
    public static let EPOLLONESHOT: UInt32 = 1 << 30
    public static let EPOLLET: UInt32 = 1 << 31
    /// The bits that are flags rather than events (EP_PRIVATE_BITS).
    public static let privateBits = EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE
    /// What EPOLLEXCLUSIVE may be combined with (EPOLLEXCLUSIVE_OK_BITS).
    public static let exclusiveAllowed = EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE
}

/// One interest-list entry (Linux's struct epitem).
final class EpollEntry {
    let file: OpenFile
    let fd: Int32
    var events: UInt32
    var data: UInt64
    /// A wake-up arrived since the last report (what EPOLLET reports on).
    var signalled = true
    var waitToken: WaitQueue.Token?
    var closeHook = 0
    init(file: OpenFile, fd: Int32, events: UInt32, data: UInt64) {
        self.file = file; self.fd = fd; self.events = events; self.data = data
    }
    /// Disarmed by EPOLLONESHOT: only the private bits are left.
    var armed: Bool { events & ~EpollEvents.privateBits != 0 }
}

public final class EventPollFile: OpenFile, @unchecked Sendable {
    /// Guards `entries` and every entry's mutable fields; taken with interrupts off (wakers may
    /// run in interrupt context). Never held while calling into a watched file.
    private let lock = SpinLock()
    private var entries: [EpollEntry] = []
    private let queue = WaitQueue()

    public init(inode: Inode) {
        super.init(inode: inode, flags: .O_RDWR)
        path = Array("anon_inode:[eventpoll]".utf8)
    }

    public override var isSeekable: Bool { false }
    public override var waitQueue: WaitQueue? { queue }
    public override func doRead(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int { throw .EINVAL }
    public override func doWrite(from buffer: UnsafeRawBufferPointer) throws(Errno) -> Int { throw .EINVAL }
    public override func truncate(to length: Int64) throws(Errno) { throw .EINVAL }

    /// Readable while some entry would be reported (so epolls nest and poll/select see them).
    public override func pollEvents() -> UInt32 {
        scan(limit: 1, consume: false).isEmpty ? 0 : PollEvents.POLLIN | PollEvents.POLLRDNORM
    }

    /// True if `other` is this epoll or is watched by it, directly or through nested epolls
    /// (a loop would make EPOLL_CTL_ADD fail with ELOOP). Depth is bounded as Linux's (5).
    public func reaches(_ other: EventPollFile, depth: Int = 0) -> Bool {
        if other === self { return true }
        guard depth < 5 else { return true }
        let nested = lock.withLockIRQSave { entries.compactMap { $0.file as? EventPollFile } }
        for n in nested where n.reaches(other, depth: depth + 1) { return true }
        return false
    }

    // MARK: epoll_ctl

    /// EPOLL_CTL_ADD: EEXIST if (file, fd) is already listed. EPOLLERR and EPOLLHUP are always
    /// reported.
    public func add(_ file: OpenFile, fd: Int32, events: UInt32, data: UInt64) throws(Errno) {
        let entry = EpollEntry(file: file, fd: fd, events: events | EpollEvents.EPOLLERR | EpollEvents.EPOLLHUP, data: data)
        let inserted: Bool = lock.withLockIRQSave {
            if entries.contains(where: { $0.file === file && $0.fd == fd }) { return false }
            entries.append(entry)
            return true
        }
        guard inserted else { throw .EEXIST }
        // Registration outside our lock: the waker takes it.
        let token = file.waitQueue?.add { [self] in
            lock.withLockIRQSave { entry.signalled = true }
            queue.wakeAll()
        }
        let hook = file.addCloseHook { [self] in forget(entry) }
        lock.withLockIRQSave { entry.waitToken = token; entry.closeHook = hook }
        queue.wakeAll()         // it may be ready already: waiters re-scan
    }

    /// EPOLL_CTL_MOD: new events and data; re-arms a EPOLLONESHOT entry. ENOENT if not listed,
    /// EINVAL for an entry added with EPOLLEXCLUSIVE.
    public func modify(_ file: OpenFile, fd: Int32, events: UInt32, data: UInt64) throws(Errno) {
        let result: Errno? = lock.withLockIRQSave {
            guard let e = entries.first(where: { $0.file === file && $0.fd == fd }) else { return .ENOENT }
            if e.events & EpollEvents.EPOLLEXCLUSIVE != 0 { return .EINVAL }
            e.events = events | EpollEvents.EPOLLERR | EpollEvents.EPOLLHUP
            e.data = data
            e.signalled = true
            return nil
        }
        if let result { throw result }
        queue.wakeAll()
    }

    /// EPOLL_CTL_DEL: ENOENT if not listed.
    public func remove(_ file: OpenFile, fd: Int32) throws(Errno) {
        let entry: EpollEntry? = lock.withLockIRQSave {
            guard let i = entries.firstIndex(where: { $0.file === file && $0.fd == fd }) else { return nil }
            return entries.remove(at: i)
        }
        guard let entry else { throw .ENOENT }
        unregister(entry)
    }

    /// The file's last descriptor closed: its entries leave the list.
    private func forget(_ entry: EpollEntry) {
        let found: Bool = lock.withLockIRQSave {
            guard let i = entries.firstIndex(where: { $0 === entry }) else { return false }
            entries.remove(at: i)
            return true
        }
        if found, let t = entry.waitToken { entry.file.waitQueue?.remove(t) }
    }

    private func unregister(_ entry: EpollEntry) {
        let (token, hook) = lock.withLockIRQSave { (entry.waitToken, entry.closeHook) }
        if let token { entry.file.waitQueue?.remove(token) }
        entry.file.removeCloseHook(hook)
    }

    public override func lastDescriptorClosed() {
        let all: [EpollEntry] = lock.withLockIRQSave { let a = entries; entries = []; return a }
        for e in all { unregister(e) }
    }

    // MARK: epoll_wait

    /// Up to `limit` ready (events, data) pairs, consuming them (EPOLLET marks cleared,
    /// EPOLLONESHOT entries disarmed). Linux's order: the ready list, which we approximate by
    /// the interest list's order with reported level-triggered entries moved to the back.
    public func collect(limit: Int) -> [(events: UInt32, data: UInt64)] {
        scan(limit: limit, consume: true)
    }

    private func scan(limit: Int, consume: Bool) -> [(events: UInt32, data: UInt64)] {
        let snapshot: [(EpollEntry, UInt32, Bool)] = lock.withLockIRQSave {
            entries.compactMap { $0.armed ? ($0, $0.events, $0.signalled) : nil }
        }
        var out: [(events: UInt32, data: UInt64)] = []
        var reported: [EpollEntry] = []
        for (entry, events, signalled) in snapshot {
            guard out.count < limit else { break }
            if events & EpollEvents.EPOLLET != 0 && !signalled { continue }
            let ready = entry.file.pollEvents() & events & ~EpollEvents.privateBits
            if ready == 0 { continue }
            let data: UInt64? = lock.withLockIRQSave {
                // It may have been removed or changed meanwhile.
                guard entry.armed, entries.contains(where: { $0 === entry }) else { return nil }
                if consume {
                    if entry.events & EpollEvents.EPOLLET != 0 { entry.signalled = false }
                    if entry.events & EpollEvents.EPOLLONESHOT != 0 { entry.events &= EpollEvents.privateBits }
                }
                return entry.data
            }
            guard let data else { continue }
            out.append((ready, data))
            reported.append(entry)
        }
        if consume && !reported.isEmpty {
            // Level-triggered entries that were reported go to the back (Linux re-queues them
            // at the tail of the ready list), so a small maxevents still sees every file.
            lock.withLockIRQSave {
                for r in reported where r.events & (EpollEvents.EPOLLET | EpollEvents.EPOLLONESHOT) == 0 {
                    if let i = entries.firstIndex(where: { $0 === r }) { entries.append(entries.remove(at: i)) }
                }
            }
        }
        return out
    }
}
