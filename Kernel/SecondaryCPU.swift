// The bring-up checklist of every CPU but the first. The trampoline (smp_trampoline.S) and
// k42_ap_entry deliver us here in 64-bit mode on this CPU's own stack, still on the
// temporary page tables, with our CPU number as the argument.
import Objects
import Synchronization

@c(k42_ap_main)
func secondaryMain(_ index: UInt64) {
    arch_write_cr3(KernelPageTables.rootPhysical)             // the kernel's page tables
    let cpu = CPUs.all[Int(index)]
    cpu.activate()                                            // GS, GDT, TSS, IDT
    ControlRegisters.configure(CPUFeatures.boot)              // same features as CPU 0
    KernelPageTables.enableGlobalPages(CPUFeatures.boot)
    Bringup.startTimerAndInterrupts(cpu: cpu.index)           // APIC, timer, online, sti
    idleLoop(cpu: cpu.index)
}

/// What a CPU does when it has nothing else to do: pass a quiescent point (it holds no
/// object references here), run cross-CPU work, then sleep until the next interrupt.
func idleLoop(cpu: Int) -> Never {
    let quiescence = ObjectSpace.shared.quiescence
    let mailbox = CPUs.all[cpu].mailbox
    while true {
        quiescence.quiescentPoint(cpu: cpu)
        CrossCPU.drain(cpu: cpu)
        KernelTracing.idle(cpu: cpu)
        if !Scheduler.hasWork(cpu: cpu) { _ = Scheduler.steal(into: cpu) }
        arch_disable_interrupts()
        if Scheduler.hasWork(cpu: cpu) {
            Scheduler.schedule()                              // run threads; back here when idle
            arch_enable_interrupts()
        } else if mailbox.pending.load(ordering: .acquiring) == 0 {
            arch_enable_interrupts_and_halt()                 // sti; hlt: no lost wake-up
        } else {
            arch_enable_interrupts()
        }
    }
}
