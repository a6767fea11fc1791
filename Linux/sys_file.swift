// File descriptors and I/O: open(2)/openat/creat, close, read/write/readv/writev,
// pread64/pwrite64, lseek, dup/dup2/dup3, fcntl, ioctl, pipe/pipe2, getdents64, sendfile,
// fsync/fdatasync/sync, ftruncate. Blocking I/O sleeps on the file's wait queue (FileTable
// `blocking`); a write to a pipe with no reader raises SIGPIPE as well as EPIPE.
import FileSystem
import LinuxABI
import Objects

let AT_FDCWD: Int32 = -100

func fd(_ raw: UInt64) -> Int32 { Int32(truncatingIfNeeded: raw) }

/// The directory an *at call's relative path starts from. An absolute path ignores dirfd,
/// which then need not even be open (openat(2)).
func directory(_ dirfd: Int32, for path: [UInt8]) throws(Errno) -> Inode? {
    if dirfd == AT_FDCWD || path.first == 0x2F { return currentProcess.cwd }
    let f = try currentProcess.files.get(dirfd)
    guard f.inode.isDirectory else { throw .ENOTDIR }
    return f.inode
}

/// The same for a path on the caller's stack (UserMemory.withPath): only its first byte counts.
func directory(_ dirfd: Int32, for path: UnsafeBufferPointer<UInt8>) throws(Errno) -> Inode? {
    if dirfd == AT_FDCWD || path.first == 0x2F { return currentProcess.cwd }
    let f = try currentProcess.files.get(dirfd)
    guard f.inode.isDirectory else { throw .ENOTDIR }
    return f.inode
}

/// A user path; ENOENT for the empty string (unless the caller allows it).
func userPath(_ address: UInt64, allowEmpty: Bool = false) throws(Errno) -> [UInt8] {
    let p = try UserMemory.readString(address, limit: 4096)
    if p.isEmpty && !allowEmpty { throw .ENOENT }
    return p
}

func openFile(_ dirfd: Int32, _ pathAddress: UInt64, _ rawFlags: UInt64, _ mode: UInt64) throws(Errno) -> Int {
    let p = currentProcess
    let flags = OpenFlags(rawValue: UInt32(truncatingIfNeeded: rawFlags))
    let file = try UserMemory.withPath(pathAddress) { (path) throws(Errno) -> OpenFile in
        try KernelFiles.vfs.open(path, from: try directory(dirfd, for: path), flags: flags,
                                 mode: UInt32(truncatingIfNeeded: mode) & ~p.umask & 0o7777)
    }
    return Int(try p.files.allocate(file, closeOnExec: flags.contains(.O_CLOEXEC)))
}

func sys_open(_ a: SyscallArguments) throws(Errno) -> Int { try openFile(AT_FDCWD, a.a0, a.a1, a.a2) }
func sys_openat(_ a: SyscallArguments) throws(Errno) -> Int { try openFile(fd(a.a0), a.a1, a.a2, a.a3) }
func sys_creat(_ a: SyscallArguments) throws(Errno) -> Int { try openFile(AT_FDCWD, a.a0, 0o1101, a.a1) }   // O_CREAT|O_WRONLY|O_TRUNC

func sys_close(_ a: SyscallArguments) throws(Errno) -> Int {
    _ = try currentProcess.files.close(fd(a.a0))
    return 0
}

/// Hands the user buffer to the file (an IOBuffer: files with pages copy straight to and from
/// user memory; others bounce inside the file layer), `ioChunk` at a time so that a bouncing
/// file never needs more than that much kernel memory.
let ioChunk = 64 * 1024

func readInto(_ file: OpenFile, _ address: UInt64, _ count: Int, at offset: Int64? = nil) throws(Errno) -> Int {
    guard count >= 0 else { throw .EINVAL }
    try UserMemory.check(address, count)
    var done = 0
    while done < count {
        let want = min(count - done, ioChunk)
        let target = IOBuffer(userAddress: address + UInt64(done), count: want)
        let n: Int
        do throws(Errno) {
            if let base = offset { n = try file.read(to: target, at: base + Int64(done)) }
            else if done == 0 {
                // Straight to the file; only a call that would block goes through `blocking`
                // (an indirect call of a closure on every read otherwise). EAGAIN changed nothing,
                // so `blocking` trying again first is harmless.
                do { n = try file.read(to: target) } catch {
                    guard error == .EAGAIN else { throw error }
                    n = try blocking(file) { () throws(Errno) -> Int in try file.read(to: target) }
                }
            }
            else { n = try file.read(to: target) }
        } catch {
            // After some bytes: a short read (what was copied is what counts, as on Linux).
            if done > 0 && (error == .EAGAIN || error == .ERESTARTSYS || error == .EFAULT) { break }
            throw error
        }
        done += n
        if n < want { break }                        // EOF, or a pipe or tty delivered what it had
    }
    return done
}

func writeFrom(_ file: OpenFile, _ address: UInt64, _ count: Int, at offset: Int64? = nil) throws(Errno) -> Int {
    guard count >= 0 else { throw .EINVAL }
    try UserMemory.check(address, count)
    var done = 0
    while done < count || count == 0 {
        let want = min(count - done, ioChunk)
        let source = IOBuffer(userAddress: address + UInt64(done), count: want)
        let n: Int
        do throws(Errno) {
            if let base = offset { n = try file.write(from: source, at: base + Int64(done)) }
            else {
                do { n = try file.write(from: source) } catch {      // as readInto: blocking only on EAGAIN
                    guard error == .EAGAIN else { throw error }
                    n = try blocking(file) { () throws(Errno) -> Int in try file.write(from: source) }
                }
            }
        } catch {
            if error == .EPIPE { Signals.send(Signal.SIGPIPE, to: currentProcess) }
            if done > 0 { break }                    // a short write: what went out counts
            throw error
        }
        done += n
        if count == 0 || n == 0 { break }
    }
    return done
}

func sys_read(_ a: SyscallArguments) throws(Errno) -> Int {
    let file = try currentFile(fd(a.a0))
    if _slowPath(file.special != .none) {
        if let s = file as? UnixSocketFile { return try socketRead(s, [(a.a1, Int(truncatingIfNeeded: a.a2))]) }   // one datagram per call
        try JobControl.checkTerminalRead(file)
    }
    return try readInto(file, a.a1, Int(truncatingIfNeeded: a.a2))
}
func sys_write(_ a: SyscallArguments) throws(Errno) -> Int {
    let file = try currentFile(fd(a.a0))
    if _slowPath(file.special != .none) {
        if let s = file as? UnixSocketFile { return try socketWrite(s, [(a.a1, Int(truncatingIfNeeded: a.a2))]) }
        try JobControl.checkTerminalWrite(file)
    }
    return try writeFrom(file, a.a1, Int(truncatingIfNeeded: a.a2))
}
func sys_pread64(_ a: SyscallArguments) throws(Errno) -> Int {
    try readInto(try currentFile(fd(a.a0)), a.a1, Int(truncatingIfNeeded: a.a2), at: Int64(bitPattern: a.a3))
}
func sys_pwrite64(_ a: SyscallArguments) throws(Errno) -> Int {
    try writeFrom(try currentFile(fd(a.a0)), a.a1, Int(truncatingIfNeeded: a.a2), at: Int64(bitPattern: a.a3))
}

func iovecs(_ address: UInt64, _ count: UInt64) throws(Errno) -> [(UInt64, Int)] {
    guard count <= 1024 else { throw .EINVAL }
    var out: [(UInt64, Int)] = []
    var total = 0
    for i in 0..<Int(count) {
        let (base, length) = try UserMemory.read(address + UInt64(16 * i), as: (UInt64, UInt64).self)
        guard Int64(bitPattern: length) >= 0 else { throw .EINVAL }
        let (sum, overflow) = total.addingReportingOverflow(Int(length))     // a trap here would panic the kernel
        guard !overflow else { throw .EINVAL }
        total = sum
        out.append((base, Int(length)))
    }
    return out
}

func sys_readv(_ a: SyscallArguments) throws(Errno) -> Int {
    let file = try currentFile(fd(a.a0))
    if let s = file as? UnixSocketFile { return try socketRead(s, try iovecs(a.a1, a.a2)) }
    try JobControl.checkTerminalRead(file)
    var total = 0
    for (base, length) in try iovecs(a.a1, a.a2) where length > 0 {
        let n: Int
        do { n = try readInto(file, base, length) } catch {
            if total > 0 { break }
            throw error
        }
        total += n
        if n < length { break }
    }
    return total
}

func sys_writev(_ a: SyscallArguments) throws(Errno) -> Int {
    let file = try currentFile(fd(a.a0))
    if let s = file as? UnixSocketFile { return try socketWrite(s, try iovecs(a.a1, a.a2)) }
    try JobControl.checkTerminalWrite(file)
    var total = 0
    for (base, length) in try iovecs(a.a1, a.a2) where length > 0 {
        // A failure after some bytes went out ends the call with what was written.
        do { total += try writeFrom(file, base, length) } catch {
            if total > 0 { break }
            throw error
        }
    }
    return total
}

func sys_lseek(_ a: SyscallArguments) throws(Errno) -> Int {
    let file = try currentFile(fd(a.a0))
    guard let whence = SeekWhence(rawValue: Int32(truncatingIfNeeded: a.a2)) else { throw .EINVAL }
    return Int(try file.seek(Int64(bitPattern: a.a1), whence: whence))
}

func sys_dup(_ a: SyscallArguments) throws(Errno) -> Int {
    let files = currentProcess.files
    return Int(try files.allocate(try files.get(fd(a.a0))))
}

func sys_dup2(_ a: SyscallArguments) throws(Errno) -> Int {
    let files = currentProcess.files
    let file = try files.get(fd(a.a0))
    if a.a0 == a.a1 { return Int(fd(a.a1)) }
    _ = try files.install(file, at: fd(a.a1), closeOnExec: false)
    return Int(fd(a.a1))
}

func sys_dup3(_ a: SyscallArguments) throws(Errno) -> Int {
    guard a.a0 != a.a1 else { throw .EINVAL }
    guard a.a2 & ~UInt64(OpenFlags.O_CLOEXEC.rawValue) == 0 else { throw .EINVAL }
    let files = currentProcess.files
    let file = try files.get(fd(a.a0))
    _ = try files.install(file, at: fd(a.a1), closeOnExec: a.a2 != 0)
    return Int(fd(a.a1))
}

/// fcntl(2): F_DUPFD 0, F_GETFD 1, F_SETFD 2, F_GETFL 3, F_SETFL 4, F_GETLK..F_SETLKW 5-7
/// (advisory locks always granted: no other locker exists yet), F_DUPFD_CLOEXEC 1030,
/// F_SETPIPE_SZ 1031, F_GETPIPE_SZ 1032.
func sys_fcntl(_ a: SyscallArguments) throws(Errno) -> Int {
    let files = currentProcess.files
    let n = fd(a.a0)
    let file = try files.get(n)
    switch a.a1 {
    case 0, 1030:
        let minimum = Int32(truncatingIfNeeded: a.a2)
        guard minimum >= 0, Int(minimum) < files.limit else { throw .EINVAL }
        return Int(try files.allocate(file, minimum: minimum, closeOnExec: a.a1 == 1030))
    case 1: return try files.closeOnExec(n) ? 1 : 0
    case 2: try files.setCloseOnExec(n, a.a2 & 1 != 0); return 0
    case 3: return Int(file.flags.rawValue)
    case 4: file.setStatusFlags(OpenFlags(rawValue: UInt32(truncatingIfNeeded: a.a2))); return 0
    case 5:
        // F_GETLK: report "unlocked" (l_type F_UNLCK = 2) in the caller's struct flock.
        var flock = try UserMemory.readBytes(a.a2, count: 32)
        flock[0] = 2; flock[1] = 0
        try UserMemory.writeBytes(a.a2, flock)
        return 0
    case 6, 7: return 0
    case 1031: return try file.setPipeCapacity(Int(truncatingIfNeeded: a.a2))
    case 1032: return try file.pipeCapacity()
    default: throw .EINVAL
    }
}

/// ioctl(2): FIONBIO/FIOCLEX/FIONCLEX here, the rest to the file (ttys: termios, window size,
/// process groups).
func sys_ioctl(_ a: SyscallArguments) throws(Errno) -> Int {
    let p = currentProcess
    let n = fd(a.a0)
    let file = try p.files.get(n)
    let request = UInt32(truncatingIfNeeded: a.a1)
    if request == 0x5410 { try JobControl.checkSetForegroundGroup(file, argument: a.a2) }   // TIOCSPGRP
    switch request {
    case 0x5421:                                                   // FIONBIO
        let on = try UserMemory.read(a.a2, as: Int32.self) != 0
        var flags = file.flags
        if on { flags.insert(.O_NONBLOCK) } else { flags.remove(.O_NONBLOCK) }
        file.setStatusFlags(flags)
        return 0
    case 0x5451: try p.files.setCloseOnExec(n, true); return 0     // FIOCLEX
    case 0x5450: try p.files.setCloseOnExec(n, false); return 0    // FIONCLEX
    default:
        if JobControl.isTerminalChange(request) { try JobControl.checkTerminalChange(file) }
        return try file.ioctl(request, argument: a.a2, caller: SyscallIoctlCaller(p))
    }
}

func sys_pipe2(_ a: SyscallArguments) throws(Errno) -> Int {
    let flags = OpenFlags(rawValue: UInt32(truncatingIfNeeded: a.a1))
    guard flags.subtracting([.O_CLOEXEC, .O_NONBLOCK, .O_DIRECT]).isEmpty else { throw .EINVAL }
    let files = currentProcess.files
    let (r, w) = KernelFiles.vfs.makePipe(flags: flags.intersection(.O_NONBLOCK))
    let cloexec = flags.contains(.O_CLOEXEC)
    let rfd = try files.allocate(r, closeOnExec: cloexec)
    let wfd: Int32
    do { wfd = try files.allocate(w, closeOnExec: cloexec) } catch {
        _ = try? files.close(rfd)
        throw error
    }
    do { try UserMemory.write(a.a0, (rfd, wfd)) } catch {
        _ = try? files.close(rfd); _ = try? files.close(wfd)
        throw error
    }
    return 0
}

func sys_pipe(_ a: SyscallArguments) throws(Errno) -> Int {
    try sys_pipe2(SyscallArguments(frame: a.frame, override: (a.a0, 0)))
}

func sys_getdents64(_ a: SyscallArguments) throws(Errno) -> Int {
    let file = try currentFile(fd(a.a0))
    let count = Int(min(a.a2, 1 << 20))
    var buffer = [UInt8](repeating: 0, count: count)
    var failure: Errno? = nil
    let n: Int = buffer.withUnsafeMutableBytes { b in
        do throws(Errno) { return try file.readDirectory(into: b) } catch { failure = error; return 0 }
    }
    if let failure { throw failure }
    try UserMemory.writeBytes(a.a1, Array(buffer[0..<n]))
    return n
}

/// sendfile(2): copies through the kernel in chunks (offset pointer honoured).
func sys_sendfile(_ a: SyscallArguments) throws(Errno) -> Int {
    let files = currentProcess.files
    let out = try files.get(fd(a.a0)), input = try files.get(fd(a.a1))
    // Linux reads only from files with a page cache (regular files, block devices): a tty or
    // a pipe as the input is EINVAL, and callers like busybox cat fall back to read/write.
    guard input.stat().mode.isRegular else { throw .EINVAL }
    var offset: Int64? = a.a2 != 0 ? try UserMemory.read(a.a2, as: Int64.self) : nil
    var remaining = Int(truncatingIfNeeded: a.a3)
    var total = 0
    var buffer = [UInt8](repeating: 0, count: ioChunk)
    while remaining > 0 {
        let want = min(remaining, ioChunk)
        var failure: Errno? = nil
        let n: Int = buffer.withUnsafeMutableBytes { b in
            let slice = UnsafeMutableRawBufferPointer(rebasing: b[0..<want])
            do throws(Errno) {
                if let o = offset { return try input.read(into: slice, at: o) }
                return try blocking(input) { () throws(Errno) -> Int in try input.read(into: slice) }
            } catch { failure = error; return 0 }
        }
        if let failure { if total > 0 { break }; throw failure }
        if n == 0 { break }
        var written = 0
        while written < n {
            var wfailure: Errno? = nil
            let w: Int = buffer.withUnsafeBytes { b in
                do throws(Errno) {
                    return try blocking(out) { () throws(Errno) -> Int in
                        try out.write(from: UnsafeRawBufferPointer(rebasing: b[written..<n]))
                    }
                } catch { wfailure = error; return 0 }
            }
            if let wfailure {
                if wfailure == .EPIPE { Signals.send(Signal.SIGPIPE, to: currentProcess) }
                if total + written > 0 { return total + written }
                throw wfailure
            }
            written += w
        }
        total += n
        remaining -= n
        if let o = offset { offset = o + Int64(n) }
    }
    if let o = offset { try UserMemory.write(a.a2, o) }
    return total
}

func sys_fsync(_ a: SyscallArguments) throws(Errno) -> Int { try currentFile(fd(a.a0)).sync(); return 0 }
/// sync(2): commits every mounted KFS (ramfs and tmpfs have nothing to write).
func sys_sync(_ a: SyscallArguments) throws(Errno) -> Int {
    KFSMounts.syncAll()
    return 0
}

func sys_ftruncate(_ a: SyscallArguments) throws(Errno) -> Int {
    try currentFile(fd(a.a0)).truncate(to: Int64(bitPattern: a.a1))
    return 0
}
