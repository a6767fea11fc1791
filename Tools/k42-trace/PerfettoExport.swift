// `k42-trace perfetto OUT.json`: Chrome trace-event JSON that ui.perfetto.dev and chrome://tracing
// open. One process per CPU ("CPU n") with three tracks: "sched" (a slice per running thread, from
// context switches), "syscalls" (entry/exit pairs as B/E slices) and "events" (everything else as
// instants). A syscall is closed when its thread is switched out and reopened when it returns,
// so B/E always nest per track (the JSON format requires it).
import ArgumentParser
import Foundation
import Trace

struct PerfettoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "perfetto",
                                                    abstract: "Write Chrome/Perfetto trace-event JSON.")
    @Argument(help: "Trace file.") var trace: String
    @Argument(help: "Output JSON file.") var output: String

    func run() throws {
        let json = try perfettoJSON(try TraceModel(path: trace))
        try json.write(to: URL(fileURLWithPath: output))
    }
}

enum PerfettoTrack: Int { case sched = 1, syscalls = 2, events = 3 }

func perfettoJSON(_ model: TraceModel) throws -> Data {
    var events: [[String: Any]] = []
    func tid(_ cpu: Int, _ track: PerfettoTrack) -> Int { cpu * 10 + track.rawValue }
    func micro(_ ts: UInt64) -> Double { model.seconds(ts) * 1e6 }

    var names: [UInt64: String] = [:]  // pid -> command name, from exec events
    for cpu in 0..<model.cpuCount {
        events.append(["ph": "M", "name": "process_name", "pid": cpu, "tid": 0, "args": ["name": "CPU \(cpu)"]])
        events.append(["ph": "M", "name": "process_sort_index", "pid": cpu, "tid": 0, "args": ["sort_index": cpu]])
        for track in [PerfettoTrack.sched, .syscalls, .events] {
            events.append(["ph": "M", "name": "thread_name", "pid": cpu, "tid": tid(cpu, track),
                           "args": ["name": "\(track)"]])
        }
    }
    var running = [(pid: UInt64, tid: UInt64)?](repeating: nil, count: model.cpuCount)
    var openSyscall = [UInt64?](repeating: nil, count: model.cpuCount)  // number open on the track
    var pendingSyscall: [UInt64: UInt64] = [:]  // tid -> syscall number it is inside
    func threadLabel(_ pid: UInt64, _ tid: UInt64) -> String {
        let name = names[pid].map { " \($0)" } ?? ""
        return "pid \(pid) tid \(tid)\(name)"
    }
    func begin(_ cpu: Int, _ track: PerfettoTrack, _ name: String, _ ts: UInt64, args: [String: Any] = [:]) {
        events.append(["ph": "B", "name": name, "cat": "\(track)", "pid": cpu, "tid": tid(cpu, track),
                       "ts": micro(ts), "args": args])
    }
    func end(_ cpu: Int, _ track: PerfettoTrack, _ ts: UInt64) {
        events.append(["ph": "E", "pid": cpu, "tid": tid(cpu, track), "ts": micro(ts)])
    }

    for e in model.merged {
        let cpu = e.cpu
        if e.major == TraceClass.process.rawValue && e.minor == ProcessEvent.exec.rawValue {
            names[e.word(0)] = e.text(from: 1)
        }
        switch (TraceClass(rawValue: e.major), e.minor) {
        case (.syscall?, SyscallEvent.entry.rawValue):
            if openSyscall[cpu] != nil { end(cpu, .syscalls, e.timestamp) }
            let number = e.word(0)
            begin(cpu, .syscalls, SyscallNames.name(number), e.timestamp,
                  args: ["number": number, "arg0": e.word(1), "arg1": e.word(2), "arg2": e.word(3)])
            openSyscall[cpu] = number
            if let t = running[cpu]?.tid { pendingSyscall[t] = number }
        case (.syscall?, SyscallEvent.exit.rawValue):
            if openSyscall[cpu] != nil {
                end(cpu, .syscalls, e.timestamp)
                openSyscall[cpu] = nil
            }
            if let t = running[cpu]?.tid { pendingSyscall[t] = nil }
        case (.sched?, SchedEvent.contextSwitch.rawValue):
            if running[cpu] != nil { end(cpu, .sched, e.timestamp) }
            if openSyscall[cpu] != nil { end(cpu, .syscalls, e.timestamp); openSyscall[cpu] = nil }
            let (nextPid, nextTid) = (e.word(2), e.word(3))
            if nextTid != 0 {
                begin(cpu, .sched, threadLabel(nextPid, nextTid), e.timestamp,
                      args: ["pid": nextPid, "tid": nextTid, "prev_tid": e.word(1)])
                running[cpu] = (nextPid, nextTid)
                if let number = pendingSyscall[nextTid] {
                    begin(cpu, .syscalls, SyscallNames.name(number) + " (resumed)", e.timestamp,
                          args: ["number": number])
                    openSyscall[cpu] = number
                }
            } else {
                running[cpu] = nil  // idle
            }
        default:
            var args: [String: Any] = [:]
            for (k, v) in e.fieldValues() { args[k] = v }
            events.append(["ph": "i", "s": "t", "name": e.type.fullName, "cat": e.type.className, "pid": cpu,
                           "tid": tid(cpu, .events), "ts": micro(e.timestamp), "args": args])
        }
    }
    let last = model.lastTimestamp
    for cpu in 0..<model.cpuCount {
        if openSyscall[cpu] != nil { end(cpu, .syscalls, last) }
        if running[cpu] != nil { end(cpu, .sched, last) }
    }
    let lost = model.lostEvents.reduce(0, +)
    let root: [String: Any] = [
        "traceEvents": events, "displayTimeUnit": "ns",
        "otherData": ["source": "k42-trace", "cpus": model.cpuCount, "lost_events": lost,
                      "clock_hz": model.header.timestampFrequency],
    ]
    return try JSONSerialization.data(withJSONObject: root, options: [.sortedKeys])
}
