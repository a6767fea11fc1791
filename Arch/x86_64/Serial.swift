// The 16550 UART on COM1 (port 0x3F8): the kernel console. Polled output, 115200 8N1.
// Output from several CPUs is serialised line by line by Kernel/Log.swift.

enum Serial {
    static let base: UInt16 = 0x3F8

    static func initialize() {
        arch_outb(base + 1, 0x00)       // no UART interrupts (polled output for now)
        arch_outb(base + 3, 0x80)       // DLAB on
        arch_outb(base + 0, 0x01)       // divisor 1 = 115200 baud
        arch_outb(base + 1, 0x00)
        arch_outb(base + 3, 0x03)       // 8 bits, no parity, one stop bit
        arch_outb(base + 2, 0xC7)       // FIFO on, cleared, 14-byte threshold
        arch_outb(base + 4, 0x0B)       // DTR, RTS, OUT2
    }

    @inline(__always)
    static func write(_ byte: UInt8) {
        // Wait for the transmit holding register to empty (LSR bit 5).
        var spins = 0
        while arch_inb(base + 5) & 0x20 == 0 && spins < 100_000 { spins += 1 }
        arch_outb(base, byte)
    }

    static func write(_ s: String) {
        for b in s.utf8 {
            if b == 0x0A { write(0x0D) }
            write(b)
        }
    }

    static func write(_ s: StaticString) {
        s.withUTF8Buffer { buf in
            for b in buf {
                if b == 0x0A { write(0x0D) }
                write(b)
            }
        }
    }
}

/// isa-debug-exit (QEMU `-device isa-debug-exit,iobase=0xf4,iosize=0x04`): writing v makes
/// QEMU exit with status (v << 1) | 1. On real hardware the port is unused and we halt.
enum MachineExit {
    static let successCode: UInt8 = 0x10      // QEMU exit status 33
    static let failureCode: UInt8 = 0x11      // QEMU exit status 35

    static func exit(success: Bool) -> Never {
        arch_outb(0xF4, success ? successCode : failureCode)
        haltForever()
    }

    static func haltForever() -> Never {
        while true {
            arch_disable_interrupts()
            arch_halt()
        }
    }
}

/// Number output that allocates nothing (panic reports run when the heap may be broken).
extension Serial {
    static func writeHex(_ v: UInt64, digits: Int = 16) {
        var shift = (digits - 1) * 4
        while shift >= 0 {
            let nibble = UInt8((v >> UInt64(shift)) & 0xF)
            write(nibble < 10 ? 0x30 + nibble : 0x57 + nibble)
            shift -= 4
        }
    }

    static func writeDecimal(_ v: UInt64, width: Int = 0, pad: UInt8 = 0x20) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        var x = v
        withUnsafeMutableBytes(of: &digits) { buf in
            repeat { buf[n] = 0x30 + UInt8(x % 10); x /= 10; n += 1 } while x > 0
            var w = n
            while w < width { write(pad); w += 1 }
            while n > 0 { n -= 1; write(buf[n]) }
        }
    }

    static func writeBytes(_ p: UnsafeRawPointer, count: Int) {
        for i in 0..<count { write(p.load(fromByteOffset: i, as: UInt8.self)) }
    }
}
