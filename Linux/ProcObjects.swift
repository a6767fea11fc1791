// /proc/k42/objects: the live clustered objects, and hot swap from the shell.
//   read:  one line per object: id, type, implementation, representatives, gate, detail
//          (gate: "-", "swapping", or "interposed" with the call monitor's counts)
//   write: one command per write:
//          "swap ID IMPL"            swap object ID (co#N or N) to implementation IMPL
//          "upgrade TYPE IMPL [eager]"  every instance of TYPE, lazily (each on its next
//                                    call) or eagerly
//          "interpose ID" / "uninterpose ID"  add / remove a call monitor (counts and times
//                                    calls; its report goes to the kernel log on removal)
// Errors: EINVAL (bad command or implementation name), ENOENT (no such object or type),
// EBUSY (a swap or interposer is already in place), EOPNOTSUPP (no implementations known, or
// no common state format), EIO (the new implementation refused the state: the old one stays).
import FileSystem
import LinuxABI
import Objects

enum ProcObjects {
    static func register(_ proc: ProcFS) {
        proc.register("k42/objects", .file(ProcFileSpec(mode: 0o644, content: { () throws(Errno) -> [UInt8] in
            Array(listing().utf8)
        }, write: { (bytes: [UInt8]) throws(Errno) -> Void in
            try control(String(decoding: bytes, as: UTF8.self))
        })))
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }

    static func listing() -> String {
        let space = ObjectSpace.shared!
        var out = pad("id", 10) + pad("type", 12) + pad("implementation", 20) + pad("reps", 6) + pad("gate", 12) + "detail\n"
        for id in space.liveIDs() {
            guard let root = space.root(of: id) else { continue }
            var gate = "-"
            switch space.gateKind(id) {
            case .mediator: gate = "swapping"
            case .interposer: gate = "interposed " + (space.interposer(on: id)?.report ?? "")
            case nil: break
            }
            out += pad(id.description, 10) + pad(root.typeName.description, 12) + pad(root.implementationName.description, 20)
            out += pad(String(root.representativeCount), 6) + pad(gate, 12) + root.detail + "\n"
        }
        return out
    }

    static func objectID(_ word: String) throws(Errno) -> ObjectID {
        let digits = word.hasPrefix("co#") ? String(word.dropFirst(3)) : word
        guard let n = UInt32(digits), ObjectSpace.shared.isLive(ObjectID(index: n)) else { throw .ENOENT }
        return ObjectID(index: n)
    }

    static func errno(_ error: ObjectError) -> Errno {
        switch error {
        case .outOfIDs: return .ENOMEM
        case .noSuchObject: return .ENOENT
        case .busy: return .EBUSY
        case .noCommonFormat: return .EOPNOTSUPP
        case .transferFailed: return .EIO
        }
    }

    static func control(_ text: String) throws(Errno) {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map { String($0) }
        guard let command = words.first else { throw .EINVAL }
        let space = ObjectSpace.shared!
        switch (command, words.count) {
        case ("swap", 3):
            let id = try objectID(words[1])
            guard let old = space.root(of: id) else { throw .ENOENT }
            guard let factory = old.factory else { throw .EOPNOTSUPP }
            guard let new = factory.makeImplementation(words[2], replacing: old) else { throw .EINVAL }
            do {
                let result = try space.swap(id, to: new)
                klog("objects: \(id) swapped to \(words[2]) in \(HotSwapDemo.microseconds(result.ticks)) us")
            } catch { throw errno(error) }
        case ("upgrade", 3), ("upgrade", 4):
            guard let factory = ObjectFactory.named(words[1]) else { throw .ENOENT }
            guard factory.implementationNames.contains(words[2]) else { throw .EINVAL }
            let eager = words.count == 4 && words[3] == "eager"
            guard words.count == 3 || eager else { throw .EINVAL }
            let name = words[2]
            let result = factory.upgradeAll(lazily: !eager) { old in factory.makeImplementation(name, replacing: old) }
            klog("objects: upgrade \(words[1]) to \(name) (\(eager ? "eager" : "lazy")): \(result.upgraded) instances, \(result.refused) refused")
        case ("interpose", 2):
            let id = try objectID(words[1])
            do { try space.interpose(id, with: CallMonitor(cpus: space.maxCPUs)) } catch { throw errno(error) }
        case ("uninterpose", 2):
            let id = try objectID(words[1])
            do {
                let removed = try space.removeInterposer(id)
                klog("objects: \(id) interposer removed: \(removed.report)")
            } catch { throw errno(error) }
        default:
            throw .EINVAL
        }
    }
}
