import DexterCore

/// An approval, rejection or risk denial of an opportunity, as booked.
public struct OpportunityRecord: Sendable, Hashable {
    public enum Decision: String, Sendable { case approved, rejected, denied }
    public var id: String
    public var pair: String
    public var buyVenue: String
    public var sellVenue: String
    public var quantity: FixedDecimal
    public var gross: FixedDecimal
    public var fees: FixedDecimal
    public var gas: FixedDecimal
    public var slippage: FixedDecimal
    public var net: FixedDecimal
    public var netUSD: FixedDecimal
    public var decision: Decision
    public var reason: String?
    public var user: String
    public var detectedAt: Timestamp
    public var decidedAt: Timestamp
    public var detailJSON: String

    public init(id: String, pair: String, buyVenue: String, sellVenue: String, quantity: FixedDecimal,
                gross: FixedDecimal, fees: FixedDecimal, gas: FixedDecimal, slippage: FixedDecimal,
                net: FixedDecimal, netUSD: FixedDecimal, decision: Decision, reason: String?, user: String,
                detectedAt: Timestamp, decidedAt: Timestamp, detailJSON: String) {
        self.id = id
        self.pair = pair
        self.buyVenue = buyVenue
        self.sellVenue = sellVenue
        self.quantity = quantity
        self.gross = gross
        self.fees = fees
        self.gas = gas
        self.slippage = slippage
        self.net = net
        self.netUSD = netUSD
        self.decision = decision
        self.reason = reason
        self.user = user
        self.detectedAt = detectedAt
        self.decidedAt = decidedAt
        self.detailJSON = detailJSON
    }
}

/// One order of an arbitrage and where it ended.
public struct OrderRecord: Sendable, Hashable {
    public var id: String
    public var venue: String
    public var pair: String
    public var side: Side
    public var quantity: FixedDecimal
    public var limitPrice: FixedDecimal
    public var status: String
    public var reason: String?
    public var filled: FixedDecimal
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(id: String, venue: String, pair: String, side: Side, quantity: FixedDecimal, limitPrice: FixedDecimal,
                status: String, reason: String?, filled: FixedDecimal, createdAt: Timestamp, updatedAt: Timestamp) {
        self.id = id
        self.venue = venue
        self.pair = pair
        self.side = side
        self.quantity = quantity
        self.limitPrice = limitPrice
        self.status = status
        self.reason = reason
        self.filled = filled
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A fill, booked as a trade.
public struct TradeRecord: Sendable, Hashable {
    public var id: String
    public var orderId: String
    public var user: String
    public var exchange: String
    public var pair: String
    public var side: Side
    public var amount: FixedDecimal
    public var price: FixedDecimal
    public var fee: FixedDecimal
    public var feeAsset: String
    public var gas: FixedDecimal
    public var gasAsset: String?
    /// The reference price the leg's profit is measured against.
    public var markPrice: FixedDecimal
    /// amount × price valued in USD: what the leg adds to traded volume.
    public var notionalUSD: FixedDecimal
    /// The leg's contribution to the arbitrage's profit, in USD; the legs of an arbitrage sum to its P&L.
    public var profitUSD: FixedDecimal
    public var createdAt: Timestamp
    /// The account that holds what the fill moved ("binance", "wallet@ethereum"); the exchange when not given.
    public var account: String?
    /// The fill's cash in USD: paid (fee included) on a buy, received (fee deducted) on a sell. Drives FIFO lots.
    public var cashUSD: FixedDecimal?
    /// Realised against the FIFO lots it consumed (sells), in USD; set by the ledger when booked.
    public var fifoRealisedUSD: FixedDecimal = .zero
    /// Gas burnt, in USD (already in `profitUSD`); a stop-loss fill's profit is its FIFO realised less this.
    public var gasUSD: FixedDecimal = .zero

    public init(id: String, orderId: String, user: String, exchange: String, pair: String, side: Side,
                amount: FixedDecimal, price: FixedDecimal, fee: FixedDecimal, feeAsset: String, gas: FixedDecimal,
                gasAsset: String?, markPrice: FixedDecimal, notionalUSD: FixedDecimal, profitUSD: FixedDecimal, createdAt: Timestamp) {
        self.id = id
        self.orderId = orderId
        self.user = user
        self.exchange = exchange
        self.pair = pair
        self.side = side
        self.amount = amount
        self.price = price
        self.fee = fee
        self.feeAsset = feeAsset
        self.gas = gas
        self.gasAsset = gasAsset
        self.markPrice = markPrice
        self.notionalUSD = notionalUSD
        self.profitUSD = profitUSD
        self.createdAt = createdAt
    }
}

/// An executed arbitrage with its orders, trades and the balance changes they caused: booked all or nothing.
public struct ArbitrageBooking: Sendable, Hashable {
    public enum Status: String, Sendable { case completed, partial, failed }
    /// An approved arbitrage; the correction of one whose legs came back uneven; a position closed by its stop-loss;
    /// perpetuals cut by the margin buffer.
    /// An arbitrage's fills are measured against the mark (the legs of a hedged trade sum to its edge); a stop-loss
    /// closes inventory, so its fills realise against what the inventory cost (FIFO), the loss the stop takes.
    public enum Kind: String, Sendable { case arbitrage, correction, stopLoss = "stop-loss", marginReduction = "margin" }
    public var id: String
    public var opportunityId: String
    public var user: String
    public var pair: String
    public var status: Status
    public var expectedNetUSD: FixedDecimal
    public var realisedNetUSD: FixedDecimal
    public var createdAt: Timestamp
    public var orders: [OrderRecord]
    public var trades: [TradeRecord]
    /// (account, asset) → signed change.
    public var balanceChanges: [BalanceChange]
    /// Why realised differs from expected: a missed or short leg, slippage, fees, gas.
    public var explanation = ""
    public var kind = Kind.arbitrage
    /// Perpetual positions as this booking leaves them.
    public var positions: [PositionRecord] = []

    public init(id: String, opportunityId: String, user: String, pair: String, status: Status,
                expectedNetUSD: FixedDecimal, realisedNetUSD: FixedDecimal, createdAt: Timestamp,
                orders: [OrderRecord], trades: [TradeRecord], balanceChanges: [BalanceChange]) {
        self.id = id
        self.opportunityId = opportunityId
        self.user = user
        self.pair = pair
        self.status = status
        self.expectedNetUSD = expectedNetUSD
        self.realisedNetUSD = realisedNetUSD
        self.createdAt = createdAt
        self.orders = orders
        self.trades = trades
        self.balanceChanges = balanceChanges
    }
}

/// A perpetual position on an account: signed size (positive long) and average entry price.
public struct PositionRecord: Sendable, Hashable {
    public var account: String
    public var symbol: String
    public var size: FixedDecimal
    public var entryPrice: FixedDecimal

    public init(account: String, symbol: String, size: FixedDecimal, entryPrice: FixedDecimal) {
        self.account = account
        self.symbol = symbol
        self.size = size
        self.entryPrice = entryPrice
    }
}

/// One booked execution as a list shows it.
public struct BookingSummary: Sendable, Hashable {
    public var id: String
    public var kind: ArbitrageBooking.Kind
    public var pair: String
    public var status: String
    public var realisedNetUSD: FixedDecimal
    public var explanation: String
}

public struct BalanceChange: Sendable, Hashable {
    public var account: String
    public var asset: String
    public var delta: FixedDecimal

    public init(account: String, asset: String, delta: FixedDecimal) {
        self.account = account
        self.asset = asset
        self.delta = delta
    }
}

/// Today's totals, for the P&L panel and the daily volume limit.
public struct DaySummary: Sendable, Hashable {
    public var tradeCount: Int
    public var arbitrageCount: Int
    public var realisedNetUSD: FixedDecimal
    public var volumeUSD: FixedDecimal
    /// Funding booked today, in USD (received positive); included in `realisedNetUSD`.
    public var fundingUSD: FixedDecimal = .zero
    /// Realised profit of the day's fills by base asset, then by venue (the legs' USD profits).
    public var realisedByAsset: [String: [String: FixedDecimal]] = [:]

    public init(tradeCount: Int = 0, arbitrageCount: Int = 0, realisedNetUSD: FixedDecimal = .zero,
                volumeUSD: FixedDecimal = .zero) {
        self.tradeCount = tradeCount
        self.arbitrageCount = arbitrageCount
        self.realisedNetUSD = realisedNetUSD
        self.volumeUSD = volumeUSD
    }
}

/// One order transition, as persisted.
public struct OrderEventRecord: Sendable, Hashable {
    public var orderId: String
    public var arbitrageId: String
    public var venue: String
    public var pair: String
    public var side: Side
    public var quantity: FixedDecimal
    public var limitPrice: FixedDecimal
    public var event: String
    public var fromState: String
    public var toState: String
    public var filled: FixedDecimal
    public var reason: String?
    public var at: Timestamp
    public var opportunityId: String?

    public init(orderId: String, arbitrageId: String, venue: String, pair: String, side: Side, quantity: FixedDecimal,
                limitPrice: FixedDecimal, event: String, fromState: String, toState: String, filled: FixedDecimal,
                reason: String?, at: Timestamp, opportunityId: String? = nil) {
        self.opportunityId = opportunityId
        self.orderId = orderId
        self.arbitrageId = arbitrageId
        self.venue = venue
        self.pair = pair
        self.side = side
        self.quantity = quantity
        self.limitPrice = limitPrice
        self.event = event
        self.fromState = fromState
        self.toState = toState
        self.filled = filled
        self.reason = reason
        self.at = at
    }
}

public enum ReportGrouping: String, Sendable, CaseIterable {
    case day, venue, pair
}

public struct ReportRow: Sendable, Hashable {
    public var key: String
    public var trades: Int
    public var volumeUSD: FixedDecimal
    public var realisedUSD: FixedDecimal
}

extension FixedDecimal {
    /// From an integer count of 10⁻⁹.
    public init(nanos: Int64) { self.init(raw: Int128(nanos) * 1_000_000_000) }
}

/// Funding one perpetual position paid or received at one funding time, as booked: signed amount in the settle asset
/// (positive received), and its USD value at booking.
public struct FundingRecord: Sendable, Hashable {
    public var venue: String
    /// Unique per venue (the venue's own id of the payment, or symbol and funding time).
    public var id: String
    public var account: String
    public var symbol: String
    public var amount: FixedDecimal
    public var asset: String
    public var amountUSD: FixedDecimal
    public var rate: FixedDecimal?
    public var positionSize: FixedDecimal?
    public var markPrice: FixedDecimal?
    public var user: String
    public var at: Timestamp

    public init(venue: String, id: String, account: String, symbol: String, amount: FixedDecimal, asset: String,
                amountUSD: FixedDecimal, rate: FixedDecimal? = nil, positionSize: FixedDecimal? = nil,
                markPrice: FixedDecimal? = nil, user: String, at: Timestamp) {
        self.venue = venue
        self.id = id
        self.account = account
        self.symbol = symbol
        self.amount = amount
        self.asset = asset
        self.amountUSD = amountUSD
        self.rate = rate
        self.positionSize = positionSize
        self.markPrice = markPrice
        self.user = user
        self.at = at
    }

    /// The balance change it books, under its own source.
    public var balanceSource: String { "funding:\(venue):\(id)" }
}
