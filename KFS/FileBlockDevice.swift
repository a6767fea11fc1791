// A block device backed by an image file, for the host tools (mkfs.kfs, fsck.kfs, kfs-fuse).
// Hosted only: it uses Glibc (pread/pwrite/fsync), so the Embedded kernel build skips it; the
// kernel supplies its own virtio-blk BlockDevice.

#if canImport(Glibc) && !hasFeature(Embedded)
import Glibc

public final class FileBlockDevice: BlockDevice {
    private let descriptor: Int32
    public let blockCount: UInt64
    public let readOnly: Bool

    /// Opens `path`; the device covers the whole blocks the file holds.
    public init(path: String, readOnly: Bool = false) throws(KFSError) {
        descriptor = open(path, readOnly ? O_RDONLY : O_RDWR)
        guard descriptor >= 0 else { throw .io }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { close(descriptor); throw .io }
        blockCount = UInt64(info.st_size) / UInt64(kfsBlockSize)
        self.readOnly = readOnly
    }

    deinit { close(descriptor) }

    public func readBlock(_ index: UInt64, into buffer: inout [UInt8]) throws(KFSError) {
        guard index < blockCount else { throw .io }
        if buffer.count != kfsBlockSize { buffer = [UInt8](repeating: 0, count: kfsBlockSize) }
        let done = buffer.withUnsafeMutableBytes { raw in
            pread(descriptor, raw.baseAddress, kfsBlockSize, off_t(index) * off_t(kfsBlockSize))
        }
        guard done == kfsBlockSize else { throw .io }
    }

    /// A run of blocks with one preadv(2) (one iovec per destination).
    public func readBlocks(_ first: UInt64, into destinations: [UnsafeMutableRawPointer]) throws(KFSError) {
        guard first < blockCount, UInt64(destinations.count) <= blockCount - first else { throw .io }
        var done = 0
        while done < destinations.count {
            let count = min(destinations.count - done, 1024)          // IOV_MAX
            let vectors = (0..<count).map { iovec(iov_base: destinations[done + $0], iov_len: kfsBlockSize) }
            let wanted = count * kfsBlockSize
            let got = vectors.withUnsafeBufferPointer {
                preadv(descriptor, $0.baseAddress, Int32(count), off_t(first + UInt64(done)) * off_t(kfsBlockSize))
            }
            guard got == wanted else { throw .io }
            done += count
        }
    }

    public func writeBlock(_ index: UInt64, _ data: [UInt8]) throws(KFSError) {
        guard !readOnly else { throw .readOnly }
        guard index < blockCount, data.count == kfsBlockSize else { throw .io }
        let done = data.withUnsafeBytes { raw in
            pwrite(descriptor, raw.baseAddress, kfsBlockSize, off_t(index) * off_t(kfsBlockSize))
        }
        guard done == kfsBlockSize else { throw .io }
    }

    public func flush() throws(KFSError) {
        guard !readOnly else { return }
        guard fsync(descriptor) == 0 else { throw .io }
    }
}

/// Nanoseconds since the epoch from CLOCK_REALTIME, the tools' clock for timestamps.
public func kfsHostClock() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
}
#endif
