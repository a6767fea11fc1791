// Running work on another CPU (K42's MPMsgMgr, Linux's smp_call_function): the work goes
// into the target's mailbox and an IPI wakes it; the target runs it from its idle loop (not
// in interrupt context), so the work may allocate, take locks and use clustered objects.
import Objects
import Synchronization

final class CrossCPUMailbox {
    let lock = SpinLock()
    var work: [() -> Void] = []           // guarded by lock
    let pending = Atomic<Int>(0)
}

enum CrossCPU {
    /// Queues `work` for `cpu` and wakes it.
    static func run(on cpu: Int, _ work: @escaping () -> Void) {
        let target = CPUs.all[cpu]
        target.mailbox.lock.withLockIRQSave { target.mailbox.work.append(work) }
        target.mailbox.pending.wrappingAdd(1, ordering: .releasing)
        if cpu != currentCPU { LocalAPIC.sendFixed(apicID: target.apicID, vector: Vector.crossCPUCall) }
    }

    /// Runs `work(cpu)` on every online CPU (this one included) and waits for all to finish.
    static func runEverywhere(_ work: @escaping (Int) -> Void) {
        let done = SharedAtomic(0)
        let cpus = CPUs.all.filter { $0.online.load(ordering: .acquiring) }
        for cpu in cpus where cpu.index != currentCPU {
            let i = cpu.index
            run(on: i) { work(i); done.add(1) }
        }
        work(currentCPU)
        done.add(1)
        while done.load() < cpus.count { k42_cpu_relax() }
    }

    /// Runs this CPU's queued work (idle loop).
    static func drain(cpu: Int) {
        let box = CPUs.all[cpu].mailbox
        guard box.pending.load(ordering: .acquiring) > 0 else { return }
        let items: [() -> Void] = box.lock.withLockIRQSave {
            let w = box.work
            box.work = []
            return w
        }
        box.pending.wrappingAdd(-items.count, ordering: .releasing)
        for item in items { item() }
    }
}
