// An element (file, directory or symlink) in memory: its attributes and the object that
// implements its body. The body is one of six implementation objects; switching an element's
// implementation (FileSystem+Data.swift, FileSystem+Directory.swift) replaces that object, the
// way K42 hot-swaps one object for another behind the same id. Loading validates everything.

final class InlineFile {
    var bytes: [UInt8]
    init(bytes: [UInt8]) { self.bytes = bytes }
    /// Largest file kept inline: the whole record body.
    static let capacity = Record.bodyCapacity
}

/// A symlink target and, for symlink.block, the data block holding it.
final class SymlinkTarget {
    let target: [UInt8]
    let block: UInt32
    init(target: [UInt8], block: UInt32) { self.target = target; self.block = block }
    /// Longest target kept inline.
    static let inlineCapacity = Record.bodyCapacity
}

enum Body {
    case inlineFile(InlineFile)
    case extentFile(ExtentFile)
    case linearDirectory(LinearDirectory)
    case hashedDirectory(HashedDirectory)
    case inlineSymlink(SymlinkTarget)
    case blockSymlink(SymlinkTarget)
}

final class Element {
    let id: UInt32
    var attributes: Attributes
    var body: Body
    /// Changed since the last commit (listed in FileSystem.dirtyIDs).
    var dirty = false

    init(id: UInt32, attributes: Attributes, body: Body) {
        self.id = id
        self.attributes = attributes
        self.body = body
    }

    var implementation: Implementation {
        switch body {
        case .inlineFile: return .inlineFile
        case .extentFile: return .extentFile
        case .linearDirectory: return .linearDirectory
        case .hashedDirectory: return .hashedDirectory
        case .inlineSymlink: return .inlineSymlink
        case .blockSymlink: return .blockSymlink
        }
    }

    var kind: ElementKind { implementation.kind }

    // MARK: directory queries (mutations are in FileSystem+Directory.swift)

    func entry(named name: [UInt8]) -> DirectoryEntry? {
        switch body {
        case .linearDirectory(let directory):
            guard let index = directory.find(name) else { return nil }
            return directory.entries[index]
        case .hashedDirectory(let directory):
            guard let position = directory.find(name) else { return nil }
            return directory.entry(at: position)
        default:
            return nil
        }
    }

    var entries: [DirectoryEntry] {
        switch body {
        case .linearDirectory(let directory): return directory.entries
        case .hashedDirectory(let directory): return directory.entries
        default: return []
        }
    }

    var entryCount: Int {
        switch body {
        case .linearDirectory(let directory): return directory.entries.count
        case .hashedDirectory(let directory): return directory.count
        default: return 0
        }
    }

    /// Blocks this element holds besides its record (for statfs-like accounting and stat).
    var extraBlocks: UInt64 {
        switch body {
        case .extentFile(let file): return file.mappedBlocks + UInt64(file.overflowBlocks.count)
        case .hashedDirectory(let directory): return UInt64(directory.bucketBlocks.count)
        case .blockSymlink: return 1
        default: return 0
        }
    }

    /// st_size: file and symlink length; for directories the bytes their entries occupy.
    var size: UInt64 {
        switch body {
        case .linearDirectory(let directory): return UInt64(directory.encodedSize)
        case .hashedDirectory(let directory): return UInt64(directory.bucketBlocks.count * kfsBlockSize)
        default: return attributes.size
        }
    }

    // MARK: loading

    /// Reads and validates element `id` from its record block and any blocks the record names.
    static func load<D: BlockDevice>(id: UInt32, implementation: Implementation, recordBlock: UInt32,
                                     device: D, generation: UInt64) throws(KFSError) -> Element {
        var buffer = [UInt8](repeating: 0, count: kfsBlockSize)
        try device.readBlock(UInt64(recordBlock), into: &buffer)
        var (attributes, body) = try Record.decode(buffer, id: id, implementation: implementation,
                                                   maxGeneration: generation)
        let loaded: Body
        switch implementation {
        case .inlineFile:
            guard attributes.size == UInt64(body.remaining) else { throw .corrupted }
            loaded = .inlineFile(InlineFile(bytes: try body.take(body.remaining)))
        case .extentFile:
            loaded = .extentFile(try ExtentFile.load(&body, owner: id, size: attributes.size, device: device,
                                                     maxGeneration: generation))
        case .linearDirectory:
            loaded = .linearDirectory(try LinearDirectory.decode(&body))
        case .hashedDirectory:
            loaded = .hashedDirectory(try HashedDirectory.load(&body, owner: id, device: device,
                                                               maxGeneration: generation))
        case .inlineSymlink:
            guard attributes.size == UInt64(body.remaining), body.remaining >= 1 else { throw .corrupted }
            loaded = .inlineSymlink(SymlinkTarget(target: try body.take(body.remaining), block: 0))
        case .blockSymlink:
            let block = try body.u32()
            guard body.atEnd, block >= 2, UInt64(block) < device.blockCount,
                  attributes.size >= 1, attributes.size <= UInt64(kfsSymlinkMax) else { throw .corrupted }
            try device.readBlock(UInt64(block), into: &buffer)
            loaded = .blockSymlink(SymlinkTarget(target: Array(buffer[0..<Int(attributes.size)]), block: block))
        }
        if implementation.kind == .directory {
            guard attributes.parent != 0 else { throw .corrupted }
        } else {
            attributes.parent = 0
        }
        return Element(id: id, attributes: attributes, body: loaded)
    }
}
