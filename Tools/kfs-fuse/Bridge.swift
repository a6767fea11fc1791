// The state kfs-fuse shares between libfuse's callbacks (which are C function pointers and so
// cannot capture anything): the mounted file system, one lock serializing every callback with
// the periodic commit thread, and the conversions between C paths, KFS ids and struct stat.

import CFuse3
import Glibc
import KFS

typealias Mounted = FileSystem<FileBlockDevice>

/// The one mounted file system (set before fuse_main, used only under `bigLock`).
nonisolated(unsafe) var mounted: Mounted!
nonisolated(unsafe) var bigLock = pthread_mutex_t()

/// Runs a callback body under the lock and turns a KFS error into libfuse's -errno.
func locked(_ body: () throws(KFSError) -> Int32) -> Int32 {
    pthread_mutex_lock(&bigLock)
    defer { pthread_mutex_unlock(&bigLock) }
    do { return try body() } catch { return -error.errno }
}

/// Bytes of a NUL-terminated C string.
func bytes(_ string: UnsafePointer<CChar>?) -> [UInt8] {
    guard let string else { return [] }
    return Array(UnsafeRawBufferPointer(start: string, count: strlen(string)))
}

/// Id of the element at `path` (an absolute path inside the mount).
func resolve(_ path: UnsafePointer<CChar>?) throws(KFSError) -> UInt32 {
    try mounted.resolve(bytes(path))
}

/// The directory id and last name of `path`.
func parentAndName(_ path: UnsafePointer<CChar>?) throws(KFSError) -> (UInt32, [UInt8]) {
    let all = bytes(path)
    guard let slash = all.lastIndex(of: 0x2F) else { throw .invalid }
    let name = Array(all[(slash + 1)...])
    guard !name.isEmpty else { throw .invalid }
    return (try mounted.resolve(Array(all[..<slash])), name)
}

/// The id an open file handle carries, or the path's.
func handleOrPath(_ path: UnsafePointer<CChar>?, _ info: UnsafeMutablePointer<fuse_file_info>?) throws(KFSError) -> UInt32 {
    if let info, info.pointee.fh != 0 { return UInt32(truncatingIfNeeded: info.pointee.fh) }
    return try resolve(path)
}

func timespecFrom(_ nanoseconds: Int64) -> timespec {
    var seconds = nanoseconds / 1_000_000_000
    var rest = nanoseconds % 1_000_000_000
    if rest < 0 { rest += 1_000_000_000; seconds -= 1 }
    return timespec(tv_sec: Int(seconds), tv_nsec: Int(rest))
}

func fill(_ out: UnsafeMutablePointer<stat>, _ stat: ElementStat) {
    memset(out, 0, MemoryLayout<Glibc.stat>.size)
    out.pointee.st_ino = UInt(stat.id)
    out.pointee.st_mode = stat.mode
    out.pointee.st_nlink = UInt(stat.nlink)
    out.pointee.st_uid = stat.uid
    out.pointee.st_gid = stat.gid
    out.pointee.st_size = Int(stat.size)
    out.pointee.st_blocks = Int(stat.blocks)
    out.pointee.st_blksize = kfsBlockSize
    out.pointee.st_atim = timespecFrom(stat.atimeNs)
    out.pointee.st_mtim = timespecFrom(stat.mtimeNs)
    out.pointee.st_ctim = timespecFrom(stat.ctimeNs)
}

/// Copies `data` into a C buffer of `size` bytes; returns the count copied.
func copyOut(_ data: [UInt8], _ buffer: UnsafeMutablePointer<CChar>?, _ size: Int) -> Int {
    let count = min(size, data.count)
    guard let buffer, count > 0 else { return 0 }
    data.withUnsafeBytes { _ = memcpy(buffer, $0.baseAddress!, count) }
    return count
}

/// read(2) of `count` bytes at `offset`: the blocks it covers in one `readBlocks` call (one
/// preadv of the image per run contiguous on disk, FileBlockDevice), then the slice asked for.
func readRun(_ id: UInt32, _ offset: UInt64, _ buffer: UnsafeMutablePointer<CChar>?, _ count: Int) throws(KFSError) -> Int {
    let size = try mounted.fileSize(id)
    guard let buffer, count > 0, offset < size else { return 0 }
    let end = min(size, offset + UInt64(count))
    let blockSize = UInt64(kfsBlockSize)
    let first = offset / blockSize, blocks = Int((end + blockSize - 1) / blockSize - first)
    let pages = UnsafeMutableRawPointer.allocate(byteCount: blocks * kfsBlockSize, alignment: kfsBlockSize)
    defer { pages.deallocate() }
    try mounted.readBlocks(id, first: UInt32(first), into: (0..<blocks).map { pages + $0 * kfsBlockSize })
    _ = memcpy(buffer, pages + Int(offset - first * blockSize), Int(end - offset))
    return Int(end - offset)
}

/// The extended attribute through which kfs-fuse shows which implementation serves a file.
let implementationAttribute = "user.kfs.implementation"

/// Commits every `seconds`, as K42's KFS flushed on a timer, so an unsynced write is lost to a
/// crash only for a few seconds.
func startCommitThread(every seconds: UInt32) {
    guard seconds > 0 else { return }
    var thread = pthread_t()
    let boxed = UnsafeMutableRawPointer(bitPattern: UInt(seconds))
    pthread_create(&thread, nil, { argument in
        let interval = UInt32(UInt(bitPattern: argument))
        while true {
            sleep(interval)
            _ = locked { () throws(KFSError) in try mounted.sync(); return 0 }
        }
    }, boxed)
    pthread_detach(thread)
}

/// readdir: ".", "..", then every entry, all at offset 0 (libfuse buffers the whole listing).
func fillDirectory(_ path: UnsafePointer<CChar>?, _ buffer: UnsafeMutableRawPointer?,
                   _ filler: fuse_fill_dir_t?) -> Int32 {
    locked { () throws(KFSError) in
        guard let filler else { throw .invalid }
        let entries = try mounted.readdir(try resolve(path))
        var names: [[UInt8]] = [[0x2E], [0x2E, 0x2E]]
        for entry in entries { names.append(entry.name) }
        for var name in names {
            name.append(0)
            let full = name.withUnsafeBytes { raw -> Int32 in
                filler(buffer, raw.baseAddress!.assumingMemoryBound(to: CChar.self), nil, 0, fuse_fill_dir_flags(rawValue: 0))
            }
            if full != 0 { break }
        }
        return 0
    }
}
