// IntMap against Swift's Dictionary: random inserts, replacements and removals (tombstones,
// growth, emptying) must leave both with the same contents; value semantics on copy.
import Objects
import Testing

@Suite struct IntMapTests {
    @Test func agreesWithDictionaryUnderRandomUse() {
        var rng = SystemRandomNumberGenerator()
        for round in 0..<20 {
            var map = IntMap<Int>()
            var reference: [Int: Int] = [:]
            let range = round % 2 == 0 ? 64 : 1 << 40        // dense page indices, then sparse ones
            var keys: [Int] = []
            for step in 0..<4000 {
                let key = keys.isEmpty || Int.random(in: 0..<3, using: &rng) == 0
                    ? Int.random(in: 0..<range, using: &rng) : keys.randomElement(using: &rng)!
                switch Int.random(in: 0..<10, using: &rng) {
                case 0..<6:
                    map[key] = step; reference[key] = step; keys.append(key)
                case 6..<9:
                    #expect(map.removeValue(forKey: key) == reference.removeValue(forKey: key))
                default:
                    map[key] = nil; reference[key] = nil
                }
                #expect(map[key] == reference[key])
                #expect(map.count == reference.count)
            }
            for (k, v) in reference { #expect(map[k] == v) }
            #expect(Set(map.keys) == Set(reference.keys))
            var seen: [Int: Int] = [:]
            for (k, v) in map { seen[k] = v }
            #expect(seen == reference)
        }
    }

    @Test func copiesAreIndependent() {
        var a = IntMap<String>()
        for i in 0..<100 { a[i * 4096] = "p\(i)" }
        var b = a
        b[0] = "changed"
        b.removeValue(forKey: 4096)
        #expect(a[0] == "p0" && a[4096] == "p1" && a.count == 100)
        #expect(b[0] == "changed" && b[4096] == nil && b.count == 99)
        b.removeAll()
        #expect(b.isEmpty && b[8192] == nil && a[8192] == "p2")
    }

    @Test func emptiesAndRefills() {
        var m = IntMap<Int>()
        for cycle in 0..<5 {
            for i in 0..<1000 { m[i] = i + cycle }
            for i in 0..<1000 { #expect(m.removeValue(forKey: i) == i + cycle) }
            #expect(m.isEmpty)
        }
        #expect(m[3] == nil)
    }
}
