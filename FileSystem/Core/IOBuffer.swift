// Where a read's bytes go and a write's bytes come from: Linux's iov_iter, reduced to one
// segment of kernel or user memory. User memory is touched only through the checked copies the
// Linux layer installs (`IOBuffer.userAccess`; k42_copy_user in the kernel), so a file can copy
// straight between its own pages and the caller's buffer -- one copy, no kernel bounce buffer --
// and a bad user pointer still ends as EFAULT, never as a kernel fault.
// Rule for files that copy to a user buffer: hold no spin lock across the copy. The copy may
// page-fault, and resolving the fault may need the same lock (a read into an mmap of the same
// file) or wait for another CPU; look the page up under the lock, copy after dropping it.
import LinuxABI

/// The user-memory copy routines: each returns false when a page fault could not be resolved.
/// Pointers are optional because user address 0 is a legal argument (it faults: EFAULT).
public struct UserAccess {
    public var copy: (_ destination: UnsafeMutableRawPointer?, _ source: UnsafeRawPointer?, _ count: Int) -> Bool
    public var zero: (_ destination: UnsafeMutableRawPointer?, _ count: Int) -> Bool
    public init(copy: @escaping (UnsafeMutableRawPointer?, UnsafeRawPointer?, Int) -> Bool,
                zero: @escaping (UnsafeMutableRawPointer?, Int) -> Bool) {
        self.copy = copy; self.zero = zero
    }
}

public struct IOBuffer {
    public let address: UInt
    public let count: Int
    /// True for a user-space range (copied with `userAccess`), false for kernel memory.
    public let isUser: Bool

    /// Set once at boot by the Linux layer; hosted tests keep plain memory copies.
    nonisolated(unsafe) public static var userAccess = UserAccess(
        copy: { d, s, n in d!.copyMemory(from: s!, byteCount: n); return true },
        zero: { d, n in d!.initializeMemory(as: UInt8.self, repeating: 0, count: n); return true })

    /// A kernel buffer (reads land in it).
    public init(_ buffer: UnsafeMutableRawBufferPointer) {
        address = UInt(bitPattern: buffer.baseAddress); count = buffer.count; isUser = false
    }
    /// A kernel buffer a write takes its bytes from (never written to).
    public init(_ buffer: UnsafeRawBufferPointer) {
        address = UInt(bitPattern: buffer.baseAddress); count = buffer.count; isUser = false
    }
    /// A user range; the caller has checked that it lies below the end of user space.
    public init(userAddress: UInt64, count: Int) {
        address = UInt(userAddress); self.count = count; isUser = true
    }
    private init(address: UInt, count: Int, isUser: Bool) {
        self.address = address; self.count = count; self.isUser = isUser
    }

    /// `length` bytes from `offset` on.
    public func slice(from offset: Int, count length: Int) -> IOBuffer {
        IOBuffer(address: address + UInt(offset), count: length, isUser: isUser)
    }

    /// Kernel buffers are never at 0; a user range may be (and then faults).
    private func pointer(_ offset: Int) -> UnsafeMutableRawPointer? {
        UnsafeMutableRawPointer(bitPattern: address + UInt(offset))
    }

    /// Copies `length` bytes from `source` into the buffer at `offset` (a read's data).
    @inline(__always)
    public func store(from source: UnsafeRawPointer, count length: Int, at offset: Int) throws(Errno) {
        guard length > 0 else { return }
        if !isUser { pointer(offset)!.copyMemory(from: source, byteCount: length); return }
        if !IOBuffer.userAccess.copy(pointer(offset), source, length) { throw .EFAULT }
    }

    /// Zeroes `length` bytes of the buffer at `offset` (holes, /dev/zero).
    public func zero(count length: Int, at offset: Int) throws(Errno) {
        guard length > 0 else { return }
        if !isUser { pointer(offset)!.initializeMemory(as: UInt8.self, repeating: 0, count: length); return }
        if !IOBuffer.userAccess.zero(pointer(offset), length) { throw .EFAULT }
    }

    /// Copies `length` bytes of the buffer at `offset` to `destination` (a write's data).
    @inline(__always)
    public func load(into destination: UnsafeMutableRawPointer, count length: Int, at offset: Int) throws(Errno) {
        guard length > 0 else { return }
        if !isUser { destination.copyMemory(from: pointer(offset)!, byteCount: length); return }
        if !IOBuffer.userAccess.copy(destination, pointer(offset), length) { throw .EFAULT }
    }

    // MARK: bouncing, for files that only implement the pointer-based methods

    /// Transfers up to this size bounce through the kernel stack instead of the heap.
    public static let stackBounce = 256

    /// Runs `body` on a kernel buffer of `count` bytes and copies what it produced out to this
    /// buffer. A kernel buffer is handed over directly.
    public func bounceRead(_ body: (UnsafeMutableRawBufferPointer) throws(Errno) -> Int) throws(Errno) -> Int {
        if !isUser { return try body(UnsafeMutableRawBufferPointer(start: UnsafeMutableRawPointer(bitPattern: address), count: count)) }
        if count <= IOBuffer.stackBounce {            // small transfers (a pipe's byte): no heap
            var result: Result<Int, Errno> = .success(0)
            withUnsafeTemporaryAllocation(byteCount: IOBuffer.stackBounce, alignment: 16) { temporary in
                do throws(Errno) {
                    let n = try body(UnsafeMutableRawBufferPointer(rebasing: temporary[0..<count]))
                    try store(from: temporary.baseAddress!, count: n, at: 0)
                    result = .success(n)
                } catch { result = .failure(error) }
            }
            return try result.get()
        }
        let temporary = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 16)
        defer { temporary.deallocate() }
        let n = try body(UnsafeMutableRawBufferPointer(rebasing: temporary[0..<count]))
        try store(from: temporary.baseAddress!, count: n, at: 0)
        return n
    }

    /// Copies this buffer into a kernel buffer (EFAULT before `body` runs if the user range is
    /// bad) and runs `body` on it.
    public func bounceWrite<T>(_ body: (UnsafeRawBufferPointer) throws(Errno) -> T) throws(Errno) -> T {
        if !isUser { return try body(UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: address), count: count)) }
        if count <= IOBuffer.stackBounce {
            var result: Result<T, Errno>? = nil
            withUnsafeTemporaryAllocation(byteCount: IOBuffer.stackBounce, alignment: 16) { temporary in
                do throws(Errno) {
                    try load(into: temporary.baseAddress!, count: count, at: 0)
                    result = .success(try body(UnsafeRawBufferPointer(rebasing: temporary[0..<count])))
                } catch { result = .failure(error) }
            }
            return try result!.get()
        }
        let temporary = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 16)
        defer { temporary.deallocate() }
        try load(into: temporary.baseAddress!, count: count, at: 0)
        return try body(UnsafeRawBufferPointer(rebasing: temporary[0..<count]))
    }
}
