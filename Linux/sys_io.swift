// read(2), write(2), writev(2). Until the VFS and the fd table are wired in, descriptors 0, 1
// and 2 are the console (serial) and every other descriptor is EBADF.
import LinuxABI
import Objects

func sys_write(_ a: SyscallArguments) throws(Errno) -> Int {
    let fd = Int32(truncatingIfNeeded: a.a0)
    guard fd == 1 || fd == 2 else { throw .EBADF }
    return try ConsoleOutput.write(a.a1, count: Int(truncatingIfNeeded: a.a2))
}

func sys_writev(_ a: SyscallArguments) throws(Errno) -> Int {
    let fd = Int32(truncatingIfNeeded: a.a0)
    guard fd == 1 || fd == 2 else { throw .EBADF }
    let count = Int(truncatingIfNeeded: a.a2)
    guard count >= 0, count <= 1024 else { throw .EINVAL }
    var total = 0
    for i in 0..<count {
        let (base, length) = try UserMemory.read(a.a1 + UInt64(16 * i), as: (UInt64, UInt64).self)
        guard Int64(bitPattern: length) >= 0 else { throw .EINVAL }
        total += try ConsoleOutput.write(base, count: Int(length))
    }
    return total
}

func sys_read(_ a: SyscallArguments) throws(Errno) -> Int {
    let fd = Int32(truncatingIfNeeded: a.a0)
    guard fd == 0 else { throw .EBADF }
    return 0                                                // console input arrives with the tty
}

enum ConsoleOutput {
    static func write(_ address: UInt64, count: Int) throws(Errno) -> Int {
        guard count >= 0 else { throw .EINVAL }
        var done = 0
        var buffer = [UInt8](repeating: 0, count: min(count, 4096))
        while done < count {
            let n = min(count - done, buffer.count)
            let chunk = try UserMemory.readBytes(address + UInt64(done), count: n)
            for i in 0..<n { buffer[i] = chunk[i] }
            Log.lock!.withLockIRQSave { for i in 0..<n { consolePutchar(buffer[i]) } }
            done += n
        }
        return done
    }
}
