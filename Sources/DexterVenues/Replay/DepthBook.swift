import DexterCore
import DexterMarket

/// A full-depth L2 book kept from diffs: price → quantity on each side. Replay publishes its top levels to the
/// market state; the rest is kept so diffs deep in the book apply correctly. The live Binance book (DexterCEX) keeps
/// its levels in one too.
package struct DepthBook: Sendable {
    package struct Level: Sendable, Hashable {
        package var price: FixedDecimal
        package var quantity: FixedDecimal

        package init(price: FixedDecimal, quantity: FixedDecimal) {
            self.price = price
            self.quantity = quantity
        }
    }

    private var bidSide = DepthSide(bestIsHighest: true)
    private var askSide = DepthSide(bestIsHighest: false)

    package init() {}

    package mutating func replace(bids: [Level], asks: [Level]) {
        bidSide.replace(bids)
        askSide.replace(asks)
    }

    /// Sets one level (zero quantity removes it); returns its depth from the best, where it was or now is.
    @discardableResult
    package mutating func set(_ side: Side, price: FixedDecimal, quantity: FixedDecimal) -> Int {
        side == .buy ? bidSide.set(price: price, quantity: quantity) : askSide.set(price: price, quantity: quantity)
    }

    /// A ticker's best price is newer than the book: levels better than it are gone, and its quantity stands.
    package mutating func applyTop(_ side: Side, price: FixedDecimal, quantity: FixedDecimal) {
        if side == .buy { bidSide.applyTop(price: price, quantity: quantity) } else {
            askSide.applyTop(price: price, quantity: quantity)
        }
    }

    /// The best `depth` levels of each side as an order book.
    package func top(_ depth: Int) -> OrderBook {
        OrderBook(presortedBids: bidSide.top(depth), asks: askSide.top(depth))
    }

    /// The best `depth` levels with a newer best bid and ask laid over them, the book itself untouched: on each
    /// side, levels at or better than the newer best are gone (a zero quantity empties the side).
    package func top(_ depth: Int, bestBid: Level, bestAsk: Level) -> OrderBook {
        OrderBook(presortedBids: bidSide.top(depth, under: bestBid), asks: askSide.top(depth, under: bestAsk))
    }
}

/// One side of a depth book as one sorted array, best last: the churn at the top of the book inserts and
/// removes at the array's end, and an update deeper in the book moves only the levels better than it.
struct DepthSide: Sendable {
    let bestIsHighest: Bool
    private var levels: [DepthBook.Level] = []

    init(bestIsHighest: Bool) { self.bestIsHighest = bestIsHighest }

    @inline(__always) private func better(_ a: FixedDecimal, than b: FixedDecimal) -> Bool {
        bestIsHighest ? a > b : a < b
    }

    mutating func replace(_ newLevels: [DepthBook.Level]) {
        levels = newLevels.filter { $0.quantity.isPositive }.sorted { better($1.price, than: $0.price) }
    }

    /// Sets a level (zero quantity removes it); returns its depth from the best, where it was or now is.
    mutating func set(price: FixedDecimal, quantity: FixedDecimal) -> Int {
        // Worst first: the first index whose price is at or better than `price`. One loop per side keeps the
        // comparison a plain integer compare.
        var low = 0, high = levels.count
        let target = price.raw
        levels.withUnsafeBufferPointer { buffer in
            if bestIsHighest {
                while low < high {
                    let middle = (low + high) >> 1
                    if buffer[middle].price.raw < target { low = middle + 1 } else { high = middle }
                }
            } else {
                while low < high {
                    let middle = (low + high) >> 1
                    if buffer[middle].price.raw > target { low = middle + 1 } else { high = middle }
                }
            }
        }
        if low < levels.count && levels[low].price == price {
            let depth = levels.count - 1 - low
            if quantity.isPositive { levels[low].quantity = quantity } else { levels.remove(at: low) }
            return depth
        }
        if quantity.isPositive { levels.insert(DepthBook.Level(price: price, quantity: quantity), at: low) }
        return levels.count - 1 - low
    }

    mutating func applyTop(price: FixedDecimal, quantity: FixedDecimal) {
        while let top = levels.last, better(top.price, than: price) { levels.removeLast() }
        _ = set(price: price, quantity: quantity)
    }

    func top(_ depth: Int) -> [BookLevel] {
        levels.suffix(depth).reversed().map { BookLevel(price: $0.price, quantity: $0.quantity) }
    }

    /// `best` first, then the levels worse than it.
    func top(_ depth: Int, under best: DepthBook.Level) -> [BookLevel] {
        guard depth > 0, best.quantity.isPositive else { return [] }
        var index = levels.count - 1
        while index >= 0, !better(best.price, than: levels[index].price) { index -= 1 }
        var result = [BookLevel(price: best.price, quantity: best.quantity)]
        result.reserveCapacity(min(depth, index + 2))
        while index >= 0, result.count < depth {
            result.append(BookLevel(price: levels[index].price, quantity: levels[index].quantity))
            index -= 1
        }
        return result
    }
}
