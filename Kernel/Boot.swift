// The kernel's entry and bring-up checklist (STYLE.md 2): one step per line, in order, for
// the boot CPU; Kernel/SecondaryCPU.swift holds the shorter list each other CPU runs.
// boot.S calls k42_boot_main in 64-bit mode on the boot stack, with the loader's magic and
// the physical address of its boot information.
import Firmware
import Memory
import Objects
import Synchronization

@c(k42_boot_main)
func bootMain(_ magic: UInt32, _ bootInfoPhysical: UInt64) {
    Clock.bootTSC = arch_read_tsc()                          // time zero of the kernel log
    arch_write_gs_base(UInt64(UInt(bitPattern: arch_boot_cpu_area())))  // CPU 0 until CPUs exist
    Serial.initialize()                                       // COM1: the console
    Log.initialize()                                          // timestamped, line-locked log
    let features = Bringup.detectCPU()                        // CPUID: what we may use
    let boot = Bringup.readBootInformation(magic, bootInfoPhysical)  // PVH or multiboot2
    let madt = Bringup.readACPI(boot)                         // RSDP -> XSDT -> MADT: the CPUs
    LocalAPIC.initializeBoot(physicalBase: madt.localAPICAddress)    // mask PICs, find the APIC
    IOAPIC.initialize(physicalAddress: madt.ioAPICs.first?.address ?? 0)  // device interrupts
    Bringup.calibrateClock()                                  // TSC and APIC timer vs the PIT
    let cpuCount = min(max(madt.usableProcessors.count, 1), Int(MAX_CPUS))
    MemoryBringup.initialize(boot, maxCPUs: cpuCount)         // frames (per-CPU caches), heap
    KernelPageTables.finishKernelMappings(ramRanges: MemoryBringup.ramRanges.map { ($0.start, $0.end) })  // W^X
    KernelPageTables.enableGlobalPages(features)              // CR4.PGE where present
    IDT.build()                                               // one IDT for every CPU
    InterruptHandlers.initialize()                            // vector -> handler table
    KernelObjects.initialize(maxCPUs: cpuCount)               // clustered objects: ids, tables
    Bringup.createCPUs(madt, cpuCount)                        // per-CPU areas, stacks, GDT/TSS
    Scheduler.initialize()                                    // per-CPU run queues, idle threads
    Timers.initialize(cpuCount: cpuCount)                     // per-CPU sleep deadlines
    CPUs.all[0].activate()                                    // GS, GDT, TSS, IDT on CPU 0
    ControlRegisters.configure(features)                      // SMEP etc. where reported
    KernelStatistics.initialize(maxCPUs: cpuCount)            // interrupt counts per CPU
    KernelTracing.initialize(cpuCount: cpuCount, commandLine: Bringup.commandLine)  // per-CPU trace logs
    LinuxPersonality.initialize(boot)                         // syscall table, initramfs
    Bringup.startTimerAndInterrupts(cpu: 0)                   // APIC timer, quiescence, sti
    Bringup.enableConsoleInput(madt)                          // UART receive -> console tty
    Bringup.startSecondaryCPUs(features)                      // INIT-SIPI-SIPI each AP
    klog("smp: brought up \(CPUs.onlineCount) CPUs")
    Bringup.runCommandLine(boot)                              // tests, or the idle loop
    idleLoop(cpu: 0)
}

/// Each step of the checklist, with its log line.
enum Bringup {
    nonisolated(unsafe) static var commandLine = KernelCommandLine("")

    static func detectCPU() -> CPUFeatures {
        let f = CPUFeatures.detect()
        CPUFeatures.boot = f
        arch_set_has_rdrand(f.rdrand ? 1 : 0)
        KernelPageTables.nx = f.nx ? PTE.noExecute : 0
        return f
    }

    static func readBootInformation(_ magic: UInt32, _ info: UInt64) -> BootInfo {
        let boot: BootInfo
        do {
            boot = try BootInfo.parse(registerMagic: magic, info: info, reader: DirectMapReader())
        } catch {
            klog("boot: cannot read the boot information (magic \(hex(UInt64(magic), digits: 8)))")
            kernelPanic("unknown boot protocol")
        }
        commandLine = KernelCommandLine(boot.commandLine)
        klog("K42 in Swift, version 0.1 (Embedded Swift 6.3, x86_64) #1 SMP")
        klog("Command line: \(boot.commandLine)")
        klog("boot: \(boot.bootProtocol == .pvh ? "PVH" : "multiboot2") entry, \(boot.modules.count) module(s)")
        let f = CPUFeatures.boot
        klog("CPU: \(f.vendor) \(f.brand) (family \(f.family) model \(f.model) stepping \(f.stepping))")
        klog("CPU features: \(f.summary)")
        for r in boot.memoryMap {
            klog("BIOS-e820: [mem \(hex(r.base))-\(hex(r.end &- 1))] \(e820Name(r.type))")
        }
        for (i, m) in boot.modules.enumerated() {
            klog("module \(i): [mem \(hex(m.base))-\(hex(m.base + m.size &- 1))] \(m.size) bytes\(i == 0 ? " (initrd)" : "")")
        }
        return boot
    }

    static func e820Name(_ type: UInt32) -> String {
        switch type {
        case 1: return "usable"
        case 3: return "ACPI data"
        case 4: return "ACPI NVS"
        case 5: return "unusable"
        default: return "reserved"
        }
    }

    static func readACPI(_ boot: BootInfo) -> MADT {
        let reader = DirectMapReader()
        guard let rsdp = ACPITables.locateRSDP(hint: boot.rsdpAddress, reader: reader) else {
            kernelPanic("ACPI: no RSDP found")
        }
        do {
            let tables = try ACPITables.parse(rsdp: rsdp, reader: reader)
            klog("ACPI: RSDP \(hex(rsdp, digits: 8)) (v\(tables.revision) \(tables.oemID)), tables: \(tables.tables.map { $0.signature }.joined(separator: " "))")
            let madt = try tables.madt(reader: reader)
            klog("ACPI: MADT lists \(madt.processors.count) CPU(s), \(madt.ioAPICs.count) I/O APIC(s), local APIC at \(hex(madt.localAPICAddress, digits: 8))")
            return madt
        } catch {
            kernelPanic("ACPI: unusable tables")
        }
    }

    static func calibrateClock() {
        Clock.calibrate()
        klog("tsc: \(Clock.tscHz / 1_000_000).\((Clock.tscHz / 1000) % 1000) MHz processor\(CPUFeatures.boot.invariantTSC ? " (invariant)" : ""); APIC timer \(LocalAPIC.timerTicksPerSecond / 1000) kHz")
    }

    static func createCPUs(_ madt: MADT, _ count: Int) {
        let frames = MemoryBringup.frames!
        let bootAPIC = LocalAPIC.id
        var ids = madt.usableProcessors.map { $0.apicID }.filter { $0 != bootAPIC }
        ids.insert(bootAPIC, at: 0)
        for i in 0..<count { CPUs.all.append(CPU(index: i, apicID: ids[i], frames: frames)) }
    }

    static func startTimerAndInterrupts(cpu: Int) {
        UserMode.configureThisCPU()                               // SYSCALL MSRs, FPU image
        LocalAPIC.enableThisCPU()
        InterruptHandlers.register(Vector.timer) { timerTick() }
        InterruptHandlers.register(Vector.crossCPUCall) {}            // wakes the idle loop
        if cpu == 0 { TLBShootdown.initialize() }
        ObjectSpace.shared.quiescence.setOnline(cpu, true)
        CPUs.all[cpu].online.store(true, ordering: .releasing)
        LocalAPIC.startPeriodicTimer()
        arch_enable_interrupts()
    }

    /// The serial console's receive interrupt: ISA IRQ 4, unless the MADT overrides it.
    static func enableConsoleInput(_ madt: MADT) {
        var gsi: UInt32 = 4, activeLow = false, level = false
        if let o = madt.overrides.first(where: { $0.bus == 0 && $0.source == 4 }) {
            gsi = o.globalInterrupt
            activeLow = o.flags & 3 == 3
            level = (o.flags >> 2) & 3 == 3
        }
        ConsoleInput.enable(gsi: gsi, activeLow: activeLow, levelTriggered: level, apicID: CPUs.all[0].apicID)
    }

    static func startSecondaryCPUs(_ features: CPUFeatures) {
        guard CPUs.count > 1 else { return }
        SecondaryCPUStartup.prepareTrampoline(nx: features.nx)
        for cpu in CPUs.all.dropFirst() {
            let ok = SecondaryCPUStartup.start(apicID: cpu.apicID, stackTop: cpu.stackTop,
                                               argument: UInt64(cpu.index)) {
                cpu.online.load(ordering: .acquiring)
            }
            if !ok { klog("smp: CPU \(cpu.index) (APIC \(cpu.apicID)) did not start") }
        }
    }

    static func runCommandLine(_ boot: BootInfo) {
        #if KERNEL_TESTS
        if let which = commandLine.value("ktest") ?? (commandLine.contains("ktest") ? "all" : nil) {
            KernelTests.run(which)
        }
        #endif
        if commandLine.contains("hotswap-demo") {
            HotSwapDemo.run(swaps: Int(commandLine.value("hotswap-demo") ?? "") ?? 1000)
        }
        Log.quiet = commandLine.contains("quiet")
        if !LinuxPersonality.startInit(commandLine) {
            klog("Kernel is up; nothing to run. Idle.")
        }
    }
}

/// The periodic timer on every CPU: time slices end here.
func timerTick() {
    CPUs.current.ticks.wrappingAdd(1, ordering: .relaxed)
    Timers.tick(cpu: currentCPU)
    let s = Scheduler.cpus[currentCPU]
    let cpu = CPUs.current
    if s.current !== s.idle {
        s.needReschedule = true
        let user = cpu.timerInterruptedUserMode
        CPUTime.tick(s.current, userMode: user)                   // user or system time
        if user { cpu.userTicks.wrappingAdd(1, ordering: .relaxed) } else { cpu.systemTicks.wrappingAdd(1, ordering: .relaxed) }
    } else {
        cpu.idleTicks.wrappingAdd(1, ordering: .relaxed)
    }
    if currentCPU == 0 { LoadAverage.tick() }                      // every 5 s: /proc/loadavg
}

/// Physical memory through the direct map, for the firmware parsers.
struct DirectMapReader: PhysicalReader {
    func bytes(at address: UInt64, count: Int) -> [UInt8]? {
        guard count >= 0, address < 1 << 32, address + UInt64(count) <= 1 << 32 else { return nil }
        let p = UnsafeRawPointer(bitPattern: UInt(UInt64(DIRECT_MAP_BASE) + address))!
        return Array(UnsafeRawBufferPointer(start: p, count: count))
    }
}
