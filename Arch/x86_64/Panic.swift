// The panic report: what failed, where (RIP with its symbol), the registers, and a
// frame-pointer backtrace with symbols (every Swift and C function keeps RBP chains:
// "frame-pointer"="all"). Then every other CPU is stopped and QEMU exits with a failure
// status. Output goes straight to the UART and allocates nothing, since the heap or the
// console lock may be what broke.
import Synchronization

enum Panic {
    nonisolated(unsafe) static var inProgress = false
    /// The lowest and highest addresses a frame pointer may hold (set once memory is known).
    nonisolated(unsafe) static var stackRange: (UInt64, UInt64) = (UInt64(DIRECT_MAP_BASE), UInt64(KERNEL_OFFSET) + 0x4000_0000)

    static func exception(_ f: UnsafeMutablePointer<trap_frame>) -> Never {
        begin()
        let v = Int(f.pointee.vector)
        Serial.write("\n------------[ kernel panic: CPU ")
        Serial.writeDecimal(UInt64(k42_cpu_id()))
        Serial.write(" ]------------\n")
        Serial.write(Vector.exceptionName(v))
        Serial.write(", vector ")
        Serial.writeDecimal(UInt64(v))
        Serial.write(", error code 0x")
        Serial.writeHex(f.pointee.error_code, digits: 4)
        if v == 14 {
            let e = f.pointee.error_code
            Serial.write(e & 1 != 0 ? " [protection" : " [not-present")
            Serial.write(e & 2 != 0 ? ", write" : ", read")
            if e & 16 != 0 { Serial.write(", instruction fetch") }
            Serial.write(e & 4 != 0 ? ", user]" : ", kernel]")
            Serial.write("\nfault address (CR2): 0x")
            Serial.writeHex(arch_read_cr2())
        }
        if v == 6 { Serial.write("\n(a Swift runtime trap: overflow, bounds check, nil unwrap or fatalError)") }
        Serial.write("\nRIP: 0x")
        Serial.writeHex(f.pointee.rip)
        Serial.write(" ")
        if !KernelSymbols.write(f.pointee.rip) { Serial.write("?") }
        Serial.write("\n")
        registers(f)
        backtrace(rip: f.pointee.rip, rbp: f.pointee.rbp)
        finish()
    }

    /// A software panic: the kernel found an inconsistency it cannot continue from.
    static func software(_ message: StaticString) -> Never {
        begin()
        Serial.write("\n------------[ kernel panic: CPU ")
        Serial.writeDecimal(UInt64(k42_cpu_id()))
        Serial.write(" ]------------\n")
        Serial.write(message)
        Serial.write("\n")
        backtrace(rip: 0, rbp: arch_read_frame_pointer())
        finish()
    }

    private static func begin() {
        arch_disable_interrupts()
        if inProgress {                      // a panic inside the panic: stop here
            Serial.write("\n[nested panic]\n")
            MachineExit.exit(success: false)
        }
        inProgress = true
    }

    private static func registers(_ f: UnsafeMutablePointer<trap_frame>) {
        let r = f.pointee
        reg("RAX", r.rax, 0); reg("RBX", r.rbx, 1); reg("RCX", r.rcx, 2); reg("RDX", r.rdx, 3)
        reg("RSI", r.rsi, 0); reg("RDI", r.rdi, 1); reg("RBP", r.rbp, 2); reg("RSP", r.rsp, 3)
        reg("R8 ", r.r8, 0); reg("R9 ", r.r9, 1); reg("R10", r.r10, 2); reg("R11", r.r11, 3)
        reg("R12", r.r12, 0); reg("R13", r.r13, 1); reg("R14", r.r14, 2); reg("R15", r.r15, 3)
        reg("CS ", r.cs, 0); reg("SS ", r.ss, 1); reg("RFL", r.rflags, 2); reg("CR3", arch_read_cr3(), 3)
    }

    private static func reg(_ name: StaticString, _ value: UInt64, _ column: Int) {
        Serial.write(name)
        Serial.write(": ")
        Serial.writeHex(value)
        Serial.write(column == 3 ? "\n" : "  ")
    }

    /// Walks the RBP chain: [rbp] = caller's rbp, [rbp + 8] = return address.
    private static func backtrace(rip: UInt64, rbp: UInt64) {
        Serial.write("Backtrace:\n")
        var frame = 0
        if rip != 0 { line(frame, rip); frame += 1 }
        var bp = rbp
        while frame < 32 && bp & 7 == 0 && bp >= stackRange.0 && bp + 16 <= stackRange.1 {
            let ret = arch_load_u64(bp + 8)
            if ret == 0 { break }
            // Return addresses point after the call; name the call instruction's function.
            line(frame, ret)
            frame += 1
            let next = arch_load_u64(bp)
            if next <= bp { break }                  // stacks grow down: callers are higher
            bp = next
        }
    }

    private static func line(_ n: Int, _ address: UInt64) {
        Serial.write("  #")
        Serial.writeDecimal(UInt64(n), width: 2)
        Serial.write(" 0x")
        Serial.writeHex(address)
        Serial.write(" ")
        if !KernelSymbols.write(address == 0 ? 0 : address &- (n == 0 ? 0 : 1)) { Serial.write("?") }
        Serial.write("\n")
    }

    private static func finish() -> Never {
        Serial.write("---[ end kernel panic ]---\n")
        LocalAPIC.broadcastPanicHalt()
        MachineExit.exit(success: false)
    }
}

/// Swift-callable panic for the rest of the kernel.
func kernelPanic(_ message: StaticString) -> Never { Panic.software(message) }
