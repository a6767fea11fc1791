// KFSError: the small set of failures the KFS library reports, each mapped to the Linux errno
// value the syscall layer (and kfs-fuse) hands to programs. Inner code throws these typed errors
// (Embedded Swift needs typed throws); mapping happens once at the boundary via `errno`.
// Values follow include/uapi/asm-generic/errno-base.h and errno.h.

public enum KFSError: Error, Equatable {
    case notFound            // ENOENT
    case exists              // EEXIST
    case notDirectory        // ENOTDIR
    case isDirectory         // EISDIR
    case notEmpty            // ENOTEMPTY
    case noSpace             // ENOSPC
    case nameTooLong         // ENAMETOOLONG
    case corrupted           // EUCLEAN: an on-disk structure failed validation
    case io                  // EIO: the device failed, or the file system is poisoned
    case invalid             // EINVAL
    case crossDevice         // EXDEV
    case notPermitted        // EPERM (e.g. hard link to a directory)
    case tooManyLinks        // EMLINK
    case fileTooBig          // EFBIG
    case readOnly            // EROFS
    case notSymlink          // EINVAL from readlink(2), kept apart for clarity

    /// The Linux errno value for this error.
    public var errno: Int32 {
        switch self {
        case .notFound: return 2
        case .exists: return 17
        case .notDirectory: return 20
        case .isDirectory: return 21
        case .notEmpty: return 39
        case .noSpace: return 28
        case .nameTooLong: return 36
        case .corrupted: return 117
        case .io: return 5
        case .invalid, .notSymlink: return 22
        case .crossDevice: return 18
        case .notPermitted: return 1
        case .tooManyLinks: return 31
        case .fileTooBig: return 27
        case .readOnly: return 30
        }
    }

    /// A short human-readable name, like strerror's symbolic spelling.
    public var name: StaticString {
        switch self {
        case .notFound: return "ENOENT"
        case .exists: return "EEXIST"
        case .notDirectory: return "ENOTDIR"
        case .isDirectory: return "EISDIR"
        case .notEmpty: return "ENOTEMPTY"
        case .noSpace: return "ENOSPC"
        case .nameTooLong: return "ENAMETOOLONG"
        case .corrupted: return "EUCLEAN"
        case .io: return "EIO"
        case .invalid, .notSymlink: return "EINVAL"
        case .crossDevice: return "EXDEV"
        case .notPermitted: return "EPERM"
        case .tooManyLinks: return "EMLINK"
        case .fileTooBig: return "EFBIG"
        case .readOnly: return "EROFS"
        }
    }
}
