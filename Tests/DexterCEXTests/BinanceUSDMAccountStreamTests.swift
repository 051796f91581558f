import DexterCEX
import DexterCore
import DexterMarket
import DexterVenues
import Foundation
import Testing
import TestServers

/// The Binance USDⓈ-M account beyond orders, against the local server: funding settled on every open position
/// (`/control/settle_funding`) told once per position with the server's own amount and `tranId`, also across a
/// reconnect; a listenKey that expires replaced, the stream reconnected and the funding it missed read over REST;
/// the account check, which refuses hedge mode; the LIVE venue around any market-data client.
@Suite(.serialized) struct BinanceUSDMAccountStreamTests {
    typealias S = USDMTestSupport

    /// A long BTCUSDT and a short ETHUSDT position, and both symbols' funding scripted.
    func openPositions(_ server: LocalBinanceUSDM, _ execution: BinanceUSDMExecution, _ inbox: VenueInbox) async throws {
        try await server.control("/control/script", ["symbol": "ETHUSDT", "bids": [["2000.00", "10.000"]],
                                                     "asks": [["2001.00", "10.000"]]])
        execution.submit(S.order("dxlong", .buy, "0.800", at: "30020.00"))
        #expect(S.filled(try await S.updates(inbox, for: "dxlong", until: S.filled("0.8"))) == FixedDecimal("0.8")!)
        let eth = Symbol(base: "ETH", quote: "USDT", settle: "USDT")
        execution.submit(OrderRequest(clientOrderId: "dxshort", venue: S.venue, symbol: eth, side: .sell,
                                      quantity: FixedDecimal("1.000")!, limitPrice: FixedDecimal("2000.00")!,
                                      submittedAt: Timestamp(nanoseconds: 0)))
        #expect(S.filled(try await S.updates(inbox, for: "dxshort", until: S.filled("1"))) == FixedDecimal("1")!)
        try await server.control("/control/funding", ["symbol": "BTCUSDT", "rate": "0.0001", "markPrice": "30005.00"])
        try await server.control("/control/funding", ["symbol": "ETHUSDT", "rate": "0.00025", "markPrice": "2000.10"])
    }

    /// The server's FUNDING_FEE rows of a settlement.
    func settle(_ server: LocalBinanceUSDM, _ symbol: String) async throws -> [[String: Any]] {
        let answer = try await server.control("/control/settle_funding", ["symbol": symbol]) as? [String: Any] ?? [:]
        return answer["rows"] as? [[String: Any]] ?? []
    }

    @Test func fundingIsToldOncePerPositionWithTheServersAmount() async throws {
        let (server, execution, inbox) = try await S.start()
        defer { server.stop(); execution.stop() }
        try await openPositions(server, execution, inbox)
        let rows = try await settle(server, "BTCUSDT") + settle(server, "ETHUSDT")
        try #require(rows.count == 2, "one row per position: \(rows)")
        let told = try await S.fundings(inbox, atLeast: 2)
        #expect(told.count == 2, "\(told)")
        for row in rows {
            let id = String(row["tranId"] as? Int ?? -1)
            let payment = try #require(told.first { $0.id == id }, "tranId \(id) told")
            #expect(payment.amount == S.decimal(row["income"]) && payment.asset == "USDT" && payment.venue == S.venue)
            #expect(payment.symbol.description == (row["symbol"] as? String == "BTCUSDT" ? "BTC/USDT:USDT" : "ETH/USDT:USDT"))
            #expect(payment.at == Timestamp(milliseconds: Int64(row["time"] as? Int ?? 0)))
        }
        // A long pays a positive rate, a short receives it: 0.8 × 30005 × 0.0001 and 1 × 2000.10 × 0.00025.
        #expect(Set(told.map(\.amount)) == [FixedDecimal("-2.4004")!, FixedDecimal("0.500025")!])
        // A reconnect reads the income again from the newest payment told: nothing is told twice.
        try await server.control("/control/fault", ["type": "drop_ws", "which": "user"])
        try await S.until("a reconnect and its reconcile") { execution.userStreamReconciles >= 2 }
        #expect(inbox.drain().fundings.isEmpty)
    }

    /// More payments than one income page holds (pages of 2 here, of 1,000 at Binance): every one is read, in order,
    /// each once, though pages overlap on the millisecond they meet at.
    @Test func aLongIncomeHistoryIsReadPageAfterPage() async throws {
        let (server, execution, inbox) = try await S.start(incomePageSize: 2)
        defer { server.stop(); execution.stop() }
        try await openPositions(server, execution, inbox)
        var rows: [[String: Any]] = []
        // Settlements a few milliseconds apart: the pager moves by time, and this test is about pages, not about
        // several rows in one millisecond (which the pager reads later, saying so).
        for _ in 0..<3 {
            for symbol in ["BTCUSDT", "ETHUSDT"] {
                rows += try await settle(server, symbol)
                try await Task.sleep(for: .milliseconds(3))
            }
        }
        try #require(rows.count == 6)
        let start = Timestamp(milliseconds: Int64(rows[0]["time"] as? Int ?? 0))
        let read = try await execution.income(type: "FUNDING_FEE", since: start)
        #expect(Set(read.map(\.tranId)) == Set(rows.map { Int64($0["tranId"] as? Int ?? -1) }) && read.count == 6, "\(read)")
        #expect(read.map(\.time) == read.map(\.time).sorted())
        let told = try await S.fundings(inbox, atLeast: 6)
        #expect(told.count == 6 && Set(told.map(\.id)).count == 6, "each payment told once: \(told.map(\.id))")
    }

    @Test func anExpiredListenKeyIsReplacedAndWhatWasMissedIsReadOverREST() async throws {
        let (server, execution, inbox) = try await S.start()
        defer { server.stop(); execution.stop() }
        try await openPositions(server, execution, inbox)
        // The key expires; the settlement's ACCOUNT_UPDATE goes to no stream (the server sends only on live keys).
        try await server.control("/control/fault", ["type": "expire_listen_key", "apiKey": S.key])
        let rows = try await settle(server, "BTCUSDT")
        try #require(rows.count == 1)
        try await S.until("a new listenKey's connection") { execution.userStreamConnections >= 2 }
        let told = try await S.fundings(inbox, atLeast: 1)
        #expect(told.map(\.id) == [String(rows[0]["tranId"] as? Int ?? -1)] && told.first?.amount == S.decimal(rows[0]["income"]))
        try await S.until("the new connection's reconcile") { execution.userStreamReconciles >= 2 }
        #expect(inbox.drain().fundings.isEmpty, "told once")
        // The new stream carries the account's events: the next settlement arrives without a reconnect.
        let next = try await settle(server, "ETHUSDT")
        let pushed = try await S.fundings(inbox, atLeast: 1)
        #expect(pushed.map(\.id) == next.map { String($0["tranId"] as? Int ?? -1) } && execution.userStreamConnections == 2)
        // Orders keep flowing on it.
        execution.submit(S.order("dxafter", .sell, "0.100", at: "30000.00"))
        #expect(S.filled(try await S.updates(inbox, for: "dxafter", until: S.filled("0.1"))) == FixedDecimal("0.1")!)
    }

    @Test func theAccountCheckSaysWhatBinanceSaysAndRefusesHedgeMode() async throws {
        let (server, execution, _) = try await S.start()
        defer { server.stop(); execution.stop() }
        let check = try await execution.checkAccount()
        #expect(check.venue == S.venue && check.canTrade && check.takerFee == FixedDecimal("0.0004")!)
        #expect(check.balances == ["USDT": FixedDecimal("100000")!] && check.canWithdraw == nil)
        #expect(abs(check.clockOffset.secondsDouble) < 5)
        // Another tool switches the account to hedge mode.
        let builder = BinanceUSDMRequestBuilder(credentials: BinanceCredentials(apiKey: S.key, secret: S.secret))
        let hedge = builder.signer.signed("POST", "/fapi/v1/positionSide/dual", [("dualSidePosition", "true")],
                                          timestamp: Int64(Date().timeIntervalSince1970 * 1000))
        #expect(try await S.sendAsAnotherTool(server, hedge)["code"] as? Int == 200)
        var thrown: (any Error)?
        do { _ = try await execution.checkAccount() } catch { thrown = error }
        guard case .hedgeMode(let venue)? = thrown as? BinanceUSDMAccountError else {
            Issue.record("hedge mode refused: \(String(describing: thrown))"); return
        }
        #expect(venue == S.venue && "\(thrown!)".contains("hedge mode") && "\(thrown!)".contains("one-way"))
    }

    @Test func theLiveVenueTakesAnyMarketDataAndPricesAtTheAccountsRate() async throws {
        let server = try LocalBinanceUSDM(["--speed", "0", "--account", "\(S.key):\(S.secret):USDT=100000"])
        defer { server.stop() }
        try await server.control("/control/script", ["symbol": "BTCUSDT", "bids": [["30000.00", "2.000"]],
                                                     "asks": [["30010.00", "0.500"]]])
        var settings = BinanceUSDMExecutionSettings(venue: S.venue, symbols: [usdmBTC], restURL: server.restURL,
                                                    streamURL: server.streamURL)
        settings.requestTimeout = .milliseconds(2500)
        #expect(throws: BinanceKeyError.self) {
            try BinanceUSDMLiveVenue(marketData: USDMListedInstruments(), settings: settings,
                                     credentials: BinanceCredentials(apiKey: "not a key", secret: S.secret))
        }
        let venue = try BinanceUSDMLiveVenue(marketData: USDMListedInstruments(), settings: settings,
                                             credentials: BinanceCredentials(apiKey: S.key, secret: S.secret))
        defer { venue.stop() }
        let instruments = try await venue.instruments()
        #expect(instruments.map(\.market.venue.takerFee) == [FixedDecimal("0.0004")!], "config's 0.001 replaced")
        let inbox = VenueInbox()
        try await venue.connect(inbox)
        try await S.until("the user data stream") { venue.userStreamConnected }
        venue.submit(S.order("dxlive1", .buy, "0.100", at: "30010.00"))
        #expect(S.filled(try await S.updates(inbox, for: "dxlive1", until: S.filled("0.1"))) == FixedDecimal("0.1")!)
        let usage = venue.rateLimitUsage(at: WallClock().now())
        // The order budget shown is the fuller of the 10 s (300) and 1 min (1,200) windows: which one depends on how
        // long the fill took to arrive (past 10 s on a loaded machine the minute's is the fuller).
        #expect(usage.map(\.name) == ["api", "ord"] && usage[0].limit == 2_400 && [300, 1_200].contains(usage[1].limit), "\(usage)")
        #expect(usage[1].used >= 1 && usage[0].used > 0, "\(usage)")
        #expect((venue as any ExecutionClient) is any FundingReporting && (venue as any ExecutionClient) is any AccountChecking)
        #expect((venue as any ExecutionClient) is any MarginReporting && (venue as any ExecutionClient) is any RateLimitReporting)
        // As config builds it: on the USDⓈ-M feed, sharing its hosts and its request budget.
        let spec = VenueSpec(id: S.venue, kind: .exchange, takerFee: FixedDecimal("0.0005")!, stalenessBound: .seconds(5))
        let feed = BinanceUSDMMarketFeed(settings: BinanceUSDMSettings(venue: spec, symbols: [usdmBTC], restURL: server.restURL,
                                                                       streamURL: server.streamURL))
        let configured = try BinanceUSDMLiveVenue(feed: feed, credentials: BinanceCredentials(apiKey: S.key, secret: S.secret))
        #expect(configured.execution.settings.restURL == server.restURL && configured.execution.settings.symbols == [usdmBTC])
        #expect(configured.venueIds == [S.venue] && configured.execution.gate.limits.weight == 2_400)
        #expect(try await configured.execution.balances(on: S.venue) == ["USDT": FixedDecimal("99998.7996")!])
    }
}

/// Binance USDⓈ-M's BTCUSDT perpetual at config's fee: stands in for the market-data feed in the LIVE venue's test.
final class USDMListedInstruments: MarketDataClient, Sendable {
    var venueIds: [VenueId] { [USDMTestSupport.venue] }

    func instruments() async throws -> [VenueInstrument] {
        let venue = VenueSpec(id: USDMTestSupport.venue, kind: .exchange, takerFee: FixedDecimal("0.001")!,
                              stalenessBound: .seconds(5))
        let instrument = InstrumentSpec(symbol: usdmBTC, tickSize: FixedDecimal("0.01")!, lotSize: FixedDecimal("0.001")!,
                                        minNotional: FixedDecimal("5")!)
        return [VenueInstrument(market: Market(venue: venue, instrument: instrument, liquidity: .book(OrderBook(bids: [], asks: []))))]
    }

    func currentGas() async throws -> [GasQuote] { [] }
    func subscribe(_ keys: [MarketKey], into inbox: VenueInbox) async throws {}
    func unsubscribe(_ keys: [MarketKey]) async {}
}
