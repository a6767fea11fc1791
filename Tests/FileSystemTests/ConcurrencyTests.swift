// SMP behaviour with threads standing in for CPUs: concurrent creates, renames (across and
// within directories, up and down the tree), unlinks, rmdirs, lookups and listings on shared
// directories must neither deadlock nor corrupt link counts; concurrent appends lose nothing.
import Foundation
import Testing
import LinuxABI
@testable import FileSystem

@Suite struct ConcurrencyTests {
    @Test func namespaceStress() throws {
        let vfs = makeVFS()
        try vfs.makeDirectory("/p")
        try vfs.makeDirectory("/p/q")
        try vfs.makeDirectory("/r")
        let threads = 4
        let group = DispatchGroup()
        for t in 0..<threads {
            group.enter()
            Thread {
                var rng = SplitMix64(seed: UInt64(t + 1))
                let dirs = ["/p", "/p/q", "/r"]
                for i in 0..<3000 {
                    let d1 = dirs[Int(rng.next() % 3)], d2 = dirs[Int(rng.next() % 3)]
                    let n1 = "n\(rng.next() % 8)", n2 = "n\(rng.next() % 8)"
                    switch rng.next() % 7 {
                    case 0: _ = try? vfs.open("\(d1)/\(n1)", flags: [.O_CREAT, .O_WRONLY])
                    case 1: _ = try? vfs.rename("\(d1)/\(n1)", to: "\(d2)/\(n2)")
                    case 2: _ = try? vfs.unlink("\(d1)/\(n1)")
                    case 3: _ = try? vfs.makeDirectory("\(d1)/\(n1)")
                    case 4: _ = try? vfs.removeDirectory("\(d1)/\(n1)")
                    case 5: _ = try? vfs.open(d1, flags: [.O_DIRECTORY]).listNames()
                    default: _ = try? vfs.stat("\(d1)/\(n1)/../\(n2)")
                    }
                    if i % 500 == 0 { _ = try? vfs.rename("/p/q/\(n1)", to: "/p/\(n2)") }
                }
                group.leave()
            }.start()
        }
        #expect(group.wait(timeout: .now() + 30) == .success, "deadlock")
        // Directory link counts agree with their contents.
        func check(_ path: String) throws {
            let names = try vfs.open(path, flags: [.O_DIRECTORY]).listNames().filter { $0 != "." && $0 != ".." }
            var subdirectories = 0
            for n in names {
                let child = path == "/" ? "/\(n)" : "\(path)/\(n)"
                let s = try vfs.stat(child, followSymlinks: false)
                if s.mode.isDirectory { subdirectories += 1; try check(child) } else { #expect(s.linkCount >= 1) }
            }
            #expect(try vfs.stat(path).linkCount == UInt64(2 + subdirectories))
        }
        try check("/")
    }

    @Test func concurrentAppends() throws {
        let vfs = makeVFS()
        _ = try vfs.open("/log", flags: [.O_CREAT])
        let group = DispatchGroup()
        for t in 0..<4 {
            group.enter()
            Thread {
                let f = try! vfs.open("/log", flags: [.O_WRONLY, .O_APPEND])
                let line = [UInt8](repeating: UInt8(0x61 + t), count: 99) + [0x0a]
                for _ in 0..<500 { _ = try? f.write(line) }
                group.leave()
            }.start()
        }
        #expect(group.wait(timeout: .now() + 30) == .success)
        let all = try vfs.open("/log", flags: []).readAll()
        #expect(all.count == 4 * 500 * 100)
        for i in stride(from: 0, to: all.count, by: 100) {       // no torn lines
            #expect(Set(all[i..<(i + 99)]).count == 1 && all[i + 99] == 0x0a)
        }
    }
}
