import DexterCore
import DexterMarket

// The venue seam. Every venue — the simulator, a recording, an exchange, a chain — is reached through these two
// protocols, as NautilusTrader's data and execution clients are. The engine holds them as existentials and never
// names a concrete venue; only the executable builds concrete ones, from config.toml.

/// Where a venue's connection stands: what the status bar shows and what the pre-trade check asks.
public enum ConnectionState: Sendable, Hashable, CustomStringConvertible {
    case connecting
    case live
    /// The local book is being rebuilt from a fresh snapshot: its quotes are not to be traded on meanwhile.
    case resyncing(reason: String)
    case down(reason: String)

    public var isTradable: Bool { self == .live }

    public var description: String {
        switch self {
        case .connecting: "connecting"
        case .live: "live"
        case .resyncing(let reason): "resyncing (\(reason))"
        case .down(let reason): "down (\(reason))"
        }
    }
}

/// An instrument as its venue describes it: its rules, fee, chain and the gas a swap burns (in `market`, with its
/// first liquidity), and the contract it trades through, where there is one (what compliance screens).
public struct VenueInstrument: Sendable {
    public var market: Market
    public var poolAddress: String?
    /// The contract a swap is sent to and pays, when it is not the pool itself (a DEX's router).
    public var routerAddress: String?

    public init(market: Market, poolAddress: String? = nil, routerAddress: String? = nil) {
        self.market = market
        self.poolAddress = poolAddress
        self.routerAddress = routerAddress
    }

    /// The same instrument priced at `takerFee`: the account's own rate, as a live venue reports it.
    public func atTakerFee(_ takerFee: FixedDecimal) -> VenueInstrument {
        let venue = VenueSpec(id: market.venue.id, kind: market.venue.kind, takerFee: takerFee,
                              stalenessBound: market.venue.stalenessBound)
        return VenueInstrument(market: Market(venue: venue, instrument: market.instrument, liquidity: market.liquidity,
                                              gasUnits: market.gasUnits, venueTime: market.venueTime,
                                              receivedAt: market.receivedAt),
                               poolAddress: poolAddress, routerAddress: routerAddress)
    }
}

/// A venue's market data: its instruments, and the events it publishes for those subscribed — book snapshots and
/// deltas folded into liquidity, pool states, gas, connection states — posted into the desk's inbox.
public protocol MarketDataClient: AnyObject, Sendable {
    /// The venues this client speaks for (one exchange, or every DEX of one chain).
    var venueIds: [VenueId] { get }
    /// What can be traded, from the venue itself (tick, lot, minimum notional, fee, pool address, gas units).
    func instruments() async throws -> [VenueInstrument]
    /// Gas on the chains it trades on, now (empty for an exchange); later moves arrive as events.
    func currentGas() async throws -> [GasQuote]
    /// Starts publishing these instruments (and the connection's state) into `inbox`.
    func subscribe(_ keys: [MarketKey], into inbox: VenueInbox) async throws
    /// Stops publishing them; a book no longer kept goes stale on screen.
    func unsubscribe(_ keys: [MarketKey]) async
}

/// What a query by client order id learns.
public enum OrderQueryAnswer: Sendable, Hashable {
    /// The venue has never seen it: it never arrived, and may be sent again under the same id.
    case unknown
    /// The venue holds it (working, or done): its outcome so far.
    case found(ExecutionReport)
}

/// A venue's execution: orders sent under dexter's client order ids, cancels, queries, balances. What happens to
/// an order comes back as `OrderUpdate`s in the inbox — possibly late, possibly never (a lost answer), which is why
/// the engine queries an order by its client id before it assumes anything.
public protocol ExecutionClient: AnyObject, Sendable {
    var venueIds: [VenueId] { get }
    /// Where this client posts its order updates from now on.
    func connect(_ inbox: VenueInbox) async throws
    /// Hands the order to its venue and returns at once. A client order id the venue has seen is not placed twice.
    func submit(_ order: OrderRequest)
    /// Asks the venue to cancel; the answer (canceled, or cancel refused) comes as an update.
    func cancel(_ clientOrderId: String, on venue: VenueId)
    func query(_ clientOrderId: String, on venue: VenueId) async throws -> OrderQueryAnswer
    /// Orders the venue holds that are not done.
    func openOrders(on venue: VenueId) async throws -> [ExecutionReport]
    /// What the venue says the account holds.
    func balances(on venue: VenueId) async throws -> [Asset: FixedDecimal]
    /// Cancels every order resting at the venue for the account, the desk's or not (the kill switch's sweep); their
    /// ends come as updates too. Returns their client order ids. A venue that never rests an order returns none.
    func cancelOpenOrders(on venue: VenueId) async throws -> [String]
}

/// A venue that keeps its own clock and moves only when told to: the simulator, a recording. The desk's driver
/// advances it (a live loop with the wall clock, a test by hand, a fast scan as fast as it goes), so a seed or a
/// file gives the same market whatever the pacing. Live venues are not clocked: they post as the network delivers.
public protocol ClockedVenue: AnyObject, Sendable {
    /// Runs the venue up to `time`, posting everything it published and reported into its inbox.
    func advance(to time: Timestamp)
    /// The step it moves in, which a live driver sleeps between advances.
    var step: Duration { get }
}

/// The venues one desk runs on: market data, execution routed by venue, and the clocked ones to drive.
public struct VenueSet: Sendable {
    public var marketData: [any MarketDataClient]
    public var execution: [VenueId: any ExecutionClient]
    public var clocked: [any ClockedVenue]

    public init(marketData: [any MarketDataClient] = [], execution: [VenueId: any ExecutionClient] = [:],
                clocked: [any ClockedVenue] = []) {
        self.marketData = marketData
        self.execution = execution
        self.clocked = clocked
    }

    /// Adds a venue that is both (the simulator, a scripted test venue, most exchanges).
    public mutating func add(_ venue: some MarketDataClient & ExecutionClient) {
        marketData.append(venue)
        for id in venue.venueIds { execution[id] = venue }
        if let clocked = venue as? any ClockedVenue { self.clocked.append(clocked) }
    }

    /// Every execution client once.
    public var executionClients: [any ExecutionClient] {
        var seen = Set<ObjectIdentifier>()
        return execution.values.filter { seen.insert(ObjectIdentifier($0)).inserted }
    }
}

/// What a live venue says of the account and key dexter trades with, checked before a LIVE desk opens.
public struct AccountCheck: Sendable {
    public let venue: VenueId
    /// The key may place orders (and the account may trade).
    public let canTrade: Bool
    /// The key may withdraw: more than an arbitrage desk ever needs. Nil where the venue does not say (Kraken).
    public let canWithdraw: Bool?
    /// The account's taker fee, as the venue charges it.
    public let takerFee: FixedDecimal?
    /// Venue time minus local time.
    public let clockOffset: Duration
    /// What the account holds, non-zero assets.
    public let balances: [Asset: FixedDecimal]

    public init(venue: VenueId, canTrade: Bool, canWithdraw: Bool?, takerFee: FixedDecimal?, clockOffset: Duration,
                balances: [Asset: FixedDecimal]) {
        self.venue = venue
        self.canTrade = canTrade
        self.canWithdraw = canWithdraw
        self.takerFee = takerFee
        self.clockOffset = clockOffset
        self.balances = balances
    }
}

/// How much of one of a venue's own rate limits dexter has spent, as far as it counts (the venue's answers correct it).
public struct RateLimitUsage: Sendable, Hashable {
    /// Short: "api" (the request budget), "ord" (the order budget).
    public let name: String
    public let used: Int
    public let limit: Int
    /// The venue said to wait until then (a 429's Retry-After, a ban): nothing is sent on this budget before it.
    public let heldUntil: Timestamp?

    public init(name: String, used: Int, limit: Int, heldUntil: Timestamp? = nil) {
        self.name = name
        self.used = used
        self.limit = limit
        self.heldUntil = heldUntil
    }

    /// Why this budget takes nothing more now, or nil: held by the venue, or spent for its window.
    public func exhaustion(at now: Timestamp) -> String? {
        if let heldUntil, heldUntil > now {
            return "\(name) held for \(max(1, Int(heldUntil.duration(since: now).secondsDouble.rounded(.up)))) s"
        }
        return limit > 0 && used >= limit ? "\(name) \(used)/\(limit) spent" : nil
    }
}

/// A venue client that keeps the venue's documented rate limits: what it has used of each, for the Risk panel.
public protocol RateLimitReporting: Sendable {
    var venueIds: [VenueId] { get }
    func rateLimitUsage(at now: Timestamp) -> [RateLimitUsage]
}

/// A venue that trades a real account with a key: asked before a LIVE desk opens.
public protocol AccountChecking: Sendable {
    func checkAccount() async throws -> AccountCheck
}

/// A venue where an order can wait in a queue that pays for its place: a chain's transaction waiting to be mined.
/// The trader bids it up from the Orders panel (the speed-up key): the same order sent again in its place, paying more.
public protocol OrderSpeedingUp: Sendable {
    /// Sends `clientOrderId`'s order again, paying more to be taken sooner; returns what was sent, as the trader reads
    /// it. Throws why not (nothing of it is waiting, the fee cap). What it ends as still comes as updates.
    func speedUp(_ clientOrderId: String, on venue: VenueId) async throws -> String
}
