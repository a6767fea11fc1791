// PCI configuration space through configuration mechanism #1 (PCI Local Bus Specification
// 3.0, section 3.2.2.3.2): the address goes to port 0xCF8, the dword comes back through 0xCFC.
// Enough to find devices by vendor and device id on the buses QEMU's i440fx and q35 machines
// expose, read their BARs and interrupt line, and enable I/O decoding and bus mastering.
// Drivers (VirtioBlock.swift) call `PCI.find`; nothing outside Arch/x86_64 touches the ports.
import Objects

/// One PCI function: where it is and what it is.
struct PCIFunction {
    let bus: UInt8
    let device: UInt8
    let function: UInt8
    let vendorID: UInt16
    let deviceID: UInt16

    /// "00:04.0", as lspci prints it.
    var location: String {
        "\(hex(UInt64(bus), digits: 2).dropFirst(2)):\(hex(UInt64(device), digits: 2).dropFirst(2)).\(function)"
    }

    func read32(_ offset: UInt8) -> UInt32 { PCI.read32(bus, device, function, offset) }
    func write32(_ offset: UInt8, _ value: UInt32) { PCI.write32(bus, device, function, offset, value) }
    func read16(_ offset: UInt8) -> UInt16 {
        UInt16(truncatingIfNeeded: read32(offset & ~3) >> (UInt32(offset & 2) * 8))
    }

    /// Base address register `index` (0...5): (is an I/O-port BAR, base address).
    func bar(_ index: Int) -> (isPort: Bool, base: UInt64) {
        let raw = read32(UInt8(0x10 + 4 * index))
        if raw & 1 != 0 { return (true, UInt64(raw & ~3)) }
        var base = UInt64(raw & ~0xF)
        if (raw >> 1) & 3 == 2 && index < 5 { base |= UInt64(read32(UInt8(0x14 + 4 * index))) << 32 }
        return (false, base)
    }

    /// The legacy interrupt line the firmware assigned (0xFF: none) and pin (1 = INTA#).
    var interruptLine: UInt8 { UInt8(truncatingIfNeeded: read32(0x3C)) }
    var interruptPin: UInt8 { UInt8(truncatingIfNeeded: read32(0x3C) >> 8) }

    /// Command register: I/O space, memory space and bus mastering on; legacy INTx left as is.
    func enableDecodingAndBusMastering() {
        let command = read32(0x04)
        write32(0x04, (command & 0xFFFF) | 0x7)   // status half written 0: its bits are write-1-to-clear
    }
}

enum PCI {
    private static let addressPort: UInt16 = 0xCF8
    private static let dataPort: UInt16 = 0xCFC
    /// Config-space accesses are two port operations; this keeps two CPUs from interleaving them.
    private static let lock = SpinLock()

    static func read32(_ bus: UInt8, _ device: UInt8, _ function: UInt8, _ offset: UInt8) -> UInt32 {
        lock.withLockIRQSave {
            arch_outl(addressPort, address(bus, device, function, offset))
            return arch_inl(dataPort)
        }
    }

    static func write32(_ bus: UInt8, _ device: UInt8, _ function: UInt8, _ offset: UInt8, _ value: UInt32) {
        lock.withLockIRQSave {
            arch_outl(addressPort, address(bus, device, function, offset))
            arch_outl(dataPort, value)
        }
    }

    private static func address(_ bus: UInt8, _ device: UInt8, _ function: UInt8, _ offset: UInt8) -> UInt32 {
        0x8000_0000 | UInt32(bus) << 16 | UInt32(device & 31) << 11 | UInt32(function & 7) << 8 | UInt32(offset & 0xFC)
    }

    /// Every function on buses 0 ... `lastBus` (a brute-force scan: 32 devices x 8 functions
    /// per bus; a function reading vendor 0xFFFF is absent).
    static func enumerate(lastBus: UInt8 = 7) -> [PCIFunction] {
        var found: [PCIFunction] = []
        var bus: UInt8 = 0
        while true {
            for device: UInt8 in 0..<32 {
                let id0 = read32(bus, device, 0, 0)
                guard id0 & 0xFFFF != 0xFFFF else { continue }
                let header = UInt8(truncatingIfNeeded: read32(bus, device, 0, 0x0C) >> 16)
                let functions: UInt8 = header & 0x80 != 0 ? 8 : 1
                for function: UInt8 in 0..<functions {
                    let id = function == 0 ? id0 : read32(bus, device, function, 0)
                    guard id & 0xFFFF != 0xFFFF else { continue }
                    found.append(PCIFunction(bus: bus, device: device, function: function,
                                             vendorID: UInt16(truncatingIfNeeded: id),
                                             deviceID: UInt16(truncatingIfNeeded: id >> 16)))
                }
            }
            if bus == lastBus { break }
            bus += 1
        }
        return found
    }

    /// The functions with this vendor id and one of `deviceIDs`, in bus order.
    static func find(vendor: UInt16, devices deviceIDs: [UInt16]) -> [PCIFunction] {
        enumerate().filter { $0.vendorID == vendor && deviceIDs.contains($0.deviceID) }
    }
}
