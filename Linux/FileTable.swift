// The file-descriptor table (Linux's files_struct): fd -> open file plus the close-on-exec
// flag. fork copies it (sharing the open files, so positions are shared as POSIX says),
// execve closes the close-on-exec ones. One lock per table; lookups are short.
import FileSystem
import LinuxABI
import Objects

final class FileTable {
    struct Slot {
        let file: OpenFile
        var closeOnExec: Bool
    }

    let lock = SpinLock()
    private var slots: [Slot?] = []
    /// RLIMIT_NOFILE (soft).
    var limit = 1024

    func get(_ fd: Int32) throws(Errno) -> OpenFile {
        guard let f = lookup(fd) else { throw .EBADF }
        return f
    }

    /// The open file at `fd`, retained for the caller, or nil. Interrupts stay on: no
    /// interrupt handler touches an fd table and the kernel does not preempt kernel code, so
    /// the IRQ-saving form (a flags push, cli and popf per read and write) buys nothing here.
    func lookup(_ fd: Int32) -> OpenFile? {
        lock.lock()                         // not withLock: its closure was called out of line
        defer { lock.unlock() }
        guard fd >= 0, Int(fd) < slots.count else { return nil }
        return slots[Int(fd)]?.file
    }

    func closeOnExec(_ fd: Int32) throws(Errno) -> Bool {
        let v: Bool? = lock.withLockIRQSave {
            guard fd >= 0, Int(fd) < slots.count, let s = slots[Int(fd)] else { return nil }
            return s.closeOnExec
        }
        guard let v else { throw .EBADF }
        return v
    }

    func setCloseOnExec(_ fd: Int32, _ on: Bool) throws(Errno) {
        let ok: Bool = lock.withLockIRQSave {
            guard fd >= 0, Int(fd) < slots.count, slots[Int(fd)] != nil else { return false }
            slots[Int(fd)]!.closeOnExec = on
            return true
        }
        if !ok { throw .EBADF }
    }

    /// The lowest free descriptor >= `minimum` (EMFILE past the limit).
    func allocate(_ file: OpenFile, minimum: Int32 = 0, closeOnExec: Bool = false) throws(Errno) -> Int32 {
        let fd: Int32? = lock.withLockIRQSave {
            var i = Int(minimum)
            while i < slots.count && slots[i] != nil { i += 1 }
            guard i < limit else { return nil }
            while slots.count <= i { slots.append(nil) }
            slots[i] = Slot(file: file, closeOnExec: closeOnExec)
            return Int32(i)
        }
        guard let fd else { throw .EMFILE }
        file.descriptorOpened()
        return fd
    }

    /// dup2/dup3: puts `file` at `fd`, returning what was there (closed by the caller, outside the lock).
    func install(_ file: OpenFile, at fd: Int32, closeOnExec: Bool) throws(Errno) -> OpenFile? {
        guard fd >= 0, Int(fd) < limit else { throw .EBADF }
        file.descriptorOpened()
        let old: OpenFile? = lock.withLockIRQSave {
            while slots.count <= Int(fd) { slots.append(nil) }
            let old = slots[Int(fd)]?.file
            slots[Int(fd)] = Slot(file: file, closeOnExec: closeOnExec)
            return old
        }
        old?.descriptorClosed()
        return old
    }

    func close(_ fd: Int32) throws(Errno) -> OpenFile {
        let f: OpenFile? = lock.withLockIRQSave {
            guard fd >= 0, Int(fd) < slots.count, let s = slots[Int(fd)] else { return nil }
            slots[Int(fd)] = nil
            return s.file
        }
        guard let f else { throw .EBADF }
        f.descriptorClosed()
        return f
    }

    func copy() -> FileTable {
        let t = FileTable()
        lock.withLockIRQSave {
            t.slots = slots; t.limit = limit
            for s in slots { s?.file.descriptorOpened() }
        }
        return t
    }

    /// execve: drop close-on-exec descriptors.
    func closeOnExecAll() {
        let closed: [OpenFile] = lock.withLockIRQSave {
            var closed: [OpenFile] = []
            for i in 0..<slots.count where slots[i]?.closeOnExec == true { closed.append(slots[i]!.file); slots[i] = nil }
            return closed
        }
        for f in closed { f.descriptorClosed() }
    }

    /// exit: drop everything (the open files close when their last reference goes).
    func closeAll() {
        let closed: [Slot?] = lock.withLockIRQSave { let s = slots; slots.removeAll(); return s }
        for s in closed { s?.file.descriptorClosed() }
    }

    /// Open descriptors, for /proc/PID/fd.
    var openDescriptors: [(Int32, OpenFile)] {
        lock.withLockIRQSave {
            var out: [(Int32, OpenFile)] = []
            for (i, s) in slots.enumerated() { if let s { out.append((Int32(i), s.file)) } }
            return out
        }
    }
}

/// The caller of an ioctl, as the file layer sees it (copies through UserMemory).
final class SyscallIoctlCaller: IoctlCaller {
    let process: Process
    init(_ p: Process) { process = p }
    func copyIn(from address: UInt64, count: Int) throws(Errno) -> [UInt8] { try UserMemory.readBytes(address, count: count) }
    func copyOut(_ bytes: [UInt8], to address: UInt64) throws(Errno) { try UserMemory.writeBytes(address, bytes) }
    var processID: Int32 { Int32(process.pid) }
    var processGroupID: Int32 { Int32(process.processGroup) }
    var sessionID: Int32 { Int32(process.session) }
}

/// The running process's open file at `fd` (EBADF), retained for the call (Linux's fdget).
/// Reaching the table through unowned(unsafe) locals made the compiler add retains, not
/// remove them (icount: read of /dev/null 38 instructions longer), so this is the plain path.
func currentFile(_ fd: Int32) throws(Errno) -> OpenFile {
    try currentProcess.files.get(fd)
}

/// Runs a file operation, sleeping on the file's wait queue while it would block (unless the
/// file is O_NONBLOCK); a signal interrupts the sleep (ERESTARTSYS).
func blocking<T>(_ file: OpenFile, _ operation: () throws(Errno) -> T) throws(Errno) -> T {
    while true {
        do {
            return try operation()
        } catch {
            guard error == .EAGAIN, !file.isNonBlocking, let queue = file.waitQueue else { throw error }
            let me = Scheduler.current                  // only when we may sleep
            let token = queue.add { Scheduler.wake(me) }
            defer { queue.remove(token) }
            // Retry once registered: readiness may have changed before we got on the queue.
            do { return try operation() } catch {
                guard error == .EAGAIN else { throw error }
            }
            if Signals.hasDeliverable(me) { throw .ERESTARTSYS }
            Scheduler.block()
            if Signals.hasDeliverable(me) { throw .ERESTARTSYS }
        }
    }
}
