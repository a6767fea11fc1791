// The text subcommands: `print` (every event, merged across CPUs by time, with field names from
// the catalogue), `summary` (counts per event and per CPU, lost events and buffers) and `locks`
// (K42 traceProfile-style contention report from lock events). Each report is a function from
// a TraceModel to a String so tests can call it directly.
import ArgumentParser
import Foundation
import Trace

struct PrintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "print",
                                                    abstract: "Print events merged across CPUs by time.")
    @Argument(help: "Trace file.") var trace: String
    @Option(help: "Only this CPU.") var cpu: Int?
    @Option(help: "Only these classes (comma-separated names).") var classes: String?

    func run() throws {
        let model = try TraceModel(path: trace)
        let filter = classes.map { Set($0.split(separator: ",").map(String.init)) }
        var out = ""
        for e in model.merged {
            if let cpu, e.cpu != cpu { continue }
            if let filter, !filter.contains(e.type.className) { continue }
            out += formatEvent(e, model: model) + "\n"
            if out.utf8.count > 1 << 20 { FileHandle.standardOutput.write(out.data(using: .utf8)!); out = "" }
        }
        FileHandle.standardOutput.write(out.data(using: .utf8)!)
    }
}

/// "   0.001234567 cpu1 syscall:entry number=0 (read) arg0=0x3 ..."
func formatEvent(_ e: TraceEvent, model: TraceModel) -> String {
    var line = String(format: "%14.9f cpu%-2d %-22@", model.seconds(e.timestamp), e.cpu, e.type.fullName as NSString)
    for (name, value) in e.fieldValues() { line += " \(name)=\(value)" }
    if e.major == TraceClass.syscall.rawValue { line += " (\(SyscallNames.name(e.word(0))))" }
    if e.layer != TraceLayer.kernel.rawValue { line += " layer=\(e.layer)" }
    return line
}

struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "summary",
                                                    abstract: "Event counts per event and CPU, lost events.")
    @Argument(help: "Trace file.") var trace: String

    func run() throws { print(summaryReport(try TraceModel(path: trace)), terminator: "") }
}

func summaryReport(_ model: TraceModel) -> String {
    var out = "cpus: \(model.cpuCount)  clock: \(model.header.timestampFrequency) Hz  "
    out += "buffers: \(model.header.buffersPerCPU) x \(model.header.wordsPerBuffer) words  "
    out += "mode: \(model.header.mode == 0 ? "drop-newest" : "overwrite-oldest")\n"
    out += String(format: "duration: %.6f s\n", model.seconds(model.lastTimestamp))
    out += "events: \(model.eventCount)\n"
    out += "lost events: \(model.lostEvents.reduce(0, +))  lost buffers: \(model.lostBuffers.reduce(0, +))\n"
    out += "\nper CPU:\n"
    for cpu in 0..<model.cpuCount {
        out += "  cpu\(cpu): events \(model.perCPU[cpu].count)  buffers \(model.packets[cpu].count)"
        out += "  lost events \(model.lostEvents[cpu])  lost buffers \(model.lostBuffers[cpu])\n"
    }
    var counts: [String: [Int]] = [:]
    for cpu in 0..<model.cpuCount {
        for e in model.perCPU[cpu] {
            counts[e.type.fullName, default: [Int](repeating: 0, count: model.cpuCount)][cpu] += 1
        }
    }
    out += "\nper event:\n"
    for (name, perCPU) in counts.sorted(by: { $0.value.reduce(0, +) > $1.value.reduce(0, +) }) {
        out += "  " + name.padding(toLength: 26, withPad: " ", startingAt: 0)
        out += String(perCPU.reduce(0, +)).leftPadded(10)
        out += "  [" + perCPU.map(String.init).joined(separator: " ") + "]\n"
    }
    if !model.decodeErrors.isEmpty {
        out += "\ndecode errors:\n" + model.decodeErrors.map { "  \($0)\n" }.joined()
    }
    return out
}

struct LocksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "locks",
                                                    abstract: "Lock contention report from lock events.")
    @Argument(help: "Trace file.") var trace: String
    @Option(help: "Show the top N locks by total wait.") var top = 20

    func run() throws { print(lockReport(try TraceModel(path: trace), top: top), terminator: "") }
}

struct LockStats {
    var acquisitions = 0
    var contended = 0
    var totalWait: UInt64 = 0
    var maxWait: UInt64 = 0
    var totalHold: UInt64 = 0
    var maxHold: UInt64 = 0
    var releases = 0
    var waitByCaller: [UInt64: UInt64] = [:]
    // Raw counts per source: `lock:contended` (class lock) and `lockhold:acquire` (class
    // lockhold, every acquisition, its wait 0 if none). Either class may be on without the other.
    var contendedEvents = 0, contendedWait: UInt64 = 0, contendedMaxWait: UInt64 = 0
    var acquireEvents = 0, acquireWaited = 0, acquireWait: UInt64 = 0, acquireMaxWait: UInt64 = 0
    var contendedByCaller: [UInt64: UInt64] = [:], acquireWaitByCaller: [UInt64: UInt64] = [:]

    /// Combines the sources: acquisitions and waits from lockhold:acquire when present (it sees
    /// every acquisition), else from lock:contended.
    mutating func settle() {
        acquisitions = max(acquireEvents, contendedEvents)
        contended = max(contendedEvents, acquireWaited)
        if contendedEvents >= acquireWaited {
            (totalWait, maxWait, waitByCaller) = (contendedWait, contendedMaxWait, contendedByCaller)
        } else {
            (totalWait, maxWait, waitByCaller) = (acquireWait, acquireMaxWait, acquireWaitByCaller)
        }
    }
}

func lockStatistics(_ model: TraceModel) -> [UInt64: LockStats] {
    var locks: [UInt64: LockStats] = [:]
    for e in model.merged {
        if e.major == TraceClass.lock.rawValue, e.minor == LockEvent.contended.rawValue {
            let lock = e.word(0), wait = e.word(1)
            locks[lock, default: LockStats()].contendedEvents += 1
            locks[lock]!.contendedWait += wait
            locks[lock]!.contendedMaxWait = max(locks[lock]!.contendedMaxWait, wait)
            locks[lock]!.contendedByCaller[e.word(2), default: 0] += wait
        } else if e.major == TraceClass.lockHold.rawValue, let kind = LockHoldEvent(rawValue: e.minor) {
            let lock = e.word(0)
            switch kind {
            case .acquire:
                let wait = e.word(2)
                locks[lock, default: LockStats()].acquireEvents += 1
                if wait > 0 {
                    locks[lock]!.acquireWaited += 1
                    locks[lock]!.acquireWait += wait
                    locks[lock]!.acquireMaxWait = max(locks[lock]!.acquireMaxWait, wait)
                    locks[lock]!.acquireWaitByCaller[e.word(1), default: 0] += wait
                }
            case .release:
                let hold = e.word(1)
                locks[lock, default: LockStats()].releases += 1
                locks[lock]!.totalHold += hold
                locks[lock]!.maxHold = max(locks[lock]!.maxHold, hold)
            }
        }
    }
    for key in locks.keys { locks[key]!.settle() }
    return locks
}

func lockReport(_ model: TraceModel, top: Int = 20) -> String {
    let locks = lockStatistics(model)
    let us = { (ticks: UInt64) in String(format: "%.3f", Double(ticks) / model.frequency * 1e6) }
    var out = "lock                 acquisitions  contended  total wait us  max wait us  total hold us  max hold us\n"
    for (lock, s) in locks.sorted(by: { ($0.value.totalWait, $0.key) > ($1.value.totalWait, $1.key) }).prefix(top) {
        out += ("0x" + String(lock, radix: 16)).padding(toLength: 20, withPad: " ", startingAt: 0)
        out += String(format: " %12d %10d", s.acquisitions, s.contended)
        out += us(s.totalWait).leftPadded(15) + us(s.maxWait).leftPadded(13)
        out += us(s.totalHold).leftPadded(15) + us(s.maxHold).leftPadded(13) + "\n"
        for (caller, wait) in s.waitByCaller.sorted(by: { $0.value > $1.value }).prefix(3) {
            out += "    caller 0x\(String(caller, radix: 16)): wait \(us(wait)) us\n"
        }
    }
    if locks.isEmpty { out += "(no lock events)\n" }
    return out
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
