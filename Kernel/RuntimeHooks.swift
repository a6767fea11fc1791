// What the C runtime shim (Arch/x86_64/runtime.c) calls: the Swift heap entry points behind
// posix_memalign/free, and the console behind putchar. Before the frame manager exists the
// heap is a bump arena in .bss (8 MiB); afterwards, the per-CPU KernelHeap. The heap is held
// unretained here so allocations never touch its reference count (a shared cache line).
import Memory

nonisolated(unsafe) var bootstrapArena: BootstrapArena? = nil
nonisolated(unsafe) var kernelHeapReference: Unmanaged<KernelHeap>? = nil

@c(k42_heap_allocate)
func heapAllocate(_ size: Int, _ alignment: Int) -> UnsafeMutableRawPointer? {
    if let heap = kernelHeapReference {
        return heap._withUnsafeGuaranteedRef { $0.allocate(size: size, alignment: alignment) }
    }
    if bootstrapArena == nil {
        bootstrapArena = BootstrapArena(start: arch_bootstrap_arena(), bytes: Int(BOOTSTRAP_ARENA_SIZE))
    }
    return bootstrapArena!.allocate(size: size, alignment: alignment)
}

@c(k42_heap_free)
func heapFree(_ pointer: UnsafeMutableRawPointer) {
    if let arena = bootstrapArena, arena.contains(pointer) { return }   // arena memory is never reused
    kernelHeapReference?._withUnsafeGuaranteedRef { $0.free(pointer) }
}

@c(k42_console_putchar)
func consolePutchar(_ c: UInt8) {
    if c == 0x0A { Serial.write(0x0D) }
    Serial.write(c)
}
