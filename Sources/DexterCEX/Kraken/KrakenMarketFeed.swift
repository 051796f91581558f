import DexterCore
import DexterMarket
import DexterNet
import DexterVenues
import Foundation
import Logging
import Synchronization

/// Where a Kraken venue is reached. Every endpoint is a setting with Kraken's real address as default, so a proxy or
/// a test points elsewhere.
public struct KrakenSettings: Sendable {
    public var venue: VenueSpec
    /// The markets the desk trades here, by dexter's symbol.
    public var symbols: [Symbol]
    public var restURL: String
    /// The public WebSocket v2 (books), and the authenticated one (executions, orders).
    public var publicURL: String
    public var privateURL: String
    /// The depth subscribed to, one of Kraken's 10, 25, 100, 500, 1000; also the levels handed to detection.
    public var bookDepth: Int
    public var requestTimeout: Duration
    public var stream: WebSocketSettings?

    public static let depths = [10, 25, 100, 500, 1000]

    public init(venue: VenueSpec, symbols: [Symbol], restURL: String = "https://api.kraken.com",
                publicURL: String = "wss://ws.kraken.com/v2", privateURL: String = "wss://ws-auth.kraken.com/v2",
                bookDepth: Int = 100, requestTimeout: Duration = .seconds(10)) {
        self.venue = venue
        self.symbols = symbols
        self.restURL = restURL
        self.publicURL = publicURL
        self.privateURL = privateURL
        self.bookDepth = bookDepth
        self.requestTimeout = requestTimeout
    }
}

/// Kraken spot's market data behind the seam: instruments from `AssetPairs`, and per pair a local book from the v2
/// `book` channel, its checksum checked on every message. A broken book is dropped and its pair subscribed again
/// alone; meanwhile its market shows no liquidity. A trading system that is not "online" (maintenance, cancel only,
/// post only) takes the venue down: no taker leg can be sent there. Each book that moves is posted to the inbox.
public final class KrakenMarketFeed: MarketDataClient, Sendable {
    public let settings: KrakenSettings
    public var venueIds: [VenueId] { [settings.venue.id] }
    let http: HTTPTransport
    /// Kraken's public REST allows about one call a second per IP.
    let gate = RateLimitGate(limits: .init(weight: 1, window: .seconds(1)))
    private let clock: any DexterCore.Clock
    private let state = Mutex(FeedState())
    private let books: StreamedBooks<KrakenBookSync>

    struct FeedState {
        var pairs: [Symbol: KrakenPair] = [:]
        var system = "online"
    }

    public init(settings: KrakenSettings, http: HTTPTransport = HTTPTransport(), clock: any DexterCore.Clock = WallClock(),
                logger: Logger = Logger(label: "dexter.kraken")) {
        precondition(KrakenSettings.depths.contains(settings.bookDepth), "Kraken's book depths are \(KrakenSettings.depths)")
        self.settings = settings
        self.http = http
        self.clock = clock
        var stream = settings.stream ?? WebSocketSettings(url: "", pingEvery: .seconds(20))
        stream.url = settings.publicURL
        // Kraken answers an application ping with a pong; its heartbeats only flow while a channel is subscribed.
        stream.keepaliveText = #"{"method":"ping"}"#
        if stream.pingEvery == nil { stream.pingEvery = .seconds(20) }
        let link = WebSocketLink(settings: stream, logger: logger)
        let requests = Atomic<Int64>(0)
        let depth = settings.bookDepth
        books = StreamedBooks(venue: settings.venue, depth: depth, link: link, clock: clock, logger: logger) {
            subscribe, symbols in
            // `{"method": "subscribe", "params": {"channel": "book", "symbol": […], "depth": 100, "snapshot": true}}`.
            guard !symbols.isEmpty else { return }
            let id = requests.add(1, ordering: .relaxed).newValue
            let list = symbols.map { "\"\($0)\"" }.joined(separator: ",")
            let method = subscribe ? "subscribe" : "unsubscribe"
            let snapshot = subscribe ? #","snapshot":true"# : ""
            try await link.send(#"{"method":"\#(method)","params":{"channel":"book","symbol":[\#(list)],"depth":\#(depth)\#(snapshot)},"req_id":\#(id)}"#)
        }
    }

    /// How many times a book has been rebuilt, messages that could not be read, and what Kraken refused (health).
    public var resyncCount: Int { books.resyncCount }
    public var unreadableMessages: Int { books.unreadableMessages }
    public var refusals: [String] { books.refusals }
    /// Kraken's trading system as last announced: "online", "maintenance", "cancel_only", "post_only".
    public var systemStatus: String { state.withLock { $0.system } }

    // MARK: MarketDataClient

    public func instruments() async throws -> [VenueInstrument] {
        switch gate.admit(weight: 1, at: clock.now()) {
        case .go: break
        case .waitUntil(let time), .stoppedUntil(let time, _): try await Task.sleep(for: max(.zero, time.duration(since: clock.now())))
        }
        let answer = try await http.send(HTTPCall(.GET, settings.restURL + "/0/public/AssetPairs", timeout: settings.requestTimeout))
        guard answer.status == 200 else {
            throw KrakenVenueError.refused(status: answer.status, body: String(decoding: answer.body.prefix(300), as: UTF8.self))
        }
        let listed = try KrakenMarketData.assetPairs(answer.body)
        var found: [VenueInstrument] = [], pairs: [Symbol: KrakenPair] = [:]
        for symbol in settings.symbols {
            guard let pair = listed.first(where: { $0.symbol == symbol }) else {
                throw KrakenVenueError.notListed(symbol, venue: settings.venue.id)
            }
            guard pair.isTrading else { throw KrakenVenueError.notTrading(symbol, status: pair.status) }
            pairs[symbol] = pair
            let now = clock.now()
            found.append(VenueInstrument(market: Market(venue: settings.venue, instrument: pair.instrumentSpec,
                                                        liquidity: .book(OrderBook(bids: [], asks: [])), venueTime: now,
                                                        receivedAt: now)))
        }
        state.withLock { $0.pairs.merge(pairs) { $1 } }
        return found
    }

    /// The pair's rules as `AssetPairs` gave them (nil before `instruments()`).
    public func pair(_ symbol: Symbol) -> KrakenPair? { state.withLock { $0.pairs[symbol] } }

    public func currentGas() async throws -> [GasQuote] { [] }

    public func subscribe(_ keys: [MarketKey], into inbox: VenueInbox) async throws {
        let depth = settings.bookDepth
        let ours = try keys.filter { $0.venue == settings.venue.id }.map { key in
            // The checksum needs the pair's decimals: its instruments must have been read.
            guard let pair = pair(key.symbol) else { throw KrakenVenueError.notListed(key.symbol, venue: settings.venue.id) }
            return (name: pair.v2Symbol, symbol: key.symbol, book: { @Sendable in
                KrakenBookSync(symbol: pair.v2Symbol, depth: depth, priceDecimals: pair.priceDecimals,
                               quantityDecimals: pair.lotDecimals)
            })
        }
        try await books.subscribe(ours, into: inbox, received: { [self] in received($0) })
    }

    public func unsubscribe(_ keys: [MarketKey]) async {
        await books.unsubscribe(keys.map { KrakenAssets.v2Symbol($0.symbol) })
    }

    public func stop() { books.stop() }

    /// The synced book of a symbol (nil while there is none).
    public func book(_ symbol: Symbol) -> OrderBook? { books.book(KrakenAssets.v2Symbol(symbol)) }

    /// The market as a paper order meets it: the instrument and the synced book now (nil while it has none, or while
    /// Kraken's trading system is not online).
    public func market(_ symbol: Symbol) -> Market? {
        guard let pair = pair(symbol) else { return nil }
        return books.market(pair.v2Symbol, spec: pair.instrumentSpec)
    }

    // MARK: The stream

    func received(_ bytes: [UInt8]) {
        let now = clock.now()
        let message: KrakenPublicMessage
        do { message = try KrakenMarketData.publicMessage(bytes) } catch {
            books.unreadable(error)
            return
        }
        switch message {
        case .books(let pushes):
            for push in pushes {
                books.receive(push, for: push.symbol, isSnapshot: push.kind == .snapshot, venueTime: push.time, at: now)
            }
        case .status(let system):
            state.withLock { $0.system = system }
            books.setTradable(system == "online", reason: "Kraken's trading system is \(system)")
        case .answer(let method, false, let error, let symbol, _):
            books.refused("Kraken refused \(method) \(symbol ?? ""): \(error ?? "no reason given")")
        case .answer, .heartbeat, .unhandled: break
        }
    }
}

public enum KrakenVenueError: Error, Sendable, CustomStringConvertible {
    case notListed(Symbol, venue: VenueId)
    case notTrading(Symbol, status: String)
    case refused(status: Int, body: String)

    public var description: String {
        switch self {
        case .notListed(let symbol, let venue): "\(symbol) is not listed on \(venue) (AssetPairs has no \(KrakenAssets.altname(symbol.base))/\(KrakenAssets.altname(symbol.quote)))"
        case .notTrading(let symbol, let status): "\(symbol) is not trading on Kraken (status \(status))"
        case .refused(let status, let body): "HTTP \(status): \(body)"
        }
    }
}
