// Linux error numbers for x86_64 (include/uapi/asm-generic/errno-base.h and errno.h).
// System-call handlers throw these (`throws(Errno)`); the syscall boundary returns -rawValue.
// Inner layers throw their own small error enums and map them to Errno once, at that boundary.

public enum Errno: Int32, Error, Equatable, CustomStringConvertible {
    /// Operation not permitted.
    case EPERM = 1
    /// No such file or directory.
    case ENOENT = 2
    /// No such process.
    case ESRCH = 3
    /// Interrupted system call.
    case EINTR = 4
    /// I/O error.
    case EIO = 5
    /// No such device or address.
    case ENXIO = 6
    /// Argument list too long.
    case E2BIG = 7
    /// Exec format error.
    case ENOEXEC = 8
    /// Bad file number.
    case EBADF = 9
    /// No child processes.
    case ECHILD = 10
    /// Try again.
    case EAGAIN = 11
    /// Out of memory.
    case ENOMEM = 12
    /// Permission denied.
    case EACCES = 13
    /// Bad address.
    case EFAULT = 14
    /// Block device required.
    case ENOTBLK = 15
    /// Device or resource busy.
    case EBUSY = 16
    /// File exists.
    case EEXIST = 17
    /// Cross-device link.
    case EXDEV = 18
    /// No such device.
    case ENODEV = 19
    /// Not a directory.
    case ENOTDIR = 20
    /// Is a directory.
    case EISDIR = 21
    /// Invalid argument.
    case EINVAL = 22
    /// File table overflow.
    case ENFILE = 23
    /// Too many open files.
    case EMFILE = 24
    /// Not a typewriter.
    case ENOTTY = 25
    /// Text file busy.
    case ETXTBSY = 26
    /// File too large.
    case EFBIG = 27
    /// No space left on device.
    case ENOSPC = 28
    /// Illegal seek.
    case ESPIPE = 29
    /// Read-only file system.
    case EROFS = 30
    /// Too many links.
    case EMLINK = 31
    /// Broken pipe.
    case EPIPE = 32
    /// Math argument out of domain of func.
    case EDOM = 33
    /// Math result not representable.
    case ERANGE = 34
    /// Resource deadlock would occur.
    case EDEADLK = 35
    /// File name too long.
    case ENAMETOOLONG = 36
    /// No record locks available.
    case ENOLCK = 37
    /// Invalid system call number.
    case ENOSYS = 38
    /// Directory not empty.
    case ENOTEMPTY = 39
    /// Too many symbolic links encountered.
    case ELOOP = 40
    /// No message of desired type.
    case ENOMSG = 42
    /// Identifier removed.
    case EIDRM = 43
    /// Device not a stream.
    case ENOSTR = 60
    /// No data available.
    case ENODATA = 61
    /// Timer expired.
    case ETIME = 62
    /// Value too large for defined data type.
    case EOVERFLOW = 75
    /// File descriptor in bad state.
    case EBADFD = 77
    /// Illegal byte sequence.
    case EILSEQ = 84
    /// Interrupted system call should be restarted.
    case ERESTART = 85
    /// Socket operation on non-socket.
    case ENOTSOCK = 88
    /// Destination address required.
    case EDESTADDRREQ = 89
    /// Message too long.
    case EMSGSIZE = 90
    /// Protocol wrong type for socket.
    case EPROTOTYPE = 91
    /// Protocol not available.
    case ENOPROTOOPT = 92
    /// Protocol not supported.
    case EPROTONOSUPPORT = 93
    /// Socket type not supported.
    case ESOCKTNOSUPPORT = 94
    /// Operation not supported on transport endpoint.
    case EOPNOTSUPP = 95
    /// Address family not supported by protocol.
    case EAFNOSUPPORT = 97
    /// Address already in use.
    case EADDRINUSE = 98
    /// Cannot assign requested address.
    case EADDRNOTAVAIL = 99
    /// Network is down.
    case ENETDOWN = 100
    /// Network is unreachable.
    case ENETUNREACH = 101
    /// Software caused connection abort.
    case ECONNABORTED = 103
    /// Connection reset by peer.
    case ECONNRESET = 104
    /// No buffer space available.
    case ENOBUFS = 105
    /// Transport endpoint is already connected.
    case EISCONN = 106
    /// Transport endpoint is not connected.
    case ENOTCONN = 107
    /// Connection timed out.
    case ETIMEDOUT = 110
    /// Connection refused.
    case ECONNREFUSED = 111
    /// Operation already in progress.
    case EALREADY = 114
    /// Operation now in progress.
    case EINPROGRESS = 115
    /// Stale file handle.
    case ESTALE = 116
    /// Structure needs cleaning.
    case EUCLEAN = 117
    /// Quota exceeded.
    case EDQUOT = 122
    /// Operation Canceled.
    case ECANCELED = 125
    /// Owner died.
    case EOWNERDEAD = 130
    /// State not recoverable.
    case ENOTRECOVERABLE = 131

    /// Kernel-internal (include/linux/errno.h): a blocking call was interrupted by a signal and
    /// restarts unless the handler lacks SA_RESTART (then the caller sees EINTR). Never
    /// returned to user space.
    case ERESTARTSYS = 512
    /// Kernel-internal: restart whatever the signal, never EINTR (used by no call yet).
    case ERESTARTNOINTR = 513
    /// Kernel-internal: restart only if no handler ran (else EINTR even with SA_RESTART).
    case ERESTARTNOHAND = 514
    /// Kernel-internal: with a handler EINTR; without one the call resumes through
    /// restart_syscall(2) and the thread's restart block (nanosleep's remaining time).
    case ERESTART_RESTARTBLOCK = 516

    /// EWOULDBLOCK is EAGAIN on Linux; ENOTSUP is EOPNOTSUPP.
    public static let EWOULDBLOCK = Errno.EAGAIN
    public static let ENOTSUP = Errno.EOPNOTSUPP

    /// The symbolic name ("ENOENT"), as strace prints it.
    public var name: String {
        switch self {
        case .EPERM: return "EPERM"
        case .ENOENT: return "ENOENT"
        case .ESRCH: return "ESRCH"
        case .EINTR: return "EINTR"
        case .EIO: return "EIO"
        case .ENXIO: return "ENXIO"
        case .E2BIG: return "E2BIG"
        case .ENOEXEC: return "ENOEXEC"
        case .EBADF: return "EBADF"
        case .ECHILD: return "ECHILD"
        case .EAGAIN: return "EAGAIN"
        case .ENOMEM: return "ENOMEM"
        case .EACCES: return "EACCES"
        case .EFAULT: return "EFAULT"
        case .ENOTBLK: return "ENOTBLK"
        case .EBUSY: return "EBUSY"
        case .EEXIST: return "EEXIST"
        case .EXDEV: return "EXDEV"
        case .ENODEV: return "ENODEV"
        case .ENOTDIR: return "ENOTDIR"
        case .EISDIR: return "EISDIR"
        case .EINVAL: return "EINVAL"
        case .ENFILE: return "ENFILE"
        case .EMFILE: return "EMFILE"
        case .ENOTTY: return "ENOTTY"
        case .ETXTBSY: return "ETXTBSY"
        case .EFBIG: return "EFBIG"
        case .ENOSPC: return "ENOSPC"
        case .ESPIPE: return "ESPIPE"
        case .EROFS: return "EROFS"
        case .EMLINK: return "EMLINK"
        case .EPIPE: return "EPIPE"
        case .EDOM: return "EDOM"
        case .ERANGE: return "ERANGE"
        case .EDEADLK: return "EDEADLK"
        case .ENAMETOOLONG: return "ENAMETOOLONG"
        case .ENOLCK: return "ENOLCK"
        case .ENOSYS: return "ENOSYS"
        case .ENOTEMPTY: return "ENOTEMPTY"
        case .ELOOP: return "ELOOP"
        case .ENOMSG: return "ENOMSG"
        case .EIDRM: return "EIDRM"
        case .ENOSTR: return "ENOSTR"
        case .ENODATA: return "ENODATA"
        case .ETIME: return "ETIME"
        case .EOVERFLOW: return "EOVERFLOW"
        case .EBADFD: return "EBADFD"
        case .EILSEQ: return "EILSEQ"
        case .ERESTART: return "ERESTART"
        case .ENOTSOCK: return "ENOTSOCK"
        case .EDESTADDRREQ: return "EDESTADDRREQ"
        case .EMSGSIZE: return "EMSGSIZE"
        case .EPROTOTYPE: return "EPROTOTYPE"
        case .ENOPROTOOPT: return "ENOPROTOOPT"
        case .EPROTONOSUPPORT: return "EPROTONOSUPPORT"
        case .ESOCKTNOSUPPORT: return "ESOCKTNOSUPPORT"
        case .EOPNOTSUPP: return "EOPNOTSUPP"
        case .EAFNOSUPPORT: return "EAFNOSUPPORT"
        case .EADDRINUSE: return "EADDRINUSE"
        case .EADDRNOTAVAIL: return "EADDRNOTAVAIL"
        case .ENETDOWN: return "ENETDOWN"
        case .ENETUNREACH: return "ENETUNREACH"
        case .ECONNABORTED: return "ECONNABORTED"
        case .ECONNRESET: return "ECONNRESET"
        case .ENOBUFS: return "ENOBUFS"
        case .EISCONN: return "EISCONN"
        case .ENOTCONN: return "ENOTCONN"
        case .ETIMEDOUT: return "ETIMEDOUT"
        case .ECONNREFUSED: return "ECONNREFUSED"
        case .EALREADY: return "EALREADY"
        case .EINPROGRESS: return "EINPROGRESS"
        case .ESTALE: return "ESTALE"
        case .EUCLEAN: return "EUCLEAN"
        case .EDQUOT: return "EDQUOT"
        case .ECANCELED: return "ECANCELED"
        case .EOWNERDEAD: return "EOWNERDEAD"
        case .ENOTRECOVERABLE: return "ENOTRECOVERABLE"
        case .ERESTARTSYS: return "ERESTARTSYS"
        case .ERESTARTNOINTR: return "ERESTARTNOINTR"
        case .ERESTARTNOHAND: return "ERESTARTNOHAND"
        case .ERESTART_RESTARTBLOCK: return "ERESTART_RESTARTBLOCK"
        }
    }

    /// strerror(3)'s text.
    public var message: String {
        switch self {
        case .EPERM: return "Operation not permitted"
        case .ENOENT: return "No such file or directory"
        case .ESRCH: return "No such process"
        case .EINTR: return "Interrupted system call"
        case .EIO: return "I/O error"
        case .ENXIO: return "No such device or address"
        case .E2BIG: return "Argument list too long"
        case .ENOEXEC: return "Exec format error"
        case .EBADF: return "Bad file number"
        case .ECHILD: return "No child processes"
        case .EAGAIN: return "Try again"
        case .ENOMEM: return "Out of memory"
        case .EACCES: return "Permission denied"
        case .EFAULT: return "Bad address"
        case .ENOTBLK: return "Block device required"
        case .EBUSY: return "Device or resource busy"
        case .EEXIST: return "File exists"
        case .EXDEV: return "Cross-device link"
        case .ENODEV: return "No such device"
        case .ENOTDIR: return "Not a directory"
        case .EISDIR: return "Is a directory"
        case .EINVAL: return "Invalid argument"
        case .ENFILE: return "File table overflow"
        case .EMFILE: return "Too many open files"
        case .ENOTTY: return "Not a typewriter"
        case .ETXTBSY: return "Text file busy"
        case .EFBIG: return "File too large"
        case .ENOSPC: return "No space left on device"
        case .ESPIPE: return "Illegal seek"
        case .EROFS: return "Read-only file system"
        case .EMLINK: return "Too many links"
        case .EPIPE: return "Broken pipe"
        case .EDOM: return "Math argument out of domain of func"
        case .ERANGE: return "Math result not representable"
        case .EDEADLK: return "Resource deadlock would occur"
        case .ENAMETOOLONG: return "File name too long"
        case .ENOLCK: return "No record locks available"
        case .ENOSYS: return "Invalid system call number"
        case .ENOTEMPTY: return "Directory not empty"
        case .ELOOP: return "Too many symbolic links encountered"
        case .ENOMSG: return "No message of desired type"
        case .EIDRM: return "Identifier removed"
        case .ENOSTR: return "Device not a stream"
        case .ENODATA: return "No data available"
        case .ETIME: return "Timer expired"
        case .EOVERFLOW: return "Value too large for defined data type"
        case .EBADFD: return "File descriptor in bad state"
        case .EILSEQ: return "Illegal byte sequence"
        case .ERESTART: return "Interrupted system call should be restarted"
        case .ENOTSOCK: return "Socket operation on non-socket"
        case .EDESTADDRREQ: return "Destination address required"
        case .EMSGSIZE: return "Message too long"
        case .EPROTOTYPE: return "Protocol wrong type for socket"
        case .ENOPROTOOPT: return "Protocol not available"
        case .EPROTONOSUPPORT: return "Protocol not supported"
        case .ESOCKTNOSUPPORT: return "Socket type not supported"
        case .EOPNOTSUPP: return "Operation not supported on transport endpoint"
        case .EAFNOSUPPORT: return "Address family not supported by protocol"
        case .EADDRINUSE: return "Address already in use"
        case .EADDRNOTAVAIL: return "Cannot assign requested address"
        case .ENETDOWN: return "Network is down"
        case .ENETUNREACH: return "Network is unreachable"
        case .ECONNABORTED: return "Software caused connection abort"
        case .ECONNRESET: return "Connection reset by peer"
        case .ENOBUFS: return "No buffer space available"
        case .EISCONN: return "Transport endpoint is already connected"
        case .ENOTCONN: return "Transport endpoint is not connected"
        case .ETIMEDOUT: return "Connection timed out"
        case .ECONNREFUSED: return "Connection refused"
        case .EALREADY: return "Operation already in progress"
        case .EINPROGRESS: return "Operation now in progress"
        case .ESTALE: return "Stale file handle"
        case .EUCLEAN: return "Structure needs cleaning"
        case .EDQUOT: return "Quota exceeded"
        case .ECANCELED: return "Operation Canceled"
        case .EOWNERDEAD: return "Owner died"
        case .ENOTRECOVERABLE: return "State not recoverable"
        case .ERESTARTSYS: return "Interrupted system call (restart)"
        case .ERESTARTNOINTR: return "Interrupted system call (restart)"
        case .ERESTARTNOHAND: return "Interrupted system call (restart if no handler)"
        case .ERESTART_RESTARTBLOCK: return "Interrupted system call (restart_syscall)"
        }
    }

    public var description: String { name }
}
