// poll(2) event bits (include/uapi/asm-generic/poll.h). Files report readiness as these bits
// (`OpenFile.pollEvents()`); the syscall layer's poll/select/ppoll/pselect6 map them.

public enum PollEvents {
    /// POLLIN (0x001): data to read.
    public static let POLLIN: UInt32 = 0x001
    /// POLLPRI (0x002): urgent data.
    public static let POLLPRI: UInt32 = 0x002
    /// POLLOUT (0x004): writing will not block.
    public static let POLLOUT: UInt32 = 0x004
    /// POLLERR (0x008): error condition (always reported).
    public static let POLLERR: UInt32 = 0x008
    /// POLLHUP (0x010): hang up (always reported).
    public static let POLLHUP: UInt32 = 0x010
    /// POLLNVAL (0x020): fd not open (always reported).
    public static let POLLNVAL: UInt32 = 0x020
    /// POLLRDNORM (0x040), POLLRDBAND (0x080), POLLWRNORM (0x100), POLLWRBAND (0x200).
    public static let POLLRDNORM: UInt32 = 0x040
    public static let POLLRDBAND: UInt32 = 0x080
    public static let POLLWRNORM: UInt32 = 0x100
    public static let POLLWRBAND: UInt32 = 0x200
    /// POLLMSG (0x400), POLLREMOVE (0x1000), POLLRDHUP (0x2000).
    public static let POLLMSG: UInt32 = 0x400
    public static let POLLREMOVE: UInt32 = 0x1000
    public static let POLLRDHUP: UInt32 = 0x2000

    /// Readable / writable as select(2) sees it (fs/select.c POLLIN_SET, POLLOUT_SET).
    public static let inSet: UInt32 = POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR
    public static let outSet: UInt32 = POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR
    /// The bits poll(2) reports even if not requested.
    public static let alwaysReported: UInt32 = POLLERR | POLLHUP | POLLNVAL
}
