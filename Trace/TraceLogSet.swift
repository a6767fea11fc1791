// An owned Tracer for hosted code (tests, `k42-trace synth`, benchmarks): allocates the region
// a Tracer is formatted in and frees it when done. The kernel does not use this; it formats a
// Tracer in pages it reserved at boot (Tracer(formatting:...)).

public final class TraceLogSet {
    public let tracer: Tracer
    private let region: UnsafeMutableRawPointer

    public init?(cpuCount: Int, buffers: Int, wordsPerBuffer: Int, mode: TraceOverflowMode,
                 timestampFrequency: UInt64 = 1_000_000_000) {
        guard TraceLog.isValidGeometry(buffers: buffers, wordsPerBuffer: wordsPerBuffer), cpuCount > 0 else {
            return nil
        }
        let bytes = Tracer.regionBytes(cpuCount: cpuCount, buffers: buffers, wordsPerBuffer: wordsPerBuffer)
        region = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 4096)
        region.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        guard let tracer = Tracer(formatting: region, cpuCount: cpuCount, buffers: buffers,
                                  wordsPerBuffer: wordsPerBuffer, mode: mode,
                                  timestampFrequency: timestampFrequency) else {
            region.deallocate()
            return nil
        }
        self.tracer = tracer
    }

    deinit { region.deallocate() }

    public func log(cpu: Int) -> TraceLog { tracer.log(cpu: cpu) }

    public func fileHeader() -> TraceFileHeader {
        let log = tracer.log(cpu: 0)
        return TraceFileHeader(cpuCount: UInt64(tracer.cpuCount), timestampFrequency: tracer.timestampFrequency,
                               wordsPerBuffer: UInt64(log.wordsPerBuffer), buffersPerCPU: UInt64(log.bufferCount),
                               mode: log.mode.rawValue)
    }
}
