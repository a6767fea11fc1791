// The ACPI tables the kernel needs to find its processors and interrupt controllers
// (ACPI 6.5 specification: 5.2.5 RSDP, 5.2.7 RSDT, 5.2.8 XSDT, 5.2.12 MADT). Every table's
// checksum and length is validated before use; anything inconsistent is an error, not a fault.

public enum ACPIError: Error {
    case noRSDP
    case badChecksum(signature: String)
    case unreadable(address: UInt64)
    case missingTable(String)
    case malformed(StaticString)
}

/// A processor the MADT lists (Processor Local APIC, type 0, or x2APIC, type 9).
public struct ACPIProcessor: Equatable {
    public var processorUID: UInt32
    public var apicID: UInt32
    public var enabled: Bool
    public var onlineCapable: Bool
}

public struct ACPIIOAPIC: Equatable {
    public var id: UInt8
    public var address: UInt32
    public var globalInterruptBase: UInt32
}

/// An interrupt source override (ISA IRQ -> global system interrupt).
public struct ACPIInterruptOverride: Equatable {
    public var bus: UInt8
    public var source: UInt8
    public var globalInterrupt: UInt32
    public var flags: UInt16
}

public struct MADT {
    public var localAPICAddress: UInt64
    public var processors: [ACPIProcessor] = []
    public var ioAPICs: [ACPIIOAPIC] = []
    public var overrides: [ACPIInterruptOverride] = []
    /// Processors the kernel may start: enabled now, or marked online-capable.
    public var usableProcessors: [ACPIProcessor] { processors.filter { $0.enabled || $0.onlineCapable } }
}

public struct ACPITables {
    public var revision: UInt8
    public var oemID: String
    /// (signature, physical address) of every table the RSDT/XSDT lists.
    public var tables: [(signature: String, address: UInt64)] = []

    /// Finds the RSDP at `rsdpAddress`, or when that is 0 by scanning the BIOS areas
    /// (the EBDA's first KiB and 0xE0000-0xFFFFF, on 16-byte boundaries).
    public static func locateRSDP<R: PhysicalReader>(hint rsdpAddress: UInt64, reader r: R) -> UInt64? {
        if rsdpAddress != 0 { return isRSDP(rsdpAddress, r) ? rsdpAddress : nil }
        var candidates: [(UInt64, UInt64)] = []
        if let ebdaSegment = r.u16(0x40E) {
            let ebda = UInt64(ebdaSegment) << 4
            if ebda >= 0x80000 && ebda < 0xA0000 { candidates.append((ebda, ebda + 1024)) }
        }
        candidates.append((0xE0000, 0x100000))
        for (start, end) in candidates {
            var a = start
            while a < end {
                if isRSDP(a, r) { return a }
                a += 16
            }
        }
        return nil
    }

    static func isRSDP<R: PhysicalReader>(_ a: UInt64, _ r: R) -> Bool {
        guard let b = r.bytes(at: a, count: 20) else { return false }
        return b[0..<8].elementsEqual("RSD PTR ".utf8) && checksum(b) == 0
    }

    static func checksum(_ b: [UInt8]) -> UInt8 { b.reduce(0, &+) }

    public static func parse<R: PhysicalReader>(rsdp: UInt64, reader r: R) throws(ACPIError) -> ACPITables {
        guard let head = r.bytes(at: rsdp, count: 20) else { throw .unreadable(address: rsdp) }
        guard head[0..<8].elementsEqual("RSD PTR ".utf8), checksum(head) == 0 else {
            throw .badChecksum(signature: "RSDP")
        }
        let revision = head[15]
        var out = ACPITables(revision: revision,
                             oemID: String(decoding: head[9..<15], as: UTF8.self))
        var root = UInt64(LittleEndian.u32(head, 16))
        var entrySize = 4
        if revision >= 2, let full = r.bytes(at: rsdp, count: 36), checksum(full) == 0 {
            let xsdt = LittleEndian.u64(full, 24)
            if xsdt != 0 { root = xsdt; entrySize = 8 }
        }
        let body = try table(at: root, reader: r)
        let expected = entrySize == 8 ? "XSDT" : "RSDT"
        guard signature(body) == expected else { throw .missingTable(expected) }
        var offset = 36
        while offset + entrySize <= body.count {
            let address = entrySize == 8 ? LittleEndian.u64(body, offset) : UInt64(LittleEndian.u32(body, offset))
            if let sig = r.bytes(at: address, count: 4) {
                out.tables.append((String(decoding: sig, as: UTF8.self), address))
            }
            offset += entrySize
        }
        return out
    }

    /// Reads a whole table (header length), checking its length and checksum.
    public static func table<R: PhysicalReader>(at address: UInt64, reader r: R) throws(ACPIError) -> [UInt8] {
        guard let length = r.u32(address &+ 4) else { throw .unreadable(address: address) }
        guard length >= 36, length <= 1 << 20 else { throw .malformed("table length") }
        guard let b = r.bytes(at: address, count: Int(length)) else { throw .unreadable(address: address) }
        guard checksum(b) == 0 else { throw .badChecksum(signature: signature(b)) }
        return b
    }

    static func signature(_ b: [UInt8]) -> String { String(decoding: b[0..<4], as: UTF8.self) }

    public func address(of signature: String) -> UInt64? {
        tables.first { $0.signature == signature }?.address
    }

    /// The Multiple APIC Description Table ("APIC").
    public func madt<R: PhysicalReader>(reader r: R) throws(ACPIError) -> MADT {
        guard let a = address(of: "APIC") else { throw .missingTable("APIC") }
        return try MADT.parse(try ACPITables.table(at: a, reader: r))
    }
}

extension MADT {
    /// Parses the MADT body: local APIC address at 36, flags at 40, entries from 44.
    public static func parse(_ b: [UInt8]) throws(ACPIError) -> MADT {
        guard b.count >= 44 else { throw .malformed("MADT too short") }
        var out = MADT(localAPICAddress: UInt64(LittleEndian.u32(b, 36)))
        var o = 44
        while o + 2 <= b.count {
            let type = b[o], length = Int(b[o + 1])
            guard length >= 2, o + length <= b.count else { throw .malformed("MADT entry length") }
            switch (type, length) {
            case (0, 8...):   // Processor Local APIC: uid u8, apic id u8, flags u32
                let flags = LittleEndian.u32(b, o + 4)
                out.processors.append(ACPIProcessor(processorUID: UInt32(b[o + 2]), apicID: UInt32(b[o + 3]),
                                                    enabled: flags & 1 != 0, onlineCapable: flags & 2 != 0))
            case (1, 12...):  // I/O APIC: id u8, reserved, address u32, GSI base u32
                out.ioAPICs.append(ACPIIOAPIC(id: b[o + 2], address: LittleEndian.u32(b, o + 4),
                                              globalInterruptBase: LittleEndian.u32(b, o + 8)))
            case (2, 10...):  // Interrupt Source Override
                out.overrides.append(ACPIInterruptOverride(bus: b[o + 2], source: b[o + 3],
                                                           globalInterrupt: LittleEndian.u32(b, o + 4),
                                                           flags: LittleEndian.u16(b, o + 8)))
            case (5, 12...):  // Local APIC Address Override (64-bit)
                out.localAPICAddress = LittleEndian.u64(b, o + 4)
            case (9, 16...):  // Processor Local x2APIC: reserved u16, x2apic id u32, flags u32, uid u32
                let flags = LittleEndian.u32(b, o + 8)
                out.processors.append(ACPIProcessor(processorUID: LittleEndian.u32(b, o + 12),
                                                    apicID: LittleEndian.u32(b, o + 4),
                                                    enabled: flags & 1 != 0, onlineCapable: flags & 2 != 0))
            default: break
            }
            o += length
        }
        return out
    }
}
