import DexterCore
import DexterDetect
import DexterEngine
import DexterLedger
import DexterMarket
import DexterVenues
import Foundation
import Testing

/// The engine against a venue that answers as real ones do — late, in parts, never, or after a cancel raced a fill —
/// through the same seam as the simulator. Two books crossed by $20 make one opportunity: buy on alpha, sell on beta
/// (`ScriptedDesk.crossedBooks`).
@Suite struct VenueSeamTests: DrivesTheDesk {
    let clock = ManualClock()

    func desk(_ behaviour: [VenueId: ScriptedVenue.Behaviour], silence: Duration = .seconds(30),
              ledgerPath: String = NSTemporaryDirectory() + "dexter-seam-\(UUID().uuidString).sqlite",
              venue existing: ScriptedVenue? = nil) async throws -> (Engine, Ledger, ScriptedVenue) {
        let desk = try await scriptedDesk(behaviour: behaviour, ledgerPath: ledgerPath, venue: existing) {
            $0.orderSilenceBeforeQuery = silence
        }
        return (desk.engine, desk.ledger, desk.venue)
    }

    func states(_ engine: Engine) async -> [String: OrderState] {
        await engine.publishNow()
        return Dictionary(uniqueKeysWithValues: (engine.board.current?.orders ?? []).map { ($0.venue.name, $0.state) })
    }

    @Test func ordersAnsweredLateAreFollowedUntilTheyFill() async throws {
        let late = ScriptedVenue.Behaviour.late(ack: .seconds(2), fill: .seconds(5))
        let (engine, ledger, venue) = try await desk(["alpha": late, "beta": late])
        _ = try await approve(engine)
        #expect(venue.submitted.count == 2)
        await run(engine, for: .seconds(1))
        #expect(await states(engine) == ["alpha": .submitted, "beta": .submitted])
        await run(engine, for: .seconds(2))
        #expect(await states(engine) == ["alpha": .accepted, "beta": .accepted])
        #expect(try ledger.reader.trades().isEmpty, "nothing is booked before the fills")
        await run(engine, for: .seconds(3))
        #expect(await states(engine) == ["alpha": .filled, "beta": .filled])
        let trades = try ledger.reader.trades()
        #expect(trades.count == 2)
        #expect(venue.submitted.count == 2, "nothing was sent twice")
    }

    @Test func fillsArrivingInPartsAddUpExactlyAndARepeatedFillCountsOnce() async throws {
        let parts = ScriptedVenue.Behaviour.inParts([FixedDecimal("0.25")!, FixedDecimal("0.75")!], every: .milliseconds(300))
        let (engine, ledger, venue) = try await desk(["alpha": parts, "beta": parts])
        let opportunity = try await approve(engine)
        await run(engine, for: .milliseconds(400))
        #expect(await states(engine) == ["alpha": .partiallyFilled, "beta": .partiallyFilled])
        await run(engine, for: .milliseconds(400))
        #expect(await states(engine) == ["alpha": .filled, "beta": .filled])
        let rows = try #require(engine.board.current?.orders)
        for row in rows { #expect(row.filled == opportunity.quantity, "each fill counted once: \(row.filled)") }
        let trades = try ledger.reader.trades()
        #expect(trades.count == 2)
        // The booked notional is the exact sum of the parts at the book's price.
        let buy = try #require(trades.first { $0.exchange == "alpha" })
        #expect(buy.amount == opportunity.quantity)
        #expect(buy.price == FixedDecimal(2990))
        #expect(venue.submitted.count == 2)
    }

    @Test func theKillSwitchCancelsRestingOrdersAndWaitsForEveryAnswer() async throws {
        let (engine, ledger, venue) = try await desk(["alpha": .rest, "beta": .fillsBeforeCancel])
        _ = try await approve(engine)
        await run(engine, for: .milliseconds(50))
        #expect(await states(engine) == ["alpha": .accepted, "beta": .accepted])
        await engine.halt("test")
        #expect(Set(venue.cancels).count == 2, "a cancel for each resting order")
        #expect(await states(engine) == ["alpha": .pendingCancel, "beta": .pendingCancel])
        #expect(engine.board.current?.notifications.first?.event == .halted(reason: "test", unsentCanceled: 0, cancelsSent: 2))
        await run(engine, for: .milliseconds(100))
        // alpha's cancel went through; beta filled before its cancel arrived, which it refused.
        #expect(await states(engine) == ["alpha": .canceled, "beta": .filled])
        #expect(engine.board.current?.events.contains(.venueCancelsAnswered) == true,
                "\(engine.board.current?.notifications.map(\.text) ?? [])")
        // The arbitrage is booked as it stands: beta's sale, nothing on alpha.
        let trades = try ledger.reader.trades()
        #expect(trades.map(\.exchange) == ["beta"])
        let events = try ledger.reader.orderEvents().filter { $0.venue == "alpha" }.map(\.event)
        #expect(events == ["submit", "accept", "cancel_requested", "canceled"])
    }

    @Test func anOrderFilledInSilenceIsFoundByQueryNotSentAgain() async throws {
        let (engine, ledger, venue) = try await desk(["alpha": .silentFill, "beta": .silentFill], silence: .seconds(1))
        _ = try await approve(engine)
        await run(engine, for: .milliseconds(500))
        #expect(try ledger.reader.trades().isEmpty)
        await run(engine, for: .seconds(1))
        // The query is answered on the engine's own executor: give it a moment.
        for _ in 0..<50 where try ledger.reader.trades().count < 2 { await run(engine, for: .milliseconds(10)) }
        #expect(await states(engine) == ["alpha": .filled, "beta": .filled])
        #expect(try ledger.reader.trades().count == 2)
        #expect(venue.submitted.count == 2, "a silent order is asked for, never sent again")
    }

    @Test func anOrderTheVenueNeverSawIsSentAgainUnderItsOwnId() async throws {
        let (engine, ledger, venue) = try await desk(["alpha": .losesFirstSubmit, "beta": .losesFirstSubmit], silence: .seconds(1))
        _ = try await approve(engine)
        for _ in 0..<300 where try ledger.reader.trades().count < 2 { await run(engine, for: .milliseconds(10)) }
        #expect(await states(engine) == ["alpha": .filled, "beta": .filled])
        let ids = venue.submitted.map(\.clientOrderId)
        #expect(ids.count == 4 && Set(ids).count == 2, "each order sent twice under one client id: \(ids)")
        #expect(try ledger.reader.trades().count == 2)
    }

    @Test func aRestartAsksTheVenueForWhatTheLedgerLeftOpen() async throws {
        let path = NSTemporaryDirectory() + "dexter-seam-restart-\(UUID().uuidString).sqlite"
        var venue: ScriptedVenue
        do {
            let (engine, ledger, scripted) = try await desk(["alpha": .silentFill, "beta": .silentFill], ledgerPath: path)
            venue = scripted
            _ = try await approve(engine)
            await run(engine, for: .milliseconds(100))
            #expect(try ledger.reader.trades().isEmpty && venue.submitted.count == 2)
        }
        // The desk stops with both orders in flight; the venue executed them. A new desk asks it before anything else.
        let (_, ledger, _) = try await desk([:], ledgerPath: path, venue: venue)
        let trades = try ledger.reader.trades()
        #expect(trades.count == 2)
        #expect(try ledger.reader.inFlightOrders().isEmpty)
        #expect(venue.submitted.count == 2)
    }
}
