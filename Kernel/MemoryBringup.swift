// Turning the boot memory map into the frame manager and the kernel heap: usable RAM minus
// the first MiB (firmware, the SMP trampoline), the kernel image and the boot modules; the
// frame descriptors (16 bytes per frame) are carved from the first free range that fits.
import Firmware
import Memory

enum MemoryBringup {
    nonisolated(unsafe) static var frames: FrameManager? = nil
    nonisolated(unsafe) static var heap: KernelHeap? = nil
    nonisolated(unsafe) static var usableBytes: UInt64 = 0
    nonisolated(unsafe) static var ramRanges: [PhysicalRange] = []

    static func initialize(_ boot: BootInfo, maxCPUs: Int) {
        ramRanges = PhysicalRanges.normalized(boot.memoryMap.filter { $0.isUsable }
            .map { PhysicalRange(start: $0.base, end: $0.end) })
        guard let top = ramRanges.last?.end, top > 0 else { kernelPanic("no usable RAM in the memory map") }
        let imageStart = UInt64(arch___image_phys_start())
        let imageEnd = UInt64(arch___image_end()) - UInt64(KERNEL_OFFSET)
        var holes = [PhysicalRange(start: 0, end: 1 << 20), PhysicalRange(start: imageStart, end: imageEnd)]
        for m in boot.modules { holes.append(PhysicalRange(start: m.base, end: m.base + m.size)) }
        var free = PhysicalRanges.subtract(ramRanges, holes)

        let frameCount = Int(top >> 12)
        let descriptorBytes = UInt64(FrameManager.descriptorBytes(frameCount: frameCount))
        guard let (table, rest) = PhysicalRanges.take(descriptorBytes, from: free) else {
            kernelPanic("no room for the frame descriptor table")
        }
        free = rest
        let window = PhysicalWindow(base: UInt(UInt64(DIRECT_MAP_BASE)))
        let manager = FrameManager(window: window, frameCount: frameCount,
                                   descriptorStorage: window.pointer(table.start), maxCPUs: maxCPUs)
        for r in free { manager.addFreeRange(physical: r.start, bytes: r.size) }
        usableBytes = free.reduce(0) { $0 + $1.size }
        frames = manager
        KernelPageTables.frames = manager
        let kernelHeap = KernelHeap(frames: manager, maxCPUs: maxCPUs)
        heap = kernelHeap
        kernelHeapReference = Unmanaged.passRetained(kernelHeap)     // from here on, the real heap
        klog("Memory: \(usableBytes >> 10)K/\(boot.usableBytes >> 10)K available (\(frameCount) frames, descriptors \(sizeString(descriptorBytes)) at \(hex(table.start, digits: 8)), image \(sizeString(imageEnd - imageStart)))")
    }
}
