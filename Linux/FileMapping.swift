// The FCM of a file (K42 paper section 4: mmap of a file maps that file's FCM): its pages are
// the file's own page-cache pages (ramfs RamPages, each a 4 KiB frame reached through the direct
// map), so a MAP_SHARED mapping, read(2) and write(2) all see the same bytes. A private mapping
// puts an anonymous FCM in front (copy-on-write, Memory/AddressSpace/FCM.swift). One FCMFile per
// file, shared by all its mappings; it keeps the pages it handed out alive while it lives.
import FileSystem
import LinuxABI
import Memory
import Objects

final class FCMFile: FCM {
    let inode: Inode
    private let lock = SpinLock()
    private var pinned = IntMap<RamPage>()               // page index -> page; guarded by lock

    /// Every file's FCM, found by its inode. The registry holds each strongly, and every new
    /// reference to a registered FCMFile is made under registryLock (in `of`), so an entry whose
    /// only reference is the registry's can be dropped safely: nobody can be taking it at that
    /// moment. (Holding them unretained let a lookup resurrect an object whose last release was
    /// already running on another CPU: a use-after-free panic under load.)
    nonisolated(unsafe) static var registry: [ObjectIdentifier: FCMFile] = [:]
    static let registryLock = SpinLock()

    /// The FCM of `inode`, made on first use. Also drops registered FCMs no mapping uses any
    /// more (their last references are released after the lock, so no deinit runs under it).
    static func of(_ inode: Inode) -> FCMFile {
        var unused: [FCMFile] = []
        let fcm = registryLock.withLockIRQSave { () -> FCMFile in
            unused = takeUnusedLocked()
            if let existing = registry[ObjectIdentifier(inode)] { return existing }
            let fcm = FCMFile(inode)
            registry[ObjectIdentifier(inode)] = fcm
            return fcm
        }
        unused.removeAll()
        return fcm
    }

    /// Drops every registered FCM no mapping holds (say at process exit), so an unlinked file's
    /// pages do not wait for the next mmap to be freed.
    static func dropUnused() {
        var unused = registryLock.withLockIRQSave { takeUnusedLocked() }
        unused.removeAll()
    }

    /// Removes the entries only the registry references and hands them back. Caller holds
    /// registryLock.
    private static func takeUnusedLocked() -> [FCMFile] {
        var unused: [FCMFile] = []
        for key in Array(registry.keys) where isKnownUniquelyReferenced(&registry[key]!) {
            if let fcm = registry.removeValue(forKey: key) { unused.append(fcm) }
        }
        return unused
    }

    /// A private FCM of `inode` outside the registry, for execve: its mappings are private (each
    /// process's changes live in the anonymous FCM in front), so nothing needs to find this
    /// object again. Its pages are still the file's own page-cache pages, shared with every
    /// other mapping of the file.
    static func unregistered(_ inode: Inode) -> FCMFile { FCMFile(inode) }

    private init(_ inode: Inode) {
        self.inode = inode
    }

    private func physical(_ page: RamPage) -> UInt64 { KernelPageTables.physical(of: UnsafeRawPointer(page.bytes)) }

    private func page(_ index: UInt64, create: Bool) -> UInt64? {
        if let p = lock.withLockIRQSave({ pinned[Int(index)] }) { return physical(p) }
        guard let page = try? inode.page(at: Int(index), create: create) else { return nil }
        lock.withLockIRQSave { pinned[Int(index)] = page }
        return physical(page)
    }

    override func cachedPage(_ index: UInt64) -> UInt64? { page(index, create: false) }

    override func pageForRead(_ index: UInt64) -> (physical: UInt64, owned: Bool)? {
        page(index, create: true).map { ($0, true) }
    }

    override func pageForWrite(_ index: UInt64) -> UInt64? { page(index, create: true) }

    override var residentPages: Int { lock.withLockIRQSave { pinned.count } }

    override func isBeyondEnd(_ index: UInt64) -> Bool {
        Int64(index) * 4096 >= inode.currentSize
    }
}
