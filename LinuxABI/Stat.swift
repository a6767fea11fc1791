// struct stat, struct statx and struct statfs for x86_64, and their byte encodings:
// stat from arch/x86/include/uapi/asm/stat.h (144 bytes, what newfstatat/fstat fill),
// statx from include/uapi/linux/stat.h (256 bytes), statfs from include/uapi/asm-generic/statfs.h
// (120 bytes on 64-bit). The FileSystem module fills `Stat`; the syscall layer copies the bytes out.

/// A point in time, like `struct timespec`.
public struct Timespec: Equatable, Comparable {
    public var seconds: Int64
    public var nanoseconds: Int64
    public init(seconds: Int64, nanoseconds: Int64) { self.seconds = seconds; self.nanoseconds = nanoseconds }
    /// From nanoseconds since the epoch (floor division, so negative times stay normalised).
    public init(totalNanoseconds: Int64) {
        var s = totalNanoseconds / 1_000_000_000, n = totalNanoseconds % 1_000_000_000
        if n < 0 { n += 1_000_000_000; s -= 1 }
        seconds = s; nanoseconds = n
    }
    public var totalNanoseconds: Int64 { seconds &* 1_000_000_000 &+ nanoseconds }
    public static let zero = Timespec(seconds: 0, nanoseconds: 0)
    public static func < (a: Timespec, b: Timespec) -> Bool {
        a.seconds != b.seconds ? a.seconds < b.seconds : a.nanoseconds < b.nanoseconds
    }
}

/// What stat(2) reports about a file (man 2 stat).
public struct Stat: Equatable {
    public var device: DeviceNumber = .none
    public var inode: UInt64 = 0
    public var linkCount: UInt64 = 0
    public var mode: FileMode = FileMode(0)
    public var uid: UInt32 = 0
    public var gid: UInt32 = 0
    public var specialDevice: DeviceNumber = .none
    public var size: Int64 = 0
    public var blockSize: Int64 = 4096
    /// st_blocks: 512-byte blocks allocated.
    public var blocks: Int64 = 0
    public var accessTime: Timespec = .zero
    public var modificationTime: Timespec = .zero
    public var changeTime: Timespec = .zero
    public init() {}

    /// sizeof(struct stat) on x86_64.
    public static let encodedSize = 144

    /// The 144 bytes of x86_64 `struct stat`: st_dev@0 st_ino@8 st_nlink@16 st_mode@24 st_uid@28
    /// st_gid@32 __pad0@36 st_rdev@40 st_size@48 st_blksize@56 st_blocks@64 st_atime@72
    /// st_atime_nsec@80 st_mtime@88 st_mtime_nsec@96 st_ctime@104 st_ctime_nsec@112 __unused[3]@120.
    public func encoded() -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: Stat.encodedSize)
        bytes.withUnsafeMutableBytes { encode(into: $0) }
        return bytes
    }

    /// The same 144 bytes written into `buffer` (at least `encodedSize` bytes), padding
    /// zeroed: stat(2) encodes into a buffer on the kernel stack and copies it out once.
    public func encode(into buffer: UnsafeMutableRawBufferPointer) {
        precondition(buffer.count >= Stat.encodedSize)
        func put<T: FixedWidthInteger>(_ value: T, _ offset: Int) {
            buffer.storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self)
        }
        put(device.encoded, 0)
        put(inode, 8)
        put(linkCount, 16)
        put(mode.rawValue, 24)
        put(uid, 28)
        put(gid, 32)
        put(UInt32(0), 36)
        put(specialDevice.encoded, 40)
        put(size, 48)
        put(blockSize, 56)
        put(blocks, 64)
        put(accessTime.seconds, 72); put(accessTime.nanoseconds, 80)
        put(modificationTime.seconds, 88); put(modificationTime.nanoseconds, 96)
        put(changeTime.seconds, 104); put(changeTime.nanoseconds, 112)
        put(UInt64(0), 120); put(UInt64(0), 128); put(UInt64(0), 136)
    }

    /// statx(2) mask bits (include/uapi/linux/stat.h): STATX_TYPE 0x1 ... STATX_BLOCKS 0x400.
    public static let STATX_BASIC_STATS: UInt32 = 0x7ff
    /// STATX_BTIME (0x800).
    public static let STATX_BTIME: UInt32 = 0x800
    /// STATX_MNT_ID (0x1000).
    public static let STATX_MNT_ID: UInt32 = 0x1000
    /// sizeof(struct statx).
    public static let statxEncodedSize = 256

    /// The 256 bytes of `struct statx`, reporting STATX_BASIC_STATS (we keep no birth time):
    /// stx_mask@0 stx_blksize@4 stx_attributes@8 stx_nlink@16 stx_uid@20 stx_gid@24 stx_mode@28(u16)
    /// stx_ino@32 stx_size@40 stx_blocks@48 stx_attributes_mask@56 stx_atime@64 stx_btime@80
    /// stx_ctime@96 stx_mtime@112 (each {s64 sec, u32 nsec, s32 pad}) stx_rdev_major@128
    /// stx_rdev_minor@132 stx_dev_major@136 stx_dev_minor@140 stx_mnt_id@144.
    public func encodedStatx(mountID: UInt64 = 0) -> [UInt8] {
        var b = ABIStructWriter(count: Stat.statxEncodedSize)
        b.put(Stat.STATX_BASIC_STATS | Stat.STATX_MNT_ID, at: 0)
        b.put(UInt32(truncatingIfNeeded: blockSize), at: 4)
        b.put(UInt32(truncatingIfNeeded: linkCount), at: 16)
        b.put(uid, at: 20)
        b.put(gid, at: 24)
        b.put(UInt16(truncatingIfNeeded: mode.rawValue), at: 28)
        b.put(inode, at: 32)
        b.put(UInt64(bitPattern: size), at: 40)
        b.put(UInt64(bitPattern: blocks), at: 48)
        func time(_ t: Timespec, _ at: Int) {
            b.put(t.seconds, at: at); b.put(UInt32(truncatingIfNeeded: t.nanoseconds), at: at + 8)
        }
        time(accessTime, 64)
        time(changeTime, 96)
        time(modificationTime, 112)
        b.put(specialDevice.major, at: 128); b.put(specialDevice.minor, at: 132)
        b.put(device.major, at: 136); b.put(device.minor, at: 140)
        b.put(mountID, at: 144)
        return b.bytes
    }
}

/// What statfs(2) reports about a mounted file system (man 2 statfs).
public struct StatFS: Equatable {
    /// f_type: the file system's magic (include/uapi/linux/magic.h).
    public var type: Int64 = 0
    public var blockSize: Int64 = 4096
    public var blocks: UInt64 = 0
    public var freeBlocks: UInt64 = 0
    public var availableBlocks: UInt64 = 0
    public var files: UInt64 = 0
    public var freeFiles: UInt64 = 0
    public var fsid: (UInt32, UInt32) = (0, 0)
    public var nameLength: Int64 = Int64(NAME_MAX)
    public var fragmentSize: Int64 = 4096
    /// f_flags: ST_* mount flags (ST_RDONLY 1, ST_NOSUID 2, ...).
    public var flags: Int64 = 0
    public init() {}

    public static func == (a: StatFS, b: StatFS) -> Bool { a.encoded() == b.encoded() }

    /// RAMFS_MAGIC, TMPFS_MAGIC, PROC_SUPER_MAGIC, PIPEFS_MAGIC, DEVPTS_SUPER_MAGIC.
    public static let RAMFS_MAGIC: Int64 = 0x858458f6
    public static let TMPFS_MAGIC: Int64 = 0x01021994
    public static let PROC_SUPER_MAGIC: Int64 = 0x9fa0
    public static let PIPEFS_MAGIC: Int64 = 0x50495045
    public static let DEVPTS_SUPER_MAGIC: Int64 = 0x1cd1

    public static let encodedSize = 120

    /// The 120 bytes of x86_64 `struct statfs`: f_type@0 f_bsize@8 f_blocks@16 f_bfree@24
    /// f_bavail@32 f_files@40 f_ffree@48 f_fsid@56 f_namelen@64 f_frsize@72 f_flags@80 f_spare@88.
    public func encoded() -> [UInt8] {
        var b = ABIStructWriter(count: StatFS.encodedSize)
        b.put(type, at: 0); b.put(blockSize, at: 8)
        b.put(blocks, at: 16); b.put(freeBlocks, at: 24); b.put(availableBlocks, at: 32)
        b.put(files, at: 40); b.put(freeFiles, at: 48)
        b.put(fsid.0, at: 56); b.put(fsid.1, at: 60)
        b.put(nameLength, at: 64); b.put(fragmentSize, at: 72); b.put(flags, at: 80)
        return b.bytes
    }
}
