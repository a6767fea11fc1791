// A map from non-negative integers (page indices) to values: open addressing with linear
// probing and a multiplicative (Fibonacci) hash. What the page caches and anonymous FCMs keep
// their pages in. Swift's Dictionary hashes every Int key with SipHash-1-3, about 100
// instructions a lookup; a page index needs one multiply and a shift. Value semantics (the
// two arrays are copy-on-write), so it drops in where a `[Int: Value]` was.
public struct IntMap<Value> {
    /// Slot keys: a key, or `empty`, or `deleted` (a tombstone, so probes continue past it).
    private var slotKeys: [Int] = []
    private var slotValues: [Value?] = []
    /// Keys present.
    public private(set) var count = 0
    /// Keys present plus tombstones: what decides the next growth.
    private var used = 0
    /// 64 - log2(capacity): the hash's top bits index the table.
    private var shift = 64

    private static var empty: Int { -1 }
    private static var deleted: Int { -2 }

    public init() {}

    public var isEmpty: Bool { count == 0 }

    @inline(__always)
    private func home(_ key: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(bitPattern: Int64(key)) &* 0x9E37_79B9_7F4A_7C15) >> UInt64(shift))
    }

    /// The slot holding `key`, or nil.
    @inline(__always)
    private func find(_ key: Int) -> Int? {
        let capacity = slotKeys.count
        guard capacity > 0 else { return nil }
        let mask = capacity - 1
        var i = home(key)
        while true {
            let k = slotKeys[i]
            if k == key { return i }
            if k == IntMap.empty { return nil }
            i = (i + 1) & mask
        }
    }

    public subscript(key: Int) -> Value? {
        get {
            guard let i = find(key) else { return nil }
            return slotValues[i]
        }
        set {
            guard let newValue else { removeValue(forKey: key); return }
            if let i = find(key) { slotValues[i] = newValue; return }
            insertNew(key, newValue)
        }
    }

    /// Adds a key known to be absent.
    private mutating func insertNew(_ key: Int, _ value: Value) {
        precondition(key >= 0, "IntMap keys are non-negative")
        if (used + 1) * 4 > slotKeys.count * 3 { resize(minimumCount: count + 1) }
        let mask = slotKeys.count - 1
        var i = home(key)
        while slotKeys[i] >= 0 { i = (i + 1) & mask }
        if slotKeys[i] == IntMap.empty { used += 1 }
        slotKeys[i] = key
        slotValues[i] = value
        count += 1
    }

    @discardableResult
    public mutating func removeValue(forKey key: Int) -> Value? {
        guard let i = find(key) else { return nil }
        let old = slotValues[i]
        slotValues[i] = nil
        // A slot whose next one is empty ends no probe chain: it can be empty again itself.
        let next = (i + 1) & (slotKeys.count - 1)
        if slotKeys[next] == IntMap.empty { slotKeys[i] = IntMap.empty; used -= 1 } else { slotKeys[i] = IntMap.deleted }
        count -= 1
        if count == 0 { removeAll() }
        return old
    }

    public mutating func removeAll() {
        slotKeys = []; slotValues = []; count = 0; used = 0; shift = 64
    }

    /// Rebuilds the table at a power-of-two capacity that keeps the load at or below one half.
    private mutating func resize(minimumCount: Int) {
        var capacity = 8
        while capacity < minimumCount * 2 { capacity <<= 1 }
        let oldKeys = slotKeys, oldValues = slotValues
        slotKeys = [Int](repeating: IntMap.empty, count: capacity)
        slotValues = [Value?](repeating: nil, count: capacity)
        shift = 64 - capacity.trailingZeroBitCount
        used = 0
        count = 0
        for i in 0..<oldKeys.count where oldKeys[i] >= 0 {
            let mask = capacity - 1
            var j = home(oldKeys[i])
            while slotKeys[j] >= 0 { j = (j + 1) & mask }
            slotKeys[j] = oldKeys[i]
            slotValues[j] = oldValues[i]
            used += 1
            count += 1
        }
    }

    /// The keys present, in table order.
    public var keys: [Int] {
        var out: [Int] = []
        out.reserveCapacity(count)
        for k in slotKeys where k >= 0 { out.append(k) }
        return out
    }
}

extension IntMap: Sequence {
    public struct Iterator: IteratorProtocol {
        let map: IntMap
        var slot = 0
        public mutating func next() -> (key: Int, value: Value)? {
            while slot < map.slotKeys.count {
                let i = slot
                slot += 1
                if map.slotKeys[i] >= 0, let v = map.slotValues[i] { return (map.slotKeys[i], v) }
            }
            return nil
        }
    }
    public func makeIterator() -> Iterator { Iterator(map: self) }
    public var underestimatedCount: Int { count }
}
