// Hosted tests of the frame manager and the kernel heap over simulated physical memory (a
// host buffer standing for RAM), with simulated CPUs as threads.
import Foundation
import K42TestSupport
import Memory
import Objects
import Testing

/// A block of host memory that plays physical memory [base, base + bytes).
final class SimulatedRAM: @unchecked Sendable {
    let buffer: UnsafeMutableRawPointer
    let bytes: Int
    let base: UInt64 = 0x10_0000                     // "physical" addresses start at 1 MiB
    let descriptorStorage: UnsafeMutableRawPointer

    init(megabytes: Int) {
        bytes = megabytes << 20
        buffer = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 1 << 22)
        let frames = Int((0x10_0000 + UInt64(megabytes << 20)) >> 12)
        descriptorStorage = .allocate(byteCount: FrameManager.descriptorBytes(frameCount: frames), alignment: 16)
    }
    deinit { buffer.deallocate(); descriptorStorage.deallocate() }

    var frameCount: Int { Int((base + UInt64(bytes)) >> 12) }
    var window: PhysicalWindow { PhysicalWindow(base: UInt(bitPattern: buffer) &- UInt(base)) }

    func frameManager(cpus: Int) -> FrameManager {
        let f = FrameManager(window: window, frameCount: frameCount, descriptorStorage: descriptorStorage, maxCPUs: cpus)
        f.addFreeRange(physical: base, bytes: UInt64(bytes))
        return f
    }
}

@Suite struct FrameManagerTests {
    @Test func exhaustionIsReportedAndEverythingComesBack() {
        let ram = SimulatedRAM(megabytes: 8)
        let cpus = SimulatedCPUs(count: 1)
        cpus.bind(0)
        let frames = ram.frameManager(cpus: 1)
        let total = frames.freeFrames
        #expect(total == 2048)
        var got = Set<UInt64>()
        while let f = frames.allocateFrame() { got.insert(f) }
        #expect(got.count == total, "every frame handed out exactly once")
        #expect(frames.allocateFrame() == nil)
        #expect(frames.allocate(order: 2) == nil)
        #expect(got.allSatisfy { $0 >= ram.base && $0 < ram.base + UInt64(ram.bytes) && $0 & 0xFFF == 0 })
        for f in got { frames.freeFrame(physical: f) }
        #expect(frames.freeFrames == total)
        // Buddies merged again: a 4 MiB block is available.
        let big = frames.allocate(order: FrameManager.maxOrder)
        #expect(big != nil)
        #expect(big.map { $0 & ((4096 << UInt64(FrameManager.maxOrder)) - 1) == 0 } == true)
    }

    @Test func blocksNeverOverlapUnderRandomUse() {
        let ram = SimulatedRAM(megabytes: 16)
        SimulatedCPUs(count: 1).bind(0)
        let frames = ram.frameManager(cpus: 1)
        var rng = SystemRandomNumberGenerator()
        var live: [(UInt64, Int)] = []
        var owner = [UInt64: Int]()                  // frame -> block index marker
        for step in 0..<20_000 {
            if live.isEmpty || Int.random(in: 0..<3, using: &rng) != 0 {
                let order = Int.random(in: 0...4, using: &rng)
                guard let block = frames.allocate(order: order) else { continue }
                #expect(block & ((4096 << UInt64(order)) - 1) == 0)
                for i in 0..<(1 << order) {
                    let f = block + UInt64(i * 4096)
                    #expect(owner[f] == nil, "frame handed out twice at step \(step)")
                    owner[f] = step
                }
                live.append((block, order))
            } else {
                let (block, order) = live.remove(at: Int.random(in: 0..<live.count, using: &rng))
                for i in 0..<(1 << order) { owner[block + UInt64(i * 4096)] = nil }
                frames.free(physical: block, order: order)
            }
        }
        for (b, o) in live { frames.free(physical: b, order: o) }
        #expect(frames.freeFrames == 4096)
    }

    @Test func framesFreedOnAnotherCPUGoBackToTheirOwner() {
        let ram = SimulatedRAM(megabytes: 8)
        let cpus = SimulatedCPUs(count: 2)
        let frames = ram.frameManager(cpus: 2)
        let box = Box<[UInt64]>([])
        cpus.run(cpus: [1]) { _ in for _ in 0..<40 { box.value.append(frames.allocateFrame()!) } }
        cpus.run(cpus: [0]) { _ in for f in box.value { frames.freeFrame(physical: f) } }
        #expect(frames.remoteFrees(cpu: 0) == 40)
        let again = Box<[UInt64]>([])
        cpus.run(cpus: [1]) { _ in for _ in 0..<200 { again.value.append(frames.allocateFrame()!) } }
        #expect(Set(box.value).isSubset(of: Set(again.value)))
    }

    @Test func concurrentAllocationFromEveryCPU() {
        let ram = SimulatedRAM(megabytes: 32)
        let cpus = SimulatedCPUs(count: 4)
        let frames = ram.frameManager(cpus: 4)
        let total = frames.freeFrames
        let results = (0..<4).map { _ in Box<[UInt64]>([]) }
        cpus.runOnAll { cpu in
            for round in 0..<20 {
                for _ in 0..<100 { if let f = frames.allocateFrame() { results[cpu].value.append(f) } }
                // Free half of them on the next CPU's behalf: cross-CPU frees under load.
                if round % 2 == 1 {
                    let n = results[cpu].value.count / 2
                    for f in results[cpu].value.prefix(n) { frames.freeFrame(physical: f) }
                    results[cpu].value.removeFirst(n)
                }
            }
        }
        let all = results.flatMap { $0.value }
        #expect(Set(all).count == all.count, "no frame is owned twice")
        cpus.runOnAll { cpu in
            for (i, f) in results[cpu].value.enumerated() where i % 2 == 0 { frames.freeFrame(physical: f) }
        }
        cpus.runOnAll { cpu in
            for (i, f) in results[(cpu + 1) % 4].value.enumerated() where i % 2 == 1 { frames.freeFrame(physical: f) }
        }
        // Remote frees sit on owners' lists until they allocate again; drain by allocating everything.
        var everything = 0
        cpus.runOnAll { _ in }
        cpus.bind(0)
        for cpu in 0..<4 {
            cpus.run(cpus: [cpu]) { _ in
                var mine: [UInt64] = []
                while let f = frames.allocateFrame() { mine.append(f) }
                for f in mine { frames.freeFrame(physical: f) }
            }
        }
        everything = frames.freeFrames
        #expect(everything == total)
    }
}

/// A reference cell for sharing results between test threads.
final class Box<T>: @unchecked Sendable {
    var value: T
    init(_ v: T) { value = v }
}
