import DexterCore
import DexterEngine
import DexterRisk
import Foundation
import Testing

/// A box's share of the desk-wide caps, as the engine keeps to it: a trade that would take the box's position or
/// its positions' VaR past what it holds of the desk's cap is denied, naming the cap and the figures, and the rest
/// is asked of the desk; once granted, the same trade goes.
@Suite struct DeskCapsEngineTests: DrivesTheDesk {
    let clock = ManualClock()

    @Test func aTradePastTheBoxsShareOfADeskCapWaitsForTheDesk() async throws {
        let var99 = DeskCaps.valueAtRisk, eth = DeskCaps.position("ETH")
        let caps = DeskCaps(kinds: [var99, eth])
        let desk = try await scriptedDesk { $0.deskCaps = caps }
        let engine = desk.engine
        // ETH swings $15 either way every 5 s, for long enough that the box has a volatility to take VaR on.
        for step in 0..<(RiskWatch.minimumSamples + 2) {
            let move = step % 2 == 0 ? 15 : -15
            desk.venue.setBook(ScriptedDesk.alphaETH, ScriptedDesk.book(bid: "\(2989 + move)", ask: "\(2990 + move)", size: "5"))
            desk.venue.setBook(ScriptedDesk.betaETH, ScriptedDesk.book(bid: "\(3010 + move)", ask: "\(3011 + move)", size: "5"))
            clock.advance(.seconds(5))
            await run(engine, for: .milliseconds(20))
        }
        #expect(engine.board.current?.riskSamples ?? 0 >= RiskWatch.minimumSamples)

        // Nothing held yet: the approval is denied, each cap short is asked for, nothing is sent.
        func approve() async throws -> Opportunity {
            let opportunity = try await firstOpportunity(engine)
            await engine.requestApproval(of: opportunity.id)
            await engine.confirmApproval(of: opportunity.id)
            await run(engine, for: .milliseconds(50))
            return opportunity
        }
        let first = try await approve()
        let denials = engine.board.current?.events.compactMap { event -> PreTradeDenial? in
            if case .riskDenied(_, _, let denial) = event { denial } else { nil }
        } ?? []
        let denial = try #require(denials.first, "the trade waits for the desk")
        #expect(denial.step == .position)
        #expect(denial.reason.contains("the desk-wide ETH position cap: this box holds 0 ETH of it and the trade needs"), "\(denial.reason)")
        #expect(desk.venue.submitted.isEmpty)
        let asked = caps.current
        // What the box holds of ETH and what the trade may bring in; VaR on every position after it.
        #expect((asked[eth]?.wanted ?? .zero) > first.quantity, "\(asked)")
        #expect((asked[var99]?.wanted ?? .zero) > .zero, "VaR is asked for: \(asked)")

        // The desk grants only the position: still denied, now for the VaR budget, with its figures.
        caps.grant(asked[eth]?.wanted ?? .zero, of: eth)
        _ = try await approve()
        let second = engine.board.current?.events.compactMap { event -> PreTradeDenial? in
            if case .riskDenied(_, _, let denial) = event { denial } else { nil }
        }.first
        #expect(second?.reason.contains("the desk-wide VaR budget: this box holds $0.00 of it") == true, "\(String(describing: second))")
        #expect(desk.venue.submitted.isEmpty)

        // The VaR share granted too: the same trade goes, both legs.
        caps.grant(caps.current[var99]?.wanted ?? .zero, of: var99)
        _ = try await approve()
        #expect(desk.venue.submitted.count == 2)
    }
}
