// The kernel heap: what the Swift runtime's posix_memalign/free (and so every class instance,
// closure context, Array and String) allocate from. Per-CPU pools of size classes, K42-style
// (paper section 3, "locality-aware dynamic memory allocation"): each CPU carves its own
// 4 KiB slab pages into blocks of one class and keeps a free list per class, touched only by
// that CPU with interrupts off. A block freed on another CPU goes back to its owner through
// the owner's lock-free remote list, drained on the owner's next allocation. Requests above
// the largest class (or with alignment above 16) take whole frames from the FrameManager.
// Tracing (class alloc) samples one small allocation in 64 per CPU and logs every large one.
import Objects
import Platform
import Synchronization
import Trace

public final class KernelHeap: @unchecked Sendable {
    /// Block sizes; every size is a multiple of 16, so blocks are 16-byte aligned.
    public static let sizeClasses: [Int] = [16, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048]
    static let classCount = 14
    static let largestSmall = 2048

    public let frames: FrameManager
    /// One pool per CPU, in plain memory: the fast paths reach theirs by index, with no
    /// reference count to bump (a retained pool object cost an atomic increment and a release
    /// call on every allocation) and no bounds check.
    private let pools: UnsafeMutablePointer<CPUPool>
    private let poolCount: Int
    /// Blocks other CPUs freed, per owner: the address of the first (a lock-free stack that
    /// its owner drains when a list runs empty). Slow paths only.
    private let remotes: [RemoteList]
    final class RemoteList { let head = Atomic<UInt>(0) }
    /// Size class for each 16-byte granule of a request: classOf[(size + 15) / 16], 0...128.
    private let classOf: UnsafeMutablePointer<UInt8>

    struct CPUPool {
        var heads: (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?,
                    UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?,
                    UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?,
                    UnsafeMutableRawPointer?, UnsafeMutableRawPointer?)
            = (nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil)
        var allocations: UInt64 = 0
        var frees: UInt64 = 0
        var remoteFrees: UInt64 = 0
        var slabPages: UInt64 = 0
    }

    public init(frames: FrameManager, maxCPUs: Int) {
        self.frames = frames
        poolCount = max(maxCPUs, 1)
        pools = .allocate(capacity: poolCount)
        pools.initialize(repeating: CPUPool(), count: poolCount)
        remotes = (0..<poolCount).map { _ in RemoteList() }
        classOf = .allocate(capacity: KernelHeap.largestSmall / 16 + 1)
        var cls = 0
        for granule in 0...(KernelHeap.largestSmall / 16) {
            while KernelHeap.sizeClasses[cls] < granule * 16 { cls += 1 }
            classOf[granule] = UInt8(cls)
        }
    }

    /// The kernel's heap lives for ever; hosted tests make and drop many.
    deinit {
        pools.deallocate()
        classOf.deallocate()
    }

    /// The head of `pool`'s free list for class `cls` (a slot of the tuple, by address).
    @inline(__always)
    private static func head(_ pool: UnsafeMutablePointer<CPUPool>, _ cls: Int) -> UnsafeMutablePointer<UnsafeMutableRawPointer?> {
        UnsafeMutableRawPointer(pool).assumingMemoryBound(to: UnsafeMutableRawPointer?.self) + cls
    }

    /// Allocates `size` bytes aligned to `alignment` (a power of two); nil when out of memory.
    public func allocate(size: Int, alignment: Int = 16) -> UnsafeMutableRawPointer? {
        guard alignment <= 16, size <= KernelHeap.largestSmall else {
            return allocateLarge(size: max(size, 1), alignment: alignment)
        }
        let cls = Int(classOf[(max(size, 1) &+ 15) >> 4])
        let flags = k42_irq_save()
        let cpu = currentCPU
        let pool = pools + cpu
        let head = KernelHeap.head(pool, cls)
        var block = head.pointee
        if _slowPath(block == nil) {
            block = refilled(pool, head, cls, cpu)
            if block == nil { k42_irq_restore(flags); return nil }
        }
        let b = block.unsafelyUnwrapped
        head.pointee = b.load(as: UnsafeMutableRawPointer?.self)
        pool.pointee.allocations &+= 1
        if _slowPath(traceEnabled(.alloc)) && pool.pointee.allocations & 63 == 0 {
            trace(AllocEvent.heapSample, UInt64(size), UInt64(KernelHeap.sizeClasses[cls]), UInt64(UInt(bitPattern: b)))
        }
        k42_irq_restore(flags)
        return b
    }

    /// The class's list was empty: take what other CPUs gave back, else carve a new page.
    @inline(never)
    private func refilled(_ pool: UnsafeMutablePointer<CPUPool>, _ head: UnsafeMutablePointer<UnsafeMutableRawPointer?>,
                          _ cls: Int, _ cpu: Int) -> UnsafeMutableRawPointer? {
        drainRemote(pool, cpu)
        if head.pointee == nil && !refill(pool, sizeClass: cls, cpu: cpu) { return nil }
        return head.pointee
    }

    /// Frees a block from `allocate`.
    public func free(_ pointer: UnsafeMutableRawPointer) {
        let d = frames.descriptor(frames.window.physical(pointer))
        guard d.pointee.stateRaw == PageDescriptor.State.slab.rawValue else {
            freeLarge(pointer, descriptor: d)
            return
        }
        let cls = Int(d.pointee.sizeClass)
        let owner = Int(d.pointee.owner)
        let flags = k42_irq_save()
        let cpu = currentCPU
        if _slowPath(owner != cpu) {
            freeRemote(pointer, owner: owner, cpu: cpu)
        } else {
            let pool = pools + cpu
            let head = KernelHeap.head(pool, cls)
            pointer.storeBytes(of: head.pointee, as: UnsafeMutableRawPointer?.self)
            head.pointee = pointer
            pool.pointee.frees &+= 1
        }
        k42_irq_restore(flags)
    }

    /// Back to the owner's remote list; the owner re-files it on its next allocation that
    /// finds a list empty.
    @inline(never)
    private func freeRemote(_ pointer: UnsafeMutableRawPointer, owner: Int, cpu: Int) {
        let remote = remotes[owner]
        var head = remote.head.load(ordering: .relaxed)
        while true {
            pointer.storeBytes(of: UnsafeMutableRawPointer(bitPattern: head), as: UnsafeMutableRawPointer?.self)
            let (done, seen) = remote.head.compareExchange(expected: head, desired: UInt(bitPattern: pointer), ordering: .releasing)
            if done { break }
            head = seen
        }
        pools[cpu].remoteFrees &+= 1
    }

    /// Re-files blocks other CPUs freed (owner only, interrupts off).
    private func drainRemote(_ pool: UnsafeMutablePointer<CPUPool>, _ cpu: Int) {
        var head = remotes[cpu].head.exchange(0, ordering: .acquiring)
        while head != 0 {
            let block = UnsafeMutableRawPointer(bitPattern: head).unsafelyUnwrapped
            let next = block.load(as: UnsafeMutableRawPointer?.self)
            let cls = Int(frames.descriptor(frames.window.physical(block)).pointee.sizeClass)
            let list = KernelHeap.head(pool, cls)
            block.storeBytes(of: list.pointee, as: UnsafeMutableRawPointer?.self)
            list.pointee = block
            pool.pointee.frees &+= 1
            head = next.map { UInt(bitPattern: $0) } ?? 0
        }
    }

    /// Carves a fresh frame into blocks of `sizeClass` (owner only, interrupts off).
    private func refill(_ pool: UnsafeMutablePointer<CPUPool>, sizeClass cls: Int, cpu: Int) -> Bool {
        guard let physical = frames.allocateFrame() else { return false }
        frames.markSlab(physical, sizeClass: cls, cpu: cpu)
        let page = frames.window.pointer(physical)
        let size = KernelHeap.sizeClasses[cls]
        var offset = (pageSize / size - 1) * size
        let list = KernelHeap.head(pool, cls)
        var head = list.pointee
        while offset >= 0 {
            let block = page + offset
            block.storeBytes(of: head, as: UnsafeMutableRawPointer?.self)
            head = block
            offset -= size
        }
        list.pointee = head
        pool.pointee.slabPages &+= 1
        return true
    }

    private func allocateLarge(size: Int, alignment: Int) -> UnsafeMutableRawPointer? {
        guard alignment <= pageSize, size <= (pageSize << FrameManager.maxOrder) else { return nil }
        var order = 0
        while (pageSize << order) < size { order += 1 }
        guard let physical = frames.allocate(order: order) else { return nil }
        let d = frames.descriptor(physical)
        d.pointee.order = UInt8(order)
        d.pointee.state = .allocated
        trace(AllocEvent.allocate, UInt64(size), UInt64(UInt(bitPattern: frames.window.pointer(physical))))
        return frames.window.pointer(physical)
    }

    private func freeLarge(_ pointer: UnsafeMutableRawPointer, descriptor d: UnsafeMutablePointer<PageDescriptor>) {
        precondition(d.pointee.state == .allocated, "kernel heap: free of a pointer it did not allocate")
        frames.free(physical: frames.window.physical(pointer), order: Int(d.pointee.order))
    }

    // MARK: Statistics (per CPU, owner-written)

    public struct Statistics {
        public var allocations: UInt64 = 0
        public var frees: UInt64 = 0
        public var remoteFrees: UInt64 = 0
        public var slabPages: UInt64 = 0
    }

    public func statistics(cpu: Int) -> Statistics {
        let p = pools[cpu]
        return Statistics(allocations: p.allocations, frees: p.frees, remoteFrees: p.remoteFrees, slabPages: p.slabPages)
    }
}

/// A bump allocator over a fixed region: the heap before the frame manager exists (early
/// boot parses firmware tables into Arrays and Strings). Its memory is never reused.
public struct BootstrapArena {
    public let start: UInt
    public let end: UInt
    public private(set) var next: UInt

    public init(start: UnsafeMutableRawPointer, bytes: Int) {
        self.start = UInt(bitPattern: start)
        self.end = self.start + UInt(bytes)
        self.next = self.start
    }

    public mutating func allocate(size: Int, alignment: Int) -> UnsafeMutableRawPointer? {
        let a = UInt(max(alignment, 16))
        let p = (next + a - 1) & ~(a - 1)
        guard p + UInt(size) <= end else { return nil }
        next = p + UInt(size)
        return UnsafeMutableRawPointer(bitPattern: p)
    }

    public func contains(_ p: UnsafeRawPointer) -> Bool {
        let v = UInt(bitPattern: p)
        return v >= start && v < end
    }

    public var usedBytes: Int { Int(next - start) }
}
