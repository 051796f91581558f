import DexterCore
import DexterDetect
import DexterEngine
import DexterLedger
import DexterMarket
import DexterRisk
import DexterVenues
import Foundation
import Testing

/// The desk halts itself: one test per automatic halt, and each halt is audited.
@Suite struct AutoHaltTests: DrivesTheDesk {
    let clock = ManualClock()

    @Test func dailyLossLimit() {
        let limits = AutoHaltLimits(dailyLossUSD: FixedDecimal(500))
        #expect(limits.reason(realised: FixedDecimal(-499), peak: .zero, failuresInARow: 0, silentVenue: nil) == nil)
        #expect(limits.reason(realised: FixedDecimal(-501), peak: .zero, failuresInARow: 0, silentVenue: nil)
            == "daily loss limit: realised -501.00 USD is past the -500.00 limit")
    }

    @Test func drawdownFromTheDaysPeak() {
        let limits = AutoHaltLimits(drawdownUSD: FixedDecimal(300))
        // Still up on the day, but 301 below the peak.
        #expect(limits.reason(realised: FixedDecimal(699), peak: FixedDecimal(1000), failuresInARow: 0, silentVenue: nil)
            == "drawdown: 301.00 USD below today's peak of 1000.00, past the 300.00 limit")
        #expect(limits.reason(realised: FixedDecimal(701), peak: FixedDecimal(1000), failuresInARow: 0, silentVenue: nil) == nil)
    }

    /// Both venues refuse every order: after the configured run of arbitrages that filled nothing, the desk halts.
    /// The books stay crossed (nothing fills), so the same route is approved again at once.
    @Test func aRunOfFailedTrades() async throws {
        func refuse(_ reason: String) -> ScriptedVenue.Behaviour {
            .rejects(ExecutionFailure(code: "refused", failureClass: .rejected, reason: reason))
        }
        let desk = try await scriptedDesk(behaviour: ["alpha": refuse("API key lacks trade permission"),
                                                     "beta": refuse("venue down for maintenance")]) { config in
            config.autoHalt = AutoHaltLimits(failedRun: 2)
            config.legRisk = LegRiskPolicy(action: .unwind)
        }
        let (engine, ledger) = (desk.engine, desk.ledger)
        for attempt in 1...2 {
            #expect(engine.board.current?.tradingState != .halted, "halted after \(attempt - 1) failed arbitrages")
            _ = try await approve(engine)
            await run(engine, for: .milliseconds(20))
            let failed = engine.board.current?.events.filter { if case .legFailed = $0 { true } else { false } } ?? []
            #expect(failed.count == 2 * attempt, "both legs refused, each time")
        }
        #expect(desk.venue.submitted.count == 4)
        #expect(try ledger.reader.trades().isEmpty)
        let snapshot = try #require(engine.board.current)
        let reason = try #require(AutoHaltLimits(failedRun: 2).reason(realised: .zero, peak: .zero, failuresInARow: 2,
                                                                      silentVenue: nil))
        #expect(snapshot.tradingState == .halted && snapshot.haltReason == "automatic halt: \(reason)")
        #expect(snapshot.events.contains {
            if case .halted("automatic halt: \(reason)", _, _) = $0 { true } else { false }
        })
        #expect(try ledger.reader.auditEntries().contains { $0.action == "halt" && $0.detail.contains(reason) })
    }

    /// Auto-approve over a daily volume already spent: the opportunity is denied, and its denial recorded once, not
    /// on every update of it. Beta's bid moves a cent a tick for a second (the opportunity updated 100 times), then
    /// uncrosses and crosses again: a second opportunity, a second denial.
    @Test func anAutoApproveDenialIsRecordedOncePerOpportunity() async throws {
        let desk = try await scriptedDesk { config in
            config.limits.dailyVolumeUSD = FixedDecimal(1)
            config.autoApprove = AutoApprovePolicy(minNetUSD: FixedDecimal("0.01")!, maxNotionalUSD: FixedDecimal(5_000),
                                                   pairs: [])
        }
        let (engine, ledger) = (desk.engine, desk.ledger)
        func bid(_ price: FixedDecimal) {
            let five = FixedDecimal(5)
            desk.venue.setBook(ScriptedDesk.betaETH, OrderBook(bids: [BookLevel(price: price, quantity: five)],
                                                               asks: [BookLevel(price: price + .one, quantity: five)]))
        }
        var seen: [UInt64] = []
        for step in 0..<100 {
            bid(FixedDecimal(3010) + FixedDecimal(step) * FixedDecimal("0.01")!)
            await run(engine, for: .milliseconds(10))
            seen.append(try #require(engine.board.current?.opportunities.first?.id))
        }
        #expect(Set(seen).count == 1, "one opportunity, updated")
        bid(FixedDecimal(2989))
        await run(engine, for: .milliseconds(20))
        #expect(engine.board.current?.opportunities.isEmpty == true)
        bid(FixedDecimal(3010))
        await run(engine, for: .milliseconds(20))
        let second = try #require(engine.board.current?.opportunities.first?.id)
        #expect(second != seen[0])
        let denied = try ledger.reader.decisions().filter { $0.decision == "denied" }
        #expect(denied.allSatisfy { $0.reason?.hasPrefix("auto-approve: denied by daily volume") == true }, "\(denied)")
        // Record ids are "<run>-o<opportunity>.<sequence>": one per opportunity.
        let opportunities = denied.map { String($0.id.split(separator: "-o").last?.split(separator: ".").first ?? "") }
        #expect(opportunities.sorted() == ["\(seen[0])", "\(second)"].sorted())
        #expect(try ledger.reader.bookings().isEmpty)
        #expect(desk.venue.submitted.isEmpty)
    }

    /// Beta's feed goes silent two seconds in, past the five-second feed-silence limit: the desk halts naming it.
    @Test func lossOfAVenuesFeed() async throws {
        let desk = try await scriptedDesk { $0.autoHalt = AutoHaltLimits(feedSilence: .seconds(5)) }
        let engine = desk.engine
        await run(engine, for: .seconds(2))
        desk.venue.setSilent("beta")
        await run(engine, for: .seconds(2))
        #expect(engine.board.current?.tradingState == .active)
        await run(engine, for: .milliseconds(2_990))
        #expect(engine.board.current?.tradingState == .active, "beta silent for 4.99 s")
        await run(engine, for: .milliseconds(20))
        let snapshot = try #require(engine.board.current)
        #expect(snapshot.tradingState == .halted)
        #expect(snapshot.haltReason?.hasPrefix("automatic halt: feed lost: beta silent for") == true, "\(snapshot.haltReason ?? "-")")
        #expect(snapshot.events.contains {
            if case .halted(let reason, _, _) = $0 { reason == snapshot.haltReason } else { false }
        })
    }
}
