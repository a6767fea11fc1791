// The page cache of one KFS file (K42: each file's FCM caches its blocks; there is no global
// buffer cache). Its pages live in a FileCache clustered object, the same one a tmpfs file's
// pages use (FileSystem/RamFS/FileCache), and are the pages mmap maps (Linux/FileMapping.swift
// through KFSInode.page(at:)), so read(2), write(2) and mappings see the same bytes.
// Filling: a miss reads a run of blocks with one library call (`FileSystem.readBlocks`: one
// virtio request per run contiguous on disk, up to 64 blocks), and a sequential reader gets a
// read-ahead window that doubles up to 64 blocks (256 KiB). Writes go through the library (so fsync's
// durability rules are the library's) and update the pages already cached; they do not fill.
// Mapped pages may be changed behind our back: they stay cached while the file lives and are
// compared with the disk and written back (through the library) at fsync, msync, munmap and
// sync. Every call is made with the file system's kfsLock held (KFSSuperBlock).
import FileSystem
import KFS
import Objects

final class KFSPageCache {
    private var pages: FilePages
    /// Indices of pages handed to an FCM (a mapping may write them): never dropped while the
    /// file lives, written back when they differ from the disk.
    private(set) var mapped: Set<Int> = []
    /// The page after the last read's end (sequential detection) and the read-ahead window.
    private var nextSequential = -1
    private var window = KFSPageCache.minimumWindow
    static let minimumWindow = 4
    static let maximumWindow = 64

    init(detail: String) { pages = FilePages(detail: detail) }

    var count: Int { pages.count }

    /// The file is gone: destroy the cache object.
    func release() { pages.release() }

    /// The page at `index`, read from the disk on a miss together with the following
    /// uncached pages of the read (`wanted` pages in all) or, for a sequential reader, of the
    /// read-ahead window, never past the end of file (`size`). `added` counts new pages.
    func page(_ k: KernelKFS, _ id: UInt32, _ index: Int, wanted: Int, size: UInt64, readAhead: Bool,
              added: inout Int) throws(KFSError) -> RamPage {
        if let page = pages[index] { return page }
        let blocksInFile = Int((size + UInt64(kfsBlockSize) - 1) / UInt64(kfsBlockSize))
        var count = max(1, min(wanted, KFSPageCache.maximumWindow))
        if readAhead { count = max(count, window) }
        count = max(1, min(count, blocksInFile - index))
        var fill: [RamPage] = [RamPage()]
        while fill.count < count, pages[index + fill.count] == nil { fill.append(RamPage()) }
        try k.readBlocks(id, first: UInt32(index), into: fill.map { $0.bytes })
        for (offset, page) in fill.enumerated() { pages[index + offset] = page }
        added += fill.count
        return fill[0]
    }

    /// Sequential detection for a read of pages [first, end): true if it continues the last
    /// read (the window then doubles; a jump resets it).
    func noteRead(first: Int, end: Int) -> Bool {
        let sequential = first == nextSequential || first + 1 == nextSequential
        window = sequential ? min(window * 2, KFSPageCache.maximumWindow) : KFSPageCache.minimumWindow
        nextSequential = end
        return sequential
    }

    /// A page for a mapping: cached or read (zeros past the end of file), and remembered.
    func mappedPage(_ k: KernelKFS, _ id: UInt32, _ index: Int, size: UInt64, create: Bool,
                    added: inout Int) throws(KFSError) -> RamPage? {
        var page = pages[index]
        if page == nil && create {
            let fresh = RamPage()
            try k.readBlocks(id, first: UInt32(index), into: [fresh.bytes])
            pages[index] = fresh
            added += 1
            page = fresh
        }
        if page != nil { mapped.insert(index) }
        return page
    }

    /// After the library wrote `bytes` at `offset`: the cached pages in that range take them.
    func update(offset: UInt64, _ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0, pages.count > 0 else { return }
        var done = 0
        while done < bytes.count {
            let position = offset + UInt64(done)
            let index = Int(position / UInt64(kfsBlockSize))
            let within = Int(position % UInt64(kfsBlockSize))
            let chunk = min(kfsBlockSize - within, bytes.count - done)
            if let page = pages[index] { (page.bytes + within).copyMemory(from: bytes.baseAddress! + done, byteCount: chunk) }
            done += chunk
        }
    }

    /// After a truncate to `size`: pages past it go, the partial last page's tail reads zeros.
    /// Returns how many pages went.
    func truncate(to size: UInt64) -> Int {
        let firstGone = Int((size + UInt64(kfsBlockSize) - 1) / UInt64(kfsBlockSize))
        var removed = 0
        for index in pages.keys where index >= firstGone {
            pages.removeValue(forKey: index)
            mapped.remove(index)
            removed += 1
        }
        let within = Int(size % UInt64(kfsBlockSize))
        if within != 0, let page = pages[Int(size / UInt64(kfsBlockSize))] {
            (page.bytes + within).initializeMemory(as: UInt8.self, repeating: 0, count: kfsBlockSize - within)
        }
        return removed
    }

    /// Drops every page no mapping holds (memory pressure, the instance's page limit).
    /// Returns how many went.
    func dropClean() -> Int {
        var removed = 0
        for index in pages.keys where !mapped.contains(index) {
            pages.removeValue(forKey: index)
            removed += 1
        }
        nextSequential = -1
        return removed
    }

    /// Writes back each mapped page (up to the end of file) whose bytes differ from the file's
    /// on disk, through the library (copy-on-write, committed by the next sync). Returns the
    /// number written.
    func writeBack(_ k: KernelKFS, _ id: UInt32, size: UInt64) throws(KFSError) -> Int {
        guard !mapped.isEmpty else { return 0 }
        let disk = RamPage()
        var written = 0
        for index in mapped.sorted() {
            let offset = UInt64(index) * UInt64(kfsBlockSize)
            guard offset < size, let page = pages[index] else { continue }
            let length = Int(min(UInt64(kfsBlockSize), size - offset))
            try k.readBlocks(id, first: UInt32(index), into: [disk.bytes])
            var same = true
            for i in 0..<length where page.bytes.load(fromByteOffset: i, as: UInt8.self) != disk.bytes.load(fromByteOffset: i, as: UInt8.self) {
                same = false; break
            }
            if same { continue }
            try k.write(id, offset: offset, Array(UnsafeRawBufferPointer(start: page.bytes, count: length)))
            written += 1
        }
        return written
    }
}
