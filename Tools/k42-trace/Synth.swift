// `k42-trace synth OUT`: writes a realistic synthetic trace with the real Trace library, so every
// subcommand can be exercised before the kernel emits traces. It simulates CPUs running a small
// process tree (fork/exec/exit), threads switched by a scheduler, syscalls with page faults,
// allocations, KFS I/O and lock traffic inside them, timer interrupts, and a consumer that
// stalls once so the drop-newest log loses (and counts) events. Time starts just below 2^32
// ticks so the 32-bit header timestamp wraps during the trace. Deterministic for a given seed.
import ArgumentParser
import Foundation
import Trace

struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "synth",
                                                    abstract: "Write a synthetic trace file (for testing the tools).")
    @Argument(help: "Output trace file.") var output: String
    @Option(help: "Number of simulated CPUs.") var cpus = 4
    @Option(help: "Simulated duration in milliseconds.") var milliseconds = 40
    @Option(help: "Random seed.") var seed: UInt64 = 42
    @Flag(help: "Do not stall the consumer (no lost events).") var noLoss = false

    func run() throws {
        let data = try synthesizeTrace(cpus: cpus, milliseconds: milliseconds, seed: seed, loss: !noLoss)
        try data.write(to: URL(fileURLWithPath: output))
    }
}

/// SplitMix64: small, deterministic.
struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: UInt64) -> UInt64 { next() % n }
}

struct WordSink: TraceSink {
    var words: [UInt64] = []
    mutating func write(_ w: UnsafeBufferPointer<UInt64>) { words.append(contentsOf: w) }
}

struct SynthThread {
    var pid: UInt64
    var tid: UInt64
    var name: String
}

func synthesizeTrace(cpus: Int, milliseconds: Int, seed: UInt64, loss: Bool) throws -> Data {
    guard let set = TraceLogSet(cpuCount: cpus, buffers: 4, wordsPerBuffer: 1024, mode: .dropNewest) else {
        throw TraceToolError("bad geometry")
    }
    var random = SplitMix(state: seed)
    var writer = TraceFileWriter(sink: WordSink())
    writer.writeHeader(set.fileHeader())
    let start: UInt64 = (1 << 32) - 3_000_000  // 3 ms before the 32-bit wrap
    let end = start + UInt64(milliseconds) * 1_000_000
    ManualClock.set(start)
    ManualClock.setAutoStep(1)

    let programs = ["init", "sh", "cat", "grep", "wc", "kfs-server", "ls", "sort"]
    var threads: [SynthThread] = []
    var nextPid: UInt64 = 1
    var clock = [UInt64](repeating: start, count: cpus)
    var running = [Int?](repeating: nil, count: cpus)
    let locks: [UInt64] = [0x7FC0_0000_1000, 0x7FC0_0000_2040, 0x7FC0_0001_0080, 0x7FC0_0003_0000]
    let stallFrom = start + (end - start) / 2, stallTo = stallFrom + (end - start) / 4

    func emit(_ cpu: Int, _ major: TraceClass, _ minor: UInt16, _ words: [UInt64]) {
        clock[cpu] += 200 + random.below(800)
        ManualClock.set(clock[cpu])
        words.withUnsafeBufferPointer {
            set.log(cpu: cpu).log(major: major.rawValue, minor: minor, clock: ManualClock.self, payload: $0)
        }
    }
    func emitText(_ cpu: Int, _ major: TraceClass, _ minor: UInt16, _ prefix: [UInt64], _ text: String) {
        clock[cpu] += 300
        ManualClock.set(clock[cpu])
        let bytes = Array(text.utf8)
        prefix.withUnsafeBufferPointer { p in
            bytes.withUnsafeBytes { set.log(cpu: cpu).logText(major: major.rawValue, minor: minor, prefix: p,
                                                              text: $0, clock: ManualClock.self) }
        }
    }
    func spawn(on cpu: Int, parent: UInt64) {
        let pid = nextPid
        nextPid += 1
        let name = programs[Int(pid - 1) % programs.count]
        if parent != 0 { emit(cpu, .process, ProcessEvent.fork.rawValue, [parent, pid]) }
        emitText(cpu, .process, ProcessEvent.exec.rawValue, [pid], "/bin/" + name)
        threads.append(SynthThread(pid: pid, tid: pid, name: name))
    }
    func switchTo(_ cpu: Int, _ next: Int?) {
        let prev = running[cpu].map { threads[$0] }
        let n = next.map { threads[$0] }
        emit(cpu, .sched, SchedEvent.contextSwitch.rawValue,
             [prev?.pid ?? 0, prev?.tid ?? 0, n?.pid ?? 0, n?.tid ?? 0, random.below(3)])
        running[cpu] = next
    }

    for _ in 0..<min(cpus + 3, programs.count) { spawn(on: 0, parent: nextPid == 1 ? 0 : 1) }
    var consumerTime = start
    while true {
        // Advance the CPU that is furthest behind, so all CPUs' clocks move together.
        let cpu = (0..<cpus).min { clock[$0] < clock[$1] }!
        if clock[cpu] >= end { break }
        let choice = random.below(100)
        if running[cpu] == nil || choice < 6 {
            // Schedule: pick a thread not running elsewhere (or go idle).
            let busy = Set(running.compactMap { $0 })
            let free = threads.indices.filter { !busy.contains($0) || $0 == running[cpu] }
            let next = free.isEmpty || random.below(10) == 0 ? nil : free[Int(random.below(UInt64(free.count)))]
            switchTo(cpu, next)
            if next == nil { emit(cpu, .sched, SchedEvent.idle.rawValue, []); clock[cpu] += 50_000 }
        } else if choice < 8 {
            emit(cpu, .irq, IRQEvent.entry.rawValue, [32])
            emit(cpu, .irq, IRQEvent.exit.rawValue, [32])
        } else if choice < 9 && threads.count < 24 {
            spawn(on: cpu, parent: threads[running[cpu]!].pid)
        } else {
            // A syscall, with work inside it.
            let numbers: [UInt64] = [0, 1, 0, 1, 3, 9, 12, 257, 39, 202, 61, 56]
            let number = numbers[Int(random.below(UInt64(numbers.count)))]
            emit(cpu, .syscall, SyscallEvent.entry.rawValue, [number, random.below(16), 0x7F00_0000 + random.below(1 << 20), 4096])
            switch random.below(6) {
            case 0:
                emit(cpu, .pagefault, PageFaultEvent.fault.rawValue, [0x40_0000 + random.below(1 << 24) & ~0xFFF, 0x40_1234, 6])
                emit(cpu, .pagefault, PageFaultEvent.resolved.rawValue, [0x40_0000, 0])
            case 1:
                emit(cpu, .alloc, AllocEvent.allocate.rawValue, [64 << random.below(6), 0x7FC0_1000_0000 + random.below(1 << 20) * 16])
            case 2:
                emit(cpu, .kfs, KFSEvent.blockRead.rawValue, [random.below(100), random.below(10_000)])
            default:
                let lock = locks[Int(random.below(UInt64(locks.count)))]
                let caller = 0x7FFF_8010_0000 + random.below(8) * 0x40
                if random.below(4) == 0 {
                    let wait = 500 + random.below(20_000)
                    emit(cpu, .lock, LockEvent.contended.rawValue, [lock, wait, caller])
                    emit(cpu, .lockHold, LockHoldEvent.acquire.rawValue, [lock, caller, wait])
                } else {
                    emit(cpu, .lockHold, LockHoldEvent.acquire.rawValue, [lock, caller, 0])
                }
                emit(cpu, .lockHold, LockHoldEvent.release.rawValue, [lock, 200 + random.below(5_000)])
            }
            clock[cpu] += random.below(20_000)
            emit(cpu, .syscall, SyscallEvent.exit.rawValue, [number, random.below(100)])
        }
        // The consumer drains every 100 µs, except during its stall.
        let now = clock.min()!
        if now >= consumerTime + 100_000 {
            consumerTime = now
            if !(loss && now >= stallFrom && now < stallTo) { writer.drainAll(set.tracer) }
        }
    }
    for cpu in 0..<cpus { switchTo(cpu, nil) }
    ManualClock.set(clock.max()! + 1000)
    writer.finish(set.tracer)
    return writer.sink.words.withUnsafeBufferPointer { Data(buffer: $0) }
}
