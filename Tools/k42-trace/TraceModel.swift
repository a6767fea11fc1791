// The decoded form every k42-trace subcommand works from: reads a trace container (Trace's
// TraceFileReader), decodes each buffer (TraceBufferDecoder), keeps per-CPU packets for the CTF
// writer, merges all CPUs by time for the text and JSON outputs, and adds up lost events
// (buffer-start counts, lost records, and gaps in buffer sequence numbers).
import Foundation
import Trace

struct TraceToolError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// One payload field as declared in the catalogue (`name`, `name:x`, `name:s`).
struct FieldSpec {
    enum Kind { case decimal, hex, text }
    let name: String
    let kind: Kind
}

/// Names and fields of one (major, minor), cached.
struct EventType {
    let major: UInt8
    let minor: UInt16
    let className: String
    let name: String
    let fields: [FieldSpec]
    let known: Bool

    var fullName: String { "\(className):\(name)" }

    init(major: UInt8, minor: UInt16) {
        self.major = major
        self.minor = minor
        className = TraceClass(rawValue: major).map { $0.name.description } ?? "class\(major)"
        if let spec = TraceCatalog.spec(major: major, minor: minor) {
            name = spec.name.description
            known = true
            fields = spec.fields.description.split(separator: " ").map { part in
                let pieces = part.split(separator: ":")
                let kind: FieldSpec.Kind = pieces.count > 1 ? (pieces[1] == "s" ? .text : .hex) : .decimal
                return FieldSpec(name: String(pieces[0]), kind: kind)
            }
        } else {
            name = "event\(minor)"
            known = false
            fields = []
        }
    }

    /// Every catalogued event, built once (thread-safe lazy static).
    static let table: [UInt32: EventType] = {
        var t: [UInt32: EventType] = [:]
        for cls in TraceClass.allCases {
            for minor in 0..<TraceCatalog.eventCount(major: cls.rawValue) {
                t[UInt32(cls.rawValue) << 16 | UInt32(minor)] = EventType(major: cls.rawValue, minor: UInt16(minor))
            }
        }
        return t
    }()

    static func of(major: UInt8, minor: UInt16) -> EventType {
        table[UInt32(major) << 16 | UInt32(minor)] ?? EventType(major: major, minor: minor)
    }
}

struct TraceEvent {
    var cpu: Int
    var timestamp: UInt64
    var major: UInt8
    var minor: UInt16
    var layer: UInt8
    var payload: [UInt64]

    var type: EventType { EventType.of(major: major, minor: minor) }

    /// Payload word `i`, or 0 if the event is shorter.
    func word(_ i: Int) -> UInt64 { i < payload.count ? payload[i] : 0 }

    /// The text of a `:s` field starting at payload word `i`.
    func text(from i: Int) -> String {
        guard i < payload.count else { return "" }
        var bytes: [UInt8] = []
        Array(payload[i...]).withUnsafeBufferPointer { TracePacking.unpack($0) { bytes.append($0) } }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// (field name, formatted value) pairs; words past the declared fields are shown as wN.
    func fieldValues() -> [(String, String)] {
        var out: [(String, String)] = []
        var i = 0
        for f in type.fields {
            switch f.kind {
            case .text:
                out.append((f.name, text(from: i)))
                i = payload.count
            case .hex: out.append((f.name, "0x" + String(word(i), radix: 16))); i += 1
            case .decimal: out.append((f.name, String(word(i)))); i += 1
            }
        }
        while i < payload.count { out.append(("w\(i)", "0x" + String(payload[i], radix: 16))); i += 1 }
        return out
    }
}

/// One complete buffer of one CPU: becomes one CTF packet.
struct TracePacket {
    var cpu: Int
    var sequence: UInt64
    var startTimestamp: UInt64
    var lostEventsBefore: UInt64
    var events: Range<Int>  // indices into TraceModel.perCPU[cpu]
}

final class TraceModel {
    let header: TraceFileHeader
    var perCPU: [[TraceEvent]]
    var packets: [[TracePacket]]
    /// Events dropped per CPU (buffer-start counts plus lost records).
    var lostEvents: [UInt64]
    /// Buffers lost per CPU (lost records plus sequence gaps).
    var lostBuffers: [UInt64]
    var decodeErrors: [String] = []
    private(set) lazy var merged: [TraceEvent] = {
        perCPU.flatMap { $0 }.enumerated().sorted {
            ($0.element.timestamp, $0.element.cpu, $0.offset) < ($1.element.timestamp, $1.element.cpu, $1.offset)
        }.map(\.element)
    }()

    var cpuCount: Int { perCPU.count }
    var frequency: Double { Double(max(header.timestampFrequency, 1)) }
    var eventCount: Int { perCPU.reduce(0) { $0 + $1.count } }
    var firstTimestamp: UInt64 { perCPU.compactMap { $0.first?.timestamp }.min() ?? 0 }
    var lastTimestamp: UInt64 { perCPU.compactMap { $0.last?.timestamp }.max() ?? 0 }

    /// Seconds from the first event.
    func seconds(_ ts: UInt64) -> Double { Double(ts &- firstTimestamp) / frequency }

    convenience init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TraceToolError("cannot read \(path)")
        }
        try self.init(data: data)
    }

    init(data: Data) throws {
        var words = [UInt64](repeating: 0, count: data.count / 8)
        _ = words.withUnsafeMutableBytes { data.copyBytes(to: $0) }
        let parsed: (TraceFileHeader, [[TraceEvent]], [[TracePacket]], [UInt64], [UInt64], [String])
        do {
            parsed = try words.withUnsafeBufferPointer { try Self.parse($0) }
        } catch let e as TraceFileError {
            throw TraceToolError("not a K42 trace file: \(e)")
        }
        (header, perCPU, packets, lostEvents, lostBuffers, decodeErrors) = parsed
    }

    private static func parse(_ words: UnsafeBufferPointer<UInt64>) throws
        -> (TraceFileHeader, [[TraceEvent]], [[TracePacket]], [UInt64], [UInt64], [String]) {
        var reader = try TraceFileReader(words: words)
        let cpus = Int(reader.header.cpuCount)
        var perCPU = [[TraceEvent]](repeating: [], count: cpus)
        var packets = [[TracePacket]](repeating: [], count: cpus)
        var lostEvents = [UInt64](repeating: 0, count: cpus)
        var lostBuffers = [UInt64](repeating: 0, count: cpus)
        var nextSequence = [UInt64?](repeating: nil, count: cpus)
        var errors: [String] = []
        while let record = try reader.next() {
            switch record {
            case .buffer(let cpu32, let sequence, let bufferWords):
                let cpu = Int(cpu32)
                guard cpu < cpus else { errors.append("buffer for CPU \(cpu) beyond CPU count"); continue }
                if let expected = nextSequence[cpu], sequence > expected { lostBuffers[cpu] += sequence - expected }
                nextSequence[cpu] = sequence + 1
                var decoder = TraceBufferDecoder(words: bufferWords)
                let first = perCPU[cpu].count
                while let e = decoder.next() {
                    let payload = Array(bufferWords[e.payloadOffset..<e.payloadOffset + e.payloadCount])
                    perCPU[cpu].append(TraceEvent(cpu: cpu, timestamp: e.timestamp, major: e.header.major,
                                                  minor: e.header.minor, layer: e.header.layer, payload: payload))
                }
                if let error = decoder.error { errors.append("CPU \(cpu) buffer \(sequence): \(error)") }
                lostEvents[cpu] += decoder.lostEventsBefore
                packets[cpu].append(TracePacket(cpu: cpu, sequence: sequence, startTimestamp: decoder.startTimestamp,
                                                lostEventsBefore: decoder.lostEventsBefore,
                                                events: first..<perCPU[cpu].count))
            case .lost(let cpu32, let events, let buffers):
                let cpu = Int(cpu32)
                guard cpu < cpus else { continue }
                lostEvents[cpu] += events
                lostBuffers[cpu] += buffers
            case .end:
                break
            }
        }
        return (reader.header, perCPU, packets, lostEvents, lostBuffers, errors)
    }
}

/// Linux x86_64 syscall numbers for names in reports (arch/x86/entry/syscalls/syscall_64.tbl).
enum SyscallNames {
    static let table: [UInt64: String] = [
        0: "read", 1: "write", 2: "open", 3: "close", 4: "stat", 5: "fstat", 8: "lseek", 9: "mmap",
        10: "mprotect", 11: "munmap", 12: "brk", 13: "rt_sigaction", 14: "rt_sigprocmask", 16: "ioctl",
        20: "writev", 21: "access", 22: "pipe", 32: "dup", 33: "dup2", 39: "getpid", 56: "clone",
        57: "fork", 59: "execve", 60: "exit", 61: "wait4", 62: "kill", 63: "uname", 72: "fcntl",
        78: "getdents", 79: "getcwd", 80: "chdir", 89: "readlink", 96: "gettimeofday", 102: "getuid",
        158: "arch_prctl", 202: "futex", 217: "getdents64", 218: "set_tid_address", 228: "clock_gettime",
        231: "exit_group", 257: "openat", 262: "newfstatat", 293: "pipe2", 302: "prlimit64",
    ]
    static func name(_ number: UInt64) -> String { table[number] ?? "syscall_\(number)" }
}
