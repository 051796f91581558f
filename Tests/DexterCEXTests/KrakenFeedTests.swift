import DexterCEX
import DexterCore
import DexterMarket
import DexterNet
import DexterVenues
import Foundation
import Testing
import TestServers

/// The Kraken market-data client against the local Kraken-protocol server, whose market is the real XBT/CHF capture
/// (2021-04-17, served as WebSocket v2's BTC/CHF) moved by hand: the local book must equal the server's after every
/// step, through a lost update, a corrupted checksum, a dropped connection and a trading system in maintenance.
@Suite(.serialized) struct KrakenFeedTests {
    static let btc = Symbol(base: "BTC", quote: "CHF")
    static let key = MarketKey(venue: "kraken", symbol: btc)

    func feed(_ server: LocalKraken, depth: Int = 25) -> KrakenMarketFeed {
        let venue = VenueSpec(id: "kraken", kind: .exchange, takerFee: FixedDecimal("0.0026")!, stalenessBound: .seconds(5))
        var settings = KrakenSettings(venue: venue, symbols: [Self.btc], restURL: server.restURL,
                                      publicURL: server.publicWSURL, privateURL: server.privateWSURL, bookDepth: depth)
        settings.stream = WebSocketSettings(url: "", pingEvery: .seconds(5),
                                            backoff: Backoff(first: .milliseconds(50), cap: .milliseconds(200)))
        return KrakenMarketFeed(settings: settings)
    }

    /// The server's own book, top `depth` levels.
    func serverBook(_ server: LocalKraken, depth: Int) async throws -> OrderBook {
        let answer = try #require(try await server.read("/control/book?symbol=BTC%2FCHF&depth=\(depth)") as? [String: Any])
        func side(_ name: String) throws -> [BookLevel] {
            try #require(answer[name] as? [[String]]).map {
                BookLevel(price: try #require(FixedDecimal($0[0])), quantity: try #require(FixedDecimal($0[1])))
            }
        }
        return OrderBook(bids: try side("bids"), asks: try side("asks"))
    }

    /// Waits (the peer is another process) until the feed's book equals the server's; no assertion on time.
    func booksAgree(_ feed: KrakenMarketFeed, _ server: LocalKraken, depth: Int = 25) async throws -> Bool {
        let want = try await serverBook(server, depth: depth)
        for _ in 0..<300 {
            if let book = feed.book(Self.btc), book.bids == want.bids, book.asks == want.asks { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the feed's book (top \(String(describing: feed.book(Self.btc)?.bids.first))) is not the server's (top \(String(describing: want.bids.first)))")
        return false
    }

    func start(_ server: LocalKraken, depth: Int = 25) async throws -> (KrakenMarketFeed, VenueInbox) {
        let feed = feed(server, depth: depth)
        let instruments = try await feed.instruments()
        #expect(instruments.map(\.market.key) == [Self.key])
        let spec = try #require(instruments.first?.market.instrument)
        // XBTCHF in the 2021 AssetPairs: 1 price decimal, 8 lot decimals.
        #expect(spec.tickSize == FixedDecimal("0.1")! && spec.lotSize == FixedDecimal("0.00000001")!)
        #expect(feed.pair(Self.btc)?.key == "XBTCHF")
        let inbox = VenueInbox()
        try await feed.subscribe([Self.key], into: inbox)
        for _ in 0..<300 where feed.book(Self.btc) == nil { try await Task.sleep(for: .milliseconds(50)) }
        #expect(feed.book(Self.btc) != nil, "the book never went live")
        return (feed, inbox)
    }

    func states(_ inbox: VenueInbox) -> [ConnectionState] { inbox.drain().connections.map(\.state) }

    @Test func theBookFollowsTheChannelExactly() async throws {
        let server = try LocalKraken()
        defer { server.stop() }
        let (feed, inbox) = try await start(server)
        defer { feed.stop() }
        #expect(try await booksAgree(feed, server))
        for _ in 0..<4 {
            try await server.control("/control/advance", ["updates": 40, "symbol": "BTC/CHF"])
            #expect(try await booksAgree(feed, server))
        }
        #expect(states(inbox).contains(.live))
        #expect(feed.resyncCount == 0 && feed.unreadableMessages == 0 && feed.refusals.isEmpty)
    }

    /// At depth 10, inserts push levels out of the book without a word from Kraken: the feed cuts them itself, or
    /// the next checksum would fail.
    @Test func aShallowSubscriptionIsCutToItsDepth() async throws {
        let server = try LocalKraken()
        defer { server.stop() }
        let (feed, _) = try await start(server, depth: 10)
        defer { feed.stop() }
        try await server.control("/control/advance", ["updates": 120, "symbol": "BTC/CHF"])
        #expect(try await booksAgree(feed, server, depth: 10))
        #expect(feed.book(Self.btc)?.bids.count == 10 && feed.book(Self.btc)?.asks.count == 10)
        #expect(feed.resyncCount == 0)
    }

    @Test func aLostUpdateOrABadChecksumSubscribesAgainForAFreshSnapshot() async throws {
        let server = try LocalKraken()
        defer { server.stop() }
        let (feed, inbox) = try await start(server)
        defer { feed.stop() }
        _ = states(inbox)
        try await server.control("/control/fault", ["type": "corrupt_checksum", "count": 1, "symbol": "BTC/CHF"])
        try await server.control("/control/advance", ["updates": 2, "symbol": "BTC/CHF"])
        for _ in 0..<200 where feed.resyncCount < 1 { try await Task.sleep(for: .milliseconds(50)) }
        #expect(feed.resyncCount == 1, "the wrong checksum is seen")
        #expect(try await booksAgree(feed, server), "rebuilt from a fresh snapshot, exact again")

        // A lost update that touched the top 10 shows at the next checksum.
        try await server.control("/control/fault", ["type": "skip_update", "count": 1, "symbol": "BTC/CHF"])
        try await server.control("/control/advance", ["updates": 30, "symbol": "BTC/CHF"])
        for _ in 0..<200 where feed.resyncCount < 2 { try await Task.sleep(for: .milliseconds(50)) }
        #expect(feed.resyncCount == 2, "the skipped update is seen")
        try await server.control("/control/advance", ["updates": 5, "symbol": "BTC/CHF"])
        #expect(try await booksAgree(feed, server))
        let seen = states(inbox)
        #expect(seen.contains { if case .resyncing = $0 { true } else { false } }, "\(seen)")
        #expect(seen.last == .live, "\(seen)")
    }

    @Test func aDroppedConnectionTakesTheBookDownThenRebuildsIt() async throws {
        let server = try LocalKraken()
        defer { server.stop() }
        let (feed, inbox) = try await start(server)
        defer { feed.stop() }
        _ = states(inbox)
        try await server.control("/control/fault", ["type": "drop_ws", "which": "public"])
        var seen: [ConnectionState] = []
        func backAfterDown() -> Bool {
            guard let down = seen.firstIndex(where: { if case .down = $0 { true } else { false } }) else { return false }
            return seen[down...].contains(.live)
        }
        for _ in 0..<400 where !backAfterDown() {
            seen += states(inbox)
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(backAfterDown(), "\(seen)")
        try await server.control("/control/advance", ["updates": 10, "symbol": "BTC/CHF"])
        #expect(try await booksAgree(feed, server))
    }

    /// Maintenance takes the venue down (no leg may be sent there) and no paper order meets its book; back online,
    /// it is live again with the same book.
    @Test func aTradingSystemInMaintenanceTakesTheVenueDown() async throws {
        let server = try LocalKraken()
        defer { server.stop() }
        let (feed, inbox) = try await start(server)
        defer { feed.stop() }
        #expect(feed.market(Self.btc) != nil)
        _ = states(inbox)
        try await server.control("/control/options", ["systemStatus": "maintenance"])
        var seen: [ConnectionState] = []
        for _ in 0..<200 where !seen.contains(where: { if case .down = $0 { true } else { false } }) {
            seen += states(inbox)
            try await Task.sleep(for: .milliseconds(50))
        }
        guard case .down(let reason)? = seen.last else {
            Issue.record("not down: \(seen)")
            return
        }
        #expect(reason.contains("maintenance"))
        #expect(feed.systemStatus == "maintenance" && feed.market(Self.btc) == nil)
        try await server.control("/control/options", ["systemStatus": "online"])
        for _ in 0..<200 where !seen.contains(.live) {
            seen += states(inbox)
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(seen.last == .live, "\(seen)")
        #expect(feed.market(Self.btc) != nil)
    }
}
