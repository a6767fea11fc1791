// The local APIC (Intel SDM Vol. 3A, chapter 11), in xAPIC mode through its MMIO page: each
// CPU's timer, end-of-interrupt, and inter-processor interrupts (INIT/SIPI to start CPUs,
// fixed IPIs for cross-CPU calls and panic halts). The legacy 8259 PICs are masked.

enum LocalAPIC {
    nonisolated(unsafe) static var base: UInt64 = 0        // virtual address of the register page
    nonisolated(unsafe) static var timerTicksPerSecond: UInt64 = 0
    static let timerHz: UInt64 = 100

    enum Register {
        static let id = 0x20, version = 0x30, tpr = 0x80, eoi = 0xB0, svr = 0xF0, esr = 0x280
        static let icrLow = 0x300, icrHigh = 0x310, lvtTimer = 0x320, lvtLint0 = 0x350
        static let lvtLint1 = 0x360, lvtError = 0x370, timerInitial = 0x380, timerCurrent = 0x390
        static let timerDivide = 0x3E0
    }

    @inline(__always) static func read(_ r: Int) -> UInt32 { arch_mmio_read32(base + UInt64(r)) }
    @inline(__always) static func write(_ r: Int, _ v: UInt32) { arch_mmio_write32(base + UInt64(r), v) }

    /// Boot CPU: masks the 8259s and finds the APIC page (IA32_APIC_BASE MSR, or the MADT).
    static func initializeBoot(physicalBase: UInt64) {
        arch_outb(0x21, 0xFF)
        arch_outb(0xA1, 0xFF)
        let msr = arch_rdmsr(0x1B)
        let physical = physicalBase != 0 ? physicalBase : (msr & 0xF_FFFF_F000)
        base = UInt64(DIRECT_MAP_BASE) + physical
    }

    /// Per CPU: software-enable the APIC, spurious vector 0xFF, accept every priority.
    static func enableThisCPU() {
        arch_wrmsr(0x1B, arch_rdmsr(0x1B) | (1 << 11))     // global enable
        write(Register.tpr, 0)
        write(Register.lvtError, 0xFE)
        write(Register.esr, 0)
        write(Register.svr, 0x100 | UInt32(Vector.spurious))
    }

    static var id: UInt32 { read(Register.id) >> 24 }

    @inline(__always) static func endOfInterrupt() { write(Register.eoi, 0) }

    /// Starts this CPU's periodic timer at timerHz (divide by 16; calibrated by Clock).
    static func startPeriodicTimer() {
        write(Register.timerDivide, 0x3)
        write(Register.lvtTimer, UInt32(Vector.timer) | (1 << 17))
        write(Register.timerInitial, UInt32(truncatingIfNeeded: max(timerTicksPerSecond / timerHz, 1)))
    }

    /// Sends an IPI: ICR high holds the destination, writing ICR low sends.
    static func sendIPI(apicID: UInt32, command: UInt32) {
        write(Register.icrHigh, apicID << 24)
        write(Register.icrLow, command)
        var spins = 0
        while read(Register.icrLow) & (1 << 12) != 0 && spins < 1_000_000 { k42_cpu_relax(); spins += 1 }
    }

    static func sendFixed(apicID: UInt32, vector: Int) { sendIPI(apicID: apicID, command: UInt32(vector)) }
    static func sendInit(apicID: UInt32) { sendIPI(apicID: apicID, command: 0x4500) }
    static func sendStartup(apicID: UInt32, page: UInt32) { sendIPI(apicID: apicID, command: 0x4600 | page) }

    /// Every other CPU: stop (used by panic). Shorthand "all excluding self" (bits 18-19 = 3).
    static func broadcastPanicHalt() {
        guard base != 0 else { return }
        write(Register.icrHigh, 0)
        write(Register.icrLow, UInt32(Vector.panicHalt) | (3 << 18))
    }
}
