// The Swift side of every interrupt and exception (entry.S calls k42_trap_entry with the
// saved registers). Exceptions in the kernel are fatal and produce a panic report; device
// and inter-processor interrupts go to the handler registered for their vector.

enum Vector {
    static let timer = 32
    static let crossCPUCall = 0xF1
    static let panicHalt = 0xF0
    static let spurious = 0xFF

    /// The exception's name (Intel SDM Vol. 3A, Table 6-1); a switch, so a panic allocates nothing.
    static func exceptionName(_ v: Int) -> StaticString {
        switch v {
        case 0: return "divide error (#DE)"
        case 1: return "debug (#DB)"
        case 2: return "NMI"
        case 3: return "breakpoint (#BP)"
        case 4: return "overflow (#OF)"
        case 5: return "bound range (#BR)"
        case 6: return "invalid opcode (#UD)"
        case 7: return "device not available (#NM)"
        case 8: return "double fault (#DF)"
        case 10: return "invalid TSS (#TS)"
        case 11: return "segment not present (#NP)"
        case 12: return "stack fault (#SS)"
        case 13: return "general protection (#GP)"
        case 14: return "page fault (#PF)"
        case 16: return "x87 floating point (#MF)"
        case 17: return "alignment check (#AC)"
        case 18: return "machine check (#MC)"
        case 19: return "SIMD floating point (#XM)"
        case 20: return "virtualization (#VE)"
        case 21: return "control protection (#CP)"
        default: return "reserved exception"
        }
    }
}

/// Handlers for interrupt vectors 32..255, set during bring-up before interrupts are enabled.
enum InterruptHandlers {
    nonisolated(unsafe) static var table: [(() -> Void)?] = []
    /// Called for every interrupt (the interrupt statistics object).
    nonisolated(unsafe) static var observer: ((Int) -> Void)? = nil

    static func initialize() { table = Array(repeating: nil, count: 256) }

    static func register(_ vector: Int, _ handler: @escaping () -> Void) { table[vector] = handler }
}

@c(k42_trap_entry)
func trapEntry(_ frame: UnsafeMutablePointer<trap_frame>) {
    let vector = Int(frame.pointee.vector)
    let fromUser = frame.pointee.cs & 3 == 3
    if vector < 32 {
        if fromUser { UserTraps.exception(frame); return }
        if vector == 14 && UserTraps.kernelFault(frame) { return }
        Panic.exception(frame)
    }
    if vector == Vector.spurious { return }            // no EOI for spurious interrupts
    if vector == Vector.panicHalt { MachineExit.haltForever() }
    KernelTracing.interruptEntry(vector)
    InterruptHandlers.observer?(vector)
    if vector == Vector.timer { CPUs.current.timerInterruptedUserMode = fromUser }
    if let handler = InterruptHandlers.table[vector] { handler() }
    LocalAPIC.endOfInterrupt()
    KernelTracing.interruptExit(vector)
    if fromUser { UserTraps.beforeReturnToUser(frame) }
}
