// The small-directory implementation ("dir.linear"): entries packed one after another inside
// the directory's record, searched linearly. Chosen for new directories; when the entries
// outgrow the record body, Element.swift switches the directory to dir.hashed.

final class LinearDirectory {
    private(set) var entries: [DirectoryEntry]
    private(set) var encodedSize: Int

    init(entries: [DirectoryEntry] = []) {
        self.entries = entries
        encodedSize = entries.reduce(0) { $0 + $1.encodedSize }
    }

    func find(_ name: [UInt8]) -> Int? {
        for index in 0..<entries.count where entries[index].name == name { return index }
        return nil
    }

    /// Whether `entry` still fits in the record body.
    func fits(_ entry: DirectoryEntry) -> Bool {
        encodedSize + entry.encodedSize <= Record.bodyCapacity
    }

    func append(_ entry: DirectoryEntry) {
        entries.append(entry)
        encodedSize += entry.encodedSize
    }

    func remove(at index: Int) {
        encodedSize -= entries[index].encodedSize
        entries.remove(at: index)
    }

    func replace(at index: Int, with entry: DirectoryEntry) {
        encodedSize += entry.encodedSize - entries[index].encodedSize
        entries[index] = entry
    }

    func encodeBody() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(encodedSize)
        for entry in entries { entry.encode(into: &bytes) }
        return bytes
    }

    static func decode(_ body: inout ByteReader) throws(KFSError) -> LinearDirectory {
        var entries: [DirectoryEntry] = []
        while !body.atEnd { entries.append(try DirectoryEntry.decode(&body)) }
        return LinearDirectory(entries: entries)
    }
}
