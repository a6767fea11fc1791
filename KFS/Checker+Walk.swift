// The checker's second half: the directory-tree walk (entries, "..", link counts, orphans)
// and the comparison of reachable blocks with the allocation map. The walk is iterative with
// a visited set, so a corrupt image with directory cycles cannot make it loop or recurse.

extension Checker {
    func walkTree(_ map: RecordMap) {
        var references = [UInt32](repeating: 0, count: map.capacity)
        var subdirectories = [UInt32](repeating: 0, count: map.capacity)
        var visited = [Bool](repeating: false, count: map.capacity)
        var queue: [UInt32] = [kfsRootID]
        visited[Int(kfsRootID)] = true
        var head = 0
        while head < queue.count {
            let directoryID = queue[head]
            head += 1
            guard let directory = loaded[Int(directoryID)] else { continue }
            var seen: [[UInt8]] = []
            for entry in directory.entries {
                let index = Int(entry.id)
                if containsName(seen, entry.name) {
                    add(CheckProblem(kind: .duplicateEntry, id: directoryID, name: entry.name))
                    badEntries.append((directoryID, entry.name))
                    continue
                }
                seen.append(entry.name)
                guard index < loaded.count, let target = loaded[index], target.kind == entry.kind,
                      entry.id != kfsRootID else {
                    add(CheckProblem(kind: .danglingEntry, id: directoryID, name: entry.name,
                                     found: UInt64(entry.id)))
                    badEntries.append((directoryID, entry.name))
                    continue
                }
                if target.kind == .directory {
                    if visited[index] {
                        add(CheckProblem(kind: .directoryLinkedTwice, id: directoryID, name: entry.name,
                                         found: UInt64(entry.id)))
                        badEntries.append((directoryID, entry.name))
                        continue
                    }
                    visited[index] = true
                    queue.append(entry.id)
                    subdirectories[Int(directoryID)] += 1
                    if target.attributes.parent != directoryID {
                        add(CheckProblem(kind: .wrongParent, id: entry.id, expected: UInt64(directoryID),
                                         found: UInt64(target.attributes.parent)))
                        badParents.append((entry.id, directoryID))
                    }
                }
                references[index] += 1
            }
        }
        if let root = loaded[Int(kfsRootID)], root.attributes.parent != kfsRootID {
            add(CheckProblem(kind: .wrongParent, id: kfsRootID, expected: UInt64(kfsRootID),
                             found: UInt64(root.attributes.parent)))
            badParents.append((kfsRootID, kfsRootID))
        }
        // Entries in directories the walk never reached: an orphan named by one of them is not
        // relinked itself, its (orphaned) ancestor is; a later repair pass finds it then.
        var namedByUnreached = [Bool](repeating: false, count: map.capacity)
        for index in 1..<loaded.count where !visited[index] {
            guard let directory = loaded[index], directory.kind == .directory else { continue }
            for entry in directory.entries where Int(entry.id) < namedByUnreached.count {
                namedByUnreached[Int(entry.id)] = true
            }
        }
        var allOrphans: [UInt32] = []
        for index in 1..<loaded.count {
            guard let element = loaded[index] else { continue }
            let id = UInt32(index)
            if id != kfsRootID && references[index] == 0 {
                add(CheckProblem(kind: .orphan, id: id))
                allOrphans.append(id)
                if !namedByUnreached[index] { orphans.append(id) }
                continue
            }
            let expected = element.kind == .directory ? 2 + subdirectories[index] : references[index]
            if element.attributes.nlink != expected {
                add(CheckProblem(kind: .wrongLinkCount, id: id, expected: UInt64(expected),
                                 found: UInt64(element.attributes.nlink)))
                linkCounts.append((id, expected))
            }
        }
        // Orphans that only name each other (a cycle): relink one to break it.
        if orphans.isEmpty, let first = allOrphans.first { orphans.append(first) }
    }

    private func containsName(_ names: [[UInt8]], _ name: [UInt8]) -> Bool {
        for existing in names where existing == name { return true }
        return false
    }

    func compareAllocation(_ superblock: Superblock) {
        var used = 0
        for count in claims where count != 0 { used += 1 }
        report.usedBlocks = used
        guard let allocation else { return }
        for block in 0..<claims.count {
            let reachable = claims[block] != 0
            let marked = allocation.isUsed(UInt32(block))
            if reachable && !marked {
                add(CheckProblem(kind: .blockNotMarked, block: UInt32(block)))
            } else if marked && !reachable {
                add(CheckProblem(kind: .blockLeaked, block: UInt32(block)))
            }
        }
        let liveElements = report.elements
        if superblock.usedBlocks != UInt64(allocation.usedCount) || superblock.usedElements != UInt64(liveElements) {
            add(CheckProblem(kind: .countersWrong, expected: UInt64(allocation.usedCount),
                             found: superblock.usedBlocks))
        }
    }
}
