import DexterCEX
import DexterCore
import DexterVenues
import Foundation
import Testing
import TestServers

/// Binance USDⓈ-M orders against the local USDⓈ-M protocol server (Tests/Servers/binance_usdm), every number compared
/// with the server's own truth (`/control/orders`, `/control/account`, `/control/positions`): an IOC's fills with
/// Binance's trade ids and commissions, the position and margin it leaves; reduce-only refused when it would grow a
/// position (-2022) and clipped when it would flip one; margin refused (-2019), typed; a lost ack and a 5XX found by
/// the client id and never placed twice; a 429 after which nothing is sent until Retry-After on a held clock.
@Suite(.serialized) struct BinanceUSDMExecutionTests {
    typealias S = USDMTestSupport

    @Test func anIOCFillsExactlyAsTheServerBookedIt() async throws {
        let (server, execution, inbox) = try await S.start()
        defer { server.stop(); execution.stop() }
        execution.submit(S.order("mj3k2x1a-a1-1", .buy, "0.800", at: "30020.00"))
        let said = try await S.updates(inbox, for: "mj3k2x1a-a1-1", until: S.filled("0.8"))
        let placed = try await S.serverOrders(server, clientOrderId: "mj3k2x1a-a1-1")
        try #require(placed.count == 1, "placed once: \(placed)")
        #expect(placed[0]["status"] as? String == "FILLED" && placed[0]["timeInForce"] as? String == "IOC")
        guard case .accepted(let orderId)? = said.first?.kind else { Issue.record("accepted first: \(said)"); return }
        #expect(orderId == String(placed[0]["orderId"] as? Int ?? -1))
        let fills = S.fills(said), truth = placed[0]["fills"] as? [[String: Any]] ?? []
        #expect(fills.map(\.tradeId) == truth.map { String($0["tradeId"] as? Int ?? -1) } && fills.count == 2, "\(said)")
        for (fill, row) in zip(fills, truth) {
            #expect(fill.quantity == S.decimal(row["qty"]) && fill.fee == S.decimal(row["commission"]) && fill.feeAsset == "USDT")
            #expect(fill.notional == S.decimal(row["price"])! * S.decimal(row["qty"])!)
        }
        // 0.5 at 30010 and 0.3 at 30020, taker 0.04 %, to the last unit.
        #expect(fills.reduce(.zero) { $0 + $1.notional } == FixedDecimal("24011")!)
        #expect(fills.reduce(.zero) { $0 + $1.fee } == FixedDecimal("9.6044")!)
        #expect(S.filled(said) == FixedDecimal("0.8")! && S.fills(said).count == Set(fills.map(\.tradeId)).count)
        // The query answers the same, fees from userTrades.
        guard case .found(let report) = try await execution.query("mj3k2x1a-a1-1", on: S.venue) else {
            Issue.record("not found"); return
        }
        #expect(report.status == .filled && report.notional == FixedDecimal("24011")! && report.fee == FixedDecimal("9.6044")!)
        #expect(try await execution.query("mj3k2x1a-a99-1", on: S.venue) == .unknown)
        // The position and the margin as the server keeps them.
        let position = try #require(try await execution.positions().first)
        let account = try await S.serverAccount(server)
        let serverPosition = try #require((account["positions"] as? [[String: Any]])?.first)
        #expect(position.symbol == usdmBTC && position.amount == S.decimal(serverPosition["positionAmt"]))
        #expect(position.amount == FixedDecimal("0.8")! && position.entryPrice == FixedDecimal("30013.75")!)
        #expect(position.markPrice == S.decimal(serverPosition["markPrice"]) && position.leverage == serverPosition["leverage"] as? Int)
        let margin = try await execution.margin()
        #expect(margin.totalMaintMargin == S.decimal(account["maint"]) && margin.totalMarginBalance == S.decimal(account["margin_balance"]))
        #expect(margin.totalMaintMargin.isPositive && margin.marginRatio! < FixedDecimal("0.01")!)
        // The seam's view for the margin buffer: the same numbers.
        let venueMargin = try await execution.margin(on: S.venue)
        #expect(venueMargin.maintenanceMargin == margin.totalMaintMargin && venueMargin.marginBalance == margin.totalMarginBalance)
        #expect(venueMargin.positions.map(\.size) == [FixedDecimal("0.8")!] && venueMargin.positions.first?.symbol == usdmBTC)
        // 100,000 USDT behind 0.8 BTC: Binance's formula puts liquidation below zero, written 0, which is none.
        #expect(position.liquidationPrice.isZero && venueMargin.positions.first?.liquidationPrice == nil)
        let balances = try await execution.balances(on: S.venue)
        #expect(balances["USDT"] == S.decimal(account["walletBalance"]) && balances["USDT"] == FixedDecimal("99990.3956")!)
    }

    @Test func reduceOnlyIsRefusedWhenItWouldGrowAndClippedWhenItWouldFlip() async throws {
        let (server, execution, inbox) = try await S.start()
        defer { server.stop(); execution.stop() }
        // Flat: a reduce-only sell would open a short. -2022, typed, nothing placed.
        execution.submit(S.order("dxro1", .sell, "0.100", at: "30000.00", reduceOnly: true))
        let refused = try await S.updates(inbox, for: "dxro1", until: S.ends)
        guard case .rejected(let failure)? = refused.last?.kind else { Issue.record("expected a refusal: \(refused)"); return }
        #expect(failure.code == "reduce_only_rejected" && failure.venueCode == "-2022" && !failure.isRetryable, "\(failure)")
        #expect(try await S.serverOrders(server, clientOrderId: "dxro1").isEmpty)
        // Long 0.2: a reduce-only sell of 0.5 sells 0.2 and the rest expires; the position is flat, not short.
        execution.submit(S.order("dxro2", .buy, "0.200", at: "30010.00"))
        _ = try await S.updates(inbox, for: "dxro2", until: S.filled("0.2"))
        execution.submit(S.order("dxro3", .sell, "0.500", at: "30000.00", reduceOnly: true))
        let cut = try await S.updates(inbox, for: "dxro3", until: S.ends)
        #expect(S.filled(cut) == FixedDecimal("0.2")!, "\(cut)")
        guard case .expired? = cut.last?.kind else { Issue.record("the rest expires: \(cut)"); return }
        let placed = try await S.serverOrders(server, clientOrderId: "dxro3")
        #expect(placed.count == 1 && placed[0]["reduceOnly"] as? Bool == true)
        #expect(try await execution.positions().isEmpty)
    }

    @Test func insufficientMarginIsATypedRefusal() async throws {
        let (server, execution, inbox) = try await S.start(usdt: "10")
        defer { server.stop(); execution.stop() }
        execution.submit(S.order("dxmargin1", .buy, "0.100", at: "30010.00"))
        let said = try await S.updates(inbox, for: "dxmargin1", until: S.ends)
        guard case .rejected(let failure)? = said.last?.kind else { Issue.record("expected a refusal: \(said)"); return }
        #expect(failure.code == "insufficient_margin" && failure.venueCode == "-2019" && failure.failureClass == .rejected)
        #expect(failure.venueMessage == "Margin is insufficient.")
        #expect(try await S.serverOrders(server, clientOrderId: "dxmargin1").isEmpty)
    }

    @Test func aLateOrLostAckIsFoundByItsClientIdAndPlacedOnce() async throws {
        let (server, execution, inbox) = try await S.start()
        defer { server.stop(); execution.stop() }
        for (fault, id) in [(["type": "delay_ack", "seconds": 5, "count": 1] as [String: Any], "dxlate1"),
                            (["type": "lose_ack", "count": 1], "dxlost1")] {
            try await server.control("/control/fault", fault)
            execution.submit(S.order(id, .buy, "0.100", at: "30020.00"))
            let said = try await S.updates(inbox, for: id, until: S.filled("0.1"))
            #expect(S.filled(said) == FixedDecimal("0.1")!, "\(fault): \(said)")
            let placed = try await S.serverOrders(server, clientOrderId: id)
            #expect(placed.count == 1, "placed once: \(fault)")
            let serverIds = (placed.first?["fills"] as? [[String: Any]] ?? []).map { String($0["tradeId"] as? Int ?? -1) }
            #expect(S.fills(said).map(\.tradeId) == serverIds && !serverIds.isEmpty, "each trade once: \(fault)")
        }
    }

    @Test func aServerErrorIsQueriedBeforeAnythingIsResent() async throws {
        let (server, execution, inbox) = try await S.start()
        defer { server.stop(); execution.stop() }
        // A bare 503 after Binance executed it: found by its client id, its fills told, placed once.
        try await server.control("/control/fault", ["type": "http_error", "status": 503, "execute": true, "scope": "orders"])
        execution.submit(S.order("dx5xxdone", .buy, "0.100", at: "30020.00"))
        let done = try await S.updates(inbox, for: "dx5xxdone", until: S.filled("0.1"))
        #expect(S.filled(done) == FixedDecimal("0.1")!, "\(done)")
        #expect(try await S.serverOrders(server, clientOrderId: "dx5xxdone").count == 1)
        // -1007 (timeout, status unknown) before it executed: Binance has no such order (-2013); may be sent again.
        try await server.control("/control/fault", ["type": "error", "code": -1007, "status": 503, "scope": "orders",
                                                    "msg": "Timeout waiting for response from backend server."])
        execution.submit(S.order("dx5xxnone", .buy, "0.100", at: "30020.00"))
        let none = try await S.updates(inbox, for: "dx5xxnone", until: S.ends)
        guard case .rejected(let failure)? = none.last?.kind else { Issue.record("expected a refusal: \(none)"); return }
        #expect(failure.code == "not_placed" && failure.isRetryable && failure.venueCode == "-1007", "\(failure)")
        #expect(try await S.serverOrders(server, clientOrderId: "dx5xxnone").isEmpty)
        execution.submit(S.order("dx5xxnone", .buy, "0.100", at: "30020.00"))
        let again = try await S.updates(inbox, for: "dx5xxnone", until: S.filled("0.1"))
        #expect(S.filled(again) == FixedDecimal("0.1")!)
        #expect(try await S.serverOrders(server, clientOrderId: "dx5xxnone").count == 1)
    }

    @Test func after429NothingIsSentUntilRetryAfterAnd418StopsEverythingForTheBan() async throws {
        // Stops are read on the execution's clock, held still from the refusal to the order that must be held back.
        let clock = HeldClock()
        let (server, execution, inbox) = try await S.start(clock: clock)
        defer { server.stop(); execution.stop() }
        try await server.control("/control/fault", ["type": "rate_limit"])
        clock.hold()
        // The minute's weight is spent: a weighted request is answered 429 with Retry-After.
        var thrown: (any Error)?
        do { _ = try await execution.balances(on: S.venue) } catch { thrown = error }
        let limited = try #require(thrown as? BinanceFailure, "\(String(describing: thrown))")
        guard case .after(let seconds?) = limited.retry else { Issue.record("Retry-After kept: \(limited)"); return }
        #expect(limited.failure.code == "rate_limited" && limited.failure.venueCode == "-1003" && limited.failure.isRetryable)
        #expect(execution.gate.stoppedUntil(at: clock.now()) == clock.now().adding(.seconds(seconds)))
        // The Risk panel and the pre-trade check see the hold on both budgets.
        #expect(execution.rateLimitUsage(at: clock.now()).map(\.heldUntil) == Array(repeating: clock.now().adding(.seconds(seconds)), count: 2))
        // Until then nothing leaves: an order is refused as not sent, and the server never sees it.
        execution.submit(S.order("dx429a", .buy, "0.100", at: "30020.00"))
        let held = try await S.updates(inbox, for: "dx429a", until: S.ends)
        guard case .rejected(let notSent)? = held.last?.kind else { Issue.record("expected a refusal: \(held)"); return }
        #expect(notSent.code == "not_sent" && notSent.isRetryable && notSent.venueCode == nil, "\(notSent)")
        #expect(try await S.serverOrders(server, clientOrderId: "dx429a").isEmpty)
        // Past Retry-After on dexter's clock but not on the server's (its windows are of wall time): the server bans
        // the IP (418), and the ban stops every request for its Retry-After.
        clock.release(advancedBy: .seconds(seconds) + .milliseconds(10))
        clock.hold()
        execution.submit(S.order("dx418a", .buy, "0.100", at: "30020.00"))
        let banned = try await S.updates(inbox, for: "dx418a", until: S.ends)
        guard case .rejected(let ban)? = banned.last?.kind else { Issue.record("expected a ban: \(banned)"); return }
        #expect(ban.code == "ip_banned" && ban.venueCode == "-1003" && ban.isRetryable, "\(ban)")
        let until = try #require(execution.gate.stoppedUntil(at: clock.now()), "stopped for the ban")
        #expect(until.duration(since: clock.now()) > .seconds(60), "the ban's Retry-After (120 s), not a minute's")
        execution.submit(S.order("dx418b", .buy, "0.100", at: "30020.00"))
        let stopped = try await S.updates(inbox, for: "dx418b", until: S.ends)
        guard case .rejected(let during)? = stopped.last?.kind else { Issue.record("expected a refusal: \(stopped)"); return }
        #expect(during.code == "not_sent", "\(during)")
        // The ban over (the server's limits reset by hand), orders go again.
        try await server.control("/control/limits", ["reset": true])
        clock.release(advancedBy: until.duration(since: clock.now()) + .milliseconds(10))
        execution.submit(S.order("dx429c", .buy, "0.100", at: "30020.00"))
        let again = try await S.updates(inbox, for: "dx429c", until: S.filled("0.1"))
        #expect(S.filled(again) == FixedDecimal("0.1")!, "\(again)")
        #expect(try await S.serverOrders(server, clientOrderId: "dx418b").isEmpty)
    }

    @Test func aShiftedClockIsMeasuredAgainOnceAndTheOrderGoes() async throws {
        let (server, execution, inbox) = try await S.start()
        defer { server.stop(); execution.stop() }
        try await server.control("/control/fault", ["type": "clock_shift", "ms": 120_000])
        execution.submit(S.order("dxclock1", .buy, "0.100", at: "30020.00"))
        let said = try await S.updates(inbox, for: "dxclock1", until: S.filled("0.1"))
        #expect(S.filled(said) == FixedDecimal("0.1")!, "\(said)")
        #expect(abs(execution.clockOffsetMillis - 120_000) < 5_000)
    }

    @Test func theSweepCancelsWhatRestsOnTheAccount() async throws {
        let (server, execution, inbox) = try await S.start()
        defer { server.stop(); execution.stop() }
        // A GTC bid placed by another tool on the same account, resting below the book.
        let builder = BinanceUSDMRequestBuilder(credentials: BinanceCredentials(apiKey: S.key, secret: S.secret))
        let resting = builder.newOrder(symbol: "BTCUSDT", side: .buy, quantity: FixedDecimal("0.010")!,
                                       price: FixedDecimal("29000.00")!, clientOrderId: "web_rest1", timeInForce: "GTC",
                                       timestamp: Int64(Date().timeIntervalSince1970 * 1000))
        let answer = try await S.sendAsAnotherTool(server, resting)
        try #require(answer["status"] as? String == "NEW", "\(answer)")
        #expect(try await execution.openOrders(on: S.venue).map(\.clientOrderId) == ["web_rest1"])
        #expect(try await execution.cancelOpenOrders(on: S.venue) == ["web_rest1"])
        let said = try await S.updates(inbox, for: "web_rest1", until: S.ends)
        guard case .canceled? = said.last?.kind else { Issue.record("its end told: \(said)"); return }
        #expect(try await S.serverOrders(server, clientOrderId: "web_rest1").first?["status"] as? String == "CANCELED")
        #expect(try await execution.cancelOpenOrders(on: S.venue).isEmpty)
    }

    @Test func aWrongSecretIsATypedRefusalWithoutTheSecretInIt() async throws {
        let wrong = "NOTTHESECRET00000000000000000000"
        let server = try LocalBinanceUSDM(["--speed", "0", "--account", "\(S.key):\(S.secret):USDT=1000"])
        defer { server.stop() }
        var settings = BinanceUSDMExecutionSettings(venue: S.venue, symbols: [usdmBTC], restURL: server.restURL,
                                                    streamURL: server.streamURL)
        settings.requestTimeout = .milliseconds(2500)
        let execution = BinanceUSDMExecution(settings: settings, credentials: BinanceCredentials(apiKey: S.key, secret: wrong))
        try await execution.measureClock()
        var thrown: (any Error)?
        do { _ = try await execution.balances(on: S.venue) } catch { thrown = error }
        let typed = try #require(thrown as? BinanceFailure, "\(String(describing: thrown))")
        #expect(typed.failure.code == "bad_signature" && typed.failure.venueCode == "-1022" && typed.retry == .never)
        for text in ["\(typed)", typed.failure.detail, "\(execution)", "\(BinanceCredentials(apiKey: S.key, secret: wrong))"] {
            #expect(!text.contains(wrong) && !text.contains(S.secret), "a secret in: \(text)")
        }
    }
}
