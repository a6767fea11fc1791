// Resources: getrlimit(2), setrlimit(2), prlimit64(2), getrusage(2), times(2), and the CPU-time
// accounting behind them and the CPU-time clocks. Limits are per process, inherited by fork and
// kept by execve; RLIMIT_NOFILE is the fd table's limit (EMFILE, poll's EINVAL), RLIMIT_STACK
// bounds the stack of the next program, RLIMIT_AS mmap and brk, RLIMIT_SIGPENDING sigqueue(3)
// and timer_create, RLIMIT_CPU sends SIGXCPU and SIGKILL (sys_itimer.swift). Stored only:
// FSIZE, DATA, CORE (no core files), MEMLOCK... Everything runs as root, so raising a hard
// limit is allowed (CAP_SYS_RESOURCE) and RLIMIT_NPROC is not enforced (Linux exempts root).
// CPU time as Linux's tick-based accounting has it: the scheduler adds each thread's time on a
// CPU at every switch (precise), the timer tick counts whether it found the thread in user or
// kernel mode, and user/system time are the precise total split in the ratio of those ticks.
import LinuxABI
import Memory
import Objects

/// A process's limits (soft, hard) per RLIMIT_* number, guarded by `lock`.
final class ResourceLimits {
    static let CPU = 0, FSIZE = 1, DATA = 2, STACK = 3, CORE = 4, RSS = 5, NPROC = 6, NOFILE = 7
    static let MEMLOCK = 8, AS = 9, LOCKS = 10, SIGPENDING = 11, MSGQUEUE = 12, NICE = 13, RTPRIO = 14
    static let RTTIME = 15, count = 16
    static let infinity = UInt64.max
    /// sysctl fs.nr_open: RLIMIT_NOFILE's hard limit cannot go above it (EPERM).
    static let nrOpen: UInt64 = 1 << 20

    let lock = SpinLock()
    private var soft: [UInt64]
    private var hard: [UInt64]

    /// Linux's INIT_RLIMITS; NPROC and SIGPENDING from our process table's size.
    init() {
        let inf = ResourceLimits.infinity, tasks = UInt64(ProcessTable.maxProcesses)
        soft = [inf, inf, inf, 8 << 20, 0, inf, tasks, 1024, 8 << 20, inf, inf, tasks, 819_200, 0, 0, inf]
        hard = [inf, inf, inf, inf, inf, inf, tasks, 4096, 8 << 20, inf, inf, tasks, 819_200, 0, 0, inf]
    }

    func copy() -> ResourceLimits {
        let c = ResourceLimits()
        lock.withLockIRQSave { c.soft = soft; c.hard = hard }
        return c
    }

    func soft(_ resource: Int) -> UInt64 { lock.withLockIRQSave { soft[resource] } }
    func get(_ resource: Int) -> (UInt64, UInt64) { lock.withLockIRQSave { (soft[resource], hard[resource]) } }

    /// Linux's do_prlimit checks: soft above hard is EINVAL, RLIMIT_NOFILE above nr_open EPERM.
    func set(_ resource: Int, _ value: (UInt64, UInt64)) throws(Errno) {
        guard value.0 <= value.1 else { throw .EINVAL }
        if resource == ResourceLimits.NOFILE && value.1 > ResourceLimits.nrOpen { throw .EPERM }
        lock.withLockIRQSave { soft[resource] = value.0; hard[resource] = value.1 }
    }
}

/// CPU time of a thread, a process or a process's reaped children.
struct CPUUsage {
    var total: UInt64 = 0                  // nanoseconds on a CPU
    var userTicks: UInt64 = 0
    var systemTicks: UInt64 = 0
    var voluntarySwitches: UInt64 = 0
    var involuntarySwitches: UInt64 = 0

    mutating func add(_ o: CPUUsage) {
        total += o.total; userTicks += o.userTicks; systemTicks += o.systemTicks
        voluntarySwitches += o.voluntarySwitches; involuntarySwitches += o.involuntarySwitches
    }

    /// (user, system) nanoseconds: the total in the ratio of the ticks (cputime_adjust).
    var split: (UInt64, UInt64) {
        if systemTicks == 0 { return (total, 0) }
        if userTicks == 0 { return (0, total) }
        let system = total / (userTicks + systemTicks) * systemTicks
            + total % (userTicks + systemTicks) * systemTicks / (userTicks + systemTicks)
        return (total - system, system)
    }
}

enum CPUTime {
    static func thread(_ t: Thread) -> CPUUsage {
        var total = t.cpuNanoseconds
        if t.state == .running {                 // its current slice so far
            let now = Clock.nanoseconds()
            if now > t.runningSince { total += now - t.runningSince }
        }
        return CPUUsage(total: total, userTicks: t.userTicks, systemTicks: t.systemTicks,
                        voluntarySwitches: t.voluntarySwitches, involuntarySwitches: t.involuntarySwitches)
    }

    /// Every thread of `p`, live or exited.
    static func process(_ p: Process) -> CPUUsage {
        ProcessTable.lock.withLockIRQSave {
            var u = p.exitedThreadsCPU
            for t in p.threads where !t.cpuFolded { u.add(thread(t)) }
            return u
        }
    }

    /// A thread leaving its process: its time becomes the process's (ProcessTable.lock held).
    static func fold(_ t: Thread, into p: Process) {
        guard !t.cpuFolded else { return }
        t.cpuFolded = true
        p.exitedThreadsCPU.add(thread(t))
    }

    /// The timer tick on this CPU found `thread` running (in user mode or not): one tick of
    /// user or system time, and the CPU-time interval timers (ITIMER_VIRTUAL, ITIMER_PROF).
    static func tick(_ thread: Thread, userMode: Bool) {
        if userMode { thread.userTicks &+= 1 } else { thread.systemTicks &+= 1 }
        if let p = thread.process, p.timers.cpuTimersArmed { p.timers.chargeTick(userMode: userMode) }
    }
}

// MARK: Limits

private func resourceNumber(_ raw: UInt64) throws(Errno) -> Int {
    guard raw < UInt64(ResourceLimits.count) else { throw .EINVAL }
    return Int(raw)
}

/// Applies a limit to what enforces it.
private func setLimit(_ p: Process, _ resource: Int, _ value: (UInt64, UInt64)) throws(Errno) {
    try p.limits.set(resource, value)
    if resource == ResourceLimits.NOFILE { p.files.limit = Int(min(value.0, ResourceLimits.nrOpen)) }
    if resource == ResourceLimits.CPU { p.timers.setCPULimit(soft: value.0, hard: value.1) }
}

/// prlimit64(2): reads the old limit, then sets the new one, of `pid` (0: the caller).
func sys_prlimit64(_ a: SyscallArguments) throws(Errno) -> Int {
    let pid = Int(Int32(truncatingIfNeeded: a.a0))
    let resource = try resourceNumber(a.a1)
    let new: (UInt64, UInt64)? = a.a2 != 0 ? try UserMemory.read(a.a2, as: (UInt64, UInt64).self) : nil
    if let new, new.0 > new.1 { throw .EINVAL }
    let target: Process
    if pid == 0 { target = currentProcess } else {
        guard let p = ProcessTable.find(pid), !p.isZombie else { throw .ESRCH }
        target = p
    }
    let old = target.limits.get(resource)
    if let new { try setLimit(target, resource, new) }
    if a.a3 != 0 { try UserMemory.write(a.a3, old) }
    return 0
}

func sys_getrlimit(_ a: SyscallArguments) throws(Errno) -> Int {
    let resource = try resourceNumber(a.a0)
    try UserMemory.write(a.a1, currentProcess.limits.get(resource))
    return 0
}

func sys_setrlimit(_ a: SyscallArguments) throws(Errno) -> Int {
    let resource = try resourceNumber(a.a0)
    try setLimit(currentProcess, resource, try UserMemory.read(a.a1, as: (UInt64, UInt64).self))
    return 0
}

/// RLIMIT_AS (may_expand_vm): whether `p` may map `bytes` more. Summed only when a limit is set.
func addressSpaceMayGrow(_ p: Process, by bytes: UInt64) -> Bool {
    let limit = p.limits.soft(ResourceLimits.AS)
    guard limit != ResourceLimits.infinity else { return true }
    let mapped = p.addressSpace.regions.reduce(UInt64(0)) { $0 + ($1.end - $1.start) }
    return mapped <= limit && bytes <= limit - mapped
}

// MARK: Usage

/// struct rusage (144 bytes): ru_utime, ru_stime (timevals), then 14 longs, of which we keep
/// ru_nvcsw and ru_nivcsw; memory and I/O counts are 0.
private func rusageBytes(_ u: CPUUsage) -> [UInt8] {
    var b = [UInt8](repeating: 0, count: 144)
    let (user, system) = u.split
    LittleEndianBytes.put64(&b, 0, user / 1_000_000_000)
    LittleEndianBytes.put64(&b, 8, user % 1_000_000_000 / 1000)
    LittleEndianBytes.put64(&b, 16, system / 1_000_000_000)
    LittleEndianBytes.put64(&b, 24, system % 1_000_000_000 / 1000)
    LittleEndianBytes.put64(&b, 128, u.voluntarySwitches)
    LittleEndianBytes.put64(&b, 136, u.involuntarySwitches)
    return b
}

/// A reaped child's usage for wait4(2)'s rusage argument.
func writeRusage(_ address: UInt64, _ u: CPUUsage) throws(Errno) { try UserMemory.writeBytes(address, rusageBytes(u)) }

/// getrusage(2): RUSAGE_SELF 0 (every thread), RUSAGE_CHILDREN -1 (reaped descendants),
/// RUSAGE_THREAD 1.
func sys_getrusage(_ a: SyscallArguments) throws(Errno) -> Int {
    let p = currentProcess
    let usage: CPUUsage
    switch Int32(truncatingIfNeeded: a.a0) {
    case 0: usage = CPUTime.process(p)
    case -1: usage = ProcessTable.lock.withLockIRQSave { p.childrenCPU }
    case 1: usage = CPUTime.thread(Scheduler.current)
    default: throw .EINVAL
    }
    try writeRusage(a.a1, usage)
    return 0
}

/// times(2): struct tms in clock ticks (USER_HZ 100); returns ticks since boot.
func sys_times(_ a: SyscallArguments) throws(Errno) -> Int {
    if a.a0 != 0 {
        let p = currentProcess
        let own = CPUTime.process(p).split
        let children = ProcessTable.lock.withLockIRQSave { p.childrenCPU }.split
        let tick: UInt64 = 10_000_000
        try UserMemory.write(a.a0, (own.0 / tick, own.1 / tick, children.0 / tick, children.1 / tick))
    }
    return Int(Clock.nanoseconds() / 10_000_000)
}
