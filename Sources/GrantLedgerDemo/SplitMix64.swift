/// A small, fast, seeded pseudo-random generator (Steele, Lea and Flood's SplitMix64).
///
/// The demo draws every choice from one of these so that a seed always gives the same data on every
/// platform and Swift version; the standard library's generators promise neither. Not for secrets.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `range`, by rejection (no modulo bias), independent of the standard
    /// library's algorithm so that sequences stay stable across Swift versions.
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        let span = UInt64(bitPattern: Int64(range.upperBound) &- Int64(range.lowerBound)) &+ 1
        if span == 0 { return Int(bitPattern: UInt(truncatingIfNeeded: next())) }
        let limit = UInt64.max - UInt64.max % span
        var value = next()
        while value >= limit { value = next() }
        return range.lowerBound &+ Int(truncatingIfNeeded: value % span)
    }

    /// A uniform integer in `range`.
    public mutating func int(in range: Range<Int>) -> Int { int(in: range.lowerBound...(range.upperBound - 1)) }

    /// True with probability `percent` / 100.
    public mutating func chance(_ percent: Int) -> Bool { int(in: 0..<100) < percent }

    /// One element of a non-empty array, uniformly.
    public mutating func pick<T>(_ items: [T]) -> T { items[int(in: 0..<items.count)] }

    /// One element of a non-empty array, with probability proportional to its weight.
    public mutating func pick<T>(weighted items: [(T, Int)]) -> T {
        let total = items.reduce(0) { $0 + max(0, $1.1) }
        var roll = int(in: 0..<max(1, total))
        for (item, weight) in items {
            roll -= max(0, weight)
            if roll < 0 { return item }
        }
        return items[items.count - 1].0
    }

    /// `count` distinct elements of `items` (all of them when there are fewer), in draw order.
    public mutating func sample<T>(_ items: [T], count: Int) -> [T] {
        var pool = items
        var result: [T] = []
        while result.count < count, !pool.isEmpty {
            result.append(pool.remove(at: int(in: 0..<pool.count)))
        }
        return result
    }
}
