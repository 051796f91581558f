import DexterCEX
import DexterCore
import DexterMarket
import DexterNet
import DexterVenues
import Foundation
import Testing
import TestServers

/// The Bybit linear market-data client against the local Bybit v5 server (Tests/Servers/bybit): BTCUSDT's book is
/// scripted by hand, LTCUSDT replays the real capture (cryptofeed, 2021-04-17, translated to v5); the local book must
/// equal the server's after every step, through a lost update, duplicates, a restart with u = 1 and a dropped
/// connection; the funding quote must be what the server announces.
@Suite(.serialized) struct BybitFeedTests {
    static let btc = Symbol(base: "BTC", quote: "USDT", settle: "USDT")
    static let ltc = Symbol(base: "LTC", quote: "USDT", settle: "USDT")
    static let venue = VenueId("bybit")

    func feed(_ server: LocalBybit, symbols: [Symbol] = [btc, ltc]) -> BybitMarketFeed {
        let spec = VenueSpec(id: Self.venue, kind: .exchange, takerFee: FixedDecimal("0.00055")!, stalenessBound: .seconds(5))
        var settings = BybitSettings(venue: spec, symbols: symbols, restURL: server.restURL, publicURL: server.publicWSURL,
                                     privateURL: server.privateWSURL)
        settings.stream = WebSocketSettings(url: "", pingEvery: .seconds(5),
                                            backoff: Backoff(first: .milliseconds(50), cap: .milliseconds(200)))
        return BybitMarketFeed(settings: settings)
    }

    /// The server's own book of `symbol`, top `depth` levels.
    func serverBook(_ server: LocalBybit, _ symbol: String, depth: Int = 50) async throws -> OrderBook {
        let answer = try #require(try await server.read("/control/book?symbol=\(symbol)&limit=\(depth)") as? [String: Any])
        func side(_ name: String) throws -> [BookLevel] {
            try #require(answer[name] as? [[String]]).map {
                BookLevel(price: try #require(FixedDecimal($0[0])), quantity: try #require(FixedDecimal($0[1])))
            }
        }
        return OrderBook(bids: try side("bids"), asks: try side("asks"))
    }

    /// Waits (the server is another process) until the feed's book equals the server's; no assertion on time.
    func booksAgree(_ feed: BybitMarketFeed, _ server: LocalBybit, _ symbol: Symbol) async throws -> Bool {
        let want = try await serverBook(server, BybitSettings.instrument(symbol))
        for _ in 0..<300 {
            if let book = feed.book(symbol), book.bids == want.bids, book.asks == want.asks { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("\(symbol): the feed's book (\(String(describing: feed.book(symbol)?.bids.prefix(2)))) is not the server's (\(want.bids.prefix(2)))")
        return false
    }

    /// Scripts BTCUSDT's book: `levels` bids below 27450 and asks above it, sizes varied by `round`.
    func script(_ server: LocalBybit, round: Int, levels: Int = 60) async throws {
        let bids = (0..<levels).map { ["\(27_450 - $0)", "0.\(String(format: "%03d", 1 + ($0 * 7 + round) % 900))"] }
        let asks = (0..<levels).map { ["\(27_451 + $0)", "\(1 + ($0 + round) % 5).5"] }
        try await server.control("/control/script", ["symbol": "BTCUSDT", "bids": bids, "asks": asks])
    }

    func start(_ server: LocalBybit) async throws -> (BybitMarketFeed, VenueInbox) {
        try await script(server, round: 0)
        let feed = feed(server)
        let instruments = try await feed.instruments()
        #expect(instruments.map(\.market.key.symbol) == [Self.btc, Self.ltc])
        let spec = try #require(instruments.first?.market.instrument)
        #expect(spec.tickSize == FixedDecimal("0.5")! && spec.lotSize == FixedDecimal("0.001")! && spec.minNotional == FixedDecimal(5))
        #expect(spec.margin == MarginTerms(maxLeverage: FixedDecimal(100), maintenanceRate: FixedDecimal("0.005")!))
        #expect(instruments.last?.market.instrument.lotSize == FixedDecimal("0.1"), "LTCUSDT's step from the capture")
        let inbox = VenueInbox()
        try await feed.subscribe(instruments.map(\.market.key), into: inbox)
        for _ in 0..<300 where feed.book(Self.btc) == nil || feed.book(Self.ltc) == nil {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(feed.book(Self.btc) != nil && feed.book(Self.ltc) != nil, "the books never went live")
        return (feed, inbox)
    }

    func states(_ inbox: VenueInbox) -> [ConnectionState] { inbox.drain().connections.map(\.state) }

    @Test func theBooksFollowTheTopicExactly() async throws {
        let server = try LocalBybit()
        defer { server.stop() }
        let (feed, inbox) = try await start(server)
        defer { feed.stop() }
        #expect(try await booksAgree(feed, server, Self.btc))
        #expect(try await booksAgree(feed, server, Self.ltc))
        for round in 1...3 {
            try await script(server, round: round, levels: 60 - 5 * round)
            try await server.control("/control/advance", ["events": 40, "symbol": "LTCUSDT"])
            #expect(try await booksAgree(feed, server, Self.btc))
            #expect(try await booksAgree(feed, server, Self.ltc))
        }
        #expect(states(inbox).contains(.live))
        #expect(feed.resyncCount == 0 && feed.unreadableMessages == 0 && feed.refusals.isEmpty)
    }

    @Test func aLostUpdateResubscribesThatSymbolAloneAndDuplicatesAreDropped() async throws {
        let server = try LocalBybit()
        defer { server.stop() }
        let (feed, inbox) = try await start(server)
        defer { feed.stop() }
        _ = states(inbox)
        try await server.control("/control/fault", ["type": "skip_update", "count": 1, "symbol": "BTCUSDT"])
        try await script(server, round: 1)
        try await script(server, round: 2)
        for _ in 0..<200 where feed.resyncCount < 1 { try await Task.sleep(for: .milliseconds(50)) }
        #expect(feed.resyncCount == 1, "the skipped update is seen as a gap")
        #expect(try await booksAgree(feed, server, Self.btc), "rebuilt from a fresh snapshot, exact again")
        let seen = states(inbox)
        #expect(seen.contains { if case .resyncing(let reason) = $0 { reason.hasPrefix("BTC/USDT:USDT BTCUSDT: delta u") } else { false } },
                "\(seen)")
        #expect(seen.last == .live, "\(seen)")

        try await server.control("/control/fault", ["type": "duplicate_delta", "count": 1, "symbol": "BTCUSDT"])
        try await server.control("/control/fault", ["type": "stale_delta", "count": 1, "symbol": "BTCUSDT"])
        for round in 3...5 { try await script(server, round: round) }
        #expect(try await booksAgree(feed, server, Self.btc))
        #expect(feed.resyncCount == 1, "a duplicate or an older u is dropped, not a gap")
        #expect(try await booksAgree(feed, server, Self.ltc), "the other symbol never stopped")
    }

    @Test func aRestartWithUOneAndAResnapshotReplaceTheBook() async throws {
        let server = try LocalBybit()
        defer { server.stop() }
        let (feed, _) = try await start(server)
        defer { feed.stop() }
        try await server.control("/control/fault", ["type": "reset_u", "symbol": "BTCUSDT"])
        try await script(server, round: 7)
        #expect(try await booksAgree(feed, server, Self.btc))
        try await server.control("/control/fault", ["type": "resnapshot"])
        try await script(server, round: 8)
        try await server.control("/control/advance", ["events": 20, "symbol": "LTCUSDT"])
        #expect(try await booksAgree(feed, server, Self.btc))
        #expect(try await booksAgree(feed, server, Self.ltc))
        #expect(feed.resyncCount == 0, "a snapshot is always taken, u = 1 included")
    }

    @Test func aDroppedConnectionTakesTheVenueDownThenRebuildsIt() async throws {
        let server = try LocalBybit()
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
        try await script(server, round: 4)
        #expect(try await booksAgree(feed, server, Self.btc))
    }

    @Test func theFundingQuoteIsWhatTheServerAnnounces() async throws {
        let server = try LocalBybit()
        defer { server.stop() }
        let (feed, inbox) = try await start(server)
        defer { feed.stop() }
        let next: Int64 = 1_796_112_000_000
        try await server.control("/control/funding", ["symbol": "BTCUSDT", "rate": "-0.000375", "markPrice": "27450.5",
                                                      "nextFundingTime": next, "fundingIntervalMinutes": 240])
        var posted: FundingQuote?
        for _ in 0..<300 {
            for case .funding(let quote) in inbox.drain().market where quote.market.symbol == Self.btc { posted = quote }
            if posted?.rate == FixedDecimal("-0.000375") { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let quote = try #require(posted)
        #expect(quote.market == MarketKey(venue: Self.venue, symbol: Self.btc))
        #expect(quote.rate == FixedDecimal("-0.000375")! && quote.markPrice == FixedDecimal("27450.5")!)
        #expect(quote.nextFundingTime == Timestamp(milliseconds: next) && quote.interval == .seconds(4 * 3_600))
        #expect(feed.funding(Self.btc)?.rate == quote.rate)
        // A delta carrying only the mark keeps the rate and the time.
        try await server.control("/control/funding", ["symbol": "BTCUSDT", "markPrice": "27461"])
        for _ in 0..<300 where feed.funding(Self.btc)?.markPrice != FixedDecimal(27461) { try await Task.sleep(for: .milliseconds(50)) }
        let moved = try #require(feed.funding(Self.btc))
        #expect(moved.markPrice == FixedDecimal(27461) && moved.rate == FixedDecimal("-0.000375")!)
        #expect(moved.nextFundingTime == Timestamp(milliseconds: next))
        // LTCUSDT: the server's default funding (instruments-info's 480 minutes, the ticker's 8 hours).
        let ltc = try #require(feed.funding(Self.ltc))
        let row = try #require(try await server.control("/control/funding", ["symbol": "LTCUSDT"]) as? [String: Any])
        #expect(ltc.rate == FixedDecimal(try #require(row["fundingRate"] as? String)) && ltc.interval == .seconds(8 * 3_600))
    }

    @Test func aSymbolBybitDoesNotListIsNamed() async throws {
        let server = try LocalBybit()
        defer { server.stop() }
        let doge = Symbol(base: "DOGE", quote: "USDT", settle: "USDT")
        await #expect(throws: BybitVenueError.self) { try await feed(server, symbols: [doge]).instruments() }
        do {
            _ = try await feed(server, symbols: [Symbol(base: "BTC", quote: "USDT")]).instruments()
            Issue.record("a spot symbol was taken for a perpetual")
        } catch {
            #expect("\(error)".contains("BTC/USDT:USDT"), "\(error)")
        }
    }
}
