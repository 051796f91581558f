import DexterCEX
import DexterCore
import DexterMarket
import DexterNet
import DexterVenues
import Foundation
import Testing
import TestServers

/// The Binance market-data client against the local Binance-protocol server, whose market is the real recording
/// of BTCUSDT and ETHUSDT (2024-08-08) moved by hand: the local book must equal the server's after every step,
/// through an injected sequence gap and a dropped stream.
@Suite(.serialized) struct BinanceFeedTests {
    static let eth = Symbol(base: "ETH", quote: "USDT")
    static let btc = Symbol(base: "BTC", quote: "USDT")

    func feed(_ server: LocalBinance, depth: Int = 20) -> BinanceMarketFeed {
        let venue = VenueSpec(id: "binance", kind: .exchange, takerFee: FixedDecimal("0.001")!, stalenessBound: .seconds(5))
        var settings = BinanceSettings(venue: venue, symbols: [Self.eth, Self.btc], restURL: server.restURL,
                                       streamURL: server.streamURL, snapshotDepth: 1_000, bookDepth: depth)
        settings.stream = WebSocketSettings(url: "", backoff: Backoff(first: .milliseconds(50), cap: .milliseconds(200)))
        return BinanceMarketFeed(settings: settings)
    }

    /// The server's own book, top `depth` levels, as a client of its diff and bookTicker streams must hold it.
    func serverBook(_ server: LocalBinance, _ name: String, depth: Int) async throws -> OrderBook {
        let path = "/control/book?symbol=\(name)&limit=\(depth)&view=stream"
        let snapshot = try BinanceMarketData.depthSnapshot(try await server.readBytes(path))
        return OrderBook(bids: snapshot.bids.map { BookLevel(price: $0.price, quantity: $0.quantity) },
                         asks: snapshot.asks.map { BookLevel(price: $0.price, quantity: $0.quantity) })
    }

    /// Waits (the peer is another process) until the feed's book equals the server's; no assertion on time.
    func booksAgree(_ feed: BinanceMarketFeed, _ server: LocalBinance, _ symbol: Symbol, depth: Int = 20) async throws -> Bool {
        let name = symbol.base.code + symbol.quote.code
        let want = try await serverBook(server, name, depth: depth)
        for _ in 0..<300 {
            if let book = feed.book(symbol), book.bids == want.bids, book.asks == want.asks { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        let book = feed.book(symbol)
        Issue.record("""
            \(symbol): the feed's book (top bid \(String(describing: book?.bids.first)), ask \(String(describing: book?.asks.first)), \
            \(book?.bids.count ?? 0)/\(book?.asks.count ?? 0) levels) is not the server's (top bid \(String(describing: want.bids.first)), \
            ask \(String(describing: want.asks.first)), \(want.bids.count)/\(want.asks.count) levels)
            """)
        return false
    }

    /// Waits until both books have joined their snapshots, so the stream is connected: a ticker the server sends
    /// before that is lost to any client (the snapshot makes up for missed diffs, nothing for a missed ticker).
    func live(_ feed: BinanceMarketFeed) async throws {
        for _ in 0..<300 where feed.book(Self.eth) == nil || feed.book(Self.btc) == nil {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(feed.book(Self.eth) != nil && feed.book(Self.btc) != nil, "the books never went live")
    }

    func drain(_ inbox: VenueInbox) -> (books: [MarketKey: OrderBook], states: [ConnectionState]) {
        let batch = inbox.drain()
        var books: [MarketKey: OrderBook] = [:]
        for case .liquidity(let key, .book(let book), _, _) in batch.market { books[key] = book }
        return (books, batch.connections.map(\.state))
    }

    @Test func instrumentsComeFromExchangeInfoAndBooksFollowTheStreamExactly() async throws {
        // A second in: at offset 0 the recording's BTC snapshot is older than its first diff, a real resync.
        let server = try LocalBinance(["--speed", "0", "--start-offset", "1"])
        defer { server.stop() }
        let feed = feed(server)
        defer { feed.stop() }
        let instruments = try await feed.instruments()
        #expect(instruments.map(\.market.key.symbol) == [Self.eth, Self.btc])
        let info = try JSONSerialization.jsonObject(with: Data(try await server.readBytes("/control/replay"))) as? [String: Any]
        #expect(info != nil)
        for instrument in instruments {
            #expect(instrument.market.instrument.tickSize.isPositive && instrument.market.instrument.lotSize.isPositive)
        }
        let inbox = VenueInbox()
        try await feed.subscribe(instruments.map(\.market.key), into: inbox)
        try await live(feed)
        try await server.control("/control/advance", ["events": 50])
        #expect(try await booksAgree(feed, server, Self.eth))
        #expect(try await booksAgree(feed, server, Self.btc))
        for _ in 0..<3 {
            try await server.control("/control/advance", ["events": 300])
            #expect(try await booksAgree(feed, server, Self.eth))
            #expect(try await booksAgree(feed, server, Self.btc))
        }
        let posted = drain(inbox)
        #expect(posted.states.contains(.live))
        #expect(posted.books[MarketKey(venue: "binance", symbol: Self.eth)].map { !$0.bids.isEmpty && !$0.asks.isEmpty } == true)
        #expect(feed.resyncCount == 0 && feed.unreadableMessages == 0)
    }

    /// `@bookTicker` rides the same combined stream: a best bid and ask ahead of the diffs brings the book's top
    /// forward at once (posted to the desk), and the diff that reaches its id hands the top back to the book.
    @Test func theBookTickerBringsTheTopForwardBeforeTheDiffs() async throws {
        let server = try LocalBinance(["--speed", "0", "--start-offset", "1"])
        defer { server.stop() }
        let feed = feed(server)
        defer { feed.stop() }
        let instruments = try await feed.instruments()
        let inbox = VenueInbox()
        try await feed.subscribe(instruments.map(\.market.key), into: inbox)
        try await live(feed)
        try await server.control("/control/advance", ["events": 50])
        #expect(try await booksAgree(feed, server, Self.eth))
        // Step ETH's tickers until one shows a top the diffs have not reached yet.
        var ahead: BinanceDepthSnapshot?
        for _ in 0..<200 where ahead == nil {
            try await server.control("/control/advance", ["tickers": 1, "symbol": "ETHUSDT"])
            let view = try BinanceMarketData.depthSnapshot(
                try await server.readBytes("/control/book?symbol=ETHUSDT&limit=20&view=stream"))
            let plain = try BinanceMarketData.depthSnapshot(try await server.readBytes("/control/book?symbol=ETHUSDT&limit=20"))
            if view.bids.first != plain.bids.first || view.asks.first != plain.asks.first { ahead = view }
        }
        let view = try #require(ahead, "the recording has tickers ahead of its diffs")
        #expect(try await booksAgree(feed, server, Self.eth), "the feed shows the ticker's top")
        let key = MarketKey(venue: "binance", symbol: Self.eth)
        let posted = try #require(drain(inbox).books[key])
        #expect(posted.bestBid == view.bids.first.map { BookLevel(price: $0.price, quantity: $0.quantity) })
        #expect(posted.bestAsk == view.asks.first.map { BookLevel(price: $0.price, quantity: $0.quantity) })
        try await server.control("/control/advance", ["diffs": 3, "symbol": "ETHUSDT"])
        #expect(try await booksAgree(feed, server, Self.eth))
        #expect(try await booksAgree(feed, server, Self.btc))
        #expect(feed.resyncCount == 0 && feed.unreadableMessages == 0)
    }

    @Test func aSequenceGapResyncsThatSymbolAloneFromAFreshSnapshot() async throws {
        let server = try LocalBinance()
        defer { server.stop() }
        let feed = feed(server)
        defer { feed.stop() }
        let instruments = try await feed.instruments()
        let inbox = VenueInbox()
        try await feed.subscribe(instruments.map(\.market.key), into: inbox)
        try await live(feed)
        try await server.control("/control/advance", ["events": 100])
        #expect(try await booksAgree(feed, server, Self.eth))
        _ = drain(inbox)
        try await server.control("/control/fault", ["type": "skip_diffs", "count": 1, "symbol": "ETHUSDT"])
        try await server.control("/control/advance", ["diffs": 5, "symbol": "ETHUSDT"])
        var resynced = false
        for _ in 0..<200 where !resynced {
            resynced = feed.resyncCount >= 1
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(resynced, "the skipped diff is seen as a gap")
        try await server.control("/control/advance", ["events": 200])
        #expect(try await booksAgree(feed, server, Self.eth), "rebuilt from a fresh snapshot, exact again")
        #expect(try await booksAgree(feed, server, Self.btc))
        // While ETH resynced its market showed no liquidity; BTC's book was never emptied.
        let posted = drain(inbox)
        #expect(posted.books[MarketKey(venue: "binance", symbol: Self.btc)].map { !$0.bids.isEmpty } ?? true)
    }

    @Test func aDroppedStreamTakesTheBooksDownThenRebuildsThem() async throws {
        let server = try LocalBinance()
        defer { server.stop() }
        let feed = feed(server)
        defer { feed.stop() }
        let instruments = try await feed.instruments()
        let inbox = VenueInbox()
        try await feed.subscribe(instruments.map(\.market.key), into: inbox)
        try await live(feed)
        try await server.control("/control/advance", ["events": 100])
        #expect(try await booksAgree(feed, server, Self.eth))
        _ = drain(inbox)
        try await server.control("/control/fault", ["type": "drop_ws", "which": "streams"])
        var states: [ConnectionState] = []
        // Until live again after going down (a `.live` of the other symbol's first snapshot may still come before).
        func backAfterDown() -> Bool {
            guard let down = states.firstIndex(where: { if case .down = $0 { true } else { false } }) else { return false }
            return states[down...].contains(.live)
        }
        for _ in 0..<400 where !backAfterDown() {
            states += drain(inbox).states
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(states.contains { if case .down = $0 { true } else { false } }, "\(states)")
        #expect(states.last == .live, "\(states)")
        try await server.control("/control/advance", ["events": 200])
        #expect(try await booksAgree(feed, server, Self.eth))
        #expect(try await booksAgree(feed, server, Self.btc))
    }
}
