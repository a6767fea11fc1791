// The terminal line discipline: canonical lines, echo with ONLCR, ERASE with ECHOE, KILL,
// WERASE, ^D at a line start (end of file) and mid-line, ^C/^\/^Z signals to the foreground
// group with input flush, raw mode by VMIN, ICANON switches keeping typed-ahead input, the
// ioctls busybox uses, and a blocked reader woken by input from another thread.
import Foundation
import Testing
import LinuxABI
@testable import FileSystem

final class Screen: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8] = []
    func append(_ b: UnsafeRawBufferPointer) { lock.lock(); bytes += b; lock.unlock() }
    var text: String { lock.lock(); defer { lock.unlock() }; return String(decoding: bytes, as: UTF8.self) }
    func clear() { lock.lock(); bytes = []; lock.unlock() }
}

final class SignalLog: @unchecked Sendable {
    private let lock = NSLock()
    private var log: [(Int32, Int32)] = []
    func record(_ s: Int32, _ g: Int32) { lock.lock(); log.append((s, g)); lock.unlock() }
    var signals: [Int32] { lock.lock(); defer { lock.unlock() }; return log.map { $0.0 } }
    var groups: [Int32] { lock.lock(); defer { lock.unlock() }; return log.map { $0.1 } }
}

@Suite struct TTYTests {
    func setup() throws -> (TTY, TTYFile, Screen, SignalLog) {
        let screen = Screen()
        let tty = TTY(name: "console", serialLine: 0) { screen.append($0) }
        let log = SignalLog()
        tty.setSignalHandler { log.record($0, $1) }
        let vfs = makeVFS()
        let devfs = DevFS(vfs: vfs) { buf in for i in 0..<buf.count { buf[i] = UInt8(i & 0xff) } }
        try vfs.makeDirectory("/dev")
        try vfs.mount(devfs.fileSystem, at: "/dev", source: "devtmpfs")
        try devfs.addTTY(tty, name: "console", device: StandardDevice.console)
        let file = try vfs.open("/dev/console", flags: [.O_RDWR])
        return (tty, try #require(file as? TTYFile), screen, log)
    }

    func type(_ tty: TTY, _ s: String) { for b in s.utf8 { tty.receive(b) } }

    @Test func canonicalEchoAndOutput() throws {
        let (tty, file, screen, _) = try setup()
        #expect(errno { try file.read(count: 100) } == .EAGAIN)
        #expect(file.pollEvents() & PollEvents.POLLIN == 0)
        type(tty, "ls -l\r")                                  // CR from the serial port: ICRNL
        #expect(screen.text == "ls -l\r\n")                     // echo, NL shown as CR NL (ONLCR)
        #expect(file.pollEvents() & PollEvents.POLLIN != 0)
        #expect(try file.read(count: 100) == bytes("ls -l\n"))
        type(tty, "one\ntwo\n")
        #expect(try file.read(count: 2) == bytes("on"))         // short buffer: rest stays
        #expect(try file.read(count: 100) == bytes("e\n"))      // one line per read
        #expect(try file.read(count: 100) == bytes("two\n"))
        screen.clear()
        try file.write("a\nb")
        #expect(screen.text == "a\r\nb")
        #expect(errno { try file.seek(0, whence: .SEEK_SET) } == .ESPIPE)
    }

    @Test func erasingAndKilling() throws {
        let (tty, file, screen, _) = try setup()
        type(tty, "abd\u{7f}c\n")
        #expect(try file.read(count: 100) == bytes("abc\n"))
        #expect(screen.text == "abd\u{8} \u{8}c\r\n")
        screen.clear()
        type(tty, "wrong words\u{15}right\n")                  // ^U kills the line (ECHOKE)
        #expect(try file.read(count: 100) == bytes("right\n"))
        type(tty, "keep this\u{17}that\n")                      // ^W erases a word
        #expect(try file.read(count: 100) == bytes("keep that\n"))
        type(tty, "\u{7f}\u{7f}x\n")                             // erase on an empty line does nothing
        #expect(try file.read(count: 100) == bytes("x\n"))
        type(tty, "\u{1}\u{7f}\n")                               // a control char echoed as ^A takes two columns
        #expect(try file.read(count: 100) == bytes("\n"))
    }

    @Test func endOfFile() throws {
        let (tty, file, _, _) = try setup()
        type(tty, "\u{4}")                                       // ^D at a line start
        #expect(try file.read(count: 100) == [])
        #expect(errno { try file.read(count: 100) } == .EAGAIN)
        type(tty, "partial\u{4}")                                 // ^D mid-line pushes the line
        #expect(try file.read(count: 100) == bytes("partial"))
        type(tty, "\u{4}")
        #expect(try file.read(count: 100) == [])
    }

    @Test func signalsGoToTheForegroundGroup() throws {
        let (tty, file, screen, log) = try setup()
        let caller = FakeCaller()
        caller.memory[0] = 42                                   // TIOCSPGRP 42
        _ = try file.ioctl(IoctlRequest.TIOCSPGRP, argument: 0, caller: caller)
        type(tty, "sleep 100")
        tty.receive(3)                                           // ^C
        #expect(log.signals == [TTYSignal.SIGINT])
        #expect(log.groups == [42])
        #expect(screen.text.hasSuffix("^C"))
        type(tty, "\n")
        #expect(try file.read(count: 100) == bytes("\n"))        // the partial line was flushed
        tty.receive(0x1c); tty.receive(0x1a)                     // ^\ and ^Z
        #expect(log.signals == [TTYSignal.SIGINT, TTYSignal.SIGQUIT, TTYSignal.SIGTSTP])
        _ = try file.ioctl(IoctlRequest.TIOCGPGRP, argument: 100, caller: caller)
        #expect(readLittleEndian(Int32.self, caller.memory, at: 100) == 42)
        // With ISIG off (busybox line editing), ^C is just a byte.
        var t = tty.currentTermios
        t.localFlags &= ~(Termios.ISIG | Termios.ICANON | Termios.ECHO)
        tty.setTermios(t)
        tty.receive(3)
        #expect(try file.read(count: 10) == [3])
        #expect(log.signals.count == 3)
        // Window size changes send SIGWINCH.
        caller.memory.replaceSubrange(200..<208, with: WindowSize(rows: 50, columns: 132).encoded())
        _ = try file.ioctl(IoctlRequest.TIOCSWINSZ, argument: 200, caller: caller)
        #expect(log.signals.last == TTYSignal.SIGWINCH)
        _ = try file.ioctl(IoctlRequest.TIOCGWINSZ, argument: 300, caller: caller)
        #expect(Array(caller.memory[300..<304]) == [50, 0, 132, 0])
    }

    @Test func rawModeAndTermiosIoctls() throws {
        let (tty, file, screen, _) = try setup()
        let caller = FakeCaller()
        _ = try file.ioctl(IoctlRequest.TCGETS, argument: 0, caller: caller)
        #expect(readLittleEndian(UInt32.self, caller.memory, at: 12) == 0x8a3b)
        #expect(readLittleEndian(UInt32.self, caller.memory, at: 0) == Termios.ICRNL | Termios.IXON)
        // What busybox's line editing sets: lflag 0x8a30 (ICANON, ECHO, ISIG off), VMIN 1.
        caller.memory.replaceSubrange(12..<16, with: [0x30, 0x8a, 0, 0])
        type(tty, "typed ahead")                                 // typed while cooked, before the switch
        _ = try file.ioctl(IoctlRequest.TCSETSW, argument: 0, caller: caller)
        #expect(try file.read(count: 5) == bytes("typed"))
        #expect(try file.read(count: 100) == bytes(" ahead"))
        screen.clear()
        tty.receive(0x61)
        #expect(screen.text == "")                                // no echo
        _ = try file.ioctl(IoctlRequest.FIONREAD, argument: 64, caller: caller)
        #expect(readLittleEndian(Int32.self, caller.memory, at: 64) == 1)
        #expect(try file.read(count: 1) == bytes("a"))
        #expect(errno { try file.read(count: 1) } == .EAGAIN)     // VMIN 1: wait
        // VMIN 0, VTIME 0: a poll-style read returns 0.
        caller.memory[17 + Termios.VMIN] = 0
        _ = try file.ioctl(IoctlRequest.TCSETS, argument: 0, caller: caller)
        #expect(try file.read(count: 1) == [])
        // Back to cooked (0x8a3b): raw bytes become the start of a line.
        caller.memory.replaceSubrange(12..<16, with: [0x3b, 0x8a, 0, 0])
        tty.setTermios(Termios.standard)
        type(tty, "ab")
        #expect(errno { try file.read(count: 1) } == .EAGAIN)
        _ = try file.ioctl(IoctlRequest.TCSETSF, argument: 0, caller: caller)   // flush
        type(tty, "c\n")
        #expect(try file.read(count: 10) == bytes("c\n"))
        // Unknown requests are ENOTTY; TIOCGSERIAL answers for a serial console.
        #expect(errno { try file.ioctl(0x1234, argument: 0, caller: caller) } == .ENOTTY)
        _ = try file.ioctl(IoctlRequest.TIOCGSERIAL, argument: 400, caller: caller)
        #expect(readLittleEndian(Int32.self, caller.memory, at: 404) == 0)
        #expect(errno { try file.ioctl(IoctlRequest.TCGETS, argument: 5000, caller: caller) } == .EFAULT)
        // Job control bookkeeping.
        caller.sessionID = 7; caller.processGroupID = 8
        _ = try file.ioctl(IoctlRequest.TIOCSCTTY, argument: 0, caller: caller)
        #expect(tty.sessionID == 7 && tty.foregroundGroup == 8)
        _ = try file.ioctl(IoctlRequest.TIOCGSID, argument: 500, caller: caller)
        #expect(readLittleEndian(Int32.self, caller.memory, at: 500) == 7)
    }

    @Test func blockedReaderIsWokenByInput() throws {
        let (tty, file, _, _) = try setup()
        let done = DispatchSemaphore(value: 0)
        let result = Screen()
        Thread {
            let line = try? file.blocking { () throws(Errno) -> [UInt8] in try file.read(count: 100) }
            line.map { l in l.withUnsafeBytes { result.append($0) } }
            done.signal()
        }.start()
        Thread.sleep(forTimeInterval: 0.05)
        type(tty, "hello\r")
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(result.text == "hello\n")
        #expect(tty.waitQueue.waiterCount == 0)
    }
}
