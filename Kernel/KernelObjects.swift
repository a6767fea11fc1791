// The kernel's clustered-object space: made at boot with room for 16,384 ids per CPU (every
// ramfs file with data has a cache object), and told how to wait: a hot swap that may yield
// gives the CPU to other threads (a context switch is a quiescent point) or, on a CPU's idle
// thread, passes the idle loop's quiescent point itself.
import Objects

enum KernelObjects {
    static let idsPerCPU = 16_384

    static func initialize(maxCPUs: Int) {
        let space = ObjectSpace(maxCPUs: maxCPUs, idsPerCPU: idsPerCPU)
        space.hooks.relax = { mayYield in
            if mayYield { yieldForQuiescence() }
            k42_cpu_relax()
        }
        ObjectSpace.shared = space
        quiescence = Unmanaged.passUnretained(space.quiescence)
    }

    /// The space's quiescence detector, unretained (ObjectSpace.shared keeps it for good), so
    /// that the quiescent point on every return to user and every switch costs no retain.
    nonisolated(unsafe) static var quiescence: Unmanaged<QuiescenceDetector>? = nil

    /// The light quiescent point (QuiescenceDetector.pass) of this CPU.
    @inline(__always) static func passQuiescentPoint() {
        quiescence.unsafelyUnwrapped._withUnsafeGuaranteedRef { $0.pass(cpu: currentCPU) }
    }

    /// The waiter is inside no object call (that is what `mayYield` promises): let this CPU
    /// pass a quiescent point and run whatever else wants it.
    static func yieldForQuiescence() {
        let cpu = currentCPU
        guard cpu < Scheduler.cpus.count else { return }
        if Scheduler.cpus[cpu].current === Scheduler.cpus[cpu].idle {
            ObjectSpace.shared.quiescence.quiescentPoint(cpu: cpu)
            CrossCPU.drain(cpu: cpu)
        } else {
            let flags = k42_irq_save()
            Scheduler.schedule()
            k42_irq_restore(flags)
        }
    }
}
