@testable import HotlineMedia

/// A deterministic random source for reproducible network simulations (SplitMix64).
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// One datagram on its way through a simulated network.
struct Delivery {
    var arrival: Int64
    var bytes: [UInt8]
    var index: Int
}

/// Simulates sending `count` 20 ms packets through a network with loss and random delay (which reorders).
/// - Returns: The deliveries sorted by arrival and the indices of the packets lost.
func simulate(
    packets: [[UInt8]], loss: Double, baseDelay: Int64, jitter: Int64, seed: UInt64
) -> (deliveries: [Delivery], lost: Set<Int>) {
    var generator = SeededGenerator(seed: seed)
    var deliveries: [Delivery] = []
    var lost = Set<Int>()
    for (index, bytes) in packets.enumerated() {
        if Double.random(in: 0..<1, using: &generator) < loss {
            lost.insert(index)
            continue
        }
        let delay = baseDelay + Int64.random(in: 0...jitter, using: &generator)
        deliveries.append(Delivery(arrival: Int64(index) * 160 + delay, bytes: bytes, index: index))
    }
    deliveries.sort { ($0.arrival, $0.index) < ($1.arrival, $1.index) }
    return (deliveries, lost)
}
