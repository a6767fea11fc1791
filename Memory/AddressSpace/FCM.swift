// FCMs (File Cache Managers, K42 paper section 4): the page frames holding one "file"'s
// contents. There is no global page cache; each FCM caches its own pages. Anonymous memory is
// an FCM of a "computational" file: pages are zero-filled on first touch. fork() gives parent
// and child each a new FCM in front of the shared old one (a copy-on-write chain): reads find
// pages down the chain, the first write copies the page into the front FCM.
import Objects
import Platform

open class FCM {
    public init() {}
    /// The frame holding page `index` for reading: (frame, owned by this FCM).
    open func pageForRead(_ index: UInt64) -> (physical: UInt64, owned: Bool)? { fatalError("FCM is an interface") }
    /// The frame holding page `index`, private to this FCM, for writing (copies or zero-fills).
    open func pageForWrite(_ index: UInt64) -> UInt64? { fatalError("FCM is an interface") }
    /// Drops pages in [first, first + count) (munmap of a private anonymous range).
    open func discard(first: UInt64, count: UInt64) {}
    /// Pages this FCM owns.
    open var residentPages: Int { 0 }
    /// The frame of page `index` if this FCM already holds it (no allocation, no chain walk).
    open func cachedPage(_ index: UInt64) -> UInt64? { nil }
    /// True if page `index` lies wholly past the end of the file (a fault there is SIGBUS).
    open func isBeyondEnd(_ index: UInt64) -> Bool { false }
}

/// Anonymous memory: zero-fill on demand, copy-on-write through `backing`.
public final class FCMAnonymous: FCM {
    let frames: FrameManager
    let lock = SpinLock()
    private var pages = IntMap<UInt64>()               // page index -> frame; guarded by lock
    /// The FCM whose pages this one copies on first write: the one it was split from at fork,
    /// or a file's FCM for a private file mapping. Shared, read-only from here. Changed only
    /// by `collapse`, under the owning address space's lock.
    public private(set) var backing: FCM?

    public init(frames: FrameManager, backing: FCM? = nil) {
        self.frames = frames
        self.backing = backing
    }

    deinit {
        for (_, pa) in pages { frames.freeFrame(physical: pa) }
    }

    func ownPage(_ index: UInt64) -> UInt64? { lock.withLockIRQSave { pages[Int(index)] } }
    override public func cachedPage(_ index: UInt64) -> UInt64? { ownPage(index) }

    /// Finds the page down the chain without allocating.
    func find(_ index: UInt64) -> (physical: UInt64, owned: Bool)? {
        if let pa = ownPage(index) { return (pa, true) }
        var next = backing
        while let b = next {
            if let pa = b.cachedPage(index) { return (pa, false) }
            next = (b as? FCMAnonymous)?.backing
        }
        return nil
    }

    override public func pageForRead(_ index: UInt64) -> (physical: UInt64, owned: Bool)? {
        if let found = find(index) { return found }
        // Cached nowhere: a file at the bottom of the chain reads it in and it is mapped shared,
        // read-only (the first write copies it); with no file below, a zero page of our own.
        if let file = bottomFile, let page = file.pageForRead(index) { return (page.physical, false) }
        guard let pa = pageForWrite(index) else { return nil }
        return (pa, true)
    }

    /// The first FCM below that is not anonymous (a file's), if any.
    var bottomFile: FCM? {
        var next = backing
        while let b = next {
            guard let anonymous = b as? FCMAnonymous else { return b }
            next = anonymous.backing
        }
        return nil
    }

    override public func isBeyondEnd(_ index: UInt64) -> Bool {
        if ownPage(index) != nil { return false }
        return backing?.isBeyondEnd(index) ?? false
    }

    override public func pageForWrite(_ index: UInt64) -> UInt64? {
        if let pa = ownPage(index) { return pa }
        guard let fresh = frames.allocateUserFrame() else { return nil }
        let destination = frames.window.pointer(fresh)
        if let source = backingPage(index) {
            destination.copyMemory(from: frames.window.pointer(source), byteCount: pageSize)
        } else {
            k42_zero_page(destination)
        }
        let winner: UInt64 = lock.withLockIRQSave {
            if let raced = pages[Int(index)] { return raced }  // another CPU got there first
            pages[Int(index)] = fresh
            return fresh
        }
        if winner != fresh { frames.freeFrame(physical: fresh) }
        return winner
    }

    /// The page a first write copies: down the chain, asking the file FCM at its bottom to read
    /// it in if no FCM has it yet (a file system whose pages are not always resident, like KFS's
    /// page cache, would otherwise give a zero page to a forked child's first write).
    func backingPage(_ index: UInt64) -> UInt64? {
        guard let b = backing else { return nil }
        if let anonymous = b as? FCMAnonymous, let found = anonymous.find(index) { return found.physical }
        return bottomFile?.pageForRead(index)?.physical
    }

    override public func discard(first: UInt64, count: UInt64) {
        let dropped: [UInt64] = lock.withLockIRQSave {
            var out: [UInt64] = []
            if UInt64(pages.count) < count {
                let low = Int(first), high = Int(first + count)
                for (i, pa) in pages where i >= low && i < high { out.append(pa) }
                for i in pages.keys where i >= low && i < high { pages[i] = nil }
            } else {
                for i in first..<(first + count) { if let pa = pages.removeValue(forKey: Int(i)) { out.append(pa) } }
            }
            return out
        }
        for pa in dropped { frames.freeFrame(physical: pa) }
    }

    override public var residentPages: Int { lock.withLockIRQSave { pages.count } }

    /// Merges backing FCMs that only this one still uses into it (Mach's shadow-chain collapse).
    /// Without it every fork adds a link to the parent's chain and every fault and lookup walks
    /// all of them: a shell that forks a thousand children would fault through a thousand FCMs.
    /// When the other side of a fork is gone, its old shared FCM has this one as its only user;
    /// its pages move here (ours win where both have a copy) and its own backing becomes ours.
    /// Call with the owning address space's lock held (fork does), so no fault walks the chain.
    public func collapse() {
        // Uniqueness first: the local `b` is a second reference once bound.
        while isKnownUniquelyReferenced(&backing), let b = backing as? FCMAnonymous {
            let merged: [UInt64] = lock.withLockIRQSave {
                var dropped: [UInt64] = []
                var all = b.lock.withLockIRQSave { () -> IntMap<UInt64> in
                    let taken = b.pages
                    b.pages = IntMap()
                    return taken
                }
                for (index, pa) in pages {
                    if let shadowed = all[index] { dropped.append(shadowed) }
                    all[index] = pa
                }
                pages = all
                backing = b.backing
                return dropped
            }
            for pa in merged { frames.freeFrame(physical: pa) }
        }
    }
}
