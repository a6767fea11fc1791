// The kernel log: one line at a time on the serial console, each stamped with the time since
// boot in Linux's dmesg format ("[    0.012345] ..."). A spinlock (with interrupts off) keeps
// lines from different CPUs whole; a panic bypasses it (Arch/x86_64/Panic.swift).
import Objects

enum Log {
    nonisolated(unsafe) static var lock: SpinLock? = nil
    /// `quiet` on the command line: once init runs, only `important` lines are printed.
    nonisolated(unsafe) static var quiet = false

    static func initialize() { lock = SpinLock() }

    static func line(_ message: String, important: Bool = false) {
        if quiet && !important { return }
        let ns = Clock.nanoseconds()
        let write = {
            Serial.write("[")
            Serial.writeDecimal(ns / 1_000_000_000, width: 5)
            Serial.write(".")
            Serial.writeDecimal((ns / 1000) % 1_000_000, width: 6, pad: 0x30)
            Serial.write("] ")
            Serial.write(message)
            Serial.write("\n")
        }
        if let lock, !Panic.inProgress { lock.withLockIRQSave(write) } else { write() }
    }
}

/// Logs one line to the kernel console.
func klog(_ message: String) { Log.line(message) }

/// Logs a line even under `quiet` (panics, init's death, power-off).
func klogImportant(_ message: String) { Log.line(message, important: true) }

/// "0x" and `digits` hex digits.
func hex(_ v: UInt64, digits: Int = 16) -> String {
    let s = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, digits - s.utf8.count)) + s
}

/// Bytes as "N MiB" / "N KiB".
func sizeString(_ bytes: UInt64) -> String {
    if bytes >= 1 << 30 && bytes % (1 << 30) == 0 { return "\(bytes >> 30) GiB" }
    if bytes >= 1 << 20 { return "\(bytes >> 20) MiB" }
    return "\(bytes >> 10) KiB"
}

/// "a, b, c" (Embedded Swift has no reflection-based Array description).
func list(_ values: [Int]) -> String {
    var s = ""
    for (i, v) in values.enumerated() { s += (i == 0 ? "" : ", ") + String(v) }
    return "[" + s + "]"
}
