// tcsetpgrp(3) (TIOCSPGRP) beyond the SIGTTOU check (JobControl.checkTerminalChange): the
// terminal must be the caller's controlling terminal (ENOTTY), the group must exist (ESRCH)
// and belong to the caller's session (EPERM); a negative group is EINVAL (ioctl_tty(2),
// Linux's tiocspgrp). bash's job control hands the terminal back and forth with it.
import FileSystem
import LinuxABI
import Objects

extension JobControl {
    static func checkSetForegroundGroup(_ file: OpenFile, argument: UInt64) throws(Errno) {
        guard let ttyFile = file as? TTYFile else { return }
        let p = currentProcess
        guard Int(ttyFile.tty.sessionID) == p.session else { throw .ENOTTY }
        try checkTerminalChange(file)
        let group = try UserMemory.read(argument, as: Int32.self)
        guard group >= 0 else { throw .EINVAL }
        let sessions = ProcessTable.lock.withLockIRQSave {
            ProcessTable.processes.values.filter { $0.processGroup == Int(group) }.map { $0.session }
        }
        guard !sessions.isEmpty else { throw .ESRCH }
        guard sessions.allSatisfy({ $0 == p.session }) else { throw .EPERM }
    }
}
