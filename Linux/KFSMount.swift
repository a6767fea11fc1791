// KFS under the VFS: a mounted KFS instance (KFS/, docs/kfs.md) as a `SuperBlock`, its
// elements as `Inode`s, on a virtio-blk disk (Arch/x86_64/VirtioBlock.swift). Every inode
// method is one call into the library's `FileSystem<VirtioBlockDevice>`, by element id.
//
// Locking: the KFS library is not thread-safe, so each mounted instance has ONE lock
// (`KFSSuperBlock.kfsLock`, a spin lock: the kernel does not preempt kernel code, and a
// sleeping lock could be taken under the VFS's spin locks, such as the rename lock). It is
// held across each library call, disk I/O included, and guards `inodes` too; no other lock is
// taken under it except an inode's attribute `lock` (refresh) and the device's queue lock.
// Caching: no buffer cache here; the library keeps each element's object (record, directory
// entries, inline data, extent list) in memory, and each file's data pages are cached by its
// own KFSPageCache (Linux/KFSPageCache.swift), which mmap maps too.
// Mounting, the block-device nodes and /proc/kfs: Linux/KFSMounts.swift.
// Identity: one `KFSInode` per element while anything holds it (the VFS name cache, an open
// file), found through `inodes`, so hard links and repeated lookups share attributes.
// Unlinked-but-open files: the library frees an element with its last name, so the last name
// of a file that is open moves to `/.kfs-orphans/ID` instead, and goes at the last close
// (or at the next mount after a crash).
import FileSystem
import struct FileSystem.DirectoryEntry   // the VFS's, not KFS's DirectoryEntry
import KFS
import LinuxABI
import Objects
import Synchronization

typealias KernelKFS = KFS.FileSystem<VirtioBlockDevice>

/// The KFS error as the errno programs see (KFSError.errno follows Linux's numbering).
func kfsErrno(_ error: KFSError) -> Errno { Errno(rawValue: error.errno) ?? .EIO }

final class KFSSuperBlock: SuperBlock, @unchecked Sendable {
    /// "KFS1": f_type in statfs (KFS has no Linux magic number of its own).
    static let magicNumber: Int64 = 0x4B46_5331
    static let orphanDirectoryName: [UInt8] = Array(".kfs-orphans".utf8)

    let kfs: KernelKFS
    let blockDevice: VirtioBlockDevice
    /// Serializes every call into `kfs` and guards `inodes` and `orphanDirectory`.
    let kfsLock = SpinLock()
    /// Live inode objects by element id (under kfsLock).
    private var inodes: [UInt32: KFSInode] = [:]
    private var orphanDirectory: UInt32? = nil
    /// File data pages cached by this instance's files (under kfsLock), and the most it keeps:
    /// past it, a fill first drops every file's unmapped pages.
    private(set) var cachedPages = 0
    static let cachedPageLimit = 16384          // 64 MiB

    init(device: VirtioBlockDevice, deviceNumber: DeviceNumber, clock: FileSystemClock) throws(KFSError) {
        blockDevice = device
        kfs = try KernelKFS(mounting: device)
        kfs.clock = { Int64(WallClock.nowNanoseconds()) }
        super.init(typeName: "kfs", magic: KFSSuperBlock.magicNumber, device: deviceNumber, clock: clock,
                   nameCache: NameCache())
        kfsLock.lock()
        setRoot(inodeLocked(kfsRootID, kind: .directory))
        removeOrphansLocked()
        kfsLock.unlock()
    }

    /// Runs one library call under the instance lock, mapping its error to an errno.
    func withKFS<T>(_ body: (KernelKFS) throws(KFSError) -> T) throws(Errno) -> T {
        kfsLock.lock(); defer { kfsLock.unlock() }
        do { return try body(kfs) } catch { throw kfsErrno(error) }
    }

    /// The inode object for element `id` (made on first use). kfsLock held.
    func inodeLocked(_ id: UInt32, kind: ElementKind) -> KFSInode {
        if let inode = inodes[id] { return inode }
        let inode = KFSInode(fs: self, id: id, kind: kind)
        inodes[id] = inode
        if let s = try? kfs.stat(id) { inode.refresh(s) }
        return inode
    }

    /// After a change to element `id`: refreshes its inode's attributes, or forgets the inode
    /// if the element is gone (its last link went). kfsLock held.
    func refreshLocked(_ id: UInt32) {
        guard let inode = inodes[id] else { return }
        if let s = try? kfs.stat(id) {
            inode.refresh(s)
        } else {
            inode.lock.withLock { inode.linkCount = 0 }
            cachedPages -= inode.cache.count
            inodes[id] = nil
        }
    }

    /// Whether `inode` is still the live inode of its element (not one whose element went).
    func inodeIsLiveLocked(_ inode: KFSInode) -> Bool { inodes[inode.id] === inode }

    /// Whether removing one link of `id` would free an element that an open file still uses.
    func wouldFreeOpenElementLocked(_ id: UInt32) -> Bool {
        guard let inode = inodes[id], inode.openCount.load() > 0 else { return false }
        return ((try? kfs.stat(id).nlink) ?? 0) <= 1 && inode.kind != .directory
    }

    /// Moves the entry `name` of `directory` (element `id`) into the orphan directory.
    func orphanLocked(directory: UInt32, name: [UInt8], id: UInt32) throws(KFSError) {
        let orphans: UInt32
        if let o = orphanDirectory { orphans = o } else {
            do { orphans = try kfs.lookup(kfsRootID, KFSSuperBlock.orphanDirectoryName) }
            catch { orphans = try kfs.create(kfsRootID, KFSSuperBlock.orphanDirectoryName, .directory, mode: 0o700) }
            orphanDirectory = orphans
        }
        try kfs.rename(directory, name, orphans, Array(String(id).utf8))
        inodes[id]?.orphaned = true
        refreshLocked(directory)
    }

    /// The last close of an orphaned file: its element goes now.
    func releaseOrphan(_ id: UInt32) {
        kfsLock.lock(); defer { kfsLock.unlock() }
        guard let orphans = orphanDirectory else { return }
        do { try kfs.unlink(orphans, Array(String(id).utf8)) } catch { klog("kfs: cannot free orphan \(id) (\(error.name))") }
        refreshLocked(id)
    }

    /// Orphans left by a crash or an unclean unmount. kfsLock held.
    private func removeOrphansLocked() {
        guard !kfs.readOnly, let orphans = try? kfs.lookup(kfsRootID, KFSSuperBlock.orphanDirectoryName),
              let entries = try? kfs.readdir(orphans) else { return }
        for e in entries { _ = try? kfs.unlink(orphans, e.name) }
        if !entries.isEmpty { klog("kfs: removed \(entries.count) orphaned file(s)") }
        orphanDirectory = orphans
    }

    /// sync(2) for this instance: write back mapped pages, commit the snapshot (the library
    /// flushes the device), and trim the page caches if they are over the limit.
    func sync() throws(Errno) {
        try withKFS { (k: KernelKFS) throws(KFSError) in
            for inode in inodes.values where inode.kind == .file { try inode.writeBackLocked(k) }
            try k.sync()
            if cachedPages > KFSSuperBlock.cachedPageLimit / 2 { dropCleanPagesLocked() }
        }
    }

    /// Page-cache accounting (kfsLock held): `delta` pages added (negative: removed).
    func accountPagesLocked(_ delta: Int) {
        cachedPages += delta
        if cachedPages > KFSSuperBlock.cachedPageLimit { dropCleanPagesLocked() }
    }

    /// Drops the unmapped cached pages of every file (kfsLock held).
    func dropCleanPagesLocked() {
        for inode in inodes.values where inode.kind == .file { cachedPages -= inode.cache.dropClean() }
    }

    override func statfs() -> StatFS {
        var s = super.statfs()
        let k = kfsLock.withLock { kfs.statfs() }
        s.blockSize = Int64(k.blockSize)
        s.fragmentSize = Int64(k.blockSize)
        s.blocks = k.totalBlocks
        s.freeBlocks = k.freeBlocks
        s.availableBlocks = k.freeBlocks
        s.files = k.totalElements
        s.freeFiles = k.freeElements
        s.nameLength = Int64(k.nameMax)
        return s
    }

    /// "ID implementation" for each element with a live inode (the /proc/kfs listing).
    func implementationsText() -> String {
        kfsLock.lock(); defer { kfsLock.unlock() }
        var out = ""
        for id in inodes.keys.sorted() {
            guard let name = try? kfs.implementationName(of: id) else { continue }
            out += "\(id) \(name)\n"
        }
        return out
    }
}

/// One KFS element (file, directory or symlink) as a VFS inode.
final class KFSInode: Inode, @unchecked Sendable {
    unowned(unsafe) let fs: KFSSuperBlock
    let id: UInt32
    let kind: ElementKind
    /// Open files of this inode (orphan handling).
    let openCount = SharedAtomic(0)
    /// Its last name was moved to the orphan directory (under fs.kfsLock).
    var orphaned = false
    /// The file's data pages (under fs.kfsLock; empty for directories and symlinks).
    let cache: KFSPageCache

    init(fs: KFSSuperBlock, id: UInt32, kind: ElementKind) {
        self.fs = fs
        self.id = id
        self.kind = kind
        cache = KFSPageCache(detail: "kfs \(fs.blockDevice.name) element \(id)")
        super.init(superBlock: fs, mode: FileMode(rawValue: kind.modeType | 0o644), inodeNumber: UInt64(id))
    }
    deinit { cache.release() }

    /// Copies the element's attributes into the VFS inode's fields.
    func refresh(_ s: ElementStat) {
        lock.withLock {
            mode = FileMode(rawValue: s.mode)
            linkCount = UInt64(s.nlink)
            uid = s.uid; gid = s.gid
            size = Int64(s.size)
            accessTime = Timespec(totalNanoseconds: s.atimeNs)
            modificationTime = Timespec(totalNanoseconds: s.mtimeNs)
            changeTime = Timespec(totalNanoseconds: s.ctimeNs)
        }
    }

    private func child(_ id: UInt32) -> KFSInode {
        let kind = (try? fs.kfs.stat(id).kind) ?? .file
        return fs.inodeLocked(id, kind: kind)
    }

    // MARK: attributes

    override var allocatedBlocks: Int64 {
        Int64((try? fs.withKFS { (k: KernelKFS) throws(KFSError) in try k.stat(id).blocks }) ?? 0)
    }

    override func stat() -> Stat {
        if let s = try? fs.withKFS({ (k: KernelKFS) throws(KFSError) in try k.stat(id) }) { refresh(s) }
        var s = super.stat()
        s.blocks = allocatedBlocks          // KFS's own count, asked outside the inode lock
        return s
    }

    override func changeMode(_ permissions: UInt32) throws(Errno) {
        try fs.withKFS { (k: KernelKFS) throws(KFSError) in
            try k.chmod(id, mode: permissions & 0o7777)
            fs.refreshLocked(id)
        }
    }

    override func changeOwner(uid newUID: UInt32?, gid newGID: UInt32?) throws(Errno) {
        try fs.withKFS { (k: KernelKFS) throws(KFSError) in
            try k.chown(id, uid: newUID, gid: newGID)
            // chown(2) clears set-user-ID and set-group-ID on regular files.
            let mode = try k.stat(id).mode
            if kind == .file && (newUID != nil || newGID != nil) && mode & 0o6000 != 0 {
                try k.chmod(id, mode: mode & 0o1777)
            }
            fs.refreshLocked(id)
        }
    }

    override func updateTimes(access: TimeUpdate, modification: TimeUpdate) throws(Errno) {
        let now = Int64(WallClock.nowNanoseconds())
        func nanoseconds(_ u: TimeUpdate) -> Int64? {
            switch u {
            case .omit: return nil
            case .now: return now
            case .set(let t): return t.seconds &* 1_000_000_000 &+ t.nanoseconds
            }
        }
        try fs.withKFS { (k: KernelKFS) throws(KFSError) in
            try k.setTimes(id, accessNs: nanoseconds(access), modifyNs: nanoseconds(modification))
            fs.refreshLocked(id)
        }
    }

    // MARK: directories

    override var parentDirectory: Inode? {
        guard kind == .directory, id != kfsRootID else { return nil }
        return try? fs.withKFS { (k: KernelKFS) throws(KFSError) -> Inode in
            fs.inodeLocked(try k.lookup(id, [0x2E, 0x2E]), kind: .directory)
        }
    }

    override var nameInParent: [UInt8]? {
        guard kind == .directory, id != kfsRootID else { return nil }
        return try? fs.withKFS { (k: KernelKFS) throws(KFSError) -> [UInt8] in
            let parent = try k.lookup(id, [0x2E, 0x2E])
            for e in try k.readdir(parent) where e.id == id { return e.name }
            throw .notFound
        }
    }

    override var isEmptyDirectory: Bool {
        ((try? fs.withKFS { (k: KernelKFS) throws(KFSError) in try k.readdir(id).isEmpty }) ?? false)
    }

    override func lookup(_ name: [UInt8]) throws(Errno) -> Inode {
        try fs.withKFS { (k: KernelKFS) throws(KFSError) -> Inode in child(try k.lookup(id, name)) }
    }

    override func createNode(_ name: [UInt8], mode: FileMode, device: DeviceNumber, uid: UInt32, gid: UInt32) throws(Errno) -> Inode {
        guard mode.type == .regular else { throw .EPERM }     // no device nodes, fifos or sockets in KFS v1
        return try create(name, .file, mode: mode.rawValue, uid: uid, gid: gid, kind: .file)
    }

    override func makeDirectory(_ name: [UInt8], mode: FileMode, uid: UInt32, gid: UInt32) throws(Errno) -> Inode {
        try create(name, .directory, mode: mode.rawValue, uid: uid, gid: gid, kind: .directory)
    }

    override func makeSymlink(_ name: [UInt8], target: [UInt8], uid: UInt32, gid: UInt32) throws(Errno) -> Inode {
        try create(name, .symlink(target: target), mode: 0o777, uid: uid, gid: gid, kind: .symlink)
    }

    private func create(_ name: [UInt8], _ what: NewElement, mode: UInt32, uid: UInt32, gid: UInt32, kind: ElementKind) throws(Errno) -> Inode {
        try fs.withKFS { (k: KernelKFS) throws(KFSError) -> Inode in
            let newID = try k.create(id, name, what, mode: mode & 0o7777, uid: uid, gid: gid)
            fs.refreshLocked(id)
            return fs.inodeLocked(newID, kind: kind)
        }
    }

    override func link(_ name: [UInt8], to inode: Inode) throws(Errno) {
        guard let target = inode as? KFSInode, target.fs === fs else { throw .EXDEV }
        try fs.withKFS { (k: KernelKFS) throws(KFSError) in
            try k.link(target.id, id, name)
            fs.refreshLocked(target.id)
            fs.refreshLocked(id)
        }
    }

    override func unlink(_ name: [UInt8]) throws(Errno) {
        try fs.withKFS { (k: KernelKFS) throws(KFSError) in
            let target = try k.lookup(id, name)
            if try k.stat(target).kind == .directory { throw .isDirectory }
            if fs.wouldFreeOpenElementLocked(target) {
                try fs.orphanLocked(directory: id, name: name, id: target)
            } else {
                try k.unlink(id, name)
            }
            fs.refreshLocked(target)
            fs.refreshLocked(id)
        }
    }

    override func removeDirectory(_ name: [UInt8]) throws(Errno) {
        try fs.withKFS { (k: KernelKFS) throws(KFSError) in
            let target = try k.lookup(id, name)
            try k.rmdir(id, name)
            fs.refreshLocked(target)
            fs.refreshLocked(id)
        }
    }

    override func rename(_ oldName: [UInt8], to newDirectory: Inode, as newName: [UInt8], flags: RenameFlags) throws(Errno) {
        guard let target = newDirectory as? KFSInode, target.fs === fs else { throw .EXDEV }
        if flags.contains(.RENAME_EXCHANGE) { throw .EINVAL }      // not in KFS v1
        try fs.withKFS { (k: KernelKFS) throws(KFSError) in
            let moving = try k.lookup(id, oldName)
            let replaced = try? k.lookup(target.id, newName)
            if let r = replaced, r != moving, !flags.contains(.RENAME_NOREPLACE), fs.wouldFreeOpenElementLocked(r) {
                try fs.orphanLocked(directory: target.id, name: newName, id: r)
            }
            try k.rename(id, oldName, target.id, newName, noReplace: flags.contains(.RENAME_NOREPLACE))
            if let r = replaced { fs.refreshLocked(r) }
            fs.refreshLocked(moving)
            fs.refreshLocked(id)
            fs.refreshLocked(target.id)
        }
    }

    override func readDirectory(after cookie: Int64, _ body: (DirectoryEntry) -> Bool) throws(Errno) {
        // Cookies are 3 + the entry's index in the library's listing (1 and 2 are "." and "..").
        let entries = try fs.withKFS { (k: KernelKFS) throws(KFSError) in try k.readdir(id) }
        var index = max(0, Int(cookie) - 2)
        while index < entries.count {
            let e = entries[index]
            let type: FileType = e.kind == .directory ? .directory : (e.kind == .symlink ? .symlink : .regular)
            if !body(DirectoryEntry(name: e.name, inodeNumber: UInt64(e.id), type: type, cookie: Int64(index + 3))) { return }
            index += 1
        }
    }

    // MARK: symlinks and data

    override func readlink() throws(Errno) -> [UInt8] {
        try fs.withKFS { (k: KernelKFS) throws(KFSError) in try k.readlink(id) }
    }

    /// Data reads go through the file's page cache, up to 16 pages per lock round trip: under
    /// kfsLock the pages are found (or read, with the rest of the run and read-ahead), and the
    /// copy out runs without the lock (a user copy may fault, and the pages are held by
    /// reference, so a truncate or trim cannot free them under us).
    private func readPages(at offset: Int64, count: Int,
                           _ copy: (RamPage, _ within: Int, _ chunk: Int, _ done: Int) throws(Errno) -> Void) throws(Errno) -> Int {
        guard offset >= 0 else { throw .EINVAL }
        guard count > 0 else { return 0 }
        let pageSize = Int64(kfsBlockSize)
        let firstIndex = Int(offset / pageSize)
        let endIndex = Int((offset + Int64(count) + pageSize - 1) / pageSize)
        let sequential = fs.kfsLock.withLock { cache.noteRead(first: firstIndex, end: endIndex) }
        var done = 0
        var batch: [RamPage] = []
        batch.reserveCapacity(16)
        while done < count {
            let position = offset + Int64(done)
            let index = Int(position / pageSize)
            batch.removeAll(keepingCapacity: true)
            let size = try fs.withKFS { (k: KernelKFS) throws(KFSError) -> Int64 in
                let size = Int64(try k.fileSize(id))
                let last = min(endIndex, Int((size + pageSize - 1) / pageSize), index + 16)
                var added = 0
                var i = index
                while i < last {
                    batch.append(try cache.page(k, id, i, wanted: endIndex - i, size: UInt64(size),
                                                readAhead: sequential, added: &added))
                    i += 1
                }
                if added > 0 { fs.accountPagesLocked(added) }
                return size
            }
            guard position < size, !batch.isEmpty else { break }
            var failed = false
            for page in batch {
                let at = offset + Int64(done)
                let within = Int(at % pageSize)
                let chunk = Int(min(Int64(min(kfsBlockSize - within, count - done)), size - at))
                guard chunk > 0 else { break }
                do { try copy(page, within, chunk, done) } catch {
                    if done > 0 { failed = true; break }     // a short read, as Linux's copy_to_user gives
                    throw error
                }
                done += chunk
            }
            if failed { break }
        }
        withExtendedLifetime(batch) {}
        return done
    }

    override func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        try readPages(at: offset, count: buffer.count) { (page: RamPage, within: Int, chunk: Int, done: Int) throws(Errno) in
            (buffer.baseAddress! + done).copyMemory(from: page.bytes + within, byteCount: chunk)
        }
    }

    override func read(to buffer: IOBuffer, at offset: Int64) throws(Errno) -> Int {
        try readPages(at: offset, count: buffer.count) { (page: RamPage, within: Int, chunk: Int, done: Int) throws(Errno) in
            try buffer.store(from: page.bytes + within, count: chunk, at: done)
        }
    }

    override func write(from buffer: UnsafeRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        guard offset >= 0 else { throw .EINVAL }
        let bytes = Array(buffer)
        return try fs.withKFS { (k: KernelKFS) throws(KFSError) -> Int in
            let n = try k.write(id, offset: UInt64(offset), bytes)
            cache.update(offset: UInt64(offset), UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            fs.refreshLocked(id)
            return n
        }
    }

    override func append(from buffer: UnsafeRawBufferPointer) throws(Errno) -> (count: Int, end: Int64) {
        let bytes = Array(buffer)
        return try fs.withKFS { (k: KernelKFS) throws(KFSError) -> (count: Int, end: Int64) in
            let end = try k.fileSize(id)
            let n = try k.write(id, offset: end, bytes)
            cache.update(offset: end, UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            fs.refreshLocked(id)
            return (n, Int64(end) + Int64(n))
        }
    }

    override func truncate(to length: Int64) throws(Errno) {
        guard length >= 0 else { throw .EINVAL }
        try fs.withKFS { (k: KernelKFS) throws(KFSError) in
            try k.truncate(id, size: UInt64(length))
            fs.accountPagesLocked(-cache.truncate(to: UInt64(length)))
            fs.refreshLocked(id)
        }
    }

    /// mmap: the page at `index` from the page cache (a hole or the part past the end of file
    /// reads as zeros); it stays cached while the file lives and is written back if changed.
    override func page(at index: Int, create: Bool) throws(Errno) -> RamPage? {
        guard kind == .file else { throw .ENODEV }
        guard index >= 0, UInt64(index) < kfsMaxFileSize / UInt64(kfsBlockSize) else { throw .EFBIG }
        return try fs.withKFS { (k: KernelKFS) throws(KFSError) -> RamPage? in
            var added = 0
            let page = try cache.mappedPage(k, id, index, size: try k.fileSize(id), create: create, added: &added)
            if added > 0 { fs.accountPagesLocked(added) }
            return page
        }
    }

    /// Writes changed mapped pages back into the library (kfsLock held).
    func writeBackLocked(_ k: KernelKFS) throws(KFSError) {
        guard !cache.mapped.isEmpty, fs.inodeIsLiveLocked(self) else { return }
        if try cache.writeBack(k, id, size: try k.fileSize(id)) > 0 { fs.refreshLocked(id) }
    }

    /// munmap and msync(MS_ASYNC): changed mapped pages go into the file (committed by the
    /// next fsync or sync, like Linux's dirty pages).
    override func writeBackMappedPages() throws(Errno) {
        try fs.withKFS { (k: KernelKFS) throws(KFSError) in try writeBackLocked(k) }
    }

    /// fsync(2): KFS commits the whole snapshot (docs/kfs.md "Limits").
    override func sync() throws(Errno) {
        try fs.withKFS { (k: KernelKFS) throws(KFSError) in
            try writeBackLocked(k)
            try k.fsync(id)
        }
    }

    override func open(flags: OpenFlags) throws(Errno) -> OpenFile {
        switch kind {
        case .directory: return DirectoryFile(inode: self, flags: flags)
        case .file: return KFSFile(inode: self, flags: flags)
        case .symlink: throw .ELOOP
        }
    }
}

/// An open KFS file: a RegularFile that keeps its element alive while open.
final class KFSFile: RegularFile, @unchecked Sendable {
    init(inode: KFSInode, flags: OpenFlags) {
        inode.openCount.add(1)
        super.init(inode: inode, flags: flags)
    }
    deinit {
        guard let k = inode as? KFSInode else { return }
        let remaining = k.openCount.value.wrappingSubtract(1, ordering: .relaxed).newValue
        if remaining == 0 && k.fs.kfsLock.withLock({ k.orphaned }) { k.fs.releaseOrphan(k.id) }
    }
}
