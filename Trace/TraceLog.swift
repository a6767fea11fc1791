// One CPU's trace log: a ring of N buffers of M 64-bit words, laid out in a memory region the
// caller provides (kernel: per-CPU pages; hosted: an allocation), written without locks by any
// number of writers on that CPU (threads, interrupt handlers, later user programs). This file has
// the region layout and the inlined fast path; TraceLog+Reserve.swift the buffer-switch slow
// path, TraceLog+Consumer.swift draining complete buffers. Scheme: docs/tracing.md, "Buffers".
import Synchronization

/// What a writer does when the buffer it needs has not been drained yet.
public enum TraceOverflowMode: UInt64 {
    /// Stream mode: drop the new event and count it exactly (reported in the next buffer's
    /// buffer-start event, or as the log's pending lost count).
    case dropNewest = 0
    /// Flight recorder: reuse the oldest buffer; the consumer counts overwritten buffers.
    case overwriteOldest = 1
}

/// A handle on one CPU's log region. Copying the handle is free; all state lives in the region,
/// so another address space that maps the same region can attach (`init(attachingTo:)`).
///
/// Region layout (64-bit words, each group on its own cache line):
///   0..7    configuration: magic, cpu, words per buffer, buffers, mode, and three values
///           derived from them: words per buffer - 1, log2(words per buffer), byte offset of
///           the buffers
///   8..15   writer state: reserve index, clock high half of the last full timestamp,
///           pending lost events, total lost events
///   16..23  consumer state: next sequence to consume, lost (overwritten) buffers
///   24..    one commit count per buffer (cumulative words committed into that slot)
///   then    the buffers, N × M words
public struct TraceLog: @unchecked Sendable {
    /// The region's first word. The handle holds nothing else: every other fact (geometry, the
    /// buffers' address) is read from the region's configuration line, so a handle is one
    /// register wide and trace points never copy it (a wider handle was copied to the stack on
    /// every event, because the out-of-line slow path takes it by address).
    @usableFromInline let control: UnsafeMutablePointer<Atomic<UInt64>>

    /// The first buffer word.
    @inlinable var words: UnsafeMutablePointer<UInt64> {
        (UnsafeMutableRawPointer(control) + Int(truncatingIfNeeded: control[Self.slotBuffersOffset].load(ordering: .relaxed)))
            .assumingMemoryBound(to: UInt64.self)
    }
    /// M - 1: offset of a word within its buffer.
    @inlinable var offsetMask: UInt64 { control[Self.slotOffsetMask].load(ordering: .relaxed) }
    /// log2(M): index >> bufferShift is the buffer sequence number.
    @inlinable var bufferShift: UInt64 { control[Self.slotBufferShift].load(ordering: .relaxed) }
    /// N - 1: sequence & slotMask is the buffer slot.
    @inlinable var slotMask: UInt64 { control[Self.slotBuffers].load(ordering: .relaxed) &- 1 }
    /// N × M - 1: index & ringMask is the word within the ring.
    @inlinable var ringMask: UInt64 { ((slotMask &+ 1) &<< bufferShift) &- 1 }
    public var cpu: UInt32 { UInt32(truncatingIfNeeded: control[Self.slotCPU].load(ordering: .relaxed)) }
    public var mode: TraceOverflowMode {
        control[Self.slotMode].load(ordering: .relaxed) == TraceOverflowMode.overwriteOldest.rawValue
            ? .overwriteOldest : .dropNewest
    }

    static let magic: UInt64 = 0x4B34_3254_524C_4F47  // "K42TRLOG"
    @usableFromInline static let slotMagic = 0, slotCPU = 1, slotWordsPerBuffer = 2
    @usableFromInline static let slotBuffers = 3, slotMode = 4
    /// Derived from the geometry when the region is formatted, so writers need not compute them.
    @usableFromInline static let slotOffsetMask = 5, slotBufferShift = 6, slotBuffersOffset = 7
    @usableFromInline static let slotIndex = 8, slotLastHigh = 9
    @usableFromInline static let slotPendingLost = 10, slotTotalLost = 11
    @usableFromInline static let slotConsumed = 16, slotLostBuffers = 17
    @usableFromInline static let slotCommits = 24

    public var wordsPerBuffer: Int { Int(offsetMask) + 1 }
    public var bufferCount: Int { Int(slotMask) + 1 }

    /// Bytes of control words before the buffers (a multiple of 64).
    static func controlBytes(buffers: Int) -> Int {
        ((slotCommits + buffers) * 8 + 63) & ~63
    }

    /// Bytes a region needs for `buffers` buffers of `wordsPerBuffer` words. Both must be powers
    /// of two, wordsPerBuffer in TraceLimits.minWordsPerBuffer...maxWordsPerBuffer.
    public static func regionBytes(buffers: Int, wordsPerBuffer: Int) -> Int {
        controlBytes(buffers: buffers) + buffers * wordsPerBuffer * 8
    }

    /// Whether a geometry is acceptable (powers of two, within TraceLimits).
    public static func isValidGeometry(buffers: Int, wordsPerBuffer: Int) -> Bool {
        buffers >= 2 && buffers <= TraceLimits.maxBuffersPerCPU && buffers & (buffers - 1) == 0
            && wordsPerBuffer >= TraceLimits.minWordsPerBuffer
            && wordsPerBuffer <= TraceLimits.maxWordsPerBuffer
            && wordsPerBuffer & (wordsPerBuffer - 1) == 0
    }

    /// Formats a fresh log in `region` (8-byte aligned, at least `regionBytes` long; 64-byte
    /// alignment avoids false sharing). Returns nil if the geometry is invalid.
    public init?(formatting region: UnsafeMutableRawPointer, cpu: UInt32, buffers: Int,
                 wordsPerBuffer: Int, mode: TraceOverflowMode) {
        guard Self.isValidGeometry(buffers: buffers, wordsPerBuffer: wordsPerBuffer) else { return nil }
        let controlWords = Self.controlBytes(buffers: buffers) / 8
        // SAFETY: the caller hands us the region; every control word is initialized here
        // before any atomic access, and the buffer words are plain UInt64 storage.
        let control = region.bindMemory(to: Atomic<UInt64>.self, capacity: controlWords)
        for i in 0..<controlWords { (control + i).initialize(to: Atomic<UInt64>(0)) }
        control[Self.slotCPU].store(UInt64(cpu), ordering: .relaxed)
        control[Self.slotWordsPerBuffer].store(UInt64(wordsPerBuffer), ordering: .relaxed)
        control[Self.slotBuffers].store(UInt64(buffers), ordering: .relaxed)
        control[Self.slotMode].store(mode.rawValue, ordering: .relaxed)
        control[Self.slotOffsetMask].store(UInt64(wordsPerBuffer - 1), ordering: .relaxed)
        control[Self.slotBufferShift].store(UInt64(wordsPerBuffer.trailingZeroBitCount), ordering: .relaxed)
        control[Self.slotBuffersOffset].store(UInt64(Self.controlBytes(buffers: buffers)), ordering: .relaxed)
        _ = (region + Self.controlBytes(buffers: buffers)).bindMemory(to: UInt64.self, capacity: buffers * wordsPerBuffer)
        control[Self.slotMagic].store(Self.magic, ordering: .releasing)
        self.control = control
    }

    /// Attaches to a region already formatted (by this or another address space). Returns nil if
    /// the configuration line is not a consistent one.
    public init?(attachingTo region: UnsafeMutableRawPointer) {
        let control = region.assumingMemoryBound(to: Atomic<UInt64>.self)
        guard control[Self.slotMagic].load(ordering: .acquiring) == Self.magic,
              TraceOverflowMode(rawValue: control[Self.slotMode].load(ordering: .relaxed)) != nil
        else { return nil }
        let buffers = Int(truncatingIfNeeded: control[Self.slotBuffers].load(ordering: .relaxed))
        let wordsPerBuffer = Int(truncatingIfNeeded: control[Self.slotWordsPerBuffer].load(ordering: .relaxed))
        guard Self.isValidGeometry(buffers: buffers, wordsPerBuffer: wordsPerBuffer),
              control[Self.slotOffsetMask].load(ordering: .relaxed) == UInt64(wordsPerBuffer - 1),
              control[Self.slotBufferShift].load(ordering: .relaxed) == UInt64(wordsPerBuffer.trailingZeroBitCount),
              control[Self.slotBuffersOffset].load(ordering: .relaxed) == UInt64(Self.controlBytes(buffers: buffers))
        else { return nil }
        self.control = control
    }

    // MARK: Writing

    /// Reserves an event of `payloadWords` words (0...254) with its header already written.
    /// Fill the payload, then `commit` it. Returns nil only if the event was dropped (drop-newest
    /// mode, consumer behind; counted) or is too long. Never allocates or blocks.
    @inlinable @inline(__always)
    public func reserve<C: TraceClock>(major: UInt8, minor: UInt16, payloadWords: Int,
                                       layer: TraceLayer = .kernel, clock: C.Type) -> TraceReservation? {
        let length = UInt64(truncatingIfNeeded: payloadWords &+ 1)
        let index = control + Self.slotIndex
        let old = index.pointee.load(ordering: .relaxed)
        let offset = old & offsetMask
        // Read the clock after the index and before the CAS: if the CAS fails the retry reads it
        // again, so timestamps rise in buffer order (K42's traceReserve).
        let now = C.now()
        if _fastPath(offset != 0 && offset &+ length <= offsetMask &+ 1
                        && now &>> 32 == control[Self.slotLastHigh].load(ordering: .relaxed)),
           index.pointee.compareExchange(expected: old, desired: old &+ length,
                                 ordering: .sequentiallyConsistent).exchanged {
            let event = words + Int(truncatingIfNeeded: old & ringMask)
            event.pointee = TraceHeader(timestamp: now, length: Int(length), layer: layer.rawValue,
                                        major: major, minor: minor).word
            return TraceReservation(payload: event + 1,
                                    slot: Int(truncatingIfNeeded: (old &>> bufferShift) & slotMask),
                                    length: length)
        }
        return reserveSlow(major: major, minor: minor, payloadWords: payloadWords, layer: layer, clock: clock)
    }

    /// Publishes a reserved event: adds its length to its buffer's commit count. A buffer is
    /// complete, and may be drained, when its count reaches M for this pass around the ring.
    @inlinable @inline(__always)
    public func commit(_ reservation: TraceReservation) {
        control[Self.slotCommits &+ reservation.slot].wrappingAdd(reservation.length, ordering: .releasing)
    }

    /// Logs one event with up to four payload words (the common case), using the machine clock.
    @inlinable @inline(__always)
    public func log(major: UInt8, minor: UInt16, layer: TraceLayer = .kernel,
                    _ w0: UInt64? = nil, _ w1: UInt64? = nil, _ w2: UInt64? = nil, _ w3: UInt64? = nil) {
        log(major: major, minor: minor, layer: layer, clock: PlatformClock.self, w0, w1, w2, w3)
    }

    /// As `log`, with an explicit clock.
    @inlinable @inline(__always)
    public func log<C: TraceClock>(major: UInt8, minor: UInt16, layer: TraceLayer = .kernel, clock: C.Type,
                                   _ w0: UInt64? = nil, _ w1: UInt64? = nil,
                                   _ w2: UInt64? = nil, _ w3: UInt64? = nil) {
        let count = w3 != nil ? 4 : w2 != nil ? 3 : w1 != nil ? 2 : w0 != nil ? 1 : 0
        guard let r = reserve(major: major, minor: minor, payloadWords: count, layer: layer, clock: clock)
        else { return }
        if let w0 { r.payload[0] = w0 }
        if let w1 { r.payload[1] = w1 }
        if let w2 { r.payload[2] = w2 }
        if let w3 { r.payload[3] = w3 }
        commit(r)
    }

    /// Logs an event whose payload is `payload` (at most 254 words), e.g. one handed in by a
    /// user program, or a string packed with `TracePacking`.
    public func log<C: TraceClock>(major: UInt8, minor: UInt16, layer: TraceLayer = .kernel, clock: C.Type,
                                   payload: UnsafeBufferPointer<UInt64>) {
        guard let r = reserve(major: major, minor: minor, payloadWords: payload.count, layer: layer, clock: clock)
        else { return }
        for i in 0..<payload.count { r.payload[i] = payload[i] }
        commit(r)
    }
}

/// Space reserved for one event: write `payload[0..<length-1]`, then `TraceLog.commit` it.
public struct TraceReservation {
    public let payload: UnsafeMutablePointer<UInt64>
    @usableFromInline let slot: Int
    @usableFromInline let length: UInt64

    @usableFromInline @inline(__always)
    init(payload: UnsafeMutablePointer<UInt64>, slot: Int, length: UInt64) {
        self.payload = payload
        self.slot = slot
        self.length = length
    }
}
