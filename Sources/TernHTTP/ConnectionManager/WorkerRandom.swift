/// A per-worker pseudo-random generator (xoshiro256**) for request ids and weighted picks:
/// not for secrets, but free of syscalls and locks on the request path.
final class WorkerRandom {
    var generator: Xoshiro256

    init() {
        var seed = SystemRandomNumberGenerator()
        generator = Xoshiro256(seed: (seed.next(), seed.next(), seed.next(), seed.next()))
    }

    func next(below bound: Int) -> Int {
        Int(generator.next() % UInt64(max(1, bound)))
    }
}

/// xoshiro256** by Blackman and Vigna (public-domain algorithm).
struct Xoshiro256: RandomNumberGenerator {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    init(seed: (UInt64, UInt64, UInt64, UInt64)) {
        s = seed
        if s == (0, 0, 0, 0) { s.0 = 0x9E37_79B9_7F4A_7C15 }
    }

    mutating func next() -> UInt64 {
        let result = rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = rotl(s.3, 45)
        return result
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}
