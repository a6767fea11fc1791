// The kernel scheduler: one run queue per CPU, no global queue or lock (DESIGN.md 6). A CPU
// runs its queue round-robin with a 10 ms slice (the timer marks the running thread for
// preemption; the switch happens on the way back to user mode or when a thread blocks).
// Wake-ups from other CPUs take the target CPU's queue lock and send it an IPI.
// Priority classes and proportional share within a class (K42's dispatcher scheduling) are
// the next step; the queue is where they go.
import Objects
import Synchronization
import Trace

final class CPUScheduler {
    let lock = SpinLock()
    var runQueue: [Thread] = []               // guarded by lock
    var current: Thread
    let idle: Thread
    var needReschedule = false
    var reap: Thread? = nil                    // a dead thread whose stack we left; freed after the switch
    var switches: UInt64 = 0

    init(idle: Thread) {
        self.idle = idle
        current = idle
    }
}

enum Scheduler {
    nonisolated(unsafe) static var cpus: [CPUScheduler] = []
    static let reschedule = 0xF2

    static var current: Thread { cpus[currentCPU].current }

    /// Boot CPU, before any thread exists: idle threads for every CPU.
    static func initialize() {
        for cpu in CPUs.all { cpus.append(CPUScheduler(idle: Thread(idleOn: cpu.index, stackTop: cpu.stackTop))) }
        InterruptHandlers.register(reschedule) { cpus[currentCPU].needReschedule = true }
    }

    /// The least loaded online CPU (new processes go there).
    static func placement() -> Int {
        var best = currentCPU, bestLoad = Int.max
        for (i, s) in cpus.enumerated() where CPUs.all[i].online.load(ordering: .acquiring) {
            let load = s.lock.withLockIRQSave { s.runQueue.count + (s.current === s.idle ? 0 : 1) }
            if load < bestLoad { best = i; bestLoad = load }
        }
        return best
    }

    /// Makes `thread` runnable on its CPU.
    static func start(_ thread: Thread) {
        thread.state = .blocked
        wake(thread)
    }

    /// Wakes a blocked thread (or records the wake-up if it has not blocked yet).
    static func wake(_ thread: Thread) {
        let target = cpus[thread.cpu]
        let kick: Bool = target.lock.withLockIRQSave {
            switch thread.state {
            case .blocked:
                thread.state = .runnable
                target.runQueue.append(thread)
                return true
            case .runnable, .running:
                thread.wakePending = true
                return false
            case .dead:
                return false
            }
        }
        if kick {
            if thread.cpu == currentCPU { target.needReschedule = true }
            else { LocalAPIC.sendFixed(apicID: CPUs.all[thread.cpu].apicID, vector: reschedule) }
        }
    }

    /// Blocks the current thread until `wake` (returns at once if a wake-up is pending).
    static func block() {
        let flags = k42_irq_save()
        let s = cpus[currentCPU]
        s.lock.lock()
        let me = s.current
        if me.wakePending {
            me.wakePending = false
            s.lock.unlock()
            k42_irq_restore(flags)
            return
        }
        me.state = .blocked
        s.lock.unlock()
        schedule()
        k42_irq_restore(flags)
    }

    /// Gives the CPU to the next runnable thread, if any. Interrupts must be off.
    static func schedule() {
        let s = cpus[currentCPU]
        s.lock.lock()
        s.needReschedule = false
        // Unretained: a dead thread's frame never resumes, so a retain here would leak it.
        unowned(unsafe) let previous = s.current
        if previous.state == .running && previous !== s.idle {
            previous.state = .runnable
            s.runQueue.append(previous)
        }
        unowned(unsafe) var next: Thread = s.idle
        if s.runQueue.isEmpty {
            next = previous.state == .runnable && previous !== s.idle ? previous : s.idle
        } else {
            next = s.runQueue.removeFirst()
        }
        next.state = .running
        s.current = next
        s.lock.unlock()
        if next === previous { return }
        if previous.state == .dead { s.reap = previous }
        s.switches &+= 1
        trace(SchedEvent.contextSwitch, UInt64(previous.process?.pid ?? 0), UInt64(previous.id),
              UInt64(next.process?.pid ?? 0), UInt64(next.id), previous.state == .dead ? 2 : (previous.state == .blocked ? 1 : 0))
        switchTo(previous, next)
        finishSwitch()
    }

    /// Installs `next`'s kernel stack, address space and FS base, and switches.
    private static func switchTo(_ previous: Thread, _ next: Thread) {
        let cpu = CPUs.current
        cpu.tables.setKernelStack(next.stackTop)
        cpu.area.pointee.kernel_stack_top = UnsafeMutableRawPointer(bitPattern: UInt(next.stackTop))
        if let p = next.process { p.pageTables.activate() }
        if next.fsBase != previous.fsBase || next.process != nil { UserMode.setFSBase(next.fsBase) }
        k42_context_switch(&previous.savedRSP, next.savedRSP, previous.fpu, next.fpu)
    }

    /// After any switch, on the new thread: free the thread that died to get here.
    static func finishSwitch() {
        let s = cpus[currentCPU]
        if let dead = s.reap {
            s.reap = nil
            dead.releaseStack()         // we are on another stack now
        }
    }

    /// Ends the current thread; never returns.
    static func exitCurrentThread() -> Never {
        arch_disable_interrupts()
        markCurrentDead()
        schedule()
        kernelPanic("a dead thread was scheduled")
    }

    @inline(never)
    private static func markCurrentDead() {
        let s = cpus[currentCPU]
        s.lock.withLock { s.current.state = .dead }
    }

    /// The idle loop's question: is there anything to run?
    static func hasWork(cpu: Int) -> Bool {
        let s = cpus[cpu]
        return s.lock.withLockIRQSave { !s.runQueue.isEmpty }
    }
}
