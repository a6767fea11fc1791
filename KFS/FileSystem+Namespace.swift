// Name operations, the part of the API the kernel's VFS and kfs-fuse call by (directory id,
// name): lookup, create (file, directory, symlink), link, unlink, rmdir, rename, readdir.
// Semantics and error choices follow the Linux man pages (open(2), mkdir(2), rename(2)...).
// Elements whose last link goes are destroyed at once; keeping unlinked-but-open files alive
// is the caller's job (the FUSE layer renames them to .fuse_hidden*, the kernel will pin them).

/// What `create` makes.
public enum NewElement {
    case file
    case directory
    case symlink(target: [UInt8])
}

extension FileSystem {
    /// Checks a name for a new entry. "." and ".." always exist, hence EEXIST.
    func checkNewName(_ name: [UInt8]) throws(KFSError) {
        guard name.count <= kfsNameMax else { throw .nameTooLong }
        if name == [0x2E] || name == [0x2E, 0x2E] { throw .exists }
        guard DirectoryEntry.validName(name) else { throw .invalid }
    }

    /// Id of `name` in directory `parent` ("." and ".." included).
    public func lookup(_ parent: UInt32, _ name: [UInt8]) throws(KFSError) -> UInt32 {
        let directory = try self.directory(parent)
        guard name.count <= kfsNameMax else { throw .nameTooLong }
        if name == [0x2E] { return parent }
        if name == [0x2E, 0x2E] { return directory.attributes.parent }
        guard let entry = directory.entry(named: name) else { throw .notFound }
        return try element(for: entry).id
    }

    /// Resolves an absolute or root-relative path without following symlinks.
    public func resolve(_ path: [UInt8]) throws(KFSError) -> UInt32 {
        var id = kfsRootID
        for component in path.split(separator: 0x2F) { id = try lookup(id, Array(component)) }
        return id
    }

    /// Creates a file, directory or symlink called `name` in `parent`; returns its id.
    @discardableResult
    public func create(_ parent: UInt32, _ name: [UInt8], _ what: NewElement, mode: UInt32 = 0o644,
                       uid: UInt32 = 0, gid: UInt32 = 0) throws(KFSError) -> UInt32 {
        let directory = try self.directory(parent)
        try checkNewName(name)
        if case .symlink(let target) = what {
            guard !target.isEmpty else { throw .notFound }  // symlink(2): empty target is ENOENT
            guard target.count <= kfsSymlinkMax else { throw .nameTooLong }
        }
        guard directory.entry(named: name) == nil else { throw .exists }
        if case .directory = what, directory.attributes.nlink >= kfsLinkMax { throw .tooManyLinks }
        try beginChange(blocks: namespaceReserve(directory) + 2)
        let time = now
        var attributes = Attributes(mode: mode & 0o7777, uid: uid, gid: gid, nlink: 1, size: 0,
                                    atimeNs: time, mtimeNs: time, ctimeNs: time, parent: 0)
        var body: Body
        switch what {
        case .file:
            body = .inlineFile(InlineFile(bytes: []))
        case .directory:
            attributes.nlink = 2
            attributes.parent = parent
            body = .linearDirectory(LinearDirectory())
        case .symlink(let target):
            attributes.size = UInt64(target.count)
            if target.count <= SymlinkTarget.inlineCapacity {
                body = .inlineSymlink(SymlinkTarget(target: target, block: 0))
            } else {
                let block = try allocateBlock()
                var data = target
                data.append(contentsOf: [UInt8](repeating: 0, count: kfsBlockSize - target.count))
                do { try writeDevice(block, data) } catch { allocation.free(block); throw error }
                body = .blockSymlink(SymlinkTarget(target: target, block: block))
            }
        }
        let element = Element(id: 0, attributes: attributes, body: body)
        guard let id = recordMap.allocate(element.implementation) else {
            releaseBlocks(of: element)
            throw .noSpace
        }
        let created = Element(id: id, attributes: attributes, body: body)
        store(created)
        do {
            try insertEntry(directory, DirectoryEntry(name: name, id: id, kind: created.kind))
        } catch {
            releaseBlocks(of: created)
            recordMap.release(id)
            elements[Int(id)] = nil
            throw error
        }
        markDirty(created)
        if created.kind == .directory { directory.attributes.nlink += 1 }
        directory.attributes.mtimeNs = time
        directory.attributes.ctimeNs = time
        return id
    }

    /// link(2): a new name for an existing file or symlink.
    public func link(_ id: UInt32, _ parent: UInt32, _ name: [UInt8]) throws(KFSError) {
        let target = try element(id)
        let directory = try self.directory(parent)
        try checkNewName(name)
        guard target.kind != .directory else { throw .notPermitted }
        guard target.attributes.nlink < kfsLinkMax else { throw .tooManyLinks }
        guard directory.entry(named: name) == nil else { throw .exists }
        try beginChange(blocks: namespaceReserve(directory))
        try insertEntry(directory, DirectoryEntry(name: name, id: id, kind: target.kind))
        let time = now
        target.attributes.nlink += 1
        target.attributes.ctimeNs = time
        markDirty(target)
        directory.attributes.mtimeNs = time
        directory.attributes.ctimeNs = time
    }

    /// unlink(2): removes a name of a file or symlink; the element goes with its last name.
    public func unlink(_ parent: UInt32, _ name: [UInt8]) throws(KFSError) {
        let directory = try self.directory(parent)
        if name == [0x2E] || name == [0x2E, 0x2E] { throw .isDirectory }
        guard name.count <= kfsNameMax else { throw .nameTooLong }
        guard let entry = directory.entry(named: name) else { throw .notFound }
        guard entry.kind != .directory else { throw .isDirectory }
        let target = try element(for: entry)
        try beginChange(blocks: namespaceReserve(directory))
        removeEntry(directory, name)
        let time = now
        directory.attributes.mtimeNs = time
        directory.attributes.ctimeNs = time
        dropLink(target, time: time)
    }

    /// rmdir(2): removes an empty directory.
    public func rmdir(_ parent: UInt32, _ name: [UInt8]) throws(KFSError) {
        let directory = try self.directory(parent)
        if name == [0x2E] { throw .invalid }
        if name == [0x2E, 0x2E] { throw .notEmpty }
        guard name.count <= kfsNameMax else { throw .nameTooLong }
        guard let entry = directory.entry(named: name) else { throw .notFound }
        guard entry.kind == .directory else { throw .notDirectory }
        let target = try element(for: entry)
        guard target.entryCount == 0 else { throw .notEmpty }
        try beginChange(blocks: namespaceReserve(directory))
        removeEntry(directory, name)
        let time = now
        if directory.attributes.nlink > 2 { directory.attributes.nlink -= 1 }
        directory.attributes.mtimeNs = time
        directory.attributes.ctimeNs = time
        destroy(target)
    }

    /// readdir(3): the entries of a directory ("." and ".." are not stored; callers add them).
    public func readdir(_ id: UInt32) throws(KFSError) -> [DirectoryEntry] {
        try directory(id).entries
    }

    /// Takes one link away; destroys the element when it was the last.
    func dropLink(_ target: Element, time: Int64) {
        if target.attributes.nlink > 0 { target.attributes.nlink -= 1 }
        target.attributes.ctimeNs = time
        if target.attributes.nlink == 0 { destroy(target) } else { markDirty(target) }
    }

    /// Frees an element: its blocks, its record and its RecordMap entry.
    func destroy(_ target: Element) {
        releaseBlocks(of: target)
        let record = recordMap.recordBlock(of: target.id)
        if record != 0 { allocation.free(record) }
        recordMap.release(target.id)
        if Int(target.id) < elements.count { elements[Int(target.id)] = nil }
        target.dirty = false
    }

    /// Frees every block the element's body holds (not its record).
    func releaseBlocks(of target: Element) {
        switch target.body {
        case .extentFile(let file):
            for block in file.overflowBlocks { allocation.free(block) }
            file.overflowBlocks = []
            for extent in file.truncate(keepBlocks: 0) {
                for offset in 0..<extent.count { allocation.free(extent.diskBlock + offset) }
            }
        case .hashedDirectory(let hashed):
            for block in hashed.bucketBlocks where block != 0 { allocation.free(block) }
            for block in hashed.releasedBlocks { allocation.free(block) }
            hashed.releasedBlocks = []
        case .blockSymlink(let symlink):
            allocation.free(symlink.block)
        default:
            break
        }
    }
}
