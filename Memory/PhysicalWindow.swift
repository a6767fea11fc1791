// How the memory layer turns physical addresses into pointers: in the kernel through the
// direct map (VA = DIRECT_MAP_BASE + PA, docs/memory-layout.md), in hosted tests through a
// host buffer that stands for a range of "physical" memory.

public struct PhysicalWindow: @unchecked Sendable {
    /// The virtual address that physical address 0 maps to.
    public let base: UInt

    public init(base: UInt) { self.base = base }

    @inline(__always)
    public func pointer(_ physical: UInt64) -> UnsafeMutableRawPointer {
        UnsafeMutableRawPointer(bitPattern: base &+ UInt(physical)).unsafelyUnwrapped
    }

    @inline(__always)
    public func physical(_ pointer: UnsafeRawPointer) -> UInt64 {
        UInt64(UInt(bitPattern: pointer) &- base)
    }
}

public let pageSize = 4096
public let pageShift: UInt64 = 12

/// Per-frame bookkeeping (Linux's struct page, 16 bytes): free-list links for the buddy pool,
/// and for allocated frames who owns them and what they hold.
public struct PageDescriptor {
    public enum State: UInt8 {
        case reserved = 0      // not RAM, or used by the kernel image, initrd, tables
        case freeHead = 1      // first frame of a free buddy block of `order`
        case freeTail = 2      // inside a free block
        case allocated = 3     // handed out by FrameManager (order in `order`)
        case slab = 4          // a KernelHeap page of size class `sizeClass`
        case cached = 5        // sitting in a CPU's frame cache
    }
    public var next: UInt32 = .max
    public var prev: UInt32 = .max
    public var order: UInt8 = 0
    public var stateRaw: UInt8 = 0
    public var owner: UInt8 = 0
    public var sizeClass: UInt8 = 0
    public var inUse: UInt32 = 0

    public init() {}
    public var state: State {
        get { State(rawValue: stateRaw) ?? .reserved }
        set { stateRaw = newValue.rawValue }
    }
}
