import DexterCore
import DexterMarket

/// One leg of an opportunity: what to do where, and what it is expected to cost.
public struct OpportunityLeg: Sendable, Hashable, Codable {
    public let venue: VenueId
    public let side: Side
    public let symbol: Symbol
    public let quantity: FixedDecimal
    public let averagePrice: FixedDecimal
    /// The last level a book walk reaches, or the pool price after the swap: the limit an IOC order carries.
    public let worstPrice: FixedDecimal
    /// Quote value before fees.
    public let notional: FixedDecimal
    /// Venue or LP fee, in quote.
    public let fee: FixedDecimal
    /// Gas burnt, in the chain's gas token (zero on an exchange).
    public let gas: FixedDecimal
    public let gasToken: Asset?
    /// When the leg's quote was made at the venue and received here.
    public let venueTime: Timestamp
    public let receivedAt: Timestamp

    public init(venue: VenueId, side: Side, symbol: Symbol, quote: LegQuote, gas: FixedDecimal, gasToken: Asset?,
                venueTime: Timestamp, receivedAt: Timestamp) {
        self.venue = venue
        self.side = side
        self.symbol = symbol
        self.quantity = quote.quantity
        self.averagePrice = quote.averagePrice
        self.worstPrice = quote.worstPrice
        self.notional = quote.notional
        self.fee = quote.fee
        self.gas = gas
        self.gasToken = gasToken
        self.venueTime = venueTime
        self.receivedAt = receivedAt
    }

    public func quoteAge(at now: Timestamp) -> Duration { now.duration(since: receivedAt) }
}

/// A two-leg cross-venue arbitrage, sized and costed exactly: one instrument bought on one venue and sold on another,
/// or a basis trade (a spot pair against a linear perpetual on it, one on each venue). A plain value: its invariants
/// are checked when it is made, and nothing live hangs off it.
public struct Opportunity: Sendable, Hashable, Codable, Identifiable {
    public let id: UInt64
    /// The instrument both legs trade, or for a basis trade the spot pair underneath (each leg names its own).
    public let symbol: Symbol
    /// The buy leg, then the sell leg.
    public let legs: [OpportunityLeg]
    /// Quote earned at the top-of-book prices, before any cost: quantity × (sell top − buy top).
    public let gross: FixedDecimal
    public let fees: FixedDecimal
    /// Gas of every leg, valued in the quote asset.
    public let gasCost: FixedDecimal
    /// Funding the perpetual legs are expected to pay (positive) or receive (negative) while held, in the quote asset:
    /// each venue's current rate over the fundings within the desk's holding horizon, at the mark.
    public let funding: FixedDecimal
    /// What size costs beyond the top prices.
    public let slippage: FixedDecimal
    /// gross − fees − gas − funding − slippage, in the quote asset.
    public let net: FixedDecimal
    /// Net over the buy leg's notional, in basis points.
    public let netBps: FixedDecimal
    /// Net valued in USD.
    public let netUSD: FixedDecimal
    public let detectedAt: Timestamp
    /// After this, a leg's quote is past its venue's staleness bound.
    public let expiresAt: Timestamp

    public init(id: UInt64, buy: OpportunityLeg, sell: OpportunityLeg, gross: FixedDecimal, fees: FixedDecimal,
                gasCost: FixedDecimal, funding: FixedDecimal = .zero, net: FixedDecimal, netUSD: FixedDecimal,
                detectedAt: Timestamp, expiresAt: Timestamp) {
        precondition(buy.side == .buy && sell.side == .sell, "an opportunity buys on one leg and sells on the other")
        precondition(buy.symbol.underlying == sell.symbol.underlying, "both legs trade one underlying")
        precondition(buy.venue != sell.venue, "the legs are on different venues")
        self.id = id
        self.symbol = buy.symbol == sell.symbol ? buy.symbol : buy.symbol.underlying
        self.legs = [buy, sell]
        self.gross = gross
        self.fees = fees
        self.gasCost = gasCost
        self.funding = funding
        self.net = net
        self.slippage = gross - fees - gasCost - funding - net
        self.netBps = buy.notional.isPositive ? net * FixedDecimal(10_000) / buy.notional : .zero
        self.netUSD = netUSD
        self.detectedAt = detectedAt
        self.expiresAt = expiresAt
    }

    public var buy: OpportunityLeg { legs[0] }
    public var sell: OpportunityLeg { legs[1] }
    public var quantity: FixedDecimal { buy.quantity }
    /// A spot pair against a perpetual on it, rather than one instrument on two venues.
    public var isBasis: Bool { buy.symbol != sell.symbol }
    /// What the trade is in, for a table cell: the instrument, or "ETH/USDT basis" for a spot pair against its perpetual.
    public var pairLabel: String { isBasis ? "\(symbol) basis" : symbol.description }
    /// The venue pair and symbol; one opportunity per route is live at a time.
    public var route: Route {
        Route(symbol: symbol, buyVenue: buy.venue, sellVenue: sell.venue, basis: isBasis ? (buy.symbol.isSpot ? .longSpot : .shortSpot) : nil)
    }

    public func isExpired(at now: Timestamp) -> Bool { now >= expiresAt }

    /// The same opportunity under a new id and time, as re-pricing makes it.
    public func withIdentity(id: UInt64) -> Opportunity {
        Opportunity(id: id, buy: buy, sell: sell, gross: gross, fees: fees, gasCost: gasCost, funding: funding, net: net,
                    netUSD: netUSD, detectedAt: detectedAt, expiresAt: expiresAt)
    }
}

/// Where an opportunity trades: symbol, buy venue, sell venue, and for a basis trade which leg is the spot one.
public struct Route: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A basis trade's direction: cash and carry buys spot and sells the perpetual; the reverse sells spot.
    public enum Basis: String, Sendable, Hashable, Codable {
        case longSpot, shortSpot
    }

    public let symbol: Symbol
    public let buyVenue: VenueId
    public let sellVenue: VenueId
    public let basis: Basis?

    public init(symbol: Symbol, buyVenue: VenueId, sellVenue: VenueId, basis: Basis? = nil) {
        self.symbol = symbol
        self.buyVenue = buyVenue
        self.sellVenue = sellVenue
        self.basis = basis
    }

    public var description: String {
        switch basis {
        case nil: "\(symbol) \(buyVenue.name)→\(sellVenue.name)"
        case .longSpot: "\(symbol) \(buyVenue.name)→\(sellVenue.name) perp"
        case .shortSpot: "\(symbol) \(buyVenue.name) perp→\(sellVenue.name)"
        }
    }
}
