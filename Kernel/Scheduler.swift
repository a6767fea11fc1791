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
    var migrating: Thread? = nil               // a thread moving to another CPU; queued there after the switch
    unowned(unsafe) var switchedOut: Thread? = nil   // the thread whose registers the last switch saved
    var switches: UInt64 = 0

    init(idle: Thread) {
        self.idle = idle
        current = idle
    }
}

enum Scheduler {
    nonisolated(unsafe) static var cpus: [CPUScheduler] = []
    static let reschedule = 0xF2

    /// The running thread. Read from the CPU's area (one GS-relative load), not from `cpus`:
    /// no array bounds check, no retain of the CPU's scheduler on every system call.
    static var current: Thread { running.takeUnretainedValue() }

    /// The running thread, unretained, for hot paths (`_withUnsafeGuaranteedRef`).
    /// SAFETY: `CPUScheduler.current` holds it strongly until this CPU switches to another.
    @inline(__always) static var running: Unmanaged<Thread> {
        Unmanaged.fromOpaque(UnsafeRawPointer(k42_current_thread()!))
    }

    /// Boot CPU, before any thread exists: idle threads for every CPU.
    static func initialize() {
        for cpu in CPUs.all {
            let s = CPUScheduler(idle: Thread(idleOn: cpu.index, stackTop: cpu.stackTop))
            cpus.append(s)
            cpu.area.pointee.current_thread = Unmanaged.passUnretained(s.idle).toOpaque()
        }
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
        KernelObjects.passQuiescentPoint()           // the thread is inside no object call
        let s = cpus[currentCPU]
        s.lock.lock()
        s.needReschedule = false
        // Unretained: a dead thread's frame never resumes, so a retain here would leak it.
        unowned(unsafe) let previous = s.current
        var migrating = false
        if previous.state == .running && previous !== s.idle {
            previous.state = .runnable
            if previous.cpu == currentCPU { s.runQueue.append(previous) } else { migrating = true }
        }
        unowned(unsafe) var next: Thread = s.idle
        if s.runQueue.isEmpty {
            next = previous.state == .runnable && previous !== s.idle && !migrating ? previous : s.idle
        } else {
            next = s.runQueue.removeFirst()
        }
        next.state = .running
        next.onCPU = true
        s.current = next
        k42_set_current_thread(Unmanaged.passUnretained(next).toOpaque())
        s.lock.unlock()
        if next === previous { return }
        // CPU-time accounting (getrusage, CPU-time clocks): the slice that ends, the one that starts.
        let now = Clock.nanoseconds()
        if now > previous.runningSince { previous.cpuNanoseconds &+= now - previous.runningSince }
        next.runningSince = now
        if previous.state == .blocked { previous.voluntarySwitches &+= 1 }
        else if previous.state == .runnable { previous.involuntarySwitches &+= 1 }
        s.switchedOut = previous
        if migrating { s.migrating = previous }
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
        if let p = next.process { p.pageTables.activate() }    // idle and kernel threads keep the CR3 they find
        if next.fsBase != previous.fsBase || next.process != nil { UserMode.setFSBase(next.fsBase) }
        k42_context_switch(&previous.savedRSP, next.savedRSP, previous.fpu, next.fpu)
    }

    /// After any switch, on the new thread: free the thread that died to get here.
    static func finishSwitch() {
        let s = cpus[currentCPU]
        if let out = s.switchedOut {    // its registers are saved now: it may be stolen
            s.lock.withLockIRQSave { out.onCPU = false }
            s.switchedOut = nil
        }
        if let dead = s.reap {
            s.reap = nil
            dead.releaseStack()         // we are on another stack now
        }
        if let moving = s.migrating {   // its registers are saved: it may run on its new CPU now
            s.migrating = nil
            let target = cpus[moving.cpu]
            target.lock.withLockIRQSave { target.runQueue.append(moving) }
            LocalAPIC.sendFixed(apicID: CPUs.all[moving.cpu].apicID, vector: reschedule)
        }
    }

    /// Moves the calling thread to `cpu` (sched_setaffinity): it switches away here and is
    /// queued on `cpu` once its registers are saved.
    static func migrateCurrent(to cpu: Int) {
        let me = current
        guard cpu != me.cpu else { return }
        let flags = k42_irq_save()
        me.cpu = cpu
        schedule()
        k42_irq_restore(flags)
    }

    /// An idle CPU takes a runnable thread from the busiest other CPU (work stealing keeps
    /// both CPUs busy when fork placed two processes on one). Threads pinned elsewhere stay.
    static func steal(into cpu: Int) -> Bool {
        var victim = -1, longest = 1
        for (i, s) in cpus.enumerated() where i != cpu {
            let n = s.lock.withLockIRQSave { s.runQueue.count }
            if n >= longest { victim = i; longest = n }
        }
        guard victim >= 0 else { return false }
        let v = cpus[victim]
        let taken: Thread? = v.lock.withLockIRQSave {
            guard let i = v.runQueue.lastIndex(where: { !$0.onCPU && $0.affinity & (UInt64(1) << UInt64(cpu)) != 0 }) else { return nil }
            return v.runQueue.remove(at: i)
        }
        guard let thread = taken else { return false }
        thread.cpu = cpu
        let me = cpus[cpu]
        me.lock.withLockIRQSave { me.runQueue.append(thread) }
        trace(SchedEvent.migrate, UInt64(thread.tid), UInt64(victim), UInt64(cpu))
        return true
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
