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
    private var pinned: [UInt64: RamPage] = [:]          // page index -> page; guarded by lock

    nonisolated(unsafe) static var registry: [ObjectIdentifier: Unmanaged<FCMFile>] = [:]
    static let registryLock = SpinLock()

    /// The FCM of `inode`, made on first use.
    static func of(_ inode: Inode) -> FCMFile {
        registryLock.withLockIRQSave { () -> FCMFile in
            if let existing = registry[ObjectIdentifier(inode)] { return existing.takeUnretainedValue() }
            let fcm = FCMFile(inode)
            registry[ObjectIdentifier(inode)] = Unmanaged.passUnretained(fcm)
            return fcm
        }
    }

    /// A private FCM of `inode` outside the registry, for execve: its mappings are private (each
    /// process's changes live in the anonymous FCM in front), so nothing needs to find this
    /// object again, and no lookup can race with its last release. Its pages are still the
    /// file's own page-cache pages, shared with every other mapping of the file.
    static func unregistered(_ inode: Inode) -> FCMFile { FCMFile(inode, registered: false) }

    private let registered: Bool

    private init(_ inode: Inode, registered: Bool = true) {
        self.inode = inode
        self.registered = registered
    }

    deinit {
        guard registered else { return }
        let me = Unmanaged.passUnretained(self).toOpaque()
        FCMFile.registryLock.withLockIRQSave {
            if let entry = FCMFile.registry[ObjectIdentifier(inode)], entry.toOpaque() == me {
                _ = FCMFile.registry.removeValue(forKey: ObjectIdentifier(inode))
            }
        }
    }

    private func physical(_ page: RamPage) -> UInt64 { KernelPageTables.physical(of: UnsafeRawPointer(page.bytes)) }

    private func page(_ index: UInt64, create: Bool) -> UInt64? {
        if let p = lock.withLockIRQSave({ pinned[index] }) { return physical(p) }
        guard let page = try? inode.page(at: Int(index), create: create) else { return nil }
        lock.withLockIRQSave { pinned[index] = page }
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
