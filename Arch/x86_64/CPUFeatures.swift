// What this CPU can do, from CPUID (Intel SDM Vol. 2A, CPUID). Optional features (SMEP, SMAP,
// FSGSBASE, XSAVE, invariant TSC, x2APIC, RDRAND, 1 GiB pages) are used only when reported;
// the kernel must boot on QEMU's default CPU model, which has few of them.

struct CPUFeatures {
    var vendor = ""
    var brand = ""
    var family = 0, model = 0, stepping = 0
    var maxLeaf: UInt32 = 0
    var nx = false, pages1G = false, rdrand = false, x2apic = false, xsave = false
    var smep = false, smap = false, fsgsbase = false, invariantTSC = false, apic = false
    var tscDeadline = false, pcid = false, pge = false

    nonisolated(unsafe) static var boot = CPUFeatures()

    static func cpuid(_ leaf: UInt32, _ sub: UInt32 = 0) -> (eax: UInt32, ebx: UInt32, ecx: UInt32, edx: UInt32) {
        var r: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &r) { arch_cpuid(leaf, sub, $0.baseAddress!.assumingMemoryBound(to: UInt32.self)) }
        return (r.0, r.1, r.2, r.3)
    }

    static func detect() -> CPUFeatures {
        var f = CPUFeatures()
        let l0 = cpuid(0)
        f.maxLeaf = l0.eax
        f.vendor = ascii([l0.ebx, l0.edx, l0.ecx])
        let l1 = cpuid(1)
        f.stepping = Int(l1.eax & 0xF)
        f.model = Int((l1.eax >> 4) & 0xF) | Int((l1.eax >> 12) & 0xF0)
        f.family = Int((l1.eax >> 8) & 0xF) + Int((l1.eax >> 20) & 0xFF)
        f.x2apic = l1.ecx & (1 << 21) != 0
        f.xsave = l1.ecx & (1 << 26) != 0
        f.rdrand = l1.ecx & (1 << 30) != 0
        f.tscDeadline = l1.ecx & (1 << 24) != 0
        f.pcid = l1.ecx & (1 << 17) != 0
        f.apic = l1.edx & (1 << 9) != 0
        f.pge = l1.edx & (1 << 13) != 0
        if f.maxLeaf >= 7 {
            let l7 = cpuid(7)
            f.fsgsbase = l7.ebx & 1 != 0
            f.smep = l7.ebx & (1 << 7) != 0
            f.smap = l7.ebx & (1 << 20) != 0
        }
        let maxExt = cpuid(0x8000_0000).eax
        if maxExt >= 0x8000_0001 {
            let e1 = cpuid(0x8000_0001)
            f.nx = e1.edx & (1 << 20) != 0
            f.pages1G = e1.edx & (1 << 26) != 0
        }
        if maxExt >= 0x8000_0004 {
            var words: [UInt32] = []
            for leaf in UInt32(0x8000_0002)...0x8000_0004 {
                let r = cpuid(leaf)
                words += [r.eax, r.ebx, r.ecx, r.edx]
            }
            f.brand = ascii(words)
        }
        if maxExt >= 0x8000_0007 { f.invariantTSC = cpuid(0x8000_0007).edx & (1 << 8) != 0 }
        return f
    }

    private static func ascii(_ words: [UInt32]) -> String {
        var bytes: [UInt8] = []
        for w in words { for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: w >> (8 * UInt32(i)))) } }
        while let last = bytes.last, last == 0 || last == 0x20 { bytes.removeLast() }
        var start = 0
        while start < bytes.count && bytes[start] == 0x20 { start += 1 }
        return String(decoding: bytes[start...], as: UTF8.self)
    }

    /// A one-line summary for the boot log.
    var summary: String {
        var s = ""
        func add(_ on: Bool, _ name: String) { if on { s += s.isEmpty ? name : " " + name } }
        add(nx, "nx"); add(pages1G, "pdpe1gb"); add(pge, "pge"); add(smep, "smep"); add(smap, "smap")
        add(fsgsbase, "fsgsbase"); add(xsave, "xsave"); add(invariantTSC, "invtsc"); add(x2apic, "x2apic")
        add(rdrand, "rdrand"); add(tscDeadline, "tsc-deadline"); add(pcid, "pcid")
        return s
    }
}

/// Control-register bits the kernel turns on (Intel SDM Vol. 3A, 2.5).
enum ControlRegisters {
    static let cr4PGE: UInt64 = 1 << 7
    static let cr4OSFXSR: UInt64 = 1 << 9
    static let cr4OSXMMEXCPT: UInt64 = 1 << 10
    static let cr4FSGSBASE: UInt64 = 1 << 16
    static let cr4SMEP: UInt64 = 1 << 20
    static let cr4SMAP: UInt64 = 1 << 21

    /// Per-CPU: enable the protection features this CPU reports. SSE stays enabled for user
    /// programs (OSFXSR), while the kernel itself is compiled without SSE (docs/build.md).
    static func configure(_ f: CPUFeatures) {
        var cr4 = arch_read_cr4() | cr4OSFXSR | cr4OSXMMEXCPT
        if f.smep { cr4 |= cr4SMEP }
        if f.fsgsbase { cr4 |= cr4FSGSBASE }
        // SMAP stays off until the user-copy routines bracket their accesses with stac/clac
        // (they arrive with user mode); SMEP needs nothing from us.
        arch_write_cr4(cr4)
    }
}
