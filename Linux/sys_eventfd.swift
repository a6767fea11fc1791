// eventfd(2) and eventfd2(2): a counter file (FileSystem/EventFD/). eventfd is eventfd2 with
// no flags; the flags are EFD_SEMAPHORE, EFD_NONBLOCK and EFD_CLOEXEC (anything else EINVAL).
import FileSystem
import LinuxABI
import Trace

func sys_eventfd2(_ a: SyscallArguments) throws(Errno) -> Int {
    let flags = UInt32(truncatingIfNeeded: a.a1)
    let known = EventFDFlags.EFD_SEMAPHORE | EventFDFlags.EFD_NONBLOCK | EventFDFlags.EFD_CLOEXEC
    guard flags & ~known == 0 else { throw .EINVAL }
    let file = EventFDFile(inode: KernelIPC.anonymousInode, initialValue: UInt64(UInt32(truncatingIfNeeded: a.a0)),
                           semaphore: flags & EventFDFlags.EFD_SEMAPHORE != 0,
                           flags: flags & EventFDFlags.EFD_NONBLOCK != 0 ? .O_NONBLOCK : [])
    file.observer = { isWrite, value in
        if isWrite { trace(IPCEvent.eventfdWrite, value) } else { trace(IPCEvent.eventfdRead, value) }
    }
    return Int(try currentProcess.files.allocate(file, closeOnExec: flags & EventFDFlags.EFD_CLOEXEC != 0))
}

func sys_eventfd(_ a: SyscallArguments) throws(Errno) -> Int {
    try sys_eventfd2(SyscallArguments(frame: a.frame, override: (a.a0, 0)))
}
