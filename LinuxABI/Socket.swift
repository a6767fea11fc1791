// Socket and eventfd numbers for x86_64: address families and types (include/linux/socket.h,
// include/linux/net.h), message flags (include/linux/socket.h), SOL_SOCKET options
// (include/uapi/asm-generic/socket.h), control-message types, and eventfd2's flags
// (include/uapi/linux/eventfd.h). The Linux personality (Linux/sys_socket.swift,
// sys_eventfd.swift) and the socket objects (FileSystem/Socket/) use these names.

public enum AddressFamily {
    /// AF_UNSPEC (0): connect(2) with it dissolves a datagram socket's association.
    public static let AF_UNSPEC: Int32 = 0
    /// AF_UNIX / AF_LOCAL (1).
    public static let AF_UNIX: Int32 = 1
    /// AF_MAX (46): families at or above it are EAFNOSUPPORT before anything else is checked.
    public static let AF_MAX: Int32 = 46
}

public enum SocketTypeBits {
    /// SOCK_STREAM (1), SOCK_DGRAM (2), SOCK_RAW (3), SOCK_RDM (4), SOCK_SEQPACKET (5).
    public static let SOCK_STREAM: Int32 = 1
    public static let SOCK_DGRAM: Int32 = 2
    public static let SOCK_RAW: Int32 = 3
    public static let SOCK_SEQPACKET: Int32 = 5
    /// SOCK_MAX (11): a type at or above it is EINVAL.
    public static let SOCK_MAX: Int32 = 11
    /// SOCK_TYPE_MASK (0xf): the type; the bits above are flags.
    public static let SOCK_TYPE_MASK: Int32 = 0xf
    /// SOCK_NONBLOCK (O_NONBLOCK, 0o4000) and SOCK_CLOEXEC (O_CLOEXEC, 0o2000000).
    public static let SOCK_NONBLOCK: Int32 = 0o4000
    public static let SOCK_CLOEXEC: Int32 = 0o2000000
}

/// send/recv flags (MSG_*).
public struct MessageFlags: OptionSet, Equatable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// MSG_OOB (1).
    public static let MSG_OOB = MessageFlags(rawValue: 0x1)
    /// MSG_PEEK (2): read without consuming.
    public static let MSG_PEEK = MessageFlags(rawValue: 0x2)
    /// MSG_CTRUNC (8): control data did not fit (recvmsg's msg_flags).
    public static let MSG_CTRUNC = MessageFlags(rawValue: 0x8)
    /// MSG_TRUNC (0x20): a datagram was longer than the buffer (and, as a recv flag: return its length).
    public static let MSG_TRUNC = MessageFlags(rawValue: 0x20)
    /// MSG_DONTWAIT (0x40): this call does not block.
    public static let MSG_DONTWAIT = MessageFlags(rawValue: 0x40)
    /// MSG_EOR (0x80).
    public static let MSG_EOR = MessageFlags(rawValue: 0x80)
    /// MSG_WAITALL (0x100): a stream read waits for the whole buffer.
    public static let MSG_WAITALL = MessageFlags(rawValue: 0x100)
    /// MSG_NOSIGNAL (0x4000): EPIPE without SIGPIPE.
    public static let MSG_NOSIGNAL = MessageFlags(rawValue: 0x4000)
    /// MSG_CMSG_CLOEXEC (0x40000000): received descriptors are close-on-exec.
    public static let MSG_CMSG_CLOEXEC = MessageFlags(rawValue: 0x4000_0000)
}

public enum SocketOption {
    /// SOL_SOCKET (1): the only level AF_UNIX sockets have.
    public static let SOL_SOCKET: Int32 = 1
    public static let SO_DEBUG: Int32 = 1
    public static let SO_REUSEADDR: Int32 = 2
    public static let SO_TYPE: Int32 = 3
    public static let SO_ERROR: Int32 = 4
    public static let SO_DONTROUTE: Int32 = 5
    public static let SO_BROADCAST: Int32 = 6
    public static let SO_SNDBUF: Int32 = 7
    public static let SO_RCVBUF: Int32 = 8
    public static let SO_KEEPALIVE: Int32 = 9
    public static let SO_OOBINLINE: Int32 = 10
    public static let SO_PRIORITY: Int32 = 12
    public static let SO_LINGER: Int32 = 13
    public static let SO_PASSCRED: Int32 = 16
    public static let SO_PEERCRED: Int32 = 17
    public static let SO_RCVLOWAT: Int32 = 18
    public static let SO_SNDLOWAT: Int32 = 19
    /// SO_RCVTIMEO_OLD (20), SO_SNDTIMEO_OLD (21): a struct timeval on x86_64.
    public static let SO_RCVTIMEO: Int32 = 20
    public static let SO_SNDTIMEO: Int32 = 21
    public static let SO_ACCEPTCONN: Int32 = 30
    public static let SO_SNDBUFFORCE: Int32 = 32
    public static let SO_RCVBUFFORCE: Int32 = 33
    public static let SO_PROTOCOL: Int32 = 38
    public static let SO_DOMAIN: Int32 = 39
    /// SCM_RIGHTS (1): descriptors in a control message; SCM_CREDENTIALS (2): struct ucred.
    public static let SCM_RIGHTS: Int32 = 1
    public static let SCM_CREDENTIALS: Int32 = 2
    /// SCM_MAX_FD (253): descriptors one SCM_RIGHTS message may carry.
    public static let SCM_MAX_FD = 253
}

public enum EventFDFlags {
    /// EFD_SEMAPHORE (1): each read takes 1 from the counter.
    public static let EFD_SEMAPHORE: UInt32 = 1
    /// EFD_NONBLOCK (O_NONBLOCK) and EFD_CLOEXEC (O_CLOEXEC).
    public static let EFD_NONBLOCK: UInt32 = 0o4000
    public static let EFD_CLOEXEC: UInt32 = 0o2000000
}
