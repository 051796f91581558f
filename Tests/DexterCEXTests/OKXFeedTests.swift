import DexterCEX
import DexterCore
import DexterMarket
import DexterNet
import DexterVenues
import Foundation
import Testing
import TestServers

/// The OKX market-data client against the local OKX-protocol server, whose market is the real BTC-USDT capture
/// (2022-05-13) moved by hand: the local book must equal the server's after every step, through a sequence gap, a
/// corrupted checksum and a dropped connection.
@Suite(.serialized) struct OKXFeedTests {
    static let btc = Symbol(base: "BTC", quote: "USDT")
    static let key = MarketKey(venue: "okx", symbol: btc)

    func feed(_ server: LocalOKX, depth: Int = 20) -> OKXMarketFeed {
        let venue = VenueSpec(id: "okx", kind: .exchange, takerFee: FixedDecimal("0.001")!, stalenessBound: .seconds(5))
        var settings = OKXSettings(venue: venue, symbols: [Self.btc], restURL: server.restURL, publicURL: server.publicWSURL,
                                   privateURL: server.privateWSURL, bookDepth: depth)
        settings.stream = WebSocketSettings(url: "", pingEvery: .seconds(5),
                                            backoff: Backoff(first: .milliseconds(50), cap: .milliseconds(200)))
        return OKXMarketFeed(settings: settings)
    }

    /// The server's own book, top `depth` levels.
    func serverBook(_ server: LocalOKX, depth: Int) async throws -> OrderBook {
        let answer = try #require(try await server.read("/control/book?instId=BTC-USDT&limit=\(depth)") as? [String: Any])
        func side(_ name: String) throws -> [BookLevel] {
            try #require(answer[name] as? [[String]]).map {
                BookLevel(price: try #require(FixedDecimal($0[0])), quantity: try #require(FixedDecimal($0[1])))
            }
        }
        return OrderBook(bids: try side("bids"), asks: try side("asks"))
    }

    /// Waits (the peer is another process) until the feed's book equals the server's; no assertion on time.
    func booksAgree(_ feed: OKXMarketFeed, _ server: LocalOKX, depth: Int = 20) async throws -> Bool {
        let want = try await serverBook(server, depth: depth)
        for _ in 0..<300 {
            if let book = feed.book(Self.btc), book.bids == want.bids, book.asks == want.asks { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the feed's book (top \(String(describing: feed.book(Self.btc)?.bids.first))) is not the server's (top \(String(describing: want.bids.first)))")
        return false
    }

    func start(_ server: LocalOKX) async throws -> (OKXMarketFeed, VenueInbox) {
        let feed = feed(server)
        let instruments = try await feed.instruments()
        #expect(instruments.map(\.market.key) == [Self.key])
        let spec = try #require(instruments.first?.market.instrument)
        #expect(spec.tickSize == FixedDecimal("0.1")! && spec.lotSize == FixedDecimal("0.00000001")!)
        let inbox = VenueInbox()
        try await feed.subscribe([Self.key], into: inbox)
        for _ in 0..<300 where feed.book(Self.btc) == nil { try await Task.sleep(for: .milliseconds(50)) }
        #expect(feed.book(Self.btc) != nil, "the book never went live")
        return (feed, inbox)
    }

    func states(_ inbox: VenueInbox) -> [ConnectionState] { inbox.drain().connections.map(\.state) }

    @Test func theBookFollowsTheChannelExactly() async throws {
        let server = try LocalOKX()
        defer { server.stop() }
        let (feed, inbox) = try await start(server)
        defer { feed.stop() }
        #expect(try await booksAgree(feed, server))
        for _ in 0..<3 {
            try await server.control("/control/advance", ["updates": 25, "instId": "BTC-USDT"])
            #expect(try await booksAgree(feed, server))
        }
        #expect(states(inbox).contains(.live))
        #expect(feed.resyncCount == 0 && feed.unreadableMessages == 0 && feed.refusals.isEmpty)
    }

    @Test func aGapOrABadChecksumSubscribesAgainForAFreshSnapshot() async throws {
        let server = try LocalOKX()
        defer { server.stop() }
        let (feed, inbox) = try await start(server)
        defer { feed.stop() }
        _ = states(inbox)
        try await server.control("/control/fault", ["type": "skip_update", "count": 1, "instId": "BTC-USDT"])
        try await server.control("/control/advance", ["updates": 3, "instId": "BTC-USDT"])
        for _ in 0..<200 where feed.resyncCount < 1 { try await Task.sleep(for: .milliseconds(50)) }
        #expect(feed.resyncCount == 1, "the skipped update is seen as a gap")
        #expect(try await booksAgree(feed, server), "rebuilt from a fresh snapshot, exact again")

        try await server.control("/control/fault", ["type": "corrupt_checksum", "count": 1, "instId": "BTC-USDT"])
        try await server.control("/control/advance", ["updates": 2, "instId": "BTC-USDT"])
        for _ in 0..<200 where feed.resyncCount < 2 { try await Task.sleep(for: .milliseconds(50)) }
        #expect(feed.resyncCount == 2, "the wrong checksum is seen")
        try await server.control("/control/advance", ["updates": 5, "instId": "BTC-USDT"])
        #expect(try await booksAgree(feed, server))
        let seen = states(inbox)
        #expect(seen.contains { if case .resyncing = $0 { true } else { false } }, "\(seen)")
        #expect(seen.last == .live, "\(seen)")
    }

    @Test func aDroppedConnectionTakesTheBookDownThenRebuildsIt() async throws {
        let server = try LocalOKX()
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
        try await server.control("/control/advance", ["updates": 10, "instId": "BTC-USDT"])
        #expect(try await booksAgree(feed, server))
    }
}
