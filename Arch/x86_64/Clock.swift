// Time: the TSC, calibrated once against the PIT (channel 2, gated through port 0x61), is
// the clock every CPU reads; the local APIC timer is calibrated in the same window. On CPUs
// without an invariant TSC the figures still hold under QEMU (it keeps TSCs in step), which
// is what this kernel runs on today; the boot log says which it was.

enum Clock {
    nonisolated(unsafe) static var tscHz: UInt64 = 0
    nonisolated(unsafe) static var bootTSC: UInt64 = 0

    /// Nanoseconds since the kernel started (0 until calibrated).
    static func nanoseconds() -> UInt64 {
        let hz = tscHz
        guard hz != 0 else { return 0 }
        let delta = arch_read_tsc() &- bootTSC
        // Split so nothing overflows for TSC rates below 18 GHz (no 128-bit division here:
        // it would need compiler-rt's __udivti3).
        return (delta / hz) &* 1_000_000_000 &+ ((delta % hz) &* 1_000_000_000) / hz
    }

    static func microseconds() -> UInt64 { nanoseconds() / 1000 }

    /// Spins for at least `ns` nanoseconds.
    static func delay(nanoseconds ns: UInt64) {
        let end = nanoseconds() &+ ns
        while nanoseconds() < end { k42_cpu_relax() }
    }

    /// Measures the TSC and the local APIC timer against `milliseconds` of PIT time.
    static func calibrate(milliseconds: UInt64 = 20) {
        let pitHz: UInt64 = 1_193_182
        let count = UInt16(pitHz * milliseconds / 1000)
        // Channel 2 gate on, speaker off; mode 0 (interrupt on terminal count), lo/hi byte.
        arch_outb(0x61, (arch_inb(0x61) & 0xFD) | 0x01)
        arch_outb(0x43, 0xB0)
        arch_outb(0x42, UInt8(count & 0xFF))
        arch_outb(0x42, UInt8(count >> 8))
        // Restart the count by toggling the gate.
        let gate = arch_inb(0x61)
        arch_outb(0x61, gate & 0xFE)
        arch_outb(0x61, gate | 0x01)
        LocalAPIC.write(LocalAPIC.Register.timerDivide, 0x3)
        LocalAPIC.write(LocalAPIC.Register.lvtTimer, 1 << 16)            // masked, one-shot
        LocalAPIC.write(LocalAPIC.Register.timerInitial, 0xFFFF_FFFF)
        let tsc0 = arch_read_tsc()
        var spins: UInt64 = 0
        while arch_inb(0x61) & 0x20 == 0 && spins < 200_000_000 { spins += 1 }
        let tsc1 = arch_read_tsc()
        let apicElapsed = UInt64(0xFFFF_FFFF - LocalAPIC.read(LocalAPIC.Register.timerCurrent))
        LocalAPIC.write(LocalAPIC.Register.timerInitial, 0)
        tscHz = (tsc1 &- tsc0) * 1000 / milliseconds
        LocalAPIC.timerTicksPerSecond = apicElapsed * 1000 / milliseconds
        if tscHz == 0 { tscHz = 1_000_000_000 }                           // never divide by zero
    }
}
