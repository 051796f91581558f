import DexterCore

/// An order as dexter sends it to any venue, under the client order id dexter chose (the key it is found by ever
/// after). Immediate-or-cancel: `limitPrice` is the worst price accepted, the last level on a book, the worst
/// average price on a pool (a swap's amountOutMin / amountInMax).
public struct OrderRequest: Sendable, Hashable, Codable {
    public let clientOrderId: String
    public let venue: VenueId
    public let symbol: Symbol
    public let side: Side
    public let quantity: FixedDecimal
    public let limitPrice: FixedDecimal
    public let submittedAt: Timestamp
    /// May only shrink a perpetual position, never open or grow one (the margin buffer's cuts): a venue that has the
    /// flag sends it (Binance's `reduceOnly`, Bybit's `reduceOnly`), so a position already closed elsewhere is not
    /// reopened the other way.
    public let reduceOnly: Bool

    public init(clientOrderId: String, venue: VenueId, symbol: Symbol, side: Side, quantity: FixedDecimal,
                limitPrice: FixedDecimal, submittedAt: Timestamp, reduceOnly: Bool = false) {
        self.clientOrderId = clientOrderId
        self.venue = venue
        self.symbol = symbol
        self.side = side
        self.quantity = quantity
        self.limitPrice = limitPrice
        self.submittedAt = submittedAt
        self.reduceOnly = reduceOnly
    }

    /// The same order under the same id, of `quantity`, sent at `time` (a held leg sized after the one before it,
    /// a retry).
    public func resent(quantity: FixedDecimal? = nil, at time: Timestamp) -> OrderRequest {
        OrderRequest(clientOrderId: clientOrderId, venue: venue, symbol: symbol, side: side, quantity: quantity ?? self.quantity,
                     limitPrice: limitPrice, submittedAt: time, reduceOnly: reduceOnly)
    }
}

/// An order's outcome as a whole: what its venue's updates add up to once it is done, what a query by client id
/// answers, and what the booking is made from.
public struct ExecutionReport: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        /// `partiallyFilled`: some filled and the rest was canceled (an IOC's rest, or a cancel). `expired`: nothing
        /// could fill within the limit. `canceled`: canceled with nothing filled. `working`: not done yet (a query's
        /// answer only; `filledQuantity` is what has filled so far).
        case filled, partiallyFilled = "partially_filled", rejected, expired, canceled, working
    }

    public let clientOrderId: String
    public let venue: VenueId
    public let symbol: Symbol
    public let side: Side
    public let status: Status
    /// Why the venue refused it, in plain words (nil when anything filled).
    public let reason: String?
    public let filledQuantity: FixedDecimal
    /// Quote value of the fill before fees.
    public let notional: FixedDecimal
    /// Fee charged, in the quote asset.
    public let fee: FixedDecimal
    /// Fee charged in the base asset: what an exchange keeps of what a buy received (Binance charges a buy's
    /// commission in the asset bought). The account receives `filledQuantity - baseFee`.
    public var baseFee: FixedDecimal = .zero
    /// Gas burnt, in the chain's gas token; a reverted swap burns gas too.
    public let gas: FixedDecimal
    public let gasToken: Asset?
    public let executedAt: Timestamp
    /// Why it failed, typed, when it was refused.
    public var failure: ExecutionFailure?

    public init(clientOrderId: String, venue: VenueId, symbol: Symbol, side: Side, status: Status, reason: String?,
                filledQuantity: FixedDecimal, notional: FixedDecimal, fee: FixedDecimal, gas: FixedDecimal,
                gasToken: Asset?, executedAt: Timestamp, failure: ExecutionFailure? = nil, baseFee: FixedDecimal = .zero) {
        self.clientOrderId = clientOrderId
        self.venue = venue
        self.symbol = symbol
        self.side = side
        self.status = status
        self.reason = reason
        self.filledQuantity = filledQuantity
        self.notional = notional
        self.fee = fee
        self.gas = gas
        self.gasToken = gasToken
        self.executedAt = executedAt
        self.failure = failure
        self.baseFee = baseFee
    }

    public var averagePrice: FixedDecimal { filledQuantity.isPositive ? notional / filledQuantity : .zero }
    public var isDone: Bool { status != .working }

    private enum CodingKeys: String, CodingKey {
        case clientOrderId, venue, symbol, side, status, reason, filledQuantity, notional, fee, baseFee, gas, gasToken,
             executedAt, failure
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(clientOrderId: try c.decode(String.self, forKey: .clientOrderId), venue: try c.decode(VenueId.self, forKey: .venue),
                  symbol: try c.decode(Symbol.self, forKey: .symbol), side: try c.decode(Side.self, forKey: .side),
                  status: try c.decode(Status.self, forKey: .status), reason: try c.decodeIfPresent(String.self, forKey: .reason),
                  filledQuantity: try c.decode(FixedDecimal.self, forKey: .filledQuantity),
                  notional: try c.decode(FixedDecimal.self, forKey: .notional), fee: try c.decode(FixedDecimal.self, forKey: .fee),
                  gas: try c.decode(FixedDecimal.self, forKey: .gas), gasToken: try c.decodeIfPresent(Asset.self, forKey: .gasToken),
                  executedAt: try c.decode(Timestamp.self, forKey: .executedAt),
                  failure: try c.decodeIfPresent(ExecutionFailure.self, forKey: .failure),
                  // Journals written before base-asset fees have none.
                  baseFee: try c.decodeIfPresent(FixedDecimal.self, forKey: .baseFee) ?? .zero)
    }
}
