// Memory mappings: brk(2), mmap(2) (anonymous private and shared; file mappings arrive with
// the VFS), munmap(2), mprotect(2), madvise(2). Everything goes through the process's
// AddressSpace (Memory/AddressSpace): Regions over FCMs, faults resolved on demand.
import LinuxABI
import Memory

func protection(_ prot: UInt64) -> Protection {
    var p: Protection = []
    if prot & 1 != 0 { p.insert(.read) }
    if prot & 2 != 0 { p.insert(.write) }
    if prot & 4 != 0 { p.insert(.execute) }
    return p
}

func sys_brk(_ a: SyscallArguments) throws(Errno) -> Int {
    Int(currentProcess.addressSpace.setBreak(a.a0))
}

/// mmap(2): MAP_SHARED 1, MAP_PRIVATE 2, MAP_FIXED 0x10, MAP_ANONYMOUS 0x20,
/// MAP_FIXED_NOREPLACE 0x100000, MAP_GROWSDOWN 0x100, MAP_STACK/NORESERVE/POPULATE ignored.
func sys_mmap(_ a: SyscallArguments) throws(Errno) -> Int {
    let address = a.a0, length = a.a1, prot = a.a2, flags = a.a3
    let kind = flags & 3
    guard kind == 1 || kind == 2 || kind == 3 else { throw .EINVAL }
    guard length > 0 else { throw .EINVAL }
    guard flags & 0x20 != 0 else { throw .ENODEV }       // file mappings: with the VFS
    let space = currentProcess.addressSpace
    if flags & 0x10_0000 != 0, space.region(containing: address) != nil { throw .EEXIST }
    let fixed = flags & 0x10 != 0 || flags & 0x10_0000 != 0
    let start = try space.map(at: address, length: length, protection: protection(prot), fixed: fixed,
                              shared: kind == 1, name: "", growsDown: flags & 0x100 != 0)
    return Int(start)
}

func sys_munmap(_ a: SyscallArguments) throws(Errno) -> Int {
    try currentProcess.addressSpace.unmap(a.a0, length: a.a1)
    return 0
}

func sys_mprotect(_ a: SyscallArguments) throws(Errno) -> Int {
    try currentProcess.addressSpace.protect(a.a0, length: a.a1, protection: protection(a.a2))
    return 0
}

/// madvise(2): advice only; MADV_DONTNEED on private anonymous memory should zero the pages
/// (glibc's free does not depend on it), accepted as a no-op for now.
func sys_madvise(_ a: SyscallArguments) throws(Errno) -> Int {
    guard a.a0 & 0xFFF == 0 else { throw .EINVAL }
    return 0
}
