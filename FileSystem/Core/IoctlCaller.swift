// What an ioctl implementation may ask of its caller: copies to and from the caller's memory
// (the syscall layer checks the user range and turns a fault into EFAULT) and the caller's
// process group and session (for the tty's job-control ioctls). The file layer itself knows
// nothing about user memory; it sees this protocol only.
import LinuxABI
import Objects

public protocol IoctlCaller: AnyObject {
    /// Copies `count` bytes in from the caller's address `address`.
    func copyIn(from address: UInt64, count: Int) throws(Errno) -> [UInt8]
    /// Copies `bytes` out to the caller's address `address`.
    func copyOut(_ bytes: [UInt8], to address: UInt64) throws(Errno)
    /// The calling process's id, process group and session (getpid, getpgrp, getsid).
    var processID: Int32 { get }
    var processGroupID: Int32 { get }
    var sessionID: Int32 { get }
}

extension IoctlCaller {
    /// Copies out a C `int`.
    public func copyOutInt32(_ value: Int32, to address: UInt64) throws(Errno) {
        var b = ABIStructWriter(count: 4)
        b.put(value, at: 0)
        try copyOut(b.bytes, to: address)
    }
    /// Copies in a C `int`.
    public func copyInInt32(from address: UInt64) throws(Errno) -> Int32 {
        readLittleEndian(Int32.self, try copyIn(from: address, count: 4), at: 0)
    }
}
