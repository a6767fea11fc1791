// Segment and interrupt descriptor tables (Intel SDM Vol. 3A, 3.4.5 and 6.14). Each CPU has
// its own GDT and TSS (the TSS holds that CPU's kernel stack for ring transitions and the
// IST stacks for double faults, NMIs and machine checks); all CPUs share one IDT, whose
// gates point at the stubs in entry.S.
//
// GDT layout, fixed by SYSCALL/SYSRET (STAR[63:48] = 0x10 gives user SS 0x1B, CS 0x23):
//   0x00 null, 0x08 kernel code, 0x10 kernel data, 0x18 user data, 0x20 user code, 0x28 TSS.

enum Selector {
    static let kernelCode: UInt16 = 0x08
    static let kernelData: UInt16 = 0x10
    static let userData: UInt16 = 0x18 | 3
    static let userCode: UInt16 = 0x20 | 3
    static let tss: UInt16 = 0x28
}

/// IST slots (TSS.ist1..3).
enum InterruptStack {
    static let doubleFault: UInt8 = 1
    static let nmi: UInt8 = 2
    static let machineCheck: UInt8 = 3
}

/// One CPU's GDT and TSS, in memory that lives as long as the CPU.
final class DescriptorTables {
    let gdt: UnsafeMutablePointer<UInt64>          // 7 entries
    let tss: UnsafeMutableRawPointer               // 104 bytes

    init(kernelStackTop: UInt64, istTops: [UInt64]) {
        gdt = .allocate(capacity: 8)
        tss = .allocate(byteCount: 112, alignment: 16)
        tss.initializeMemory(as: UInt8.self, repeating: 0, count: 112)
        // TSS (64-bit): rsp0 at 4, ist1..7 at 36.., I/O map base at 102 (= 104: no bitmap).
        tss.storeBytes(of: kernelStackTop, toByteOffset: 4, as: UInt64.self)
        for (i, top) in istTops.enumerated() {
            tss.storeBytes(of: top, toByteOffset: 36 + 8 * i, as: UInt64.self)
        }
        tss.storeBytes(of: UInt16(104), toByteOffset: 102, as: UInt16.self)

        gdt[0] = 0
        gdt[1] = 0x00AF_9A00_0000_FFFF             // kernel code: L=1, P, DPL0, exec/read
        gdt[2] = 0x00CF_9200_0000_FFFF             // kernel data
        gdt[3] = 0x00CF_F200_0000_FFFF             // user data, DPL3
        gdt[4] = 0x00AF_FA00_0000_FFFF             // user code, DPL3, L=1
        let base = UInt64(UInt(bitPattern: tss))
        let limit: UInt64 = 103
        gdt[5] = (limit & 0xFFFF) | ((base & 0xFF_FFFF) << 16) | (0x89 << 40)   // available 64-bit TSS
            | (((limit >> 16) & 0xF) << 48) | (((base >> 24) & 0xFF) << 56)
        gdt[6] = base >> 32
        gdt[7] = 0
    }

    /// Loads this GDT and TSS on the calling CPU and reloads the segment registers.
    func load() {
        arch_lgdt(UInt64(UInt(bitPattern: gdt)), UInt16(7 * 8 - 1))
        arch_ltr(Selector.tss)
    }

    func setKernelStack(_ top: UInt64) { tss.storeBytes(of: top, toByteOffset: 4, as: UInt64.self) }
}

/// The interrupt descriptor table shared by every CPU.
enum IDT {
    nonisolated(unsafe) static var table: UnsafeMutablePointer<UInt64>? = nil

    /// Builds the table once (boot CPU), pointing every vector at its entry.S stub.
    static func build() {
        let t = UnsafeMutablePointer<UInt64>.allocate(capacity: 512)
        let stubs = UInt64(arch_isr_stubs())
        for v in 0..<256 {
            let handler = stubs + UInt64(16 * v)
            var ist: UInt64 = 0
            if v == 8 { ist = UInt64(InterruptStack.doubleFault) }
            if v == 2 { ist = UInt64(InterruptStack.nmi) }
            if v == 18 { ist = UInt64(InterruptStack.machineCheck) }
            let dpl: UInt64 = (v == 3) ? 3 : 0             // int3 allowed from user mode
            let typeAttr: UInt64 = 0x80 | (dpl << 5) | 0x0E // present, interrupt gate
            t[2 * v] = (handler & 0xFFFF) | (UInt64(Selector.kernelCode) << 16) | (ist << 32)
                | (typeAttr << 40) | (((handler >> 16) & 0xFFFF) << 48)
            t[2 * v + 1] = handler >> 32
        }
        table = t
    }

    static func load() {
        arch_lidt(UInt64(UInt(bitPattern: table!)), UInt16(256 * 16 - 1))
    }
}
