import DexterCore

/// An immediate-or-cancel order sent to a paper venue. `limitPrice` is the worst price accepted: the last level
/// on a book, the worst average price on a pool (a swap's amountOutMin / amountInMax).
public struct PaperOrder: Sendable, Hashable, Codable {
    public let clientOrderId: String
    public let venue: VenueId
    public let symbol: Symbol
    public let side: Side
    public let quantity: FixedDecimal
    public let limitPrice: FixedDecimal
    public let submittedAt: Timestamp

    public init(clientOrderId: String, venue: VenueId, symbol: Symbol, side: Side, quantity: FixedDecimal,
                limitPrice: FixedDecimal, submittedAt: Timestamp) {
        self.clientOrderId = clientOrderId
        self.venue = venue
        self.symbol = symbol
        self.side = side
        self.quantity = quantity
        self.limitPrice = limitPrice
        self.submittedAt = submittedAt
    }
}

/// What a venue says happened to an order.
public struct ExecutionReport: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        /// `partiallyFilled`: an IOC order's unfilled rest is canceled. `expired`: nothing could fill within the limit.
        case filled, partiallyFilled = "partially_filled", rejected, expired
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
    /// Gas burnt, in the chain's gas token; a reverted swap burns gas too.
    public let gas: FixedDecimal
    public let gasToken: Asset?
    public let executedAt: Timestamp

    public init(clientOrderId: String, venue: VenueId, symbol: Symbol, side: Side, status: Status, reason: String?,
                filledQuantity: FixedDecimal, notional: FixedDecimal, fee: FixedDecimal, gas: FixedDecimal,
                gasToken: Asset?, executedAt: Timestamp) {
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
    }

    public var averagePrice: FixedDecimal { filledQuantity.isPositive ? notional / filledQuantity : .zero }
}
