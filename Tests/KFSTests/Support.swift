// Shared helpers for the KFS tests: a deterministic random generator, byte-string helpers,
// a fresh formatted RAM disk, and the "fsck finds it clean" assertion every test ends with.

import Testing
@testable import KFS

/// SplitMix64: deterministic, so a failing seed can be replayed.
struct SeededRandom: RandomNumberGenerator {
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

func b(_ string: String) -> [UInt8] { Array(string.utf8) }

func randomBytes(_ count: Int, _ random: inout SeededRandom) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: count)
    for index in 0..<count { bytes[index] = UInt8(truncatingIfNeeded: random.next()) }
    return bytes
}

/// A formatted RAM disk of `blocks` blocks and the file system mounted on it.
func freshFileSystem(blocks: Int = 2048) throws -> (MemoryBlockDevice, FileSystem<MemoryBlockDevice>) {
    let device = MemoryBlockDevice(blockCount: blocks)
    try FileSystem.format(device, label: b("test"))
    let fileSystem = try FileSystem(mounting: device)
    var tick: Int64 = 1_000_000_000
    fileSystem.clock = { tick += 1; return tick }
    return (device, fileSystem)
}

/// Runs the checker and records every problem it reports as a test failure.
func expectClean<D: BlockDevice>(_ device: D, sourceLocation: SourceLocation = #_sourceLocation) {
    let report = Checker(device).run()
    for problem in report.problems where !problem.kind.isNote {
        Issue.record("fsck: \(problem.kind) id=\(problem.id) block=\(problem.block) name=\(String(decoding: problem.name, as: UTF8.self)) expected=\(problem.expected) found=\(problem.found)", sourceLocation: sourceLocation)
    }
}

/// Env-configurable iteration counts for the long randomized tests.
func iterations(_ variable: String, default value: Int) -> Int {
    if let text = ProcessInfoLite.environment(variable), let parsed = Int(text), parsed > 0 { return parsed }
    return value
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum ProcessInfoLite {
    static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }
}
