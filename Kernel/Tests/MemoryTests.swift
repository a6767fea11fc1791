// In-kernel tests of the memory layer on real page tables: the frame manager's per-CPU caches
// and remote frees, exhaustion reported as nil (never a hang), the per-CPU heap used from
// every CPU with frees on other CPUs, and W^X of the kernel image.
#if KERNEL_TESTS
import Memory
import Objects
import Synchronization

extension KernelTests {
    static var frames: FrameManager { MemoryBringup.frames! }

    static func framesAllocFree() throws(TestFailure) {
        var got: [UInt64] = []
        got.reserveCapacity(1000)                     // the test's own heap use comes first
        let before = frames.freeFrames
        for _ in 0..<1000 {
            guard let f = frames.allocateFrame() else { throw TestFailure(message: "allocation failed") }
            got.append(f)
        }
        // Every frame is usable memory: write a pattern through the direct map, read it back.
        for f in got { KernelPageTables.virtual(f).pointee = f ^ 0x5A5A }
        let intact = got.allSatisfy { KernelPageTables.virtual($0).pointee == $0 ^ 0x5A5A }
        for f in got { frames.freeFrame(physical: f) }
        let after = frames.freeFrames
        try expect(after == before, "free frames \(after), before \(before)")
        try expect(intact, "frame contents lost")
        try expect(Set(got).count == 1000, "duplicate frames handed out")
        try expect(got.allSatisfy { $0 & 0xFFF == 0 }, "unaligned frame")
        // Contiguous blocks are aligned to their size.
        guard let block = frames.allocate(order: 5) else { throw TestFailure(message: "order-5 allocation failed") }
        try expect(block & ((4096 << 5) - 1) == 0, "order-5 block misaligned: \(hex(block))")
        frames.free(physical: block, order: 5)
    }

    static func framesRemoteFree() throws(TestFailure) {
        guard CPUs.count > 1 else { return }
        var fromCPU1: [UInt64] = []
        let done = SharedAtomic(0)
        CrossCPU.run(on: 1) {
            for _ in 0..<100 { if let f = frames.allocateFrame() { fromCPU1.append(f) } }
            done.store(1)
        }
        try expect(waitUntil { done.load() != 0 }, "CPU 1 did not run")
        let remoteBefore = frames.remoteFrees(cpu: 0)
        for f in fromCPU1 { frames.freeFrame(physical: f) }          // freed on CPU 0
        try expect(frames.remoteFrees(cpu: 0) == remoteBefore + UInt64(fromCPU1.count),
                   "remote frees \(frames.remoteFrees(cpu: 0) - remoteBefore) of \(fromCPU1.count)")
        // CPU 1 gets them back: its next allocations drain the remote list.
        var again: [UInt64] = []
        done.store(0)
        CrossCPU.run(on: 1) {
            for _ in 0..<200 { if let f = frames.allocateFrame() { again.append(f) } }
            for f in again { frames.freeFrame(physical: f) }
            done.store(1)
        }
        try expect(waitUntil { done.load() != 0 }, "CPU 1 did not run")
        let returned = Set(fromCPU1).intersection(Set(again)).count
        try expect(returned == fromCPU1.count, "only \(returned) of \(fromCPU1.count) remote frees came back to CPU 1")
    }

    static func framesExhaustion() throws(TestFailure) {
        let capacity = frames.frameCount
        let list = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity)
        defer { list.deallocate() }
        var n = 0
        while n < capacity, let f = frames.allocateFrame() { list[n] = f; n += 1 }
        let failed = frames.allocateFrame() == nil && frames.allocate(order: 3) == nil
        let heapFailed = MemoryBringup.heap!.allocate(size: 1 << 20) == nil
        for i in 0..<n { frames.freeFrame(physical: list[i]) }
        try expect(failed, "allocation did not fail after \(n) frames")
        try expect(heapFailed, "a 1 MiB heap allocation succeeded with no memory left")
        try expect(n > 1000, "only \(n) frames were available")
        klog("ktest: memory exhausted after \(n) frames (\(sizeString(UInt64(n) * 4096))), all returned")
    }

    static func heapEveryCPU() throws(TestFailure) {
        let bad = SharedAtomic(0)
        CrossCPU.runEverywhere { cpu in
            var blocks: [UnsafeMutableRawPointer] = []
            for i in 0..<2000 {
                let size = [8, 16, 40, 64, 100, 200, 500, 1000, 2000, 5000][i % 10]
                guard let p = MemoryBringup.heap!.allocate(size: size) else { bad.add(1); continue }
                p.storeBytes(of: UInt64(cpu * 1_000_000 + i), as: UInt64.self)
                blocks.append(p)
            }
            for (i, p) in blocks.enumerated() where p.load(as: UInt64.self) != UInt64(cpu * 1_000_000 + i) {
                bad.add(1)
            }
            for p in blocks { MemoryBringup.heap!.free(p) }
        }
        try expect(bad.load() == 0, "\(bad.load()) heap blocks failed or were overwritten")
    }

    static func heapCrossCPUFree() throws(TestFailure) {
        guard CPUs.count > 1 else { return }
        let heap = MemoryBringup.heap!
        var blocks: [UnsafeMutableRawPointer] = []
        let done = SharedAtomic(0)
        CrossCPU.run(on: 1) {
            for _ in 0..<500 { if let p = heap.allocate(size: 64) { blocks.append(p) } }
            done.store(1)
        }
        try expect(waitUntil { done.load() != 0 }, "CPU 1 did not run")
        let before = heap.statistics(cpu: 0).remoteFrees
        for p in blocks { heap.free(p) }
        try expect(heap.statistics(cpu: 0).remoteFrees == before + UInt64(blocks.count), "frees were not sent to CPU 1")
        var again: [UnsafeMutableRawPointer] = []
        done.store(0)
        CrossCPU.run(on: 1) {
            // Enough to use up the blocks CPU 1 still had, so the remote list must be drained.
            for _ in 0..<2500 { if let p = heap.allocate(size: 64) { again.append(p) } }
            for p in again { heap.free(p) }
            done.store(1)
        }
        try expect(waitUntil { done.load() != 0 }, "CPU 1 did not run")
        let reused = Set(blocks.map { UInt(bitPattern: $0) }).intersection(Set(again.map { UInt(bitPattern: $0) })).count
        try expect(reused == blocks.count, "CPU 1 reused \(reused) of \(blocks.count) blocks freed remotely")
    }

    static func imageProtection() throws(TestFailure) {
        // Walk the page tables for a text, rodata and data address and check the rights.
        func entry(_ va: UInt64) -> UInt64 {
            var table = KernelPageTables.virtual(KernelPageTables.rootPhysical)
            for shift in [39, 30, 21, 12] as [UInt64] {
                let e = table[Int((va >> shift) & 511)]
                if e & PTE.present == 0 || shift == 12 || e & PTE.huge != 0 { return e }
                table = KernelPageTables.virtual(e & PTE.addressMask)
            }
            return 0
        }
        let text = entry(arch___text_start())
        let rodata = entry(arch___rodata_start())
        let data = entry(arch___data_start())
        try expect(text & PTE.present != 0 && text & PTE.writable == 0 && text & PTE.noExecute == 0, "text is not R+X")
        try expect(rodata & PTE.writable == 0, "rodata is writable")
        try expect(data & PTE.writable != 0, "data is not writable")
        if CPUFeatures.boot.nx {
            try expect(rodata & PTE.noExecute != 0 && data & PTE.noExecute != 0, "data or rodata executable")
        }
        for slot in 0..<255 {
            try expect(KernelPageTables.virtual(KernelPageTables.rootPhysical)[slot] == 0, "user slot \(slot) not empty")
        }
    }
}
#endif
