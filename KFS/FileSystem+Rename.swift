// rename(2), the most involved name operation, kept apart: replacing an existing target,
// moving directories between parents (".." and link counts follow), refusing to move a
// directory into itself (EINVAL), and RENAME_NOREPLACE. Same-element renames are no-ops.

extension FileSystem {
    public func rename(_ sourceParent: UInt32, _ sourceName: [UInt8], _ targetParent: UInt32,
                       _ targetName: [UInt8], noReplace: Bool = false) throws(KFSError) {
        let source = try directory(sourceParent)
        let target = try directory(targetParent)
        for name in [sourceName, targetName] {
            guard name.count <= kfsNameMax else { throw .nameTooLong }
            if name == [0x2E] || name == [0x2E, 0x2E] { throw .invalid }
            guard DirectoryEntry.validName(name) else { throw .invalid }
        }
        guard let sourceEntry = source.entry(named: sourceName) else { throw .notFound }
        let moving = try element(for: sourceEntry)
        let isDirectory = moving.kind == .directory
        if isDirectory { try checkNotAncestor(moving.id, of: targetParent) }
        let existing = target.entry(named: targetName)
        var replaced: Element? = nil
        if let existing {
            if existing.id == sourceEntry.id { return }
            if noReplace { throw .exists }
            let victim = try element(for: existing)
            if isDirectory {
                guard victim.kind == .directory else { throw .notDirectory }
                guard victim.entryCount == 0 else { throw .notEmpty }
            } else {
                guard victim.kind != .directory else { throw .isDirectory }
            }
            replaced = victim
        }
        if isDirectory && sourceParent != targetParent && replaced == nil
            && target.attributes.nlink >= kfsLinkMax { throw .tooManyLinks }
        try beginChange(blocks: namespaceReserve(source) + namespaceReserve(target))
        let newEntry = DirectoryEntry(name: targetName, id: moving.id, kind: moving.kind)
        if replaced != nil {
            replaceEntry(target, targetName, with: newEntry)
        } else {
            try insertEntry(target, newEntry)
        }
        removeEntry(source, sourceName)
        let time = now
        if let victim = replaced {
            if victim.kind == .directory {
                if target.attributes.nlink > 2 { target.attributes.nlink -= 1 }
                destroy(victim)
            } else {
                dropLink(victim, time: time)
            }
        }
        if isDirectory {
            if source.attributes.nlink > 2 { source.attributes.nlink -= 1 }
            target.attributes.nlink &+= 1
            moving.attributes.parent = targetParent
        }
        moving.attributes.ctimeNs = time
        markDirty(moving)
        for directory in [source, target] {
            directory.attributes.mtimeNs = time
            directory.attributes.ctimeNs = time
            markDirty(directory)
        }
    }

    /// EINVAL if `ancestor` is `id` or lies on the path from `id` up to the root. A parent
    /// chain longer than the number of elements means a corrupt cycle (EUCLEAN).
    func checkNotAncestor(_ ancestor: UInt32, of id: UInt32) throws(KFSError) {
        var current = id
        var steps = 0
        while true {
            if current == ancestor { throw .invalid }
            if current == kfsRootID { return }
            current = try directory(current).attributes.parent
            steps += 1
            guard steps <= recordMap.capacity else { throw .corrupted }
        }
    }
}
