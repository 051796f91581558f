import BigInt
import DexterCore

/// One instrument on one venue: its rules, its current liquidity and when it was quoted.
public struct Market: Sendable {
    public let key: MarketKey
    public let venue: VenueSpec
    public let instrument: InstrumentSpec
    /// Gas units a swap on this market burns (zero for an exchange); a chain feed may measure them again.
    public internal(set) var gasUnits: Int
    public private(set) var liquidity: Liquidity
    /// When the venue says the quote was made.
    public private(set) var venueTime: Timestamp
    /// When it reached the desk.
    public private(set) var receivedAt: Timestamp
    /// The `Double` image detection screens with, rebuilt on every update.
    public private(set) var screen: LiquidityScreen

    public init(venue: VenueSpec, instrument: InstrumentSpec, liquidity: Liquidity, gasUnits: Int = 0,
                venueTime: Timestamp = .zero, receivedAt: Timestamp = .zero) {
        self.key = MarketKey(venue: venue.id, symbol: instrument.symbol)
        self.venue = venue
        self.instrument = instrument
        self.gasUnits = gasUnits
        self.liquidity = liquidity
        self.venueTime = venueTime
        self.receivedAt = receivedAt
        self.screen = Self.makeScreen(liquidity, fee: venue.takerFee.doubleValue)
    }

    public mutating func update(_ liquidity: Liquidity, venueTime: Timestamp, receivedAt: Timestamp) {
        self.liquidity = liquidity
        self.venueTime = venueTime
        self.receivedAt = receivedAt
        self.screen = Self.makeScreen(liquidity, fee: venue.takerFee.doubleValue)
    }

    static func makeScreen(_ liquidity: Liquidity, fee: Double) -> LiquidityScreen {
        switch liquidity {
        case .book(let book): return .book(book, fee: fee)
        case .constantProduct(let pool): return .curve(pool.screen)
        case .concentrated(let pool): return .ladder(pool.screen)
        case .stableSwap(let pool): return .curve(pool.screen)
        case .weighted(let pool): return .curve(pool.screen)
        }
    }

    /// The age of the quote at `now`, and whether it is past the venue's staleness bound.
    public func quoteAge(at now: Timestamp) -> Duration { now.duration(since: receivedAt) }
    public func isStale(at now: Timestamp) -> Bool { quoteAge(at: now) > venue.stalenessBound }

    public var mid: Double? {
        let bid = screen.topSellPriceBeforeFee
        let ask = screen.topBuyPriceBeforeFee
        guard bid > 0, ask.isFinite else { return nil }
        return (bid + ask) / 2
    }
}

// MARK: - Exact quotes

extension Market {
    /// The exact cost or proceeds of taking `quantity` base on `side`, on the market as it is.
    public func quote(_ side: Side, quantity: FixedDecimal) throws(QuoteError) -> LegQuote {
        guard quantity.isPositive else { throw .zeroQuantity }
        switch liquidity {
        case .book(let book):
            let walk = book.walk(side, quantity: quantity)
            guard walk.filled == quantity, let worst = walk.worstPrice else {
                throw .insufficientDepth(available: walk.filled)
            }
            let top = book.levels(takenBy: side)[0].price
            return LegQuote(side: side, quantity: quantity, notional: walk.notional,
                            fee: walk.notional * venue.takerFee, topPrice: top, worstPrice: worst)
        case .constantProduct(let pool):
            return try poolQuote(side, quantity: quantity, baseDecimals: pool.baseDecimals,
                                 quoteDecimals: pool.quoteDecimals, spot: screen.topBuyPriceBeforeFee) { units, withFee in
                side == .buy
                    ? try pool.buyBase(units, feeBps: withFee ? nil : 0)
                    : try pool.sellBase(units, feeBps: withFee ? nil : 0)
            }
        case .concentrated(let pool):
            let feeless = pool.charging(feePips: 0)
            return try poolQuote(side, quantity: quantity, baseDecimals: pool.baseDecimals,
                                 quoteDecimals: pool.quoteDecimals, spot: screen.topBuyPriceBeforeFee) { units, withFee in
                let subject = withFee ? pool : feeless
                return side == .buy ? try subject.buyBase(units).quoteIn : try subject.sellBase(units).quoteOut
            }
        case .stableSwap(let pool):
            let feeless = pool.feeless
            let (base, quote) = (pool.baseIndex, pool.quoteIndex)
            return try poolQuote(side, quantity: quantity, baseDecimals: pool.baseDecimals,
                                 quoteDecimals: pool.quoteDecimals, spot: screen.topBuyPriceBeforeFee) { units, withFee in
                let subject = withFee ? pool : feeless
                return side == .buy ? try subject.amountIn(i: quote, j: base, dy: units)
                    : try subject.amountOut(i: base, j: quote, dx: units)
            }
        case .weighted(let pool):
            let feeless = pool.feeless
            let (base, quote) = (pool.baseIndex, pool.quoteIndex)
            return try poolQuote(side, quantity: quantity, baseDecimals: pool.baseDecimals,
                                 quoteDecimals: pool.quoteDecimals, spot: screen.topBuyPriceBeforeFee) { units, withFee in
                let subject = withFee ? pool : feeless
                return side == .buy ? try subject.amountIn(i: quote, j: base, amountOut: units)
                    : try subject.amountOut(i: base, j: quote, amountIn: units)
            }
        }
    }

    /// What spending exactly `budget` quote on a pool buys: the swap the contract would run for that input, and
    /// the same swap without the fee to report the fee apart. Nil for a book (sizes there are whole lots).
    public func poolQuote(spending budget: FixedDecimal) throws(QuoteError) -> LegQuote? {
        let (baseDecimals, quoteDecimals): (Int, Int)
        let swap: (BigUInt, Bool) throws -> BigUInt
        switch liquidity {
        case .book:
            return nil
        case .constantProduct(let pool):
            (baseDecimals, quoteDecimals) = (pool.baseDecimals, pool.quoteDecimals)
            swap = { units, withFee in
                try ConstantProductPool.amountOut(in: units, reserveIn: pool.reserveQuote, reserveOut: pool.reserveBase,
                                                  feeBps: withFee ? pool.feeBps : 0)
            }
        case .concentrated(let pool):
            (baseDecimals, quoteDecimals) = (pool.baseDecimals, pool.quoteDecimals)
            swap = { units, withFee in try (withFee ? pool : pool.charging(feePips: 0)).spendQuote(units).baseOut }
        case .stableSwap(let pool):
            (baseDecimals, quoteDecimals) = (pool.baseDecimals, pool.quoteDecimals)
            let feeless = pool.feeless
            swap = { units, withFee in
                try (withFee ? pool : feeless).amountOut(i: pool.quoteIndex, j: pool.baseIndex, dx: units)
            }
        case .weighted(let pool):
            (baseDecimals, quoteDecimals) = (pool.baseDecimals, pool.quoteDecimals)
            let feeless = pool.feeless
            swap = { units, withFee in
                try (withFee ? pool : feeless).amountOut(i: pool.quoteIndex, j: pool.baseIndex, amountIn: units)
            }
        }
        let units = BigUInt(budget.units(decimals: quoteDecimals))
        guard units > 0 else { throw .zeroQuantity }
        do {
            let base = try swap(units, true)
            let baseWithoutFee = try swap(units, false)
            guard base > 0 else { throw QuoteError.zeroQuantity }
            let paid = FixedDecimal(units: Int128(units), decimals: quoteDecimals)
            let quantity = FixedDecimal(units: Int128(base), decimals: baseDecimals)
            // The fee is the quote the missing base would have cost at the swap's average price.
            let average = paid / quantity
            let fee = (FixedDecimal(units: Int128(baseWithoutFee), decimals: baseDecimals) - quantity) * average
            let top = FixedDecimal(approximating: screen.topBuyPriceBeforeFee).rounded(digits: 12)
            return LegQuote(side: .buy, quantity: quantity, notional: paid - fee, fee: fee, topPrice: top,
                            worstPrice: average + (average - top))
        } catch let error as PoolMathError {
            throw .pool(error)
        } catch let error as QuoteError {
            throw error
        } catch {
            throw .pool(.overflow)
        }
    }

    /// Prices a pool leg twice, with and without its fee, so the fee is reported apart from the curve's slippage.
    private func poolQuote(
        _ side: Side, quantity: FixedDecimal, baseDecimals: Int, quoteDecimals: Int, spot: Double,
        _ swap: (BigUInt, Bool) throws -> BigUInt
    ) throws(QuoteError) -> LegQuote {
        let units = BigUInt(quantity.units(decimals: baseDecimals))
        guard units > 0 else { throw .zeroQuantity }
        do {
            let withFee = try swap(units, true)
            let withoutFee = try swap(units, false)
            let cash = FixedDecimal(units: Int128(withFee), decimals: quoteDecimals)
            let feeless = FixedDecimal(units: Int128(withoutFee), decimals: quoteDecimals)
            let traded = FixedDecimal(units: Int128(units), decimals: baseDecimals)
            let fee = side == .buy ? cash - feeless : feeless - cash
            let average = feeless / traded
            let top = FixedDecimal(approximating: spot).rounded(digits: 12)
            // Past the average lies the marginal price; twice the average's distance from the top approximates it.
            let worst = average + (average - top)
            return LegQuote(side: side, quantity: traded, notional: feeless, fee: fee, topPrice: top, worstPrice: worst)
        } catch let error as PoolMathError {
            throw .pool(error)
        } catch {
            throw .pool(.overflow)
        }
    }
}
