import DexterCore
import DexterMarket
import DexterNet
import DexterVenues
import Foundation
import Logging
import Synchronization

/// Where an OKX venue is reached. Every endpoint is a setting with OKX's real address as default, so a proxy or a
/// test points elsewhere.
public struct OKXSettings: Sendable {
    public var venue: VenueSpec
    /// The markets the desk trades here, by dexter's symbol.
    public var symbols: [Symbol]
    public var restURL: String
    /// The public WebSocket (books), and the private one (login, orders).
    public var publicURL: String
    public var privateURL: String
    /// Levels of the book handed to detection.
    public var bookDepth: Int
    public var requestTimeout: Duration
    public var stream: WebSocketSettings?

    /// OKX's REST host (ccxt and most clients use it; the docs also name openapi.okx.com).
    public static let defaultRESTURL = "https://www.okx.com"

    public init(venue: VenueSpec, symbols: [Symbol], restURL: String = OKXSettings.defaultRESTURL,
                publicURL: String = "wss://ws.okx.com:8443/ws/v5/public",
                privateURL: String = "wss://ws.okx.com:8443/ws/v5/private", bookDepth: Int = 50,
                requestTimeout: Duration = .seconds(10)) {
        self.venue = venue
        self.symbols = symbols
        self.restURL = restURL
        self.publicURL = publicURL
        self.privateURL = privateURL
        self.bookDepth = bookDepth
        self.requestTimeout = requestTimeout
    }

    /// BTC/USDT → BTC-USDT.
    public static func instrument(_ symbol: Symbol) -> String { symbol.base.code + "-" + symbol.quote.code }
}

/// OKX spot's market data behind the seam: instruments from `public/instruments`, and per instrument a local book
/// from the `books` channel, its sequence and checksum checked on every message. A broken book is dropped and its
/// channel subscribed again for that instrument alone; meanwhile its market shows no liquidity. Each book that moves
/// is posted to the desk's inbox.
public final class OKXMarketFeed: MarketDataClient, Sendable {
    public let settings: OKXSettings
    public var venueIds: [VenueId] { [settings.venue.id] }
    let http: HTTPTransport
    /// `public/instruments` allows 20 requests per 2 s.
    let gate = RateLimitGate(limits: .init(weight: 20, window: .seconds(2)))
    private let clock: any DexterCore.Clock
    private let instrumentSpecs = Mutex<[Symbol: InstrumentSpec]>([:])
    private let books: StreamedBooks<OKXBookSync>

    public init(settings: OKXSettings, http: HTTPTransport = HTTPTransport(), clock: any DexterCore.Clock = WallClock(),
                logger: Logger = Logger(label: "dexter.okx")) {
        self.settings = settings
        self.http = http
        self.clock = clock
        var stream = settings.stream ?? WebSocketSettings(url: "", pingEvery: .seconds(20))
        stream.url = settings.publicURL
        // OKX closes a connection that sent nothing for 30 s: the text "ping" keeps it (answered "pong").
        stream.keepaliveText = "ping"
        if stream.pingEvery == nil || stream.pingEvery! > .seconds(25) { stream.pingEvery = .seconds(20) }
        let link = WebSocketLink(settings: stream, logger: logger)
        books = StreamedBooks(venue: settings.venue, depth: settings.bookDepth, link: link, clock: clock, logger: logger) {
            subscribe, instruments in
            // `{"op": "subscribe", "args": [{"channel": "books", "instId": …}, …]}`.
            guard !instruments.isEmpty else { return }
            let args = instruments.map { #"{"channel":"books","instId":"\#($0)"}"# }.joined(separator: ",")
            try await link.send(#"{"op":"\#(subscribe ? "subscribe" : "unsubscribe")","args":[\#(args)]}"#)
        }
    }

    /// How many times a book has been rebuilt, messages that could not be read, and what OKX refused (for health).
    public var resyncCount: Int { books.resyncCount }
    public var unreadableMessages: Int { books.unreadableMessages }
    public var refusals: [String] { books.refusals }

    // MARK: MarketDataClient

    public func instruments() async throws -> [VenueInstrument] {
        switch gate.admit(weight: 1, at: clock.now()) {
        case .go: break
        case .waitUntil(let time), .stoppedUntil(let time, _): try await Task.sleep(for: max(.zero, time.duration(since: clock.now())))
        }
        let answer = try await http.send(HTTPCall(.GET, settings.restURL + "/api/v5/public/instruments?instType=SPOT",
                                                  timeout: settings.requestTimeout))
        guard answer.status == 200 else {
            throw OKXVenueError.refused(status: answer.status, body: String(decoding: answer.body.prefix(300), as: UTF8.self))
        }
        let listed = try OKXMarketData.instruments(answer.body)
        var found: [VenueInstrument] = []
        for symbol in settings.symbols {
            let id = OKXSettings.instrument(symbol)
            guard let instrument = listed.first(where: { $0.instrument == id }) else {
                throw OKXVenueError.notListed(symbol, venue: settings.venue.id)
            }
            guard instrument.isTrading else { throw OKXVenueError.notTrading(symbol, state: instrument.state) }
            // OKX's minimum is a size (minSz), not a notional: orders under it are refused by OKX (51020).
            let spec = InstrumentSpec(symbol: symbol, tickSize: instrument.tickSize, lotSize: instrument.lotSize, minNotional: .zero,
                                      minQuantity: instrument.minSize)
            let now = clock.now()
            found.append(VenueInstrument(market: Market(venue: settings.venue, instrument: spec,
                                                        liquidity: .book(OrderBook(bids: [], asks: [])), venueTime: now,
                                                        receivedAt: now)))
        }
        instrumentSpecs.withLock { specs in
            for instrument in found { specs[instrument.market.key.symbol] = instrument.market.instrument }
        }
        return found
    }

    public func currentGas() async throws -> [GasQuote] { [] }

    public func subscribe(_ keys: [MarketKey], into inbox: VenueInbox) async throws {
        let ours = keys.filter { $0.venue == settings.venue.id }.map { key in
            let id = OKXSettings.instrument(key.symbol)
            return (name: id, symbol: key.symbol, book: { @Sendable in OKXBookSync(instrument: id) })
        }
        try await books.subscribe(ours, into: inbox, received: { [self] in received($0) })
    }

    public func unsubscribe(_ keys: [MarketKey]) async {
        await books.unsubscribe(keys.map { OKXSettings.instrument($0.symbol) })
    }

    public func stop() { books.stop() }

    /// The synced book of a symbol (nil while there is none).
    public func book(_ symbol: Symbol) -> OrderBook? { books.book(OKXSettings.instrument(symbol)) }

    /// The market as a paper order meets it: the instrument and the synced book now (nil while it has none).
    public func market(_ symbol: Symbol) -> Market? {
        guard let spec = instrumentSpecs.withLock({ $0[symbol] }) else { return nil }
        return books.market(OKXSettings.instrument(symbol), spec: spec)
    }

    // MARK: The stream

    func received(_ bytes: [UInt8]) {
        let now = clock.now()
        let message: OKXPublicMessage
        do { message = try OKXMarketData.publicMessage(bytes) } catch {
            books.unreadable(error)
            return
        }
        switch message {
        case .book(let push):
            books.receive(push, for: push.instrument, isSnapshot: push.action == .snapshot, venueTime: push.time, at: now)
        case .event(let name, let code, let text, let channel, let instrument) where name == "error":
            books.refused("OKX refused \(channel ?? "an op") \(instrument ?? ""): \(code ?? "?") \(text ?? "")")
        case .event, .pong, .unhandled: break
        }
    }
}

public enum OKXVenueError: Error, Sendable, CustomStringConvertible {
    case notListed(Symbol, venue: VenueId)
    case notTrading(Symbol, state: String)
    case refused(status: Int, body: String)

    public var description: String {
        switch self {
        case .notListed(let symbol, let venue): "\(symbol) is not listed on \(venue) (public/instruments has no \(OKXSettings.instrument(symbol)))"
        case .notTrading(let symbol, let state): "\(symbol) is not trading on OKX (state \(state))"
        case .refused(let status, let body): "HTTP \(status): \(body)"
        }
    }
}
