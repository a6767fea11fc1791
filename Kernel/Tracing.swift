// The kernel side of the unified trace (issue 6; docs/tracing.md, "In the kernel"): one TraceLog
// per CPU in frames from the frame manager, installed as the Tracer that every trace(...) point
// writes to (Trace/Tracer.swift); the enable mask from the command line (`trace`, `trace=MASK`);
// the interrupt hooks (Arch/x86_64/Traps.swift) and the idle-loop hook (Kernel/SecondaryCPU.swift)
// that streams complete buffers to the host over COM2 (Arch/x86_64/TracePort.swift) in the trace
// container format (Trace/TraceFile.swift), so `k42-trace` reads the captured file as it is.
import Firmware
import Memory
import Objects
import Synchronization
import Trace

enum KernelTracing {
    /// Per CPU: 8 buffers of 4096 words (32 KiB) unless `trace_buffers=N` (a power of two, 2 to
    /// 1024) says otherwise. Small buffers reach the host sooner; eight of them absorb a burst
    /// while the streaming CPU is busy on the (slow) serial port. Losing no events at a rate R
    /// needs R x (the consumer's longest absence) of buffering: more buffers for heavy tracing.
    nonisolated(unsafe) static var buffersPerCPU = 8
    static let wordsPerBuffer = 4096
    /// At most this many buffers leave per idle pass, so an idle CPU still serves its mailbox.
    static let buffersPerIdlePass = 4
    /// A CPU whose current buffer has not been streamed for this long gets it sealed (padded
    /// with a filler), so a quiet CPU's events still reach the host while the system runs.
    static let sealAfterSeconds: UInt64 = 2

    nonisolated(unsafe) static var tracer: Tracer? = nil
    /// The COM2 stream (nil when there is no second serial port); guarded by streamLock.
    nonisolated(unsafe) static var stream: TraceFileWriter<TracePortSink>? = nil
    /// Held by whoever consumes the logs: an idle CPU streaming, a test, the final flush.
    nonisolated(unsafe) static var streamLock: SpinLock? = nil
    nonisolated(unsafe) static var streaming = false
    /// Buffers written to COM2 so far, and per CPU the TSC when its last buffer left (streamLock).
    nonisolated(unsafe) static var streamedBuffers: UInt64 = 0
    nonisolated(unsafe) static var lastStreamed: [UInt64] = []

    // MARK: Bring-up

    /// Boot CPU, after the heap and the object space exist (Kernel/Boot.swift).
    static func initialize(cpuCount: Int, commandLine: KernelCommandLine) {
        guard let frames = MemoryBringup.frames, cpuCount > 0 else { return }
        if let text = commandLine.value("trace_buffers") {
            if let n = Int(text), n >= 2, n <= 1024, n & (n - 1) == 0 {
                buffersPerCPU = n
            } else {
                klog("trace: trace_buffers=\(text) is not a power of two from 2 to 1024; using \(buffersPerCPU)")
            }
        }
        // Each CPU's log in its own block of frames: control words, then the buffers. The buddy
        // allocator rounds the 256 KiB + 256 B region up to 512 KiB (docs/tracing.md says why).
        let regionBytes = TraceLog.regionBytes(buffers: buffersPerCPU, wordsPerBuffer: wordsPerBuffer)
        var order = 0
        while (pageSize << order) < regionBytes { order += 1 }
        let logs = UnsafeMutablePointer<TraceLog>.allocate(capacity: cpuCount)
        for cpu in 0..<cpuCount {
            guard let physical = frames.allocate(order: order),
                  let log = TraceLog(formatting: frames.window.pointer(physical), cpu: UInt32(cpu),
                                     buffers: buffersPerCPU, wordsPerBuffer: wordsPerBuffer, mode: .dropNewest)
            else {
                klog("trace: no memory for CPU \(cpu)'s trace buffers; tracing is unavailable")
                return
            }
            (logs + cpu).initialize(to: log)
        }
        let installed = Tracer(logs: logs, cpuCount: cpuCount, timestampFrequency: Clock.tscHz)
        installed.install()
        tracer = installed
        streamLock = SpinLock()
        lastStreamed = Array(repeating: arch_read_tsc(), count: cpuCount)
        if TracePort.initialize() {
            var writer = TraceFileWriter(sink: TracePortSink())
            writer.writeHeader(fileHeader(installed))
            stream = writer
            streaming = true
        }
        let (mask, unknown) = mask(from: commandLine)
        for name in unknown { klog("trace: unknown class '\(name)' on the command line (ignored)") }
        if mask != 0 { traceSetMask(mask) }
        klog("trace: \(cpuCount) CPUs x \(buffersPerCPU) buffers x \(wordsPerBuffer * 8 / 1024) KiB, clock TSC, mask \(hex(mask, digits: 4)) (\(classNames(mask))), \(streaming ? "streaming to COM2" : "no COM2: buffers stay in memory")")
    }

    static func fileHeader(_ tracer: Tracer) -> TraceFileHeader {
        TraceFileHeader(cpuCount: UInt64(tracer.cpuCount), timestampFrequency: tracer.timestampFrequency,
                        wordsPerBuffer: UInt64(wordsPerBuffer), buffersPerCPU: UInt64(buffersPerCPU),
                        mode: TraceOverflowMode.dropNewest.rawValue)
    }

    /// Every class the catalogue defines.
    static var allClasses: UInt64 {
        var mask: UInt64 = 0
        for c in TraceClass.allCases { mask |= c.maskBit }
        return mask
    }

    /// `trace` (every class), `trace=0x90` / `trace=90` (hex mask), `trace=irq,lock` (names),
    /// `trace=all`, `trace=all,-lockhold` (a leading `-` removes a class); no `trace` word: every
    /// class off. Returns the mask and the unknown names.
    static func mask(from commandLine: KernelCommandLine) -> (UInt64, [String]) {
        guard commandLine.contains("trace") else { return (0, []) }
        guard let value = commandLine.value("trace"), !value.isEmpty, value != "all" else {
            return (allClasses, [])
        }
        var digits = Substring(value)
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
        if let hexMask = UInt64(digits, radix: 16) { return (hexMask, []) }
        var mask: UInt64 = 0
        var unknown: [String] = []
        for word in value.split(separator: ",") {
            let remove = word.hasPrefix("-")
            let name = remove ? word.dropFirst() : word
            var bits: UInt64 = 0
            if name == "all" {
                bits = allClasses
            } else if let c = TraceClass.allCases.first(where: { self.name($0) == name }) {
                bits = c.maskBit
            } else {
                unknown.append(String(word))
                continue
            }
            if remove { mask &= ~bits } else { mask |= bits }
        }
        return (mask, unknown)
    }

    static func name(_ c: TraceClass) -> String {
        c.name.withUTF8Buffer { String(decoding: $0, as: UTF8.self) }
    }

    /// "irq,lock,alloc" for a mask ("none" for 0).
    static func classNames(_ mask: UInt64) -> String {
        var s = ""
        for c in TraceClass.allCases where mask & c.maskBit != 0 { s += (s.isEmpty ? "" : ",") + name(c) }
        return s.isEmpty ? "none" : s
    }

    // MARK: Hooks

    /// Every interrupt entry (vector >= 32), before its handler.
    @inline(__always) static func interruptEntry(_ vector: Int) {
        trace(IRQEvent.entry, UInt64(vector))
    }

    /// Every interrupt exit, after the handler and the EOI. A timer interrupt also logs the
    /// CPU's tick count, inside the entry/exit pair.
    @inline(__always) static func interruptExit(_ vector: Int) {
        if traceEnabled(.irq) { logInterruptExit(vector) }
    }

    @inline(never) static func logInterruptExit(_ vector: Int) {
        if vector == Vector.timer { trace(IRQEvent.timerTick, CPUs.current.ticks.load(ordering: .relaxed)) }
        trace(IRQEvent.exit, UInt64(vector))
    }

    /// Each pass of a CPU's idle loop (interrupts enabled, nothing held): stream what is
    /// complete. Whichever idle CPU gets the lock drains every CPU's log; the others go on.
    static func idle(cpu: Int) {
        guard streaming, let lock = streamLock, lock.tryLock() else { return }
        defer { lock.unlock() }
        guard streaming else { return }                      // the final flush got here first
        sealQuietBuffers()
        _ = streamCompleteBuffers(limit: buffersPerIdlePass)
    }

    // MARK: Consuming the logs (caller holds streamLock)

    /// Writes up to `limit` complete buffers (oldest first, per CPU) to COM2 and releases them.
    private static func streamCompleteBuffers(limit: Int) -> Int {
        guard let tracer else { return 0 }
        var sent = 0
        for cpu in 0..<tracer.cpuCount {
            let log = tracer.log(cpu: cpu)
            while sent < limit, let view = log.nextCompleteBuffer() {
                consume(view, log: log)
                sent += 1
            }
        }
        return sent
    }

    private static func consume(_ view: TraceBufferView, log: TraceLog) {
        if streaming {
            stream?.writeBuffer(view)
            streamedBuffers &+= 1
            lastStreamed[Int(view.cpu)] = arch_read_tsc()
        }
        log.release(view)
    }

    /// Pads the current buffer of every CPU that has sent nothing for `sealAfterSeconds`.
    private static func sealQuietBuffers() {
        guard let tracer else { return }
        let now = arch_read_tsc()
        for cpu in 0..<tracer.cpuCount where now &- lastStreamed[cpu] > sealAfterSeconds &* Clock.tscHz {
            tracer.log(cpu: cpu).sealCurrentBuffer()
            lastStreamed[cpu] = now
        }
    }

    /// Seals every CPU's current buffer, then consumes each CPU's buffers up to and including
    /// it, waiting (up to `timeoutNanoseconds`) for writers still between reserve and commit.
    /// `visit` sees each buffer before it is streamed (if streaming) and released. Returns false
    /// on a timeout. Caller holds streamLock.
    static func drainEverything(timeoutNanoseconds: UInt64 = 2_000_000_000,
                                visit: (TraceBufferView) -> Void = { _ in }) -> Bool {
        guard let tracer else { return true }
        let shift = UInt64(wordsPerBuffer.trailingZeroBitCount)
        var targets: [UInt64] = []
        for cpu in 0..<tracer.cpuCount {
            let log = tracer.log(cpu: cpu)
            log.sealCurrentBuffer()
            // Everything before the buffer the index is in now: after the seal, that is every
            // buffer holding an event logged before this call.
            targets.append(log.statistics.wordsReserved >> shift)
        }
        let deadline = Clock.nanoseconds() &+ timeoutNanoseconds
        for cpu in 0..<tracer.cpuCount {
            let log = tracer.log(cpu: cpu)
            while log.statistics.nextSequence < targets[cpu] {
                if let view = log.nextCompleteBuffer() {
                    visit(view)
                    consume(view, log: log)
                } else if Clock.nanoseconds() > deadline {
                    return false
                } else {
                    k42_cpu_relax()
                }
            }
        }
        return true
    }

    /// Runs `body` as the logs' only consumer (idle CPUs skip streaming meanwhile).
    static func withConsumerLock<T>(_ body: () -> T) -> T {
        guard let lock = streamLock else { return body() }
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    // MARK: Stopping

    /// Ends the trace before the machine stops (the in-kernel test runner calls this just before
    /// MachineExit.exit): every class off, every buffer sealed and streamed, then each CPU's
    /// unreported losses and the end record, so the host's file is complete.
    static func finishBeforeExit() {
        guard let tracer else { return }
        traceSetMask(0)
        let (complete, lostEvents, reserved) = withConsumerLock { () -> (Bool, UInt64, UInt64) in
            let complete = drainEverything()
            var lost: UInt64 = 0, reserved: UInt64 = 0
            for cpu in 0..<tracer.cpuCount {
                let s = tracer.log(cpu: cpu).statistics
                lost &+= s.lostEvents
                reserved &+= s.wordsReserved
            }
            if streaming {
                stream?.finish(tracer)          // nothing left to drain: lost records, end record
                streaming = false
            }
            return (complete, lost, reserved)
        }
        guard reserved > 0 || streamedBuffers > 0 else { return }
        klog("trace: stopped; \(streamedBuffers) buffers streamed to COM2, \(reserved) words logged, \(lostEvents) events lost\(complete ? "" : " (a writer never committed: one buffer missing)")")
    }
}
