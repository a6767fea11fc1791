// The randomized model test: thousands of operations through KFS and the in-memory model,
// with syncs, clean remounts, and "crash" remounts that drop everything since the last sync
// (the model goes back to its snapshot at that sync). The trees must agree after every remount,
// and fsck must find every committed image clean. KFS_MODEL_OPERATIONS scales it.

import Testing
@testable import KFS

@Suite struct ModelTests {
    @Test(arguments: [UInt64(1), 2, 3])
    func randomOperationsMatchTheModel(seed: UInt64) throws {
        let operations = iterations("KFS_MODEL_OPERATIONS", default: 1500)
        let device = MemoryBlockDevice(blockCount: 3000)
        try FileSystem.format(device)
        var fileSystem = try FileSystem(mounting: device)
        // A small cache limit, so syncs evict elements and later steps reload them.
        fileSystem.cachedElementLimit = 8
        var driver = ModelDriver(seed: seed)
        var committed = driver.model
        var remounts = 0
        for index in 0..<operations {
            driver.step(fileSystem, unique: index)
            let roll = driver.random.next() % 100
            if roll < 4 {
                try fileSystem.sync()
                committed = driver.model
            } else if roll < 6 {
                try fileSystem.sync()
                committed = driver.model
                expectClean(device)
                fileSystem = try FileSystem(mounting: device)
                fileSystem.cachedElementLimit = 8
                remounts += 1
                let problems = differences(fileSystem, driver.model)
                #expect(problems.isEmpty, "after remount \(index): \(problems.prefix(5))")
                if !problems.isEmpty { return }
            } else if roll < 7 {
                // Power loss without sync: the last snapshot is what comes back.
                fileSystem = try FileSystem(mounting: device)
                driver.model = committed
                remounts += 1
                let problems = differences(fileSystem, driver.model)
                #expect(problems.isEmpty, "after crash remount \(index): \(problems.prefix(5))")
                if !problems.isEmpty { return }
            }
        }
        try fileSystem.sync()
        expectClean(device)
        let final = try FileSystem(mounting: device)
        #expect(differences(final, driver.model).isEmpty)
        #expect(remounts > 10)
    }
}
