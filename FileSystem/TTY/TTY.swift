// A terminal with Linux's N_TTY line discipline (man 3 termios): input bytes arrive from the
// kernel's UART interrupt through `receive(_:)`, output goes to a closure (the serial write).
// Canonical mode edits a line (ERASE, KILL, WERASE, EOF) and hands out whole lines; raw mode
// hands out bytes by VMIN; ISIG turns INTR, QUIT and SUSP into signals for the foreground
// process group through `signalHandler`; ECHO, ECHOE, ECHOCTL, ECHOK(E), ICRNL, OPOST/ONLCR
// as Linux. The ioctls are in TTY+Ioctl.swift, the open file in TTYFile.swift. All state is
// under one lock taken with interrupts off (the receive path runs in interrupt context);
// callbacks and wake-ups run after it is released.
import LinuxABI
import Objects
import Platform

/// Signal numbers the line discipline raises (include/uapi/asm-generic/signal.h).
public enum TTYSignal {
    public static let SIGINT: Int32 = 2
    public static let SIGQUIT: Int32 = 3
    public static let SIGTSTP: Int32 = 20
    public static let SIGWINCH: Int32 = 28
}

public final class TTY: @unchecked Sendable {
    /// N_TTY_BUF_SIZE: input beyond this is dropped (a canonical line holds 4095 bytes plus NL).
    public static let inputLimit = 4096

    let lock = SpinLock()
    public let waitQueue = WaitQueue()
    public let name: String
    private let output: (UnsafeRawBufferPointer) -> Void
    var termios = Termios.standard
    var windowSize = WindowSize(rows: 24, columns: 80)
    var foregroundProcessGroup: Int32 = 0
    var session: Int32 = 0
    /// For TIOCGSERIAL: the ttyS line number of a serial console, nil otherwise.
    public let serialLine: Int32?
    private var signalHandler: ((Int32, Int32) -> Void)?
    // Input: canonical mode keeps the line being edited and the completed lines (an empty
    // completed line is an end-of-file mark); raw mode keeps a byte queue.
    var editLine: [UInt8] = []
    var lines: [[UInt8]] = []
    var rawQueue: [UInt8] = []

    /// `output` writes bytes to the device (called without the tty's lock held).
    public init(name: String, serialLine: Int32? = nil, output: @escaping (UnsafeRawBufferPointer) -> Void) {
        self.name = name
        self.serialLine = serialLine
        self.output = output
    }

    /// Sets the function that sends `signal` to process group `pgrp` (0 when none is set; the
    /// kernel decides what that means). Called for INTR, QUIT, SUSP and window-size changes.
    public func setSignalHandler(_ handler: @escaping (_ signal: Int32, _ processGroup: Int32) -> Void) {
        lock.withLockIRQSave { signalHandler = handler }
    }

    public var currentTermios: Termios { lock.withLockIRQSave { termios } }
    public var foregroundGroup: Int32 { lock.withLockIRQSave { foregroundProcessGroup } }
    public var sessionID: Int32 { lock.withLockIRQSave { session } }

    // MARK: input (interrupt context)

    /// One byte from the device. Safe to call from an interrupt handler.
    public func receive(_ byte: UInt8) {
        var echo: [UInt8] = []
        var signal: Int32 = 0
        var handler: ((Int32, Int32) -> Void)? = nil
        var group: Int32 = 0
        var wake = false
        lock.withLockIRQSave {
            var c = byte
            let t = termios
            let i = t.inputFlags, l = t.localFlags
            if i & Termios.ISTRIP != 0 { c &= 0x7f }
            if c == 0x0d {
                if i & Termios.IGNCR != 0 { return }
                if i & Termios.ICRNL != 0 { c = 0x0a }
            } else if c == 0x0a && i & Termios.INLCR != 0 {
                c = 0x0d
            }
            let cc = t.controlCharacters
            func matches(_ index: Int) -> Bool { cc[index] != 0 && c == cc[index] }
            let echoOn = l & Termios.ECHO != 0
            if l & Termios.ISIG != 0 {
                var s: Int32 = 0
                if matches(Termios.VINTR) { s = TTYSignal.SIGINT }
                else if matches(Termios.VQUIT) { s = TTYSignal.SIGQUIT }
                else if matches(Termios.VSUSP) { s = TTYSignal.SIGTSTP }
                if s != 0 {
                    if l & Termios.NOFLSH == 0 { editLine = []; lines = []; rawQueue = [] }
                    if echoOn { echoCharacter(c, into: &echo) }
                    signal = s; handler = signalHandler; group = foregroundProcessGroup
                    return
                }
            }
            if l & Termios.ICANON != 0 {
                wake = canonicalInput(c, echo: &echo)
            } else {
                if rawQueue.count < TTY.inputLimit { rawQueue.append(c); wake = true }
                if echoOn { echoCharacter(c, into: &echo) }
            }
        }
        if !echo.isEmpty { emit(echo) }
        if signal != 0, let h = handler { h(signal, group) }
        if wake { waitQueue.wakeAll() }
    }

    /// Canonical-mode editing; true when a line (or an end of file) became readable. Lock held.
    private func canonicalInput(_ c: UInt8, echo: inout [UInt8]) -> Bool {
        let t = termios
        let cc = t.controlCharacters
        let l = t.localFlags
        let echoOn = l & Termios.ECHO != 0
        func matches(_ index: Int) -> Bool { cc[index] != 0 && c == cc[index] }
        if matches(Termios.VERASE) {
            eraseCharacter(echo: &echo, visual: echoOn && l & Termios.ECHOE != 0)
            if echoOn && l & Termios.ECHOE == 0 { echoCharacter(c, into: &echo) }
            return false
        }
        if matches(Termios.VKILL) {
            if echoOn && l & Termios.ECHOKE != 0 && l & Termios.ECHOE != 0 {
                while !editLine.isEmpty { eraseCharacter(echo: &echo, visual: true) }
            } else {
                editLine = []
                if echoOn { echoCharacter(c, into: &echo) }
                if echoOn && l & Termios.ECHOK != 0 { echo.append(0x0a) }
            }
            return false
        }
        if l & Termios.IEXTEN != 0 && matches(Termios.VWERASE) {
            while let last = editLine.last, last == 0x20 || last == 0x09 { eraseCharacter(echo: &echo, visual: echoOn) }
            while let last = editLine.last, last != 0x20 && last != 0x09 { eraseCharacter(echo: &echo, visual: echoOn) }
            return false
        }
        if matches(Termios.VEOF) {
            lines.append(editLine)           // empty: read returns 0 (end of file)
            editLine = []
            return true
        }
        if c == 0x0a || matches(Termios.VEOL) || matches(Termios.VEOL2) {
            editLine.append(c)
            lines.append(editLine)
            editLine = []
            if echoOn || (c == 0x0a && l & Termios.ECHONL != 0) { echoCharacter(c, into: &echo) }
            return true
        }
        if editLine.count < TTY.inputLimit - 1 {
            editLine.append(c)
            if echoOn { echoCharacter(c, into: &echo) }
        }
        return false
    }

    /// Removes the last character of the edited line (a whole UTF-8 sequence with IUTF8) and,
    /// if `visual`, rubs it out on screen ("\b \b", twice for a control character shown as ^X).
    private func eraseCharacter(echo: inout [UInt8], visual: Bool) {
        guard let last = editLine.popLast() else { return }
        if termios.inputFlags & Termios.IUTF8 != 0 && last >= 0x80 {
            var b = last
            while b & 0xC0 == 0x80, let prev = editLine.popLast() { b = prev }
        }
        guard visual else { return }
        let width = (last < 0x20 && last != 0x09 && termios.localFlags & Termios.ECHOCTL != 0) || last == 0x7f ? 2 : 1
        for _ in 0..<width { echo += [0x08, 0x20, 0x08] }
    }

    /// Echo of one input byte: control characters as ^X with ECHOCTL (not TAB or NL).
    private func echoCharacter(_ c: UInt8, into echo: inout [UInt8]) {
        if termios.localFlags & Termios.ECHOCTL != 0 && (c < 0x20 || c == 0x7f) && c != 0x09 && c != 0x0a {
            echo.append(0x5e)                        // '^'
            echo.append(c ^ 0x40)
        } else {
            echo.append(c)
        }
    }

    // MARK: reading

    /// Bytes a read would return now (FIONREAD).
    var availableLocked: Int {
        termios.localFlags & Termios.ICANON != 0 ? lines.reduce(0) { $0 + $1.count } : rawQueue.count
    }

    /// read(2) from the terminal: EAGAIN when nothing is ready (the caller waits on `waitQueue`
    /// unless O_NONBLOCK). Canonical: at most one line; 0 for an end of file at a line start.
    /// Raw: by VMIN/VTIME; VTIME's timer is the caller's (with VMIN 0 and VTIME > 0 it should
    /// return 0 after the timeout instead of waiting on).
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        if buffer.count == 0 { return 0 }
        return try lock.withLockIRQSaveThrowing { () throws(Errno) -> Int in
            if termios.localFlags & Termios.ICANON != 0 {
                guard !lines.isEmpty else { throw .EAGAIN }
                let line = lines[0]
                if line.isEmpty { lines.removeFirst(); return 0 }
                let n = min(buffer.count, line.count)
                for k in 0..<n { buffer[k] = line[k] }
                if n == line.count { lines.removeFirst() } else { lines[0] = Array(line[n...]) }
                return n
            }
            let vmin = Int(termios.controlCharacters[Termios.VMIN])
            let vtime = termios.controlCharacters[Termios.VTIME]
            if rawQueue.isEmpty {
                if vmin == 0 && vtime == 0 { return 0 }
                throw .EAGAIN
            }
            let needed = min(vmin, buffer.count)
            if rawQueue.count < needed && vtime == 0 { throw .EAGAIN }
            let n = min(buffer.count, rawQueue.count)
            for k in 0..<n { buffer[k] = rawQueue[k] }
            rawQueue.removeFirst(n)
            return n
        }
    }

    // MARK: writing

    /// write(2) to the terminal: output processing (OPOST: ONLCR, OCRNL), then the device.
    /// Never blocks.
    public func write(from buffer: UnsafeRawBufferPointer) -> Int {
        let flags = lock.withLockIRQSave { termios.outputFlags }
        if flags & Termios.OPOST == 0 {
            output(buffer)
            return buffer.count
        }
        var chunk: [UInt8] = []
        chunk.reserveCapacity(min(buffer.count * 2, 2048))
        for b in buffer {
            appendOutput(b, flags: flags, to: &chunk)
            if chunk.count >= 2040 { chunk.withUnsafeBytes { output($0) }; chunk.removeAll(keepingCapacity: true) }
        }
        if !chunk.isEmpty { chunk.withUnsafeBytes { output($0) } }
        return buffer.count
    }

    private func appendOutput(_ b: UInt8, flags: UInt32, to out: inout [UInt8]) {
        if b == 0x0a && flags & Termios.ONLCR != 0 { out.append(0x0d); out.append(0x0a) }
        else if b == 0x0d && flags & Termios.OCRNL != 0 { out.append(0x0a) }
        else { out.append(b) }
    }

    /// Echo output goes through the same output processing.
    private func emit(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { _ = write(from: $0) }
    }

    /// Readiness: POLLIN when a read would not block, POLLOUT always.
    public func pollEvents() -> UInt32 {
        let readable = lock.withLockIRQSave { () -> Bool in
            if termios.localFlags & Termios.ICANON != 0 { return !lines.isEmpty }
            return !rawQueue.isEmpty
        }
        var e = PollEvents.POLLOUT | PollEvents.POLLWRNORM
        if readable { e |= PollEvents.POLLIN | PollEvents.POLLRDNORM }
        return e
    }

    /// Sends `signal` to the foreground group through the handler (outside the lock).
    func raise(_ signal: Int32) {
        let (h, g) = lock.withLockIRQSave { (signalHandler, foregroundProcessGroup) }
        h?(signal, g)
    }
}

extension SpinLock {
    /// withLockIRQSave for a body that throws Errno.
    @inline(__always)
    func withLockIRQSaveThrowing<T>(_ body: () throws(Errno) -> T) throws(Errno) -> T {
        let flags = k42_irq_save()
        lock()
        defer { unlock(); k42_irq_restore(flags) }
        return try body()
    }
}
