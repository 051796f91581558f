import DexterCEX
import DexterCore
import DexterMarket
import DexterNet
import DexterVenues
import Foundation
import Testing
import TestServers

/// The Coinbase market-data client against the local Advanced Trade server, whose market is the real 2021 capture
/// (SKL-USD and SKL-BTC, the two busiest products, on one connection) moved by hand: each local book must equal the
/// server's after every step, through a skipped sequence number, a dropped connection and a product that stops
/// taking orders.
@Suite(.serialized) struct CoinbaseFeedTests {
    static let usd = Symbol(base: "SKL", quote: "USD"), btc = Symbol(base: "SKL", quote: "BTC")
    static let symbols = [usd, btc]
    static let depth = 50

    func feed(_ server: LocalCoinbase, symbols: [Symbol] = Self.symbols) -> CoinbaseMarketFeed {
        let venue = VenueSpec(id: "coinbase", kind: .exchange, takerFee: FixedDecimal("0.006")!, stalenessBound: .seconds(5))
        var settings = CoinbaseSettings(venue: venue, symbols: symbols, restURL: server.restURL,
                                        publicURL: server.publicWSURL, privateURL: server.privateWSURL,
                                        bookDepth: Self.depth)
        settings.stream = WebSocketSettings(url: "", backoff: Backoff(first: .milliseconds(50), cap: .milliseconds(200)))
        return CoinbaseMarketFeed(settings: settings)
    }

    /// The server's own book of a product, top `depth` levels.
    func serverBook(_ server: LocalCoinbase, _ symbol: Symbol) async throws -> OrderBook {
        let id = CoinbaseTrading.productId(symbol)
        let answer = try #require(try await server.read("/control/book?product_id=\(id)") as? [String: Any])
        func side(_ name: String) throws -> [BookLevel] {
            try #require(answer[name] as? [[String]]).prefix(Self.depth).map {
                BookLevel(price: try #require(FixedDecimal($0[0])), quantity: try #require(FixedDecimal($0[1])))
            }
        }
        return OrderBook(bids: try side("bids"), asks: try side("asks"))
    }

    /// Waits (the peer is another process) until every book of the feed equals the server's; no assertion on time.
    func booksAgree(_ feed: CoinbaseMarketFeed, _ server: LocalCoinbase) async throws -> Bool {
        for symbol in Self.symbols {
            let want = try await serverBook(server, symbol)
            var agreed = false
            for _ in 0..<300 where !agreed {
                if let book = feed.book(symbol), book.bids == want.bids, book.asks == want.asks { agreed = true } else {
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            guard agreed else {
                Issue.record("\(symbol): the feed's book (top \(String(describing: feed.book(symbol)?.bids.first))) is not the server's (top \(String(describing: want.bids.first)))")
                return false
            }
        }
        return true
    }

    func start(_ server: LocalCoinbase) async throws -> (CoinbaseMarketFeed, VenueInbox) {
        let feed = feed(server)
        let instruments = try await feed.instruments()
        #expect(instruments.map(\.market.key.symbol) == Self.symbols)
        // SKL-USD in the capture: prices to 4 decimals, sizes to 1 (the server's grid from it), $1 minimum.
        let spec = try #require(instruments.first?.market.instrument)
        #expect(spec.tickSize == FixedDecimal("0.0001")! && spec.lotSize == FixedDecimal("0.1")! && spec.minNotional == FixedDecimal(1))
        let inbox = VenueInbox()
        try await feed.subscribe(Self.symbols.map { MarketKey(venue: "coinbase", symbol: $0) }, into: inbox)
        for _ in 0..<300 where Self.symbols.contains(where: { feed.book($0) == nil }) { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!Self.symbols.contains { feed.book($0) == nil }, "a book never went live")
        return (feed, inbox)
    }

    func states(_ inbox: VenueInbox) -> [ConnectionState] { inbox.drain().connections.map(\.state) }

    @Test func theBooksFollowTheChannelExactly() async throws {
        let server = try LocalCoinbase()
        defer { server.stop() }
        let (feed, inbox) = try await start(server)
        defer { feed.stop() }
        #expect(try await booksAgree(feed, server))
        for _ in 0..<5 {
            try await server.control("/control/advance", ["updates": 45])
            #expect(try await booksAgree(feed, server))
        }
        #expect(states(inbox).contains(.live))
        #expect(feed.resyncCount == 0 && feed.sequenceGaps == 0 && feed.unreadableMessages == 0 && feed.refusals.isEmpty)
    }

    /// A number skipped in the connection's sequence may have been any product's update: every book is dropped and
    /// subscribed again, and each is exact again from its fresh snapshot.
    @Test func aSkippedSequenceNumberRebuildsEveryBook() async throws {
        let server = try LocalCoinbase()
        defer { server.stop() }
        let (feed, inbox) = try await start(server)
        defer { feed.stop() }
        _ = states(inbox)
        try await server.control("/control/fault", ["type": "skip_sequence", "count": 1])
        try await server.control("/control/advance", ["updates": 10])
        for _ in 0..<200 where feed.sequenceGaps < 1 { try await Task.sleep(for: .milliseconds(50)) }
        #expect(feed.sequenceGaps == 1 && feed.resyncCount == 1, "the gap is seen once: \(feed.sequenceGaps) gaps, \(feed.resyncCount) resyncs")
        try await server.control("/control/advance", ["updates": 30])
        #expect(try await booksAgree(feed, server), "rebuilt from fresh snapshots, exact again")
        let seen = states(inbox)
        #expect(seen.contains { if case .resyncing = $0 { true } else { false } }, "\(seen)")
        #expect(seen.last == .live, "\(seen)")
    }

    @Test func aDroppedConnectionTakesTheBooksDownThenRebuildsThem() async throws {
        let server = try LocalCoinbase()
        defer { server.stop() }
        let (feed, inbox) = try await start(server)
        defer { feed.stop() }
        _ = states(inbox)
        try await server.control("/control/fault", ["type": "drop_ws", "which": "public"])
        var seen: [ConnectionState] = []
        for _ in 0..<300 where !(seen.contains { if case .down = $0 { true } else { false } } && seen.last == .live) {
            try await Task.sleep(for: .milliseconds(50))
            seen += states(inbox)
        }
        #expect(seen.contains { if case .down = $0 { true } else { false } }, "\(seen)")
        #expect(seen.last == .live, "\(seen)")
        try await server.control("/control/advance", ["updates": 30])
        #expect(try await booksAgree(feed, server))
        // A new connection counts from its own start: no gap is seen across the reconnect.
        #expect(feed.sequenceGaps == 0)
    }

    @Test func aProductThatTakesNoOrdersOrIsNotListedIsRefusedByName() async throws {
        let server = try LocalCoinbase()
        defer { server.stop() }
        try await server.control("/control/options", ["product": ["SKL-BTC": ["cancel_only": true]]])
        await #expect {
            try await feed(server).instruments()
        } throws: { "\($0)".contains("SKL/BTC cannot be traded on Coinbase now (cancel only)") }
        await #expect {
            try await feed(server, symbols: [Symbol(base: "DOGE", quote: "USD")]).instruments()
        } throws: { "\($0)".contains("no product DOGE-USD") }
    }
}
