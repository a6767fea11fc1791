// Linux file ABI values for x86_64: open(2) flags, mode bits and file types, *at flags,
// lseek whence, renameat2 flags, utimensat's special times. Values from
// include/uapi/asm-generic/fcntl.h, include/uapi/linux/stat.h, include/uapi/linux/fcntl.h and
// include/uapi/linux/fs.h. The FileSystem module and the syscall layer share these types.

/// open(2) flags (include/uapi/asm-generic/fcntl.h; octal like the header).
public struct OpenFlags: OptionSet, Equatable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// O_RDONLY (0): the access mode is the low two bits, see `accessMode`.
    public static let O_RDONLY = OpenFlags([])
    /// O_WRONLY (01).
    public static let O_WRONLY = OpenFlags(rawValue: 0o1)
    /// O_RDWR (02).
    public static let O_RDWR = OpenFlags(rawValue: 0o2)
    /// O_ACCMODE (03): mask of the access mode.
    public static let O_ACCMODE = OpenFlags(rawValue: 0o3)
    /// O_CREAT (0100).
    public static let O_CREAT = OpenFlags(rawValue: 0o100)
    /// O_EXCL (0200).
    public static let O_EXCL = OpenFlags(rawValue: 0o200)
    /// O_NOCTTY (0400).
    public static let O_NOCTTY = OpenFlags(rawValue: 0o400)
    /// O_TRUNC (01000).
    public static let O_TRUNC = OpenFlags(rawValue: 0o1000)
    /// O_APPEND (02000).
    public static let O_APPEND = OpenFlags(rawValue: 0o2000)
    /// O_NONBLOCK (04000).
    public static let O_NONBLOCK = OpenFlags(rawValue: 0o4000)
    /// O_DSYNC (010000).
    public static let O_DSYNC = OpenFlags(rawValue: 0o10000)
    /// FASYNC / O_ASYNC (020000).
    public static let O_ASYNC = OpenFlags(rawValue: 0o20000)
    /// O_DIRECT (040000).
    public static let O_DIRECT = OpenFlags(rawValue: 0o40000)
    /// O_LARGEFILE (0100000); always implied on 64-bit.
    public static let O_LARGEFILE = OpenFlags(rawValue: 0o100000)
    /// O_DIRECTORY (0200000).
    public static let O_DIRECTORY = OpenFlags(rawValue: 0o200000)
    /// O_NOFOLLOW (0400000).
    public static let O_NOFOLLOW = OpenFlags(rawValue: 0o400000)
    /// O_NOATIME (01000000).
    public static let O_NOATIME = OpenFlags(rawValue: 0o1000000)
    /// O_CLOEXEC (02000000): an fd flag, kept by the fd table, not by the open file.
    public static let O_CLOEXEC = OpenFlags(rawValue: 0o2000000)
    /// O_SYNC (04010000, includes O_DSYNC).
    public static let O_SYNC = OpenFlags(rawValue: 0o4010000)
    /// O_PATH (010000000).
    public static let O_PATH = OpenFlags(rawValue: 0o10000000)
    /// O_TMPFILE (020200000, includes O_DIRECTORY). Not supported by the VFS yet.
    public static let O_TMPFILE = OpenFlags(rawValue: 0o20200000)

    /// The access mode (O_RDONLY, O_WRONLY or O_RDWR; 3 is Linux's "no access" special case).
    public var accessMode: UInt32 { rawValue & 0o3 }
    public var isReadable: Bool { accessMode == 0 || accessMode == 2 }
    public var isWritable: Bool { accessMode == 1 || accessMode == 2 }
    /// The flags fcntl(F_SETFL) may change (fs/fcntl.c SETFL_MASK).
    public static let settableStatusFlags: OpenFlags = [.O_APPEND, .O_NONBLOCK, .O_ASYNC, .O_DIRECT, .O_NOATIME]
}

/// A file's mode: type bits and permission bits (include/uapi/linux/stat.h).
public struct FileMode: OptionSet, Equatable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ value: UInt32) { self.rawValue = value }

    /// S_IFMT (0170000): mask of the file type.
    public static let S_IFMT = FileMode(rawValue: 0o170000)
    /// S_IFSOCK (0140000).
    public static let S_IFSOCK = FileMode(rawValue: 0o140000)
    /// S_IFLNK (0120000).
    public static let S_IFLNK = FileMode(rawValue: 0o120000)
    /// S_IFREG (0100000).
    public static let S_IFREG = FileMode(rawValue: 0o100000)
    /// S_IFBLK (0060000).
    public static let S_IFBLK = FileMode(rawValue: 0o060000)
    /// S_IFDIR (0040000).
    public static let S_IFDIR = FileMode(rawValue: 0o040000)
    /// S_IFCHR (0020000).
    public static let S_IFCHR = FileMode(rawValue: 0o020000)
    /// S_IFIFO (0010000).
    public static let S_IFIFO = FileMode(rawValue: 0o010000)
    /// S_ISUID (04000).
    public static let S_ISUID = FileMode(rawValue: 0o4000)
    /// S_ISGID (02000).
    public static let S_ISGID = FileMode(rawValue: 0o2000)
    /// S_ISVTX (01000).
    public static let S_ISVTX = FileMode(rawValue: 0o1000)
    /// S_IRWXU (0700), S_IRWXG (0070), S_IRWXO (0007).
    public static let S_IRWXU = FileMode(rawValue: 0o700)
    public static let S_IRWXG = FileMode(rawValue: 0o070)
    public static let S_IRWXO = FileMode(rawValue: 0o007)
    /// The permission and special bits (07777) that chmod(2) changes.
    public static let permissionMask = FileMode(rawValue: 0o7777)

    public var type: FileType { FileType(mode: self) }
    public var permissions: UInt32 { rawValue & 0o7777 }
    public var isDirectory: Bool { rawValue & 0o170000 == 0o040000 }
    public var isRegular: Bool { rawValue & 0o170000 == 0o100000 }
    public var isSymlink: Bool { rawValue & 0o170000 == 0o120000 }
    public var isCharacterDevice: Bool { rawValue & 0o170000 == 0o020000 }
    public var isBlockDevice: Bool { rawValue & 0o170000 == 0o060000 }
    public var isFIFO: Bool { rawValue & 0o170000 == 0o010000 }
}

/// A file's type, with the `d_type` values getdents64 reports (include/linux/fs_types.h: DT_*).
public enum FileType: UInt8, Equatable {
    /// DT_UNKNOWN (0).
    case unknown = 0
    /// DT_FIFO (1).
    case fifo = 1
    /// DT_CHR (2).
    case characterDevice = 2
    /// DT_DIR (4).
    case directory = 4
    /// DT_BLK (6).
    case blockDevice = 6
    /// DT_REG (8).
    case regular = 8
    /// DT_LNK (10).
    case symlink = 10
    /// DT_SOCK (12).
    case socket = 12

    /// The type of a mode (S_IFMT >> 12 is the DT_ value, as fs_umode_to_dtype does).
    public init(mode: FileMode) {
        self = FileType(rawValue: UInt8((mode.rawValue >> 12) & 0xF)) ?? .unknown
    }
    /// The S_IF* bits for this type.
    public var modeBits: FileMode { FileMode(rawValue: UInt32(rawValue) << 12) }
}

/// Flags of the *at system calls (include/uapi/linux/fcntl.h).
public struct AtFlags: OptionSet, Equatable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// AT_SYMLINK_NOFOLLOW (0x100).
    public static let AT_SYMLINK_NOFOLLOW = AtFlags(rawValue: 0x100)
    /// AT_REMOVEDIR (0x200): unlinkat acts as rmdir.
    public static let AT_REMOVEDIR = AtFlags(rawValue: 0x200)
    /// AT_SYMLINK_FOLLOW (0x400): linkat follows a symlink oldpath.
    public static let AT_SYMLINK_FOLLOW = AtFlags(rawValue: 0x400)
    /// AT_NO_AUTOMOUNT (0x800).
    public static let AT_NO_AUTOMOUNT = AtFlags(rawValue: 0x800)
    /// AT_EMPTY_PATH (0x1000): operate on dirfd itself when the path is "".
    public static let AT_EMPTY_PATH = AtFlags(rawValue: 0x1000)
    /// AT_EACCESS (0x200, faccessat only).
    public static let AT_EACCESS = AtFlags(rawValue: 0x200)
}

/// AT_FDCWD (-100): the dirfd meaning "the current directory".
public let AT_FDCWD: Int32 = -100

/// lseek(2) whence (include/uapi/linux/fs.h).
public enum SeekWhence: Int32, Equatable {
    /// SEEK_SET (0).
    case SEEK_SET = 0
    /// SEEK_CUR (1).
    case SEEK_CUR = 1
    /// SEEK_END (2).
    case SEEK_END = 2
    /// SEEK_DATA (3).
    case SEEK_DATA = 3
    /// SEEK_HOLE (4).
    case SEEK_HOLE = 4
}

/// renameat2(2) flags (include/uapi/linux/fs.h).
public struct RenameFlags: OptionSet, Equatable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// RENAME_NOREPLACE (1).
    public static let RENAME_NOREPLACE = RenameFlags(rawValue: 1)
    /// RENAME_EXCHANGE (2).
    public static let RENAME_EXCHANGE = RenameFlags(rawValue: 2)
    /// RENAME_WHITEOUT (4): not supported (EINVAL).
    public static let RENAME_WHITEOUT = RenameFlags(rawValue: 4)
}

/// One time argument of utimensat(2): a value, "now" (UTIME_NOW) or "leave alone" (UTIME_OMIT).
public enum TimeUpdate: Equatable {
    case omit
    case now
    case set(Timespec)

    /// UTIME_NOW ((1 << 30) - 1) and UTIME_OMIT ((1 << 30) - 2), include/uapi/linux/stat.h.
    public static let UTIME_NOW: Int64 = (1 << 30) - 1
    public static let UTIME_OMIT: Int64 = (1 << 30) - 2

    /// Decodes a user `struct timespec`; EINVAL for a nanosecond field out of range.
    public init(seconds: Int64, nanoseconds: Int64) throws(Errno) {
        if nanoseconds == TimeUpdate.UTIME_NOW { self = .now; return }
        if nanoseconds == TimeUpdate.UTIME_OMIT { self = .omit; return }
        guard nanoseconds >= 0 && nanoseconds < 1_000_000_000 else { throw .EINVAL }
        self = .set(Timespec(seconds: seconds, nanoseconds: nanoseconds))
    }
}

/// Path limits (include/uapi/linux/limits.h): PATH_MAX counts the NUL, NAME_MAX does not.
public let PATH_MAX = 4096
public let NAME_MAX = 255
/// MAXSYMLINKS (include/linux/namei.h): symlinks followed in one path walk.
public let MAXSYMLINKS = 40
/// PIPE_BUF (include/uapi/linux/limits.h): writes up to this size are atomic.
public let PIPE_BUF = 4096

/// Device numbers as glibc's makedev(3) encodes them in a 64-bit dev_t (the kernel's
/// new_encode_dev for 32-bit values agrees for majors < 4096 and minors < 2^20).
public struct DeviceNumber: Equatable, Hashable {
    public var major: UInt32
    public var minor: UInt32
    public init(major: UInt32, minor: UInt32) { self.major = major; self.minor = minor }
    public init(encoded: UInt64) {
        major = UInt32(truncatingIfNeeded: ((encoded >> 8) & 0xfff) | ((encoded >> 32) & ~UInt64(0xfff)))
        minor = UInt32(truncatingIfNeeded: (encoded & 0xff) | ((encoded >> 12) & ~UInt64(0xff)))
    }
    /// makedev(major, minor).
    public var encoded: UInt64 {
        let ma = UInt64(major), mi = UInt64(minor)
        return ((ma & 0xfffff000) << 32) | ((ma & 0xfff) << 8) | ((mi & 0xffffff00) << 12) | (mi & 0xff)
    }
    public static let none = DeviceNumber(major: 0, minor: 0)
}
