// ELF64 executables as execve(2) loads them (System V gABI and the x86-64 psABI; Linux
// fs/binfmt_elf.c behaviour): static ET_EXEC and static-PIE ET_DYN images for x86-64.
// Every field is checked against the file size and the user address range before use, so
// a malformed binary is ENOEXEC, never a fault.

public struct ELFSegment: Equatable {
    public var virtualAddress: UInt64
    public var fileOffset: UInt64
    public var fileSize: UInt64
    public var memorySize: UInt64
    /// PF_R 4, PF_W 2, PF_X 1.
    public var flags: UInt32
    public var readable: Bool { flags & 4 != 0 }
    public var writable: Bool { flags & 2 != 0 }
    public var executable: Bool { flags & 1 != 0 }
}

public struct ELFImage {
    public static let typeExecutable: UInt16 = 2          // ET_EXEC
    public static let typeShared: UInt16 = 3              // ET_DYN (static-PIE)

    public var type: UInt16
    public var entry: UInt64
    public var programHeaderOffset: UInt64
    public var programHeaderCount: Int
    public var segments: [ELFSegment] = []
    /// PT_INTERP: the dynamic loader path, if any.
    public var interpreter: String?
    /// PT_PHDR's address if present (AT_PHDR), else computed from the first segment.
    public var programHeaderAddress: UInt64?
    /// PT_GNU_STACK asks for an executable stack.
    public var executableStack = false

    public var isPositionIndependent: Bool { type == ELFImage.typeShared }

    /// Parses the ELF header and program headers from the start of the file.
    /// `read(offset, count)` returns file bytes (nil past the end).
    public static func parse(fileSize: UInt64, read: (UInt64, Int) -> [UInt8]?) throws(Errno) -> ELFImage {
        guard fileSize >= 64, let h = read(0, 64) else { throw .ENOEXEC }
        guard h[0] == 0x7F, h[1] == 0x45, h[2] == 0x4C, h[3] == 0x46 else { throw .ENOEXEC }   // \x7fELF
        guard h[4] == 2, h[5] == 1 else { throw .ENOEXEC }                                     // 64-bit LE
        let type = LittleEndianBytes.u16(h, 16)
        guard type == typeExecutable || type == typeShared else { throw .ENOEXEC }
        guard LittleEndianBytes.u16(h, 18) == 62 else { throw .ENOEXEC }                       // EM_X86_64
        let entry = LittleEndianBytes.u64(h, 24)
        let phoff = LittleEndianBytes.u64(h, 32)
        let phentsize = Int(LittleEndianBytes.u16(h, 54))
        let phnum = Int(LittleEndianBytes.u16(h, 56))
        guard phentsize == 56, phnum >= 1, phnum <= 128 else { throw .ENOEXEC }
        guard phoff <= fileSize, UInt64(phnum * 56) <= fileSize - phoff,
              let table = read(phoff, phnum * 56) else { throw .ENOEXEC }
        var image = ELFImage(type: type, entry: entry, programHeaderOffset: phoff, programHeaderCount: phnum)
        for i in 0..<phnum {
            let o = i * 56
            let pType = LittleEndianBytes.u32(table, o)
            let flags = LittleEndianBytes.u32(table, o + 4)
            let offset = LittleEndianBytes.u64(table, o + 8)
            let vaddr = LittleEndianBytes.u64(table, o + 16)
            let filesz = LittleEndianBytes.u64(table, o + 32)
            let memsz = LittleEndianBytes.u64(table, o + 40)
            switch pType {
            case 1:                                                            // PT_LOAD
                guard filesz <= memsz, offset <= fileSize, filesz <= fileSize - offset else { throw .ENOEXEC }
                guard vaddr &+ memsz >= vaddr, vaddr & 0xFFF == offset & 0xFFF else { throw .ENOEXEC }
                image.segments.append(ELFSegment(virtualAddress: vaddr, fileOffset: offset, fileSize: filesz,
                                                 memorySize: memsz, flags: flags))
            case 3:                                                            // PT_INTERP
                guard filesz > 1, filesz < 4096, offset <= fileSize, filesz <= fileSize - offset,
                      let bytes = read(offset, Int(filesz)) else { throw .ENOEXEC }
                let end = bytes.firstIndex(of: 0) ?? bytes.count
                image.interpreter = String(decoding: bytes[0..<end], as: UTF8.self)
            case 6: image.programHeaderAddress = vaddr                          // PT_PHDR
            case 0x6474_E551: image.executableStack = flags & 1 != 0            // PT_GNU_STACK
            default: break
            }
        }
        guard !image.segments.isEmpty else { throw .ENOEXEC }
        return image
    }

    /// The lowest and highest virtual address the loaded segments occupy (before any bias).
    public var span: (low: UInt64, high: UInt64) {
        var low = UInt64.max, high: UInt64 = 0
        for s in segments {
            low = min(low, s.virtualAddress & ~0xFFF)
            high = max(high, s.virtualAddress + s.memorySize)
        }
        return (low, high)
    }

    /// Where the program headers are in memory once loaded at `bias` (AT_PHDR).
    public func programHeadersInMemory(bias: UInt64) -> UInt64 {
        if let p = programHeaderAddress { return p &+ bias }
        for s in segments where programHeaderOffset >= s.fileOffset && programHeaderOffset < s.fileOffset + s.fileSize {
            return s.virtualAddress + (programHeaderOffset - s.fileOffset) &+ bias
        }
        return 0
    }
}

/// Little-endian reads from byte arrays (shared by the ABI encoders).
public enum LittleEndianBytes {
    @inline(__always) public static func u16(_ b: [UInt8], _ o: Int) -> UInt16 { UInt16(b[o]) | UInt16(b[o + 1]) << 8 }
    @inline(__always) public static func u32(_ b: [UInt8], _ o: Int) -> UInt32 { UInt32(u16(b, o)) | UInt32(u16(b, o + 2)) << 16 }
    @inline(__always) public static func u64(_ b: [UInt8], _ o: Int) -> UInt64 { UInt64(u32(b, o)) | UInt64(u32(b, o + 4)) << 32 }
    @inline(__always) public static func put64(_ b: inout [UInt8], _ o: Int, _ v: UInt64) {
        for i in 0..<8 { b[o + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) }
    }
}
