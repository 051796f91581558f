import DexterCEX
import DexterCore
import DexterMarket
import DexterVenues
import Foundation
import Testing
import TestServers

/// The Bybit account beyond orders, against the local server: funding told once per settlement with the server's
/// own figure and execId, also across a reconnect and from the ledger's newest payment; executions missed while the
/// private stream was down caught up over REST; 10006 holding every request until its reset; the account check,
/// which refuses hedge mode and names the symbol; the venue's margin as the server keeps it.
@Suite(.serialized) struct BybitAccountTests {
    typealias S = BybitTestSupport

    /// The server's funding rows of a settlement.
    func settle(_ server: LocalBybit) async throws -> [[String: Any]] {
        try await server.control("/control/funding", ["symbol": "BTCUSDT", "rate": "0.0001", "markPrice": "30005"])
        let answer = try await server.control("/control/settle_funding", ["symbol": "BTCUSDT"]) as? [String: Any] ?? [:]
        return answer["rows"] as? [[String: Any]] ?? []
    }

    @Test func fundingIsToldOnceWithTheServersFigureAlsoAcrossAReconnect() async throws {
        let (server, execution, inbox) = try await S.start()
        defer { server.stop(); execution.stop() }
        execution.submit(S.order("dxlong", .buy, "0.8", at: "30020"))
        _ = try await S.updates(inbox, for: "dxlong", until: S.filled("0.8"))
        let rows = try await settle(server)
        try #require(rows.count == 1, "\(rows)")
        let told = try await S.fundings(inbox, atLeast: 1)
        #expect(told.count == 1, "\(told)")
        let payment = try #require(told.first)
        #expect(payment.id == rows[0]["execId"] as? String && payment.amount == S.decimal(rows[0]["funding"]))
        #expect(payment.amount == FixedDecimal("-2.4004")!, "the long pays 0.8 × 30005 × 0.0001")
        #expect(payment.asset == "USDT" && payment.symbol == S.btc && payment.venue == S.venue)
        try await server.control("/control/fault", ["type": "drop_ws", "which": "private"])
        try await S.until("a second subscription and its catch-up") { execution.catchUps >= 2 }
        #expect(inbox.drain().fundings.isEmpty, "the catch-up reads it again and tells it no more")
    }

    @Test func fundingSinceTheLedgersNewestPaymentIsReadOnConnectOnce() async throws {
        let since = WallClock().now()
        var rows: [[String: Any]] = []
        let (server, execution, inbox) = try await S.start(fundingSince: since, connect: false) { server in
            // A position held and funded before the desk connects (another session, now over).
            _ = try await S.sendAsAnotherTool(server) {
                S.builder.createOrder(symbol: "BTCUSDT", side: .sell, quantity: FixedDecimal("0.3")!, price: FixedDecimal(30000),
                                      orderLinkId: "earlier-short", at: $0)
            }
            rows = try await self.settle(server)
        }
        defer { server.stop(); execution.stop() }
        try #require(rows.count == 1)
        try await execution.connect(inbox)
        let told = try await S.fundings(inbox, atLeast: 1)
        #expect(told.count == 1 && told.first?.id == rows[0]["execId"] as? String, "\(told)")
        #expect(told.first?.amount == FixedDecimal("0.90015")!, "the short receives 0.3 × 30005 × 0.0001")
        #expect(told.first?.amount == S.decimal(rows[0]["funding"]))
        #expect(told.first?.positionSize == FixedDecimal("-0.3")! && told.first?.rate == FixedDecimal("0.0001")!)
    }

    @Test func executionsMissedWhileTheStreamWasDownAreCaughtUpOverREST() async throws {
        let (server, execution, inbox) = try await S.start()
        defer { server.stop(); execution.stop() }
        execution.submit(S.order("dxbefore", .buy, "0.1", at: "30020"))
        _ = try await S.updates(inbox, for: "dxbefore", until: S.filled("0.1"))
        // The stream is cut and the account funded before it is back: the catch-up tells the payment.
        try await server.control("/control/fault", ["type": "bad_auth", "count": 3])
        try await server.control("/control/fault", ["type": "drop_ws", "which": "private"])
        let rows = try await settle(server)
        try await S.until("the stream back and caught up") { execution.catchUps >= 2 }
        let told = try await S.fundings(inbox, atLeast: 1)
        #expect(told.map(\.id) == rows.compactMap { $0["execId"] as? String } && told.count == 1, "\(told)")
        #expect(S.fills(inbox.drain().orders).isEmpty, "the fill before is not told again")
    }

    @Test func after10006NothingIsSentUntilTheResetBybitNamed() async throws {
        let (server, execution, inbox) = try await S.start()
        defer { server.stop(); execution.stop() }
        try await server.control("/control/fault", ["type": "rate_limit", "count": 1])
        var thrown: (any Error)?
        do { _ = try await execution.balances(on: S.venue) } catch { thrown = error }
        let limited = try #require(thrown as? BybitError, "\(String(describing: thrown))")
        #expect(limited.retCode == 10006 && limited.failure.code == "rate_limited" && limited.failure.isRetryable)
        let now = WallClock().now()
        let usage = execution.rateLimitUsage(at: now)
        let held = try #require(usage.first?.heldUntil, "\(usage)")
        #expect(usage.allSatisfy { $0.heldUntil == held } && held > now && held < now.adding(.seconds(2)))
        execution.submit(S.order("dxheld", .buy, "0.1", at: "30020"))
        let refused = try await S.updates(inbox, for: "dxheld", until: S.ends)
        guard case .rejected(let notSent)? = refused.last?.kind else { Issue.record("expected a refusal: \(refused)"); return }
        #expect(notSent.code == "rate_limited" && notSent.isRetryable && notSent.venueCode == nil, "\(notSent)")
        #expect(try await S.serverOrders(server, link: "dxheld").isEmpty)
        try await Task.sleep(for: held.duration(since: WallClock().now()) + .milliseconds(100))
        execution.submit(S.order("dxheld", .buy, "0.1", at: "30020"))
        #expect(S.filled(try await S.updates(inbox, for: "dxheld", until: S.filled("0.1"))) == FixedDecimal("0.1")!)
        let faults = try await server.read("/control/faults") as? [String: Any] ?? [:]
        #expect(faults["forcedRateLimits"] as? Int == 0)
    }

    @Test func anIPBanHoldsEveryRequestTenMinutes() async throws {
        let (server, execution, inbox) = try await S.start()
        defer { server.stop(); execution.stop() }
        // Two requests in 5 s from this IP: the next is answered HTTP 403 "access too frequent".
        try await server.control("/control/limits", ["ipPer5s": 2, "reset": true])
        var thrown: (any Error)?
        for _ in 0..<3 where thrown == nil {
            do { _ = try await execution.balances(on: S.venue) } catch { thrown = error }
        }
        let banned = try #require(thrown as? BybitError, "\(String(describing: thrown))")
        #expect(banned.httpStatus == 403 && banned.retCode == nil && banned.failure.code == "rate_limited", "\(banned)")
        let now = WallClock().now()
        let held = try #require(execution.rateLimitUsage(at: now).first?.heldUntil)
        #expect(held > now.adding(.seconds(590)) && held <= now.adding(.seconds(600)))
        try await server.control("/control/limits", ["ipPer5s": 600, "reset": true])
        execution.submit(S.order("dxban", .buy, "0.1", at: "30020"))
        let refused = try await S.updates(inbox, for: "dxban", until: S.ends)
        guard case .rejected(let notSent)? = refused.last?.kind else { Issue.record("expected a refusal: \(refused)"); return }
        #expect(notSent.code == "rate_limited" && "\(notSent)".contains("HTTP 403"), "\(notSent)")
        #expect(try await S.serverOrders(server, link: "dxban").isEmpty, "nothing sent during the ban")
    }

    @Test func theSweepCancelsWhatRestsOnTheAccount() async throws {
        let (server, execution, inbox) = try await S.start()
        defer { server.stop(); execution.stop() }
        // A GTC bid placed by another tool on the same account, resting below the book.
        let answer = try await S.sendAsAnotherTool(server) {
            S.builder.createOrder(symbol: "BTCUSDT", side: .buy, quantity: FixedDecimal("0.01")!, price: FixedDecimal(29000),
                                  timeInForce: "GTC", orderLinkId: "web_rest1", at: $0)
        }
        try #require(answer["retCode"] as? Int == 0, "\(answer)")
        #expect(try await execution.openOrders(on: S.venue).map(\.clientOrderId) == ["web_rest1"])
        #expect(try await execution.cancelOpenOrders(on: S.venue) == ["web_rest1"])
        let said = try await S.updates(inbox, for: "web_rest1", until: S.ends)
        guard case .canceled? = said.last?.kind else { Issue.record("its end told: \(said)"); return }
        #expect(try await S.serverOrders(server, link: "web_rest1").first?["orderStatus"] as? String == "Cancelled")
        #expect(try await execution.cancelOpenOrders(on: S.venue).isEmpty)
    }

    @Test func theAccountCheckRefusesHedgeModeAndReadsTheAccount() async throws {
        let (server, execution, _) = try await S.start(connect: false)
        defer { server.stop(); execution.stop() }
        let venue = try BybitLiveVenue(marketData: FixedInstruments(venue: S.venue), settings: execution.settings,
                                       credentials: BybitCredentials(apiKey: S.key, secret: S.secret))
        defer { venue.stop() }
        let check = try await venue.checkAccount()
        #expect(check.balances["USDT"] == FixedDecimal(100_000) && check.canTrade && check.takerFee == FixedDecimal("0.00055")!)
        #expect(check.canWithdraw == false)
        let switched = try await S.sendAsAnotherTool(server) { S.builder.switchPositionMode(symbol: "BTCUSDT", mode: 3, at: $0) }
        try #require(switched["retCode"] as? Int == 0, "\(switched)")
        var thrown: (any Error)?
        do { _ = try await venue.checkAccount() } catch { thrown = error }
        let refused = try #require(thrown as? BybitAccountError, "\(String(describing: thrown))")
        #expect("\(refused)".contains("BTCUSDT in hedge mode") && "\(refused)".contains("one-way"), "\(refused)")
        #expect(!"\(refused)".contains(S.secret))
    }

    @Test func aReadOnlyKeyIsSaidNotToTrade() async throws {
        let accounts = NSTemporaryDirectory() + "bybit-readonly-\(UUID().uuidString).json"
        try JSONSerialization.data(withJSONObject: ["accounts": [[
            "name": "desk", "balances": ["USDT": "1000"],
            "keys": [["apiKey": S.key, "secret": S.secret, "readOnly": true, "withdraw": true]],
        ]]]).write(to: URL(fileURLWithPath: accounts))
        defer { try? FileManager.default.removeItem(atPath: accounts) }
        let server = try LocalBybit(["--speed", "0", "--accounts", accounts])
        defer { server.stop() }
        let venue = try BybitLiveVenue(marketData: FixedInstruments(venue: S.venue),
                                       settings: BybitExecutionSettings(venue: S.venue, symbols: [S.btc], restURL: server.restURL,
                                                                        privateURL: server.privateWSURL,
                                                                        requestTimeout: .milliseconds(2500)),
                                       credentials: BybitCredentials(apiKey: S.key, secret: S.secret))
        defer { venue.stop() }
        let check = try await venue.checkAccount()
        #expect(!check.canTrade && check.balances["USDT"] == FixedDecimal(1000), "\(check)")
        #expect(check.canWithdraw == true, "a key that may withdraw is said to")
    }

    @Test func theVenuesMarginIsTheServers() async throws {
        let (server, execution, inbox) = try await S.start()
        defer { server.stop(); execution.stop() }
        let venue = try BybitLiveVenue(marketData: FixedInstruments(venue: S.venue), settings: execution.settings,
                                       credentials: BybitCredentials(apiKey: S.key, secret: S.secret))
        defer { venue.stop() }
        execution.submit(S.order("dxm", .sell, "0.5", at: "30000"))
        _ = try await S.updates(inbox, for: "dxm", until: S.filled("0.5"))
        let margin = try await venue.margin(on: S.venue)
        let account = try await S.serverAccount(server)
        let position = try #require((account["positions"] as? [[String: Any]])?.first)
        #expect(margin.positions.map(\.size) == [FixedDecimal("-0.5")!] && margin.positions.first?.symbol == S.btc)
        #expect(margin.positions.first?.entryPrice == S.decimal(position["avgPrice"]))
        #expect(margin.positions.first?.markPrice == S.decimal(position["markPrice"]))
        #expect(margin.maintenanceMargin.isPositive && margin.marginBalance.isPositive)
    }
}

/// A market-data client with nothing to say: the account tests need only the venue's execution side.
final class FixedInstruments: MarketDataClient, Sendable {
    let venue: VenueId
    init(venue: VenueId) { self.venue = venue }
    var venueIds: [VenueId] { [venue] }
    func instruments() async throws -> [VenueInstrument] { [] }
    func currentGas() async throws -> [GasQuote] { [] }
    func subscribe(_ keys: [MarketKey], into inbox: VenueInbox) async throws {}
    func unsubscribe(_ keys: [MarketKey]) async {}
}
