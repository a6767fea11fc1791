// A Linux process: K42's Process object (the root of the per-process object tree: its address
// space of Regions over FCMs, and its HAT) plus what the Linux personality adds: pid, parent
// and children, process group and session, threads, exit status. The process table maps pids
// to processes; it is locked only when processes are created, reaped or looked up by pid.
import FileSystem
import LinuxABI
import Memory
import Objects
import Synchronization

final class Process {
    let pid: Int
    unowned(unsafe) var parent: Process?
    var children: [Process] = []              // guarded by ProcessTable.lock
    var threads: [Thread] = []
    var pageTables: UserPageTables
    var addressSpace: AddressSpace
    var processGroup: Int
    var session: Int
    /// Wait status (wait(2) encoding) once the process has exited: a zombie.
    var exitStatus: Int32? = nil
    /// Set by exit_group or a fatal signal: the status the process ends with once its last
    /// thread is out.
    var groupExitStatus: Int32? = nil
    /// Job control (signal(7)): stopped by SIGSTOP/SIGTSTP/SIGTTIN/SIGTTOU until SIGCONT. The
    /// parent's wait4 reports a stop (WUNTRACED) or a continue (WCONTINUED) once each.
    var stopped = false
    var stopSignal: Int32 = 0
    var stopToReport = false
    var continueToReport = false
    /// SIGCONTs sent so far, counted under the signal lock as each discards the pending stop
    /// signals. A thread that took a stop signal from the queue stops only if no SIGCONT came
    /// after it (Linux does both under one siglock): otherwise STOP, CONT, TERM sent quickly
    /// could leave the process stopped for good, its CONT spent before the stop began.
    let continues = Atomic<UInt64>(0)
    /// Threads sleeping while the process is stopped.
    let stopWaiters = KernelWaitQueue()
    /// Signal actions and the pending set (Linux/Signals.swift).
    var signals = SignalState()
    /// Woken when a child changes state (wait4 blocks here).
    let childEvents = KernelWaitQueue()
    /// The command name (/proc/PID/comm, 15 bytes max) and the arguments of the last execve.
    var command: [UInt8] = Array("init".utf8)
    /// Descriptors, working directory and file-creation mask.
    var files = FileTable()
    var cwd: Inode
    /// The root directory chroot(2) set (nil: the name space's root); inherited by fork.
    var root: Inode?
    var umask: UInt32 = 0o022
    /// When it started, in clock ticks since boot (/proc/PID/stat field 22).
    let startTicks = Clock.nanoseconds() / 10_000_000
    var arguments: [[UInt8]] = []
    var executablePath: [UInt8] = []
    /// Resource limits (Linux/sys_resource.swift): inherited by fork, kept by execve.
    var limits = ResourceLimits()
    /// CPU time of threads that have exited, and of reaped children (ProcessTable.lock).
    var exitedThreadsCPU = CPUUsage()
    var childrenCPU = CPUUsage()
    /// alarm/setitimer and timer_create timers (Linux/sys_itimer.swift, sys_timer.swift).
    let timers = ProcessTimers()

    init(pid: Int, parent: Process?, pageTables: UserPageTables, addressSpace: AddressSpace) {
        self.pid = pid
        cwd = parent?.cwd ?? KernelFiles.vfs.root
        root = parent?.root
        self.parent = parent
        self.pageTables = pageTables
        self.addressSpace = addressSpace
        // init starts in the kernel's session and group 0, as on Linux (so `setsid` in init
        // succeeds without forking).
        processGroup = parent?.processGroup ?? 0
        session = parent?.session ?? 0
        timers.process = self
    }

    var isZombie: Bool { exitStatus != nil }

    /// A new, empty user address space.
    static func freshAddressSpace() -> (UserPageTables, AddressSpace) {
        let frames = MemoryBringup.frames!
        let tables = UserPageTables(frames: frames)
        let space = AddressSpace(hat: tables, frames: frames, userEnd: UInt64(USER_END),
                                 mmapTop: UInt64(USER_END) - (1 << 30))      // 1 GiB below the stack top
        return (tables, space)
    }
}

/// pid -> process; pid 1 is init.
enum ProcessTable {
    nonisolated(unsafe) static var processes: [Int: Process] = [:]
    /// Thread ids of threads other than a process's first (tids share the pid space).
    nonisolated(unsafe) static var threads: [Int: Thread] = [:]
    /// Numbers handed out and not yet free again (a pid is reserved from fork until reaped).
    nonisolated(unsafe) static var reserved = Set<Int>()
    nonisolated(unsafe) static var nextPID = 1
    static let lock = SpinLock()
    static let maxProcesses = 4096

    /// A free pid (or tid), reserved until `release`. EAGAIN at the process limit (fork(2)).
    static func allocatePID() throws(Errno) -> Int {
        let pid: Int? = lock.withLockIRQSave {
            guard reserved.count < maxProcesses else { return nil }
            while reserved.contains(nextPID) { nextPID = nextPID >= 4_194_304 ? 2 : nextPID + 1 }
            let pid = nextPID
            reserved.insert(pid)
            nextPID = nextPID >= 4_194_304 ? 2 : nextPID + 1
            return pid
        }
        guard let pid else { throw .EAGAIN }
        return pid
    }

    static func insert(_ p: Process) { lock.withLockIRQSave { processes[p.pid] = p } }
    static func remove(_ pid: Int) { lock.withLockIRQSave { processes[pid] = nil; reserved.remove(pid) } }
    static func insertThread(_ t: Thread) { lock.withLockIRQSave { threads[t.tid] = t } }
    static func removeThread(_ tid: Int) { lock.withLockIRQSave { threads[tid] = nil; reserved.remove(tid) } }
    static func findThread(_ tid: Int) -> Thread? {
        lock.withLockIRQSave { threads[tid] ?? processes[tid]?.threads.first(where: { $0.tid == tid }) }
    }
    static func find(_ pid: Int) -> Process? { lock.withLockIRQSave { processes[pid] } }
    static var count: Int { lock.withLockIRQSave { processes.count } }
}

/// Threads waiting for an event (a child exiting, data arriving). Wake-ups are never lost:
/// a waiter registers, re-checks its condition, then blocks (Scheduler.block returns at once
/// if a wake-up came in between).
final class KernelWaitQueue {
    let lock = SpinLock()
    private var waiters: [Thread] = []

    func add(_ t: Thread) { lock.withLockIRQSave { if !waiters.contains(where: { $0 === t }) { waiters.append(t) } } }
    func remove(_ t: Thread) { lock.withLockIRQSave { waiters.removeAll { $0 === t } } }

    func wakeAll() {
        let woken: [Thread] = lock.withLockIRQSave { let w = waiters; waiters = []; return w }
        for t in woken { Scheduler.wake(t) }
    }

    /// Blocks the current thread until `condition` holds.
    func wait(until condition: () -> Bool) {
        let me = Scheduler.current
        while true {
            add(me)
            if condition() { remove(me); return }
            Scheduler.block()
        }
    }

    /// Blocks until `condition` holds or a signal arrives (then ERESTARTSYS: the call restarts
    /// or fails with EINTR, as the handler's SA_RESTART says).
    func waitInterruptibly(until condition: () -> Bool) throws(Errno) {
        let me = Scheduler.current
        while true {
            add(me)
            if condition() { remove(me); return }
            if Signals.hasDeliverable(me) { remove(me); throw .ERESTARTSYS }
            Scheduler.block()
        }
    }
}
