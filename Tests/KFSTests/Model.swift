// An in-memory model of a POSIX file system (value type, so a snapshot is a copy) and the
// random operations the model test and the crash test drive through both it and KFS. Each
// operation runs on KFS first; the model then predicts the same success or the same errno.

import Testing
@testable import KFS

struct ModelNode {
    var kind: ElementKind
    var data: [UInt8] = []
    var target: [UInt8] = []
    var children: [[UInt8]: Int] = [:]
    var parent = 0
    var nlink: UInt32 = 1
    var mode: UInt32 = 0o644
    var id: UInt32 = 0
}

struct Model {
    var nodes: [Int: ModelNode] = [0: ModelNode(kind: .directory, parent: 0, nlink: 2, mode: 0o755, id: kfsRootID)]
    var nextNode = 1

    var directories: [Int] { nodes.keys.filter { nodes[$0]!.kind == .directory }.sorted() }
    var entries: [(Int, [UInt8])] {
        var all: [(Int, [UInt8])] = []
        for directory in directories {
            for name in nodes[directory]!.children.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                all.append((directory, name))
            }
        }
        return all
    }

    func isAncestor(_ ancestor: Int, of node: Int) -> Bool {
        var current = node
        while true {
            if current == ancestor { return true }
            if current == 0 { return false }
            current = nodes[current]!.parent
        }
    }
}

/// Drives random operations through a file system and the model, checking they agree.
struct ModelDriver {
    var model = Model()
    var random: SeededRandom
    let names: [[UInt8]] = ["a", "b", "c", "dir", "file", "x.txt", "long-name-for-hashing-0123456789",
                            "e", "f", "g"].map { Array($0.utf8) }

    init(seed: UInt64) { random = SeededRandom(seed: seed) }

    mutating func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
    mutating func chance(_ percent: UInt64) -> Bool { random.next() % 100 < percent }

    /// Runs one random operation; `sourceLocation` points failures at the caller.
    mutating func step<D: BlockDevice>(_ fileSystem: FileSystem<D>, unique: Int) {
        let directories = model.directories
        let entries = model.entries
        let roll = random.next() % 100
        func result(_ body: () throws(KFSError) -> Void) -> KFSError? {
            do { try body(); return nil } catch { return error }
        }
        switch roll {
        case 0..<20: // create a file, directory or symlink
            let parent = pick(directories)
            var name = pick(names)
            if chance(30) { name += Array("-\(unique)".utf8) }
            let kindRoll = random.next() % 10
            let what: NewElement = kindRoll < 6 ? .file : kindRoll < 9 ? .directory
                : .symlink(target: Array(repeating: 0x73, count: chance(10) ? 4050 : Int(random.next() % 40) + 1))
            var created: UInt32 = 0
            let error = result { () throws(KFSError) in
                created = try fileSystem.create(model.nodes[parent]!.id, name, what, mode: 0o640)
            }
            let expected: KFSError? = model.nodes[parent]!.children[name] != nil ? .exists : nil
            #expect(error == expected, "create \(String(decoding: name, as: UTF8.self))")
            guard error == nil else { return }
            var node = ModelNode(kind: .file, mode: 0o640, id: created)
            switch what {
            case .file: break
            case .directory: node.kind = .directory; node.nlink = 2; node.parent = parent
                model.nodes[parent]!.nlink += 1
            case .symlink(let target): node.kind = .symlink; node.target = target
            }
            model.nodes[model.nextNode] = node
            model.nodes[parent]!.children[name] = model.nextNode
            model.nextNode += 1
        case 20..<45: // write
            let files = model.nodes.keys.filter { model.nodes[$0]!.kind == .file }.sorted()
            guard !files.isEmpty else { return }
            let node = pick(files)
            let offset = Int(random.next() % (chance(50) ? 5000 : 40000))
            let count = Int(random.next() % (chance(70) ? 600 : 9000)) + 1
            let data = randomBytes(count, &random)
            let error = result { () throws(KFSError) in
                _ = try fileSystem.write(model.nodes[node]!.id, offset: UInt64(offset), data)
            }
            #expect(error == nil, "write")
            guard error == nil else { return }
            var bytes = model.nodes[node]!.data
            if bytes.count < offset + count { bytes += [UInt8](repeating: 0, count: offset + count - bytes.count) }
            bytes.replaceSubrange(offset..<(offset + count), with: data)
            model.nodes[node]!.data = bytes
        case 45..<52: // truncate
            let files = model.nodes.keys.filter { model.nodes[$0]!.kind == .file }.sorted()
            guard !files.isEmpty else { return }
            let node = pick(files)
            let size = Int(random.next() % 20000)
            let error = result { () throws(KFSError) in try fileSystem.truncate(model.nodes[node]!.id, size: UInt64(size)) }
            #expect(error == nil, "truncate")
            var bytes = model.nodes[node]!.data
            if bytes.count < size { bytes += [UInt8](repeating: 0, count: size - bytes.count) } else { bytes.removeSubrange(size...) }
            model.nodes[node]!.data = bytes
        case 52..<64: // unlink or rmdir
            guard !entries.isEmpty else { return }
            let (parent, name) = pick(entries)
            let node = model.nodes[parent]!.children[name]!
            let isDirectory = model.nodes[node]!.kind == .directory
            let useRmdir = chance(50)
            let error = result { () throws(KFSError) in
                if useRmdir { try fileSystem.rmdir(model.nodes[parent]!.id, name) }
                else { try fileSystem.unlink(model.nodes[parent]!.id, name) }
            }
            let expected: KFSError? = useRmdir
                ? (!isDirectory ? .notDirectory : !model.nodes[node]!.children.isEmpty ? .notEmpty : nil)
                : (isDirectory ? .isDirectory : nil)
            #expect(error == expected, "remove")
            guard error == nil else { return }
            model.nodes[parent]!.children[name] = nil
            if isDirectory {
                model.nodes[parent]!.nlink -= 1
                model.nodes[node] = nil
            } else {
                model.nodes[node]!.nlink -= 1
                if model.nodes[node]!.nlink == 0 { model.nodes[node] = nil }
            }
        case 64..<78: // rename
            guard !entries.isEmpty else { return }
            let (parent, name) = pick(entries)
            let target = pick(directories)
            let newName = chance(50) ? pick(names) : name
            let node = model.nodes[parent]!.children[name]!
            let error = result { () throws(KFSError) in
                try fileSystem.rename(model.nodes[parent]!.id, name, model.nodes[target]!.id, newName)
            }
            let expected = model.predictRename(parent, name, target, newName)
            #expect(error == expected, "rename")
            guard error == nil else { return }
            model.applyRename(parent, name, target, newName, node)
        case 78..<84: // hard link
            let files = model.entries.filter { model.nodes[model.nodes[$0.0]!.children[$0.1]!]!.kind != .directory }
            guard !files.isEmpty else { return }
            let (parent, name) = pick(files)
            let node = model.nodes[parent]!.children[name]!
            let target = pick(directories)
            let newName = pick(names)
            let error = result { () throws(KFSError) in
                try fileSystem.link(model.nodes[node]!.id, model.nodes[target]!.id, newName)
            }
            let expected: KFSError? = model.nodes[target]!.children[newName] != nil ? .exists : nil
            #expect(error == expected, "link")
            guard error == nil else { return }
            model.nodes[target]!.children[newName] = node
            model.nodes[node]!.nlink += 1
        case 84..<90: // chmod
            let node = pick(model.nodes.keys.sorted())
            let mode = UInt32(random.next() % 0o7777)
            #expect(result { () throws(KFSError) in try fileSystem.chmod(model.nodes[node]!.id, mode: mode) } == nil)
            model.nodes[node]!.mode = mode
        default: // read back a random file
            let files = model.nodes.keys.filter { model.nodes[$0]!.kind == .file }.sorted()
            guard !files.isEmpty else { return }
            let node = pick(files)
            let data = try? fileSystem.read(model.nodes[node]!.id, offset: 0, count: 1 << 20)
            #expect(data == model.nodes[node]!.data, "read")
        }
    }
}

extension Model {
    func predictRename(_ parent: Int, _ name: [UInt8], _ target: Int, _ newName: [UInt8]) -> KFSError? {
        let node = nodes[parent]!.children[name]!
        let isDirectory = nodes[node]!.kind == .directory
        if isDirectory && isAncestor(node, of: target) { return .invalid }
        guard let existing = nodes[target]!.children[newName] else { return nil }
        if existing == node { return nil }
        let existingIsDirectory = nodes[existing]!.kind == .directory
        if isDirectory && !existingIsDirectory { return .notDirectory }
        if !isDirectory && existingIsDirectory { return .isDirectory }
        if existingIsDirectory && !nodes[existing]!.children.isEmpty { return .notEmpty }
        return nil
    }

    mutating func applyRename(_ parent: Int, _ name: [UInt8], _ target: Int, _ newName: [UInt8], _ node: Int) {
        if let existing = nodes[target]!.children[newName] {
            if existing == node { return }
            if nodes[existing]!.kind == .directory {
                nodes[existing] = nil
                nodes[target]!.nlink -= 1
            } else {
                nodes[existing]!.nlink -= 1
                if nodes[existing]!.nlink == 0 { nodes[existing] = nil }
            }
        }
        nodes[parent]!.children[name] = nil
        nodes[target]!.children[newName] = node
        if nodes[node]!.kind == .directory {
            nodes[parent]!.nlink -= 1
            nodes[target]!.nlink += 1
            nodes[node]!.parent = target
        }
    }
}

/// Compares the whole tree of a mounted file system with the model; returns the differences.
func differences<D: BlockDevice>(_ fileSystem: FileSystem<D>, _ model: Model) -> [String] {
    var problems: [String] = []
    func compare(_ node: Int, _ path: String) {
        let expected = model.nodes[node]!
        guard let stat = try? fileSystem.stat(expected.id) else { problems.append("\(path): missing"); return }
        if stat.kind != expected.kind { problems.append("\(path): kind"); return }
        if stat.nlink != expected.nlink { problems.append("\(path): nlink \(stat.nlink) != \(expected.nlink)") }
        if stat.mode & 0o7777 != expected.mode { problems.append("\(path): mode") }
        switch expected.kind {
        case .file:
            if (try? fileSystem.read(expected.id, offset: 0, count: 1 << 20)) != expected.data {
                problems.append("\(path): data (size \(stat.size) vs \(expected.data.count))")
            }
        case .symlink:
            if (try? fileSystem.readlink(expected.id)) != expected.target { problems.append("\(path): target") }
        case .directory:
            guard let listed = try? fileSystem.readdir(expected.id) else { problems.append("\(path): readdir"); return }
            let names = Set(listed.map(\.name))
            if names != Set(expected.children.keys) || listed.count != names.count {
                problems.append("\(path): entries \(listed.count) vs \(expected.children.count)")
            }
            for (name, child) in expected.children {
                guard let entry = listed.first(where: { $0.name == name }) else { continue }
                if entry.id != model.nodes[child]!.id { problems.append("\(path)/\(String(decoding: name, as: UTF8.self)): id") }
                compare(child, path + "/" + String(decoding: name, as: UTF8.self))
            }
        }
    }
    compare(0, "")
    return problems
}
