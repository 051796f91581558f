import DexterCore

/// Funding a venue charged or paid on one perpetual position at one funding time: money in or out of the account's
/// collateral, booked like a fill. Binance: an ACCOUNT_UPDATE with reason FUNDING_FEE (and the `FUNDING_FEE` income
/// row); Bybit: an execution of type Funding.
public struct FundingPayment: Sendable, Hashable, Codable {
    /// Unique per venue: the venue's own id of the payment where it gives one (Binance's `tranId`, Bybit's `execId`),
    /// else the symbol and funding time. The ledger books each id once.
    public let id: String
    public let venue: VenueId
    public let symbol: Symbol
    /// Signed, in `asset`: positive when the account received funding, negative when it paid.
    public let amount: FixedDecimal
    public let asset: Asset
    /// The rate and position it was charged at, where the venue says (nil when only the amount is known).
    public let rate: FixedDecimal?
    public let positionSize: FixedDecimal?
    public let markPrice: FixedDecimal?
    /// The funding time.
    public let at: Timestamp

    public init(id: String, venue: VenueId, symbol: Symbol, amount: FixedDecimal, asset: Asset, rate: FixedDecimal? = nil,
                positionSize: FixedDecimal? = nil, markPrice: FixedDecimal? = nil, at: Timestamp) {
        self.id = id
        self.venue = venue
        self.symbol = symbol
        self.amount = amount
        self.asset = asset
        self.rate = rate
        self.positionSize = positionSize
        self.markPrice = markPrice
        self.at = at
    }
}

/// A venue that reports the funding it books on the account's positions (a live perpetual venue). Where a venue
/// does not (paper trading, the simulator), the desk settles funding itself at each funding time, from the venue's
/// last quote before it and the position it holds then.
public protocol FundingReporting: Sendable {
    var venueIds: [VenueId] { get }
}
