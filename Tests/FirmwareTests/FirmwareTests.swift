// Hosted tests of the firmware parsers: PVH start info, multiboot2, ACPI RSDP/RSDT/XSDT/MADT
// and the kernel command line, each against structures built here byte by byte, plus a fuzz
// test: no mutation of valid tables may make a parser trap.
@testable import Firmware
import Testing

/// Builds little-endian byte images.
struct Bytes {
    var b: [UInt8]
    init(count: Int) { b = Array(repeating: 0, count: count) }
    mutating func u8(_ o: Int, _ v: UInt8) { b[o] = v }
    mutating func u16(_ o: Int, _ v: UInt16) { for i in 0..<2 { b[o + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt16(i))) } }
    mutating func u32(_ o: Int, _ v: UInt32) { for i in 0..<4 { b[o + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(i))) } }
    mutating func u64(_ o: Int, _ v: UInt64) { for i in 0..<8 { b[o + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) } }
    mutating func ascii(_ o: Int, _ s: String) { for (i, c) in s.utf8.enumerated() { b[o + i] = c } }
    /// Sets byte `at` so that bytes [start, start+length) sum to zero (ACPI checksums).
    mutating func checksum(_ start: Int, _ length: Int, at: Int) {
        b[at] = 0
        let sum = b[start..<start + length].reduce(UInt8(0), &+)
        b[at] = 0 &- sum
    }
}

/// Physical memory 0x0 .. 0x10000 with a PVH start info, a memory map, a module and a command line.
func pvhImage() -> Bytes {
    var m = Bytes(count: 0x10000)
    let info = 0x1000
    m.u32(info, 0x336e_c578); m.u32(info + 4, 1); m.u32(info + 12, 1)     // magic, version 1, 1 module
    m.u64(info + 16, 0x2000)                                            // module list
    m.u64(info + 24, 0x3000)                                            // command line
    m.u64(info + 32, 0xE0000)                                           // rsdp
    m.u64(info + 40, 0x4000); m.u32(info + 48, 2)                       // memory map, 2 entries
    m.u64(0x2000, 0x80_0000); m.u64(0x2008, 12345); m.u64(0x2010, 0x3100)
    m.ascii(0x3000, "console=ttyS0 init=/init ktest")
    m.ascii(0x3100, "initrd.cpio")
    m.u64(0x4000, 0); m.u64(0x4008, 0x9FC00); m.u32(0x4010, 1)
    m.u64(0x4018, 0x100000); m.u64(0x4020, 0x1FF0_0000); m.u32(0x4028, 1)
    return m
}

/// An ACPI 2.0 RSDP at 0xE000 -> XSDT at 0xE100 -> MADT at 0xE200 (3 CPUs, one disabled).
func acpiImage() -> Bytes {
    var m = Bytes(count: 0x10000)
    m.ascii(0xE000, "RSD PTR "); m.ascii(0xE009, "BOCHS "); m.u8(0xE00F, 2)
    m.u32(0xE010, 0); m.u32(0xE014, 36); m.u64(0xE018, 0xE100)
    m.checksum(0xE000, 20, at: 0xE008)
    m.checksum(0xE000, 36, at: 0xE020)
    m.ascii(0xE100, "XSDT"); m.u32(0xE104, 36 + 8); m.u64(0xE124, 0xE200)
    m.checksum(0xE100, 44, at: 0xE109)
    var o = 0xE200 + 44
    m.ascii(0xE200, "APIC"); m.u32(0xE224, 0xFEE0_0000)
    for (uid, apic, flags) in [(0, 0, 1), (1, 1, 1), (2, 5, 0)] as [(UInt8, UInt8, UInt32)] {
        m.u8(o, 0); m.u8(o + 1, 8); m.u8(o + 2, uid); m.u8(o + 3, apic); m.u32(o + 4, flags); o += 8
    }
    m.u8(o, 1); m.u8(o + 1, 12); m.u8(o + 2, 9); m.u32(o + 4, 0xFEC0_0000); o += 12
    m.u8(o, 2); m.u8(o + 1, 10); m.u8(o + 3, 0); m.u32(o + 4, 2); m.u16(o + 8, 0); o += 10
    m.u32(0xE204, UInt32(o - 0xE200))
    m.checksum(0xE200, o - 0xE200, at: 0xE209)
    return m
}

@Suite struct FirmwareTests {
    @Test func pvhStartInfo() throws {
        let r = ArrayPhysicalReader(memory: pvhImage().b)
        let boot = try BootInfo.parse(registerMagic: 0, info: 0x1000, reader: r)
        #expect(boot.bootProtocol == .pvh)
        #expect(boot.commandLine == "console=ttyS0 init=/init ktest")
        #expect(boot.modules == [BootModule(base: 0x80_0000, size: 12345, commandLine: "initrd.cpio")])
        #expect(boot.memoryMap.count == 2)
        #expect(boot.usableBytes == 0x9FC00 + 0x1FF0_0000)
        #expect(boot.rsdpAddress == 0xE0000)
    }

    @Test func multiboot2Information() throws {
        var m = Bytes(count: 0x2000)
        var o = 0x1008
        m.u32(o, 1); m.u32(o + 4, 8 + 14); m.ascii(o + 8, "root=/dev/vda"); o += 24          // cmdline
        m.u32(o, 3); m.u32(o + 4, 16 + 6); m.u32(o + 8, 0x40_0000); m.u32(o + 12, 0x40_1000)
        m.ascii(o + 16, "initrd"); o += 24                                                   // module
        m.u32(o, 6); m.u32(o + 4, 16 + 24); m.u32(o + 8, 24)
        m.u64(o + 16, 0x100000); m.u64(o + 24, 0x700000); m.u32(o + 32, 1); o += 40         // memory map
        m.u32(o, 0); m.u32(o + 4, 8); o += 8
        m.u32(0x1000, UInt32(o - 0x1000))
        let boot = try BootInfo.parse(registerMagic: BootInfo.multiboot2Magic, info: 0x1000,
                                      reader: ArrayPhysicalReader(memory: m.b))
        #expect(boot.bootProtocol == .multiboot2)
        #expect(boot.commandLine == "root=/dev/vda")
        #expect(boot.modules == [BootModule(base: 0x40_0000, size: 0x1000, commandLine: "initrd")])
        #expect(boot.memoryMap == [MemoryRange(base: 0x100000, length: 0x700000, type: 1)])
    }

    @Test func unknownBootProtocolIsAnError() {
        #expect(throws: BootInfoError.self) {
            try BootInfo.parse(registerMagic: 0, info: 0x10, reader: ArrayPhysicalReader(memory: Array(repeating: 0, count: 64)))
        }
    }

    @Test func madtListsProcessorsAndIOAPICs() throws {
        let r = ArrayPhysicalReader(memory: acpiImage().b)
        let rsdp = try #require(ACPITables.locateRSDP(hint: 0xE000, reader: r))
        let tables = try ACPITables.parse(rsdp: rsdp, reader: r)
        #expect(tables.revision == 2)
        #expect(tables.tables.map { $0.signature } == ["APIC"])
        let madt = try tables.madt(reader: r)
        #expect(madt.localAPICAddress == 0xFEE0_0000)
        #expect(madt.processors.map { $0.apicID } == [0, 1, 5])
        #expect(madt.usableProcessors.map { $0.apicID } == [0, 1])
        #expect(madt.ioAPICs == [ACPIIOAPIC(id: 9, address: 0xFEC0_0000, globalInterruptBase: 0)])
        #expect(madt.overrides.first?.globalInterrupt == 2)
    }

    @Test func rsdpIsFoundByScanningTheBIOSArea() {
        var m = Bytes(count: 0x100000)
        m.ascii(0xF5A0, "RSD PTR "); m.u8(0xF5AF, 0); m.u32(0xF5B0, 0xE100)
        m.checksum(0xF5A0, 20, at: 0xF5A8)
        var big = Bytes(count: 0x100000)
        big.b.replaceSubrange(0xE0000..<0xE0000 + 0x10000, with: m.b[0..<0x10000])
        #expect(ACPITables.locateRSDP(hint: 0, reader: ArrayPhysicalReader(memory: big.b)) == 0xEF5A0)
    }

    @Test func badChecksumsAreRejected() {
        var m = acpiImage()
        m.b[0xE230] ^= 0xFF                                     // corrupt the MADT
        let r = ArrayPhysicalReader(memory: m.b)
        #expect(throws: ACPIError.self) { try ACPITables.parse(rsdp: 0xE000, reader: r).madt(reader: r) }
        var n = acpiImage()
        n.b[0xE001] = 0                                         // corrupt the RSDP signature
        #expect(throws: ACPIError.self) { try ACPITables.parse(rsdp: 0xE000, reader: ArrayPhysicalReader(memory: n.b)) }
    }

    @Test func mutatedTablesNeverTrap() {
        // Fuzz: flip random bytes in valid images; parsing may fail, but must never crash.
        var rng = SplitMix(seed: 42)
        let pvh = pvhImage().b, acpi = acpiImage().b
        var parsed = 0
        for _ in 0..<3000 {
            var a = acpi, p = pvh
            for _ in 0..<Int(rng.next() % 8 + 1) {
                a[0xE000 + Int(rng.next() % 0x300)] = UInt8(truncatingIfNeeded: rng.next())
                p[0x1000 + Int(rng.next() % 0x60)] = UInt8(truncatingIfNeeded: rng.next())
            }
            let ra = ArrayPhysicalReader(memory: a)
            if let t = try? ACPITables.parse(rsdp: 0xE000, reader: ra), (try? t.madt(reader: ra)) != nil { parsed += 1 }
            _ = try? BootInfo.parse(registerMagic: 0, info: 0x1000, reader: ArrayPhysicalReader(memory: p))
            _ = ACPITables.locateRSDP(hint: 0, reader: ra)
        }
        #expect(parsed < 3000)
    }

    @Test func commandLineLikeLinux() {
        let c = KernelCommandLine("console=ttyS0  init=/bin/sh quiet foo=\"a b\" console=tty0 -- -x arg")
        #expect(c.value("console") == "tty0")
        #expect(c.value("init") == "/bin/sh")
        #expect(c.contains("quiet"))
        #expect(c.value("quiet") == nil)
        #expect(c.value("foo") == "a b")
        #expect(c.initArguments == ["-x", "arg"])
        #expect(KernelCommandLine("").parameters.isEmpty)
    }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
