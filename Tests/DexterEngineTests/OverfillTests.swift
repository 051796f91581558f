import DexterCore
import DexterEngine
import DexterLedger
import DexterVenues
import Foundation
import Testing

/// A venue that fills a little more than was asked — a Curve buy pays the smallest input whose exact output reaches
/// the quantity, and that output may pass it by a few base units — is taken at its word: the order is filled, and the
/// ledger books what came, not what was asked.
@Suite struct OverfillTests: DrivesTheDesk {
    let clock = ManualClock()

    @Test func aFillAboveTheQuantityCompletesTheOrderAndIsBookedAsFilled() async throws {
        // alpha (the buy) delivers the quantity and a millionth of it more, in one fill; beta sells exactly.
        let over = FixedDecimal("1.000001")!
        let desk = try await scriptedDesk(behaviour: ["alpha": .inParts([over], every: .milliseconds(10)),
                                                      "beta": .inParts([.one], every: .milliseconds(10))],
                                          ledgerPath: NSTemporaryDirectory() + "dexter-overfill-\(UUID().uuidString).sqlite")
        func held(_ asset: String) throws -> FixedDecimal {
            try desk.ledger.reader.balances().filter { $0.asset == asset }.reduce(FixedDecimal.zero) { $0 + $1.delta }
        }
        let heldBefore = try held(ScriptedDesk.eth.base.code)
        let opportunity = try await approve(desk.engine)
        await run(desk.engine, for: .milliseconds(100))
        let rows = try #require(desk.engine.board.current?.orders)
        let buy = try #require(rows.first { $0.venue == "alpha" })
        #expect(buy.state == .filled && buy.filled == opportunity.quantity * over, "\(buy)")
        let trades = try desk.ledger.reader.trades()
        let booked = try #require(trades.first { $0.exchange == "alpha" })
        #expect(booked.amount == opportunity.quantity * over, "the trade is what came")
        // The desk's base moved by what came in on alpha less what went out on beta, to the unit.
        #expect(try held(ScriptedDesk.eth.base.code) - heldBefore == opportunity.quantity * over - opportunity.quantity)
    }
}
