@testable import DexterCEX
import DexterCore
import DexterMarket
import DexterNet
import DexterVenues
import Foundation
import Testing
import TestServers

/// The Coinbase execution client end to end against the local Coinbase Advanced Trade protocol server
/// (Tests/Servers/coinbase, docs/venues/coinbase.md): every request signed with a fresh ES256 JWT the server verifies,
/// IOC orders on a scripted BTC-USDT book filled under the server's trade ids with exact commissions, lost and late
/// answers settled by the same `client_order_id` (never a second order), 5XX with and without executing, a 429's stop,
/// typed refusals, a key the server does not know, and the user stream dropping or skipping a sequence number
/// mid-order with every fill still told once.
@Suite(.serialized) struct CoinbaseExecutionTests {
    static let btc = Symbol(base: "BTC", quote: "USDT")
    static let asks = [["100.00", "0.4"], ["100.50", "0.6"], ["101.00", "1"], ["103.00", "5"]]

    struct Desk {
        let server: LocalCoinbase
        let execution: CoinbaseExecution
        let venue: CoinbaseLiveVenue?
        let inbox: VenueInbox

        func stop() {
            venue?.stop()
            server.stop()
        }
    }

    static func credentials(_ server: LocalCoinbase) throws -> CoinbaseCredentials {
        let name = try #require(server.defaultKeyName), file = try #require(server.defaultKeyFile)
        return CoinbaseCredentials(keyName: name, privateKeyPEM: try String(contentsOfFile: file, encoding: .utf8))
    }

    static func settings(_ server: LocalCoinbase, timeout: Duration = .milliseconds(800)) -> CoinbaseExecutionSettings {
        var settings = CoinbaseExecutionSettings(venue: "coinbase", restURL: server.restURL, privateURL: server.privateWSURL,
                                                 requestTimeout: timeout)
        // The server's own limiter is what a 429 test meets; dexter's budget stays out of the way elsewhere.
        settings.limits = CoinbaseRateLimits(privatePerSecond: 1000, publicPerSecond: 1000)
        settings.silence = .seconds(4)
        settings.stream = WebSocketSettings(url: server.privateWSURL, backoff: Backoff(first: .milliseconds(100), cap: .seconds(1)))
        return settings
    }

    /// The server with BTC-USDT scripted, and dexter's execution (with its user stream when `stream`).
    static func start(stream: Bool = false, clock: any DexterCore.Clock = WallClock(), timeout: Duration = .milliseconds(800),
                      faults: [[String: Any]] = [],
                      credentials: ((LocalCoinbase) throws -> CoinbaseCredentials)? = nil) async throws -> Desk {
        let server = try LocalCoinbase(["--speed", "0", "--scripted-product", "BTC-USDT"])
        try await server.control("/control/limits", ["enabled": false])
        try await server.control("/control/script", ["product_id": "BTC-USDT", "bids": [["99.00", "5"]], "asks": asks])
        for fault in faults { try await server.control("/control/fault", fault) }
        let settings = settings(server, timeout: timeout)
        let keys = try (credentials ?? Self.credentials)(server)
        let inbox = VenueInbox()
        if stream {
            let venue = try CoinbaseLiveVenue(marketData: CoinbaseListedInstruments(), settings: settings, credentials: keys,
                                              clock: clock)
            try await venue.connect(inbox)
            // A wait, not a bound on time: on a loaded machine (CI, two cores, every suite at once) it can take seconds.
            for _ in 0..<400 where !venue.privateStreamSubscribed { try await Task.sleep(for: .milliseconds(50)) }
            #expect(venue.privateStreamSubscribed, "\(venue.privateStreamProblem ?? "not subscribed")")
            return Desk(server: server, execution: venue.execution, venue: venue, inbox: inbox)
        }
        let execution = try CoinbaseExecution(settings: settings, credentials: keys, clock: clock)
        try await execution.connect(inbox)
        return Desk(server: server, execution: execution, venue: nil, inbox: inbox)
    }

    static func buy(_ id: String, size: String, at price: String) -> OrderRequest {
        OrderRequest(clientOrderId: id, venue: "coinbase", symbol: btc, side: .buy, quantity: FixedDecimal(size)!,
                     limitPrice: FixedDecimal(price)!, submittedAt: Timestamp(nanoseconds: 0))
    }

    /// The server's orders under this client_order_id, with their fills.
    static func serverOrders(_ server: LocalCoinbase, _ clientOrderId: String) async throws -> [[String: Any]] {
        let all = try await server.read("/control/orders?product_id=BTC-USDT") as? [[String: Any]] ?? []
        return all.filter { $0["client_order_id"] as? String == clientOrderId }
    }

    static func serverFills(_ order: [String: Any]?) -> [[String: Any]] { order?["fills"] as? [[String: Any]] ?? [] }

    typealias Support = CoinbaseTestSupport

    // MARK: Fills

    @Test func anIOCFillsWithTheServersTradeIdsAndCommissionsExactTellingEachOnce() async throws {
        let desk = try await Self.start(stream: true)
        defer { desk.stop() }
        desk.execution.submit(Self.buy("dxcbfill", size: "1.5", at: "101.00"))
        let updates = try await Support.updates(desk.inbox, for: "dxcbfill", until: Support.done("1.5"))
        let order = try #require(try await Self.serverOrders(desk.server, "dxcbfill").first)
        let serverFills = Self.serverFills(order)
        let fills = Support.fills(updates)
        #expect(updates.first?.kind == .accepted(venueOrderId: order["order_id"] as? String ?? "?"))
        #expect(fills.map(\.tradeId) == serverFills.compactMap { $0["trade_id"] as? String })
        #expect(fills.map(\.fee) == serverFills.compactMap { ($0["commission"] as? String).flatMap(FixedDecimal.init) })
        #expect(fills.map(\.quantity) == [FixedDecimal("0.4")!, FixedDecimal("0.6")!, FixedDecimal("0.5")!])
        #expect(fills.map(\.notional) == [FixedDecimal(40), FixedDecimal("60.3")!, FixedDecimal("50.5")!])
        // 0.6 % of each, exact, in the quote.
        #expect(fills.map(\.fee) == [FixedDecimal("0.24")!, FixedDecimal("0.3618")!, FixedDecimal("0.303")!])
        #expect(fills.allSatisfy { $0.feeAsset == "USDT" })
        // The stream told the same order's states too: nothing more arrives.
        #expect(try await Support.more(desk.inbox, for: "dxcbfill", during: .seconds(1)).isEmpty)
        guard case .found(let report) = try await desk.execution.query("dxcbfill", on: "coinbase") else {
            Issue.record("not found"); return
        }
        #expect(report.status == .filled && report.notional == FixedDecimal("150.8")! && report.fee == FixedDecimal("0.9048")!)

        // More than the book holds up to the limit (0.5 left at 101, 5 at 103): the rest of the IOC expires after its
        // fills.
        desk.execution.submit(Self.buy("dxcbpart", size: "7", at: "103.00"))
        let partial = try await Support.updates(desk.inbox, for: "dxcbpart", until: Support.ends)
        #expect(Support.filled(partial) == FixedDecimal("5.5")!)
        guard case .expired? = partial.last?.kind else { Issue.record("the rest expires: \(partial)"); return }
        #expect(try await Support.more(desk.inbox, for: "dxcbpart").isEmpty)
    }

    // MARK: Unknown outcomes

    @Test func aLateAnswerIsSettledByTheSameClientOrderIdAndPlacedOnce() async throws {
        let desk = try await Self.start(timeout: .milliseconds(500))
        defer { desk.stop() }
        try await desk.server.control("/control/fault", ["type": "delay_ack", "seconds": 1.5])
        desk.execution.submit(Self.buy("dxcblate", size: "1", at: "100.50"))
        let updates = try await Support.updates(desk.inbox, for: "dxcblate", until: Support.done("1"))
        #expect(Support.filled(updates) == FixedDecimal(1) && Support.fills(updates).count == 2)
        #expect(try await Self.serverOrders(desk.server, "dxcblate").count == 1)
        #expect(try await Support.more(desk.inbox, for: "dxcblate").isEmpty)
    }

    @Test func aLostAnswerIsSettledByTheSameClientOrderIdAndPlacedOnce() async throws {
        let desk = try await Self.start()
        defer { desk.stop() }
        try await desk.server.control("/control/fault", ["type": "lose_ack"])
        desk.execution.submit(Self.buy("dxcblost", size: "0.4", at: "100.00"))
        let updates = try await Support.updates(desk.inbox, for: "dxcblost", until: Support.done("0.4"))
        #expect(Support.fills(updates).count == 1)
        #expect(try await Self.serverOrders(desk.server, "dxcblost").count == 1)
        // And the query by client id finds it (by listing; nothing is placed to look).
        guard case .found(let report) = try await desk.execution.query("dxcblost", on: "coinbase") else {
            Issue.record("not found"); return
        }
        #expect(report.filledQuantity == FixedDecimal("0.4")!)
    }

    @Test func aServerErrorWithAndWithoutExecutingEndsInOneOrder() async throws {
        let desk = try await Self.start()
        defer { desk.stop() }
        try await desk.server.control("/control/fault", ["type": "http_error", "status": 500, "execute": true,
                                                         "endpoint": "create_order"])
        desk.execution.submit(Self.buy("dxcb500a", size: "0.4", at: "100.00"))
        let executed = try await Support.updates(desk.inbox, for: "dxcb500a", until: Support.done("0.4"))
        #expect(Support.fills(executed).count == 1)
        #expect(try await Self.serverOrders(desk.server, "dxcb500a").count == 1)

        try await desk.server.control("/control/fault", ["type": "http_error", "status": 503, "execute": false,
                                                         "endpoint": "create_order"])
        desk.execution.submit(Self.buy("dxcb500b", size: "0.6", at: "100.50"))
        let notExecuted = try await Support.updates(desk.inbox, for: "dxcb500b", until: Support.done("0.6"))
        #expect(Support.filled(notExecuted) == FixedDecimal("0.6")!)
        #expect(try await Self.serverOrders(desk.server, "dxcb500b").count == 1)
        #expect(try await Support.more(desk.inbox, for: "dxcb500a").isEmpty)
    }

    @Test func a429HoldsEveryRequestUntilItsStopHasPassed() async throws {
        let clock = HeldClock()
        let desk = try await Self.start(clock: clock)
        defer { desk.stop() }
        try await desk.server.control("/control/fault", ["type": "rate_limit", "scope": "private"])
        clock.hold()
        desk.execution.submit(Self.buy("dxcb429a", size: "0.1", at: "100.00"))
        let first = try await Support.updates(desk.inbox, for: "dxcb429a", until: Support.ends)
        guard case .rejected(let limited)? = first.last?.kind else { Issue.record("expected a refusal: \(first)"); return }
        #expect(limited.code == "rate_limited" && limited.isRetryable, "\(limited)")
        desk.execution.submit(Self.buy("dxcb429b", size: "0.1", at: "100.00"))
        let second = try await Support.updates(desk.inbox, for: "dxcb429b", until: Support.ends)
        guard case .rejected(let held)? = second.last?.kind else { Issue.record("expected a refusal: \(second)"); return }
        #expect(held.code == "not_sent" && held.isRetryable && held.venueCode == nil, "held back, never sent: \(held)")
        #expect(try await Self.serverOrders(desk.server, "dxcb429b").isEmpty)
        clock.release(advancedBy: .milliseconds(1_100))
        desk.execution.submit(Self.buy("dxcb429c", size: "0.1", at: "100.00"))
        let third = try await Support.updates(desk.inbox, for: "dxcb429c", until: Support.done("0.1"))
        #expect(Support.filled(third) == FixedDecimal("0.1")!)
    }

    // MARK: Refusals and keys

    @Test func refusalsAreTypedFundsPrecisionAndDisabled() async throws {
        let desk = try await Self.start()
        defer { desk.stop() }
        func refusal(_ order: OrderRequest) async throws -> ExecutionFailure? {
            desk.execution.submit(order)
            let updates = try await Support.updates(desk.inbox, for: order.clientOrderId, until: Support.ends)
            guard case .rejected(let failure)? = updates.last?.kind else { return nil }
            return failure
        }
        let funds = try #require(try await refusal(Self.buy("dxcbfunds", size: "2000", at: "103.00")))
        #expect(funds.code == "insufficient_funds" && funds.failureClass == .rejected && funds.venueCode == "INSUFFICIENT_FUND", "\(funds)")
        let precision = try #require(try await refusal(Self.buy("dxcbtick", size: "0.1", at: "100.001")))
        #expect(precision.code == "bad_precision" && precision.venueCode == "INVALID_PRICE_PRECISION", "\(precision)")
        let size = try #require(try await refusal(Self.buy("dxcblot", size: "0.000000001", at: "100.00")))
        #expect(size.code == "bad_precision" && size.venueCode == "INVALID_SIZE_PRECISION", "\(size)")
        try await desk.server.control("/control/options", ["product": ["BTC-USDT": ["trading_disabled": true]]])
        let disabled = try #require(try await refusal(Self.buy("dxcboff", size: "0.1", at: "100.00")))
        #expect(disabled.code == "market_restricted" && disabled.venueCode == "ORDER_ENTRY_DISABLED", "\(disabled)")
        for id in ["dxcbfunds", "dxcbtick", "dxcblot", "dxcboff"] {
            #expect(try await Self.serverOrders(desk.server, id).isEmpty, "\(id) was not placed")
        }
    }

    @Test func aWrongKeyIsRefusedWithNoSecretInTheMessage() async throws {
        let server = try LocalCoinbase(["--speed", "0", "--scripted-product", "BTC-USDT"])
        defer { server.stop() }
        let real = try Self.credentials(server)
        // Not a CDP key name: refused before anything is sent.
        #expect(throws: CoinbaseKeyError.malformedKeyName(venue: "coinbase")) {
            _ = try CoinbaseExecution(settings: Self.settings(server),
                                      credentials: CoinbaseCredentials(keyName: "my-key", privateKeyPEM: real.privateKeyPEM))
        }
        // A well-formed name with a key the server does not hold: 401, typed, no secret in the words.
        let stranger = CoinbaseCredentials(keyName: real.keyName, privateKeyPEM: Support.pem)
        let execution = try CoinbaseExecution(settings: Self.settings(server), credentials: stranger)
        let inbox = VenueInbox()
        try await execution.connect(inbox)
        execution.submit(Self.buy("dxcbkey", size: "0.1", at: "100.00"))
        let updates = try await Support.updates(inbox, for: "dxcbkey", until: Support.ends)
        guard case .rejected(let failure)? = updates.last?.kind else { Issue.record("expected a refusal: \(updates)"); return }
        #expect(failure.code == "bad_credentials" && !failure.isRetryable, "\(failure)")
        let words = "\(failure) \(failure.detail) \(failure.venueMessage ?? "")"
        #expect(!words.contains("PRIVATE KEY") && !words.contains(String(real.privateKeyPEM.dropFirst(31).prefix(20))))
    }

    // MARK: The user stream

    @Test func theStreamDroppingMidOrderStillTellsEachFillOnce() async throws {
        let desk = try await Self.start(stream: true)
        defer { desk.stop() }
        let venue = try #require(desk.venue)
        // The answer comes late: the stream tells the order first; then the stream drops while the answer is out.
        try await desk.server.control("/control/fault", ["type": "delay_ack", "seconds": 0.5])
        desk.execution.submit(Self.buy("dxcbdrop", size: "1.5", at: "101.00"))
        try await Task.sleep(for: .milliseconds(150))
        try await desk.server.control("/control/fault", ["type": "drop_ws", "which": "private"])
        let updates = try await Support.updates(desk.inbox, for: "dxcbdrop", until: Support.done("1.5"))
        let serverFills = Self.serverFills(try await Self.serverOrders(desk.server, "dxcbdrop").first)
        #expect(Support.fills(updates).map(\.tradeId) == serverFills.compactMap { $0["trade_id"] as? String })
        for _ in 0..<100 where venue.privateStreamSessions < 2 { try await Task.sleep(for: .milliseconds(50)) }
        #expect(venue.privateStreamSessions >= 2, "the stream came back, with a fresh JWT")
        #expect(try await Support.more(desk.inbox, for: "dxcbdrop", during: .seconds(1)).isEmpty)

        // A message lost (a sequence number skipped) mid-order: read back by REST, still once each.
        try await desk.server.control("/control/fault", ["type": "skip_sequence", "which": "private"])
        desk.execution.submit(Self.buy("dxcbgap", size: "1", at: "103.00"))
        let gapUpdates = try await Support.updates(desk.inbox, for: "dxcbgap", until: Support.done("1"))
        for _ in 0..<60 where venue.privateStreamGaps < 1 { try await Task.sleep(for: .milliseconds(50)) }
        #expect(venue.privateStreamGaps >= 1)
        #expect(Support.filled(gapUpdates) == FixedDecimal(1))
        #expect(try await Support.more(desk.inbox, for: "dxcbgap", during: .seconds(1)).isEmpty)
        #expect(try await Support.more(desk.inbox, for: "dxcbdrop", during: .zero).isEmpty)
    }

    @Test func aUserSubscribeRefusedForItsJWTIsMadeAgainWithAFreshOne() async throws {
        // The first JWT the server checks reads its clock 121 s ahead: the user subscribe is refused.
        let desk = try await Self.start(stream: true, faults: [["type": "expire_jwt_skew", "seconds": 121, "count": 1]])
        defer { desk.stop() }
        let venue = try #require(desk.venue)
        let pending = try await desk.server.read("/control/faults") as? [String: Any]
        #expect((pending?["jwtSkews"] as? [Any])?.isEmpty == true, "the skewed check was spent on the first subscribe")
        #expect(venue.privateStreamSubscribed && venue.privateStreamSessions == 1)
        desk.execution.submit(Self.buy("dxcbjwt", size: "0.4", at: "100.00"))
        let updates = try await Support.updates(desk.inbox, for: "dxcbjwt", until: Support.done("0.4"))
        #expect(Support.fills(updates).count == 1)
    }

    @Test func aVenueClockThatMovedIsReadAgainAndTheOrderGoes() async throws {
        let desk = try await Self.start()
        defer { desk.stop() }
        // Coinbase's clock is now five minutes ahead of the offset measured at connect: every JWT is refused (401)
        // until the clock is read again.
        try await desk.server.control("/control/fault", ["type": "clock_shift", "seconds": 300])
        desk.execution.submit(Self.buy("dxcbclock", size: "0.4", at: "100.00"))
        let updates = try await Support.updates(desk.inbox, for: "dxcbclock", until: Support.done("0.4"))
        #expect(Support.fills(updates).count == 1, "\(updates)")
        #expect(abs((desk.execution.clockOffset - .seconds(300)).secondsDouble) < 2)
        #expect(try await Self.serverOrders(desk.server, "dxcbclock").count == 1)
    }

    // MARK: The account

    @Test func theAccountCheckAndTheInstrumentsAtTheAccountsRate() async throws {
        let desk = try await Self.start(stream: true)
        defer { desk.stop() }
        let venue = try #require(desk.venue)
        let check = try await venue.checkAccount()
        #expect(check.canTrade && check.canWithdraw == false && check.takerFee == FixedDecimal("0.006")!)
        #expect(check.balances["USDT"] == FixedDecimal(100000) && check.balances["BTC"] == FixedDecimal(10))
        #expect(abs(check.clockOffset.secondsDouble) < 2)
        let instruments = try await venue.instruments()
        #expect(instruments.first?.market.venue.takerFee == FixedDecimal("0.006")!)
        // Once the instruments are listed, an order off their grid is refused before it is sent.
        venue.submit(Self.buy("dxcbgrid", size: "0.1", at: "100.005"))
        let refused = try await Support.updates(desk.inbox, for: "dxcbgrid", until: Support.ends)
        guard case .rejected(let failure)? = refused.last?.kind else { Issue.record("expected a refusal: \(refused)"); return }
        #expect(failure.code == "bad_precision" && failure.venueCode == nil && failure.reason.contains("price_increment 0.01"),
                "\(failure)")
        #expect(try await Self.serverOrders(desk.server, "dxcbgrid").isEmpty)
        #expect(venue.rateLimitUsage(at: WallClock().now()).first?.name == "api")
        #expect(try await venue.openOrders(on: "coinbase").isEmpty)
    }
}

/// Coinbase's market data as the desk sees it, for the LIVE venue's tests: the BTC-USDT instrument the server lists
/// at config's fee. The real feed (the lead's `CoinbaseMarketFeed`) takes its place in the desk.
final class CoinbaseListedInstruments: MarketDataClient, Sendable {
    var venueIds: [VenueId] { ["coinbase"] }

    func instruments() async throws -> [VenueInstrument] {
        let venue = VenueSpec(id: "coinbase", kind: .exchange, takerFee: FixedDecimal("0.008")!, stalenessBound: .seconds(5))
        let instrument = InstrumentSpec(symbol: CoinbaseExecutionTests.btc, tickSize: FixedDecimal("0.01")!,
                                        lotSize: FixedDecimal("0.00000001")!, minNotional: FixedDecimal(1))
        return [VenueInstrument(market: Market(venue: venue, instrument: instrument, liquidity: .book(OrderBook(bids: [], asks: []))))]
    }

    func currentGas() async throws -> [GasQuote] { [] }
    func subscribe(_ keys: [MarketKey], into inbox: VenueInbox) async throws {}
    func unsubscribe(_ keys: [MarketKey]) async {}
}
