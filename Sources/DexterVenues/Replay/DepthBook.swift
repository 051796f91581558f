import DexterCore
import DexterMarket

/// A full-depth L2 book kept from diffs: price → quantity on each side. Replay publishes its top levels to the
/// market state; the rest is kept so diffs deep in the book apply correctly. Each side is stored worst first and
/// best last, so the churn at the top of the book inserts and removes at the end of an array, not the front.
struct DepthBook {
    struct Level {
        var price: FixedDecimal
        var quantity: FixedDecimal
    }

    /// Bids lowest first (best last); asks highest first (best last).
    private var bidStore: [Level] = []
    private var askStore: [Level] = []

    var bestBid: Level? { bidStore.last }
    var bestAsk: Level? { askStore.last }

    mutating func replace(bids: [Level], asks: [Level]) {
        bidStore = bids.filter { $0.quantity.isPositive }.sorted { $0.price < $1.price }
        askStore = asks.filter { $0.quantity.isPositive }.sorted { $0.price > $1.price }
    }

    /// Sets one level (zero quantity removes it); returns its depth from the best, where it was or now is.
    @discardableResult
    mutating func set(_ side: Side, price: FixedDecimal, quantity: FixedDecimal) -> Int {
        side == .buy ? Self.set(&bidStore, price: price, quantity: quantity, bestIsHighest: true)
                     : Self.set(&askStore, price: price, quantity: quantity, bestIsHighest: false)
    }

    private static func set(_ levels: inout [Level], price: FixedDecimal, quantity: FixedDecimal,
                            bestIsHighest: Bool) -> Int {
        // First index whose price is at or past `price` going toward the best end.
        var low = 0
        var high = levels.count
        while low < high {
            let middle = (low + high) / 2
            let worse = bestIsHighest ? levels[middle].price < price : levels[middle].price > price
            if worse { low = middle + 1 } else { high = middle }
        }
        let depth = levels.count - 1 - low
        if low < levels.count && levels[low].price == price {
            if quantity.isPositive { levels[low].quantity = quantity } else { levels.remove(at: low) }
            return depth
        }
        if quantity.isPositive { levels.insert(Level(price: price, quantity: quantity), at: low) }
        return depth + 1
    }

    /// A ticker's best price is newer than the book: levels better than it are gone, and its quantity stands.
    mutating func applyTop(_ side: Side, price: FixedDecimal, quantity: FixedDecimal) {
        if side == .buy {
            while let best = bidStore.last, best.price > price { bidStore.removeLast() }
        } else {
            while let best = askStore.last, best.price < price { askStore.removeLast() }
        }
        set(side, price: price, quantity: quantity)
    }

    /// The best `depth` levels of each side as an order book.
    func top(_ depth: Int) -> OrderBook {
        OrderBook(presortedBids: bidStore.suffix(depth).reversed().map { BookLevel(price: $0.price, quantity: $0.quantity) },
                  asks: askStore.suffix(depth).reversed().map { BookLevel(price: $0.price, quantity: $0.quantity) })
    }
}
