// Arithmetic on sets of physical address ranges: the boot memory map minus what is already
// in use (the kernel image, the initrd, firmware areas) gives the frames the kernel may use.

/// A half-open physical range [start, end).
public struct PhysicalRange: Equatable {
    public var start: UInt64
    public var end: UInt64
    public init(start: UInt64, end: UInt64) { self.start = start; self.end = end }
    public var size: UInt64 { end > start ? end - start : 0 }
}

public enum PhysicalRanges {
    /// `ranges` with every byte of `holes` removed, sorted, merged, page-aligned inward, and
    /// with empty pieces dropped.
    public static func subtract(_ ranges: [PhysicalRange], _ holes: [PhysicalRange]) -> [PhysicalRange] {
        var pieces = normalized(ranges)
        for hole in holes where hole.size > 0 {
            var next: [PhysicalRange] = []
            for r in pieces {
                if hole.end <= r.start || hole.start >= r.end { next.append(r); continue }
                if hole.start > r.start { next.append(PhysicalRange(start: r.start, end: hole.start)) }
                if hole.end < r.end { next.append(PhysicalRange(start: hole.end, end: r.end)) }
            }
            pieces = next
        }
        let page = UInt64(pageSize)
        return pieces.compactMap { r in
            let s = (r.start + page - 1) & ~(page - 1), e = r.end & ~(page - 1)
            return e > s ? PhysicalRange(start: s, end: e) : nil
        }
    }

    /// Sorted by start, overlapping and touching ranges merged.
    public static func normalized(_ ranges: [PhysicalRange]) -> [PhysicalRange] {
        let sorted = ranges.filter { $0.size > 0 }.sorted { $0.start < $1.start }
        var out: [PhysicalRange] = []
        for r in sorted {
            if let last = out.last, r.start <= last.end {
                out[out.count - 1].end = max(last.end, r.end)
            } else {
                out.append(r)
            }
        }
        return out
    }

    /// Takes `bytes` (page-rounded) from the start of the first range large enough; returns
    /// the taken range and the ranges left.
    public static func take(_ bytes: UInt64, from ranges: [PhysicalRange]) -> (PhysicalRange, [PhysicalRange])? {
        let page = UInt64(pageSize)
        let need = (bytes + page - 1) & ~(page - 1)
        for (i, r) in ranges.enumerated() where r.size >= need {
            var rest = ranges
            let taken = PhysicalRange(start: r.start, end: r.start + need)
            if r.size == need { rest.remove(at: i) } else { rest[i].start += need }
            return (taken, rest)
        }
        return nil
    }
}
