// Tier 2: tests that run inside the kernel, on real (emulated) CPUs, in a test build
// (make test-kernel -> build/k42-test.elf, compiled with -D KERNEL_TESTS). Started by the
// command line: `ktest` runs them all, `ktest=NAME` one, `ktest=panic` the deliberate fault.
// Each prints "ktest: NAME ... ok" or "... FAIL: reason"; the run ends through
// isa-debug-exit with status 33 (all passed) or 35 (a failure or a panic).
#if KERNEL_TESTS
import Objects
import Synchronization

struct TestFailure: Error {
    let message: String
}

/// Fails the current test with `message` unless `condition` holds.
func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws(TestFailure) {
    if !condition { throw TestFailure(message: message()) }
}

enum KernelTests {
    struct Case {
        let name: String
        let body: () throws(TestFailure) -> Void
    }

    static var all: [Case] {
        [
            Case(name: "smp.all-cpus-online", body: smpAllOnline),
            Case(name: "clock.monotonic-on-every-cpu", body: clockMonotonic),
            Case(name: "interrupts.timer-ticks-every-cpu", body: timerTicksEveryCPU),
            Case(name: "objects.lazy-representatives", body: lazyRepresentatives),
            Case(name: "objects.counter-concurrent-increments", body: concurrentIncrements),
            Case(name: "objects.shared-counter", body: sharedCounter),
            Case(name: "objects.cluster-root", body: clusterRoot),
            Case(name: "objects.destroy-after-quiescence", body: destroyAfterQuiescence),
            Case(name: "objects.id-reuse-after-grace-period", body: idReuseAfterGracePeriod),
            Case(name: "objects.interrupt-statistics", body: interruptStatistics),
            Case(name: "hotswap.swap-during-calls-from-every-cpu", body: swapDuringCallsFromEveryCPU),
            Case(name: "hotswap.recursive-calls-during-swap", body: recursiveCallsDuringSwap),
            Case(name: "hotswap.failed-negotiation-keeps-old-object", body: failedNegotiation),
            Case(name: "hotswap.lazy-upgrade-of-10000-instances", body: lazyUpgradeOfTenThousand),
            Case(name: "hotswap.interposer-added-and-removed-under-load", body: interposerUnderLoad),
            Case(name: "hotswap.adaptive-counter-switches-on-its-own", body: adaptiveCounter),
            Case(name: "memory.frames-alloc-free", body: framesAllocFree),
            Case(name: "memory.frames-remote-free", body: framesRemoteFree),
            Case(name: "memory.frames-exhaustion-is-an-error", body: framesExhaustion),
            Case(name: "memory.heap-every-cpu", body: heapEveryCPU),
            Case(name: "memory.heap-cross-cpu-free", body: heapCrossCPUFree),
            Case(name: "memory.image-protection", body: imageProtection),
            Case(name: "trace.events-in-each-cpus-log", body: traceEventsPerCPU),
            Case(name: "trace.disabled-class-logs-nothing", body: traceDisabledLogsNothing),
            Case(name: "trace.buffer-boundaries-and-fillers", body: traceBoundariesAndFillers),
            Case(name: "trace.lost-events-counted-exactly", body: traceLostEventsExact),
            Case(name: "trace.lock-contention-logged", body: traceLockContention),
            Case(name: "trace-bench", body: traceBench),
        ]
    }

    static func run(_ which: String) {
        if which == "panic" { badPointerDereference() }
        if which == "trap" { swiftRuntimeTrap() }
        var passed = 0, failed = 0
        klog("ktest: running on \(CPUs.onlineCount) CPUs")
        for test in all where which == "all" || which == test.name {
            do {
                try test.body()
                klog("ktest: \(test.name) ... ok")
                passed += 1
            } catch {
                klog("ktest: \(test.name) ... FAIL: \(error.message)")
                failed += 1
            }
        }
        klog("ktest: \(passed) passed, \(failed) failed")
        KernelTracing.finishBeforeExit()
        MachineExit.exit(success: failed == 0 && passed > 0)
    }

    /// Waits (passing quiescent points on this CPU) until `condition` holds or `seconds` pass.
    static func waitUntil(seconds: UInt64 = 5, _ condition: () -> Bool) -> Bool {
        let deadline = Clock.nanoseconds() + seconds * 1_000_000_000
        while Clock.nanoseconds() < deadline {
            if condition() { return true }
            ObjectSpace.shared.quiescence.quiescentPoint(cpu: currentCPU)
            CrossCPU.drain(cpu: currentCPU)
            k42_cpu_relax()
        }
        return condition()
    }

    // MARK: The deliberate faults (checked by scripts/test-kernel.sh)

    @inline(never)
    static func badPointerDereference() -> Never {
        klog("ktest: dereferencing a bad kernel pointer (expect a panic report)")
        let value = arch_load_u64(0x0000_0000_dead_b000)
        klog("ktest: read \(value): the fault did not happen")
        MachineExit.exit(success: false)
    }

    @inline(never)
    static func swiftRuntimeTrap() -> Never {
        klog("ktest: overflowing an Int (expect a Swift runtime trap report)")
        var x = Int.max - Int(Clock.nanoseconds() & 1)
        x += 2
        klog("ktest: \(x): no trap")
        MachineExit.exit(success: false)
    }
}
#endif
