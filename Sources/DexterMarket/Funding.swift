import DexterCore

/// What a perpetual's venue says of its next funding: the rate it will charge (positive: longs pay shorts), when,
/// and the mark price positions are valued at. Binance's `markPriceUpdate` (`r`, `T`, `p`), Bybit's `tickers`
/// (`fundingRate`, `nextFundingTime`, `markPrice`), OKX's `funding-rate` all carry these.
public struct FundingQuote: Sendable, Hashable {
    public let market: MarketKey
    /// The rate of the next funding, as the venue predicts it now (it may change until the funding time).
    public let rate: FixedDecimal
    public let nextFundingTime: Timestamp
    /// Time between two fundings (Binance's default 8 h; some symbols 4 h or 1 h).
    public let interval: Duration
    public let markPrice: FixedDecimal
    public let receivedAt: Timestamp

    public init(market: MarketKey, rate: FixedDecimal, nextFundingTime: Timestamp, interval: Duration = .seconds(8 * 3_600),
                markPrice: FixedDecimal, receivedAt: Timestamp) {
        self.market = market
        self.rate = rate
        self.nextFundingTime = nextFundingTime
        self.interval = interval
        self.markPrice = markPrice
        self.receivedAt = receivedAt
    }

    /// How many fundings fall in (`now`, `now + horizon`]: the next one if it is within the horizon, and one per
    /// interval after it.
    public func fundings(from now: Timestamp, within horizon: Duration) -> Int {
        let end = now.adding(horizon)
        guard nextFundingTime > now, nextFundingTime <= end else { return 0 }
        guard interval > .zero else { return 1 }
        return 1 + Int(end.duration(since: nextFundingTime) / interval)
    }

    /// What one funding moves for a position of signed `size` (positive long) at `mark`: what the account receives,
    /// negative when it pays. Long pays a positive rate: −size × mark × rate, to the settle asset's 8 decimals
    /// (half-up in magnitude, as Binance books it).
    public static func payment(size: FixedDecimal, mark: FixedDecimal, rate: FixedDecimal) -> FixedDecimal {
        (.zero - size * mark * rate).rounded(digits: 8, .nearestAwayFromZero)
    }
}
