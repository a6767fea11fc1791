// fsck.kfs IMAGE: checks every KFS structure (checksums, allocation map against reachable
// blocks, RecordMap against the directory tree, link counts) with the library's Checker, and
// repairs with -y/-p. Exit status as e2fsck(8): 0 clean, 1 errors corrected, 4 errors left
// uncorrected, 8 operational error. -l lists every element with the implementation serving it.

import ArgumentParser
import Glibc
import KFS

@main
struct FsckKFS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fsck.kfs", abstract: "Check and repair a KFS file system image.")

    @Argument(help: "Image file.") var image: String
    @Flag(name: .customShort("n"), help: "Report only; open the image read-only.") var noChanges = false
    @Flag(name: .customShort("y"), help: "Repair everything that can be repaired.") var yes = false
    @Flag(name: .customShort("p"), help: "Repair automatically (same as -y for KFS).") var preen = false
    @Flag(name: .customShort("f"), help: "Accepted for compatibility; KFS always checks fully.") var force = false
    @Flag(name: .shortAndLong, help: "Verbose: print a summary even when clean.") var verbose = false
    @Flag(name: .shortAndLong, help: "List every element: path, implementation, size.") var list = false

    func run() throws {
        let repair = (yes || preen) && !noChanges
        let device: FileBlockDevice
        do {
            device = try FileBlockDevice(path: image, readOnly: !repair)
        } catch {
            say("fsck.kfs: cannot open \(image)")
            throw ExitCode(8)
        }
        let result = kfsCheck(device, repair: repair)
        for problem in result.first.problems where verbose || !problem.kind.isNote {
            say("fsck.kfs: \(describe(problem))")
        }
        if result.repaired {
            for problem in result.final.problems where !problem.kind.isNote {
                say("fsck.kfs: not repaired: \(describe(problem))")
            }
        }
        if verbose || list {
            print("\(image): snapshot \(result.final.sequence), \(result.final.elements) elements, "
                  + "\(result.final.usedBlocks)/\(device.blockCount) blocks used")
        }
        if list, let fileSystem = try? FileSystem(mounting: device) { listTree(fileSystem) }
        if result.first.clean {
            if verbose { print("\(image): clean") }
            return
        }
        if result.repaired && result.final.clean {
            print("\(image): errors corrected")
            throw ExitCode(1)
        }
        print("\(image): errors left uncorrected" + (repair ? "" : " (run with -y to repair)"))
        throw ExitCode(4)
    }

    func listTree(_ fileSystem: FileSystem<FileBlockDevice>) {
        var stack: [(UInt32, String)] = [(kfsRootID, "/")]
        var seen = Set<UInt32>()
        while let (id, path) = stack.popLast() {
            guard let stat = try? fileSystem.stat(id) else { continue }
            print("\(String(id).leftPad(6)) \(String(describing: stat.implementation.name).padding(15)) "
                  + "\(String(stat.size).leftPad(10)) \(path)")
            guard stat.kind == .directory, seen.insert(id).inserted,
                  let entries = try? fileSystem.readdir(id) else { continue }
            for entry in entries.reversed() {
                let name = String(decoding: entry.name, as: UTF8.self)
                stack.append((entry.id, path == "/" ? "/" + name : path + "/" + name))
            }
        }
    }

    func describe(_ problem: CheckProblem) -> String {
        let name = String(decoding: problem.name, as: UTF8.self)
        switch problem.kind {
        case .superblockSlotInvalid: return "note: superblock slot \(problem.block) holds no valid older snapshot"
        case .noValidSuperblock: return "no valid superblock: not a KFS image, or both copies damaged"
        case .recordMapDamaged: return "RecordMap (root block \(problem.block)) is damaged"
        case .rootDamaged: return "root directory is damaged"
        case .allocationMapDamaged: return "allocation map (root block \(problem.block)) is damaged"
        case .elementDamaged: return "element \(problem.id): record at block \(problem.block) or a block it names is damaged"
        case .blockSharedByTwo: return "block \(problem.block) is claimed twice (second claim by element \(problem.id))"
        case .danglingEntry: return "directory \(problem.id): entry '\(name)' names missing or damaged element \(problem.found)"
        case .duplicateEntry: return "directory \(problem.id): duplicate entry '\(name)'"
        case .directoryLinkedTwice: return "directory \(problem.id): entry '\(name)' links directory \(problem.found) a second time"
        case .wrongParent: return "directory \(problem.id): '..' is \(problem.found), should be \(problem.expected)"
        case .orphan: return "element \(problem.id) is not in any directory"
        case .wrongLinkCount: return "element \(problem.id): link count \(problem.found), should be \(problem.expected)"
        case .blockNotMarked: return "block \(problem.block) is in use but marked free"
        case .blockLeaked: return "block \(problem.block) is marked used but unused"
        case .countersWrong: return "superblock counters wrong (used blocks \(problem.found), should be \(problem.expected))"
        }
    }

    func say(_ message: String) {
        let line = Array((message + "\n").utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}

extension String {
    func leftPad(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
    func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
}
