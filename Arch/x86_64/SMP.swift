// Starting the secondary CPUs (Intel SDM Vol. 3A, 9.4.4 "MP Initialization Example"): copy
// the real-mode trampoline (smp_trampoline.S) to AP_TRAMPOLINE_PA, give it temporary page
// tables (identity map of the first 2 MiB for the mode switch, plus the kernel's slot 255),
// then for each CPU the MADT lists: fill the trampoline's slots (stack, entry, argument),
// send INIT, wait 10 ms, send STARTUP twice, and wait for the CPU to report in.

enum SecondaryCPUStartup {
    /// Prepares the trampoline page and its page tables (once).
    static func prepareTrampoline(nx: Bool) {
        let start = UnsafeRawPointer(bitPattern: UInt(arch___ap_trampoline_start()))!
        let length = arch___ap_trampoline_end() - arch___ap_trampoline_start()
        let target = UnsafeMutableRawPointer(bitPattern: UInt(UInt64(DIRECT_MAP_BASE) + UInt64(AP_TRAMPOLINE_PA)))!
        target.copyMemory(from: start, byteCount: Int(length))

        let pml4 = arch_ap_pml4()!, pdpt = arch_ap_pdpt()!, pd = arch_ap_pd()!
        pd[0] = 0 | PTE.present | PTE.writable | PTE.huge            // identity: 0 .. 2 MiB
        pdpt[0] = KernelPageTables.physical(of: UnsafeRawPointer(pd)) | PTE.present | PTE.writable
        pml4[0] = KernelPageTables.physical(of: UnsafeRawPointer(pdpt)) | PTE.present | PTE.writable
        pml4[255] = arch_boot_pml4()![255]                          // the whole kernel half

        slot(8).storeBytes(of: KernelPageTables.physical(of: UnsafeRawPointer(pml4)), as: UInt64.self)
        let efer: UInt64 = (1 << 8) | (nx ? (1 << 11) : 0)           // LME, NXE
        slot(16).storeBytes(of: efer, as: UInt64.self)
        slot(32).storeBytes(of: UInt64(arch_k42_ap_entry()), as: UInt64.self)
    }

    private static func slot(_ offset: Int) -> UnsafeMutableRawPointer {
        UnsafeMutableRawPointer(bitPattern: UInt(UInt64(DIRECT_MAP_BASE) + UInt64(AP_TRAMPOLINE_PA) + UInt64(offset)))!
    }

    /// Starts one CPU; `started` reports whether it came up within the timeout.
    static func start(apicID: UInt32, stackTop: UInt64, argument: UInt64, started: () -> Bool) -> Bool {
        slot(24).storeBytes(of: stackTop, as: UInt64.self)
        slot(40).storeBytes(of: argument, as: UInt64.self)
        LocalAPIC.sendInit(apicID: apicID)
        Clock.delay(nanoseconds: 10_000_000)
        let page = UInt32(AP_TRAMPOLINE_PA >> 12)
        for _ in 0..<2 {
            LocalAPIC.sendStartup(apicID: apicID, page: page)
            let deadline = Clock.nanoseconds() + 200_000
            while Clock.nanoseconds() < deadline { if started() { return true } ; k42_cpu_relax() }
        }
        // Under a loaded emulator a CPU can take a while; wait up to 2 s before giving up.
        let deadline = Clock.nanoseconds() + 2_000_000_000
        while Clock.nanoseconds() < deadline {
            if started() { return true }
            k42_cpu_relax()
        }
        return false
    }
}
