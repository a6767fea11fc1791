// The initial user stack execve(2) builds (x86-64 psABI 3.4.1; Linux fs/binfmt_elf.c
// create_elf_tables): from RSP upward argc, argv pointers, NULL, envp pointers, NULL, the
// auxiliary vector, AT_NULL; above that the strings, 16 AT_RANDOM bytes and "x86_64".
// RSP is 16-byte aligned at process entry (glibc's _start relies on it).

public enum AuxiliaryVector {
    public static let AT_NULL: UInt64 = 0, AT_PHDR: UInt64 = 3, AT_PHENT: UInt64 = 4, AT_PHNUM: UInt64 = 5
    public static let AT_PAGESZ: UInt64 = 6, AT_BASE: UInt64 = 7, AT_FLAGS: UInt64 = 8, AT_ENTRY: UInt64 = 9
    public static let AT_UID: UInt64 = 11, AT_EUID: UInt64 = 12, AT_GID: UInt64 = 13, AT_EGID: UInt64 = 14
    public static let AT_PLATFORM: UInt64 = 15, AT_HWCAP: UInt64 = 16, AT_CLKTCK: UInt64 = 17
    public static let AT_SECURE: UInt64 = 23, AT_RANDOM: UInt64 = 25, AT_HWCAP2: UInt64 = 26, AT_EXECFN: UInt64 = 31
}

public struct InitialStack {
    /// The bytes to place so that they end at `top` (stack top, exclusive).
    public var bytes: [UInt8]
    /// The RSP for process entry (points at argc).
    public var stackPointer: UInt64

    /// Builds the stack image. `auxiliary` pairs come before AT_RANDOM/AT_EXECFN/AT_PLATFORM,
    /// which this adds with pointers into the string area.
    public static func build(top: UInt64, arguments: [[UInt8]], environment: [[UInt8]], executableName: [UInt8],
                             random: [UInt8], auxiliary: [(UInt64, UInt64)]) throws(Errno) -> InitialStack {
        // String area, growing down from the top.
        var strings: [UInt8] = []
        func place(_ s: [UInt8]) -> Int { let at = strings.count; strings += s; strings.append(0); return at }
        let execfnAt = place(executableName)
        let argAt = arguments.map { place($0) }
        let envAt = environment.map { place($0) }
        let platformAt = place(Array("x86_64".utf8))
        while strings.count % 16 != 0 { strings.append(0) }
        let randomAt = strings.count
        strings += random.count >= 16 ? Array(random[0..<16]) : random + Array(repeating: 0, count: 16 - random.count)
        guard strings.count <= 128 * 1024 * 4 else { throw .E2BIG }        // Linux: ARG_MAX-ish bound
        let stringBase = top - UInt64(strings.count)
        func address(_ offset: Int) -> UInt64 { stringBase + UInt64(offset) }

        var aux = auxiliary
        aux.append((AuxiliaryVector.AT_RANDOM, address(randomAt)))
        aux.append((AuxiliaryVector.AT_EXECFN, address(execfnAt)))
        aux.append((AuxiliaryVector.AT_PLATFORM, address(platformAt)))
        aux.append((AuxiliaryVector.AT_NULL, 0))
        let words = 1 + arguments.count + 1 + environment.count + 1 + 2 * aux.count
        var pointerBase = (stringBase - UInt64(words * 8)) & ~15          // 16-byte aligned RSP
        if pointerBase > stringBase { throw .E2BIG }
        var table: [UInt8] = Array(repeating: 0, count: Int(stringBase - pointerBase))
        var o = 0
        func put(_ v: UInt64) { LittleEndianBytes.put64(&table, o, v); o += 8 }
        put(UInt64(arguments.count))
        for a in argAt { put(address(a)) }
        put(0)
        for e in envAt { put(address(e)) }
        put(0)
        for (k, v) in aux { put(k); put(v) }
        pointerBase = stringBase - UInt64(table.count)
        return InitialStack(bytes: table + strings, stackPointer: pointerBase)
    }
}
