// An element's record: one block holding the element's attributes (K42's KFSStat) and a body
// whose meaning depends on the implementation (inline data, extent list, directory entries,
// bucket pointers, symlink target). Records move on every commit; the RecordMap says where.
// Encoding and validated decoding live here; Element.swift turns a body into live objects.

/// Attributes kept for every element (the stat(2) fields KFS stores).
struct Attributes {
    var mode: UInt32      // permission bits only (0o7777); the type comes from the kind
    var uid: UInt32
    var gid: UInt32
    var nlink: UInt32
    var size: UInt64
    var atimeNs: Int64
    var mtimeNs: Int64
    var ctimeNs: Int64
    var parent: UInt32    // directories: the directory holding it (for ".."); others: 0
}

/// One directory entry.
public struct DirectoryEntry: Equatable {
    public var name: [UInt8]
    public var id: UInt32
    public var kind: ElementKind

    /// Bytes the entry takes on disk: u32 id, u8 kind, u8 name length, name.
    var encodedSize: Int { 6 + name.count }

    func encode(into bytes: inout [UInt8]) {
        bytes.append32(id)
        bytes.append(kind.rawValue)
        bytes.append(UInt8(name.count))
        bytes.append(contentsOf: name)
    }

    /// Reads one entry, rejecting names no directory operation could have created.
    static func decode(_ reader: inout ByteReader) throws(KFSError) -> DirectoryEntry {
        let id = try reader.u32()
        guard let kind = ElementKind(rawValue: try reader.u8()) else { throw .corrupted }
        let length = Int(try reader.u8())
        let name = try reader.take(length)
        guard id != 0, validName(name) else { throw .corrupted }
        return DirectoryEntry(name: name, id: id, kind: kind)
    }

    /// A name a directory may hold: 1...255 bytes, no '/' or NUL, not "." or "..".
    static func validName(_ name: [UInt8]) -> Bool {
        guard !name.isEmpty, name.count <= kfsNameMax else { return false }
        if name == [0x2E] || name == [0x2E, 0x2E] { return false }
        for byte in name where byte == 0x2F || byte == 0 { return false }
        return true
    }
}

enum Record {
    static let bodyOffset = 80
    /// Bytes of body a record can hold.
    static let bodyCapacity = kfsBlockSize - bodyOffset

    // Field offsets; docs/kfs-format.md "Record".
    private enum Offset {
        static let id = 16, implementation = 20, mode = 24, uid = 28, gid = 32, nlink = 36
        static let size = 40, atime = 48, mtime = 56, ctime = 64, parent = 72, bodyLength = 76
    }

    static func encode(id: UInt32, implementation: Implementation, attributes: Attributes,
                       body: [UInt8], generation: UInt64) -> [UInt8] {
        var block = BlockHeader.newBlock(.record, generation: generation)
        block.put(id, at: Offset.id)
        block.put(implementation.rawValue, at: Offset.implementation)
        block.put(attributes.mode, at: Offset.mode)
        block.put(attributes.uid, at: Offset.uid)
        block.put(attributes.gid, at: Offset.gid)
        block.put(attributes.nlink, at: Offset.nlink)
        block.put(attributes.size, at: Offset.size)
        block.put(UInt64(bitPattern: attributes.atimeNs), at: Offset.atime)
        block.put(UInt64(bitPattern: attributes.mtimeNs), at: Offset.mtime)
        block.put(UInt64(bitPattern: attributes.ctimeNs), at: Offset.ctime)
        block.put(attributes.parent, at: Offset.parent)
        block.put(UInt32(body.count), at: Offset.bodyLength)
        for index in 0..<body.count { block[bodyOffset + index] = body[index] }
        BlockHeader.seal(&block)
        return block
    }

    /// Decodes a record block, checking it belongs to `id` and matches the RecordMap's
    /// implementation. Returns the attributes and a reader over the body.
    static func decode(_ block: [UInt8], id: UInt32, implementation: Implementation,
                       maxGeneration: UInt64) throws(KFSError) -> (Attributes, ByteReader) {
        try BlockHeader.verify(block, .record)
        guard block.u32(at: Offset.id) == id,
              block[Offset.implementation] == implementation.rawValue,
              BlockHeader.generation(of: block) <= maxGeneration else { throw .corrupted }
        let attributes = Attributes(
            mode: block.u32(at: Offset.mode) & 0o7777,
            uid: block.u32(at: Offset.uid), gid: block.u32(at: Offset.gid),
            nlink: block.u32(at: Offset.nlink), size: block.u64(at: Offset.size),
            atimeNs: Int64(bitPattern: block.u64(at: Offset.atime)),
            mtimeNs: Int64(bitPattern: block.u64(at: Offset.mtime)),
            ctimeNs: Int64(bitPattern: block.u64(at: Offset.ctime)),
            parent: block.u32(at: Offset.parent))
        let length = Int(block.u32(at: Offset.bodyLength))
        guard length <= bodyCapacity else { throw .corrupted }
        let reader = try ByteReader(block, start: bodyOffset, length: length)
        return (attributes, reader)
    }
}
