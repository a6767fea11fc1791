// `k42-trace timeline OUT.svg`: a picture of per-CPU activity over time. One lane per CPU; each
// lane's upper band shows which thread ran (from context switches), colored by process, with its
// name when wide enough; the lower band has one tick per event colored by event class. A time
// axis runs along the bottom and a legend names the processes and classes.
import ArgumentParser
import Foundation
import Trace

struct TimelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "timeline",
                                                    abstract: "Write an SVG timeline of per-CPU activity.")
    @Argument(help: "Trace file.") var trace: String
    @Argument(help: "Output SVG file.") var output: String
    @Option(help: "Picture width in pixels.") var width = 1400

    func run() throws { try writeOutput(timelineSVG(try TraceModel(path: trace), width: width), to: output) }
}

let timelinePalette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
                       "#ff9da7", "#9c755f", "#86bcb6", "#d37295", "#a0cbe8", "#8cd17d", "#b6992d"]

func xmlEscape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}

func timelineSVG(_ model: TraceModel, width: Int = 1400) -> String {
    let left = 70.0, right = 20.0, top = 30.0, laneHeight = 46.0, laneGap = 12.0
    let plotWidth = Double(width) - left - right
    let duration = max(model.seconds(model.lastTimestamp), 1e-9)
    func x(_ ts: UInt64) -> Double { left + model.seconds(ts) / duration * plotWidth }

    var names: [UInt64: String] = [:]
    // A process is named by its last exec; a child that never execs carries its parent's name.
    for e in model.merged where e.major == TraceClass.process.rawValue {
        if e.minor == ProcessEvent.exec.rawValue {
            names[e.word(0)] = e.text(from: 1)
        } else if e.minor == ProcessEvent.fork.rawValue, names[e.word(1)] == nil, let parent = names[e.word(0)] {
            names[e.word(1)] = parent
        }
    }
    var pidColors: [UInt64: String] = [:]
    func color(pid: UInt64) -> String {
        if let c = pidColors[pid] { return c }
        let c = timelinePalette[pidColors.count % timelinePalette.count]
        pidColors[pid] = c
        return c
    }
    func classColor(_ major: UInt8) -> String { timelinePalette[(Int(major) * 5 + 3) % timelinePalette.count] }

    var body = ""
    var classesSeen = Set<UInt8>()
    for cpu in 0..<model.cpuCount {
        let y = top + Double(cpu) * (laneHeight + laneGap)
        body += "<text x=\"8\" y=\"\(y + laneHeight / 2 + 4)\" font-size=\"13\">CPU \(cpu)</text>\n"
        body += "<rect x=\"\(left)\" y=\"\(y)\" width=\"\(plotWidth)\" height=\"\(laneHeight)\" fill=\"#f4f4f4\"/>\n"
        var current: (pid: UInt64, tid: UInt64, start: UInt64)?
        func close(at ts: UInt64) {
            guard let c = current else { return }
            let x0 = x(c.start), w = max(x(ts) - x0, 0.5)
            let label = "\(names[c.pid] ?? "pid \(c.pid)") (tid \(c.tid))"
            body += "<rect x=\"\(f(x0))\" y=\"\(y)\" width=\"\(f(w))\" height=\"\(laneHeight * 0.62)\" "
            body += "fill=\"\(color(pid: c.pid))\"><title>\(xmlEscape(label))</title></rect>\n"
            if w > Double(label.count) * 6.5 {
                body += "<text x=\"\(f(x0 + 3))\" y=\"\(y + 17)\" font-size=\"11\" fill=\"white\">\(xmlEscape(label))</text>\n"
            }
        }
        var ticks = Set<Int>()  // one tick per pixel column and class keeps the file small
        for e in model.perCPU[cpu] {
            if e.major == TraceClass.sched.rawValue && e.minor == SchedEvent.contextSwitch.rawValue {
                close(at: e.timestamp)
                current = e.word(3) == 0 ? nil : (e.word(2), e.word(3), e.timestamp)
            }
            classesSeen.insert(e.major)
            let tx = x(e.timestamp)
            guard ticks.insert(Int(tx) << 8 | Int(e.major)).inserted else { continue }
            body += "<rect x=\"\(f(tx))\" y=\"\(y + laneHeight * 0.68)\" width=\"0.6\" height=\"\(laneHeight * 0.32)\" "
            body += "fill=\"\(classColor(e.major))\"/>\n"
        }
        close(at: model.lastTimestamp)
    }
    // Time axis.
    let axisY = top + Double(model.cpuCount) * (laneHeight + laneGap) + 4
    body += "<line x1=\"\(left)\" y1=\"\(axisY)\" x2=\"\(left + plotWidth)\" y2=\"\(axisY)\" stroke=\"black\"/>\n"
    let (unit, scale) = duration < 1e-3 ? ("µs", 1e6) : duration < 1 ? ("ms", 1e3) : ("s", 1.0)
    for i in 0...10 {
        let t = duration * Double(i) / 10
        let tx = left + plotWidth * Double(i) / 10
        body += "<line x1=\"\(f(tx))\" y1=\"\(axisY)\" x2=\"\(f(tx))\" y2=\"\(axisY + 5)\" stroke=\"black\"/>\n"
        body += "<text x=\"\(f(tx))\" y=\"\(axisY + 18)\" font-size=\"11\" text-anchor=\"middle\">"
        body += String(format: "%.3g", t * scale) + " \(unit)</text>\n"
    }
    // Legend: processes, then event classes.
    var ly = axisY + 40
    var lx = left
    body += "<text x=\"8\" y=\"\(ly + 10)\" font-size=\"12\">threads</text>\n"
    for (pid, c) in pidColors.sorted(by: { $0.key < $1.key }) {
        let label = "\(names[pid] ?? "pid") (\(pid))"
        body += "<rect x=\"\(f(lx))\" y=\"\(ly)\" width=\"12\" height=\"12\" fill=\"\(c)\"/>"
        body += "<text x=\"\(f(lx + 16))\" y=\"\(ly + 10)\" font-size=\"11\">\(xmlEscape(label))</text>\n"
        lx += Double(label.count) * 7 + 30
        if lx > Double(width) - 150 { lx = left; ly += 18 }
    }
    ly += 24
    lx = left
    body += "<text x=\"8\" y=\"\(ly + 10)\" font-size=\"12\">events</text>\n"
    for major in classesSeen.sorted() {
        let label = TraceClass(rawValue: major).map { $0.name.description } ?? "class \(major)"
        body += "<rect x=\"\(f(lx))\" y=\"\(ly)\" width=\"12\" height=\"12\" fill=\"\(classColor(major))\"/>"
        body += "<text x=\"\(f(lx + 16))\" y=\"\(ly + 10)\" font-size=\"11\">\(label)</text>\n"
        lx += Double(label.count) * 7 + 30
        if lx > Double(width) - 150 { lx = left; ly += 18 }
    }
    let height = Int(ly + 30)
    var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" "
    svg += "font-family=\"sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    svg += "<text x=\"\(left)\" y=\"18\" font-size=\"14\">K42 trace: \(model.cpuCount) CPUs, "
    svg += "\(model.eventCount) events, \(model.lostEvents.reduce(0, +)) lost</text>\n"
    return svg + body + "</svg>\n"
}

private func f(_ v: Double) -> String { String(format: "%.2f", v) }
