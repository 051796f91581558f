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

    /// The server's own book, top `depth` levels.
    func serverBook(_ server: LocalBinance, _ name: String, depth: Int) async throws -> OrderBook {
        let snapshot = try BinanceMarketData.depthSnapshot(try await server.readBytes("/control/book?symbol=\(name)&limit=\(depth)"))
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
        return false
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

    @Test func aSequenceGapResyncsThatSymbolAloneFromAFreshSnapshot() async throws {
        let server = try LocalBinance()
        defer { server.stop() }
        let feed = feed(server)
        defer { feed.stop() }
        let instruments = try await feed.instruments()
        let inbox = VenueInbox()
        try await feed.subscribe(instruments.map(\.market.key), into: inbox)
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
