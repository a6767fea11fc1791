// The only way the kernel touches user memory: checked copies. An address range must lie
// below USER_END; the copy itself is k42_copy_user (switch.S), whose page faults are first
// resolved like user faults (demand paging) and otherwise turn into EFAULT (Traps.swift).
import FileSystem
import LinuxABI

enum UserMemory {
    static let end = UInt64(USER_END)

    /// Lets the file layer copy straight between its pages and user memory with the same
    /// checked copies (FileSystem/Core/IOBuffer.swift). Called once, before the first process.
    static func installFileSystemAccess() {
        IOBuffer.userAccess = UserAccess(
            copy: { destination, source, count in k42_copy_user(destination, source, UInt64(count)) == 0 },
            zero: { destination, count in k42_zero_user(destination, UInt64(count)) == 0 })
    }

    @inline(__always)
    static func check(_ address: UInt64, _ count: Int) throws(Errno) {
        guard count >= 0, address < end, UInt64(count) <= end - address else { throw .EFAULT }
    }

    static func copyIn(_ destination: UnsafeMutableRawPointer, from address: UInt64, count: Int) throws(Errno) {
        if count == 0 { return }
        try check(address, count)
        if k42_copy_user(destination, UnsafeRawPointer(bitPattern: UInt(address)), UInt64(count)) != 0 { throw .EFAULT }
    }

    static func copyOut(to address: UInt64, from source: UnsafeRawPointer, count: Int) throws(Errno) {
        if count == 0 { return }
        try check(address, count)
        if k42_copy_user(UnsafeMutableRawPointer(bitPattern: UInt(address)), source, UInt64(count)) != 0 { throw .EFAULT }
    }

    static func zero(_ address: UInt64, count: Int) throws(Errno) {
        if count == 0 { return }
        try check(address, count)
        if k42_zero_user(UnsafeMutableRawPointer(bitPattern: UInt(address)), UInt64(count)) != 0 { throw .EFAULT }
    }

    // The standard library's withUnsafe...Bytes rethrow untyped errors, which Embedded Swift
    // cannot carry; these helpers pass the raw pointer out and keep the throw typed.

    static func read<T>(_ address: UInt64, as: T.Type) throws(Errno) -> T {
        try check(address, MemoryLayout<T>.size)           // before the copy: never read kernel memory
        var value = unsafe_zeroed(T.self)
        let failed = withUnsafeMutableBytes(of: &value) { b in
            k42_copy_user(b.baseAddress!, UnsafeRawPointer(bitPattern: UInt(address)), UInt64(b.count)) != 0
        }
        if failed { throw .EFAULT }
        return value
    }

    static func write<T>(_ address: UInt64, _ value: T) throws(Errno) {
        try check(address, MemoryLayout<T>.size)
        var v = value
        let failed = withUnsafeBytes(of: &v) { b in
            k42_copy_user(UnsafeMutableRawPointer(bitPattern: UInt(address)), b.baseAddress!, UInt64(b.count)) != 0
        }
        if failed { throw .EFAULT }
    }

    static func readBytes(_ address: UInt64, count: Int) throws(Errno) -> [UInt8] {
        try check(address, count)
        var out = [UInt8](repeating: 0, count: count)
        if count == 0 { return out }
        let failed = out.withUnsafeMutableBytes { b in
            k42_copy_user(b.baseAddress!, UnsafeRawPointer(bitPattern: UInt(address)), UInt64(count)) != 0
        }
        if failed { throw .EFAULT }
        return out
    }

    static func writeBytes(_ address: UInt64, _ bytes: [UInt8]) throws(Errno) {
        try check(address, bytes.count)
        if bytes.isEmpty { return }
        let failed = bytes.withUnsafeBytes { b in
            k42_copy_user(UnsafeMutableRawPointer(bitPattern: UInt(address)), b.baseAddress!, UInt64(b.count)) != 0
        }
        if failed { throw .EFAULT }
    }

    /// stat(2)'s answer: the 144-byte struct stat built in uninitialised stack memory (the
    /// encoding writes every byte, padding too) and copied out once, with no heap array.
    static func writeStat(_ address: UInt64, _ stat: Stat) throws(Errno) {
        try check(address, Stat.encodedSize)
        let failed = withUnsafeTemporaryAllocation(byteCount: Stat.encodedSize, alignment: 8) { b in
            stat.encode(into: b)
            return k42_copy_user(UnsafeMutableRawPointer(bitPattern: UInt(address)), UnsafeRawPointer(b.baseAddress!),
                                 UInt64(Stat.encodedSize)) != 0
        }
        if failed { throw .EFAULT }
    }

    /// Runs `body` with a NUL-terminated path of at most PATH_MAX bytes (ENAMETOOLONG beyond,
    /// EFAULT if unmapped), ENOENT for the empty string unless `allowEmpty`. A path that fits
    /// in `stackPath` bytes is copied onto the kernel stack, 64 bytes at a time (no heap at
    /// all); a longer one goes through readString.
    static let stackPath = 256
    static func withPath<R>(_ address: UInt64, allowEmpty: Bool = false,
                            _ body: (UnsafeBufferPointer<UInt8>) throws(Errno) -> R) throws(Errno) -> R {
        let result: Result<R, Errno>? = withUnsafeTemporaryAllocation(byteCount: stackPath, alignment: 8) { buffer in
            let bytes = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var copied = 0
            while copied < stackPath {
                let a = address &+ UInt64(copied)
                let chunk = min(64, stackPath - copied, Int(4096 - (a & 4095)))
                guard a < end, UInt64(chunk) <= end - a else { return .failure(.EFAULT) }
                if k42_copy_user(bytes + copied, UnsafeRawPointer(bitPattern: UInt(a)), UInt64(chunk)) != 0 { return .failure(.EFAULT) }
                let n = firstNUL(bytes, from: copied, to: copied + chunk)
                if n < copied + chunk {
                    if n == 0 && !allowEmpty { return .failure(.ENOENT) }
                    do throws(Errno) { return .success(try body(UnsafeBufferPointer(start: bytes, count: n))) }
                    catch { return .failure(error) }
                }
                copied += chunk
            }
            return nil                                  // longer than the stack copy
        }
        if let r = result { return try r.get() }
        let path = try readString(address, limit: 4096)
        return try path.withUnsafeBufferPointer { (p) throws(Errno) -> R in try body(p) }
    }

    /// The index of the first 0 byte in [from, to), or `to`: eight bytes at a time (the
    /// has-zero-byte test), then byte by byte.
    @inline(__always)
    static func firstNUL(_ bytes: UnsafeMutablePointer<UInt8>, from: Int, to: Int) -> Int {
        var i = from
        let raw = UnsafeRawPointer(bytes)
        while i &+ 8 <= to {
            let x = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let found = (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
            if found != 0 { return i &+ found.trailingZeroBitCount &>> 3 }
            i &+= 8
        }
        while i < to && bytes[i] != 0 { i += 1 }
        return i
    }

    /// A NUL-terminated string of at most `limit` bytes (ENAMETOOLONG beyond, EFAULT if unmapped).
    /// Copied in pieces of up to 128 bytes through uninitialised stack memory, never past the
    /// end of the page a piece starts in (the next page may be unmapped). A string that ends in
    /// the first piece (most paths) becomes one exactly-sized array: one allocation, no growth.
    static func readString(_ address: UInt64, limit: Int = 4096) throws(Errno) -> [UInt8] {
        let piece = 128
        var out: [UInt8] = []
        var a = address
        var firstPiece = true
        while out.count < limit {
            let chunk = min(limit - out.count, piece, Int(4096 - (a & 4095)))
            try check(a, chunk)
            // -1: the copy faulted; otherwise the length before the NUL, or `chunk` if none.
            let length = withUnsafeTemporaryAllocation(byteCount: piece, alignment: 8) { b -> Int in
                if k42_copy_user(b.baseAddress!, UnsafeRawPointer(bitPattern: UInt(a)), UInt64(chunk)) != 0 { return -1 }
                let bytes = b.baseAddress!.assumingMemoryBound(to: UInt8.self)
                var n = 0
                while n < chunk && bytes[n] != 0 { n += 1 }
                let found = UnsafeRawBufferPointer(start: bytes, count: n)
                if firstPiece && n < chunk { out = [UInt8](found) } else { out.append(contentsOf: found) }
                return n
            }
            if length < 0 { throw .EFAULT }
            if length < chunk { return out }
            firstPiece = false
            a += UInt64(chunk)
        }
        throw .ENAMETOOLONG
    }

    /// A NULL-terminated array of string pointers (argv, envp).
    static func readStringArray(_ address: UInt64, maxCount: Int = 4096) throws(Errno) -> [[UInt8]] {
        guard address != 0 else { return [] }
        var out: [[UInt8]] = []
        var a = address
        while true {
            let p = try read(a, as: UInt64.self)
            if p == 0 { return out }
            guard out.count < maxCount else { throw .E2BIG }
            out.append(try readString(p, limit: 128 * 1024))
            a += 8
        }
    }
}

/// A value of `T` with every byte zero (for copy-in targets).
@inline(__always)
func unsafe_zeroed<T>(_ type: T.Type) -> T {
    let p = UnsafeMutableRawPointer.allocate(byteCount: max(MemoryLayout<T>.size, 1), alignment: MemoryLayout<T>.alignment)
    defer { p.deallocate() }
    p.initializeMemory(as: UInt8.self, repeating: 0, count: max(MemoryLayout<T>.size, 1))
    return p.load(as: T.self)
}
