// The HAT (Hardware Address Translator, K42 paper section 4): the interface between the
// machine-independent memory objects and one address space's page tables. The kernel's
// x86_64 implementation lives in Arch/x86_64/UserPageTables.swift; hosted tests use a
// dictionary. A base class, not a protocol: Embedded Swift has no non-class existentials.

/// Access rights of a mapping.
public struct Protection: OptionSet, Equatable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// PROT_READ, PROT_WRITE, PROT_EXEC (include/uapi/asm-generic/mman-common.h).
    public static let read = Protection(rawValue: 1)
    public static let write = Protection(rawValue: 2)
    public static let execute = Protection(rawValue: 4)
    public static let none: Protection = []
}

open class HAT {
    public init() {}
    /// Maps the user page at `virtual` to the frame at `physical`, replacing any mapping.
    open func map(virtual: UInt64, physical: UInt64, protection: Protection) { fatalError("HAT is an interface") }
    /// Removes the mapping of the page at `virtual`, if any.
    open func unmap(virtual: UInt64) { fatalError("HAT is an interface") }
    /// The frame mapped at `virtual` and whether it is writable, if mapped.
    open func translate(virtual: UInt64) -> (physical: UInt64, writable: Bool)? { fatalError("HAT is an interface") }
    /// Removes every mapping in [start, end). The default unmaps page by page; page tables
    /// override it to skip the parts that were never mapped.
    open func unmap(start: UInt64, end: UInt64) {
        var va = start
        while va < end { unmap(virtual: va); va += 4096 }
    }
    /// Makes every mapping in [start, end) read-only (fork's copy-on-write).
    open func writeProtect(start: UInt64, end: UInt64) { fatalError("HAT is an interface") }
    /// Called after a batch of changes, so TLBs can be flushed once.
    open func flush() {}
}
