// The kernel side of the unified trace (issue 6): per-CPU buffers set up at boot, the
// interrupt and idle hooks, and streaming of complete buffers to the host.
// Being written by the tracing work; the hooks below are where the rest of the kernel calls in.

import Firmware

enum KernelTracing {
    /// Boot CPU, after the heap and the object space exist.
    static func initialize(cpuCount: Int, commandLine: KernelCommandLine) {}
    /// Every interrupt and exception entry (vector), and its exit.
    @inline(__always) static func interruptEntry(_ vector: Int) {}
    @inline(__always) static func interruptExit(_ vector: Int) {}
    /// Each pass of a CPU's idle loop (interrupts enabled, nothing held).
    static func idle(cpu: Int) {}
}
