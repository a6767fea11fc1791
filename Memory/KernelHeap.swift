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

    public let frames: FrameManager
    private let pools: [CPUPool]

    final class CPUPool {
        let heads: UnsafeMutablePointer<UnsafeMutableRawPointer?>   // per class
        let remoteHead = Atomic<UInt>(0)                            // address of first remote block
        var allocations: UInt64 = 0
        var frees: UInt64 = 0
        var remoteFrees: UInt64 = 0
        var slabPages: UInt64 = 0
        init() {
            heads = .allocate(capacity: KernelHeap.classCount)
            heads.initialize(repeating: nil, count: KernelHeap.classCount)
        }
    }

    public init(frames: FrameManager, maxCPUs: Int) {
        self.frames = frames
        pools = (0..<maxCPUs).map { _ in CPUPool() }
    }

    @inline(__always)
    static func sizeClass(for size: Int) -> Int? {
        // Small table walk: 14 entries, the common sizes hit in the first few.
        var i = 0
        while i < classCount {
            if size <= sizeClasses[i] { return i }
            i += 1
        }
        return nil
    }

    /// Allocates `size` bytes aligned to `alignment` (a power of two); nil when out of memory.
    public func allocate(size: Int, alignment: Int = 16) -> UnsafeMutableRawPointer? {
        let size = max(size, 1)
        guard alignment <= 16, let cls = KernelHeap.sizeClass(for: size) else {
            return allocateLarge(size: size, alignment: alignment)
        }
        let cpu = currentCPU
        let pool = pools[cpu]
        return withInterruptsDisabled { () -> UnsafeMutableRawPointer? in
            if pool.heads[cls] == nil { drainRemote(pool) }
            if pool.heads[cls] == nil && !refill(pool, sizeClass: cls, cpu: cpu) { return nil }
            let block = pool.heads[cls].unsafelyUnwrapped
            pool.heads[cls] = block.load(as: UnsafeMutableRawPointer?.self)
            pool.allocations &+= 1
            if traceEnabled(.alloc), pool.allocations & 63 == 0 {
                trace(AllocEvent.heapSample, UInt64(size), UInt64(KernelHeap.sizeClasses[cls]),
                      UInt64(UInt(bitPattern: block)))
            }
            return block
        }
    }

    /// Frees a block from `allocate`.
    public func free(_ pointer: UnsafeMutableRawPointer) {
        let physical = frames.window.physical(pointer)
        let d = frames.descriptor(physical)
        guard d.pointee.state == .slab else {
            freeLarge(pointer, descriptor: d)
            return
        }
        let cpu = currentCPU
        let owner = Int(d.pointee.owner)
        if owner != cpu {
            // Back to the owner's remote list; the owner re-files it on its next allocation.
            let target = pools[owner]
            var head = target.remoteHead.load(ordering: .relaxed)
            while true {
                pointer.storeBytes(of: UnsafeMutableRawPointer(bitPattern: head), as: UnsafeMutableRawPointer?.self)
                let (done, seen) = target.remoteHead.compareExchange(
                    expected: head, desired: UInt(bitPattern: pointer), ordering: .releasing)
                if done { break }
                head = seen
            }
            withInterruptsDisabled { pools[cpu].remoteFrees &+= 1 }
            return
        }
        let cls = Int(d.pointee.sizeClass)
        let pool = pools[cpu]
        withInterruptsDisabled {
            pointer.storeBytes(of: pool.heads[cls], as: UnsafeMutableRawPointer?.self)
            pool.heads[cls] = pointer
            pool.frees &+= 1
        }
    }

    /// Re-files blocks other CPUs freed (owner only, interrupts off).
    private func drainRemote(_ pool: CPUPool) {
        var head = pool.remoteHead.exchange(0, ordering: .acquiring)
        while head != 0 {
            let block = UnsafeMutableRawPointer(bitPattern: head).unsafelyUnwrapped
            let next = block.load(as: UnsafeMutableRawPointer?.self)
            let cls = Int(frames.descriptor(frames.window.physical(block)).pointee.sizeClass)
            block.storeBytes(of: pool.heads[cls], as: UnsafeMutableRawPointer?.self)
            pool.heads[cls] = block
            pool.frees &+= 1
            head = next.map { UInt(bitPattern: $0) } ?? 0
        }
    }

    /// Carves a fresh frame into blocks of `sizeClass` (owner only, interrupts off).
    private func refill(_ pool: CPUPool, sizeClass cls: Int, cpu: Int) -> Bool {
        guard let physical = frames.allocateFrame() else { return false }
        frames.markSlab(physical, sizeClass: cls, cpu: cpu)
        let page = frames.window.pointer(physical)
        let size = KernelHeap.sizeClasses[cls]
        var offset = (pageSize / size - 1) * size
        var head = pool.heads[cls]
        while offset >= 0 {
            let block = page + offset
            block.storeBytes(of: head, as: UnsafeMutableRawPointer?.self)
            head = block
            offset -= size
        }
        pool.heads[cls] = head
        pool.slabPages &+= 1
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
