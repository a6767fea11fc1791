// The kernel's own symbol table, embedded by the second link (scripts/ksyms.py writes the
// format): addresses sorted, names demangled. Panic reports use it to name each frame.

enum KernelSymbols {
    struct Match {
        let name: UnsafeRawPointer
        let nameLength: Int
        let offset: UInt64
    }

    /// "name+0xoffset" for a text address, or nil outside every known function.
    static func describe(_ address: UInt64) -> String? {
        guard let m = lookup(address) else { return nil }
        let name = String(decoding: UnsafeRawBufferPointer(start: m.name, count: m.nameLength), as: UTF8.self)
        return name + "+0x" + String(m.offset, radix: 16)
    }

    /// Writes "name+0xoffset" to the serial console without allocating; false if unknown.
    static func write(_ address: UInt64) -> Bool {
        guard let m = lookup(address) else { return false }
        Serial.writeBytes(m.name, count: m.nameLength)
        Serial.write("+0x")
        var digits = 1
        while digits < 16 && (m.offset >> UInt64(4 * digits)) != 0 { digits += 1 }
        Serial.writeHex(m.offset, digits: digits)
        return true
    }

    static func lookup(_ address: UInt64) -> Match? {
        let start = UInt64(arch___ksyms_start())
        let end = UInt64(arch___ksyms_end())
        guard end > start + 8 else { return nil }
        let base = UnsafeRawPointer(bitPattern: UInt(start))!
        guard base.loadUnaligned(as: UInt32.self) == 0x4D59_534B else { return nil }
        let count = Int(base.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        let entries = base + 8
        let strings = entries + 16 * count
        guard count > 0, UInt64(UInt(bitPattern: strings)) <= end else { return nil }
        let textStart = UInt64(arch___text_start())
        let textEnd = UInt64(arch___text_end())
        guard address >= textStart && address < textEnd else { return nil }
        // Binary search for the last entry with entry.address <= address.
        var lo = 0, hi = count - 1, found = -1
        while lo <= hi {
            let mid = (lo + hi) / 2
            let a = entries.loadUnaligned(fromByteOffset: 16 * mid, as: UInt64.self)
            if a <= address { found = mid; lo = mid + 1 } else { hi = mid - 1 }
        }
        guard found >= 0 else { return nil }
        let a = entries.loadUnaligned(fromByteOffset: 16 * found, as: UInt64.self)
        let offset = Int(entries.loadUnaligned(fromByteOffset: 16 * found + 8, as: UInt32.self))
        let length = Int(entries.loadUnaligned(fromByteOffset: 16 * found + 12, as: UInt32.self))
        guard UInt64(UInt(bitPattern: strings)) + UInt64(offset + length) <= end else { return nil }
        return Match(name: strings + offset, nameLength: length, offset: address - a)
    }
}
