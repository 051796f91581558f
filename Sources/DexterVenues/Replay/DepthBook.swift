import DexterCore
import DexterMarket

/// A full-depth L2 book kept from diffs: price → quantity on each side, best first. Replay publishes its top
/// levels to the market state; the rest is kept so diffs deep in the book apply correctly.
struct DepthBook {
    struct Level {
        var price: FixedDecimal
        var quantity: FixedDecimal
    }

    /// Bids highest first, asks lowest first.
    private(set) var bids: [Level] = []
    private(set) var asks: [Level] = []

    mutating func replace(bids: [Level], asks: [Level]) {
        self.bids = bids.filter { $0.quantity.isPositive }.sorted { $0.price > $1.price }
        self.asks = asks.filter { $0.quantity.isPositive }.sorted { $0.price < $1.price }
    }

    /// Sets one level (zero quantity removes it); returns the level's index from the top, where it was or now is.
    @discardableResult
    mutating func set(_ side: Side, price: FixedDecimal, quantity: FixedDecimal) -> Int {
        side == .buy ? Self.set(&bids, price: price, quantity: quantity, descending: true)
                     : Self.set(&asks, price: price, quantity: quantity, descending: false)
    }

    private static func set(_ levels: inout [Level], price: FixedDecimal, quantity: FixedDecimal, descending: Bool) -> Int {
        var low = 0
        var high = levels.count
        while low < high {
            let middle = (low + high) / 2
            let before = descending ? levels[middle].price > price : levels[middle].price < price
            if before { low = middle + 1 } else { high = middle }
        }
        if low < levels.count && levels[low].price == price {
            if quantity.isPositive { levels[low].quantity = quantity } else { levels.remove(at: low) }
        } else if quantity.isPositive {
            levels.insert(Level(price: price, quantity: quantity), at: low)
        }
        return low
    }

    /// A ticker's best price is newer than the book: levels better than it are gone, and its quantity stands.
    mutating func applyTop(_ side: Side, price: FixedDecimal, quantity: FixedDecimal) {
        if side == .buy {
            let stale = bids.prefix { $0.price > price }.count
            if stale > 0 { bids.removeFirst(stale) }
        } else {
            let stale = asks.prefix { $0.price < price }.count
            if stale > 0 { asks.removeFirst(stale) }
        }
        set(side, price: price, quantity: quantity)
    }

    /// The best `depth` levels of each side as an order book.
    func top(_ depth: Int) -> OrderBook {
        OrderBook(presortedBids: bids.prefix(depth).map { BookLevel(price: $0.price, quantity: $0.quantity) },
                  asks: asks.prefix(depth).map { BookLevel(price: $0.price, quantity: $0.quantity) })
    }
}
