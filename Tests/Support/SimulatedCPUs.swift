// Simulated CPUs for the hosted tests: each is a k42_cpu_area that a host thread binds to
// (platform.h's hosted branch), so `currentCPU` and the clustered objects' local tables work
// exactly as in the kernel, with threads standing in for processors.
import Foundation
import Objects
import Platform

public final class SimulatedCPUs: @unchecked Sendable {
    public let count: Int
    let areas: UnsafeMutablePointer<k42_cpu_area>

    /// Makes `count` CPU areas (never freed: a thread may keep its binding after a test).
    public init(count: Int, objectSpace: ObjectSpace? = nil) {
        self.count = count
        areas = .allocate(capacity: count)
        areas.initialize(repeating: k42_cpu_area(), count: count)
        for i in 0..<count {
            areas[i].self_pointer = areas + i
            areas[i].cpu = UInt32(i)
            if let space = objectSpace {
                areas[i].local_translation_table = space.localTable(cpu: i)
                space.quiescence.setOnline(i, true)
            }
        }
        bind(0)
    }

    /// Makes the calling thread run as CPU `cpu`.
    public func bind(_ cpu: Int) { k42_hosted_bind_cpu(areas + cpu) }

    /// Runs `body(cpu)` on one thread per CPU, concurrently, and waits for all of them.
    public func runOnAll(_ body: @escaping @Sendable (Int) -> Void) {
        run(cpus: Array(0..<count), body)
    }

    /// Runs `body(cpu)` on one new thread per listed CPU and waits for all of them.
    public func run(cpus: [Int], _ body: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        for cpu in cpus {
            group.enter()
            let t = Thread { [self] in
                bind(cpu)
                body(cpu)
                group.leave()
            }
            t.start()
        }
        group.wait()
        bind(0)
    }

    /// Starts `body` on a thread bound to `cpu` and returns at once.
    public func start(cpu: Int, _ body: @escaping @Sendable () -> Void) {
        let t = Thread { [self] in
            bind(cpu)
            body()
        }
        t.start()
    }
}

/// A fresh object space installed as ObjectSpace.shared, with simulated CPUs bound to it.
public func makeObjectSpace(cpus: Int, idsPerCPU: Int = 256) -> (ObjectSpace, SimulatedCPUs) {
    let space = ObjectSpace(maxCPUs: cpus, idsPerCPU: idsPerCPU)
    ObjectSpace.shared = space
    return (space, SimulatedCPUs(count: cpus, objectSpace: space))
}

/// Waits until `condition` holds (polling), up to `seconds`.
public func eventually(seconds: Double = 5, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(1000)
    }
    return condition()
}
