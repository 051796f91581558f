import DexterCore
import DexterMarket

/// A book level a ladder can keep: its price, and how much rests there (zero: the level is gone).
public protocol LadderLevel: Sendable {
    var price: FixedDecimal { get }
    var amount: FixedDecimal { get }
}

extension PriceLevel: LadderLevel {
    public var amount: FixedDecimal { quantity }
}

/// One side of a venue's book kept from snapshots and deltas: one sorted array, best last, so that the levels that
/// move most (near the top) are the cheapest to insert and remove.
struct LevelLadder<Level: LadderLevel>: Sendable {
    let bestIsHighest: Bool
    private(set) var levels: [Level] = []

    init(bestIsHighest: Bool) { self.bestIsHighest = bestIsHighest }

    private func better(_ a: FixedDecimal, than b: FixedDecimal) -> Bool { bestIsHighest ? a > b : a < b }

    var count: Int { levels.count }

    mutating func replace(_ newLevels: [Level]) {
        levels = newLevels.filter { $0.amount.isPositive }.sorted { better($1.price, than: $0.price) }
    }

    /// Sets a level (amount zero removes it; removing one that is not there is normal).
    mutating func set(_ level: Level) {
        // The first index whose price is at or better than the level's.
        var low = 0, high = levels.count
        while low < high {
            let middle = (low + high) / 2
            if better(level.price, than: levels[middle].price) { low = middle + 1 } else { high = middle }
        }
        if low < levels.count, levels[low].price == level.price {
            if level.amount.isPositive { levels[low] = level } else { levels.remove(at: low) }
        } else if level.amount.isPositive {
            levels.insert(level, at: low)
        }
    }

    /// Keeps the best `depth` levels (a venue that sends a fixed depth stops telling about the ones beyond it).
    mutating func truncate(to depth: Int) {
        if levels.count > depth { levels.removeFirst(levels.count - depth) }
    }

    /// The best level, if any.
    var bestLevel: Level? { levels.last }

    /// The best `count` levels, best first.
    func best(_ count: Int) -> [Level] { Array(levels.suffix(count).reversed()) }

    func top(_ depth: Int) -> [BookLevel] {
        levels.suffix(depth).reversed().map { BookLevel(price: $0.price, quantity: $0.amount) }
    }
}
