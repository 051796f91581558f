import BigInt
import DexterCore

/// What a market offers a taker: an order book or one of the pool families.
public enum Liquidity: Sendable, Hashable {
    case book(OrderBook)
    case constantProduct(ConstantProductPool)
    case concentrated(ConcentratedPool)
    case stableSwap(StableSwapPool)
    case weighted(WeightedPool)

    public var isPool: Bool {
        if case .book = self { return false }
        return true
    }
}

/// A `Double` image of a market's liquidity for screening: effective prices include the taker or LP fee.
public enum LiquidityScreen: Sendable {
    case book(OrderBook, fee: Double)
    case curve(CurveScreen)
    case ladder(RangeLadder)
    case empty

    /// Effective price of the first unit bought (fee included).
    @inlinable public var topBuyPrice: Double {
        switch self {
        case .book(let book, let fee): return book.asks.first.map { $0.priceValue * (1 + fee) } ?? .infinity
        case .curve(let curve): return curve.marginalBuyPrice(0)
        case .ladder(let ladder): return ladder.marginalBuyPrice(0)
        case .empty: return .infinity
        }
    }

    /// Effective price of the first unit sold (fee deducted).
    @inlinable public var topSellPrice: Double {
        switch self {
        case .book(let book, let fee): return book.bids.first.map { $0.priceValue * (1 - fee) } ?? 0
        case .curve(let curve): return curve.marginalSellPrice(0)
        case .ladder(let ladder): return ladder.marginalSellPrice(0)
        case .empty: return 0
        }
    }

    /// Price before fees at the top, for the gross spread.
    @inlinable public var topBuyPriceBeforeFee: Double {
        switch self {
        case .book(let book, _): return book.asks.first?.priceValue ?? .infinity
        case .curve(let curve): return curve.spotPrice
        case .ladder(let ladder): return ladder.spotPrice
        case .empty: return .infinity
        }
    }

    @inlinable public var topSellPriceBeforeFee: Double {
        switch self {
        case .book(let book, _): return book.bids.first?.priceValue ?? 0
        case .curve(let curve): return curve.spotPrice
        case .ladder(let ladder): return ladder.spotPrice
        case .empty: return 0
        }
    }

    @inlinable public func marginalBuyPrice(_ q: Double) -> Double {
        switch self {
        case .book(let book, let fee): return book.screenMarginalPrice(.buy, after: q) * (1 + fee)
        case .curve(let curve): return curve.marginalBuyPrice(q)
        case .ladder(let ladder): return ladder.marginalBuyPrice(q)
        case .empty: return .infinity
        }
    }

    @inlinable public func marginalSellPrice(_ q: Double) -> Double {
        switch self {
        case .book(let book, let fee): return book.screenMarginalPrice(.sell, after: q) * (1 - fee)
        case .curve(let curve): return curve.marginalSellPrice(q)
        case .ladder(let ladder): return ladder.marginalSellPrice(q)
        case .empty: return 0
        }
    }

    /// Quote paid for `q` base, fee included.
    @inlinable public func buyCost(_ q: Double) -> Double {
        switch self {
        case .book(let book, let fee): return book.screenNotional(.buy, quantity: q) * (1 + fee)
        case .curve(let curve): return curve.buyCost(q)
        case .ladder(let ladder): return ladder.buyCost(q)
        case .empty: return .infinity
        }
    }

    /// Quote received for `q` base, fee deducted.
    @inlinable public func sellProceeds(_ q: Double) -> Double {
        switch self {
        case .book(let book, let fee):
            let notional = book.screenNotional(.sell, quantity: q)
            return notional.isFinite ? notional * (1 - fee) : 0
        case .curve(let curve): return curve.sellProceeds(q)
        case .ladder(let ladder): return ladder.sellProceeds(q)
        case .empty: return 0
        }
    }

    /// Base that `budget` quote buys, fee included: walked level by level on a book, in closed form on a constant
    /// product, nil where only a search can tell (a range ladder).
    public func baseAffordable(with budget: Double) -> Double? {
        switch self {
        case .book(let book, let fee):
            var left = budget, bought = 0.0
            for level in book.asks {
                let price = level.priceValue * (1 + fee)
                let cost = price * level.quantityValue
                if cost >= left { return bought + left / price }
                left -= cost
                bought += level.quantityValue
            }
            return bought
        case .curve(let curve):
            // Quote in x·γ moves base out: base · γx / (quote + γx).
            let paid = budget * curve.gamma
            return min(curve.maxBaseOut, curve.base * paid / (curve.quote + paid))
        case .ladder:
            return nil
        case .empty:
            return 0
        }
    }

    public var maxBuyQuantity: Double {
        switch self {
        case .book(let book, _): return book.depth(.buy)
        case .curve(let curve): return curve.maxBaseOut
        case .ladder(let ladder): return ladder.maxBaseOut
        case .empty: return 0
        }
    }

    public var maxSellQuantity: Double {
        switch self {
        case .book(let book, _): return book.depth(.sell)
        case .curve(let curve): return curve.maxBaseIn
        case .ladder(let ladder): return ladder.maxBaseIn
        case .empty: return 0
        }
    }
}

/// An exact quote for one leg at one size.
public struct LegQuote: Sendable, Hashable {
    public let side: Side
    /// Base traded.
    public let quantity: FixedDecimal
    /// Quote value before fees: Σ price × quantity on a book, the fee-free curve amount on a pool.
    public let notional: FixedDecimal
    /// Venue or LP fee, in the quote asset.
    public let fee: FixedDecimal
    /// The price a first unit would trade at, before fees.
    public let topPrice: FixedDecimal
    /// The last level taken on a book; the price after the swap on a pool.
    public let worstPrice: FixedDecimal

    public init(side: Side, quantity: FixedDecimal, notional: FixedDecimal, fee: FixedDecimal,
                topPrice: FixedDecimal, worstPrice: FixedDecimal) {
        self.side = side
        self.quantity = quantity
        self.notional = notional
        self.fee = fee
        self.topPrice = topPrice
        self.worstPrice = worstPrice
    }

    public var averagePrice: FixedDecimal { quantity.isPositive ? notional / quantity : .zero }

    /// Quote that leaves the account (a buy) or arrives (a sell), fees included: the leg's cash flow.
    public var cash: FixedDecimal { side == .buy ? notional + fee : notional - fee }

    /// The cost of size against the top price: what walking deeper costs.
    public var slippage: FixedDecimal {
        let atTop = quantity * topPrice
        return side == .buy ? notional - atTop : atTop - notional
    }
}

/// Why an exact quote could not be made.
public enum QuoteError: Error, Sendable, Hashable, CustomStringConvertible {
    case insufficientDepth(available: FixedDecimal)
    case pool(PoolMathError)
    case zeroQuantity

    public var description: String {
        switch self {
        case .insufficientDepth(let available): return "book too thin: only \(available) available"
        case .pool(let error): return "pool refuses the swap: \(error)"
        case .zeroQuantity: return "quantity is zero"
        }
    }
}
