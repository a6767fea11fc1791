// The writer's slow path (TraceLog.swift has the fast path): entering a new buffer, padding the
// end of a buffer with a filler so no event straddles two buffers, restating the full clock when
// its high half changes, and the drop-newest check. Everything here is lock-free: each step is a
// CAS on the reserve index, retried (with a fresh clock read) when another writer got there first.
import Synchronization

extension TraceLog {
    @usableFromInline @inline(never)
    func reserveSlow<C: TraceClock>(major: UInt8, minor: UInt16, payloadWords: Int,
                                    layer: TraceLayer, clock: C.Type) -> TraceReservation? {
        guard payloadWords >= 0, payloadWords <= TraceLimits.maxPayloadWords else { return nil }
        let length = UInt64(payloadWords + 1)
        let bufferWords = offsetMask &+ 1
        let index = control + Self.slotIndex
        while true {
            let old = index.pointee.load(ordering: .relaxed)
            let offset = old & offsetMask
            let now = C.now()
            let high = now &>> 32

            if offset == 0 {
                // At a buffer boundary: whoever claims it writes the buffer-start event, which
                // carries the full clock so decoding can begin at any buffer.
                let sequence = old &>> bufferShift
                if mode == .dropNewest,
                   sequence >= control[Self.slotConsumed].load(ordering: .acquiring) &+ (slotMask &+ 1) {
                    // The slot still holds a buffer the consumer has not released.
                    control[Self.slotPendingLost].wrappingAdd(1, ordering: .relaxed)
                    control[Self.slotTotalLost].wrappingAdd(1, ordering: .relaxed)
                    return nil
                }
                let start = UInt64(TraceControlMinor.bufferStartWords)
                guard index.pointee.compareExchange(expected: old, desired: old &+ start &+ length,
                                            ordering: .sequentiallyConsistent).exchanged else { continue }
                let event = words + Int(truncatingIfNeeded: old & ringMask)
                event[0] = TraceHeader(timestamp: now, length: Int(start), layer: TraceLayer.kernel.rawValue,
                                       major: TraceClass.control.rawValue,
                                       minor: TraceControlMinor.bufferStart).word
                event[1] = now
                event[2] = sequence
                event[3] = control[Self.slotPendingLost].exchange(0, ordering: .relaxed)
                event[4] = UInt64(cpu)
                control[Self.slotLastHigh].store(high, ordering: .relaxed)
                return place(at: event + Int(start), old: old, extra: start, now: now, length: length,
                             layer: layer, major: major, minor: minor)
            }

            let stamp = high != control[Self.slotLastHigh].load(ordering: .relaxed)
            let extra: UInt64 = stamp ? UInt64(TraceControlMinor.timestampWords) : 0
            if offset &+ extra &+ length > bufferWords {
                // Does not fit: pad the rest of this buffer with a filler, then retry at the next
                // buffer boundary. The filler is committed like any event so the buffer completes.
                let fill = bufferWords &- offset
                guard index.pointee.compareExchange(expected: old, desired: old &+ fill,
                                            ordering: .sequentiallyConsistent).exchanged else { continue }
                writeFiller(at: old, now: now, words: fill)
                continue
            }
            guard index.pointee.compareExchange(expected: old, desired: old &+ extra &+ length,
                                        ordering: .sequentiallyConsistent).exchanged else { continue }
            let event = words + Int(truncatingIfNeeded: old & ringMask)
            if stamp {
                // The clock's high half moved since the last full timestamp: restate it, so a
                // decoder never has to guess how many 32-bit wraps passed (LTTng's full-TSC rule;
                // it replaces K42's heartbeat timer).
                event[0] = TraceHeader(timestamp: now, length: Int(extra), layer: TraceLayer.kernel.rawValue,
                                       major: TraceClass.control.rawValue,
                                       minor: TraceControlMinor.timestamp).word
                event[1] = now
                control[Self.slotLastHigh].store(high, ordering: .relaxed)
            }
            return place(at: event + Int(extra), old: old, extra: extra, now: now, length: length,
                         layer: layer, major: major, minor: minor)
        }
    }

    /// Writes the caller's header after `extra` control words, and returns its reservation; the
    /// control words are part of the same reservation and committed together with the event.
    @inline(__always)
    private func place(at event: UnsafeMutablePointer<UInt64>, old: UInt64, extra: UInt64, now: UInt64,
                       length: UInt64, layer: TraceLayer, major: UInt8, minor: UInt16) -> TraceReservation {
        event[0] = TraceHeader(timestamp: now, length: Int(length), layer: layer.rawValue,
                               major: major, minor: minor).word
        return TraceReservation(payload: event + 1,
                                slot: Int(truncatingIfNeeded: (old &>> bufferShift) & slotMask),
                                length: extra &+ length)
    }

    private func writeFiller(at old: UInt64, now: UInt64, words fill: UInt64) {
        let event = words + Int(truncatingIfNeeded: old & ringMask)
        event.pointee = TraceHeader(timestamp: now, length: 0, layer: TraceLayer.kernel.rawValue,
                                    major: TraceClass.control.rawValue, minor: TraceControlMinor.filler).word
        control[Self.slotCommits &+ Int(truncatingIfNeeded: (old &>> bufferShift) & slotMask)]
            .wrappingAdd(fill, ordering: .releasing)
    }

    /// Pads the current buffer with a filler so it completes once in-flight writers commit; used
    /// before a final drain (stopping a trace) or to push out a partly filled buffer while
    /// streaming. Returns false if the log was already at a buffer boundary.
    @discardableResult
    public func sealCurrentBuffer() -> Bool {
        sealCurrentBuffer(clock: PlatformClock.self)
    }

    @discardableResult
    public func sealCurrentBuffer<C: TraceClock>(clock: C.Type) -> Bool {
        let index = control + Self.slotIndex
        while true {
            let old = index.pointee.load(ordering: .relaxed)
            let offset = old & offsetMask
            if offset == 0 { return false }
            let fill = (offsetMask &+ 1) &- offset
            guard index.pointee.compareExchange(expected: old, desired: old &+ fill,
                                        ordering: .sequentiallyConsistent).exchanged else { continue }
            writeFiller(at: old, now: C.now(), words: fill)
            return true
        }
    }
}
