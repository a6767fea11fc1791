// Crash consistency: a device that loses power after N writes. Writes since the last flush
// are volatile; at the cut a random subset of them lands, one possibly torn (half old, half
// new). After each cut the image must mount, fsck clean, and hold exactly the state of the
// last sync that completed, or of the one in flight. KFS_CRASH_ITERATIONS sets the cut count.

import Testing
@testable import KFS

/// A RAM disk with a volatile write cache and a power switch.
final class PowerCutDevice: BlockDevice {
    private(set) var durable: [[UInt8]]
    private var volatile: [[UInt8]]
    private var pending: [(UInt64, [UInt8])] = []
    private var writesLeft: Int
    private var random: SeededRandom
    private(set) var cut = false
    private(set) var writes = 0

    init(image: [[UInt8]], cutAfterWrites: Int, seed: UInt64) {
        durable = image
        volatile = image
        writesLeft = cutAfterWrites
        random = SeededRandom(seed: seed)
    }

    var blockCount: UInt64 { UInt64(durable.count) }

    func readBlock(_ index: UInt64, into buffer: inout [UInt8]) throws(KFSError) {
        guard index < blockCount else { throw .io }
        buffer = volatile[Int(index)]
    }

    func writeBlock(_ index: UInt64, _ data: [UInt8]) throws(KFSError) {
        guard index < blockCount else { throw .io }
        volatile[Int(index)] = data  // the running system keeps seeing its own writes
        writes += 1
        guard !cut else { return }
        pending.append((index, data))
        writesLeft -= 1
        if writesLeft == 0 { powerLoss() }
    }

    func flush() throws(KFSError) {
        guard !cut else { return }
        for (index, data) in pending { durable[Int(index)] = data }
        pending = []
    }

    private func powerLoss() {
        cut = true
        for (index, data) in pending where random.next() % 2 == 0 {
            if random.next() % 4 == 0 {
                var torn = durable[Int(index)]
                let split = Int(random.next() % UInt64(kfsBlockSize / 512)) * 512
                torn.replaceSubrange(0..<split, with: data[0..<split])
                durable[Int(index)] = torn
            } else {
                durable[Int(index)] = data
            }
        }
        pending = []
    }
}

@Suite struct CrashTests {
    /// The workload: random model operations with a sync every few steps. Returns the model at
    /// each sync (index 0: the empty file system) and how many syncs finished before the cut.
    static func workload(_ device: PowerCutDevice, seed: UInt64, operations: Int) throws -> ([Model], Int) {
        let fileSystem = try FileSystem(mounting: device)
        var driver = ModelDriver(seed: seed)
        var snapshots = [driver.model]
        var completed = device.cut ? -1 : 0
        for index in 0..<operations {
            driver.step(fileSystem, unique: index)
            if index % 7 == 6 || index == operations - 1 {
                try fileSystem.sync()
                snapshots.append(driver.model)
                if !device.cut { completed = snapshots.count - 1 }
            }
        }
        return (snapshots, completed)
    }

    @Test func everyCutLeavesTheLastSyncedSnapshot() throws {
        let cuts = iterations("KFS_CRASH_ITERATIONS", default: 120)
        let operations = 140
        let base = MemoryBlockDevice(blockCount: 1024)
        try FileSystem.format(base)
        let seed: UInt64 = 77
        // A run with no cut tells how many writes the workload makes.
        let uncut = PowerCutDevice(image: base.blocks, cutAfterWrites: Int.max, seed: 0)
        _ = try CrashTests.workload(uncut, seed: seed, operations: operations)
        let totalWrites = uncut.writes
        #expect(totalWrites > 150)
        var random = SeededRandom(seed: 5)
        var matchedInFlight = 0
        for cut in 0..<cuts {
            let point = Int(random.next() % UInt64(totalWrites)) + 1
            let device = PowerCutDevice(image: base.blocks, cutAfterWrites: point, seed: UInt64(cut))
            let (snapshots, completed) = try CrashTests.workload(device, seed: seed, operations: operations)
            let recovered = MemoryBlockDevice(image: device.durable.flatMap { $0 })
            let report = Checker(recovered).run()
            #expect(report.clean, "cut \(cut) at write \(point): \(report.problems.map(\.kind))")
            let fileSystem = try FileSystem(mounting: recovered)
            let last = differences(fileSystem, snapshots[completed])
            if last.isEmpty { continue }
            if completed + 1 < snapshots.count, differences(fileSystem, snapshots[completed + 1]).isEmpty {
                matchedInFlight += 1
                continue
            }
            Issue.record("cut \(cut) at write \(point) of \(totalWrites): \(last.prefix(5))")
        }
        print("crash: \(cuts) cuts over \(totalWrites) writes; \(matchedInFlight) recovered the sync in flight")
    }
}
