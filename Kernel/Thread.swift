// Kernel threads: the unit the per-CPU scheduler runs. A Linux thread is one of these with a
// user context (DESIGN.md 6: a dispatcher with one thread). Each has its own kernel stack,
// FPU/SSE save area and FS base; a new thread starts in k42_thread_trampoline, which calls
// its `entry` closure (for user threads: k42_user_return on a prepared trap frame).
import LinuxABI
import Memory
import Objects
import Synchronization

enum ThreadState { case runnable, running, blocked, dead }

final class Thread {
    nonisolated(unsafe) static var nextID = 1
    static let stackOrder = 2                                  // 16 KiB kernel stacks

    let id: Int
    var savedRSP: UInt64 = 0
    private(set) var stackBase: UInt64                          // physical; 0 for idle threads
    let stackTop: UInt64                                        // virtual
    let fpu: UnsafeMutableRawPointer                            // 512-byte FXSAVE area
    var state: ThreadState = .runnable
    var cpu: Int
    var entry: (() -> Void)?
    var fsBase: UInt64 = 0
    /// Signals this thread does not take now (sigprocmask), and the mask rt_sigsuspend replaced.
    var blockedSignals: UInt64 = 0
    var savedMask: UInt64? = nil
    /// The number of the system call in progress (to restart it after a signal).
    var syscallNumber: UInt64 = 0
    /// The Linux thread id (gettid): the pid for a process's first thread.
    var tid: Int = 0
    /// set_tid_address / CLONE_CHILD_CLEARTID: zeroed and futex-woken when the thread exits.
    var clearChildTID: UInt64 = 0
    /// set_robust_list: the user address of this thread's robust_list_head (0: none), walked
    /// when the thread exits (Linux's exit_robust_list).
    var robustList: UInt64 = 0
    /// Signals sent to this thread alone (tgkill, SIGEV_THREAD_ID), with their siginfo
    /// (guarded by the process's signal lock), and the request to exit (exit_group).
    var signalQueue = SignalQueue()
    var pendingSignals: UInt64 { signalQueue.set }
    var mustExit = false
    /// What restart_syscall(2) resumes after a signal interrupted a call that returned
    /// ERESTART_RESTARTBLOCK (nanosleep's remaining sleep); nil: EINTR.
    var restartBlock: ((SyscallArguments) throws(Errno) -> Int)? = nil
    /// CPU time: nanoseconds on a CPU up to the last switch away, and since when it runs;
    /// timer ticks that found it in user and in kernel mode (they split the total the way
    /// Linux's tick-based accounting does), and voluntary / involuntary switches.
    var cpuNanoseconds: UInt64 = 0
    var runningSince: UInt64 = 0
    var userTicks: UInt64 = 0
    var systemTicks: UInt64 = 0
    var voluntarySwitches: UInt64 = 0
    var involuntarySwitches: UInt64 = 0
    /// Its time was added to its process's when it left (ProcessTable.lock).
    var cpuFolded = false
    /// Set by a wake-up that arrived before the thread blocked (see Scheduler.block).
    var wakePending = false
    /// The process this thread belongs to. A strong reference: a dying thread keeps its
    /// process alive until it has switched away for good (the parent may reap it meanwhile);
    /// the scheduler drops it when it frees the thread's stack.
    var process: Process? = nil
    /// True from being picked to run until its registers are saved after it switched away
    /// (guarded by its CPU's queue lock): another CPU must not steal it in between.
    var onCPU = false
    /// sigaltstack(2): the alternate signal stack (size 0: none).
    var altStackBase: UInt64 = 0
    var altStackSize: UInt64 = 0
    /// CPUs this thread may run on (sched_setaffinity), bit per CPU.
    var affinity: UInt64 = ~0
    /// The user trap frame at the top of the kernel stack (user threads).
    var userFrame: UnsafeMutablePointer<trap_frame> {
        UnsafeMutablePointer(bitPattern: UInt(stackTop) - UInt(MemoryLayout<trap_frame>.stride))!
    }

    /// A thread with a fresh kernel stack that will run `entry` on `cpu`.
    init?(cpu: Int, entry: @escaping () -> Void) {
        guard let frames = MemoryBringup.frames, let pa = frames.allocate(order: Thread.stackOrder) else { return nil }
        id = Thread.allocateID()
        self.cpu = cpu
        self.entry = entry
        stackBase = pa
        stackTop = UInt64(DIRECT_MAP_BASE) + pa + UInt64(4096 << Thread.stackOrder)
        fpu = UnsafeMutableRawPointer.allocate(byteCount: 512, alignment: 16)
        if let initial = UserMode.initialFPUState { fpu.copyMemory(from: initial, byteCount: 512) }
        // The first switch "returns" into the trampoline: six callee-saved registers, then the
        // return address, placed so that the trampoline's call sees an aligned stack.
        let top = stackTop - UInt64(MemoryLayout<trap_frame>.stride)   // room for a user frame
        let slots = UnsafeMutablePointer<UInt64>(bitPattern: UInt(top - 64))!
        slots.initialize(repeating: 0, count: 8)
        slots[6] = arch_k42_thread_trampoline()
        savedRSP = top - 64
    }

    /// The context a CPU boots in, adopted as that CPU's idle thread.
    init(idleOn cpu: Int, stackTop: UInt64) {
        id = 0
        self.cpu = cpu
        self.stackBase = 0
        self.stackTop = stackTop
        fpu = UnsafeMutableRawPointer.allocate(byteCount: 512, alignment: 16)
        state = .running
    }

    deinit {
        fpu.deallocate()
        releaseStack()
    }

    /// Returns the kernel stack to the frame manager (once the thread can no longer run).
    func releaseStack() {
        process = nil
        if stackBase != 0 { MemoryBringup.frames?.free(physical: stackBase, order: Thread.stackOrder) }
        stackBase = 0
    }

    static func allocateID() -> Int {
        withInterruptsDisabled { () -> Int in
            idLock.lock()
            defer { idLock.unlock() }
            let id = nextID
            nextID += 1
            return id
        }
    }
    nonisolated(unsafe) static var idLock = SpinLock()
}

/// The first code a new thread runs (from k42_thread_trampoline, interrupts off).
@c(k42_thread_begin)
func threadBegin() {
    Scheduler.finishSwitch()
    let thread = Scheduler.current
    let body = thread.entry
    thread.entry = nil
    arch_enable_interrupts()
    body?()
    Scheduler.exitCurrentThread()
}
