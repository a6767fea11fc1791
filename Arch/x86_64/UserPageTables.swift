// The x86_64 HAT for user address spaces: one PML4 per process whose slot 255 is the kernel's
// (shared PDPT, so kernel mappings stay coherent), user slots 0..254 filled on demand with
// 4 KiB pages. Intermediate tables come from the frame manager and go back when the address
// space dies. User pages are mapped U/S=1 and NX unless executable.
import Memory

final class UserPageTables: HAT {
    let root: UInt64                                   // physical address of the PML4
    let frames: FrameManager
    private var tables: [UInt64] = []                  // every intermediate table we allocated

    init(frames: FrameManager) {
        self.frames = frames
        root = KernelPageTables.newTable()
        let pml4 = KernelPageTables.virtual(root)
        pml4[255] = KernelPageTables.virtual(KernelPageTables.rootPhysical)[255]
        super.init()
    }

    deinit {
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
        var va = start
        while va < end {
            if let e = entry(va, create: false), e.pointee & PTE.present != 0 { e.pointee &= ~PTE.writable }
            va += 4096
        }
    }

    /// Every CPU running this address space reloads CR3 on its next switch; the running CPU
    /// flushes now (threads of one process on several CPUs need shootdowns: not yet).
    override func flush() {
        if arch_read_cr3() & PTE.addressMask == root { arch_write_cr3(root) }
    }

    func activate() { if arch_read_cr3() & PTE.addressMask != root { arch_write_cr3(root) } }
}
