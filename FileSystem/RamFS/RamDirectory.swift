// A ramfs directory: a hash table from name to inode plus a cookie per entry (its getdents
// offset, increasing in insertion order, so a listing resumes correctly after changes).
// Directory link counts follow Linux: 2 + subdirectories. Guarded by the directory's lock;
// a child's lock is taken inside its parent's (never the reverse).
import LinuxABI
import Objects

final class RamDirectory: Inode, @unchecked Sendable {
    struct Entry {
        var inode: Inode
        var cookie: Int64
    }
    private unowned(unsafe) let fs: RamFS
    private var entries: [[UInt8]: Entry] = [:]
    /// (cookie, name) in increasing cookie order, for readDirectory.
    private var order: [(cookie: Int64, name: [UInt8])] = []
    private var nextCookie: Int64 = 3          // 1 and 2 are "." and ".."
    private var parent: RamDirectory?
    private var name: [UInt8]?

    init(fs: RamFS, mode: FileMode, parent: RamDirectory?, name: [UInt8]?) {
        self.fs = fs
        self.parent = parent
        self.name = name
        super.init(superBlock: fs, mode: mode, linkCount: 2)
        fs.inodesInUse.add(1)
    }
    deinit { fs.inodesInUse.add(-1) }

    override var parentDirectory: Inode? { lock.withLock { parent } }
    override var nameInParent: [UInt8]? { lock.withLock { name } }
    override var isEmptyDirectory: Bool { lock.withLock { entries.isEmpty } }
    override var allocatedBlocksLocked: Int64 { 0 }

    override func lookup(_ name: [UInt8]) throws(Errno) -> Inode {
        lock.lock(); defer { lock.unlock() }
        guard linkCount > 0 else { throw .ENOENT }
        guard let e = entries[name] else { throw .ENOENT }
        return e.inode
    }

    /// Adds an entry; EEXIST if taken; ENOENT if this directory was removed. Lock held.
    private func insertLocked(_ name: [UInt8], _ inode: Inode) throws(Errno) {
        guard linkCount > 0 else { throw .ENOENT }
        guard entries[name] == nil else { throw .EEXIST }
        entries[name] = Entry(inode: inode, cookie: nextCookie)
        order.append((cookie: nextCookie, name: name))
        nextCookie += 1
        touchModifiedLocked()
    }

    /// Drops an entry from the table and the order list. Lock held.
    private func removeLocked(_ name: [UInt8]) {
        guard let e = entries.removeValue(forKey: name) else { return }
        if let i = orderIndex(of: e.cookie) { order.remove(at: i) }
        touchModifiedLocked()
    }

    private func orderIndex(of cookie: Int64) -> Int? {
        var lo = 0, hi = order.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if order[mid].cookie < cookie { lo = mid + 1 } else { hi = mid }
        }
        return lo < order.count && order[lo].cookie == cookie ? lo : nil
    }

    private func withMode(_ mode: FileMode, type: FileMode) -> FileMode {
        FileMode(rawValue: type.rawValue | (mode.rawValue & 0o7777))
    }

    override func createNode(_ name: [UInt8], mode: FileMode, device: DeviceNumber, uid: UInt32, gid: UInt32) throws(Errno) -> Inode {
        let node = try fs.makeInode(mode: mode, device: device, parent: self, name: name)
        node.uid = uid; node.gid = gid
        lock.lock(); defer { lock.unlock() }
        try insertLocked(name, node)
        return node
    }

    override func makeDirectory(_ name: [UInt8], mode: FileMode, uid: UInt32, gid: UInt32) throws(Errno) -> Inode {
        let dir = RamDirectory(fs: fs, mode: withMode(mode, type: .S_IFDIR), parent: self, name: name)
        dir.uid = uid; dir.gid = gid
        lock.lock(); defer { lock.unlock() }
        try insertLocked(name, dir)
        linkCount += 1
        return dir
    }

    override func makeSymlink(_ name: [UInt8], target: [UInt8], uid: UInt32, gid: UInt32) throws(Errno) -> Inode {
        let link = RamSymlink(fs: fs, target: target)
        link.uid = uid; link.gid = gid
        lock.lock(); defer { lock.unlock() }
        try insertLocked(name, link)
        return link
    }

    override func link(_ name: [UInt8], to inode: Inode) throws(Errno) {
        lock.lock(); defer { lock.unlock() }
        try insertLocked(name, inode)
        let now = fs.clock.now()
        inode.lock.withLock { inode.linkCount += 1; inode.changeTime = now }
    }

    override func unlink(_ name: [UInt8]) throws(Errno) {
        lock.lock(); defer { lock.unlock() }
        guard let e = entries[name] else { throw .ENOENT }
        if e.inode.isDirectory { throw .EISDIR }
        removeLocked(name)
        let now = fs.clock.now()
        e.inode.lock.withLock { e.inode.linkCount -= 1; e.inode.changeTime = now }
    }

    override func removeDirectory(_ name: [UInt8]) throws(Errno) {
        lock.lock(); defer { lock.unlock() }
        guard let e = entries[name] else { throw .ENOENT }
        guard let child = e.inode as? RamDirectory else { throw .ENOTDIR }
        try child.detachIfEmpty()
        removeLocked(name)
        linkCount -= 1
    }

    /// Marks this (empty) directory removed: nlink 0, no parent. ENOTEMPTY otherwise.
    fileprivate func detachIfEmpty() throws(Errno) {
        lock.lock(); defer { lock.unlock() }
        guard entries.isEmpty else { throw .ENOTEMPTY }
        linkCount = 0
        parent = nil
        changeTime = fs.clock.now()
    }

    override func readDirectory(after cookie: Int64, _ body: (DirectoryEntry) -> Bool) throws(Errno) {
        lock.lock(); defer { lock.unlock() }
        var lo = 0, hi = order.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if order[mid].cookie <= cookie { lo = mid + 1 } else { hi = mid }
        }
        var i = lo
        while i < order.count {
            let (c, n) = order[i]
            guard let e = entries[n] else { i += 1; continue }
            let entry = DirectoryEntry(name: n, inodeNumber: e.inode.inodeNumber, type: e.inode.type, cookie: c)
            if !body(entry) { return }
            i += 1
        }
    }

    override func rename(_ oldName: [UInt8], to newDirectory: Inode, as newName: [UInt8], flags: RenameFlags) throws(Errno) {
        guard let target = newDirectory as? RamDirectory else { throw .EXDEV }
        // Lock order (Linux's lock_rename): an ancestor before its descendant, since other
        // calls lock parent then child; unrelated directories in address order. The VFS holds
        // the file system's rename lock, so the tree's shape cannot change meanwhile.
        let same = target === self
        let first: RamDirectory, second: RamDirectory
        if same || isAncestor(self, of: target) { first = self; second = target }
        else if isAncestor(target, of: self) { first = target; second = self }
        else if ObjectIdentifier(self) < ObjectIdentifier(target) { first = self; second = target }
        else { first = target; second = self }
        first.lock.lock(); defer { first.lock.unlock() }
        if !same { second.lock.lock() }
        defer { if !same { second.lock.unlock() } }

        guard let old = entries[oldName] else { throw .ENOENT }
        guard target.linkCount > 0 else { throw .ENOENT }
        // The VFS rejects these first; checked again so a direct caller cannot self-deadlock.
        if old.inode === target { throw .EINVAL }
        if let ex = target.entries[newName], ex.inode === self || ex.inode === target { throw .ENOTEMPTY }
        let existing = target.entries[newName]
        if let ex = existing, ex.inode === old.inode {
            return    // two names of one file: rename(2) does nothing and succeeds
        }
        if flags.contains(.RENAME_NOREPLACE) && existing != nil { throw .EEXIST }
        if flags.contains(.RENAME_EXCHANGE) {
            guard let ex = existing else { throw .ENOENT }
            try exchangeLocked(oldName, old, target, newName, ex)
            return
        }
        let movingDirectory = old.inode is RamDirectory
        if let ex = existing {
            if movingDirectory {
                guard let exDir = ex.inode as? RamDirectory else { throw .ENOTDIR }
                try exDir.detachIfEmpty()
                target.linkCount -= 1
            } else if ex.inode is RamDirectory {
                throw .EISDIR
            } else {
                let now = fs.clock.now()
                ex.inode.lock.withLock { ex.inode.linkCount -= 1; ex.inode.changeTime = now }
            }
            target.removeLocked(newName)
        }
        removeLocked(oldName)
        // insertLocked cannot fail now: the name is free and the target directory is live.
        target.entries[newName] = Entry(inode: old.inode, cookie: target.nextCookie)
        target.order.append((cookie: target.nextCookie, name: newName))
        target.nextCookie += 1
        target.touchModifiedLocked()
        let now = fs.clock.now()
        if let dir = old.inode as? RamDirectory {
            if !same { linkCount -= 1; target.linkCount += 1 }
            dir.lock.withLock { dir.parent = target; dir.name = newName; dir.changeTime = now }
        } else {
            old.inode.lock.withLock { old.inode.changeTime = now }
        }
    }

    private func isAncestor(_ a: RamDirectory, of d: RamDirectory) -> Bool {
        var current = d.parentDirectory as? RamDirectory
        var steps = 0
        while let c = current, steps < 4096 {
            if c === a { return true }
            current = c.parentDirectory as? RamDirectory
            steps += 1
        }
        return false
    }

    /// RENAME_EXCHANGE: swap two entries (both locks held).
    private func exchangeLocked(_ oldName: [UInt8], _ old: Entry, _ target: RamDirectory, _ newName: [UInt8], _ new: Entry) throws(Errno) {
        entries[oldName]!.inode = new.inode
        target.entries[newName]!.inode = old.inode
        let oldIsDir = old.inode is RamDirectory, newIsDir = new.inode is RamDirectory
        if target !== self && oldIsDir != newIsDir {
            if oldIsDir { linkCount -= 1; target.linkCount += 1 } else { linkCount += 1; target.linkCount -= 1 }
        }
        if let d = old.inode as? RamDirectory { d.lock.withLock { d.parent = target; d.name = newName } }
        if let d = new.inode as? RamDirectory { d.lock.withLock { d.parent = self; d.name = oldName } }
        touchModifiedLocked(); target.touchModifiedLocked()
    }

    override func open(flags: OpenFlags) throws(Errno) -> OpenFile { DirectoryFile(inode: self, flags: flags) }
}
