// Tests of k42-trace's outputs on a synthetic trace (Synth.swift, written with the real Trace
// library): the Perfetto JSON's structure (valid JSON, required fields, per-track B/E nesting),
// the CTF directory read by babeltrace2 (Debian package, installed by scripts/deps.sh) with the
// same event count as `summary` and no warnings other than counted discarded events, the lock
// report's arithmetic, and the timeline SVG being well-formed XML with a lane per CPU.
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import K42TraceTool
@testable import Trace

@Suite struct ToolTests {
    static let synthetic: Data = try! synthesizeTrace(cpus: 4, milliseconds: 20, seed: 7, loss: true)

    @Test func summaryCountsAgree() throws {
        let model = try TraceModel(data: Self.synthetic)
        #expect(model.decodeErrors.isEmpty)
        #expect(model.cpuCount == 4)
        #expect(model.eventCount > 10_000)
        #expect(model.lostEvents.reduce(0, +) > 0)
        let report = summaryReport(model)
        #expect(report.contains("events: \(model.eventCount)\n"))
        // Timestamps cross the 32-bit wrap (synth starts 3 ms below 2^32) and stay monotonic.
        for cpu in 0..<4 {
            let t = model.perCPU[cpu].map(\.timestamp)
            #expect(t == t.sorted())
            #expect(t.first! < 1 << 32 && t.last! > 1 << 32)
        }
    }

    @Test func perfettoStructure() throws {
        let model = try TraceModel(data: Self.synthetic)
        let data = try perfettoJSON(model)
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let events = try #require(root["traceEvents"] as? [[String: Any]])
        var depth: [String: Int] = [:]
        var lastTs: [String: Double] = [:]
        var slices = 0, problems: [String] = []
        for e in events {
            guard let ph = e["ph"] as? String, e["pid"] is Int, e["tid"] is Int else {
                problems.append("missing ph/pid/tid: \(e)"); continue
            }
            let track = "\(e["pid"]!)/\(e["tid"]!)"
            if ph == "M" { if e["name"] == nil || e["args"] == nil { problems.append("bad M") }; continue }
            guard let ts = e["ts"] as? Double else { problems.append("no ts: \(e)"); continue }
            if ts < lastTs[track, default: 0] { problems.append("time goes back on \(track)") }
            lastTs[track] = ts
            switch ph {
            case "B":
                if e["name"] == nil { problems.append("B without name") }
                depth[track, default: 0] += 1
                slices += 1
            case "E":
                depth[track, default: 0] -= 1
                if depth[track]! < 0 { problems.append("E without B on \(track)") }
            case "i":
                if e["name"] == nil || e["s"] == nil { problems.append("bad instant") }
            default: problems.append("unexpected phase \(ph)")
            }
        }
        #expect(problems.isEmpty, "\(problems.prefix(5))")
        #expect(depth.values.allSatisfy { $0 == 0 })
        #expect(slices > 1000)
        // One process (track group) per CPU.
        let names = events.filter { $0["name"] as? String == "process_name" }.count
        #expect(names == model.cpuCount)
    }

    @Test func ctfReadByBabeltrace() throws {
        let babeltrace = "/usr/bin/babeltrace2"
        guard FileManager.default.isExecutableFile(atPath: babeltrace) else {
            if ProcessInfo.processInfo.environment["K42_SKIP_BABELTRACE"] == "1" { return }
            Issue.record("babeltrace2 not installed: run scripts/deps.sh (or set K42_SKIP_BABELTRACE=1)")
            return
        }
        let model = try TraceModel(data: Self.synthetic)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("k42-ctf-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try writeCTF(model, to: dir)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: babeltrace)
        process.arguments = [dir]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let lines = String(decoding: outData, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == model.eventCount)
        var discarded: UInt64 = 0
        for line in String(decoding: errData, as: UTF8.self).split(separator: "\n") {
            // The only acceptable message: counted lost events ("Tracer discarded N events").
            let words = line.split(separator: " ")
            if line.hasPrefix("WARNING: Tracer discarded"), words.count > 3, let n = UInt64(words[3]) {
                discarded += n
            } else {
                Issue.record("babeltrace2: \(line)")
            }
        }
        #expect(discarded == model.lostEvents.reduce(0, +))
        #expect(lines.contains { $0.contains(" sched:switch: ") })
        #expect(lines.contains { $0.contains("name = \"/bin/sh\"") })
    }

    @Test func lockReportArithmetic() throws {
        guard let set = TraceLogSet(cpuCount: 1, buffers: 4, wordsPerBuffer: 512, mode: .dropNewest) else { return }
        let log = set.log(cpu: 0)
        let lock: UInt64 = 0xABC0
        let c = TraceClass.lock.rawValue, h = TraceClass.lockHold.rawValue
        // Both classes on for 0xABC0: three acquisitions, two of them contended.
        log.log(major: h, minor: LockHoldEvent.acquire.rawValue, clock: StepClockA.self, lock, 1, 0)
        log.log(major: h, minor: LockHoldEvent.release.rawValue, clock: StepClockA.self, lock, 100)
        log.log(major: c, minor: LockEvent.contended.rawValue, clock: StepClockA.self, lock, 3000, 2)
        log.log(major: h, minor: LockHoldEvent.acquire.rawValue, clock: StepClockA.self, lock, 2, 3000)
        log.log(major: h, minor: LockHoldEvent.release.rawValue, clock: StepClockA.self, lock, 50)
        log.log(major: c, minor: LockEvent.contended.rawValue, clock: StepClockA.self, lock, 1000, 2)
        log.log(major: h, minor: LockHoldEvent.acquire.rawValue, clock: StepClockA.self, lock, 2, 1000)
        // Only lockhold for 0xDEF0 (one acquisition that waited 7), only lock for 0x1230.
        log.log(major: h, minor: LockHoldEvent.acquire.rawValue, clock: StepClockA.self, 0xDEF0, 1, 7)
        log.log(major: c, minor: LockEvent.contended.rawValue, clock: StepClockA.self, 0x1230, 5, 3)
        var writer = TraceFileWriter(sink: MemorySink())
        writer.writeHeader(set.fileHeader())
        writer.finish(set.tracer)
        let data = writer.sink.words.withUnsafeBufferPointer { Data(buffer: $0) }
        let stats = lockStatistics(try TraceModel(data: data))
        let s = try #require(stats[lock])
        #expect(s.acquisitions == 3 && s.contended == 2)
        #expect(s.totalWait == 4000 && s.maxWait == 3000 && s.maxHold == 100)
        #expect(stats[0xDEF0]?.acquisitions == 1 && stats[0xDEF0]?.contended == 1 && stats[0xDEF0]?.totalWait == 7)
        #expect(stats[0x1230]?.acquisitions == 1 && stats[0x1230]?.contended == 1 && stats[0x1230]?.maxWait == 5)
        let report = lockReport(try TraceModel(data: data))
        #expect(report.split(separator: "\n")[1].hasPrefix("0xabc0"))  // most wait first
    }

    @Test func timelineIsWellFormedSVG() throws {
        let model = try TraceModel(data: Self.synthetic)
        let svg = timelineSVG(model)
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse())
        for cpu in 0..<model.cpuCount { #expect(svg.contains(">CPU \(cpu)</text>")) }
        #expect(svg.contains("/bin/sh"))
    }
}
