// The memory half of K42's Process object: the Regions of one address space and the HAT that
// maps them. A page fault walks Process -> Region -> FCM -> HAT (K42 paper section 4):
// find the region, check its rights, ask its FCM for the page (zero-fill, or copy-on-write
// down the fork chain), and map it. mmap/munmap/mprotect/brk edit the region list; fork()
// builds the child's regions over copy-on-write FCM chains.
import LinuxABI
import Objects

public enum FaultResult: Equatable {
    case resolved
    /// SIGSEGV with si_code SEGV_MAPERR (1: no mapping) or SEGV_ACCERR (2: wrong rights).
    case segmentationFault(code: Int32)
    /// SIGBUS (BUS_ADRERR): a file mapping touched past the end of its file.
    case busError
    case outOfMemory
}

public final class AddressSpace {
    public let hat: HAT
    public let frames: FrameManager
    let lock = SpinLock()
    /// Sorted by start, non-overlapping. Guarded by lock.
    public private(set) var regions: [Region] = []
    /// brk: the heap starts at `breakStart` (after the program's bss) and ends at `breakEnd`.
    public private(set) var breakStart: UInt64 = 0
    public private(set) var breakEnd: UInt64 = 0
    /// Top-down mmap allocation starts below this address.
    public var mmapTop: UInt64
    /// The lowest address mmap may use (NULL page and the program stay clear).
    public var mmapBottom: UInt64 = 0x10000
    /// RLIMIT_STACK: a region that grows down never grows past this size (Linux's 8 MiB default).
    public var stackLimit: UInt64 = 8 << 20
    public let userEnd: UInt64
    static let page = UInt64(pageSize)

    public init(hat: HAT, frames: FrameManager, userEnd: UInt64, mmapTop: UInt64) {
        self.hat = hat
        self.frames = frames
        self.userEnd = userEnd
        self.mmapTop = mmapTop
    }

    deinit { for r in regions { unmapPages(r.start, r.end) } }

    // MARK: Faults

    /// Resolves a fault at `address` (write or execute access as the CPU reported).
    public func handleFault(address: UInt64, write: Bool, execute: Bool) -> FaultResult {
        lock.lock()
        defer { lock.unlock() }
        guard address < userEnd else { return .segmentationFault(code: 1) }
        var region = find(address)
        if region == nil, let below = regions.first(where: { $0.growsDown && $0.start > address && $0.start - address <= 1 << 20 }) {
            // Grow the stack down to cover the fault (Linux: stack_guard_gap aside).
            let newStart = address & ~(Self.page - 1)
            guard below.end - newStart <= stackLimit else { return .segmentationFault(code: 1) }
            if let prev = regions.last(where: { $0.end <= below.start }), prev.end > newStart - Self.page {
                return .segmentationFault(code: 1)
            }
            let grow = (below.start - newStart) / Self.page
            guard below.fcmFirstPage >= grow else { return .segmentationFault(code: 1) }
            below.fcmFirstPage -= grow
            below.start = newStart
            region = below
        }
        guard let r = region else { return .segmentationFault(code: 1) }
        if write && !r.protection.contains(.write) { return .segmentationFault(code: 2) }
        if execute && !r.protection.contains(.execute) { return .segmentationFault(code: 2) }
        if r.protection.isEmpty { return .segmentationFault(code: 2) }
        let page = address & ~(Self.page - 1)
        let index = r.pageIndex(page)
        if r.fcm.isBeyondEnd(index) { return .busError }
        if write || r.shared {
            guard let pa = r.fcm.pageForWrite(index) else { return .outOfMemory }
            hat.map(virtual: page, physical: pa, protection: r.protection)
        } else {
            guard let (pa, owned) = r.fcm.pageForRead(index) else { return .outOfMemory }
            var rights = r.protection
            if !owned { rights.remove(.write) }            // copy-on-write: the first write faults
            hat.map(virtual: page, physical: pa, protection: rights)
        }
        return .resolved
    }

    // MARK: Mapping

    /// mmap(2): maps `length` bytes of `fcm` (anonymous memory if nil) and returns the address.
    public func map(at hint: UInt64, length: UInt64, protection: Protection, fixed: Bool, shared: Bool = false,
                    fcm: FCM? = nil, fcmFirstPage: UInt64 = 0, name: String = "", growsDown: Bool = false)
        throws(Errno) -> UInt64
    {
        guard length > 0, length <= userEnd else { throw .EINVAL }
        let size = (length + Self.page - 1) & ~(Self.page - 1)
        lock.lock()
        defer { lock.unlock() }
        var start: UInt64
        if fixed {
            guard hint & (Self.page - 1) == 0, hint <= userEnd - size else { throw .EINVAL }
            start = hint
            removeLocked(start, start + size)
        } else if hint != 0, hint & (Self.page - 1) == 0, hint <= userEnd - size, isFree(hint, hint + size) {
            start = hint
        } else {
            guard let found = findGap(size) else { throw .ENOMEM }
            start = found
        }
        let backing = fcm ?? FCMAnonymous(frames: frames)
        // A region that grows down needs FCM page numbers below its first one.
        let first = growsDown && fcm == nil && fcmFirstPage == 0 ? UInt64(1) << 32 : fcmFirstPage
        insert(Region(start: start, end: start + size, protection: protection, fcm: backing,
                      fcmFirstPage: first, shared: shared, name: name, growsDown: growsDown))
        return start
    }

    /// munmap(2).
    public func unmap(_ start: UInt64, length: UInt64) throws(Errno) {
        guard start & (Self.page - 1) == 0, length > 0 else { throw .EINVAL }
        let end = min(userEnd, start &+ ((length + Self.page - 1) & ~(Self.page - 1)))
        guard end > start else { throw .EINVAL }
        lock.withLock { removeLocked(start, end) }
    }

    /// mprotect(2): pages already mapped are dropped from the HAT and refault with the new rights.
    public func protect(_ start: UInt64, length: UInt64, protection: Protection) throws(Errno) {
        guard start & (Self.page - 1) == 0 else { throw .EINVAL }
        let end = start &+ ((length + Self.page - 1) & ~(Self.page - 1))
        guard end >= start, end <= userEnd else { throw .ENOMEM }
        lock.lock()
        defer { lock.unlock() }
        // Linux changes the mapped pages up to the first hole, then fails with ENOMEM.
        var cursor = start
        for r in regions where r.end > start && r.start < end {
            if r.start > cursor { break }
            cursor = min(r.end, end)
        }
        let covered = cursor
        if covered > start {
            splitLocked(at: start); splitLocked(at: covered)
            for r in regions where r.start >= start && r.end <= covered {
                r.protection = protection
                unmapPages(r.start, r.end)
            }
            hat.flush()
        }
        if covered < end { throw .ENOMEM }
    }

    /// Sets where the program break starts (after loading the program).
    public func initializeBreak(_ address: UInt64) {
        breakStart = (address + Self.page - 1) & ~(Self.page - 1)
        breakEnd = breakStart
    }

    /// brk(2): moves the break; returns the new (or unchanged, on failure) break.
    public func setBreak(_ requested: UInt64) -> UInt64 {
        guard requested >= breakStart, requested < userEnd else { return breakEnd }
        let oldTop = (breakEnd + Self.page - 1) & ~(Self.page - 1)
        let newTop = (requested + Self.page - 1) & ~(Self.page - 1)
        if newTop > oldTop {
            let ok: Bool = lock.withLock {
                guard isFree(oldTop, newTop) else { return false }
                if let heap = regions.first(where: { $0.end == oldTop && $0.name == "[heap]" }) {
                    heap.end = newTop
                } else {
                    insert(Region(start: oldTop, end: newTop, protection: [.read, .write],
                                  fcm: FCMAnonymous(frames: frames), name: "[heap]"))
                }
                return true
            }
            if !ok { return breakEnd }
        } else if newTop < oldTop {
            lock.withLock { removeLocked(newTop, oldTop) }
        }
        breakEnd = requested
        return breakEnd
    }

    // MARK: fork

    /// A copy of this address space for a child process: shared regions share their FCM,
    /// private ones get copy-on-write chains (both sides write-protected now).
    public func fork(childHAT: HAT) -> AddressSpace {
        let child = AddressSpace(hat: childHAT, frames: frames, userEnd: userEnd, mmapTop: mmapTop)
        child.mmapBottom = mmapBottom
        lock.withLock {
            for r in regions {
                var childFCM = r.fcm
                if !r.shared, let anonymous = r.fcm as? FCMAnonymous {
                    anonymous.collapse()                  // drop links whose other side is gone
                    r.fcm = FCMAnonymous(frames: frames, backing: anonymous)
                    childFCM = FCMAnonymous(frames: frames, backing: anonymous)
                    hat.writeProtect(start: r.start, end: r.end)
                }
                child.regions.append(Region(start: r.start, end: r.end, protection: r.protection, fcm: childFCM,
                                            fcmFirstPage: r.fcmFirstPage, shared: r.shared, name: r.name,
                                            growsDown: r.growsDown))
            }
            hat.flush()
        }
        child.breakStart = breakStart
        child.breakEnd = breakEnd
        return child
    }

    /// Removes every region (execve's fresh start).
    public func removeAll() { lock.withLock { removeLocked(0, userEnd) } }

    // MARK: Helpers (lock held)

    func find(_ address: UInt64) -> Region? {
        var lo = 0, hi = regions.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            let r = regions[mid]
            if address < r.start { hi = mid - 1 } else if address >= r.end { lo = mid + 1 } else { return r }
        }
        return nil
    }

    /// The region containing `address` (for /proc and tests).
    public func region(containing address: UInt64) -> Region? { lock.withLock { find(address) } }

    /// The FCMs of the MAP_SHARED regions overlapping [start, start + length) (msync, munmap:
    /// a file whose pages a mapping changed writes them back).
    public func sharedFCMs(overlapping start: UInt64, length: UInt64) -> [FCM] {
        let end = start &+ length < start ? userEnd : start + length
        return lock.withLock { regions.filter { $0.shared && $0.start < end && $0.end > start }.map { $0.fcm } }
    }

    func isFree(_ start: UInt64, _ end: UInt64) -> Bool {
        !regions.contains { $0.start < end && $0.end > start }
    }

    func findGap(_ size: UInt64) -> UInt64? {
        var top = mmapTop
        for r in regions.reversed() where r.start < top {
            if r.end <= top && top - r.end >= size { return top - size }
            top = min(top, r.start)
        }
        return top >= mmapBottom + size ? top - size : nil
    }

    func insert(_ region: Region) {
        let i = regions.firstIndex { $0.start > region.start } ?? regions.count
        regions.insert(region, at: i)
    }

    func splitLocked(at address: UInt64) {
        guard let i = regions.firstIndex(where: { $0.start < address && $0.end > address }) else { return }
        let r = regions[i]
        let upper = r.slice(from: address, to: r.end)
        r.end = address
        regions.insert(upper, at: i + 1)
    }

    func removeLocked(_ start: UInt64, _ end: UInt64) {
        splitLocked(at: start); splitLocked(at: end)
        var kept: [Region] = []
        var removed: [Region] = []
        for r in regions {
            if r.start >= start && r.end <= end {
                unmapPages(r.start, r.end)
                removed.append(r)
            } else {
                kept.append(r)
            }
        }
        regions = kept
        // Every CPU's TLB forgets the pages before their frames can be reused.
        hat.flush()
        for r in removed where !r.shared { r.fcm.discard(first: r.fcmFirstPage, count: (r.end - r.start) / Self.page) }
    }

    func unmapPages(_ start: UInt64, _ end: UInt64) {
        hat.unmap(start: start, end: end)
    }
}
