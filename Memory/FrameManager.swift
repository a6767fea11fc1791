// The page-frame manager (K42's PM at the bottom of the memory objects; DESIGN.md 5): a
// global buddy pool of 4 KiB frames, with a per-CPU cache of single frames in front of it so
// the common allocation and free touch only this CPU's data. A frame freed on a CPU other
// than the one whose cache handed it out goes back to that owner's remote list (a lock-free
// stack only its owner drains), so caches never share lines on the fast path. Larger,
// contiguous blocks (order > 0) come from the pool directly, under its lock. Trace points
// (class alloc): cache refills from the pool, remote-list drains, contiguous blocks.
import Objects
import Platform
import Synchronization
import Trace

public final class FrameManager: @unchecked Sendable {
    public static let maxOrder = 10                    // 4 MiB blocks
    static let cacheCapacity = 64
    static let cacheBatch = 32

    public let window: PhysicalWindow
    public let frameCount: Int
    let descriptors: UnsafeMutablePointer<PageDescriptor>
    private let poolLock = SpinLock()
    private var freeHeads: [UInt32]                    // per order; guarded by poolLock
    private let freeInPool = Atomic<Int>(0)
    private let caches: [FrameCache]

    /// One CPU's cache of single frames. Touched only by its CPU, with interrupts off,
    /// except `remoteHead`, which any CPU pushes to.
    final class FrameCache {
        let frames: UnsafeMutablePointer<UInt32>
        var count = 0
        let remoteHead = Atomic<UInt64>(0)             // PFN + 1 of the first remote frame; 0 = empty
        var allocations: UInt64 = 0
        var remoteFrees: UInt64 = 0
        init() { frames = .allocate(capacity: FrameManager.cacheCapacity) }
    }

    /// Bytes of descriptor storage needed for `frameCount` frames.
    public static func descriptorBytes(frameCount: Int) -> Int { frameCount * MemoryLayout<PageDescriptor>.stride }

    /// Creates an empty manager; every frame starts reserved until `addFreeRange`.
    public init(window: PhysicalWindow, frameCount: Int, descriptorStorage: UnsafeMutableRawPointer, maxCPUs: Int) {
        self.window = window
        self.frameCount = frameCount
        descriptors = descriptorStorage.bindMemory(to: PageDescriptor.self, capacity: frameCount)
        descriptors.initialize(repeating: PageDescriptor(), count: frameCount)
        freeHeads = Array(repeating: .max, count: FrameManager.maxOrder + 1)
        caches = (0..<maxCPUs).map { _ in FrameCache() }
    }

    // MARK: The global pool (buddy allocator)

    /// Gives the frames of [physical, physical + bytes) to the pool (page-aligned inward).
    public func addFreeRange(physical: UInt64, bytes: UInt64) {
        var pfn = (physical + UInt64(pageSize) - 1) >> pageShift
        let end = min((physical + bytes) >> pageShift, UInt64(frameCount))
        poolLock.withLockIRQSave {
            while pfn < end {
                var order = 0
                while order < FrameManager.maxOrder,
                      pfn & ((1 << UInt64(order + 1)) - 1) == 0,
                      pfn + (1 << UInt64(order + 1)) <= end { order += 1 }
                freeBlock(UInt32(pfn), order: order)
                pfn += 1 << UInt64(order)
            }
        }
    }

    private func pushFree(_ pfn: UInt32, order: Int) {
        let head = freeHeads[order]
        descriptors[Int(pfn)].state = .freeHead
        descriptors[Int(pfn)].order = UInt8(order)
        descriptors[Int(pfn)].next = head
        descriptors[Int(pfn)].prev = .max
        if head != .max { descriptors[Int(head)].prev = pfn }
        freeHeads[order] = pfn
        for i in 1..<(1 << order) { descriptors[Int(pfn) + i].state = .freeTail }
    }

    private func unlinkFree(_ pfn: UInt32, order: Int) {
        let d = descriptors[Int(pfn)]
        if d.prev != .max { descriptors[Int(d.prev)].next = d.next } else { freeHeads[order] = d.next }
        if d.next != .max { descriptors[Int(d.next)].prev = d.prev }
    }

    /// Frees a block into the pool, merging with free buddies. Caller holds poolLock.
    private func freeBlock(_ pfnIn: UInt32, order orderIn: Int) {
        var pfn = pfnIn, order = orderIn
        freeInPool.wrappingAdd(1 << order, ordering: .relaxed)
        while order < FrameManager.maxOrder {
            let buddy = pfn ^ (1 << UInt32(order))
            guard Int(buddy) < frameCount,
                  descriptors[Int(buddy)].state == .freeHead,
                  Int(descriptors[Int(buddy)].order) == order else { break }
            unlinkFree(buddy, order: order)
            pfn = min(pfn, buddy)
            order += 1
        }
        pushFree(pfn, order: order)
    }

    /// Takes a block of 2^order frames from the pool. Caller holds poolLock.
    private func takeBlock(order: Int) -> UInt32? {
        var o = order
        while o <= FrameManager.maxOrder && freeHeads[o] == .max { o += 1 }
        guard o <= FrameManager.maxOrder else { return nil }
        let pfn = freeHeads[o]
        unlinkFree(pfn, order: o)
        while o > order {                                   // split, returning upper halves
            o -= 1
            pushFree(pfn + (1 << UInt32(o)), order: o)
        }
        for i in 0..<(1 << order) { descriptors[Int(pfn) + i].state = .allocated }
        descriptors[Int(pfn)].order = UInt8(order)
        freeInPool.wrappingAdd(-(1 << order), ordering: .relaxed)
        return pfn
    }

    /// Allocates 2^order physically contiguous frames; nil when memory is exhausted.
    public func allocate(order: Int) -> UInt64? {
        guard order >= 0 && order <= FrameManager.maxOrder else { return nil }
        if order == 0 { return allocateFrame() }
        if let pfn = poolLock.withLockIRQSave({ takeBlock(order: order) }) {
            trace(AllocEvent.frameAllocate, UInt64(pfn) << pageShift, 1 << UInt64(order))
            return UInt64(pfn) << pageShift
        }
        // Under pressure, single frames parked in this CPU's cache may be what keeps buddies
        // apart: give them back to the pool and try once more.
        let cache = caches[currentCPU]
        let pfn: UInt32? = withInterruptsDisabled {
            drainRemote(cache)
            drain(cache, keep: 0)
            return poolLock.withLock { takeBlock(order: order) }
        }
        if let pfn { trace(AllocEvent.frameAllocate, UInt64(pfn) << pageShift, 1 << UInt64(order)) }
        return pfn.map { UInt64($0) << pageShift }
    }

    /// Frees a block that `allocate(order:)` returned.
    public func free(physical: UInt64, order: Int) {
        if order == 0 { freeFrame(physical: physical); return }
        let pfn = UInt32(physical >> pageShift)
        trace(AllocEvent.frameFree, physical, 1 << UInt64(order))
        poolLock.withLockIRQSave { freeBlock(pfn, order: order) }
    }

    // MARK: The per-CPU caches (single frames)

    /// Allocates one frame, normally from this CPU's cache; nil when memory is exhausted.
    public func allocateFrame() -> UInt64? {
        let cpu = currentCPU
        let cache = caches[cpu]
        let pfn: UInt32? = withInterruptsDisabled {
            if cache.count == 0 { drainRemote(cache) }
            if cache.count == 0 { refill(cache) }
            guard cache.count > 0 else { return nil }
            cache.count -= 1
            let pfn = cache.frames[cache.count]
            descriptors[Int(pfn)].state = .allocated
            descriptors[Int(pfn)].order = 0
            descriptors[Int(pfn)].owner = UInt8(cpu)
            cache.allocations &+= 1
            return pfn
        }
        return pfn.map { UInt64($0) << pageShift }
    }

    /// A frame for user memory: nil while fewer than `kernelReserve` frames are free, so user
    /// programs running memory out leave the kernel enough to go on (and to kill them).
    /// The check counts the pool and this CPU's own cache only: summing every CPU's cache (as
    /// `freeFrames` does) would read, and retain, the other CPUs' caches on every user page
    /// fault, a cache line bounced between CPUs that faulted in parallel. Frames cached on
    /// other CPUs (at most `cacheCapacity` each) are left out, so the reserve errs on the safe side.
    public func allocateUserFrame() -> UInt64? {
        let own = withInterruptsDisabled { caches[currentCPU].count }
        guard freeFramesInPool + own > kernelReserve else { return nil }
        return allocateFrame()
    }

    /// Frames user allocations leave for the kernel (1/32 of memory, at least 512).
    public var kernelReserve: Int { max(512, frameCount / 32) }

    /// Frees one frame: into this CPU's cache if this CPU handed it out, else onto the
    /// owner's remote list.
    public func freeFrame(physical: UInt64) {
        let pfn = UInt32(physical >> pageShift)
        let cpu = currentCPU
        let owner = Int(descriptors[Int(pfn)].owner)
        guard owner == cpu, owner < caches.count else {
            let target = caches[min(owner, caches.count - 1)]
            var head = target.remoteHead.load(ordering: .relaxed)
            while true {
                descriptors[Int(pfn)].next = UInt32(truncatingIfNeeded: head &- 1)
                descriptors[Int(pfn)].state = .cached
                let (done, seen) = target.remoteHead.compareExchange(
                    expected: head, desired: UInt64(pfn) + 1, ordering: .releasing)
                if done { break }
                head = seen
            }
            withInterruptsDisabled { caches[cpu].remoteFrees &+= 1 }
            return
        }
        let cache = caches[cpu]
        withInterruptsDisabled {
            if cache.count == FrameManager.cacheCapacity { drain(cache, keep: FrameManager.cacheCapacity - FrameManager.cacheBatch) }
            descriptors[Int(pfn)].state = .cached
            cache.frames[cache.count] = pfn
            cache.count += 1
        }
    }

    /// Moves frames other CPUs freed back into `cache` (owner only, interrupts off).
    private func drainRemote(_ cache: FrameCache) {
        var head = cache.remoteHead.exchange(0, ordering: .acquiring)
        if head != 0 && traceEnabled(.alloc) { traceRemoteDrain(head) }
        while head != 0 {
            let pfn = UInt32(head - 1)
            let next = descriptors[Int(pfn)].next
            if cache.count == FrameManager.cacheCapacity {
                poolLock.withLock { descriptors[Int(pfn)].state = .allocated; freeBlock(pfn, order: 0) }
            } else {
                cache.frames[cache.count] = pfn
                cache.count += 1
            }
            head = next == .max ? 0 : UInt64(next) + 1
        }
    }

    private func refill(_ cache: FrameCache) {
        poolLock.withLock {
            while cache.count < FrameManager.cacheBatch, let pfn = takeBlock(order: 0) {
                descriptors[Int(pfn)].state = .cached
                cache.frames[cache.count] = pfn
                cache.count += 1
            }
        }
        trace(AllocEvent.frameRefill, UInt64(cache.count))
    }

    /// Counts a remote list before it is drained (only when tracing: it walks the list twice).
    @inline(never)
    private func traceRemoteDrain(_ first: UInt64) {
        var frames: UInt64 = 0
        var head = first
        while head != 0 {
            frames &+= 1
            let next = descriptors[Int(head - 1)].next
            head = next == .max ? 0 : UInt64(next) + 1
        }
        trace(AllocEvent.frameRemoteDrain, frames)
    }

    private func drain(_ cache: FrameCache, keep: Int) {
        poolLock.withLock {
            while cache.count > keep {
                cache.count -= 1
                freeBlock(cache.frames[cache.count], order: 0)
            }
        }
    }

    // MARK: Queries

    /// Frames free in the pool (not counting frames sitting in CPU caches).
    public var freeFramesInPool: Int { freeInPool.load(ordering: .relaxed) }

    /// Frames free anywhere: pool plus CPU caches (remote lists not counted).
    public var freeFrames: Int { freeFramesInPool + caches.reduce(0) { $0 + $1.count } }

    public func allocations(cpu: Int) -> UInt64 { caches[cpu].allocations }
    public func remoteFrees(cpu: Int) -> UInt64 { caches[cpu].remoteFrees }

    /// The descriptor of the frame holding `physical`.
    @inline(__always)
    func descriptor(_ physical: UInt64) -> UnsafeMutablePointer<PageDescriptor> {
        descriptors + Int(physical >> pageShift)
    }

    /// Marks the frame as a heap page of `sizeClass` owned by `cpu` (KernelHeap).
    func markSlab(_ physical: UInt64, sizeClass: Int, cpu: Int) {
        let d = descriptor(physical)
        d.pointee.state = .slab
        d.pointee.sizeClass = UInt8(sizeClass)
        d.pointee.owner = UInt8(cpu)
    }
}
