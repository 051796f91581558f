import DexterCore
@testable import DexterDesk
import DexterEngine
import Foundation
import Logging
import Testing
import TestServers

/// The desk-wide standing caps (a position per asset, the VaR budget), reserved in a real PostgreSQL: boxes racing
/// for the last of a cap cannot both get it, trading boxes together never hold more of an asset than the desk's
/// cap, and a box that stopped without handing its holds back takes them up again instead of reserving twice.
@Suite(.serialized) struct DeskCapsTests {
    let logger = Logger(label: "test.desk.caps")

    @Test func boxesRacingForTheLastOfTheVaRBudgetCannotBothGetIt() async throws {
        let postgres = try LocalPostgres()
        let desk = try DeskDatabase(url: postgres.url)
        let budget = FixedDecimal(100_000)
        let caps = (0..<3).map { _ in DeskCaps(kinds: [DeskCaps.valueAtRisk]) }
        let boxes = ["tokyo", "london", "virginia"].enumerated().map { index, name in
            DeskHolds(box: name, database: desk, caps: caps[index], limits: [DeskCaps.valueAtRisk: budget], logger: logger)
        }
        // Tokyo holds $70,000 of it; then all three want $30,000 more at once: one gets it.
        _ = caps[0].shortfall([DeskCaps.valueAtRisk: FixedDecimal(70_000)])
        await boxes[0].topUp()
        #expect(caps[0].current[DeskCaps.valueAtRisk]?.held == FixedDecimal(70_000))
        _ = caps[0].shortfall([DeskCaps.valueAtRisk: FixedDecimal(100_000)])
        _ = caps[1].shortfall([DeskCaps.valueAtRisk: FixedDecimal(30_000)])
        _ = caps[2].shortfall([DeskCaps.valueAtRisk: FixedDecimal(30_000)])
        await withTaskGroup(of: Void.self) { group in
            for box in boxes { group.addTask { await box.topUp() } }
        }
        let held = caps.map { $0.current[DeskCaps.valueAtRisk]?.held ?? .zero }
        #expect(held.reduce(.zero, +) == budget, "\(held)")
        #expect(held.filter { $0 == FixedDecimal(30_000) }.count + (held[0] == budget ? 1 : 0) == 1, "one winner: \(held)")
        #expect(try postgres.psql("SELECT used FROM desk_usage WHERE kind = 'var99_usd'") == "100000")
        // Nothing more for anyone: a shortfall stays one, and the box's engine would be told so.
        _ = caps[1].shortfall([DeskCaps.valueAtRisk: FixedDecimal(40_000)])
        await boxes[1].topUp()
        #expect(caps[1].current[DeskCaps.valueAtRisk]?.held == held[1])

        // A clean stop hands a hold back; a box that crashed takes its hold up again at its next start.
        await boxes[1].handBack()
        #expect(FixedDecimal(try postgres.psql("SELECT used FROM desk_usage WHERE kind = 'var99_usd'")) == budget - held[1])
        let restarted = DeskCaps(kinds: [DeskCaps.valueAtRisk])
        let again = DeskHolds(box: "tokyo", database: desk, caps: restarted, limits: [DeskCaps.valueAtRisk: budget], logger: logger)
        _ = restarted.shortfall([DeskCaps.valueAtRisk: FixedDecimal(1)])
        await again.topUp()
        #expect(restarted.current[DeskCaps.valueAtRisk]?.held == held[0], "tokyo took up its hold")
        #expect(FixedDecimal(try postgres.psql("SELECT used FROM desk_usage WHERE kind = 'var99_usd'")) == budget - held[1])
        for box in boxes + [again] { await box.close() }
    }

    @Test func tradingBoxesNeverHoldMoreOfAnAssetThanTheDesksCap() async throws {
        let postgres = try LocalPostgres()
        let desk = try DeskDatabase(url: postgres.url)
        // Each box starts with 20 ETH (10 at each venue) and its own cap of 100: the desk's cap of 45 ETH covers two
        // boxes' holdings and a trade or two each, not three.
        let cap = FixedDecimal(45), kind = DeskCaps.position("ETH")
        let boxes = [try await Box("tokyo", desk: desk, seed: 5, deskCaps: [kind: cap]),
                     try await Box("london", desk: desk, seed: 6, deskCaps: [kind: cap]),
                     try await Box("virginia", desk: desk, seed: 7, deskCaps: [kind: cap])]
        for box in boxes { await box.start() }
        func held(_ box: Box) async -> FixedDecimal { await box.engine.deskCaps?.current[kind]?.held ?? .zero }
        #expect(await Box.eventually {
            var trading = 0
            for box in boxes where (try? box.bookings()) ?? 0 > 0 { trading += 1 }
            return trading >= 2
        }, "two boxes trade within their holds")
        try await Task.sleep(for: .seconds(3))
        for box in boxes { await box.stop() }
        var total = FixedDecimal.zero, trading = 0
        for box in boxes {
            let hold = await held(box)
            total += hold
            let bookings = try box.bookings()
            if bookings > 0 { trading += 1 }
            print("\(box.name): holds \(hold) ETH of the desk's \(cap), \(bookings) bookings")
        }
        let used = FixedDecimal(try postgres.psql("SELECT used FROM desk_usage WHERE kind = '\(kind)'")) ?? .zero
        #expect(total <= cap && used <= cap, "held \(total), reserved \(used) of \(cap)")
        #expect(total == used, "every hold is the desk's")
        #expect(trading == 2, "the third box cannot hold its 20 ETH and a trade within what is left of the cap")
    }
}
