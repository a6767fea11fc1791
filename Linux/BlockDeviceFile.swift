// An open virtio disk node (/dev/vda): raw reads and writes at any offset and length, like
// Linux's buffered block device (man 4 sd; Documentation/admin-guide/devices). Reads of whole
// blocks go to the device in runs (VirtioBlockDevice.readBlocks); a write of part of a block
// reads it first. Writes are posted (the device's queue): fsync(2) and the last close wait for
// them and flush the device's cache. Nothing is cached here, so a write to a disk that is also
// mounted as KFS is not seen by that mount's caches (Linux allows it and so do we; like on
// Linux, the mounted file system may then find its disk changed under it: do not).
// st_size is 0 as on Linux; lseek(SEEK_END) and BLKGETSIZE64 give the device's size.
import FileSystem
import KFS
import LinuxABI

final class BlockDeviceFile: OpenFile, @unchecked Sendable {
    let device: VirtioBlockDevice
    private var size: Int64 { Int64(device.blockCount) * Int64(kfsBlockSize) }
    /// Blocks moved per device call (one virtio request).
    private static let runBlocks = 64

    init(device: VirtioBlockDevice, inode: Inode, flags: OpenFlags) {
        self.device = device
        super.init(inode: inode, flags: flags)
    }

    deinit { if flags.isWritable { try? device.flush() } }

    override func doRead(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        guard offset >= 0 else { throw .EINVAL }
        guard offset < size, buffer.count > 0 else { return 0 }
        let total = Int(min(Int64(buffer.count), size - offset))
        let blockSize = Int64(kfsBlockSize)
        var done = 0
        // A run of blocks per request, read into a scratch buffer and copied out.
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: BlockDeviceFile.runBlocks * kfsBlockSize, alignment: kfsBlockSize)
        defer { scratch.deallocate() }
        while done < total {
            let position = offset + Int64(done)
            let first = position / blockSize
            let within = Int(position % blockSize)
            let blocks = min(BlockDeviceFile.runBlocks, (within + total - done + kfsBlockSize - 1) / kfsBlockSize)
            let pointers = (0..<blocks).map { scratch + $0 * kfsBlockSize }
            do { try device.readBlocks(UInt64(first), into: pointers) } catch {
                if done > 0 { break }
                throw .EIO
            }
            let chunk = min(blocks * kfsBlockSize - within, total - done)
            (buffer.baseAddress! + done).copyMemory(from: scratch + within, byteCount: chunk)
            done += chunk
        }
        return done
    }

    override func doWrite(from buffer: UnsafeRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        guard offset >= 0 else { throw .EINVAL }
        guard buffer.count > 0 else { return 0 }
        guard !device.readOnly else { throw .EPERM }
        guard offset < size else { throw .ENOSPC }           // writing at or past the end (Linux: ENOSPC)
        let total = Int(min(Int64(buffer.count), size - offset))
        let blockSize = Int64(kfsBlockSize)
        var block = [UInt8](repeating: 0, count: kfsBlockSize)
        var done = 0
        while done < total {
            let position = offset + Int64(done)
            let index = UInt64(position / blockSize)
            let within = Int(position % blockSize)
            let chunk = min(kfsBlockSize - within, total - done)
            do {
                if chunk != kfsBlockSize { try device.readBlock(index, into: &block) }
                block.withUnsafeMutableBytes { $0.baseAddress!.advanced(by: within).copyMemory(from: buffer.baseAddress! + done, byteCount: chunk) }
                try device.writeBlock(index, block)
            } catch {
                if done > 0 { break }
                throw .EIO
            }
            done += chunk
        }
        return done
    }

    override func computeSeek(_ offset: Int64, whence: SeekWhence, current: Int64) throws(Errno) -> Int64 {
        guard whence == .SEEK_END else { return try super.computeSeek(offset, whence: whence, current: current) }
        let (r, o) = size.addingReportingOverflow(offset); if o { throw .EOVERFLOW }; return r
    }

    /// BLKGETSIZE64 (_IOR(0x12, 114, size_t)) and BLKSSZGET (_IO(0x12, 104)), as busybox's
    /// blockdev and fdisk ask.
    override func ioctl(_ request: UInt32, argument: UInt64, caller: any IoctlCaller) throws(Errno) -> Int {
        switch request {
        case 0x8008_1272:
            var b = ABIStructWriter(count: 8)
            b.put(UInt64(size), at: 0)
            try caller.copyOut(b.bytes, to: argument)
            return 0
        case 0x1268:
            try caller.copyOutInt32(512, to: argument)
            return 0
        default: throw .ENOTTY
        }
    }

    /// fsync(2): the posted writes reach the disk and its cache is flushed.
    override func sync() throws(Errno) {
        do { try device.flush() } catch { throw .EIO }
    }
}
