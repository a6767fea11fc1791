// A ramfs regular file: data in page-sized chunks kept in a table from page index to page, so
// large files work and holes cost nothing (a missing page reads as zeros, as in tmpfs). Pages
// are counted against the RamFS's size limit. The inode's lock guards the table and the size;
// an unlinked file that is still open keeps its pages until the last OpenFile goes away.
import LinuxABI
import Objects
import Platform

/// One page of file data (4096 bytes, zero-filled when made).
public final class RamPage {
    public static let size = 4096
    public let bytes: UnsafeMutableRawPointer
    public init() {
        bytes = UnsafeMutableRawPointer.allocate(byteCount: RamPage.size, alignment: RamPage.size)
        k42_zero_page(bytes)
    }
    /// A page whose every byte the caller writes before anyone else can see it.
    init(uninitialized: Void) {
        bytes = UnsafeMutableRawPointer.allocate(byteCount: RamPage.size, alignment: RamPage.size)
    }
    deinit { bytes.deallocate() }
}

final class RamFile: Inode, @unchecked Sendable {
    private unowned(unsafe) let fs: RamFS
    /// The file's pages, kept by its FileCache object (FileCache/FileCache.swift).
    private var pages: FilePages
    /// The largest file we accept (MAX_LFS_FILESIZE for 4 KiB pages is 2^63-1; we stop at 2^44
    /// so page indices stay small): EFBIG past it.
    static let maximumSize: Int64 = 1 << 44

    init(fs: RamFS, mode: FileMode) {
        self.fs = fs
        pages = FilePages(detail: "")
        super.init(superBlock: fs, mode: mode)
        pages = FilePages(detail: CacheDetail(fs.typeName, inode: inodeNumber))
        fs.inodesInUse.add(1)
    }
    deinit {
        fs.releasePages(pages.count)
        pages.release()
        fs.inodesInUse.add(-1)
    }

    override var allocatedBlocksLocked: Int64 { Int64(pages.count) * Int64(RamPage.size / 512) }

    override func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        lock.lock(); defer { lock.unlock() }
        guard offset < size, buffer.count > 0 else { return 0 }
        let total = Int(min(Int64(buffer.count), size - offset))
        var done = 0
        while done < total {
            let position = offset + Int64(done)
            let index = Int(position / Int64(RamPage.size))
            let within = Int(position % Int64(RamPage.size))
            let chunk = min(RamPage.size - within, total - done)
            let destination = buffer.baseAddress! + done
            if let page = pages[index] {
                destination.copyMemory(from: page.bytes + within, byteCount: chunk)
            } else {
                destination.initializeMemory(as: UInt8.self, repeating: 0, count: chunk)
            }
            done += chunk
        }
        return done
    }

    /// read(2) straight into the caller's memory, one page at a time: the lock covers only the
    /// size and the page table, the copy runs without it (a user copy may fault, IOBuffer.swift),
    /// and the page is held by reference, so a concurrent truncate cannot free it under us.
    override func read(to buffer: IOBuffer, at offset: Int64) throws(Errno) -> Int {
        var done = 0
        while done < buffer.count {
            let position = offset + Int64(done)
            let index = Int(position / Int64(RamPage.size))
            let within = Int(position % Int64(RamPage.size))
            lock.lock()
            let available = size - position
            let page = available > 0 ? pages[index] : nil
            lock.unlock()
            guard available > 0 else { break }
            let chunk = Int(min(Int64(min(RamPage.size - within, buffer.count - done)), available))
            do {
                if let page { try buffer.store(from: page.bytes + within, count: chunk, at: done) }
                else { try buffer.zero(count: chunk, at: done) }
            } catch {
                if done > 0 { break }            // a short read, as Linux's copy_to_user gives
                throw error
            }
            withExtendedLifetime(page) {}
            done += chunk
        }
        return done
    }

    /// write(2) straight from the caller's memory, page by page, copying without the lock as
    /// read does. Linux serialises writers with the inode's sleeping lock, which we do not have,
    /// so two writes racing over the same bytes may interleave page by page, and a truncate
    /// racing with a write may drop a page the write has just filled. O_APPEND writes stay
    /// atomic: they take the locked path (Inode.append).
    override func write(from buffer: IOBuffer, at offset: Int64) throws(Errno) -> Int {
        guard buffer.count > 0 else { return 0 }
        guard offset >= 0, offset < RamFile.maximumSize else { throw .EFBIG }
        let total = Int(min(Int64(buffer.count), RamFile.maximumSize - offset))
        var done = 0
        var failure: Errno? = nil
        while done < total {
            let position = offset + Int64(done)
            let index = Int(position / Int64(RamPage.size))
            let within = Int(position % Int64(RamPage.size))
            let chunk = min(RamPage.size - within, total - done)
            lock.lock()
            var page = pages[index]
            if page == nil && chunk == RamPage.size && fs.reservePages(1) {
                // A whole new page: filled from the caller before it joins the file, so it
                // needs no zeroing first (and a failed copy leaves nothing behind).
                lock.unlock()
                let fresh = RamPage(uninitialized: ())
                do { try buffer.load(into: fresh.bytes, count: chunk, at: done) } catch {
                    fs.releasePages(1)
                    failure = error
                    break
                }
                lock.lock()
                if let raced = pages[index] {        // another writer made it meanwhile: ours wins
                    raced.bytes.copyMemory(from: fresh.bytes, byteCount: RamPage.size)
                    fs.releasePages(1)
                } else {
                    pages[index] = fresh
                }
                lock.unlock()
                done += chunk
                continue
            }
            if page == nil && fs.reservePages(1) {
                let p = RamPage()
                pages[index] = p
                page = p
            }
            lock.unlock()
            guard let page else { failure = .ENOSPC; break }
            do { try buffer.load(into: page.bytes + within, count: chunk, at: done) } catch { failure = error; break }
            withExtendedLifetime(page) {}
            done += chunk
        }
        if done > 0 {
            lock.lock()
            let end = offset + Int64(done)
            if end > size { size = end }
            touchModifiedLocked()
            lock.unlock()
        }
        if done == 0, let failure { throw failure }
        return done
    }

    override func write(from buffer: UnsafeRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        lock.lock(); defer { lock.unlock() }
        return try writeLocked(buffer, at: offset)
    }

    override func append(from buffer: UnsafeRawBufferPointer) throws(Errno) -> (count: Int, end: Int64) {
        lock.lock(); defer { lock.unlock() }
        let n = try writeLocked(buffer, at: size)
        return (n, size)
    }

    private func writeLocked(_ buffer: UnsafeRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        guard buffer.count > 0 else { return 0 }
        guard offset >= 0, offset < RamFile.maximumSize else { throw .EFBIG }
        let total = Int(min(Int64(buffer.count), RamFile.maximumSize - offset))
        var done = 0
        while done < total {
            let position = offset + Int64(done)
            let index = Int(position / Int64(RamPage.size))
            let within = Int(position % Int64(RamPage.size))
            let chunk = min(RamPage.size - within, total - done)
            let page: RamPage
            if let p = pages[index] {
                page = p
            } else {
                guard fs.reservePages(1) else {
                    if done == 0 { throw .ENOSPC }
                    break
                }
                page = RamPage()
                pages[index] = page
            }
            (page.bytes + within).copyMemory(from: buffer.baseAddress! + done, byteCount: chunk)
            done += chunk
        }
        let end = offset + Int64(done)
        if end > size { size = end }
        touchModifiedLocked()
        return done
    }

    override func truncate(to length: Int64) throws(Errno) {
        guard length >= 0 else { throw .EINVAL }
        guard length <= RamFile.maximumSize else { throw .EFBIG }
        lock.lock(); defer { lock.unlock() }
        if length < size {
            let pageSize = Int64(RamPage.size)
            let firstWhole = Int((length + pageSize - 1) / pageSize)
            var freed = 0
            for index in Array(pages.keys) where index >= firstWhole {
                pages.removeValue(forKey: index); freed += 1
            }
            fs.releasePages(freed)
            // Zero the tail of the last partial page, so growing again reads zeros.
            let within = Int(length % pageSize)
            if within != 0, let page = pages[Int(length / pageSize)] {
                (page.bytes + within).initializeMemory(as: UInt8.self, repeating: 0, count: RamPage.size - within)
            }
        }
        size = length
        touchModifiedLocked()
    }

    /// The page holding file offset `index * 4096`, made if `create` (for a future mmap FCM).
    override func page(at index: Int, create: Bool) throws(Errno) -> RamPage? {
        guard index >= 0, Int64(index) < RamFile.maximumSize / Int64(RamPage.size) else { throw .EFBIG }
        lock.lock(); defer { lock.unlock() }
        if let p = pages[index] { return p }
        guard create else { return nil }
        guard fs.reservePages(1) else { throw .ENOSPC }
        let p = RamPage()
        pages[index] = p
        return p
    }

    var pageCount: Int { lock.withLock { pages.count } }

    override func open(flags: OpenFlags) throws(Errno) -> OpenFile { RegularFile(inode: self, flags: flags) }
}
