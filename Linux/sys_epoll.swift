// epoll(7): epoll_create(2), epoll_create1(2), epoll_ctl(2), epoll_wait(2), epoll_pwait(2),
// epoll_pwait2(2). The instance is an EventPollFile (FileSystem/EventPoll/); this file checks
// arguments in Linux's order (fs/eventpoll.c) and waits the way poll(2) does: scan, register
// on the epoll's wait queue, re-scan, sleep until a watched file, a signal or the timer wakes.
// epoll_wait is never restarted after a signal handler (EINTR even with SA_RESTART).
import FileSystem
import LinuxABI

/// EP_MAX_EVENTS: INT_MAX / sizeof(struct epoll_event), the largest maxevents.
private let maxEpollEvents = Int(Int32.max) / 12

func sys_epoll_create(_ a: SyscallArguments) throws(Errno) -> Int {
    guard Int32(truncatingIfNeeded: a.a0) > 0 else { throw .EINVAL }
    return Int(try currentProcess.files.allocate(EventPollFile(inode: KernelIPC.anonymousInode)))
}

func sys_epoll_create1(_ a: SyscallArguments) throws(Errno) -> Int {
    let flags = UInt32(truncatingIfNeeded: a.a0)
    guard flags & ~OpenFlags.O_CLOEXEC.rawValue == 0 else { throw .EINVAL }
    return Int(try currentProcess.files.allocate(EventPollFile(inode: KernelIPC.anonymousInode),
                                                 closeOnExec: flags != 0))
}

/// EPOLL_CTL_ADD 1, EPOLL_CTL_DEL 2, EPOLL_CTL_MOD 3.
func sys_epoll_ctl(_ a: SyscallArguments) throws(Errno) -> Int {
    let op = Int32(truncatingIfNeeded: a.a1)
    let targetFD = Int32(truncatingIfNeeded: a.a2)
    var events: UInt32 = 0, data: UInt64 = 0
    if op != 2 {                                                  // ep_op_has_event
        let bytes = try UserMemory.readBytes(a.a3, count: 12)    // packed struct epoll_event
        events = UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
        for i in 0..<8 { data |= UInt64(bytes[4 + i]) << UInt64(8 * i) }
    }
    let files = currentProcess.files
    let epollFile = try files.get(Int32(truncatingIfNeeded: a.a0))
    let target = try files.get(targetFD)
    guard target.waitQueue != nil else { throw .EPERM }          // regular files, directories, /dev/null
    guard let epoll = epollFile as? EventPollFile, epollFile !== target else { throw .EINVAL }
    if events & EpollEvents.EPOLLEXCLUSIVE != 0 {
        if op == 3 { throw .EINVAL }
        if op == 1 && (target is EventPollFile || events & ~EpollEvents.exclusiveAllowed != 0) { throw .EINVAL }
    }
    switch op {
    case 1:
        if let nested = target as? EventPollFile, nested.reaches(epoll) { throw .ELOOP }
        try epoll.add(target, fd: targetFD, events: events, data: data)
    case 2: try epoll.remove(target, fd: targetFD)
    case 3: try epoll.modify(target, fd: targetFD, events: events, data: data)
    default: throw .EINVAL
    }
    return 0
}

/// The common wait: `timeout` nil waits forever. Writes the events and returns their count.
func epollWait(_ epfd: UInt64, _ eventsAddress: UInt64, _ maxEvents: UInt64, timeoutNanoseconds: UInt64?) throws(Errno) -> Int {
    let maxEvents = Int32(truncatingIfNeeded: maxEvents)
    guard maxEvents > 0, Int(maxEvents) <= maxEpollEvents else { throw .EINVAL }
    try UserMemory.check(eventsAddress, Int(maxEvents) * 12)
    let file = try currentProcess.files.get(Int32(truncatingIfNeeded: epfd))
    guard let epoll = file as? EventPollFile else { throw .EINVAL }
    let me = Scheduler.current
    let deadline = timeoutNanoseconds.map { Clock.nanoseconds() &+ $0 }
    while true {
        let ready = epoll.collect(limit: Int(maxEvents))
        if !ready.isEmpty {
            var bytes = [UInt8](repeating: 0, count: ready.count * 12)
            for (i, r) in ready.enumerated() {
                for b in 0..<4 { bytes[i * 12 + b] = UInt8(truncatingIfNeeded: r.events >> UInt32(8 * b)) }
                for b in 0..<8 { bytes[i * 12 + 4 + b] = UInt8(truncatingIfNeeded: r.data >> UInt64(8 * b)) }
            }
            try UserMemory.writeBytes(eventsAddress, bytes)
            return ready.count
        }
        if let d = deadline, Clock.nanoseconds() >= d { return 0 }
        if Signals.hasDeliverable(me) { throw .EINTR }
        let queue = epoll.waitQueue!
        let token = queue.add { Scheduler.wake(me) }
        // Re-check once registered, so a wake-up between the scan and the sleep is not lost.
        if epoll.pollEvents() == 0 && !Signals.hasDeliverable(me) {
            if let d = deadline { Timers.wake(me, at: d) }
            Scheduler.block()
            if deadline != nil { Timers.cancel(me) }
        }
        queue.remove(token)
    }
}

func epollTimeout(milliseconds: UInt64) -> UInt64? {
    let ms = Int32(truncatingIfNeeded: milliseconds)
    return ms < 0 ? nil : UInt64(ms) * 1_000_000
}

func sys_epoll_wait(_ a: SyscallArguments) throws(Errno) -> Int {
    try epollWait(a.a0, a.a1, a.a2, timeoutNanoseconds: epollTimeout(milliseconds: a.a3))
}

/// Installs the temporary signal mask of epoll_pwait/epoll_pwait2 (sigsetsize must be 8); the
/// return to user restores the old one, as for ppoll.
private func setWaitMask(_ address: UInt64, size: UInt64) throws(Errno) {
    guard address != 0 else { return }
    guard size == 8 else { throw .EINVAL }
    let mask = try UserMemory.read(address, as: UInt64.self)
    let thread = Scheduler.current
    thread.savedMask = thread.blockedSignals
    thread.blockedSignals = mask & ~Signal.unblockable
}

func sys_epoll_pwait(_ a: SyscallArguments) throws(Errno) -> Int {
    try setWaitMask(a.a4, size: a.a5)
    return try epollWait(a.a0, a.a1, a.a2, timeoutNanoseconds: epollTimeout(milliseconds: a.a3))
}

func sys_epoll_pwait2(_ a: SyscallArguments) throws(Errno) -> Int {
    var timeout: UInt64? = nil
    if a.a3 != 0 {
        let (s, ns) = try UserMemory.read(a.a3, as: (Int64, Int64).self)
        guard s >= 0, ns >= 0, ns < 1_000_000_000 else { throw .EINVAL }
        timeout = saturatingNanoseconds(seconds: s, nanoseconds: ns)
    }
    try setWaitMask(a.a4, size: a.a5)
    return try epollWait(a.a0, a.a1, a.a2, timeoutNanoseconds: timeout)
}
