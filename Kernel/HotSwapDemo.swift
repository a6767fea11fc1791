// `make hotswap-demo` (kernel parameter `hotswap-demo[=SWAPS]`): every CPU but the first
// hammers one counter object while CPU 0 swaps it between its shared and per-CPU
// implementations SWAPS times (default 1000), calling it too between swaps. Each worker counts
// the calls it completed; at the end the counter's value, carried through every swap by state
// transfer, must equal that count. Prints one line and ends QEMU (status 33 if all is well).
import Objects
import Synchronization

enum HotSwapDemo {
    static func run(swaps target: Int) -> Never {
        let space = ObjectSpace.shared!
        guard let counter = try? CounterPerCPU.create() else { kernelPanic("hotswap-demo: no object id") }
        let workers = CPUs.all.filter { $0.online.load(ordering: .acquiring) && $0.index != 0 }.map { $0.index }
        let stop = SharedAtomic(0), finished = SharedAtomic(0), completed = SharedAtomic(0)
        for cpu in workers {
            CrossCPU.run(on: cpu) {
                var calls = 0
                while stop.load() == 0 {
                    counter.increment()
                    calls += 1
                    space.quiescence.pass(cpu: cpu)     // between calls: a quiescent point
                }
                completed.add(calls)
                finished.add(1)
            }
        }
        var durations: [UInt64] = []
        var failed = 0, ownCalls = 0
        var longestHold: UInt64 = 0
        var toShared = true
        let started = Clock.nanoseconds()
        while durations.count + failed < target {
            let root: any ObjectRoot = toShared ? CounterShared.makeRoot() : CounterPerCPU.makeRoot()
            do {
                let result = try space.swap(counter.id, to: root)
                durations.append(result.ticks)
                longestHold = max(longestHold, result.longestHoldTicks)
            } catch {
                failed += 1
            }
            toShared.toggle()
            for _ in 0..<16 { counter.increment(); ownCalls += 1 }
        }
        let elapsed = Clock.nanoseconds() - started
        stop.store(1)
        while finished.load() < workers.count { KernelObjects.yieldForQuiescence() }
        let calls = completed.load() + ownCalls
        let value = counter.value()
        durations.sort()
        let median = durations.isEmpty ? 0 : durations[durations.count / 2]
        klogImportant("hotswap: \(durations.count) swaps, \(calls) calls, \(failed) failed, max blocked \(microseconds(longestHold)) us, median swap \(microseconds(median)) us")
        klogImportant("hotswap: \(workers.count + 1) CPUs, \(elapsed / 1_000_000) ms; counter value \(value), completed calls \(calls): \(value == calls ? "match" : "MISMATCH")")
        MachineExit.exit(success: failed == 0 && value == calls && durations.count == target)
    }

    static func microseconds(_ ticks: UInt64) -> UInt64 {
        Clock.tscHz == 0 ? 0 : ticks * 1_000_000 / Clock.tscHz
    }
}
