import DexterCore
import DexterMarket

/// A live venue's market data that can hand a paper order the market as it is now.
public protocol PaperMarketFeed: MarketDataClient {
    /// The instrument and its synced book or pool now (nil while there is none).
    func market(_ key: MarketKey) -> Market?
}

/// A feed of one exchange: its markets are known by symbol alone.
public protocol OneVenueMarketFeed: PaperMarketFeed {
    func market(_ symbol: Symbol) -> Market?
}

extension OneVenueMarketFeed {
    public func market(_ key: MarketKey) -> Market? { venueIds.contains(key.venue) ? market(key.symbol) : nil }
}

/// A live venue in PAPER mode: its market data, and paper fills against the books dexter keeps of it. No key is
/// needed and nothing is ever sent to the venue but public market-data requests.
public final class PaperVenue<Feed: PaperMarketFeed>: MarketDataClient, ExecutionClient, Sendable {
    public let feed: Feed
    private let paper: PaperExecution

    public init(feed: Feed, journal: PaperJournal? = nil, clock: any DexterCore.Clock = WallClock()) {
        self.feed = feed
        paper = PaperExecution(venueIds: feed.venueIds, clock: clock, journal: journal) { key in feed.market(key) }
    }

    public var venueIds: [VenueId] { feed.venueIds }
    public func instruments() async throws -> [VenueInstrument] { try await feed.instruments() }
    public func currentGas() async throws -> [GasQuote] { [] }
    public func subscribe(_ keys: [MarketKey], into inbox: VenueInbox) async throws { try await feed.subscribe(keys, into: inbox) }
    public func unsubscribe(_ keys: [MarketKey]) async { await feed.unsubscribe(keys) }

    public func connect(_ inbox: VenueInbox) async throws { try await paper.connect(inbox) }
    public func submit(_ order: OrderRequest) { paper.submit(order) }
    public func cancel(_ clientOrderId: String, on venue: VenueId) { paper.cancel(clientOrderId, on: venue) }
    public func query(_ clientOrderId: String, on venue: VenueId) async throws -> OrderQueryAnswer {
        try await paper.query(clientOrderId, on: venue)
    }
    public func openOrders(on venue: VenueId) async throws -> [ExecutionReport] { [] }
    /// Paper orders never rest.
    public func cancelOpenOrders(on venue: VenueId) async throws -> [String] { [] }
    public func balances(on venue: VenueId) async throws -> [Asset: FixedDecimal] { [:] }
}
