import DexterCore
import DexterDetect
import DexterEngine
import DexterLedger
import DexterMarket
import DexterVenues
import Foundation
import Testing

/// Funding on the hedged perpetual pair of `MarginBufferTests` (9 ETH long on fast-perp, 9 short on slow-perp, USDT
/// at a dollar): priced into detection over the desk's horizon, settled by the desk at each funding time on venues
/// that do not report funding, booked once, and counted in today's P&L.
@Suite struct FundingTests {
    let perps = MarginBufferTests()
    var clock: ManualClock { perps.clock }

    func quote(_ key: MarketKey, rate: String, mark: String, in delay: Duration) -> FundingQuote {
        FundingQuote(market: key, rate: FixedDecimal(rate)!, nextFundingTime: clock.now().adding(delay),
                     markPrice: FixedDecimal(mark)!, receivedAt: clock.now())
    }

    func fundings(_ ledger: Ledger) throws -> [String] {
        try ledger.reader.funding().map { "\($0.venue) \($0.symbol) \($0.amount) \($0.asset) \($0.amountUSD)" }.sorted()
    }

    @Test func detectionPricesTheFundingDueWithinTheHorizon() async throws {
        let desk = try await perps.desk(buffer: nil)
        // The long leg (fast-perp) pays 0.03 % on 3,000; the short (slow-perp) receives 0.01 % on 3,001: both fundings
        // due in an hour, once each within the 8 h horizon.
        desk.engine.inbox.post(contentsOf: [
            .funding(quote(MarginBufferTests.fast, rate: "0.0003", mark: "3000", in: .seconds(3_600))),
            .funding(quote(MarginBufferTests.slow, rate: "0.0001", mark: "3001", in: .seconds(3_600))),
        ])
        let opportunity = try await perps.firstOpportunity(desk.engine)
        let expected = FixedDecimal(9) * (FixedDecimal(3000) * FixedDecimal("0.0003")! - FixedDecimal(3001) * FixedDecimal("0.0001")!)
        #expect(opportunity.funding == expected, "\(opportunity.funding)")
        // gross − fees − funding − slippage = net, slippage nothing on one level.
        #expect(opportunity.net == opportunity.gross - opportunity.fees - expected)
        #expect(opportunity.slippage == .zero)
        // Past the horizon the same rates cost nothing.
        desk.engine.inbox.post(contentsOf: [
            .funding(quote(MarginBufferTests.fast, rate: "0.0003", mark: "3000", in: .seconds(9 * 3_600))),
            .funding(quote(MarginBufferTests.slow, rate: "0.0001", mark: "3001", in: .seconds(9 * 3_600))),
        ])
        await perps.run(desk.engine, for: .milliseconds(20))
        let later = try #require(desk.engine.board.current?.opportunities.first)
        #expect(later.funding == .zero && later.net == later.gross - later.fees)
    }

    @Test func theDeskSettlesFundingOnThePositionsHeldAtTheFundingTime() async throws {
        let desk = try await perps.desk(buffer: nil)
        try await perps.openHedgedPair(desk)
        let realisedBefore = try #require(desk.engine.board.current?.pnl.realisedTodayUSD)
        let usdtBefore = try desk.ledger.reader.balances().filter { $0.asset == "USDT" }.map { "\($0.account) \($0.delta)" }
        desk.engine.inbox.post(contentsOf: [
            .funding(quote(MarginBufferTests.fast, rate: "0.0001", mark: "3000", in: .seconds(1))),
            .funding(quote(MarginBufferTests.slow, rate: "0.0003", mark: "3001.5", in: .seconds(1))),
        ])
        await perps.run(desk.engine, for: .milliseconds(500))
        #expect(try desk.ledger.reader.funding().isEmpty, "nothing is due before the funding time")
        await perps.run(desk.engine, for: .milliseconds(600))
        // The long pays 9 × 3,000 × 0.01 % = 2.7; the short receives 9 × 3,001.5 × 0.03 % = 8.10405.
        #expect(try fundings(desk.ledger) == ["fast-perp ETH/USDT:USDT -2.7 USDT -2.7", "slow-perp ETH/USDT:USDT 8.10405 USDT 8.10405"])
        // The next quotes announce the next funding: the one just settled is not settled again.
        desk.engine.inbox.post(contentsOf: [
            .funding(quote(MarginBufferTests.fast, rate: "0.0001", mark: "3000", in: .seconds(8 * 3_600))),
            .funding(quote(MarginBufferTests.slow, rate: "0.0003", mark: "3001.5", in: .seconds(8 * 3_600))),
        ])
        await perps.run(desk.engine, for: .milliseconds(500))
        #expect(try desk.ledger.reader.funding().count == 2)
        let usdtAfter = try desk.ledger.reader.balances().filter { $0.asset == "USDT" }.map { "\($0.account) \($0.delta)" }
        #expect(usdtBefore.count == 2 && usdtAfter != usdtBefore)
        for (before, after) in zip(usdtBefore.sorted(), usdtAfter.sorted()) {
            let account = before.split(separator: " ")[0]
            let moved = try FixedDecimal(parsing: String(after.split(separator: " ")[1])) - FixedDecimal(parsing: String(before.split(separator: " ")[1]))
            #expect(moved == (account == "fast-perp" ? FixedDecimal("-2.7")! : FixedDecimal("8.10405")!), "\(account) moved \(moved)")
        }
        let snapshot = try #require(desk.engine.board.current)
        #expect(snapshot.pnl.realisedTodayUSD - realisedBefore == FixedDecimal("5.40405")!)
        #expect(snapshot.pnl.fundingTodayUSD == FixedDecimal("5.40405")!)
        let booked = snapshot.events.compactMap { if case .fundingBooked(let funding) = $0 { funding } else { nil } }
        #expect(booked.count == 2 && booked.allSatisfy { !$0.reported })
        #expect(try desk.ledger.reader.reconciliationProblems().isEmpty)
        // A restart reads today's funding back into the P&L.
        let summary = try desk.ledger.reader.summary(ofDayContaining: clock.now())
        #expect(summary.fundingUSD == FixedDecimal("5.40405")!)
    }

    @Test func aFundingTimeThatPassesWithinOneBatchIsSettledOnceWithTheRateItAnnounced() async throws {
        let desk = try await perps.desk(buffer: nil)
        try await perps.openHedgedPair(desk)
        desk.engine.inbox.post(.funding(quote(MarginBufferTests.fast, rate: "0.0002", mark: "2999", in: .milliseconds(5))))
        await perps.run(desk.engine, for: .milliseconds(0))
        await desk.engine.tick()
        // The next quote (a new rate, the next time) lands with the clock already past the first funding time.
        clock.advance(.milliseconds(50))
        desk.engine.inbox.post(.funding(quote(MarginBufferTests.fast, rate: "0.0009", mark: "3100", in: .seconds(8 * 3_600))))
        await perps.run(desk.engine, for: .milliseconds(20))
        // 9 × 2,999 × 0.02 % = 5.3982, paid by the long, at the announced rate and mark.
        #expect(try fundings(desk.ledger) == ["fast-perp ETH/USDT:USDT -5.3982 USDT -5.3982"])
    }

    @Test func aReportedPaymentIsBookedOnceHoweverOftenItIsSaid() async throws {
        let desk = try await perps.desk(buffer: nil)
        try await perps.openHedgedPair(desk)
        let payment = FundingPayment(id: "8812", venue: "slow-perp", symbol: MarginBufferTests.perp, amount: FixedDecimal("1.23456789")!,
                                     asset: "USDT", rate: FixedDecimal("0.0001")!, positionSize: FixedDecimal(-9), at: clock.now())
        desk.engine.inbox.post(payment)
        desk.engine.inbox.post(payment)
        await perps.run(desk.engine, for: .milliseconds(20))
        desk.engine.inbox.post(payment)
        await perps.run(desk.engine, for: .milliseconds(20))
        #expect(try fundings(desk.ledger) == ["slow-perp ETH/USDT:USDT 1.23456789 USDT 1.23456789"])
        let booked = try #require(desk.engine.board.current?.events).compactMap {
            if case .fundingBooked(let funding) = $0 { funding } else { nil }
        }
        #expect(booked.count == 1 && booked[0].reported)
        #expect(try desk.ledger.reader.reconciliationProblems().isEmpty)
    }
}
