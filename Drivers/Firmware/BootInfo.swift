// What the loader told us, whichever protocol it spoke: QEMU's PVH entry (hvm_start_info,
// xen/include/public/arch-x86/hvm/start_info.h) or GRUB's multiboot2 (Multiboot2
// specification, section 3.6). Both are reduced to one BootInfo: the physical memory map,
// the command line, the boot modules (the initrd is the first) and the ACPI RSDP address.

/// One range of the firmware memory map (e820 types: 1 usable, 2 reserved, 3 ACPI
/// reclaimable, 4 ACPI NVS, 5 bad).
public struct MemoryRange: Equatable {
    public var base: UInt64
    public var length: UInt64
    public var type: UInt32
    public var isUsable: Bool { type == 1 }
    public var end: UInt64 { base &+ length }
    public init(base: UInt64, length: UInt64, type: UInt32) {
        self.base = base; self.length = length; self.type = type
    }
}

/// A module the loader placed in memory (the initrd).
public struct BootModule: Equatable {
    public var base: UInt64
    public var size: UInt64
    public var commandLine: String
}

public enum BootProtocol: Equatable { case pvh, multiboot2 }

public enum BootInfoError: Error {
    case unknownProtocol(magic: UInt32)
    case unreadable(address: UInt64)
    case malformed(StaticString)
}

public struct BootInfo {
    public var bootProtocol: BootProtocol
    public var memoryMap: [MemoryRange] = []
    public var commandLine: String = ""
    public var modules: [BootModule] = []
    /// Physical address of the ACPI RSDP, or 0 when the loader did not say (then scan).
    public var rsdpAddress: UInt64 = 0

    public static let pvhMagic: UInt32 = 0x336e_c578
    public static let multiboot2Magic: UInt32 = 0x36d7_6289

    init(bootProtocol: BootProtocol) { self.bootProtocol = bootProtocol }

    /// Parses the boot information at physical address `info`. `registerMagic` is EAX at entry
    /// (multiboot2 puts its magic there; PVH puts its magic at the start of the structure).
    public static func parse<R: PhysicalReader>(registerMagic: UInt32, info: UInt64, reader: R)
        throws(BootInfoError) -> BootInfo
    {
        if registerMagic == multiboot2Magic { return try parseMultiboot2(info, reader) }
        guard let magic = reader.u32(info) else { throw .unreadable(address: info) }
        if magic == pvhMagic { return try parsePVH(info, reader) }
        throw .unknownProtocol(magic: registerMagic)
    }

    // hvm_start_info: magic u32, version u32, flags u32, nr_modules u32, modlist_paddr u64,
    // cmdline_paddr u64, rsdp_paddr u64, memmap_paddr u64 (version >= 1), memmap_entries u32.
    static func parsePVH<R: PhysicalReader>(_ info: UInt64, _ r: R) throws(BootInfoError) -> BootInfo {
        guard let b = r.bytes(at: info, count: 56) else { throw .unreadable(address: info) }
        var out = BootInfo(bootProtocol: .pvh)
        let version = LittleEndian.u32(b, 4)
        let moduleCount = LittleEndian.u32(b, 12)
        let moduleList = LittleEndian.u64(b, 16)
        let cmdline = LittleEndian.u64(b, 24)
        out.rsdpAddress = LittleEndian.u64(b, 32)
        if cmdline != 0 { out.commandLine = r.cString(at: cmdline) ?? "" }
        guard moduleCount <= 64 else { throw .malformed("too many PVH modules") }
        for i in 0..<UInt64(moduleCount) {
            // hvm_modlist_entry: paddr u64, size u64, cmdline_paddr u64, reserved u64
            guard let m = r.bytes(at: moduleList &+ i &* 32, count: 32) else {
                throw .unreadable(address: moduleList &+ i &* 32)
            }
            let line = LittleEndian.u64(m, 16)
            out.modules.append(BootModule(base: LittleEndian.u64(m, 0), size: LittleEndian.u64(m, 8),
                                          commandLine: line == 0 ? "" : (r.cString(at: line) ?? "")))
        }
        if version >= 1 {
            let map = LittleEndian.u64(b, 40)
            let entries = LittleEndian.u32(b, 48)
            guard entries <= 1024 else { throw .malformed("too many memory map entries") }
            for i in 0..<UInt64(entries) {
                // hvm_memmap_table_entry: addr u64, size u64, type u32, reserved u32
                guard let e = r.bytes(at: map &+ i &* 24, count: 24) else {
                    throw .unreadable(address: map &+ i &* 24)
                }
                out.memoryMap.append(MemoryRange(base: LittleEndian.u64(e, 0), length: LittleEndian.u64(e, 8),
                                                 type: LittleEndian.u32(e, 16)))
            }
        }
        if out.memoryMap.isEmpty { throw .malformed("PVH start info without a memory map") }
        return out
    }

    // Multiboot2 information: total_size u32, reserved u32, then 8-byte aligned tags
    // (type u32, size u32, payload): 1 command line, 3 module, 6 memory map, 14/15 ACPI RSDP.
    static func parseMultiboot2<R: PhysicalReader>(_ info: UInt64, _ r: R) throws(BootInfoError) -> BootInfo {
        guard let total = r.u32(info) else { throw .unreadable(address: info) }
        guard total >= 16, total <= 1 << 20 else { throw .malformed("multiboot2 size") }
        guard let b = r.bytes(at: info, count: Int(total)) else { throw .unreadable(address: info) }
        var out = BootInfo(bootProtocol: .multiboot2)
        var offset = 8
        while offset + 8 <= b.count {
            let type = LittleEndian.u32(b, offset)
            let size = Int(LittleEndian.u32(b, offset + 4))
            guard size >= 8, offset + size <= b.count else { throw .malformed("multiboot2 tag size") }
            let payload = Array(b[(offset + 8)..<(offset + size)])
            switch type {
            case 0: return out.validatedMultiboot2()
            case 1: out.commandLine = Self.string(payload)
            case 3 where payload.count >= 8:
                let start = UInt64(LittleEndian.u32(payload, 0)), end = UInt64(LittleEndian.u32(payload, 4))
                guard end >= start else { throw .malformed("module end before start") }
                out.modules.append(BootModule(base: start, size: end - start,
                                              commandLine: Self.string(Array(payload[8...]))))
            case 6 where payload.count >= 8:
                let entrySize = Int(LittleEndian.u32(payload, 0))
                guard entrySize >= 20 else { throw .malformed("memory map entry size") }
                var e = 8
                while e + 20 <= payload.count {
                    out.memoryMap.append(MemoryRange(base: LittleEndian.u64(payload, e),
                                                     length: LittleEndian.u64(payload, e + 8),
                                                     type: LittleEndian.u32(payload, e + 16)))
                    e += entrySize
                }
            case 14, 15:
                // The tag holds a copy of the RSDP; remember where that copy is.
                out.rsdpAddress = info + UInt64(offset + 8)
            default: break
            }
            offset += (size + 7) & ~7
        }
        return out.validatedMultiboot2()
    }

    func validatedMultiboot2() -> BootInfo { self }

    static func string(_ bytes: [UInt8]) -> String {
        let end = bytes.firstIndex(of: 0) ?? bytes.count
        return String(decoding: bytes[0..<end], as: UTF8.self)
    }

    /// Total usable RAM in bytes.
    public var usableBytes: UInt64 {
        memoryMap.filter { $0.isUsable }.reduce(0) { $0 &+ $1.length }
    }
}
