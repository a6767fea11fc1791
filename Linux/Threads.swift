// Threads (clone(2) with CLONE_VM|CLONE_THREAD, as glibc's pthread_create makes them): more
// than one Thread in one Process, sharing its address space, files and signal actions, each
// with its own tid (from the pid space), stack, TLS base (CLONE_SETTLS), signal mask and
// thread-directed pending signals. exit(2) ends one thread; exit_group(2), a fatal signal or a
// fault ends them all: every other thread is told to exit and woken, and the last thread out
// does the process's exit. CLONE_CHILD_CLEARTID / set_tid_address: at exit the thread zeroes
// the word and futex-wakes one waiter (pthread_join's wait).
import LinuxABI
import Memory
import Objects
import Trace

enum Threads {
    static let CLONE_VM: UInt64 = 0x100, CLONE_FS: UInt64 = 0x200, CLONE_FILES: UInt64 = 0x400
    static let CLONE_SIGHAND: UInt64 = 0x800, CLONE_VFORK: UInt64 = 0x4000, CLONE_THREAD: UInt64 = 0x10000
    static let CLONE_SETTLS: UInt64 = 0x80000, CLONE_PARENT_SETTID: UInt64 = 0x10_0000
    static let CLONE_CHILD_CLEARTID: UInt64 = 0x20_0000, CLONE_CHILD_SETTID: UInt64 = 0x100_0000

    /// clone(2) of a thread into the calling process. Linux's rules: CLONE_THREAD needs
    /// CLONE_SIGHAND, which needs CLONE_VM.
    static func create(_ a: SyscallArguments, flags: UInt64, stack: UInt64, parentTID: UInt64,
                       childTID: UInt64, tls: UInt64) throws(Errno) -> Int {
        guard flags & CLONE_SIGHAND != 0, flags & CLONE_VM != 0 else { throw .EINVAL }
        let process = currentProcess
        let parent = Scheduler.current
        let tid = try ProcessTable.allocatePID()
        var ref: Thread? = nil
        guard let thread = Thread(cpu: Scheduler.placement(), entry: { k42_user_return(ref!.userFrame) }) else {
            ProcessTable.removeThread(tid)
            throw .ENOMEM
        }
        ref = thread
        thread.tid = tid
        thread.process = process
        thread.fsBase = flags & CLONE_SETTLS != 0 ? tls : parent.fsBase
        thread.blockedSignals = parent.blockedSignals     // a new thread has no alternate stack
        arch_fxsave(thread.fpu)
        thread.userFrame.pointee = a.frame.pointee
        thread.userFrame.pointee.rax = 0
        if stack != 0 { thread.userFrame.pointee.rsp = stack }
        if flags & CLONE_CHILD_CLEARTID != 0 { thread.clearChildTID = childTID }
        if flags & CLONE_PARENT_SETTID != 0 { try UserMemory.write(parentTID, Int32(tid)) }
        if flags & CLONE_CHILD_SETTID != 0 { try UserMemory.write(childTID, Int32(tid)) }
        ProcessTable.lock.withLockIRQSave { process.threads.append(thread) }
        ProcessTable.insertThread(thread)
        trace(ProcessEvent.threadCreate, UInt64(process.pid), UInt64(tid))
        Scheduler.start(thread)
        return tid
    }

    /// exit(2) of the calling thread; the last one out ends the process with `code`.
    static func exitThread(code: Int32) -> Never {
        if finishThread() { ProcessExit.exit(status: exitStatus(code: code)) }
        Scheduler.exitCurrentThread()
    }

    @inline(never)
    static func exitStatus(code: Int32) -> Int32 { currentProcess.groupExitStatus ?? (code & 0xFF) << 8 }

    /// Detaches the calling thread from its process; true if it was the last thread.
    @inline(never)
    static func finishThread() -> Bool {
        let me = Scheduler.current
        guard let process = me.process else { return true }
        if me.robustList != 0 { RobustFutexList.release(head: me.robustList, thread: me, process: process) }
        if me.clearChildTID != 0 {
            try? UserMemory.write(me.clearChildTID, Int32(0))
            _ = Futex.wake(process: process, address: me.clearChildTID, count: 1, bitset: ~0, isPrivate: false)
        }
        let last: Bool = ProcessTable.lock.withLockIRQSave {
            CPUTime.fold(me, into: process)                  // its CPU time stays the process's
            if process.threads.count <= 1 { return true }
            process.threads.removeAll { $0 === me }
            return false
        }
        if !last && me.tid != process.pid { ProcessTable.removeThread(me.tid) }
        return last
    }

    /// exit_group(2) and fatal signals: every other thread of the process exits; then this one.
    static func exitGroup(status: Int32) -> Never {
        requestGroupExit(status: status)
        exitThread(code: 0)
    }

    @inline(never)
    static func requestGroupExit(status: Int32) {
        let me = Scheduler.current
        guard let process = me.process else { return }
        let others: [Thread] = ProcessTable.lock.withLockIRQSave {
            if process.groupExitStatus == nil { process.groupExitStatus = status }
            return process.threads.filter { $0 !== me }
        }
        for t in others {
            t.mustExit = true
            Scheduler.wake(t)
        }
    }
}
