import DexterCore
import DexterEngine
import DexterLedger
import DexterMarket
import DexterRisk
import DexterVenues
import Foundation
import Testing

/// The venue's own margin figures beside the desk's model, on the hedged pair of `MarginBufferTests` (9 ETH long on
/// fast-perp, 9 short on slow-perp): the buffer counts the stricter ratio, and a position the venue holds otherwise
/// than the ledger is shown and audited once, never written over the ledger.
@Suite struct VenueMarginTests {
    let perps = MarginBufferTests()

    func margin(_ venue: VenueId, size: String, maintenance: String, balance: String) -> VenueMargin {
        VenueMargin(venue: venue, positions: [.init(symbol: MarginBufferTests.perp, size: FixedDecimal(size)!,
                                                    entryPrice: FixedDecimal(3005), markPrice: FixedDecimal(3000), liquidationPrice: nil)],
                    maintenanceMargin: FixedDecimal(maintenance)!, marginBalance: FixedDecimal(balance)!, at: perps.clock.now())
    }

    @Test func theBufferCutsOnTheVenuesRatioWhenItIsTheStricter() async throws {
        let desk = try await perps.desk(buffer: MarginBuffer(reduceAt: 0.5, target: 0.3, maxSlippageBps: 100))
        try await perps.openHedgedPair(desk)
        // The model: 9 × 3,000 × 0.5 % = 135 against about 1,500: a ratio near 0.09, far from the buffer.
        await perps.run(desk.engine, for: .seconds(6))
        #expect(try desk.ledger.reader.bookings().filter { $0.kind == .marginReduction }.isEmpty)
        let model = try #require(desk.engine.board.current?.margins.first { $0.account == "slow-perp" }?.ratio)
        #expect(model < 0.2)
        // The venue counts 0.6: its maintenance margin is higher than the model's (a bracket the model does not know).
        desk.venue.setMargin(margin("slow-perp", size: "-9", maintenance: "900", balance: "1500"))
        await perps.run(desk.engine, for: .seconds(6))
        let breaches = try #require(desk.engine.board.current?.events).compactMap {
            if case .marginCut(let breach, _, _) = $0 { breach } else { nil }
        }
        #expect(breaches.first?.account == .exchange("slow-perp"), "\(breaches)")
        #expect(try !desk.ledger.reader.bookings().filter { $0.kind == .marginReduction }.isEmpty)
    }

    @Test func aPositionTheVenueHoldsOtherwiseIsShownOnceAndTheLedgerKept() async throws {
        let desk = try await perps.desk(buffer: nil)
        try await perps.openHedgedPair(desk)
        desk.venue.setMargin(margin("slow-perp", size: "-8.5", maintenance: "100", balance: "1500"))
        await perps.run(desk.engine, for: .seconds(12))
        let events = try #require(desk.engine.board.current?.events)
        let mismatches = events.compactMap { if case .positionMismatch(let venue, let differences) = $0 { (venue, differences) } else { nil } }
        #expect(mismatches.count == 1, "once, however often the venue says it: \(mismatches.count)")
        #expect(mismatches.first?.0 == "slow-perp"
                && mismatches.first?.1 == [PositionDifference(symbol: MarginBufferTests.perp, ledger: FixedDecimal(-9), venue: FixedDecimal("-8.5")!)])
        #expect(try desk.ledger.reader.auditEntries().filter { $0.action == "position mismatch" }.count == 1)
        #expect(try desk.ledger.reader.positions().first { $0.account == "slow-perp" }?.size == FixedDecimal(-9), "the ledger is not changed")
        desk.venue.setMargin(margin("slow-perp", size: "-9", maintenance: "100", balance: "1500"))
        await perps.run(desk.engine, for: .seconds(6))
        #expect(try #require(desk.engine.board.current?.events).contains { $0 == .positionsAgree("slow-perp") })
    }
}
