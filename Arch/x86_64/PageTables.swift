// The hardware half of the HAT (DESIGN.md 5): x86_64 4-level page tables (Intel SDM Vol. 3A,
// 4.5). The kernel's half of every address space is PML4 slot 255 (docs/memory-layout.md):
// the direct map, kernel virtual mappings and the image window. After boot this file
//   - gives the image window its own 4 KiB page tables: text R+X, rodata R, data R+W+NX,
//     and leaves the boot trampoline unmapped there (W^X),
//   - makes the direct map non-executable and uncached outside RAM (MMIO),
//   - extends the direct map past 4 GiB when there is RAM there.
// Tables are reached through the direct map; new ones come from the FrameManager.
import Memory

struct PTE {
    static let present: UInt64 = 1 << 0
    static let writable: UInt64 = 1 << 1
    static let user: UInt64 = 1 << 2
    static let writeThrough: UInt64 = 1 << 3
    static let cacheDisable: UInt64 = 1 << 4
    static let huge: UInt64 = 1 << 7
    static let global: UInt64 = 1 << 8
    static let noExecute: UInt64 = 1 << 63
    static let addressMask: UInt64 = 0x000F_FFFF_FFFF_F000
}

enum KernelPageTables {
    nonisolated(unsafe) static var frames: FrameManager? = nil
    /// NX may be set only when EFER.NXE is on (the CPU reports NX).
    nonisolated(unsafe) static var nx: UInt64 = 0

    static var rootPhysical: UInt64 { physical(of: UnsafeRawPointer(arch_boot_pml4()!)) }

    @inline(__always) static func virtual(_ physical: UInt64) -> UnsafeMutablePointer<UInt64> {
        UnsafeMutablePointer(bitPattern: UInt(UInt64(DIRECT_MAP_BASE) + physical))!
    }

    @inline(__always) static func virtualBytes(_ physical: UInt64) -> UnsafeMutableRawPointer {
        UnsafeMutableRawPointer(bitPattern: UInt(UInt64(DIRECT_MAP_BASE) + physical))!
    }

    /// Physical address of a kernel virtual address (image window or direct map).
    static func physical(of p: UnsafeRawPointer) -> UInt64 {
        let v = UInt64(UInt(bitPattern: p))
        if v >= UInt64(KERNEL_OFFSET) { return v - UInt64(KERNEL_OFFSET) }
        return v - UInt64(DIRECT_MAP_BASE)
    }

    /// A zeroed frame for a new table.
    static func newTable() -> UInt64 {
        guard let pa = frames?.allocateFrame() else { kernelPanic("out of memory for page tables") }
        k42_zero_page(virtual(pa))
        return pa
    }

    /// The table one level down from `entry`, creating it if absent. Splitting huge pages is
    /// not needed by the callers (they only add mappings where none exist).
    static func next(_ table: UnsafeMutablePointer<UInt64>, _ index: Int) -> UnsafeMutablePointer<UInt64> {
        if table[index] & PTE.present == 0 {
            table[index] = newTable() | PTE.present | PTE.writable
        }
        return virtual(table[index] & PTE.addressMask)
    }

    /// Maps one 4 KiB page in the kernel half.
    static func map4K(virtual va: UInt64, physical pa: UInt64, flags: UInt64) {
        let pml4 = virtual(rootPhysical)
        let pdpt = next(pml4, Int((va >> 39) & 511))
        let pd = next(pdpt, Int((va >> 30) & 511))
        let pt = next(pd, Int((va >> 21) & 511))
        pt[Int((va >> 12) & 511)] = pa | flags | PTE.present
        arch_invlpg(va)
    }

    /// Maps one 2 MiB page in the kernel half.
    static func map2M(virtual va: UInt64, physical pa: UInt64, flags: UInt64) {
        let pml4 = virtual(rootPhysical)
        let pdpt = next(pml4, Int((va >> 39) & 511))
        let pd = next(pdpt, Int((va >> 30) & 511))
        pd[Int((va >> 21) & 511)] = pa | flags | PTE.present | PTE.huge
        arch_invlpg(va)
    }

    /// W^X for the image, NX and MMIO attributes for the direct map, RAM above 4 GiB.
    static func finishKernelMappings(ramRanges: [(UInt64, UInt64)]) {
        let textStart = UInt64(arch___text_start())
        let textEnd = UInt64(arch___text_end())
        let rodataStart = UInt64(arch___rodata_start())
        let rodataEnd = UInt64(arch___rodata_end())
        let dataStart = UInt64(arch___data_start())
        let ksymsStart = UInt64(arch___ksyms_start()) & ~0xFFF
        let imageEnd = UInt64(arch___image_end())
        let offset = UInt64(KERNEL_OFFSET)

        // A fresh page directory for the image window (1 GiB at PDPT slot 510), 4 KiB pages.
        let windowPD = newTable()
        let pd = virtual(windowPD)
        var va = textStart & ~0xFFF
        while va < imageEnd {
            var flags: UInt64
            if va >= textStart && va < textEnd { flags = 0 }                        // R+X
            else if va >= rodataStart && va < rodataEnd { flags = nx }              // R
            else if va >= ksymsStart { flags = nx }                                 // R (symbols)
            else if va >= dataStart { flags = PTE.writable | nx }                   // R+W
            else { va += 4096; continue }
            let pdIndex = Int((va >> 21) & 511)
            if pd[pdIndex] & PTE.present == 0 { pd[pdIndex] = newTable() | PTE.present | PTE.writable }
            let pt = virtual(pd[pdIndex] & PTE.addressMask)
            pt[Int((va >> 12) & 511)] = (va - offset) | flags | PTE.present | PTE.global
            va += 4096
        }
        let pdptHigh = arch_boot_pdpt_high()!
        pdptHigh[510] = windowPD | PTE.present | PTE.writable

        // The direct map (boot_pd, 4 GiB of 2 MiB pages): never executable; uncached where
        // no RAM is (the APIC and other device registers live there).
        let directPD = arch_boot_pd()!
        for i in 0..<2048 {
            let start = UInt64(i) << 21
            let isRAM = ramRanges.contains { start < $0.1 && start + (1 << 21) > $0.0 }
            directPD[i] |= nx
            if !isRAM { directPD[i] |= PTE.cacheDisable | PTE.writeThrough }
        }
        // RAM above 4 GiB joins the direct map in 2 MiB pages.
        for (start, end) in ramRanges where end > (1 << 32) {
            var pa = max(start, 1 << 32) & ~0x1F_FFFF
            while pa < end {
                map2M(virtual: UInt64(DIRECT_MAP_BASE) + pa, physical: pa, flags: PTE.writable | nx)
                pa += 1 << 21
            }
        }
        arch_write_cr3(arch_read_cr3())                                            // flush
    }

    /// Enables global pages (the kernel half survives address-space switches) when supported.
    static func enableGlobalPages(_ features: CPUFeatures) {
        if features.pge { arch_write_cr4(arch_read_cr4() | ControlRegisters.cr4PGE) }
    }
}
