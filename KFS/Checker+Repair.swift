// fsck's repairs, applied through a FileSystem mounted on the checker's findings: damaged
// elements are dropped, bad entries removed, ".." and link counts corrected, orphans linked
// into /lost+found as "#<id>", an element claiming a block already claimed is dropped, and the
// allocation map rebuilt from the reachable blocks; one commit writes it all as a new snapshot.
// Fatal problems (no superblock, RecordMap or root) are not repaired.

extension Checker {
    /// Repairs what this pass found. Returns false if nothing could be done (fatal problems).
    func repair() throws(KFSError) -> Bool {
        guard !report.fatal, let superblock, let recordMap else { return false }
        var used = [Bool](repeating: false, count: claims.count)
        for block in 0..<claims.count { used[block] = claims[block] != 0 }
        let fileSystem = FileSystem(repairing: device, superblock: superblock, recordMap: recordMap,
                                    used: used, oldAllocation: allocation)
        for id in damaged + sharing { recordMap.release(id) }
        for (directoryID, name) in badEntries {
            guard let directory = try? fileSystem.element(directoryID) else { continue }
            fileSystem.removeEntry(directory, name)
        }
        for (directoryID, parent) in badParents {
            let directory = try fileSystem.element(directoryID)
            directory.attributes.parent = parent
            fileSystem.markDirty(directory)
        }
        for (id, count) in linkCounts {
            let element = try fileSystem.element(id)
            element.attributes.nlink = count
            fileSystem.markDirty(element)
        }
        if !orphans.isEmpty { try relinkOrphans(fileSystem) }
        // Force a commit even if only the allocation map changed.
        for index in 0..<fileSystem.allocation.dirty.count { fileSystem.allocation.dirty[index] = true }
        try fileSystem.sync()
        return true
    }

    private func relinkOrphans(_ fileSystem: FileSystem<Device>) throws(KFSError) {
        let lostFound: [UInt8] = Array("lost+found".utf8)
        let root = try fileSystem.element(kfsRootID)
        let folderID: UInt32
        if let entry = root.entry(named: lostFound), entry.kind == .directory {
            folderID = entry.id
        } else {
            if root.entry(named: lostFound) != nil { try fileSystem.unlink(kfsRootID, lostFound) }
            folderID = try fileSystem.create(kfsRootID, lostFound, .directory, mode: 0o700)
        }
        let folder = try fileSystem.element(folderID)
        for id in orphans {
            let orphan = try fileSystem.element(id)
            var name: [UInt8] = [0x23]
            name.append(contentsOf: decimal(id))
            if folder.entry(named: name) != nil { continue }
            try fileSystem.insertEntry(folder, DirectoryEntry(name: name, id: id, kind: orphan.kind))
            if orphan.kind == .directory {
                orphan.attributes.parent = folderID
                folder.attributes.nlink &+= 1
            } else {
                orphan.attributes.nlink = 1
            }
            fileSystem.markDirty(orphan)
        }
        fileSystem.markDirty(folder)
    }

    private func decimal(_ value: UInt32) -> [UInt8] {
        var digits: [UInt8] = []
        var rest = value
        repeat {
            digits.insert(0x30 + UInt8(rest % 10), at: 0)
            rest /= 10
        } while rest != 0
        return digits
    }
}

/// Checks `device`, optionally repairing. Repairs run in passes (a fix can reveal more, e.g. an
/// orphaned directory's children) until a pass finds nothing, at most five times.
/// Returns the first pass's report, the final one, and whether anything was repaired.
public func kfsCheck<Device: BlockDevice>(_ device: Device, repair: Bool)
    -> (first: CheckReport, final: CheckReport, repaired: Bool) {
    let first = Checker(device).run()
    guard repair, !first.clean else { return (first, first, false) }
    var repaired = false
    var last = first
    for _ in 0..<5 {
        let checker = Checker(device)
        last = checker.run()
        if last.clean { break }
        guard (try? checker.repair()) == true else { break }
        repaired = true
    }
    last = Checker(device).run()
    return (first, last, repaired)
}
