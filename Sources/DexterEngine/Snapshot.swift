import DexterCore
import DexterDetect
import DexterRisk

/// Everything the screen shows, frozen at one moment. The TUI renders these and never touches engine state.
public struct Snapshot: Sendable {
    public var mode: DeskMode
    public var user: String
    /// The user's role, on the status bar.
    public var role = "Admin"
    public var clock: Timestamp
    /// Live opportunities, best net USD first.
    public var opportunities: [Opportunity]
    public var feed: FeedHealth
    public var pnl: PnLSummary
    public var limits: [LimitUsage]
    public var limitsSummary: RiskLimitsSummary
    public var tradingState: TradingState
    public var balances: [BalanceRow]
    /// Balances by wallet, then by chain.
    public var wallets: [WalletBalances] = []
    /// Standing warnings for the status bar.
    public var alerts: [String] = []
    /// Orders of this session, newest first: live legs and the last finished ones.
    public var orders: [OrderRow] = []
    /// Holdings per asset, with each account's share, marked to the reference price.
    public var positions: [PositionRow] = []
    /// Why trading is halted (kill switch, ledger failure), or nil while active.
    public var haltReason: String?
    /// For the best opportunities: what trading the buy leg straight back would cost now, in USD (the price of the
    /// sell leg missing), shown with each before entry.
    public var unwindCosts: [UInt64: FixedDecimal] = [:]
    /// The best few cyclic arbitrages (3+ legs, sharing no market), best net USD first. Shown, not yet tradable.
    public var cycles: [CycleOpportunity] = []
    /// A cycle waiting for the trader's yes (at most one confirmation, pair or cycle, is up at a time).
    public var cycleConfirmation: CycleConfirmation?
    /// Each account holding perpetuals: its margin and positions at the marks.
    public var margins: [MarginRow] = []
    /// Every market the desk watches, by pair then venue.
    public var markets: [MarketRow] = []
    /// VaR, ES, volatility and correlation of the holdings; nil until enough prices are sampled.
    public var risk: RiskFigures?
    public var riskSamples = 0
    public static let riskSamplesNeeded = RiskWatch.minimumSamples
    /// Newest first.
    public var notifications: [Notification]
    /// An approval waiting for the trader's yes, re-priced on the current market.
    public var confirmation: Confirmation?
    /// Routes with orders in flight.
    public var executing: [String]

    public init(mode: DeskMode, user: String, clock: Timestamp, opportunities: [Opportunity], feed: FeedHealth,
                pnl: PnLSummary, limits: [LimitUsage], limitsSummary: RiskLimitsSummary, tradingState: TradingState,
                balances: [BalanceRow], notifications: [Notification], confirmation: Confirmation?,
                executing: [String]) {
        self.mode = mode
        self.user = user
        self.clock = clock
        self.opportunities = opportunities
        self.feed = feed
        self.pnl = pnl
        self.limits = limits
        self.limitsSummary = limitsSummary
        self.tradingState = tradingState
        self.balances = balances
        self.notifications = notifications
        self.confirmation = confirmation
        self.executing = executing
    }
}

public struct FeedHealth: Sendable, Hashable {
    public var updatesPerSecond: Double
    public var venues: Int
    /// Venues with no update inside their staleness bound.
    public var staleVenues: [String]

    public init(updatesPerSecond: Double, venues: Int, staleVenues: [String]) {
        self.updatesPerSecond = updatesPerSecond
        self.venues = venues
        self.staleVenues = staleVenues
    }

    public var isHealthy: Bool { staleVenues.isEmpty }
}

public struct PnLSummary: Sendable, Hashable {
    /// Realised today (UTC), in USD, from booked arbitrages and funding.
    public var realisedTodayUSD: FixedDecimal
    public var arbitragesToday: Int
    public var tradesToday: Int
    public var volumeTodayUSD: FixedDecimal
    /// Funding booked today on perpetual positions, in USD (received positive); part of `realisedTodayUSD`.
    public var fundingTodayUSD: FixedDecimal = .zero
    /// Realised P&L after each booked arbitrage today, oldest first, for a sparkline.
    public var history: [Double]

    public init(realisedTodayUSD: FixedDecimal, arbitragesToday: Int, tradesToday: Int, volumeTodayUSD: FixedDecimal,
                history: [Double]) {
        self.realisedTodayUSD = realisedTodayUSD
        self.arbitragesToday = arbitragesToday
        self.tradesToday = tradesToday
        self.volumeTodayUSD = volumeTodayUSD
        self.history = history
    }
}

/// One market as the Markets panel shows it: its best bid and ask, how old the quote is, and its venue's feed.
public struct MarketRow: Sendable, Hashable {
    public enum Top: Sendable, Hashable {
        /// An order book's best levels, exact (nil for an empty side).
        case book(bid: Level?, ask: Level?)
        /// A pool's marginal sell and buy prices, its fee included (before it, both would be the spot price).
        case pool(bid: Double, ask: Double)
    }

    public struct Level: Sendable, Hashable {
        public var price: FixedDecimal
        public var quantity: FixedDecimal

        public init(price: FixedDecimal, quantity: FixedDecimal) {
            self.price = price
            self.quantity = quantity
        }
    }

    public var venue: String
    public var symbol: String
    public var top: Top
    /// Since the quote reached the desk.
    public var age: Duration
    /// Past its venue's staleness bound: not traded on.
    public var stale: Bool
    /// The venue's connection as its client last said ("live", "resyncing (…)"); nil for a venue that never says.
    public var feed: String?
    /// A perpetual's next funding as its venue last said; nil for spot, a pool, or a perpetual with no quote yet.
    public var funding: Funding?

    /// The predicted rate of a perpetual's next funding (positive: longs pay shorts) and how long until it.
    public struct Funding: Sendable, Hashable {
        public var rate: FixedDecimal
        /// From the snapshot's time to the funding (zero once it is due and the venue has not said the next).
        public var untilNext: Duration

        public init(rate: FixedDecimal, untilNext: Duration) {
            self.rate = rate
            self.untilNext = untilNext
        }
    }

    public init(venue: String, symbol: String, top: Top, age: Duration, stale: Bool, feed: String?,
                funding: Funding? = nil) {
        self.venue = venue
        self.symbol = symbol
        self.top = top
        self.age = age
        self.stale = stale
        self.feed = feed
        self.funding = funding
    }

    /// Ask over bid, in basis points of the mid (nil while a side is empty).
    public var spreadBps: Double? {
        let (bid, ask): (Double, Double)
        switch top {
        case .book(let best, let offer):
            guard let best, let offer else { return nil }
            (bid, ask) = (best.price.doubleValue, offer.price.doubleValue)
        case .pool(let best, let offer): (bid, ask) = (best, offer)
        }
        guard bid > 0, ask.isFinite, ask > 0 else { return nil }
        return (ask - bid) / ((ask + bid) / 2) * 10_000
    }
}

public struct RiskLimitsSummary: Sendable, Hashable {
    public var maxNotionalPerTradeUSD: FixedDecimal
    public var allowedPairs: Int

    public init(maxNotionalPerTradeUSD: FixedDecimal, allowedPairs: Int) {
        self.maxNotionalPerTradeUSD = maxNotionalPerTradeUSD
        self.allowedPairs = allowedPairs
    }
}

public struct BalanceRow: Sendable, Hashable {
    /// "binance" or "wallet@ethereum".
    public var account: String
    public var chain: String?
    public var asset: String
    public var amount: FixedDecimal
    public var usdValue: Double?

    public init(account: String, chain: String?, asset: String, amount: FixedDecimal, usdValue: Double?) {
        self.account = account
        self.chain = chain
        self.asset = asset
        self.amount = amount
        self.usdValue = usdValue
    }
}

/// One leg's order as the Orders panel shows it.
public struct OrderRow: Sendable, Hashable {
    public typealias State = OrderState
    public var clientOrderId: String
    public var opportunityId: UInt64
    /// What sent it, as the Orders panel tags it: "#12" (an arbitrage and its corrections), "stop", "margin".
    public var tag: String
    public var venue: VenueId
    public var side: Side
    public var symbol: Symbol
    public var quantity: FixedDecimal
    public var limitPrice: FixedDecimal
    public var filled: FixedDecimal
    public var averagePrice: FixedDecimal
    public var state: State
    public var reason: String?
    /// A chain order's transaction and the route it took, as its venue said.
    public var route: String?
    /// Sent as a chain transaction (a swap), not to a book: what its cancel is, and whether it can be sped up.
    public var onChain = false
    public var submittedAt: Timestamp
    public var updatedAt: Timestamp

    public init(clientOrderId: String, opportunityId: UInt64, venue: VenueId, side: Side, symbol: Symbol, quantity: FixedDecimal,
                limitPrice: FixedDecimal, filled: FixedDecimal, averagePrice: FixedDecimal, state: State, reason: String?,
                submittedAt: Timestamp, updatedAt: Timestamp) {
        self.clientOrderId = clientOrderId
        self.opportunityId = opportunityId
        self.tag = "#\(opportunityId)"
        self.venue = venue
        self.side = side
        self.symbol = symbol
        self.quantity = quantity
        self.limitPrice = limitPrice
        self.filled = filled
        self.averagePrice = averagePrice
        self.state = state
        self.reason = reason
        self.submittedAt = submittedAt
        self.updatedAt = updatedAt
    }
}

/// One asset across every account: quantity, value, and the move in its value since the session opened.
/// A margin account as the screen shows it.
public struct MarginRow: Sendable, Hashable {
    public struct Perpetual: Sendable, Hashable {
        public var symbol: String
        /// Signed: positive long.
        public var size: FixedDecimal
        public var entryPrice: FixedDecimal
        public var mark: FixedDecimal
        public var unrealised: FixedDecimal
    }
    public var account: String
    public var collateral: FixedDecimal
    public var equity: FixedDecimal
    public var maintenanceMargin: FixedDecimal
    /// Maintenance margin over equity: the venue liquidates at 1.
    public var ratio: Double
    /// Where the margin buffer cuts; nil when it is off.
    public var reduceAt: Double?
    public var positions: [Perpetual]
}

public struct PositionRow: Sendable, Hashable {
    public var asset: String
    public var quantity: FixedDecimal
    /// USD value at the reference price now; nil when the asset has no price.
    public var usdValue: Double?
    /// Quantity held now × (price now − price when the session opened): the mark-to-market move.
    public var unrealisedUSD: Double?
    /// (account, quantity), largest first.
    public var accounts: [(account: String, quantity: FixedDecimal)]
    /// Realised today from fills in this asset, in USD, and by venue.
    public var realisedTodayUSD: FixedDecimal = .zero
    public var realisedByVenue: [(venue: String, usd: FixedDecimal)] = []
    /// How far the asset's reference price can be trusted, said only when it is doubtful (a peg taken with no
    /// market, an outlier dropped, stale or thin sources, a depegged stablecoin); `priceWarning` when it matters.
    public var priceNote: String?
    public var priceWarning = false

    public init(asset: String, quantity: FixedDecimal, usdValue: Double?, unrealisedUSD: Double?,
                accounts: [(account: String, quantity: FixedDecimal)]) {
        self.asset = asset
        self.quantity = quantity
        self.usdValue = usdValue
        self.unrealisedUSD = unrealisedUSD
        self.accounts = accounts
    }

    public static func == (lhs: PositionRow, rhs: PositionRow) -> Bool {
        lhs.asset == rhs.asset && lhs.quantity == rhs.quantity && lhs.usdValue == rhs.usdValue
            && lhs.unrealisedUSD == rhs.unrealisedUSD && lhs.accounts.map(\.account) == rhs.accounts.map(\.account)
            && lhs.accounts.map(\.quantity) == rhs.accounts.map(\.quantity) && lhs.realisedTodayUSD == rhs.realisedTodayUSD
            && lhs.realisedByVenue.map(\.venue) == rhs.realisedByVenue.map(\.venue)
            && lhs.realisedByVenue.map(\.usd) == rhs.realisedByVenue.map(\.usd)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(asset)
        hasher.combine(quantity)
    }
}

/// One wallet's (or exchange account's) holdings, chain by chain.
public struct WalletBalances: Sendable, Hashable {
    public var wallet: WalletLabel
    /// True for the embedded market's own accounts, shown when the trader has configured none.
    public var isPaper: Bool
    public var chains: [ChainBalances]

    public init(wallet: WalletLabel, isPaper: Bool, chains: [ChainBalances]) {
        self.wallet = wallet
        self.isPaper = isPaper
        self.chains = chains
    }

    public var usdValue: Double { chains.reduce(0) { $0 + $1.usdValue } }
}

public struct ChainBalances: Sendable, Hashable {
    public var chain: String
    /// Largest USD value first.
    public var assets: [BalanceRow]
    /// Nil when no balance reaches this wallet on this chain (a watch-only address before chain connectors exist).
    public var source: String?
    /// The chain's gas token, when this wallet holds less of it than a few swaps need.
    public var lowGas: String?

    public init(chain: String, assets: [BalanceRow], source: String?, lowGas: String? = nil) {
        self.chain = chain
        self.assets = assets
        self.source = source
        self.lowGas = lowGas
    }

    public var usdValue: Double { assets.compactMap(\.usdValue).reduce(0, +) }
}

/// One desk event on the Log panel, with when it happened.
public struct Notification: Sendable, Hashable {
    public enum Level: String, Sendable { case info, warning, error, success }
    public let time: Timestamp
    public let event: DeskEvent
    /// The event's words, rendered once here: the Log panel redraws every line it holds each frame.
    public let text: String
    public var level: Level { event.level }

    public init(time: Timestamp, event: DeskEvent) {
        self.time = time
        self.event = event
        self.text = event.text
    }
}

/// The trader's last look before orders go out.
public struct Confirmation: Sendable, Hashable {
    /// As shown in the table when the trader pressed approve.
    public var original: Opportunity
    /// The member who asked: only they answer it, and only their screen shows it.
    public var requestedBy = ""
    /// The same route priced on the market as it is now.
    public var repriced: Opportunity
    /// What trading the buy leg straight back would cost now, in USD, if the sell leg missed.
    public var unwindCostUSD: FixedDecimal?
    /// The route's leg-risk policy ("unwind", "hedge", "halt").
    public var legRiskAction: LegRiskAction = .unwind

    public init(original: Opportunity, repriced: Opportunity) {
        self.original = original
        self.repriced = repriced
    }
}

/// Historical and parametric figures of one measure, for the screen (which does not import the risk room).
public typealias RiskPair = RiskFigures.Pair
/// A limit and its use, for the screen.
public typealias LimitGauge = LimitUsage

// The value types a snapshot carries from the rooms below the engine, named here so that the screen, which reads
// snapshots, imports only the core and the engine (DESIGN.md, Rooms) and never the detector or the risk room.
public typealias Opportunity = DexterDetect.Opportunity
public typealias OpportunityLeg = DexterDetect.OpportunityLeg
public typealias CycleOpportunity = DexterDetect.CycleOpportunity
public typealias TradingState = DexterRisk.TradingState
