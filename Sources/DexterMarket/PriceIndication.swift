import DexterCore

/// A price from a source that is not a market the desk can trade on: an aggregator's indicative quote (1inch's
/// `/quote`, 0x's `/price`) for selling `baseAmount` of the symbol's base. It counts in the reference price as one more
/// source, with its own staleness bound and weight, and is never detected on, sized against or traded.
///
/// The price is what a sell of that size gets, after the route's pool fees: a bid rather than a mid, close to the mid
/// at the small size an aggregator is asked about.
public struct PriceIndication: Sendable, Hashable {
    /// One indication per source and pair: a newer one replaces it.
    public struct Key: Sendable, Hashable {
        public let source: VenueId
        public let symbol: Symbol

        public init(source: VenueId, symbol: Symbol) {
            self.source = source
            self.symbol = symbol
        }
    }

    /// Who quoted, as the screen and the log name it ("1inch@ethereum").
    public let source: VenueId
    public let symbol: Symbol
    /// What was sold, in the base asset (exact, from the token's base units).
    public let baseAmount: FixedDecimal
    /// What the sell gets, in the quote asset (exact, from the token's base units).
    public let quoteAmount: FixedDecimal
    public let receivedAt: Timestamp
    /// Past this age the indication is stale: left out of the reference while fresh sources exist.
    public let stalenessBound: Duration
    /// Its say in the reference's weighted median; a market's is 1.
    public let weight: Double

    public init(source: VenueId, symbol: Symbol, baseAmount: FixedDecimal, quoteAmount: FixedDecimal,
                receivedAt: Timestamp, stalenessBound: Duration, weight: Double) {
        precondition(baseAmount.isPositive, "an indication sells a positive amount")
        precondition(weight > 0 && weight.isFinite, "an indication's weight is positive")
        self.source = source
        self.symbol = symbol
        self.baseAmount = baseAmount
        self.quoteAmount = quoteAmount
        self.receivedAt = receivedAt
        self.stalenessBound = stalenessBound
        self.weight = weight
    }

    public var key: Key { Key(source: source, symbol: symbol) }

    /// Quote per base, for the reference (screened as a `Double`, like a market's mid).
    public var price: Double { quoteAmount.doubleValue / baseAmount.doubleValue }

    public func age(at now: Timestamp) -> Duration { now.duration(since: receivedAt) }

    public func isStale(at now: Timestamp) -> Bool { age(at: now) > stalenessBound }
}
