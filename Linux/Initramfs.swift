// Files from the initrd (a cpio "newc" archive, the boot module), read in place. This is what
// execve reads programs from until the VFS (FileSystem/) mounts the initrd as the root ramfs;
// then file access goes through it and this stays only as the archive's bounds-checked reader.
import LinuxABI

enum Initramfs {
    nonisolated(unsafe) static var archive: UnsafeRawBufferPointer? = nil

    /// The archive's entry named `path` (leading "/" and "./" ignored): its mode and data,
    /// following symbolic links inside the archive (at most 8).
    static func lookup(_ path: [UInt8], depth: Int = 0) -> (mode: UInt32, data: UnsafeRawBufferPointer)? {
        guard let a = archive, depth < 8 else { return nil }
        let want = normalize(path)
        var o = 0
        while o + 110 <= a.count {
            guard let magic = field(a, o, 0, 6), magic == 0x070701 || magic == 0x070702,
                  let mode = field(a, o, 14, 8), let fileSize = field(a, o, 54, 8),
                  let nameSize = field(a, o, 94, 8), nameSize > 0 else { return nil }
            let nameStart = o + 110
            guard nameStart + Int(nameSize) <= a.count else { return nil }
            let name = Array(a[nameStart..<(nameStart + Int(nameSize) - 1)])
            if name == Array("TRAILER!!!".utf8) { return nil }
            let dataStart = (nameStart + Int(nameSize) + 3) & ~3
            guard dataStart + Int(fileSize) <= a.count else { return nil }
            let data = UnsafeRawBufferPointer(rebasing: a[dataStart..<(dataStart + Int(fileSize))])
            if normalize(name) == want {
                if mode & 0o170000 == 0o120000 {                         // symlink: follow it
                    var target = Array(data)
                    if target.first != UInt8(ascii: "/") {
                        let dir = want.lastIndex(of: UInt8(ascii: "/")).map { Array(want[0...$0]) } ?? []
                        target = dir + target
                    }
                    return lookup(target, depth: depth + 1)
                }
                return (UInt32(mode), data)
            }
            o = (dataStart + Int(fileSize) + 3) & ~3
        }
        return nil
    }

    static func normalize(_ p: [UInt8]) -> [UInt8] {
        var parts: [[UInt8]] = []
        for part in p.split(separator: UInt8(ascii: "/")) {
            if part.elementsEqual(".".utf8) { continue }
            if part.elementsEqual("..".utf8) { _ = parts.popLast(); continue }
            parts.append(Array(part))
        }
        var out: [UInt8] = []
        for (i, part) in parts.enumerated() { if i > 0 { out.append(UInt8(ascii: "/")) }; out += part }
        return out
    }

    /// An 8-hex-digit header field, or nil if it is not hex.
    static func field(_ a: UnsafeRawBufferPointer, _ o: Int, _ at: Int, _ count: Int) -> UInt64? {
        var v: UInt64 = 0
        for i in 0..<count {
            let c = a[o + at + i]
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c - 0x30
            case 0x41...0x46: d = c - 0x41 + 10
            case 0x61...0x66: d = c - 0x61 + 10
            default: return nil
            }
            v = v << 4 | UInt64(d)
        }
        return v
    }
}
