// k42-trace: the host tool for K42 trace files (docs/tracing.md, "k42-trace"). Each subcommand
// lives in its own file: TextReports.swift (print, summary, locks), PerfettoExport.swift,
// CTFExport.swift, TimelineSVG.swift, Synth.swift (a realistic synthetic trace), Bench.swift.
// All of them read the file through TraceModel.swift.
import ArgumentParser
import Foundation

@main
struct K42Trace: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "k42-trace",
        abstract: "Decode, convert and analyse K42 trace files.",
        subcommands: [PrintCommand.self, SummaryCommand.self, LocksCommand.self, PerfettoCommand.self,
                      CTFCommand.self, TimelineCommand.self, SynthCommand.self, BenchCommand.self])
}

/// Writes `text` to `path`, or to stdout for "-".
func writeOutput(_ text: String, to path: String) throws {
    if path == "-" {
        FileHandle.standardOutput.write(text.data(using: .utf8)!)
    } else {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
