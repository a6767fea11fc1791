// Waiting for several descriptors: poll(2), ppoll(2), select(2), pselect6(2). Each pass asks
// every file for its readiness; if nothing is ready the thread registers on every file's wait
// queue (and a timer for the timeout), then sleeps until one of them, a signal or the timer
// wakes it.
import FileSystem
import LinuxABI
import Memory

/// Polls (fd, requested events) pairs; returns the revents per entry. timeout: nil = forever.
func pollFiles(_ requests: [(Int32, UInt32)], timeoutNanoseconds: UInt64?) throws(Errno) -> [UInt32] {
    let files = currentProcess.files
    let me = Scheduler.current
    let deadline = timeoutNanoseconds.map { Clock.nanoseconds() &+ $0 }
    while true {
        var result = [UInt32](repeating: 0, count: requests.count)
        var ready = 0
        var openFiles: [OpenFile?] = []
        for (i, (fd, events)) in requests.enumerated() {
            guard fd >= 0 else { openFiles.append(nil); continue }
            guard let f = try? files.get(fd) else {
                result[i] = PollEvents.POLLNVAL; ready += 1; openFiles.append(nil); continue
            }
            openFiles.append(f)
            let revents = f.pollEvents() & (events | PollEvents.POLLERR | PollEvents.POLLHUP)
            result[i] = revents
            if revents != 0 { ready += 1 }
        }
        if ready > 0 { return result }
        if let d = deadline, Clock.nanoseconds() >= d { return result }
        if Signals.hasDeliverable(me) { throw .ERESTARTSYS }
        // Sleep on every queue, then re-check (no wake-up lost between the check and the sleep).
        var tokens: [(WaitQueue, WaitQueue.Token)] = []
        for f in openFiles { if let q = f?.waitQueue { tokens.append((q, q.add { Scheduler.wake(me) })) } }
        var changed = false
        for (i, (_, events)) in requests.enumerated() {
            if let f = openFiles[i], f.pollEvents() & (events | PollEvents.POLLERR | PollEvents.POLLHUP) != 0 { changed = true }
        }
        if !changed {
            if let d = deadline { Timers.wake(me, at: d) }
            Scheduler.block()
            if deadline != nil { Timers.cancel(me) }
        }
        for (q, t) in tokens { q.remove(t) }
    }
}

func pollCall(_ fds: UInt64, _ count: UInt64, _ timeout: UInt64?) throws(Errno) -> Int {
    guard count <= UInt64(currentProcess.files.limit) else { throw .EINVAL }        // RLIMIT_NOFILE
    var requests: [(Int32, UInt32)] = []
    for i in 0..<Int(count) {
        let (fd, events, _) = try UserMemory.read(fds + UInt64(8 * i), as: (Int32, Int16, Int16).self)
        requests.append((fd, UInt32(UInt16(bitPattern: events))))
    }
    let revents = try pollFiles(requests, timeoutNanoseconds: timeout)
    var ready = 0
    for (i, r) in revents.enumerated() {
        try UserMemory.write(fds + UInt64(8 * i) + 6, Int16(truncatingIfNeeded: r))
        if r != 0 { ready += 1 }
    }
    return ready
}

func sys_poll(_ a: SyscallArguments) throws(Errno) -> Int {
    let ms = Int32(truncatingIfNeeded: a.a2)
    return try pollCall(a.a0, a.a1, ms < 0 ? nil : UInt64(ms) * 1_000_000)
}

func sys_ppoll(_ a: SyscallArguments) throws(Errno) -> Int {
    var timeout: UInt64? = nil
    if a.a2 != 0 {
        let (s, ns) = try UserMemory.read(a.a2, as: (Int64, Int64).self)
        guard s >= 0, ns >= 0, ns < 1_000_000_000 else { throw .EINVAL }
        timeout = saturatingNanoseconds(seconds: s, nanoseconds: ns)
    }
    let thread = Scheduler.current
    if a.a3 != 0 {
        let mask = try UserMemory.read(a.a3, as: UInt64.self)
        thread.savedMask = thread.blockedSignals
        thread.blockedSignals = mask & ~Signal.unblockable
    }
    let start = Clock.nanoseconds()
    do {
        let n = try pollCall(a.a0, a.a1, timeout)
        writeRemaining(a.a2, timeout: timeout, start: start, unit: 1)
        return n
    } catch {
        if error == .ERESTARTSYS { writeRemaining(a.a2, timeout: timeout, start: start, unit: 1) }
        throw error == .ERESTARTSYS ? .EINTR : error
    }
}

/// select/pselect6 on fd_sets (bit per descriptor, 64-bit words).
func selectCall(_ n: UInt64, _ readSet: UInt64, _ writeSet: UInt64, _ exceptSet: UInt64, timeout: UInt64?) throws(Errno) -> Int {
    guard n <= 1024 else { throw .EINVAL }
    let words = (Int(n) + 63) / 64
    func load(_ address: UInt64) throws(Errno) -> [UInt64] {
        guard address != 0 else { return [UInt64](repeating: 0, count: words) }
        var out: [UInt64] = []
        for i in 0..<words { out.append(try UserMemory.read(address + UInt64(8 * i), as: UInt64.self)) }
        return out
    }
    let r = try load(readSet), w = try load(writeSet), x = try load(exceptSet)
    var requests: [(Int32, UInt32)] = []
    for fd in 0..<Int(n) {
        let bit = UInt64(1) << UInt64(fd % 64)
        var events: UInt32 = 0
        if r[fd / 64] & bit != 0 { events |= PollEvents.POLLIN }
        if w[fd / 64] & bit != 0 { events |= PollEvents.POLLOUT }
        if x[fd / 64] & bit != 0 { events |= PollEvents.POLLPRI }
        if events != 0 { requests.append((Int32(fd), events)) }
    }
    let revents = try pollFiles(requests, timeoutNanoseconds: timeout)
    var ro = [UInt64](repeating: 0, count: words), wo = ro, xo = ro
    var count = 0
    for (i, (fd, events)) in requests.enumerated() {
        let got = revents[i]
        if got & PollEvents.POLLNVAL != 0 { throw .EBADF }
        let bit = UInt64(1) << UInt64(fd % 64)
        let idx = Int(fd) / 64
        if events & PollEvents.POLLIN != 0 && got & (PollEvents.POLLIN | PollEvents.POLLHUP | PollEvents.POLLERR) != 0 { ro[idx] |= bit; count += 1 }
        if events & PollEvents.POLLOUT != 0 && got & (PollEvents.POLLOUT | PollEvents.POLLERR) != 0 { wo[idx] |= bit; count += 1 }
        if events & PollEvents.POLLPRI != 0 && got & PollEvents.POLLPRI != 0 { xo[idx] |= bit; count += 1 }
    }
    for (address, set) in [(readSet, ro), (writeSet, wo), (exceptSet, xo)] where address != 0 {
        for i in 0..<words { try UserMemory.write(address + UInt64(8 * i), set[i]) }
    }
    return count
}

/// Linux writes the time not slept back into select's timeval and the timespec of ppoll and
/// pselect6 (select(2) NOTES), on success and on EINTR alike. `unit` is 1000 for microseconds.
func writeRemaining(_ address: UInt64, timeout: UInt64?, start: UInt64, unit: UInt64) {
    guard address != 0, let timeout else { return }
    let elapsed = Clock.nanoseconds() &- start
    let left = elapsed >= timeout ? 0 : timeout - elapsed
    _ = try? UserMemory.write(address, (Int64(left / 1_000_000_000), Int64(left % 1_000_000_000 / unit)))
}

func sys_select(_ a: SyscallArguments) throws(Errno) -> Int {
    var timeout: UInt64? = nil
    if a.a4 != 0 {
        let (s, us) = try UserMemory.read(a.a4, as: (Int64, Int64).self)
        guard s >= 0, us >= 0 else { throw .EINVAL }
        let seconds = s > Int64.max - us / 1_000_000 ? Int64.max : s + us / 1_000_000   // usec past a second carries
        timeout = saturatingNanoseconds(seconds: seconds, nanoseconds: us % 1_000_000 * 1000)
    }
    let start = Clock.nanoseconds()
    do {
        let n = try selectCall(a.a0, a.a1, a.a2, a.a3, timeout: timeout)
        writeRemaining(a.a4, timeout: timeout, start: start, unit: 1000)
        return n
    } catch {
        if error == .ERESTARTSYS { writeRemaining(a.a4, timeout: timeout, start: start, unit: 1000) }
        throw error
    }
}

func sys_pselect6(_ a: SyscallArguments) throws(Errno) -> Int {
    var timeout: UInt64? = nil
    if a.a4 != 0 {
        let (s, ns) = try UserMemory.read(a.a4, as: (Int64, Int64).self)
        guard s >= 0, ns >= 0, ns < 1_000_000_000 else { throw .EINVAL }
        timeout = saturatingNanoseconds(seconds: s, nanoseconds: ns)
    }
    if a.a5 != 0 {
        let (maskAddress, size) = try UserMemory.read(a.a5, as: (UInt64, UInt64).self)
        if maskAddress != 0 {
            guard size == 8 else { throw .EINVAL }
            let thread = Scheduler.current
            thread.savedMask = thread.blockedSignals
            thread.blockedSignals = try UserMemory.read(maskAddress, as: UInt64.self) & ~Signal.unblockable
        }
    }
    let start = Clock.nanoseconds()
    do {
        let n = try selectCall(a.a0, a.a1, a.a2, a.a3, timeout: timeout)
        writeRemaining(a.a4, timeout: timeout, start: start, unit: 1)
        return n
    } catch {
        if error == .ERESTARTSYS { writeRemaining(a.a4, timeout: timeout, start: start, unit: 1) }
        throw error == .ERESTARTSYS ? .EINTR : error
    }
}

/// sysinfo(2): uptime, load averages, memory (tmpfs pages as shared), thread count.
func sys_sysinfo(_ a: SyscallArguments) throws(Errno) -> Int {
    var b = ABIStructWriter(count: 112)
    b.put(Int64(Clock.nanoseconds() / 1_000_000_000), at: 0)
    for i in 0..<3 { b.put(LoadAverage.sysinfoLoad(i), at: 8 + 8 * i) }   // SI_LOAD_SHIFT 16
    let frames = MemoryBringup.frames!
    b.put(UInt64(frames.frameCount) * 4096, at: 32)                  // totalram
    b.put(UInt64(frames.freeFrames) * 4096, at: 40)                  // freeram
    b.put(UInt64(ProcFiles.tmpfsPages()) * 4096, at: 48)             // sharedram (meminfo's Shmem)
    b.put(UInt16(truncatingIfNeeded: ProcFiles.threadCount()), at: 80)   // procs (Linux: nr_threads)
    b.put(UInt32(1), at: 104)                                        // mem_unit
    try UserMemory.writeBytes(a.a0, b.bytes)
    return 0
}
