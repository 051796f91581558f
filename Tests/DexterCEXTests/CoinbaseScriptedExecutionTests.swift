@testable import DexterCEX
import DexterCore
import DexterNet
import DexterVenues
import Foundation
import Synchronization
import Testing

/// The execution client against Coinbase's answers scripted in process (`ScriptedCoinbase`, CoinbaseTestSupport):
/// the paths whose faults are hard to time on a server — an answer lost after the order executed, a 5XX with and
/// without executing, a 429's stop on a held clock — and the fills, refusals and account reads, every request's JWT
/// verified on the way. The same stories against the local protocol server are in CoinbaseExecutionTests.
@Suite struct CoinbaseScriptedExecutionTests {
    typealias Support = CoinbaseTestSupport

    static func start(clock: any DexterCore.Clock = WallClock(),
                      limits: CoinbaseRateLimits = CoinbaseRateLimits(privatePerSecond: 1000, publicPerSecond: 1000))
        async throws -> (ScriptedCoinbase, CoinbaseExecution, VenueInbox) {
        let coinbase = try ScriptedCoinbase()
        let (execution, inbox) = try Support.execution(coinbase, clock: clock, limits: limits)
        try await execution.connect(inbox)
        return (coinbase, execution, inbox)
    }

    @Test func anIOCFillsWithCoinbasesTradeIdsAndCommissionsExact() async throws {
        let (coinbase, execution, inbox) = try await Self.start()
        execution.submit(Support.buy("dxfill1", size: "1.5", at: "101"))
        let updates = try await Support.updates(inbox, for: "dxfill1", until: Support.done("1.5"))
        let orderId = try #require(coinbase.orders(clientOrderId: "dxfill1").first?.orderId)
        #expect(updates.first?.kind == .accepted(venueOrderId: orderId))
        let fills = Support.fills(updates)
        // 0.4 @ 100, 0.6 @ 100.5, 0.5 @ 101: Coinbase's trade ids, commission 0.6 % in USD, exact.
        #expect(fills.map(\.tradeId) == ["7000001", "7000002", "7000003"])
        #expect(fills.map(\.quantity) == [FixedDecimal("0.4")!, FixedDecimal("0.6")!, FixedDecimal("0.5")!])
        #expect(fills.map(\.notional) == [FixedDecimal(40), FixedDecimal("60.3")!, FixedDecimal("50.5")!])
        #expect(fills.map(\.fee) == [FixedDecimal("0.24")!, FixedDecimal("0.3618")!, FixedDecimal("0.303")!])
        #expect(fills.allSatisfy { $0.feeAsset == "USD" })
        #expect(!Support.ends(updates), "FILLED ends by quantity")
        #expect(try await Support.more(inbox, for: "dxfill1").isEmpty)
        #expect(coinbase.badJWTs.isEmpty)
        // The query by client id says the same, exact.
        guard case .found(let report) = try await execution.query("dxfill1", on: "coinbase") else { Issue.record("not found"); return }
        #expect(report.status == .filled && report.notional == FixedDecimal("150.8")! && report.fee == FixedDecimal("0.9048")!)

        // More than the book holds up to the limit: the rest of the IOC expires after its fills.
        execution.submit(Support.buy("dxfill2", size: "3", at: "101"))
        let partial = try await Support.updates(inbox, for: "dxfill2", until: Support.ends)
        #expect(Support.filled(partial) == FixedDecimal("0.5")!)
        guard case .expired? = partial.last?.kind else { Issue.record("the rest expires: \(partial)"); return }
        guard case .found(let second) = try await execution.query("dxfill2", on: "coinbase") else { Issue.record("not found"); return }
        #expect(second.status == .partiallyFilled && second.filledQuantity == FixedDecimal("0.5")!)
    }

    @Test func aLostAnswerIsSettledByTheSameClientOrderIdAndNeverPlacedTwice() async throws {
        let (coinbase, execution, inbox) = try await Self.start()
        coinbase.fault(.loseAnswerAfterExecuting)
        execution.submit(Support.buy("dxlost1", size: "1", at: "101"))
        let updates = try await Support.updates(inbox, for: "dxlost1", until: Support.done("1"))
        #expect(Support.filled(updates) == FixedDecimal(1) && Support.fills(updates).count == 2)
        #expect(coinbase.creates("dxlost1") == 2, "the same request went twice")
        #expect(coinbase.orders(clientOrderId: "dxlost1").count == 1, "one order only")
        #expect(try await Support.more(inbox, for: "dxlost1").isEmpty)
    }

    @Test func aServerErrorAfterExecutingAndWithoutBothEndInOneOrder() async throws {
        let (coinbase, execution, inbox) = try await Self.start()
        coinbase.fault(.serverError(executes: true))
        execution.submit(Support.buy("dx500a", size: "0.4", at: "100"))
        let executed = try await Support.updates(inbox, for: "dx500a", until: Support.done("0.4"))
        #expect(Support.fills(executed).map(\.tradeId) == ["7000001"])
        #expect(coinbase.orders(clientOrderId: "dx500a").count == 1 && coinbase.creates("dx500a") == 2)

        coinbase.fault(.serverError(executes: false))
        execution.submit(Support.buy("dx500b", size: "0.6", at: "100.5"))
        let notExecuted = try await Support.updates(inbox, for: "dx500b", until: Support.done("0.6"))
        #expect(Support.filled(notExecuted) == FixedDecimal("0.6")!)
        #expect(coinbase.orders(clientOrderId: "dx500b").count == 1 && coinbase.creates("dx500b") == 2)
        #expect(try await Support.more(inbox, for: "dx500a").isEmpty)
    }

    @Test func a429HoldsEveryRequestUntilItsStopHasPassed() async throws {
        let clock = HeldClock()
        let (coinbase, execution, inbox) = try await Self.start(clock: clock)
        coinbase.fault(.rateLimit)
        clock.hold()
        execution.submit(Support.buy("dx429a", size: "0.1", at: "100"))
        let first = try await Support.updates(inbox, for: "dx429a", until: Support.ends)
        guard case .rejected(let limited)? = first.last?.kind else { Issue.record("expected a refusal: \(first)"); return }
        #expect(limited.code == "rate_limited" && limited.isRetryable && limited.venueCode == "RATE_LIMIT_EXCEEDED", "\(limited)")
        let before = coinbase.requests.count
        execution.submit(Support.buy("dx429b", size: "0.1", at: "100"))
        let second = try await Support.updates(inbox, for: "dx429b", until: Support.ends)
        guard case .rejected(let held)? = second.last?.kind else { Issue.record("expected a refusal: \(second)"); return }
        #expect(held.code == "not_sent" && held.isRetryable && held.venueCode == nil, "held back, never sent: \(held)")
        #expect(coinbase.requests.count == before && coinbase.creates("dx429b") == 0)
        #expect(execution.rateLimitUsage(at: clock.now()).first?.name == "api")
        // Once the stop (1 s without a Retry-After) has passed, orders go again.
        clock.release(advancedBy: .milliseconds(1_100))
        execution.submit(Support.buy("dx429c", size: "0.1", at: "100"))
        let third = try await Support.updates(inbox, for: "dx429c", until: Support.done("0.1"))
        #expect(Support.filled(third) == FixedDecimal("0.1")!)
    }

    @Test func theBudgetRefusesBeforeSendingWhenThisSecondIsSpent() async throws {
        let clock = HeldClock()
        let (coinbase, execution, _) = try await Self.start(clock: clock, limits: CoinbaseRateLimits(privatePerSecond: 5,
                                                                                                     publicPerSecond: 10,
                                                                                                     headroom: 0.8))
        clock.hold()
        var refused = 0
        for _ in 0..<6 {
            do { _ = try await execution.keyPermissions() } catch is CoinbaseNotSent { refused += 1 }
        }
        // 0.8 of 5 a second: four go, two are held back unsent.
        #expect(refused == 2 && coinbase.requests.filter { $0.hasSuffix("key_permissions") }.count == 4)
        #expect(execution.rateLimitUsage(at: clock.now()) == [RateLimitUsage(name: "api", used: 4, limit: 5)])
    }

    @Test func refusalsAreTypedAndNeverResent() async throws {
        let (coinbase, execution, inbox) = try await Self.start()
        for (id, reason, code, failureClass) in [("dxfunds", "INSUFFICIENT_FUND", "insufficient_funds", ExecutionFailure.Class.rejected),
                                                 ("dxprecision", "INVALID_PRICE_PRECISION", "bad_precision", .rejected),
                                                 ("dxdisabled", "ORDER_ENTRY_DISABLED", "market_restricted", .market)] {
            coinbase.fault(.refuse(reason))
            execution.submit(Support.buy(id, size: "0.1", at: "100"))
            let updates = try await Support.updates(inbox, for: id, until: Support.ends)
            guard case .rejected(let failure)? = updates.last?.kind, updates.count == 1 else {
                Issue.record("expected one refusal: \(updates)"); continue
            }
            #expect(failure.code == code && failure.failureClass == failureClass && failure.venueCode == reason, "\(failure)")
            #expect(coinbase.creates(id) == 1 && coinbase.orders(clientOrderId: id).isEmpty)
        }
    }

    @Test func aKeyCoinbaseDoesNotKnowIsRefusedWithoutItsSecret() async throws {
        let coinbase = try ScriptedCoinbase()
        let stranger = CoinbaseCredentials(keyName: "organizations/aaaa/apiKeys/bbbb", privateKeyPEM: Support.pem)
        let (execution, inbox) = try Support.execution(coinbase, credentials: stranger)
        try await execution.connect(inbox)
        execution.submit(Support.buy("dxkey", size: "0.1", at: "100"))
        let updates = try await Support.updates(inbox, for: "dxkey", until: Support.ends)
        guard case .rejected(let failure)? = updates.last?.kind else { Issue.record("expected a refusal: \(updates)"); return }
        #expect(failure.code == "bad_credentials" && !failure.isRetryable && failure.venueCode == "UNAUTHENTICATED")
        #expect(!"\(failure) \(failure.detail)".contains("MHcC"))
        #expect(coinbase.badJWTs == ["unknown key"])
    }

    @Test func fillsTheStreamCountedAreReadOnceAfterItDrops() async throws {
        let (coinbase, execution, inbox) = try await Self.start()
        execution.submit(Support.buy("dxdrop", size: "1", at: "100.5"))
        let updates = try await Support.updates(inbox, for: "dxdrop", until: Support.done("1"))
        let orderId = try #require(coinbase.orders(clientOrderId: "dxdrop").first?.orderId)
        // The stream's late story of the same order (a snapshot after a reconnect), then a read-back: nothing new.
        execution.streamed(CoinbaseStreamOrder(orderId: orderId, clientOrderId: "dxdrop", productId: "BTC-USD", side: .buy,
                                               status: "FILLED", timeInForce: "IMMEDIATE_OR_CANCEL",
                                               cumulativeQuantity: FixedDecimal(1), leavesQuantity: .zero, averagePrice: nil,
                                               totalFees: nil, filledValue: nil, cancelReason: nil, rejectReason: nil,
                                               creationTime: nil))
        await execution.readBack(since: Timestamp(nanoseconds: 0))
        #expect(Support.fills(updates).count == 2)
        #expect(try await Support.more(inbox, for: "dxdrop").isEmpty)
    }

    @Test func accountReadsAndTheSweep() async throws {
        let (coinbase, execution, _) = try await Self.start()
        #expect(try await execution.balances(on: "coinbase") == ["BTC": FixedDecimal("1.23956789")!, "USD": FixedDecimal("10450.50")!])
        #expect(try await execution.feeTier().takerRate == FixedDecimal("0.006")!)
        let permissions = try await execution.keyPermissions()
        #expect(permissions.canTrade && !permissions.canTransfer)
        #expect(try await execution.openOrders(on: "coinbase").isEmpty)
        #expect(try await execution.cancelOpenOrders(on: "coinbase").isEmpty)
        #expect(try await execution.query("dxnever", on: "coinbase") == .unknown)
        #expect(coinbase.badJWTs.isEmpty)
    }
}
