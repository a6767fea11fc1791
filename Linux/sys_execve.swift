// execve(2): replaces the calling process's image with a static ELF program (ET_EXEC or
// static-PIE), or runs a "#!" script's interpreter. The new address space is built beside
// the old one (segments mapped from the file's FCM behind a private copy-on-write FCM, or
// copied into anonymous memory where the file system has no page cache; a demand-paged stack
// with argv, envp and the auxiliary vector), then swapped in; the old one is released.
import FileSystem
import LinuxABI
import Memory
import Trace

/// A program file (ENOENT, EACCES as execve(2)). Only the headers are read; the segments are
/// mapped from the file's FCM where the file system keeps page-cache pages (ramfs, tmpfs), else
/// read and copied.
struct ExecutableFile {
    let inode: Inode
    let size: UInt64
    /// Whether the file's pages can back a mapping (FCMFile): the file system has a page cache.
    let mappable: Bool

    init(_ path: [UInt8], from directory: Inode) throws(Errno) {
        inode = try KernelFiles.vfs.resolve(path, from: directory)
        let st = inode.stat()
        guard st.mode.isRegular else { throw .EACCES }
        guard st.mode.rawValue & 0o111 != 0 else { throw .EACCES }
        size = UInt64(max(st.size, 0))
        var pages = true
        do { _ = try inode.page(at: 0, create: false) } catch { pages = false }
        mappable = pages
    }

    /// `count` bytes at `offset`, or nil if the file is shorter or cannot be read.
    func read(_ offset: UInt64, _ count: Int) -> [UInt8]? {
        guard count >= 0, offset <= size, UInt64(count) <= size - offset else { return nil }
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        var failed = false
        bytes.withUnsafeMutableBytes { buffer in
            while done < count {
                let n: Int
                do throws(Errno) { n = try inode.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[done...]), at: Int64(offset) + Int64(done)) }
                catch { failed = true; return }
                if n == 0 { failed = true; return }
                done += n
            }
        }
        return failed ? nil : bytes
    }
}

enum Exec {
    /// How far the stack may grow: RLIMIT_STACK's soft limit, at least 128 KiB (Linux always
    /// leaves that much at exec) and at most 256 MiB (for RLIM_INFINITY). The region mapped at
    /// exec is at most 8 MiB of it; faults below grow it (AddressSpace.stackLimit).
    static func stackLimit(_ rlimit: UInt64) -> UInt64 {
        (min(max(rlimit, 128 << 10), 256 << 20) + 0xFFF) & ~0xFFF
    }
    static let pieBase: UInt64 = 0x5555_5555_4000

    /// Loads `path` into `process` and points `thread`'s user frame at its entry. The command
    /// name (/proc/PID/comm) is the base name of the path execve was given, also for a "#!"
    /// script (`scriptPath`), as on Linux: `pidof script.sh` finds the script's shell.
    static func execute(process: Process, thread: Thread, path: [UInt8], arguments: [[UInt8]],
                        environment: [[UInt8]], depth: Int = 0, scriptPath: [UInt8]? = nil) throws(Errno) {
        guard depth <= 4 else { throw .ELOOP }
        let stackLimit = Exec.stackLimit(process.limits.soft(ResourceLimits.STACK))
        let stackSize = min(stackLimit, 8 << 20)
        guard !path.isEmpty else { throw .ENOENT }
        let file = try ExecutableFile(path, from: process.cwd)
        let head = file.read(0, Int(min(file.size, 256))) ?? []
        if head.count >= 2 && head[0] == UInt8(ascii: "#") && head[1] == UInt8(ascii: "!") {
            let (interpreter, argument) = try parseShebang(head)
            var newArguments = [interpreter]
            if let argument { newArguments.append(argument) }
            newArguments.append(path)
            newArguments += arguments.dropFirst()
            return try execute(process: process, thread: thread, path: interpreter, arguments: newArguments,
                               environment: environment, depth: depth + 1, scriptPath: scriptPath ?? path)
        }
        let image = try ELFImage.parse(fileSize: file.size) { offset, count in file.read(offset, count) }
        guard image.interpreter == nil else { throw .ENOEXEC }      // dynamic programs: later
        let (tables, space) = Process.freshAddressSpace()
        let bias = image.isPositionIndependent ? pieBase &- image.span.low : 0
        var top: UInt64 = 0
        for segment in image.segments {
            let start = (segment.virtualAddress &+ bias) & ~0xFFF
            let end = (segment.virtualAddress &+ bias &+ segment.memorySize + 0xFFF) & ~0xFFF
            guard end > start, end <= UInt64(USER_END) - stackSize else { throw .ENOEXEC }
            var rights: Protection = []
            if segment.readable { rights.insert(.read) }
            if segment.writable { rights.insert(.write) }
            if segment.executable { rights.insert(.execute) }
            let name = String(decoding: path, as: UTF8.self)
            if try mapFromFile(segment, bias: bias, start: start, end: end, rights: rights, file: file, space: space, name: name) {
                top = max(top, end)
                continue
            }
            // Segments may share a page with the previous one: map only what is not mapped yet.
            var mapStart = start
            while mapStart < end, space.region(containing: mapStart) != nil { mapStart += 4096 }
            if mapStart < end {
                _ = try space.map(at: mapStart, length: end - mapStart, protection: rights, fixed: true, name: name)
            }
            guard let bytes = file.read(segment.fileOffset, Int(segment.fileSize)) else { throw .ENOEXEC }
            try write(bytes, at: segment.virtualAddress &+ bias, into: space)
            top = max(top, end)
        }
        space.initializeBreak(top)
        let stackTop = UInt64(USER_END)
        space.stackLimit = stackLimit
        _ = try space.map(at: stackTop - stackSize, length: stackSize, protection: [.read, .write], fixed: true,
                          name: "[stack]", growsDown: true)
        var random = [UInt8](repeating: 0, count: 16)
        random.withUnsafeMutableBytes { arc4random_buf($0.baseAddress, 16) }
        let hwcap = UInt64(CPUFeatures.cpuid(1).edx)
        let auxiliary: [(UInt64, UInt64)] = [
            (AuxiliaryVector.AT_HWCAP, hwcap), (AuxiliaryVector.AT_PAGESZ, 4096), (AuxiliaryVector.AT_CLKTCK, 100),
            (AuxiliaryVector.AT_PHDR, image.programHeadersInMemory(bias: bias)), (AuxiliaryVector.AT_PHENT, 56),
            (AuxiliaryVector.AT_PHNUM, UInt64(image.programHeaderCount)), (AuxiliaryVector.AT_BASE, 0),
            (AuxiliaryVector.AT_FLAGS, 0), (AuxiliaryVector.AT_ENTRY, image.entry &+ bias),
            (AuxiliaryVector.AT_UID, 0), (AuxiliaryVector.AT_EUID, 0), (AuxiliaryVector.AT_GID, 0),
            (AuxiliaryVector.AT_EGID, 0), (AuxiliaryVector.AT_SECURE, 0), (AuxiliaryVector.AT_HWCAP2, 0),
        ]
        let stack = try InitialStack.build(top: stackTop, arguments: arguments, environment: environment,
                                           executableName: path, random: random, auxiliary: auxiliary)
        var failure: Errno? = nil
        stack.bytes.withUnsafeBytes { b in
            do throws(Errno) { try write(b, at: stackTop - UInt64(b.count), into: space) } catch { failure = error }
        }
        if let failure { throw failure }

        // Point of no return: switch to the new image.
        process.pageTables = tables
        process.addressSpace = space
        tables.activate()
        thread.fsBase = 0
        thread.robustList = 0                            // as Linux: exec forgets the robust list
        thread.altStackBase = 0                          // execve drops the alternate stack
        thread.altStackSize = 0
        UserMode.setFSBase(0)
        if let initial = UserMode.initialFPUState { arch_fxrstor(initial) }
        let frame = thread.userFrame
        frame.initialize(to: trap_frame())
        frame.pointee.rip = image.entry &+ bias
        frame.pointee.cs = UInt64(Selector.userCode)
        frame.pointee.ss = UInt64(Selector.userData)
        frame.pointee.rflags = 0x202
        frame.pointee.rsp = stack.stackPointer
        let named = scriptPath ?? path
        let base = named.lastIndex(of: UInt8(ascii: "/")).map { Array(named[($0 + 1)...]) } ?? named
        process.command = Array(base.prefix(15))
        process.signals.resetForExec()
        process.timers.deletePosixTimers()               // alarm and itimers stay (execve(2))
        let pid = [UInt64(process.pid)]
        pid.withUnsafeBufferPointer { words in
            process.command.withUnsafeBytes { trace(ProcessEvent.exec, words: words, text: $0) }
        }
        process.arguments = arguments
        if path.first == UInt8(ascii: "/") { process.executablePath = path }
        else if let cwd = KernelFiles.vfs.path(of: process.cwd) { process.executablePath = cwd + (cwd.count > 1 ? [0x2F] : []) + path }
        process.files.closeOnExecAll()
    }

    /// Maps a segment's file bytes from the file's FCM with a private copy-on-write FCM in front
    /// (as mmap(MAP_PRIVATE) does, and Linux's loader): text pages are the file's own pages,
    /// shared by every process running the program; data pages are copied on first write.
    /// The bss past the file bytes is anonymous memory, and the rest of the last file page is
    /// zeroed (Linux's padzero). False (nothing done) where that is not possible: the file
    /// system has no page cache, the segment's address and offset differ within a page, or it
    /// shares a page with a segment already mapped; the caller then copies.
    static func mapFromFile(_ segment: ELFSegment, bias: UInt64, start: UInt64, end: UInt64, rights: Protection,
                            file: ExecutableFile, space: AddressSpace, name: String) throws(Errno) -> Bool {
        guard file.mappable, segment.fileSize > 0,
              (segment.virtualAddress &- segment.fileOffset) & 0xFFF == 0,
              segment.fileOffset <= file.size, segment.fileSize <= file.size - segment.fileOffset,
              space.region(containing: start) == nil, space.region(containing: end - 4096) == nil else { return false }
        let fileEnd = segment.virtualAddress &+ bias &+ segment.fileSize
        let filePagesEnd = min(end, (fileEnd + 0xFFF) & ~0xFFF)
        let fcm = FCMAnonymous(frames: space.frames, backing: FCMFile.unregistered(file.inode))   // of(): see FCMFile.unregistered
        _ = try space.map(at: start, length: filePagesEnd - start, protection: rights, fixed: true,
                          fcm: fcm, fcmFirstPage: segment.fileOffset / 4096, name: name)
        if end > filePagesEnd {
            _ = try space.map(at: filePagesEnd, length: end - filePagesEnd, protection: rights, fixed: true, name: name)
        }
        if segment.memorySize > segment.fileSize && fileEnd < filePagesEnd {
            let zeros = [UInt8](repeating: 0, count: Int(filePagesEnd - fileEnd))
            try write(zeros, at: fileEnd, into: space)
        }
        return true
    }

    static func write(_ bytes: [UInt8], at address: UInt64, into space: AddressSpace) throws(Errno) {
        var failure: Errno? = nil
        bytes.withUnsafeBytes { b in
            do throws(Errno) { try write(b, at: address, into: space) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Copies `bytes` into the address space's pages at `address` (through the FCMs).
    static func write(_ bytes: UnsafeRawBufferPointer, at address: UInt64, into space: AddressSpace) throws(Errno) {
        var done = 0
        while done < bytes.count {
            let va = address + UInt64(done)
            guard let region = space.region(containing: va) else { throw .EFAULT }
            guard let pa = region.fcm.pageForWrite(region.pageIndex(va & ~0xFFF)) else { throw .ENOMEM }
            let offset = Int(va & 0xFFF)
            let n = min(bytes.count - done, 4096 - offset)
            KernelPageTables.virtualBytes(pa + UInt64(offset)).copyMemory(from: bytes.baseAddress! + done, byteCount: n)
            done += n
        }
    }

    /// "#!interpreter [argument]\n" (Linux: up to 256 bytes, one optional argument).
    static func parseShebang(_ data: [UInt8]) throws(Errno) -> ([UInt8], [UInt8]?) {
        var line: [UInt8] = []
        var i = 2
        while i < data.count && i < 256 && data[i] != 0x0A { line.append(data[i]); i += 1 }
        let words = line.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 }).map { Array($0) }
        guard let interpreter = words.first else { throw .ENOEXEC }
        if words.count > 1 {
            // Everything after the interpreter, trimmed, is one argument (Linux semantics).
            let rest = line.drop { $0 == 0x20 || $0 == 0x09 }.drop { $0 != 0x20 && $0 != 0x09 }
            var argument = Array(rest.drop { $0 == 0x20 || $0 == 0x09 })
            while let last = argument.last, last == 0x20 || last == 0x09 { argument.removeLast() }
            return (interpreter, argument)
        }
        return (interpreter, nil)
    }
}

func sys_execve(_ a: SyscallArguments) throws(Errno) -> Int {
    let path = try UserMemory.readString(a.a0)
    let arguments = try UserMemory.readStringArray(a.a1)
    let environment = try UserMemory.readStringArray(a.a2)
    try Exec.execute(process: currentProcess, thread: Scheduler.current, path: path, arguments: arguments,
                     environment: environment)
    // The frame now holds the new program's registers; RAX (the return value) is 0.
    return 0
}
