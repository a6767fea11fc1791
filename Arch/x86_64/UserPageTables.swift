// The x86_64 HAT for user address spaces: one PML4 per process whose slot 255 is the kernel's
// (shared PDPT, so kernel mappings stay coherent), user slots 0..254 filled on demand with
// 4 KiB pages. Intermediate tables come from the frame manager and go back when the address
// space dies. User pages are mapped U/S=1 and NX unless executable.
import Memory
import Objects
import Synchronization

final class UserPageTables: HAT {
    let root: UInt64                                   // physical address of the PML4
    let frames: FrameManager
    private var tables: [UInt64] = []                  // every intermediate table we allocated
    /// CPUs whose CR3 holds this root now (bit per CPU): the targets of a TLB shootdown.
    /// A CPU keeps a process's CR3 while it idles (lazy switch), so this may include idle CPUs.
    let active = Atomic<UInt64>(0)

    /// The user tables each CPU has loaded (nil: the kernel's root).
    nonisolated(unsafe) static var loaded = [UnsafeMutableRawPointer?](repeating: nil, count: Int(MAX_CPUS))

    init(frames: FrameManager) {
        self.frames = frames
        root = KernelPageTables.newTable()
        let pml4 = KernelPageTables.virtual(root)
        pml4[255] = KernelPageTables.virtual(KernelPageTables.rootPhysical)[255]
        super.init()
    }

    deinit {
        // No CPU may keep walking these tables: make every CPU still holding them switch away.
        UserPageTables.leaveOnThisCPU(self)
        let others = active.load(ordering: .acquiring)
        if others != 0 { TLBShootdown.run(cpus: others, root: root, leave: true) }
        for t in tables { frames.freeFrame(physical: t) }
        frames.freeFrame(physical: root)
    }

    /// The page-table entry for `va`, creating the path if `create`.
    private func entry(_ va: UInt64, create: Bool) -> UnsafeMutablePointer<UInt64>? {
        var table = KernelPageTables.virtual(root)
        var shift: UInt64 = 39
        while shift >= 21 {
            defer { shift -= 9 }
            let index = Int((va >> shift) & 511)
            if table[index] & PTE.present == 0 {
                guard create, let pa = frames.allocateFrame() else { return nil }
                KernelPageTables.virtual(pa).initialize(repeating: 0, count: 512)
                tables.append(pa)
                table[index] = pa | PTE.present | PTE.writable | PTE.user
            }
            table = KernelPageTables.virtual(table[index] & PTE.addressMask)
        }
        return table + Int((va >> 12) & 511)
    }

    override func map(virtual va: UInt64, physical pa: UInt64, protection: Protection) {
        guard va < UInt64(USER_END), let e = entry(va, create: true) else { return }
        var flags = PTE.present | PTE.user
        if protection.contains(.write) { flags |= PTE.writable }
        if !protection.contains(.execute) { flags |= KernelPageTables.nx }
        e.pointee = pa | flags
        arch_invlpg(va)
    }

    override func unmap(virtual va: UInt64) {
        guard let e = entry(va, create: false), e.pointee & PTE.present != 0 else { return }
        e.pointee = 0
        arch_invlpg(va)
    }

    override func translate(virtual va: UInt64) -> (physical: UInt64, writable: Bool)? {
        guard let e = entry(va, create: false), e.pointee & PTE.present != 0 else { return nil }
        return (e.pointee & PTE.addressMask, e.pointee & PTE.writable != 0)
    }

    override func writeProtect(start: UInt64, end: UInt64) {
        forEachPresent(start, end) { e, _ in e.pointee &= ~PTE.writable }
    }

    override func unmap(start: UInt64, end: UInt64) {
        forEachPresent(start, end) { e, va in
            e.pointee = 0
            arch_invlpg(va)
        }
    }

    /// Calls `body` with each present last-level entry in [start, end) and its address,
    /// skipping every range whose upper-level entry is absent: a large, mostly untouched region
    /// (a stack, a big mmap) costs one look per 2 MiB, 1 GiB or 512 GiB it never used instead
    /// of a four-level walk per 4 KiB page (fork write-protects and exit unmaps every region).
    private func forEachPresent(_ start: UInt64, _ end: UInt64, _ body: (UnsafeMutablePointer<UInt64>, UInt64) -> Void) {
        var va = start
        outer: while va < end {
            var table = KernelPageTables.virtual(root)
            var shift: UInt64 = 39
            while shift >= 21 {
                let index = Int((va >> shift) & 511)
                if table[index] & PTE.present == 0 {
                    let span = UInt64(1) << shift
                    let next = (va & ~(span - 1)) &+ span
                    if next <= va { return }                       // the top of the address space
                    va = next
                    continue outer
                }
                table = KernelPageTables.virtual(table[index] & PTE.addressMask)
                shift -= 9
            }
            let tableEnd = min(end, (va | (UInt64(1) << 21 - 1)) &+ 1)
            while va < tableEnd {
                let e = table + Int((va >> 12) & 511)
                if e.pointee & PTE.present != 0 { body(e, va) }
                va += 4096
            }
        }
    }

    /// After unmapping or write-protecting: this CPU flushes its TLB, and every other CPU that
    /// has these tables loaded does too (an IPI, waited for), before any freed frame is reused.
    override func flush() {
        if arch_read_cr3() & PTE.addressMask == root { arch_write_cr3(root) }
        let others = active.load(ordering: .acquiring) & ~(UInt64(1) << UInt64(currentCPU))
        if others != 0 { TLBShootdown.run(cpus: others, root: root, leave: false) }
    }

    /// Loads these tables on this CPU (context switch).
    func activate() {
        let cpu = currentCPU
        if arch_read_cr3() & PTE.addressMask == root { return }
        if let previous = UserPageTables.loaded[cpu] {
            Unmanaged<UserPageTables>.fromOpaque(previous).takeUnretainedValue().active
                .bitwiseAnd(~(UInt64(1) << UInt64(cpu)), ordering: .releasing)
        }
        active.bitwiseOr(UInt64(1) << UInt64(cpu), ordering: .releasing)
        UserPageTables.loaded[cpu] = Unmanaged.passUnretained(self).toOpaque()
        arch_write_cr3(root)
    }

    /// Switches this CPU to the kernel's root if it holds `tables` (process exit, deinit).
    static func leaveOnThisCPU(_ tables: UserPageTables?) {
        let cpu = currentCPU
        guard let current = loaded[cpu] else { return }
        if let tables, current != Unmanaged.passUnretained(tables).toOpaque() { return }
        arch_write_cr3(KernelPageTables.rootPhysical)
        Unmanaged<UserPageTables>.fromOpaque(current).takeUnretainedValue().active
            .bitwiseAnd(~(UInt64(1) << UInt64(cpu)), ordering: .releasing)
        loaded[cpu] = nil
    }
}

/// Cross-CPU TLB flushes (Intel SDM Vol. 3A 4.10.5): the initiator names the page-table root
/// and the CPUs, sends each an IPI and waits until all have flushed (or, with `leave`, moved to
/// the kernel's root because the tables are about to be freed). Rare (munmap, mprotect, fork
/// and exit of multi-threaded processes), so one lock serialises initiators.
enum TLBShootdown {
    static let vector = 0xF3
    static let lock = SpinLock()
    nonisolated(unsafe) static var requestRoot: UInt64 = 0
    nonisolated(unsafe) static var requestLeave = false
    static let pending = Atomic<Int>(0)

    static func initialize() {
        InterruptHandlers.register(vector) { handle() }
    }

    static func run(cpus: UInt64, root: UInt64, leave: Bool) {
        lock.lock()                                        // interrupts stay on: we may be a target too
        requestRoot = root
        requestLeave = leave
        var count = 0
        for cpu in 0..<min(CPUs.count, 64) where cpus & (UInt64(1) << UInt64(cpu)) != 0 && cpu != currentCPU {
            count += 1
        }
        pending.store(count, ordering: .releasing)
        for cpu in 0..<min(CPUs.count, 64) where cpus & (UInt64(1) << UInt64(cpu)) != 0 && cpu != currentCPU {
            LocalAPIC.sendFixed(apicID: CPUs.all[cpu].apicID, vector: vector)
        }
        while pending.load(ordering: .acquiring) > 0 { k42_cpu_relax() }
        lock.unlock()
    }

    /// On a target CPU, in interrupt context.
    static func handle() {
        if arch_read_cr3() & PTE.addressMask == requestRoot {
            if requestLeave, let current = UserPageTables.loaded[currentCPU] {
                arch_write_cr3(KernelPageTables.rootPhysical)
                Unmanaged<UserPageTables>.fromOpaque(current).takeUnretainedValue().active
                    .bitwiseAnd(~(UInt64(1) << UInt64(currentCPU)), ordering: .releasing)
                UserPageTables.loaded[currentCPU] = nil
            } else {
                arch_write_cr3(arch_read_cr3())
            }
        }
        pending.wrappingAdd(-1, ordering: .releasing)
    }
}
