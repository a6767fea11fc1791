// The terminal ioctls (man 2 ioctl_tty): termios get/set (TCGETS, TCSETS, TCSETSW, TCSETSF),
// window size (TIOCGWINSZ, TIOCSWINSZ with SIGWINCH), job control (TIOCGPGRP, TIOCSPGRP,
// TIOCSCTTY, TIOCNOTTY, TIOCGSID), FIONREAD, TCFLSH, and TIOCGSERIAL for serial consoles.
// The kernel keeps each process's controlling terminal; the tty only stores its session and
// foreground group, which the signal handler receives.
import LinuxABI
import Objects

extension TTY {
    /// Replaces the termios (TCSETS*). `flushInput` is TCSETSF's. Switching ICANON moves
    /// pending input between the line editor and the raw queue, so typed-ahead bytes survive.
    public func setTermios(_ new: Termios, flushInput: Bool = false) {
        var wake = false
        lock.withLockIRQSave {
            let wasCanonical = termios.localFlags & Termios.ICANON != 0
            let isCanonical = new.localFlags & Termios.ICANON != 0
            termios = new
            if flushInput { editLine = []; lines = []; rawQueue = []; return }
            if wasCanonical && !isCanonical {
                for line in lines { rawQueue += line }
                rawQueue += editLine
                lines = []; editLine = []
                wake = !rawQueue.isEmpty
            } else if !wasCanonical && isCanonical {
                for b in rawQueue {
                    editLine.append(b)
                    if b == 0x0a { lines.append(editLine); editLine = []; wake = true }
                }
                rawQueue = []
            }
        }
        if wake { waitQueue.wakeAll() }
    }

    /// Sets the window size; a change sends SIGWINCH to the foreground group.
    public func setWindowSize(_ size: WindowSize) {
        let changed = lock.withLockIRQSave { () -> Bool in
            let c = windowSize != size
            windowSize = size
            return c
        }
        if changed { raise(TTYSignal.SIGWINCH) }
    }
    public var currentWindowSize: WindowSize { lock.withLockIRQSave { windowSize } }

    /// Sets the foreground process group directly (the kernel's setsid/exit bookkeeping).
    public func setForegroundGroup(_ group: Int32) { lock.withLockIRQSave { foregroundProcessGroup = group } }
    /// Makes this the controlling terminal of `session` with foreground group `group`.
    public func attach(session newSession: Int32, foregroundGroup group: Int32) {
        lock.withLockIRQSave { session = newSession; foregroundProcessGroup = group }
    }

    /// Discards pending input (TCFLSH TCIFLUSH).
    public func flushInput() { lock.withLockIRQSave { editLine = []; lines = []; rawQueue = [] } }

    public func ioctl(_ request: UInt32, argument: UInt64, caller: any IoctlCaller) throws(Errno) -> Int {
        switch request {
        case IoctlRequest.TCGETS:
            try caller.copyOut(currentTermios.encoded(), to: argument)
        case IoctlRequest.TCSETS, IoctlRequest.TCSETSW, IoctlRequest.TCSETSF:
            guard let t = Termios(encoded: try caller.copyIn(from: argument, count: Termios.encodedSize)) else { throw .EFAULT }
            setTermios(t, flushInput: request == IoctlRequest.TCSETSF)
        case IoctlRequest.TIOCGWINSZ:
            try caller.copyOut(currentWindowSize.encoded(), to: argument)
        case IoctlRequest.TIOCSWINSZ:
            guard let w = WindowSize(encoded: try caller.copyIn(from: argument, count: WindowSize.encodedSize)) else { throw .EFAULT }
            setWindowSize(w)
        case IoctlRequest.TIOCGPGRP:
            try caller.copyOutInt32(foregroundGroup, to: argument)
        case IoctlRequest.TIOCSPGRP:
            let group = try caller.copyInInt32(from: argument)
            guard group >= 0 else { throw .EINVAL }
            setForegroundGroup(group)
        case IoctlRequest.TIOCSCTTY:
            let (pid, sid, pgrp) = (caller.processID, caller.sessionID, caller.processGroupID)
            _ = pid
            lock.withLockIRQSave {
                session = sid
                foregroundProcessGroup = pgrp
            }
        case IoctlRequest.TIOCNOTTY:
            let sid = caller.sessionID
            lock.withLockIRQSave {
                if session == sid { session = 0; foregroundProcessGroup = 0 }
            }
        case IoctlRequest.TIOCGSID:
            let sid = sessionID
            guard sid != 0 else { throw .ENOTTY }
            try caller.copyOutInt32(sid, to: argument)
        case IoctlRequest.FIONREAD:
            try caller.copyOutInt32(Int32(lock.withLockIRQSave { availableLocked }), to: argument)
        case IoctlRequest.TIOCOUTQ:
            try caller.copyOutInt32(0, to: argument)        // output is written synchronously
        case IoctlRequest.TCFLSH:
            switch argument {
            case IoctlRequest.TCIFLUSH, IoctlRequest.TCIOFLUSH: flushInput()
            case IoctlRequest.TCOFLUSH: break
            default: throw .EINVAL
            }
        case IoctlRequest.TCSBRK, IoctlRequest.TCXONC:
            break
        case IoctlRequest.TIOCGSERIAL:
            guard let line = serialLine else { throw .ENOTTY }
            try caller.copyOut(TTY.serialStruct(line: line), to: argument)
        default:
            throw .ENOTTY
        }
        return 0
    }

    /// struct serial_struct (include/uapi/linux/serial.h, 72 bytes on x86_64) for a 16550A:
    /// type@0 line@4 port@8 irq@12 flags@16 xmit_fifo_size@20 custom_divisor@24 baud_base@28.
    static func serialStruct(line: Int32) -> [UInt8] {
        var b = ABIStructWriter(count: 72)
        b.put(Int32(4), at: 0)                       // PORT_16550A
        b.put(line, at: 4)
        let ports: [UInt32] = [0x3f8, 0x2f8, 0x3e8, 0x2e8]
        b.put(line >= 0 && line < 4 ? ports[Int(line)] : 0, at: 8)
        b.put(Int32(line % 2 == 0 ? 4 : 3), at: 12)
        b.put(Int32(16), at: 20)
        b.put(Int32(115200), at: 28)
        return b.bytes
    }
}

/// An open terminal (/dev/console, /dev/tty, /dev/ttyS0): a stream over a shared TTY.
public final class TTYFile: OpenFile, @unchecked Sendable {
    public let tty: TTY
    public init(tty: TTY, inode: Inode, flags: OpenFlags) {
        self.tty = tty
        super.init(inode: inode, flags: flags)
        special = .terminal
    }
    public override var isSeekable: Bool { false }
    public override func doRead(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int { try tty.read(into: buffer) }
    public override func doWrite(from buffer: UnsafeRawBufferPointer) throws(Errno) -> Int { tty.write(from: buffer) }
    public override func ioctl(_ request: UInt32, argument: UInt64, caller: any IoctlCaller) throws(Errno) -> Int {
        try tty.ioctl(request, argument: argument, caller: caller)
    }
    public override func pollEvents() -> UInt32 { tty.pollEvents() }
    public override var waitQueue: WaitQueue? { tty.waitQueue }
    public override func truncate(to length: Int64) throws(Errno) { throw .EINVAL }
}
