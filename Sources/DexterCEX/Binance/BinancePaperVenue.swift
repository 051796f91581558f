import DexterCore
import DexterMarket
import DexterNet
import DexterVenues

/// Binance in PAPER mode: its live market data, and paper fills against the books dexter keeps of it. No key is
/// needed and nothing is ever sent to Binance but public market-data requests.
public final class BinancePaperVenue: MarketDataClient, ExecutionClient, Sendable {
    public let feed: BinanceMarketFeed
    private let paper: PaperExecution

    public init(settings: BinanceSettings, journal: PaperJournal? = nil, http: HTTPTransport = HTTPTransport(),
                clock: any Clock = WallClock()) {
        let feed = BinanceMarketFeed(settings: settings, http: http, clock: clock)
        self.feed = feed
        paper = PaperExecution(venueIds: [settings.venue.id], clock: clock, journal: journal) { key in feed.market(key.symbol) }
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
