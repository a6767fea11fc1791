// The I/O APIC (82093AA datasheet; ACPI MADT gives its address and the ISA overrides): routes
// device interrupts to local APIC vectors. Today it carries the serial port's receive
// interrupt (ISA IRQ 4) to CPU 0, which feeds the console tty.

enum IOAPIC {
    nonisolated(unsafe) static var base: UInt64 = 0

    static func initialize(physicalAddress: UInt32) {
        guard physicalAddress != 0 else { return }
        base = UInt64(DIRECT_MAP_BASE) + UInt64(physicalAddress)
    }

    private static func read(_ register: UInt32) -> UInt32 {
        arch_mmio_write32(base, register)
        return arch_mmio_read32(base + 0x10)
    }

    private static func write(_ register: UInt32, _ value: UInt32) {
        arch_mmio_write32(base, register)
        arch_mmio_write32(base + 0x10, value)
    }

    /// Routes global system interrupt `gsi` to `vector` on the CPU with `apicID`.
    /// `activeLow`/`levelTriggered` come from the MADT override (ISA defaults: high, edge).
    static func route(gsi: UInt32, vector: Int, apicID: UInt32, activeLow: Bool = false, levelTriggered: Bool = false) {
        guard base != 0 else { return }
        let entries = ((read(1) >> 16) & 0xFF) + 1
        guard gsi < entries else { return }
        var low = UInt32(vector)
        if activeLow { low |= 1 << 13 }
        if levelTriggered { low |= 1 << 15 }
        write(0x10 + 2 * gsi + 1, apicID << 24)
        write(0x10 + 2 * gsi, low)
    }
}

/// Bytes typed on the serial console, delivered from its receive interrupt.
enum ConsoleInput {
    static let vector = 0x24
    /// Set by the tty layer; called in interrupt context for each received byte.
    nonisolated(unsafe) static var receive: ((UInt8) -> Void)? = nil

    /// Enables the UART's receive interrupt and routes IRQ 4 (or its override) here.
    static func enable(gsi: UInt32, activeLow: Bool, levelTriggered: Bool, apicID: UInt32) {
        InterruptHandlers.register(vector) { drain() }
        IOAPIC.route(gsi: gsi, vector: vector, apicID: apicID, activeLow: activeLow, levelTriggered: levelTriggered)
        arch_outb(Serial.base + 1, 0x01)                      // IER: received data available
    }

    static func drain() {
        var n = 0
        while arch_inb(Serial.base + 5) & 1 != 0 && n < 256 {  // LSR: data ready
            let byte = arch_inb(Serial.base)
            receive?(byte)
            n += 1
        }
    }
}
