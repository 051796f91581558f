import DexterCore

/// One thing a venue says about one of dexter's orders, in the order it says them. Updates never conflate: every
/// fill is money.
public struct OrderUpdate: Sendable, Hashable, Codable {
    public enum Kind: Sendable, Hashable, Codable {
        /// The venue took the order and gave it its own id.
        case accepted(venueOrderId: String)
        /// Part or all of the order traded.
        case fill(Fill)
        /// Canceled (the unfilled rest of an IOC order, or a cancel dexter asked for).
        case canceled(reason: String?)
        /// Its time in force ran out with nothing (left) to fill: nothing at the limit.
        case expired(reason: String?)
        /// Refused, with why.
        case rejected(ExecutionFailure)
        /// The venue refused to cancel it (already done, or unknown to it): the order keeps its course.
        case cancelRejected(reason: String)
        /// How the order travels changed, not where it stands: a replacement sent for it (a chain transaction sped
        /// up, or a cancel sent at its nonce). `route` says how; an order already ended keeps what it showed.
        case routeChanged
    }

    public let clientOrderId: String
    public let venue: VenueId
    public let kind: Kind
    /// When the venue says it happened.
    public let at: Timestamp
    /// Gas the chain burnt for the order's transaction, in `gasToken` (a reverted swap burns it too); zero elsewhere.
    public var gas: FixedDecimal
    public var gasToken: Asset?
    /// How the order reached its venue, where that is the trader's business: a chain transaction's hash and the
    /// route it took ("public mempool via …", "private relay …"). Shown on the Orders panel.
    public var route: String?

    public init(clientOrderId: String, venue: VenueId, kind: Kind, at: Timestamp, gas: FixedDecimal = .zero,
                gasToken: Asset? = nil) {
        self.clientOrderId = clientOrderId
        self.venue = venue
        self.kind = kind
        self.at = at
        self.gas = gas
        self.gasToken = gasToken
    }

    /// Whether the order's life ends here (a fill ends it only when nothing is left, which the order's owner knows).
    public var endsTheOrder: Bool {
        switch kind {
        case .canceled, .expired, .rejected: true
        case .accepted, .fill, .cancelRejected, .routeChanged: false
        }
    }
}

/// One trade of an order: its own id, the base quantity, the exact quote amount it traded for, and the fee.
public struct Fill: Sendable, Hashable, Codable {
    public let tradeId: String
    public let quantity: FixedDecimal
    /// Quote value before fees, exact (a book level's price × quantity; a swap's amount in or out).
    public let notional: FixedDecimal
    public let fee: FixedDecimal
    public let feeAsset: Asset

    public init(tradeId: String, quantity: FixedDecimal, notional: FixedDecimal, fee: FixedDecimal, feeAsset: Asset) {
        precondition(quantity.isPositive, "a fill trades a positive quantity")
        self.tradeId = tradeId
        self.quantity = quantity
        self.notional = notional
        self.fee = fee
        self.feeAsset = feeAsset
    }

    public var price: FixedDecimal { notional / quantity }
}

extension ExecutionReport {
    /// The updates a venue sends for an order that ended as this report says: accepted, one fill for what filled,
    /// then how it ended. What a query's answer turns into when the updates themselves never came.
    public func updates(venueOrderId: String? = nil) -> [OrderUpdate] {
        var updates: [OrderUpdate] = []
        func update(_ kind: OrderUpdate.Kind) -> OrderUpdate {
            OrderUpdate(clientOrderId: clientOrderId, venue: venue, kind: kind, at: executedAt)
        }
        if status != .rejected { updates.append(update(.accepted(venueOrderId: venueOrderId ?? clientOrderId))) }
        if filledQuantity.isPositive {
            // One fill for the whole: its fee in the base asset when that is what the venue charged (an order is
            // charged in one asset), else in the quote.
            let inBase = baseFee.isPositive && fee.isZero
            updates.append(update(.fill(Fill(tradeId: "\(clientOrderId)-t", quantity: filledQuantity, notional: notional,
                                             fee: inBase ? baseFee : fee, feeAsset: inBase ? symbol.base : symbol.quote))))
        }
        switch status {
        case .filled, .working: break
        case .partiallyFilled, .canceled: updates.append(update(.canceled(reason: reason)))
        case .expired: updates.append(update(.expired(reason: reason)))
        case .rejected:
            updates.append(update(.rejected(failure ?? FailureClassifier.classify(message: reason ?? "rejected"))))
        }
        // Gas rides on the last update: a transaction is paid for once.
        if gas.isPositive, !updates.isEmpty {
            updates[updates.count - 1].gas = gas
            updates[updates.count - 1].gasToken = gasToken
        }
        return updates
    }
}
