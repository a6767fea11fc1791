// The kernel command line, parsed the way Linux does (Documentation/admin-guide/
// kernel-parameters.rst): whitespace-separated `name` or `name=value` words, double quotes
// group a value with spaces, and everything after `--` belongs to init.

public struct KernelCommandLine {
    public private(set) var parameters: [(name: String, value: String?)] = []
    /// Words after `--`, passed to init as arguments.
    public private(set) var initArguments: [String] = []

    public init(_ line: String) {
        var words: [String] = []
        var current: [UInt8] = []
        var inQuotes = false
        var hasWord = false
        for c in line.utf8 {
            if c == UInt8(ascii: "\"") { inQuotes.toggle(); hasWord = true; continue }
            if !inQuotes && (c == 0x20 || c == 0x09 || c == 0x0A) {
                if hasWord { words.append(String(decoding: current, as: UTF8.self)) }
                current = []; hasWord = false
                continue
            }
            current.append(c); hasWord = true
        }
        if hasWord { words.append(String(decoding: current, as: UTF8.self)) }
        var afterDashes = false
        for w in words {
            if afterDashes { initArguments.append(w); continue }
            if w == "--" { afterDashes = true; continue }
            if let eq = w.utf8.firstIndex(of: UInt8(ascii: "=")) {
                let name = String(decoding: w.utf8[w.utf8.startIndex..<eq], as: UTF8.self)
                let value = String(decoding: w.utf8[w.utf8.index(after: eq)...], as: UTF8.self)
                parameters.append((name, value))
            } else {
                parameters.append((w, nil))
            }
        }
    }

    /// The value of the last `name=value` (Linux: later parameters win).
    public func value(_ name: String) -> String? {
        parameters.last { $0.name == name }?.value
    }

    /// True if `name` appears, with or without a value.
    public func contains(_ name: String) -> Bool {
        parameters.contains { $0.name == name }
    }
}
