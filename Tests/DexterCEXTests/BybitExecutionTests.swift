import DexterCEX
import DexterCore
import DexterVenues
import Foundation
import Testing
import TestServers

/// Bybit v5 linear orders against the local Bybit server (Tests/Servers/bybit), every number compared with the
/// server's own truth (`/control/orders`, `/control/account`): an IOC's fills with Bybit's execIds and execFees, the
/// query by orderLinkId; reduce-only refused when there is nothing to reduce (110017) and cut when it would flip;
/// insufficient balance (110007) typed; a late or lost ack, a 5XX and a 10016 found by orderLinkId and never placed
/// twice; a 10002 re-measured once; a wrong secret typed, never said.
@Suite(.serialized) struct BybitExecutionTests {
    typealias S = BybitTestSupport

    @Test func anIOCFillsExactlyAsTheServerBookedIt() async throws {
        let (server, execution, inbox) = try await S.start()
        defer { server.stop(); execution.stop() }
        execution.submit(S.order("mj3k2x1a-b1-1", .buy, "0.8", at: "30020"))
        let said = try await S.updates(inbox, for: "mj3k2x1a-b1-1", until: S.filled("0.8"))
        let placed = try await S.serverOrders(server, link: "mj3k2x1a-b1-1")
        try #require(placed.count == 1, "placed once: \(placed)")
        #expect(placed[0]["orderStatus"] as? String == "Filled" && placed[0]["timeInForce"] as? String == "IOC")
        let orderId = try #require(placed[0]["orderId"] as? String)
        guard case .accepted(let venueId)? = said.first?.kind else { Issue.record("accepted first: \(said)"); return }
        #expect(venueId == orderId)
        let fills = S.fills(said), truth = try await S.serverExecutions(server, orderId: orderId)
        #expect(fills.count == 2 && Set(fills.map(\.tradeId)) == Set(truth.compactMap { $0["execId"] as? String }), "\(said)")
        for fill in fills {
            let row = try #require(truth.first { $0["execId"] as? String == fill.tradeId })
            #expect(fill.quantity == S.decimal(row["execQty"]) && fill.fee == S.decimal(row["execFee"]) && fill.feeAsset == "USDT")
            #expect(fill.notional == S.decimal(row["execValue"]))
        }
        #expect(fills.reduce(.zero) { $0 + $1.notional } == FixedDecimal("24011")!, "0.5 at 30010 and 0.3 at 30020")
        #expect(fills.reduce(.zero) { $0 + $1.fee } == S.decimal(placed[0]["cumExecFee"]))
        #expect(S.filled(said) == FixedDecimal("0.8")!)
        // Nothing more comes for it (the stream and REST both told it: each execId once).
        try await Task.sleep(for: .milliseconds(600))
        #expect(S.fills(inbox.drain().orders.filter { $0.clientOrderId == "mj3k2x1a-b1-1" }).isEmpty)
        guard case .found(let report) = try await execution.query("mj3k2x1a-b1-1", on: S.venue) else {
            Issue.record("not found"); return
        }
        #expect(report.status == .filled && report.notional == FixedDecimal("24011")! && report.fee == S.decimal(placed[0]["cumExecFee"]))
        #expect(try await execution.query("mj3k2x1a-b99-1", on: S.venue) == .unknown)
        let account = try await S.serverAccount(server)
        #expect(try await execution.balances(on: S.venue)["USDT"] == S.decimal(account["walletBalance"]))
        #expect(execution.rateLimitUsage(at: WallClock().now()).contains { $0.name == "ord" && $0.limit == 10 })
    }

    @Test func anIOCWithNothingAtItsLimitExpiresAndItsRestIsCanceled() async throws {
        let (server, execution, inbox) = try await S.start()
        defer { server.stop(); execution.stop() }
        execution.submit(S.order("dxnone", .buy, "0.1", at: "30000"))
        let none = try await S.updates(inbox, for: "dxnone", until: S.ends)
        guard case .expired? = none.last?.kind else { Issue.record("expired: \(none)"); return }
        #expect(S.fills(none).isEmpty)
        execution.submit(S.order("dxpart", .buy, "1", at: "30010"))
        let part = try await S.updates(inbox, for: "dxpart", until: S.ends)
        guard case .canceled? = part.last?.kind else { Issue.record("the rest canceled: \(part)"); return }
        #expect(S.filled(part) == FixedDecimal("0.5")!)
        #expect(try await S.serverOrders(server, link: "dxpart").first?["orderStatus"] as? String == "Cancelled")
    }

    @Test func reduceOnlyIsRefusedWhenFlatAndCutWhenItWouldFlip() async throws {
        let (server, execution, inbox) = try await S.start()
        defer { server.stop(); execution.stop() }
        execution.submit(S.order("dxro1", .sell, "0.1", at: "30000", reduceOnly: true))
        let refused = try await S.updates(inbox, for: "dxro1", until: S.ends)
        guard case .rejected(let failure)? = refused.last?.kind else { Issue.record("expected a refusal: \(refused)"); return }
        #expect(failure.code == "reduce_only_refused" && failure.venueCode == "110017" && !failure.isRetryable, "\(failure)")
        #expect(try await S.serverOrders(server, link: "dxro1").isEmpty)
        execution.submit(S.order("dxro2", .buy, "0.2", at: "30010"))
        _ = try await S.updates(inbox, for: "dxro2", until: S.filled("0.2"))
        execution.submit(S.order("dxro3", .sell, "0.5", at: "30000", reduceOnly: true))
        let cut = try await S.updates(inbox, for: "dxro3", until: S.ends)
        #expect(S.filled(cut) == FixedDecimal("0.2")!, "\(cut)")
        let placed = try await S.serverOrders(server, link: "dxro3")
        #expect(placed.count == 1 && placed[0]["reduceOnly"] as? Bool == true)
        #expect(try await execution.positions().allSatisfy { $0.size.isZero })
    }

    @Test func insufficientBalanceIsATypedRefusal() async throws {
        let (server, execution, inbox) = try await S.start(usdt: "10")
        defer { server.stop(); execution.stop() }
        execution.submit(S.order("dxpoor", .buy, "0.1", at: "30010"))
        let said = try await S.updates(inbox, for: "dxpoor", until: S.ends)
        guard case .rejected(let failure)? = said.last?.kind else { Issue.record("expected a refusal: \(said)"); return }
        #expect(failure.code == "insufficient_funds" && failure.venueCode == "110007" && failure.failureClass == .rejected)
        #expect(try await S.serverOrders(server, link: "dxpoor").isEmpty)
    }

    @Test func aLateOrLostAckIsFoundByItsOrderLinkIdAndPlacedOnce() async throws {
        let (server, execution, inbox) = try await S.start()
        defer { server.stop(); execution.stop() }
        for (fault, id) in [(["type": "delay_ack", "seconds": 5, "count": 1] as [String: Any], "dxlate1"),
                            (["type": "lose_ack", "count": 1], "dxlost1"),
                            (["type": "http_error", "status": 503, "execute": true, "scope": "orders"], "dx5xx1"),
                            (["type": "error", "code": 10016, "execute": true, "scope": "orders"], "dx10016")] {
            try await server.control("/control/fault", fault)
            execution.submit(S.order(id, .buy, "0.1", at: "30020"))
            let said = try await S.updates(inbox, for: id, until: S.filled("0.1"))
            #expect(S.filled(said) == FixedDecimal("0.1")!, "\(fault): \(said)")
            let placed = try await S.serverOrders(server, link: id)
            #expect(placed.count == 1, "placed once: \(fault)")
            let orderId = placed.first?["orderId"] as? String ?? ""
            let truth = try await S.serverExecutions(server, orderId: orderId).compactMap { $0["execId"] as? String }
            #expect(S.fills(said).map(\.tradeId).sorted() == truth.sorted() && !truth.isEmpty, "each execution once: \(fault)")
        }
        // A resend under an id Bybit holds is 110072: found, never placed twice.
        execution.submit(S.order("dxlate1", .buy, "0.1", at: "30020"))
        try await Task.sleep(for: .seconds(1))
        #expect(try await S.serverOrders(server, link: "dxlate1").count == 1)
    }

    @Test func aServerErrorBeforeExecutionIsNotPlacedAndMayBeSentAgain() async throws {
        let (server, execution, inbox) = try await S.start()
        defer { server.stop(); execution.stop() }
        try await server.control("/control/fault", ["type": "error", "code": 10016, "scope": "orders"])
        execution.submit(S.order("dxnot", .buy, "0.1", at: "30020"))
        let none = try await S.updates(inbox, for: "dxnot", until: S.ends)
        guard case .rejected(let failure)? = none.last?.kind else { Issue.record("expected a refusal: \(none)"); return }
        #expect(failure.code == "not_placed" && failure.isRetryable && failure.venueCode == "10016", "\(failure)")
        #expect(try await S.serverOrders(server, link: "dxnot").isEmpty)
        execution.submit(S.order("dxnot", .buy, "0.1", at: "30020"))
        #expect(S.filled(try await S.updates(inbox, for: "dxnot", until: S.filled("0.1"))) == FixedDecimal("0.1")!)
        #expect(try await S.serverOrders(server, link: "dxnot").count == 1)
    }

    @Test func aShiftedClockIsMeasuredAgainOnceAndTheOrderGoes() async throws {
        let (server, execution, inbox) = try await S.start()
        defer { server.stop(); execution.stop() }
        try await server.control("/control/fault", ["type": "clock_shift", "ms": 120_000])
        execution.submit(S.order("dxclock1", .buy, "0.1", at: "30020"))
        #expect(S.filled(try await S.updates(inbox, for: "dxclock1", until: S.filled("0.1"))) == FixedDecimal("0.1")!)
        #expect(abs(execution.clockOffsetMillis - 120_000) < 5_000)
    }

    @Test func aWrongSecretIsATypedRefusalWithoutTheSecretInIt() async throws {
        let wrong = "NOTTHESECRET00000000000000000000"
        let (server, execution, inbox) = try await S.start(secret: wrong, connect: false)
        defer { server.stop(); execution.stop() }
        try await execution.connect(inbox)
        execution.submit(S.order("dxkey", .buy, "0.1", at: "30020"))
        let said = try await S.updates(inbox, for: "dxkey", until: S.ends)
        guard case .rejected(let failure)? = said.last?.kind else { Issue.record("expected a refusal: \(said)"); return }
        #expect(failure.code == "not_permitted" && failure.venueCode == "10004" && !failure.isRetryable, "\(failure)")
        var thrown: (any Error)?
        do { _ = try await execution.balances(on: S.venue) } catch { thrown = error }
        for text in ["\(String(describing: thrown))", failure.detail, "\(failure)", "\(execution)",
                     "\(BybitCredentials(apiKey: S.key, secret: wrong))", execution.privateStreamProblem ?? ""] {
            #expect(!text.contains(wrong) && !text.contains(S.secret), "a secret in: \(text)")
        }
        #expect(try await S.serverOrders(server, link: "dxkey").isEmpty)
    }
}
