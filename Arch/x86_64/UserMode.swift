// Ring 3: the SYSCALL/SYSRET MSRs (Intel SDM Vol. 3A 5.8.8), the initial FPU/SSE image that
// user threads start from, and user-memory copies whose faults become EFAULT (the page-fault
// handler resolves demand faults first; see Traps.swift).

enum UserMode {
    /// A freshly initialised FXSAVE image (FCW 0x37F, MXCSR 0x1F80), copied into new threads.
    nonisolated(unsafe) static var initialFPUState: UnsafeMutableRawPointer? = nil

    /// Per CPU: enable SYSCALL, set the entry point and the segment bases for SYSRET.
    static func configureThisCPU() {
        arch_wrmsr(0xC000_0080, arch_rdmsr(0xC000_0080) | 1)                  // EFER.SCE
        arch_wrmsr(0xC000_0081, (UInt64(0x10) << 48) | (UInt64(Selector.kernelCode) << 32))  // STAR
        arch_wrmsr(0xC000_0082, arch_k42_syscall_entry())                      // LSTAR
        arch_wrmsr(0xC000_0084, 0x4_0700)                                      // FMASK: AC, DF, IF, TF
        if initialFPUState == nil {
            let area = UnsafeMutableRawPointer.allocate(byteCount: 512, alignment: 16)
            arch_fninit()
            arch_ldmxcsr(0x1F80)
            arch_fxsave(area)
            initialFPUState = area
        }
    }

    static func setFSBase(_ value: UInt64) { arch_wrmsr(0xC000_0100, value) }
}
