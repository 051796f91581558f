import DexterCore
import DexterMarket
import DexterNet
import DexterVenues
import Foundation
import Logging
import Synchronization

/// Where a Coinbase venue is reached. Every endpoint is a setting with Coinbase's real address as default, so a proxy
/// or a test points elsewhere.
public struct CoinbaseSettings: Sendable {
    public var venue: VenueSpec
    /// The markets the desk trades here, by dexter's symbol.
    public var symbols: [Symbol]
    public var restURL: String
    /// The market-data WebSocket (books), and the user-order one (the `user` channel).
    public var publicURL: String
    public var privateURL: String
    /// Levels of each book handed to detection (Coinbase sends the whole book; the rest is kept, not handed on).
    public var bookDepth: Int
    public var requestTimeout: Duration
    public var stream: WebSocketSettings?

    public init(venue: VenueSpec, symbols: [Symbol], restURL: String = "https://api.coinbase.com",
                publicURL: String = "wss://advanced-trade-ws.coinbase.com",
                privateURL: String = "wss://advanced-trade-ws-user.coinbase.com", bookDepth: Int = 100,
                requestTimeout: Duration = .seconds(10)) {
        self.venue = venue
        self.symbols = symbols
        self.restURL = restURL
        self.publicURL = publicURL
        self.privateURL = privateURL
        self.bookDepth = bookDepth
        self.requestTimeout = requestTimeout
    }
}

/// Coinbase Advanced Trade's market data behind the seam: instruments from the public products endpoint, and per
/// product a local book from the `level2` channel. Every message of the connection carries the next `sequence_num`,
/// whatever its channel (heartbeats keep it moving while books are quiet): a number skipped means a message was
/// lost, and since it may have belonged to any product, every book is dropped and subscribed again; a number already
/// seen is a late duplicate and is ignored. Each book that moves is posted to the inbox.
public final class CoinbaseMarketFeed: MarketDataClient, Sendable {
    public let settings: CoinbaseSettings
    public var venueIds: [VenueId] { [settings.venue.id] }
    let http: HTTPTransport
    /// Coinbase's public REST allows 10 requests a second per IP.
    let gate = RateLimitGate(limits: .init(weight: 10, window: .seconds(1)))
    private let clock: any DexterCore.Clock
    private let logger: Logger
    private let state = Mutex(FeedState())
    private let books: StreamedBooks<CoinbaseBookSync>

    struct FeedState {
        var products: [Symbol: CoinbaseProduct] = [:]
        /// Coinbase sends an "X-USDC" product's book as "X-USD"'s (one book for both): the id data arrives under,
        /// to the id dexter keeps the book by.
        var dataAliases: [String: String] = [:]
        /// The connection the sequence below belongs to, and the last number seen on it.
        var connection = 0
        var lastSequence: UInt64?
        var gaps = 0
        var duplicates = 0
    }

    public init(settings: CoinbaseSettings, http: HTTPTransport = HTTPTransport(), clock: any DexterCore.Clock = WallClock(),
                logger: Logger = Logger(label: "dexter.coinbase")) {
        precondition(settings.bookDepth > 0, "a book depth must be positive")
        self.settings = settings
        self.http = http
        self.clock = clock
        self.logger = logger
        var stream = settings.stream ?? WebSocketSettings(url: "")
        stream.url = settings.publicURL
        let link = WebSocketLink(settings: stream, logger: logger)
        books = StreamedBooks(venue: settings.venue, depth: settings.bookDepth, link: link, clock: clock, logger: logger) {
            subscribe, products in
            // One channel per request: `{"type": "subscribe", "product_ids": […], "channel": "level2"}`. Heartbeats
            // come with every subscription: they keep the connection open and its sequence moving.
            guard !products.isEmpty else { return }
            let list = products.map { "\"\($0)\"" }.joined(separator: ",")
            let type = subscribe ? "subscribe" : "unsubscribe"
            try await link.send(#"{"type":"\#(type)","product_ids":[\#(list)],"channel":"level2"}"#)
            if subscribe { try await link.send(#"{"type":"subscribe","product_ids":[],"channel":"heartbeats"}"#) }
        }
    }

    /// How many times books were rebuilt, sequence gaps and late duplicates seen, messages that could not be read,
    /// and what Coinbase refused (health).
    public var resyncCount: Int { books.resyncCount }
    public var sequenceGaps: Int { state.withLock { $0.gaps } }
    public var lateMessages: Int { state.withLock { $0.duplicates } }
    public var unreadableMessages: Int { books.unreadableMessages }
    public var refusals: [String] { books.refusals }

    // MARK: MarketDataClient

    public func instruments() async throws -> [VenueInstrument] {
        switch gate.admit(weight: 1, at: clock.now()) {
        case .go: break
        case .waitUntil(let time), .stoppedUntil(let time, _): try await Task.sleep(for: max(.zero, time.duration(since: clock.now())))
        }
        let query = settings.symbols.map { "product_ids=\(CoinbaseTrading.productId($0))" }.joined(separator: "&")
        let answer = try await http.send(HTTPCall(.GET, settings.restURL + "/api/v3/brokerage/market/products?" + query,
                                                  timeout: settings.requestTimeout))
        guard answer.status == 200 else {
            throw CoinbaseVenueError.refused(status: answer.status, body: String(decoding: answer.body.prefix(300), as: UTF8.self))
        }
        for symbol in settings.symbols where symbol.quote == "USDC"
            && settings.symbols.contains(Symbol(base: symbol.base, quote: "USD")) {
            throw CoinbaseVenueError.oneBook(symbol, venue: settings.venue.id)
        }
        let listed = try CoinbaseMarketData.products(answer.body)
        var found: [VenueInstrument] = [], products: [Symbol: CoinbaseProduct] = [:]
        for symbol in settings.symbols {
            guard let product = listed.first(where: { $0.productId == CoinbaseTrading.productId(symbol) }) else {
                throw CoinbaseVenueError.notListed(symbol, venue: settings.venue.id)
            }
            if let reason = product.notTradableReason { throw CoinbaseVenueError.notTrading(symbol, reason: reason) }
            products[symbol] = product
            let now = clock.now()
            found.append(VenueInstrument(market: Market(venue: settings.venue, instrument: product.instrumentSpec,
                                                        liquidity: .book(OrderBook(bids: [], asks: [])), venueTime: now,
                                                        receivedAt: now)))
        }
        state.withLock { state in
            state.products.merge(products) { $1 }
            for symbol in products.keys where symbol.quote == "USDC" {
                state.dataAliases["\(symbol.base)-USD"] = CoinbaseTrading.productId(symbol)
            }
        }
        return found
    }

    /// The product's rules as Coinbase gave them (nil before `instruments()`).
    public func product(_ symbol: Symbol) -> CoinbaseProduct? { state.withLock { $0.products[symbol] } }

    public func currentGas() async throws -> [GasQuote] { [] }

    public func subscribe(_ keys: [MarketKey], into inbox: VenueInbox) async throws {
        let ours = keys.filter { $0.venue == settings.venue.id }.map { key in
            let id = CoinbaseTrading.productId(key.symbol)
            return (name: id, symbol: key.symbol, book: { @Sendable in CoinbaseBookSync(productId: id) })
        }
        try await books.subscribe(ours, into: inbox, received: { [self] in received($0) })
    }

    public func unsubscribe(_ keys: [MarketKey]) async {
        await books.unsubscribe(keys.map { CoinbaseTrading.productId($0.symbol) })
    }

    public func stop() { books.stop() }

    /// The synced book of a symbol (nil while there is none).
    public func book(_ symbol: Symbol) -> OrderBook? { books.book(CoinbaseTrading.productId(symbol)) }

    /// The market as a paper order meets it: the instrument and the synced book now (nil while it has none).
    public func market(_ symbol: Symbol) -> Market? {
        guard let product = product(symbol) else { return nil }
        return books.market(product.productId, spec: product.instrumentSpec)
    }

    // MARK: The stream

    func received(_ bytes: [UInt8]) {
        let now = clock.now()
        let message: CoinbasePublicMessage
        do { message = try CoinbaseMarketData.publicMessage(bytes) } catch {
            books.unreadable(error)
            return
        }
        if let sequence = message.sequence {
            switch follow(sequence) {
            case .next: break
            case .late: return
            case .gap(let missing):
                books.resyncAll(reason: "\(missing) message\(missing == 1 ? "" : "s") of the stream lost (sequence_num jumped to \(sequence))")
            }
        }
        switch message.content {
        case .books(let events):
            let aliases = state.withLock { $0.dataAliases }
            for event in events {
                books.receive(event, for: aliases[event.productId] ?? event.productId, isSnapshot: event.kind == .snapshot,
                              venueTime: event.time ?? message.time, at: now)
            }
        case .error(let reason):
            books.refused("Coinbase refused a request: \(reason)")
        case .heartbeat, .subscriptions, .unhandled: break
        }
    }

    enum SequenceStep: Equatable {
        case next
        /// At or before a number already seen: a late duplicate.
        case late
        /// This many numbers were skipped.
        case gap(UInt64)
    }

    /// Checks a message's number against the connection's last one (a new connection starts over).
    func follow(_ sequence: UInt64) -> SequenceStep {
        let connection = books.connections
        return state.withLock { state -> SequenceStep in
            if state.connection != connection {
                state.connection = connection
                state.lastSequence = nil
            }
            guard let last = state.lastSequence else {
                state.lastSequence = sequence
                return .next
            }
            if sequence <= last {
                state.duplicates += 1
                return .late
            }
            state.lastSequence = sequence
            guard sequence == last + 1 else {
                state.gaps += 1
                return .gap(sequence - last - 1)
            }
            return .next
        }
    }
}

public enum CoinbaseVenueError: Error, Sendable, CustomStringConvertible {
    case notListed(Symbol, venue: VenueId)
    case notTrading(Symbol, reason: String)
    case refused(status: Int, body: String)
    case oneBook(Symbol, venue: VenueId)

    public var description: String {
        switch self {
        case .notListed(let symbol, let venue): "\(symbol) is not listed on \(venue) (no product \(CoinbaseTrading.productId(symbol)))"
        case .oneBook(let symbol, let venue):
            "\(venue) lists both \(symbol) and \(symbol.base)/USD: Coinbase runs them as one book (its -USDC products are its -USD ones); keep one in symbols"
        case .notTrading(let symbol, let reason): "\(symbol) cannot be traded on Coinbase now (\(reason))"
        case .refused(let status, let body): "HTTP \(status): \(body)"
        }
    }
}
