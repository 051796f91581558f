import DexterCEX
import DexterCore
import DexterMarket
import DexterNet
import DexterVenues
import Foundation
import Testing
import TestServers

/// The USDⓈ-M market-data client against the local USDⓈ-M-protocol server (Tests/Servers/binance_usdm), its BTCUSDT
/// and ETHUSDT books scripted by hand: the local book must equal the server's after every change, through a `pu`
/// break and a dropped stream, and the funding quote must be the server's scripted funding exactly.
@Suite(.serialized) struct BinanceUSDMFeedTests {
    static let btc = Symbol(base: "BTC", quote: "USDT", settle: "USDT")
    static let eth = Symbol(base: "ETH", quote: "USDT", settle: "USDT")

    func feed(_ server: LocalBinanceUSDM, margin: MarginTerms? = nil) -> BinanceUSDMMarketFeed {
        let venue = VenueSpec(id: "binance-usdm", kind: .exchange, takerFee: FixedDecimal("0.0005")!,
                              stalenessBound: .seconds(5))
        var settings = BinanceUSDMSettings(venue: venue, symbols: [Self.btc, Self.eth], restURL: server.restURL,
                                           streamURL: server.streamURL, bookDepth: 20, margin: margin)
        settings.stream = WebSocketSettings(url: "", backoff: Backoff(first: .milliseconds(50), cap: .milliseconds(200)))
        return BinanceUSDMMarketFeed(settings: settings)
    }

    /// Sets a scripted book: `bids`/`asks` as [price, quantity] text, on BTCUSDT's grid (tick 0.01, step 0.001).
    func script(_ server: LocalBinanceUSDM, _ name: String, bids: [[String]], asks: [[String]]) async throws {
        let answer = try await server.control("/control/script", ["symbol": name, "bids": bids, "asks": asks])
        let error = (answer as? [String: Any])?["error"]
        #expect(error == nil, "the server refused the script: \(String(describing: error))")
    }

    func serverBook(_ server: LocalBinanceUSDM, _ name: String) async throws -> OrderBook {
        let snapshot = try BinanceMarketData.depthSnapshot(try await server.readBytes("/control/book?symbol=\(name)&limit=20"))
        return OrderBook(bids: snapshot.bids.map { BookLevel(price: $0.price, quantity: $0.quantity) },
                         asks: snapshot.asks.map { BookLevel(price: $0.price, quantity: $0.quantity) })
    }

    /// Waits (the server is another process) until the feed's book equals the server's; no assertion on time.
    func booksAgree(_ feed: BinanceUSDMMarketFeed, _ server: LocalBinanceUSDM, _ symbol: Symbol) async throws -> Bool {
        let want = try await serverBook(server, BinanceUSDMSettings.venueName(symbol))
        #expect(!want.bids.isEmpty && !want.asks.isEmpty, "the server's \(symbol) book is empty: nothing would be compared")
        for _ in 0..<300 {
            if let book = feed.book(symbol), book.bids == want.bids, book.asks == want.asks { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("\(symbol): the feed's book \(String(describing: feed.book(symbol))) is not the server's \(want)")
        return false
    }

    /// Both books set before the feed connects (so a new subscription gets the event the book stands at, as on the
    /// real stream), then the feed subscribed and live.
    func start(_ server: LocalBinanceUSDM, _ feed: BinanceUSDMMarketFeed) async throws -> VenueInbox {
        try await script(server, "BTCUSDT", bids: [["60000.00", "1.500"], ["59999.50", "2.000"]],
                         asks: [["60000.10", "0.750"], ["60001.00", "3.000"]])
        try await script(server, "ETHUSDT", bids: [["3000.00", "10.000"]], asks: [["3000.05", "8.000"]])
        let instruments = try await feed.instruments()
        let inbox = VenueInbox()
        try await feed.subscribe(instruments.map(\.market.key), into: inbox)
        for _ in 0..<300 where feed.book(Self.btc) == nil || feed.book(Self.eth) == nil {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(feed.book(Self.btc) != nil && feed.book(Self.eth) != nil, "the books never went live")
        return inbox
    }

    @Test func instrumentsComeFromExchangeInfo() async throws {
        let server = try LocalBinanceUSDM()
        defer { server.stop() }
        let specs = try await feed(server).instruments().map(\.market.instrument)
        #expect(specs.map(\.symbol) == [Self.btc, Self.eth])
        let btc = try #require(specs.first)
        // The captured exchangeInfo the server serves: PRICE_FILTER 0.01, LOT_SIZE 0.001 / minQty 0.001,
        // MIN_NOTIONAL notional 5, requiredMarginPercent 5 and maintMarginPercent 2.5.
        #expect(btc.tickSize == FixedDecimal("0.01")! && btc.lotSize == FixedDecimal("0.001")!)
        #expect(btc.minQuantity == FixedDecimal("0.001")! && btc.minNotional == FixedDecimal(5))
        #expect(btc.margin == MarginTerms(maxLeverage: FixedDecimal(20), maintenanceRate: FixedDecimal("0.025")!))
        // Config's terms, when given, win over the published ones.
        let configured = MarginTerms(maxLeverage: FixedDecimal(10), maintenanceRate: FixedDecimal("0.004")!)
        let overridden = try await feed(server, margin: configured).instruments()
        #expect(overridden.allSatisfy { $0.market.instrument.margin == configured })
    }

    @Test func aSymbolThatIsNotAPerpetualHereIsRefusedByName() async throws {
        let server = try LocalBinanceUSDM()
        defer { server.stop() }
        let venue = VenueSpec(id: "binance-usdm", kind: .exchange, takerFee: .zero, stalenessBound: .seconds(5))
        let feed = BinanceUSDMMarketFeed(settings: BinanceUSDMSettings(
            venue: venue, symbols: [Symbol(base: "DOGE", quote: "USDT", settle: "USDT")], restURL: server.restURL,
            streamURL: server.streamURL))
        let error = await #expect(throws: BinanceUSDMVenueError.self) { try await feed.instruments() }
        #expect(error.map { "\($0)" }?.contains("DOGEUSDT") == true, "\(String(describing: error))")
    }

    @Test func booksFollowTheStreamExactly() async throws {
        let server = try LocalBinanceUSDM()
        defer { server.stop() }
        let feed = feed(server)
        defer { feed.stop() }
        let inbox = try await start(server, feed)
        #expect(try await booksAgree(feed, server, Self.btc))
        #expect(try await booksAgree(feed, server, Self.eth))
        // Levels removed, changed and added; then a deeper book.
        try await script(server, "BTCUSDT", bids: [["60000.00", "0.500"], ["59998.00", "4.000"]],
                         asks: [["60000.10", "0.750"], ["60000.50", "1.250"], ["60002.00", "0.001"]])
        #expect(try await booksAgree(feed, server, Self.btc))
        let deep = (0..<30).map { ["\(59_900 - $0).00", "0.\(String(format: "%03d", $0 + 1))"] }
        try await script(server, "BTCUSDT", bids: deep, asks: [["60000.10", "0.750"]])
        #expect(try await booksAgree(feed, server, Self.btc))
        #expect(try await booksAgree(feed, server, Self.eth))
        let states = inbox.drain().connections.map(\.state)
        #expect(states.contains(.live), "\(states)")
        #expect(feed.resyncCount == 0 && feed.unreadableMessages == 0)
    }

    @Test func aPuBreakResyncsThatSymbolAlone() async throws {
        let server = try LocalBinanceUSDM()
        defer { server.stop() }
        let feed = feed(server)
        defer { feed.stop() }
        let inbox = try await start(server, feed)
        #expect(try await booksAgree(feed, server, Self.btc))
        _ = inbox.drain()
        // The next BTCUSDT event is applied on the server but never sent: the one after names a `u` never seen.
        try await server.control("/control/fault", ["type": "skip_update", "count": 1, "symbol": "BTCUSDT"])
        try await script(server, "BTCUSDT", bids: [["60000.00", "1.000"]], asks: [["60000.10", "0.750"]])
        try await script(server, "BTCUSDT", bids: [["60000.00", "1.000"]], asks: [["60000.20", "0.250"]])
        var resynced = false
        for _ in 0..<200 where !resynced {
            resynced = feed.resyncCount >= 1
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(resynced, "the skipped event is seen as a pu break")
        #expect(try await booksAgree(feed, server, Self.btc), "rebuilt from a fresh snapshot, exact again")
        #expect(try await booksAgree(feed, server, Self.eth))
        #expect(feed.resyncCount == 1)
        let batch = inbox.drain()
        let resyncing = batch.connections.compactMap { if case .resyncing(let reason) = $0.state { reason } else { nil } }
        #expect(resyncing.count == 1 && resyncing.allSatisfy { $0.contains("BTC/USDT:USDT") }, "\(resyncing)")
        // ETH's book was never emptied while BTC's resynced.
        let ethKey = MarketKey(venue: "binance-usdm", symbol: Self.eth)
        for case .liquidity(let key, .book(let book), _, _) in batch.market where key == ethKey {
            #expect(!book.bids.isEmpty)
        }
    }

    @Test func aDroppedStreamGoesDownThenLiveAgain() async throws {
        let server = try LocalBinanceUSDM()
        defer { server.stop() }
        let feed = feed(server)
        defer { feed.stop() }
        let inbox = try await start(server, feed)
        #expect(try await booksAgree(feed, server, Self.btc))
        _ = inbox.drain()
        try await server.control("/control/fault", ["type": "drop_ws", "which": "market"])
        var states: [ConnectionState] = []
        func backAfterDown() -> Bool {
            guard let down = states.firstIndex(where: { if case .down = $0 { true } else { false } }) else { return false }
            return states[down...].contains(.live)
        }
        for _ in 0..<400 where !backAfterDown() {
            states += inbox.drain().connections.map(\.state)
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(backAfterDown(), "\(states)")
        try await script(server, "BTCUSDT", bids: [["60000.00", "2.000"]], asks: [["60000.30", "1.000"]])
        #expect(try await booksAgree(feed, server, Self.btc))
        #expect(try await booksAgree(feed, server, Self.eth))
    }

    @Test func theFundingQuoteIsTheServersExactly() async throws {
        let server = try LocalBinanceUSDM()
        defer { server.stop() }
        // A 4 h interval makes fundingInfo list BTCUSDT; ETHUSDT keeps the default 8 h.
        try await server.control("/control/funding", ["symbol": "BTCUSDT", "fundingIntervalHours": 4])
        let feed = feed(server)
        defer { feed.stop() }
        let inbox = try await start(server, feed)
        let next = 1_900_000_800_000
        let answer = try #require(try await server.control("/control/funding", [
            "symbol": "BTCUSDT", "rate": "-0.00012345", "markPrice": "60000.05", "nextFundingTime": next,
        ]) as? [String: Any])
        let rate = try #require((answer["lastFundingRate"] as? String).flatMap { FixedDecimal($0) })
        let mark = try #require((answer["markPrice"] as? String).flatMap { FixedDecimal($0) })
        #expect(rate == FixedDecimal("-0.00012345")! && mark == FixedDecimal("60000.05")!)
        let key = MarketKey(venue: "binance-usdm", symbol: Self.btc)
        var posted: FundingQuote?
        for _ in 0..<200 {
            for case .funding(let quote) in inbox.drain().market where quote.market == key && quote.rate == rate {
                posted = quote
            }
            if posted != nil { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let quote = try #require(posted, "no funding quote with the scripted rate was posted")
        #expect(quote.markPrice == mark)
        #expect(quote.nextFundingTime == Timestamp(milliseconds: Int64(next)))
        #expect(quote.interval == .seconds(4 * 3_600))
        #expect(feed.funding(Self.btc) != nil)
        for _ in 0..<100 where feed.funding(Self.eth) == nil { try await Task.sleep(for: .milliseconds(50)) }
        #expect(feed.funding(Self.eth)?.interval == .seconds(8 * 3_600))
    }
}
