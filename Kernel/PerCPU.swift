// Each CPU's private state: its per-CPU area (the GS base: CPU number, local translation
// table, current stacks), descriptor tables, stacks, and a mailbox for cross-CPU calls.
// A CPU touches only its own CPU object on its fast paths; other CPUs read `online`/`ticks`.
import Memory
import Objects
import Synchronization

final class CPU {
    let index: Int
    let apicID: UInt32
    let area: UnsafeMutablePointer<k42_cpu_area>
    let stackTop: UInt64
    let tables: DescriptorTables
    let online = Atomic<Bool>(false)
    let ticks = Atomic<UInt64>(0)
    /// Timer ticks (USER_HZ = 100, the tick rate) by what the CPU was doing, for /proc/stat's
    /// cpuN lines and /proc/uptime: written by this CPU only, read by anyone.
    let userTicks = Atomic<UInt64>(0)
    let systemTicks = Atomic<UInt64>(0)
    let idleTicks = Atomic<UInt64>(0)
    let mailbox = CrossCPUMailbox()
    /// Whether the timer interrupt being handled came from user mode (set by the trap entry
    /// for the timer vector only): the tick charges user or system time by it.
    var timerInterruptedUserMode = false

    static let stackOrder = 3                                  // 32 KiB kernel stacks
    static let istOrder = 1                                    // 8 KiB interrupt stacks

    /// The boot CPU uses the static area and the boot stack; the others get fresh ones.
    init(index: Int, apicID: UInt32, frames: FrameManager) {
        self.index = index
        self.apicID = apicID
        if index == 0 {
            area = arch_boot_cpu_area()!
            stackTop = UInt64(arch_boot_stack_top())
        } else {
            let raw = UnsafeMutableRawPointer.allocate(byteCount: 256, alignment: 64)
            raw.initializeMemory(as: UInt8.self, repeating: 0, count: 256)
            area = raw.bindMemory(to: k42_cpu_area.self, capacity: 1)
            stackTop = CPU.allocateStack(order: CPU.stackOrder, frames)
        }
        var ist: [UInt64] = []
        for _ in 0..<3 { ist.append(CPU.allocateStack(order: CPU.istOrder, frames)) }
        tables = DescriptorTables(kernelStackTop: stackTop, istTops: ist)
        area.pointee.self_pointer = area
        area.pointee.cpu = UInt32(index)
        area.pointee.apic_id = apicID
        area.pointee.kernel_stack_top = UnsafeMutableRawPointer(bitPattern: UInt(stackTop))
        if let space = ObjectSpace.shared {
            area.pointee.local_translation_table = space.localTable(cpu: index)
        }
    }

    static func allocateStack(order: Int, _ frames: FrameManager) -> UInt64 {
        guard let pa = frames.allocate(order: order) else { kernelPanic("out of memory for a kernel stack") }
        return UInt64(DIRECT_MAP_BASE) + pa + UInt64(4096 << order)
    }

    /// On this CPU: point GS at the area, load GDT, TSS and IDT.
    func activate() {
        arch_write_gs_base(UInt64(UInt(bitPattern: area)))
        tables.load()
        IDT.load()
    }
}

enum CPUs {
    nonisolated(unsafe) static var all: [CPU] = []
    static var count: Int { all.count }
    static var current: CPU { all[currentCPU] }
    static var onlineCount: Int { all.filter { $0.online.load(ordering: .acquiring) }.count }
}
