import DexterCore
import DexterDetect
import DexterEngine
import DexterLedger
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
    @Test func aRunOfFailedTrades() async throws {
        var config = twoVenueConfig()
        config.universe.faults[VenueId("beta")] = .reject("venue down for maintenance")
        config.universe.faults[VenueId("alpha")] = .reject("API key lacks trade permission")
        config.autoHalt = AutoHaltLimits(failedRun: 2)
        config.legRisk = LegRiskPolicy(action: .unwind)
        let (engine, ledger) = try await engine(config)
        for _ in 0..<6 {
            guard engine.board.current?.tradingState != .halted else { break }
            var found: Opportunity?
            for _ in 0..<3000 {
                clock.advance(.milliseconds(10))
                await engine.tick()
                await engine.publishNow()
                if let first = engine.board.current?.opportunities.first(where: { !$0.isExpired(at: clock.now()) }) {
                    found = first
                    break
                }
            }
            guard let opportunity = found else { break }
            await engine.requestApproval(of: opportunity.id)
            if let pending = engine.board.current?.confirmation { await engine.confirmApproval(of: pending.repriced.id) }
            await run(engine, for: .seconds(1))
        }
        let snapshot = try #require(engine.board.current)
        #expect(snapshot.tradingState == .halted, "\(snapshot.notifications.prefix(8).map(\.text))")
        #expect(snapshot.haltReason?.hasPrefix("automatic halt: ") == true && snapshot.haltReason?.contains("2 arbitrages in a row filled nothing") == true,
                "\(snapshot.haltReason ?? "-")")
        #expect(try ledger.reader.auditEntries().contains { $0.action == "halt" && $0.detail.contains("filled nothing") })
    }

    /// Auto-approve over a daily volume already spent: each live opportunity is denied, and its denial recorded once,
    /// not on every update of it (an opportunity updates many times a second).
    @Test func anAutoApproveDenialIsRecordedOncePerOpportunity() async throws {
        var config = twoVenueConfig(noiseBps: 2)
        config.limits.dailyVolumeUSD = FixedDecimal(1)
        config.autoApprove = AutoApprovePolicy(minNetUSD: FixedDecimal("0.01")!, maxNotionalUSD: FixedDecimal(5_000), pairs: [])
        let (engine, ledger) = try await engine(config)
        await run(engine, for: .seconds(60))
        let denied = try ledger.reader.decisions().filter { $0.decision == "denied" }
        #expect(!denied.isEmpty && denied.allSatisfy { $0.reason?.hasPrefix("auto-approve: denied by daily volume") == true })
        // Record ids are "<run>-o<opportunity>.<sequence>": one per opportunity.
        let opportunities = denied.map { $0.id.split(separator: "-o").last?.split(separator: ".").first ?? "" }
        #expect(Set(opportunities).count == opportunities.count, "\(opportunities.count) denials for \(Set(opportunities).count) opportunities")
        #expect(try ledger.reader.bookings().isEmpty)
    }

    /// A venue goes silent (a scripted outage) past the feed-silence limit: the desk halts naming it.
    @Test func lossOfAVenuesFeed() async throws {
        var config = twoVenueConfig()
        config.universe.outages = [FeedOutage(venues: ["beta"], start: .seconds(2), length: .seconds(30))]
        config.autoHalt = AutoHaltLimits(feedSilence: .seconds(5))
        let (engine, _) = try await engine(config)
        await run(engine, for: .seconds(4))
        #expect(engine.board.current?.tradingState == .active)
        await run(engine, for: .seconds(6))
        let snapshot = try #require(engine.board.current)
        #expect(snapshot.tradingState == .halted)
        #expect(snapshot.haltReason?.hasPrefix("automatic halt: feed lost: beta silent for") == true, "\(snapshot.haltReason ?? "-")")
    }
}
