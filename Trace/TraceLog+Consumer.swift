// The consumer side of a TraceLog (one consumer per CPU log: a kernel streaming thread, a tool
// reading a crash dump, or a test). It hands out buffers in sequence order once they are complete
// (their commit count reached M), and releases them so drop-newest writers may reuse the slot.
// In overwrite mode it detects being lapped and counts the buffers it lost.
import Synchronization

/// A complete buffer, viewed in place in the log's memory.
public struct TraceBufferView: @unchecked Sendable {
    public let cpu: UInt32
    /// Buffer sequence number on this CPU (0, 1, 2, ... since the log was formatted).
    public let sequence: UInt64
    public let words: UnsafeBufferPointer<UInt64>
}

/// Counters of one log, for /proc-style reporting and for the trace file's trailer.
public struct TraceLogStatistics: Equatable {
    /// Words reserved so far (the reserve index).
    public var wordsReserved: UInt64
    /// Next buffer sequence the consumer will hand out.
    public var nextSequence: UInt64
    /// Events dropped (drop-newest mode) since the log was formatted.
    public var lostEvents: UInt64
    /// Dropped events not yet reported in any buffer-start event.
    public var pendingLostEvents: UInt64
    /// Buffers overwritten before the consumer read them (overwrite mode).
    public var lostBuffers: UInt64
}

extension TraceLog {
    /// The oldest complete buffer not yet released, or nil if it is still being written. In
    /// overwrite mode, buffers already overwritten are skipped and counted in `lostBuffers`.
    /// Call `release` when done with the view.
    public func nextCompleteBuffer() -> TraceBufferView? {
        let consumed = control + Self.slotConsumed
        var sequence = consumed.pointee.load(ordering: .relaxed)
        let buffers = slotMask &+ 1
        let bufferWords = offsetMask &+ 1
        if mode == .overwriteOldest {
            let reserved = control[Self.slotIndex].load(ordering: .acquiring)
            // Slot of `sequence` is reused once the index passes the start of sequence + N.
            if reserved > (sequence &+ buffers) &<< bufferShift {
                let oldestIntact = ((reserved &- 1) &>> bufferShift) &- buffers &+ 1
                control[Self.slotLostBuffers].wrappingAdd(oldestIntact &- sequence, ordering: .relaxed)
                sequence = oldestIntact
                consumed.pointee.store(sequence, ordering: .releasing)
            }
        }
        let slot = Int(truncatingIfNeeded: sequence & slotMask)
        let pass = sequence &>> UInt64(slotMask.nonzeroBitCount)
        let needed = (pass &+ 1) &* bufferWords
        // Acquire pairs with the writers' releasing commit: their stores are visible.
        guard control[Self.slotCommits &+ slot].load(ordering: .acquiring) >= needed else { return nil }
        let start = words + slot * Int(bufferWords)
        return TraceBufferView(cpu: cpu, sequence: sequence,
                               words: UnsafeBufferPointer(start: start, count: Int(bufferWords)))
    }

    /// Gives a buffer back. Returns false (and counts a lost buffer) in overwrite mode if writers
    /// started reusing the slot while it was being read: the caller must discard its copy.
    @discardableResult
    public func release(_ view: TraceBufferView) -> Bool {
        let consumed = control + Self.slotConsumed
        var intact = true
        if mode == .overwriteOldest {
            // Order the reads of the buffer before this check (a seqlock-style validation).
            atomicMemoryFence(ordering: .acquiring)
            let reserved = control[Self.slotIndex].load(ordering: .acquiring)
            if reserved > (view.sequence &+ slotMask &+ 1) &<< bufferShift {
                control[Self.slotLostBuffers].wrappingAdd(1, ordering: .relaxed)
                intact = false
            }
        }
        if consumed.pointee.load(ordering: .relaxed) == view.sequence {
            consumed.pointee.store(view.sequence &+ 1, ordering: .releasing)
        }
        return intact
    }

    /// Copies the next complete buffer into `destination` (at least M words) and releases it.
    /// Returns its sequence, or nil if none is complete (or, in overwrite mode, it was torn).
    public func drainNext(into destination: UnsafeMutableBufferPointer<UInt64>) -> UInt64? {
        guard let view = nextCompleteBuffer(), destination.count >= view.words.count else { return nil }
        // One bulk copy (memcpy), not a word loop: under emulation the loop is the consumer's limit.
        destination.baseAddress!.update(from: view.words.baseAddress!, count: view.words.count)
        return release(view) ? view.sequence : nil
    }

    /// Takes the dropped-event count that no buffer-start event has reported yet (for the trace
    /// file's trailer when a trace stops).
    public func takePendingLostEvents() -> UInt64 {
        control[Self.slotPendingLost].exchange(0, ordering: .relaxed)
    }

    public var statistics: TraceLogStatistics {
        TraceLogStatistics(
            wordsReserved: control[Self.slotIndex].load(ordering: .relaxed),
            nextSequence: control[Self.slotConsumed].load(ordering: .relaxed),
            lostEvents: control[Self.slotTotalLost].load(ordering: .relaxed),
            pendingLostEvents: control[Self.slotPendingLost].load(ordering: .relaxed),
            lostBuffers: control[Self.slotLostBuffers].load(ordering: .relaxed))
    }
}
