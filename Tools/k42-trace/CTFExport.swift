// `k42-trace ctf OUTDIR`: a CTF 1.8 trace that babeltrace2 reads (shared research tracing.md,
// section 3a, "minimal metadata"). One stream file per CPU; each K42 buffer becomes one packet
// whose context carries its full begin/end time, sequence number and cumulative discarded
// events. Events are rewritten with a standard header (32-bit id = major<<14|minor, 64-bit time),
// so babeltrace2 needs no wrap reconstruction. Every field is byte-aligned, so no event ends in
// padding and content_size ends exactly at the last event's data (the research's pitfall 4).
import ArgumentParser
import Foundation
import Trace

struct CTFCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ctf",
                                                    abstract: "Write a CTF 1.8 trace directory (babeltrace2).")
    @Argument(help: "Trace file.") var trace: String
    @Argument(help: "Output directory (created).") var outdir: String

    func run() throws { try writeCTF(try TraceModel(path: trace), to: outdir) }
}

/// Event id for the catch-all class of events this build's catalogue does not know.
let ctfUnknownEventID: UInt32 = 1 << 20

func ctfEventID(major: UInt8, minor: UInt16) -> UInt32 { UInt32(major) << 14 | UInt32(minor) }

func ctfMetadata(model: TraceModel, uuid: UUID) -> String {
    let u = uuid.uuidString.lowercased()
    var m = """
    /* CTF 1.8 */
    typealias integer { size = 8; align = 8; signed = false; } := uint8_t;
    typealias integer { size = 32; align = 8; signed = false; } := uint32_t;
    typealias integer { size = 64; align = 8; signed = false; } := uint64_t;
    typealias integer { size = 64; align = 8; signed = false; base = 16; } := uint64_hex_t;

    trace {
        major = 1; minor = 8; uuid = "\(u)"; byte_order = le;
        packet.header := struct { uint32_t magic; uint8_t uuid[16]; uint32_t stream_id; };
    };
    env { hostname = "k42"; domain = "kernel"; tracer_name = "k42-trace"; tracer_major = 0; tracer_minor = 1; };
    clock { name = "k42"; uuid = "\(u)"; freq = \(model.header.timestampFrequency); offset_s = 0; offset = 0; absolute = FALSE; };
    typealias integer { size = 64; align = 8; signed = false; map = clock.k42.value; } := uint64_clock_t;

    stream {
        id = 0;
        packet.context := struct {
            uint64_clock_t timestamp_begin; uint64_clock_t timestamp_end;
            uint64_t content_size; uint64_t packet_size;
            uint64_t packet_seq_num; uint64_t events_discarded; uint32_t cpu_id;
        };
        event.header := struct { uint32_t id; uint64_clock_t timestamp; };
    };

    """
    for cls in TraceClass.allCases {
        for minor in 0..<TraceCatalog.eventCount(major: cls.rawValue) {
            if cls == .control && minor != Int(TraceControlMinor.maskChanged) { continue }
            let type = EventType.of(major: cls.rawValue, minor: UInt16(minor))
            let fields = type.fields.map { f -> String in
                switch f.kind {
                case .decimal: "uint64_t _\(f.name);"
                case .hex: "uint64_hex_t _\(f.name);"
                case .text: "string _\(f.name);"
                }
            }.joined(separator: " ")
            m += "event { name = \"\(type.fullName)\"; id = \(ctfEventID(major: cls.rawValue, minor: UInt16(minor))); "
            m += "stream_id = 0; fields := struct { \(fields) }; };\n"
        }
    }
    m += "event { name = \"k42:unknown\"; id = \(ctfUnknownEventID); stream_id = 0; fields := struct { "
    m += "uint32_t _major; uint32_t _minor; uint32_t _count; uint64_hex_t _words[_count]; }; };\n"
    return m
}

/// Little-endian byte writer.
struct ByteWriter {
    var bytes: [UInt8] = []
    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func raw(_ b: [UInt8]) { bytes += b }
}

/// The event's fields in CTF encoding (after the header).
func ctfEncodeFields(_ e: TraceEvent, into w: inout ByteWriter) -> UInt32 {
    let type = e.type
    guard type.known else {
        w.u32(UInt32(e.major)); w.u32(UInt32(e.minor)); w.u32(UInt32(e.payload.count))
        for word in e.payload { w.u64(word) }
        return ctfUnknownEventID
    }
    var i = 0
    for f in type.fields {
        switch f.kind {
        case .decimal, .hex: w.u64(e.word(i)); i += 1
        case .text:
            w.raw(Array(e.text(from: i).utf8.filter { $0 != 0 }))
            w.u8(0)
            i = e.payload.count
        }
    }
    return ctfEventID(major: e.major, minor: e.minor)
}

func writeCTF(_ model: TraceModel, to outdir: String) throws {
    let fm = FileManager.default
    try fm.createDirectory(atPath: outdir, withIntermediateDirectories: true)
    let uuid = UUID()
    try ctfMetadata(model: model, uuid: uuid).write(toFile: outdir + "/metadata", atomically: true, encoding: .utf8)
    let uuidBytes = withUnsafeBytes(of: uuid.uuid) { Array($0) }
    for cpu in 0..<model.cpuCount {
        var stream = ByteWriter()
        var discarded: UInt64 = 0
        let reportedInPackets = model.packets[cpu].reduce(0) { $0 + $1.lostEventsBefore }
        let trailingLost = model.lostEvents[cpu] - reportedInPackets
        for (n, packet) in model.packets[cpu].enumerated() {
            var body = ByteWriter()
            var end = packet.startTimestamp
            for e in model.perCPU[cpu][packet.events] {
                if e.major == TraceClass.control.rawValue && e.minor != TraceControlMinor.maskChanged { continue }
                var fields = ByteWriter()
                let id = ctfEncodeFields(e, into: &fields)
                body.u32(id)
                body.u64(e.timestamp)
                body.raw(fields.bytes)
                end = max(end, e.timestamp)
            }
            discarded += packet.lostEventsBefore
            // Losses after the last buffer began (the file's lost record) go with the last packet.
            if n == model.packets[cpu].count - 1 { discarded += trailingLost }
            let headerBytes = 4 + 16 + 4 + 8 * 6 + 4
            let contentBytes = headerBytes + body.bytes.count
            let packetBytes = (contentBytes + 7) & ~7
            stream.u32(0xC1FC_1FC1)
            stream.raw(uuidBytes)
            stream.u32(0)
            stream.u64(packet.startTimestamp)
            stream.u64(end)
            stream.u64(UInt64(contentBytes * 8))
            stream.u64(UInt64(packetBytes * 8))
            stream.u64(packet.sequence)
            stream.u64(discarded)
            stream.u32(UInt32(cpu))
            stream.raw(body.bytes)
            stream.raw([UInt8](repeating: 0, count: packetBytes - contentBytes))
        }
        try Data(stream.bytes).write(to: URL(fileURLWithPath: outdir + "/stream_\(cpu)"))
    }
}
