// On-disk constants and the 16-byte header that starts every KFS metadata block: format
// version, block type, CRC32C of the block, and the commit generation that wrote it.
// docs/kfs-format.md is the specification; this file and the encoders beside it
// (Superblock, RecordMap, AllocationMap, Record, DirectoryHashed, FileExtents) must agree with it.

/// Format version written in every block header; mount refuses others (EINVAL).
public let kfsFormatVersion: UInt16 = 1

/// Element id of the root directory.
public let kfsRootID: UInt32 = 1

/// The kinds of metadata block (header field `type`).
enum BlockType: UInt16 {
    case superblock = 1
    case pointers = 2        // RecordMap root or allocation-map root: a list of block numbers
    case recordMapLeaf = 3
    case bitmap = 4
    case record = 5          // one element's record
    case directoryBucket = 6 // one bucket of a hashed directory
    case extentOverflow = 7  // extents of a large file that do not fit in its record
}

/// Header layout: [0] u16 version, [2] u16 type, [4] u32 crc32c, [8] u64 generation.
enum BlockHeader {
    static let size = 16
    static let checksumOffset = 4

    /// A zeroed block with the header filled in except for the checksum.
    static func newBlock(_ type: BlockType, generation: UInt64) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: kfsBlockSize)
        block.put(kfsFormatVersion, at: 0)
        block.put(type.rawValue, at: 2)
        block.put(generation, at: 8)
        return block
    }

    /// Computes and stores the checksum; call last, after every field is written.
    static func seal(_ block: inout [UInt8]) {
        block.put(UInt32(0), at: checksumOffset)
        block.put(CRC32C.checksum(block, skipping: checksumOffset), at: checksumOffset)
    }

    /// Checks version, type and checksum. Throws EUCLEAN on mismatch (EINVAL for an unknown
    /// format version, so a future format is told apart from damage).
    static func verify(_ block: [UInt8], _ type: BlockType) throws(KFSError) {
        guard block.count == kfsBlockSize else { throw .corrupted }
        guard CRC32C.checksum(block, skipping: checksumOffset) == block.u32(at: checksumOffset) else {
            throw .corrupted
        }
        guard block.u16(at: 0) == kfsFormatVersion else { throw .invalid }
        guard block.u16(at: 2) == type.rawValue else { throw .corrupted }
    }

    static func generation(of block: [UInt8]) -> UInt64 { block.u64(at: 8) }
}

/// Element kinds, also the directory-entry type byte.
public enum ElementKind: UInt8 {
    case file = 1
    case directory = 2
    case symlink = 3

    /// The S_IFMT bits Linux uses for this kind (include/uapi/linux/stat.h).
    public var modeType: UInt32 {
        switch self {
        case .file: return 0o100000
        case .directory: return 0o040000
        case .symlink: return 0o120000
        }
    }
}

/// The implementations that can serve an element; stored in the RecordMap entry and the
/// record. A file system mixes them freely; KFS switches an element between the two of its
/// kind as it grows and shrinks (docs/kfs-format.md "Implementations").
public enum Implementation: UInt8 {
    case inlineFile = 1       // data inside the record
    case extentFile = 2       // data in extents of data blocks
    case linearDirectory = 3  // entries packed inside the record
    case hashedDirectory = 4  // entries in hash buckets, one block each
    case inlineSymlink = 5    // target inside the record
    case blockSymlink = 6     // target in one data block

    public var kind: ElementKind {
        switch self {
        case .inlineFile, .extentFile: return .file
        case .linearDirectory, .hashedDirectory: return .directory
        case .inlineSymlink, .blockSymlink: return .symlink
        }
    }

    /// The name shown to users (the kernel's /proc, kfs-fuse's xattr, fsck's listing).
    public var name: StaticString {
        switch self {
        case .inlineFile: return "file.inline"
        case .extentFile: return "file.extents"
        case .linearDirectory: return "dir.linear"
        case .hashedDirectory: return "dir.hashed"
        case .inlineSymlink: return "symlink.inline"
        case .blockSymlink: return "symlink.block"
        }
    }
}

/// Longest name in a directory (bytes), as NAME_MAX on Linux.
public let kfsNameMax = 255
/// Longest symlink target (bytes), PATH_MAX minus the terminating NUL.
public let kfsSymlinkMax = 4095
/// Largest file size: file block numbers are 32-bit.
public let kfsMaxFileSize: UInt64 = UInt64(UInt32.max) * UInt64(kfsBlockSize)
/// Hard-link limit per element.
public let kfsLinkMax: UInt32 = 65000
