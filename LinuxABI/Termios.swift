// Terminal ABI for x86_64: struct termios (include/uapi/asm-generic/termbits.h, 36 bytes: four
// u32 flag words, c_line, c_cc[NCCS=19]), its flag bits and c_cc indices, struct winsize
// (include/uapi/asm-generic/termios.h) and the tty ioctl numbers (include/uapi/asm-generic/ioctls.h).
// The FileSystem module's TTY implements them; man 3 termios and man 2 ioctl_tty describe them.

/// struct termios (what TCGETS/TCSETS copy; not termios2).
public struct Termios: Equatable {
    public var inputFlags: UInt32    // c_iflag
    public var outputFlags: UInt32   // c_oflag
    public var controlFlags: UInt32  // c_cflag
    public var localFlags: UInt32    // c_lflag
    public var lineDiscipline: UInt8 // c_line (N_TTY = 0)
    public var controlCharacters: [UInt8] // c_cc[NCCS]

    /// NCCS (19) and sizeof(struct termios) (36).
    public static let NCCS = 19
    public static let encodedSize = 36

    // c_cc indices.
    /// VINTR (0): ^C by default.
    public static let VINTR = 0
    /// VQUIT (1): ^\ by default.
    public static let VQUIT = 1
    /// VERASE (2): DEL (0x7f) by default.
    public static let VERASE = 2
    /// VKILL (3): ^U by default.
    public static let VKILL = 3
    /// VEOF (4): ^D by default.
    public static let VEOF = 4
    /// VTIME (5), VMIN (6): non-canonical read timing.
    public static let VTIME = 5
    public static let VMIN = 6
    /// VSWTC (7), VSTART (8) ^Q, VSTOP (9) ^S.
    public static let VSWTC = 7
    public static let VSTART = 8
    public static let VSTOP = 9
    /// VSUSP (10): ^Z by default.
    public static let VSUSP = 10
    /// VEOL (11), VREPRINT (12) ^R, VDISCARD (13) ^O, VWERASE (14) ^W, VLNEXT (15) ^V, VEOL2 (16).
    public static let VEOL = 11
    public static let VREPRINT = 12
    public static let VDISCARD = 13
    public static let VWERASE = 14
    public static let VLNEXT = 15
    public static let VEOL2 = 16

    // c_iflag bits.
    public static let IGNBRK: UInt32 = 0o1
    public static let BRKINT: UInt32 = 0o2
    public static let IGNPAR: UInt32 = 0o4
    public static let ISTRIP: UInt32 = 0o40
    /// INLCR (0100): map NL to CR on input.
    public static let INLCR: UInt32 = 0o100
    /// IGNCR (0200): ignore CR on input.
    public static let IGNCR: UInt32 = 0o200
    /// ICRNL (0400): map CR to NL on input.
    public static let ICRNL: UInt32 = 0o400
    public static let IXON: UInt32 = 0o2000
    public static let IXANY: UInt32 = 0o4000
    public static let IXOFF: UInt32 = 0o10000
    public static let IMAXBEL: UInt32 = 0o20000
    public static let IUTF8: UInt32 = 0o40000

    // c_oflag bits.
    /// OPOST (01): enable output processing.
    public static let OPOST: UInt32 = 0o1
    /// ONLCR (04): map NL to CR-NL on output.
    public static let ONLCR: UInt32 = 0o4
    /// OCRNL (010): map CR to NL on output.
    public static let OCRNL: UInt32 = 0o10
    /// ONOCR (020), ONLRET (040).
    public static let ONOCR: UInt32 = 0o20
    public static let ONLRET: UInt32 = 0o40

    // c_cflag bits.
    public static let B38400: UInt32 = 0o17
    public static let CS8: UInt32 = 0o60
    public static let CREAD: UInt32 = 0o200
    public static let HUPCL: UInt32 = 0o2000
    public static let CLOCAL: UInt32 = 0o4000

    // c_lflag bits.
    /// ISIG (01): INTR, QUIT and SUSP generate signals.
    public static let ISIG: UInt32 = 0o1
    /// ICANON (02): canonical (line) mode.
    public static let ICANON: UInt32 = 0o2
    /// ECHO (010).
    public static let ECHO: UInt32 = 0o10
    /// ECHOE (020): ERASE erases the previous character on screen.
    public static let ECHOE: UInt32 = 0o20
    /// ECHOK (040): KILL ends the echoed line.
    public static let ECHOK: UInt32 = 0o40
    /// ECHONL (0100): echo NL even without ECHO.
    public static let ECHONL: UInt32 = 0o100
    /// NOFLSH (0200): no input flush on INTR/QUIT/SUSP.
    public static let NOFLSH: UInt32 = 0o200
    /// TOSTOP (0400).
    public static let TOSTOP: UInt32 = 0o400
    /// ECHOCTL (01000): echo control characters as ^X.
    public static let ECHOCTL: UInt32 = 0o1000
    /// ECHOPRT (02000).
    public static let ECHOPRT: UInt32 = 0o2000
    /// ECHOKE (04000): KILL erases the line on screen.
    public static let ECHOKE: UInt32 = 0o4000
    /// IEXTEN (0100000): WERASE, LNEXT, REPRINT.
    public static let IEXTEN: UInt32 = 0o100000

    public init(inputFlags: UInt32, outputFlags: UInt32, controlFlags: UInt32, localFlags: UInt32,
                lineDiscipline: UInt8 = 0, controlCharacters: [UInt8]) {
        self.inputFlags = inputFlags; self.outputFlags = outputFlags
        self.controlFlags = controlFlags; self.localFlags = localFlags
        self.lineDiscipline = lineDiscipline
        var cc = controlCharacters
        while cc.count < Termios.NCCS { cc.append(0) }
        if cc.count > Termios.NCCS { cc = Array(cc[0..<Termios.NCCS]) }
        self.controlCharacters = cc
    }

    /// Linux's tty_std_termios (drivers/tty/tty_io.c) with INIT_C_CC (include/linux/tty.h):
    /// ICRNL|IXON, OPOST|ONLCR, B38400|CS8|CREAD|HUPCL, ISIG|ICANON|ECHO|ECHOE|ECHOK|ECHOCTL|ECHOKE|IEXTEN.
    public static var standard: Termios {
        Termios(inputFlags: ICRNL | IXON, outputFlags: OPOST | ONLCR,
                controlFlags: B38400 | CS8 | CREAD | HUPCL,
                localFlags: ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
                controlCharacters: [3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16, 0, 0, 0])
    }

    /// The 36 bytes of x86_64 `struct termios`: c_iflag@0 c_oflag@4 c_cflag@8 c_lflag@12 c_line@16 c_cc@17.
    public func encoded() -> [UInt8] {
        var b = ABIStructWriter(count: Termios.encodedSize)
        b.put(inputFlags, at: 0); b.put(outputFlags, at: 4)
        b.put(controlFlags, at: 8); b.put(localFlags, at: 12)
        b.put(lineDiscipline, at: 16)
        b.put(controlCharacters, at: 17)
        return b.bytes
    }

    /// Decodes 36 bytes copied in from user memory (nil if fewer).
    public init?(encoded bytes: [UInt8]) {
        guard bytes.count >= Termios.encodedSize else { return nil }
        self.init(inputFlags: readLittleEndian(UInt32.self, bytes, at: 0),
                  outputFlags: readLittleEndian(UInt32.self, bytes, at: 4),
                  controlFlags: readLittleEndian(UInt32.self, bytes, at: 8),
                  localFlags: readLittleEndian(UInt32.self, bytes, at: 12),
                  lineDiscipline: bytes[16],
                  controlCharacters: Array(bytes[17..<36]))
    }
}

/// struct winsize (TIOCGWINSZ/TIOCSWINSZ): ws_row, ws_col, ws_xpixel, ws_ypixel, each u16.
public struct WindowSize: Equatable {
    public var rows: UInt16
    public var columns: UInt16
    public var xPixels: UInt16 = 0
    public var yPixels: UInt16 = 0
    public init(rows: UInt16, columns: UInt16, xPixels: UInt16 = 0, yPixels: UInt16 = 0) {
        self.rows = rows; self.columns = columns; self.xPixels = xPixels; self.yPixels = yPixels
    }
    public static let encodedSize = 8
    public func encoded() -> [UInt8] {
        var b = ABIStructWriter(count: 8)
        b.put(rows, at: 0); b.put(columns, at: 2); b.put(xPixels, at: 4); b.put(yPixels, at: 6)
        return b.bytes
    }
    public init?(encoded bytes: [UInt8]) {
        guard bytes.count >= 8 else { return nil }
        rows = readLittleEndian(UInt16.self, bytes, at: 0); columns = readLittleEndian(UInt16.self, bytes, at: 2)
        xPixels = readLittleEndian(UInt16.self, bytes, at: 4); yPixels = readLittleEndian(UInt16.self, bytes, at: 6)
    }
}

/// ioctl(2) request numbers for terminals and generic files (include/uapi/asm-generic/ioctls.h).
public enum IoctlRequest {
    /// TCGETS (0x5401), TCSETS (0x5402), TCSETSW (0x5403), TCSETSF (0x5404).
    public static let TCGETS: UInt32 = 0x5401
    public static let TCSETS: UInt32 = 0x5402
    public static let TCSETSW: UInt32 = 0x5403
    public static let TCSETSF: UInt32 = 0x5404
    /// TCSBRK (0x5409), TCXONC (0x540A), TCFLSH (0x540B).
    public static let TCSBRK: UInt32 = 0x5409
    public static let TCXONC: UInt32 = 0x540A
    public static let TCFLSH: UInt32 = 0x540B
    /// TIOCSCTTY (0x540E), TIOCGPGRP (0x540F), TIOCSPGRP (0x5410), TIOCOUTQ (0x5411).
    public static let TIOCSCTTY: UInt32 = 0x540E
    public static let TIOCGPGRP: UInt32 = 0x540F
    public static let TIOCSPGRP: UInt32 = 0x5410
    public static let TIOCOUTQ: UInt32 = 0x5411
    /// TIOCGWINSZ (0x5413), TIOCSWINSZ (0x5414).
    public static let TIOCGWINSZ: UInt32 = 0x5413
    public static let TIOCSWINSZ: UInt32 = 0x5414
    /// FIONREAD / TIOCINQ (0x541B).
    public static let FIONREAD: UInt32 = 0x541B
    /// TIOCGSERIAL (0x541E): probed by busybox cttyhack; we answer ENOTTY... like a non-serial tty.
    public static let TIOCGSERIAL: UInt32 = 0x541E
    /// FIONBIO (0x5421), TIOCNOTTY (0x5422), TIOCGSID (0x5429).
    public static let FIONBIO: UInt32 = 0x5421
    public static let TIOCNOTTY: UInt32 = 0x5422
    public static let TIOCGSID: UInt32 = 0x5429
    /// FIONCLEX (0x5450), FIOCLEX (0x5451), FIOASYNC (0x5452).
    public static let FIONCLEX: UInt32 = 0x5450
    public static let FIOCLEX: UInt32 = 0x5451
    public static let FIOASYNC: UInt32 = 0x5452
    /// TCFLSH arguments: TCIFLUSH (0), TCOFLUSH (1), TCIOFLUSH (2).
    public static let TCIFLUSH: UInt64 = 0
    public static let TCOFLUSH: UInt64 = 1
    public static let TCIOFLUSH: UInt64 = 2
}

/// fcntl(2) commands the file layer answers (include/uapi/linux/fcntl.h).
public enum FcntlCommand {
    /// F_SETPIPE_SZ (1031), F_GETPIPE_SZ (1032): F_LINUX_SPECIFIC_BASE (1024) + 7 / + 8.
    public static let F_SETPIPE_SZ: Int32 = 1031
    public static let F_GETPIPE_SZ: Int32 = 1032
}
