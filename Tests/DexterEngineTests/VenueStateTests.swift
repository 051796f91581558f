import DexterCore
import DexterDetect
import DexterEngine
import DexterMarket
import DexterVenues
import Foundation
import Testing

/// A venue that cannot take a leg now — down, resyncing, or rate-limited — is named on the status bar and is never a
/// leg of an approved trade until it can again.
@Suite struct VenueStateTests: DrivesTheDesk {
    let clock = ManualClock()

    func refusals(_ engine: Engine) async -> [ApprovalRefusal] {
        (engine.board.current?.events ?? []).compactMap { if case .approvalRefused(_, _, let why) = $0 { why } else { nil } }
    }

    @Test func aRateLimitedVenueIsNamedAndNeverALegUntilItsHoldPasses() async throws {
        let desk = try await scriptedDesk()
        let opportunity = try await firstOpportunity(desk.engine)
        desk.venue.setRateLimits([RateLimitUsage(name: "api", used: 3, limit: 1_200, heldUntil: clock.now().adding(.seconds(10))),
                                  RateLimitUsage(name: "ord", used: 10, limit: 50)], on: "beta")
        await desk.engine.requestApproval(of: opportunity.id)
        await desk.engine.publishNow()
        #expect(await refusals(desk.engine) == [.venueRateLimited("alpha", "api held for 10 s")])
        #expect(desk.engine.board.current?.confirmation == nil, "nothing to confirm")
        #expect(desk.engine.board.current?.alerts.contains("beta rate-limited (api held for 10 s)") == true)
        #expect(desk.venue.submitted.isEmpty)
        // A spent budget refuses as well.
        desk.venue.setRateLimits([RateLimitUsage(name: "ord", used: 50, limit: 50)], on: "beta")
        await run(desk.engine, for: .milliseconds(20))
        let again = try #require(desk.engine.board.current?.opportunities.first)
        await desk.engine.requestApproval(of: again.id)
        await desk.engine.publishNow()
        #expect(await refusals(desk.engine).first == .venueRateLimited("alpha", "ord 50/50 spent"), "newest first")
        // Once the budgets have room, the same route is approved and sent.
        desk.venue.setRateLimits([RateLimitUsage(name: "ord", used: 49, limit: 50)], on: "beta")
        await run(desk.engine, for: .milliseconds(20))
        let later = try #require(desk.engine.board.current?.opportunities.first)
        await desk.engine.requestApproval(of: later.id)
        await desk.engine.confirmApproval(of: later.id)
        await run(desk.engine, for: .milliseconds(50))
        #expect(desk.venue.submitted.count == 2)
        #expect(desk.engine.board.current?.alerts.contains { $0.contains("rate-limited") } == false)
    }

    @Test func aVenueDownOrResyncingIsNamedOnTheStatusBar() async throws {
        let desk = try await scriptedDesk()
        _ = try await firstOpportunity(desk.engine)
        desk.engine.inbox.post(.resyncing(reason: "ETH/USDT: diff U=9 does not follow 7"), for: "beta")
        desk.engine.inbox.post(.down(reason: "stream closed"), for: "alpha")
        await run(desk.engine, for: .milliseconds(20))
        let alerts = try #require(desk.engine.board.current?.alerts)
        #expect(alerts.contains("alpha down (stream closed)") && alerts.contains("beta resyncing (ETH/USDT: diff U=9 does not follow 7)"),
                "\(alerts)")
        desk.engine.inbox.post(.live, for: "alpha")
        desk.engine.inbox.post(.live, for: "beta")
        await run(desk.engine, for: .milliseconds(20))
        #expect(desk.engine.board.current?.alerts.isEmpty == true)
    }
}
