// Memory mappings: brk(2), mmap(2) (anonymous private and shared; file mappings arrive with
// the VFS), munmap(2), mprotect(2), madvise(2). Everything goes through the process's
// AddressSpace (Memory/AddressSpace): Regions over FCMs, faults resolved on demand.
import FileSystem
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
    let p = currentProcess
    let current = p.addressSpace.setBreak(0)                   // below the start: reads the break
    if a.a0 > current && !addressSpaceMayGrow(p, by: a.a0 - current) { return Int(current) }   // RLIMIT_AS
    return Int(p.addressSpace.setBreak(a.a0))
}

/// mmap(2): MAP_SHARED 1, MAP_PRIVATE 2, MAP_FIXED 0x10, MAP_ANONYMOUS 0x20,
/// MAP_FIXED_NOREPLACE 0x100000, MAP_GROWSDOWN 0x100, MAP_STACK/NORESERVE/POPULATE ignored.
/// File mappings map the file's FCM (shared) or an anonymous FCM in front of it (private).
func sys_mmap(_ a: SyscallArguments) throws(Errno) -> Int {
    let address = a.a0, length = a.a1, prot = a.a2, flags = a.a3
    let kind = flags & 3
    guard kind == 1 || kind == 2 || kind == 3 else { throw .EINVAL }
    guard length > 0, length < UInt64(USER_END) else { throw length == 0 ? .EINVAL : .ENOMEM }
    let p = currentProcess
    let space = p.addressSpace
    guard addressSpaceMayGrow(p, by: length) else { throw .ENOMEM }                // RLIMIT_AS
    if flags & 0x10_0000 != 0, space.region(containing: address) != nil { throw .EEXIST }
    let fixed = flags & 0x10 != 0 || flags & 0x10_0000 != 0
    let shared = kind == 1
    var fcm: FCM? = nil
    var firstPage: UInt64 = 0
    var name = ""
    if flags & 0x20 == 0 {
        let offset = a.a5
        guard offset & 0xFFF == 0 else { throw .EINVAL }
        let file = try p.files.get(Int32(truncatingIfNeeded: a.a4))
        let inode = file.inode
        let st = inode.stat()
        if st.mode.isCharacterDevice && st.specialDevice == StandardDevice.zero {
            // /dev/zero: anonymous memory (shared or private as asked).
        } else {
            guard st.mode.isRegular else { throw .ENODEV }
            guard file.flags.isReadable else { throw .EACCES }
            if shared && prot & 2 != 0 && !file.flags.isWritable { throw .EACCES }
            let fileFCM = FCMFile.of(inode)
            fcm = shared ? fileFCM : FCMAnonymous(frames: space.frames, backing: fileFCM)
            firstPage = offset / 4096
            name = String(decoding: file.path, as: UTF8.self)
        }
    }
    let start = try space.map(at: address, length: length, protection: protection(prot), fixed: fixed,
                              shared: shared, fcm: fcm, fcmFirstPage: firstPage, name: name,
                              growsDown: flags & 0x100 != 0)
    return Int(start)
}

/// msync(2) (MS_ASYNC 1, MS_INVALIDATE 2, MS_SYNC 4): file mappings share the file's pages;
/// a file system that keeps them apart from the disk (KFS) writes changed ones back into the
/// file, and MS_SYNC then makes them durable as fsync(2) does.
func sys_msync(_ a: SyscallArguments) throws(Errno) -> Int {
    guard a.a0 & 0xFFF == 0, a.a2 & ~7 == 0, a.a2 & 5 != 5 else { throw .EINVAL }
    let space = currentProcess.addressSpace
    guard space.region(containing: a.a0) != nil else { throw .ENOMEM }
    for fcm in space.sharedFCMs(overlapping: a.a0, length: a.a1) {
        guard let file = fcm as? FCMFile else { continue }
        if a.a2 & 4 != 0 { try file.inode.sync() } else { try file.inode.writeBackMappedPages() }
    }
    return 0
}

/// munmap(2): changed pages of shared file mappings go back into their files first (KFS).
func sys_munmap(_ a: SyscallArguments) throws(Errno) -> Int {
    let space = currentProcess.addressSpace
    if a.a0 & 0xFFF == 0 && a.a1 > 0 {
        for fcm in space.sharedFCMs(overlapping: a.a0, length: a.a1) {
            if let file = fcm as? FCMFile { try? file.inode.writeBackMappedPages() }
        }
    }
    try space.unmap(a.a0, length: a.a1)
    FCMFile.dropUnused()    // the file FCMs this unmap let go of (others go at the next mmap)
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
