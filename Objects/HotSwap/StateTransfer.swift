// State transfer for hot swap (K42's DataTransferObject, research k42.md 3): the old root
// exports its state in a format, the new root imports it. Each root lists the formats it can
// export and import; a swap picks the lowest-numbered format both sides know (K42: "the
// smaller value wins"), so specific formats come first and `.none` (no state at all, for
// stateless objects and null swaps) last. No common format: the swap fails before anything
// changes.

/// A set of state-transfer formats, one bit each.
public struct TransferFormats: OptionSet, Equatable {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// A counter's value (Objects/Counter).
    public static let counterValue = TransferFormats(rawValue: 1 << 0)
    /// A file's cached pages, moved by reference (FileSystem/RamFS/FileCache).
    public static let filePages = TransferFormats(rawValue: 1 << 1)
    /// Formats for tests (bits 48 to 55).
    public static func test(_ n: Int) -> TransferFormats { TransferFormats(rawValue: 1 << UInt64(48 + n)) }
    /// No state: the new object starts fresh (stateless objects, timing null swaps).
    public static let none = TransferFormats(rawValue: 1 << 63)

    /// The format a swap from `exports` to `imports` uses: the lowest bit they share.
    public static func negotiate(exports: TransferFormats, imports: TransferFormats) -> TransferFormats? {
        let common = exports.rawValue & imports.rawValue
        guard common != 0 else { return nil }
        return TransferFormats(rawValue: common & (~common &+ 1))
    }

    /// The bit's number (for trace events and /proc).
    public var bitNumber: Int { rawValue.trailingZeroBitCount }
}

/// State on its way from an old implementation to a new one; each format subclasses it.
open class TransferredState {
    public init() {}
}

/// The `.counterValue` format: one integer.
public final class CounterValueState: TransferredState {
    public let value: Int
    public init(value: Int) { self.value = value }
}
