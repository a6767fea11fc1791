// The 16550 UART on COM2 (port 0x2F8): the trace stream to the host, separate from the console
// (Serial.swift, COM1) so log lines and binary trace records never interleave. Polled output,
// no interrupts; Kernel/Tracing.swift writes the trace container (Trace/TraceFile.swift) through
// TracePortSink from the idle loop only. Under QEMU: `-serial file:build/trace.bin` as the
// second -serial option.
import Trace

enum TracePort {
    static let base: UInt16 = 0x2F8

    /// Programs the UART (115200 8N1, FIFO on) and reports whether one answers: an absent port
    /// reads back 0xFF, so the scratch register (offset 7) tells the two apart.
    static func initialize() -> Bool {
        arch_outb(base + 7, 0x5A)
        guard arch_inb(base + 7) == 0x5A else { return false }
        arch_outb(base + 7, 0xA5)
        guard arch_inb(base + 7) == 0xA5 else { return false }
        arch_outb(base + 1, 0x00)       // no UART interrupts
        arch_outb(base + 3, 0x80)       // DLAB on
        arch_outb(base + 0, 0x01)       // divisor 1 = 115200 baud
        arch_outb(base + 1, 0x00)
        arch_outb(base + 3, 0x03)       // 8 bits, no parity, one stop bit
        arch_outb(base + 2, 0xC7)       // FIFO on, cleared, 14-byte threshold
        arch_outb(base + 4, 0x03)       // DTR, RTS (OUT2 off: no interrupt line)
        return true
    }

    /// Sends `words` little-endian, 16 bytes (one FIFO load) per wait for an empty transmitter.
    static func write(_ words: UnsafeBufferPointer<UInt64>) {
        guard let start = words.baseAddress else { return }
        let bytes = UnsafeRawPointer(start)
        let count = words.count * 8
        var i = 0
        while i < count {
            // LSR bit 5: transmit FIFO empty. Bounded, so a wedged port cannot hang a CPU.
            var spins = 0
            while arch_inb(base + 5) & 0x20 == 0 && spins < 100_000 { spins += 1 }
            let end = min(i + 16, count)
            while i < end {
                arch_outb(base, bytes.load(fromByteOffset: i, as: UInt8.self))
                i += 1
            }
        }
    }
}

/// The trace container's sink on COM2 (TraceFileWriter<TracePortSink>).
struct TracePortSink: TraceSink {
    mutating func write(_ words: UnsafeBufferPointer<UInt64>) { TracePort.write(words) }
}
