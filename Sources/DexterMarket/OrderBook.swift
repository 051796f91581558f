import DexterCore

/// One price level: exact values for booking, their `Double` images for screening.
public struct BookLevel: Sendable, Hashable {
    public let price: FixedDecimal
    public let quantity: FixedDecimal
    public let priceValue: Double
    public let quantityValue: Double

    public init(price: FixedDecimal, quantity: FixedDecimal) {
        self.price = price
        self.quantity = quantity
        self.priceValue = price.doubleValue
        self.quantityValue = quantity.doubleValue
    }
}

/// An L2 order book: bids best (highest) first, asks best (lowest) first.
public struct OrderBook: Sendable, Hashable {
    public private(set) var bids: [BookLevel]
    public private(set) var asks: [BookLevel]

    public init(bids: [BookLevel], asks: [BookLevel]) {
        self.bids = bids.sorted { $0.price > $1.price }
        self.asks = asks.sorted { $0.price < $1.price }
    }

    /// A book whose sides are already best first (a feed's snapshot), without sorting again.
    public init(presortedBids bids: [BookLevel], asks: [BookLevel]) {
        assert(zip(bids, bids.dropFirst()).allSatisfy { $0.price > $1.price }, "bids best first")
        assert(zip(asks, asks.dropFirst()).allSatisfy { $0.price < $1.price }, "asks best first")
        self.bids = bids
        self.asks = asks
    }

    public var bestBid: BookLevel? { bids.first }
    public var bestAsk: BookLevel? { asks.first }
    public var isCrossed: Bool {
        guard let bid = bestBid, let ask = bestAsk else { return false }
        return bid.price >= ask.price
    }

    /// The levels a taker on `side` consumes: asks for a buy, bids for a sell.
    public func levels(takenBy side: Side) -> [BookLevel] { side == .buy ? asks : bids }

    /// Removes `quantity` from the top of the side a taker on `side` consumes, as a fill would.
    public mutating func consume(_ side: Side, quantity: FixedDecimal) {
        var remaining = quantity
        var levels = side == .buy ? asks : bids
        while remaining.isPositive, let first = levels.first {
            if first.quantity <= remaining {
                remaining -= first.quantity
                levels.removeFirst()
            } else {
                levels[0] = BookLevel(price: first.price, quantity: first.quantity - remaining)
                remaining = .zero
            }
        }
        if side == .buy { asks = levels } else { bids = levels }
    }
}

// MARK: - Walking

extension OrderBook {
    /// What taking `quantity` on `side` costs, level by level; nil when the book is not deep enough.
    /// `limit`, when given, stops at the first level worse than it (an IOC limit order), so the fill may be partial.
    public func walk(_ side: Side, quantity: FixedDecimal, limit: FixedDecimal? = nil) -> BookWalk {
        var remaining = quantity
        var notional = FixedDecimal.zero
        var filled = FixedDecimal.zero
        var worst: FixedDecimal?
        for level in levels(takenBy: side) {
            guard remaining.isPositive else { break }
            if let limit, side == .buy ? level.price > limit : level.price < limit { break }
            let take = FixedDecimal.min(remaining, level.quantity)
            notional += take * level.price
            filled += take
            remaining -= take
            worst = level.price
        }
        return BookWalk(filled: filled, notional: notional, worstPrice: worst)
    }

    /// Quote paid (buy) or received (sell) for `quantity` in `Double`, before fees; +∞ / nil-like 0 past depth.
    @inlinable
    public func screenNotional(_ side: Side, quantity: Double) -> Double {
        var remaining = quantity
        var notional = 0.0
        let levels = side == .buy ? asks : bids
        for level in levels {
            if remaining <= level.quantityValue { return notional + remaining * level.priceValue }
            notional += level.quantityValue * level.priceValue
            remaining -= level.quantityValue
        }
        return remaining > 1e-12 ? .infinity : notional
    }

    /// Price of the level that the `quantity`-th unit is taken from.
    @inlinable
    public func screenMarginalPrice(_ side: Side, after quantity: Double) -> Double {
        var remaining = quantity
        let levels = side == .buy ? asks : bids
        for level in levels {
            if remaining < level.quantityValue { return level.priceValue }
            remaining -= level.quantityValue
        }
        return side == .buy ? .infinity : 0
    }

    public func depth(_ side: Side) -> Double {
        var total = 0.0
        for level in levels(takenBy: side) { total += level.quantityValue }
        return total
    }
}

/// The result of walking a book.
public struct BookWalk: Sendable, Hashable {
    public let filled: FixedDecimal
    /// Σ price × quantity over the levels taken, before fees.
    public let notional: FixedDecimal
    public let worstPrice: FixedDecimal?

    public var averagePrice: FixedDecimal? { filled.isPositive ? notional / filled : nil }
}
