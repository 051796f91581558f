import DexterCore
import DexterDetect
import DexterEngine
import DexterLedger
import DexterMarket
import DexterRisk
import DexterVenues
import Foundation
import GRDB
import Testing

/// Each leg-risk policy on a scripted partial fill: one venue fills at most half of every order, so every
/// arbitrage through it comes back uneven, and the policy must act on exactly the excess.
@Suite struct LegRiskTests {
    let clock = ManualClock()
    let ledgerPath = NSTemporaryDirectory() + "dexter-legrisk-\(UUID().uuidString).sqlite"

    /// The two-venue market plus a third venue (gamma) to hedge on; beta fills half of every order.
    func config(_ policy: LegRiskPolicy) -> SimDesk {
        var config = twoVenueConfig()
        let symbol = Symbol(base: "ETH", quote: "USDT")
        config.universe.books.append(SimulatedBook(
            venue: VenueSpec(id: "gamma", kind: .exchange, takerFee: FixedDecimal("0.0005")!, stalenessBound: .seconds(2)),
            instrument: InstrumentSpec(symbol: symbol, tickSize: FixedDecimal("0.0001")!, lotSize: FixedDecimal("0.001")!,
                                       minNotional: FixedDecimal(5)),
            catchUpRate: 8, noiseBps: 0, halfSpreadBps: 0.5, levels: 10, topQuantity: 20, updatesPerSecond: 20))
        config.universe.latency[VenueId("gamma")] = .milliseconds(10)
        config.universe.faults[VenueId("beta")] = .fillFraction(FixedDecimal("0.5")!)
        var inventory = config.initialBalances
        inventory.credit("ETH", FixedDecimal(10), at: .exchange("gamma"))
        inventory.credit("USDT", FixedDecimal(30_000), at: .exchange("gamma"))
        config.initialBalances = inventory
        config.legRisk = policy
        return config
    }

    /// Leg risk said on the desk: a correction sent, an excess left open, or the halt the route's policy called.
    static func isLegRisk(_ event: DeskEvent) -> Bool {
        switch event {
        case .legRiskCorrection, .legRiskLeftOpen: true
        case .halted(let reason, _, _): reason.hasPrefix("leg risk on")
        default: false
        }
    }

    /// The correcting order leg risk sent, and under which policy.
    static func correction(_ snapshot: Snapshot) -> (action: LegRiskAction, order: OrderRequest)? {
        snapshot.events.lazy.compactMap { event -> (LegRiskAction, OrderRequest)? in
            if case .legRiskCorrection(_, _, let action, let order) = event { (action, order) } else { nil }
        }.first
    }

    /// Approves alpha↔beta opportunities until one has come back uneven, then lets the correction land.
    func runUntilUneven(_ engine: Engine) async throws -> Snapshot {
        for _ in 0..<6000 {
            clock.advance(.milliseconds(10))
            await engine.tick()
            await engine.publishNow()
            guard let snapshot = engine.board.current, snapshot.haltReason == nil || snapshot.orders.isEmpty == false else { continue }
            // Only alpha↔beta routes are approved: gamma is kept for the hedge.
            if let opportunity = snapshot.opportunities.first(where: { Set([$0.buy.venue, $0.sell.venue]) == ["alpha", "beta"] }),
               snapshot.orders.allSatisfy({ !$0.state.isLive }), snapshot.confirmation == nil,
               !snapshot.events.contains(where: Self.isLegRisk) {
                await engine.requestApproval(of: opportunity.id)
                await engine.confirmApproval(of: opportunity.id)
            }
            if let current = engine.board.current, current.events.contains(where: Self.isLegRisk) {
                for _ in 0..<50 { clock.advance(.milliseconds(10)); await engine.tick() }
                await engine.publishNow()
                _ = current
                return try #require(engine.board.current)
            }
        }
        throw EngineTestError.noOpportunity
    }

    func exposure(_ ledger: Ledger) throws -> FixedDecimal {
        try ledger.reader.trades(limit: 10_000).reduce(FixedDecimal.zero) { $0 + ($1.side == .buy ? $1.amount : -$1.amount) }
    }

    @Test func unwindTradesTheExcessBackWhereItFilled() async throws {
        let ledger = try Ledger(path: ledgerPath)
        let engine = try await Engine(config: config(LegRiskPolicy(action: .unwind, maxLossBps: 200)), ledger: ledger, clock: clock)
        let snapshot = try await runUntilUneven(engine)
        let correction = try #require(Self.correction(snapshot), "\(snapshot.notifications.prefix(5).map(\.text))")
        #expect(correction.action == .unwind && ["alpha", "beta"].contains(correction.order.venue))
        let corrections = try DatabaseQueue(path: ledgerPath).read { db in
            try Row.fetchAll(db, sql: "SELECT id, explanation FROM arbitrages WHERE explanation LIKE 'unwind of %'")
        }
        #expect(!corrections.isEmpty, "the unwind is booked")
        // The correction was sent on a venue of the original route, never on gamma.
        #expect(try ledger.reader.trades(limit: 10_000).allSatisfy { $0.exchange != "gamma" })
        // Filled in full, the unwind leaves no net position from the trades.
        if (corrections.first?["explanation"] as String?)?.contains("the rest is still exposed") == false {
            #expect(try exposure(ledger) == .zero)
        }
        #expect(try ledger.reader.reconciliationProblems() == [])
    }

    @Test func hedgeCompletesTheMissingLegOnAnotherVenue() async throws {
        let ledger = try Ledger(path: ledgerPath)
        let engine = try await Engine(config: config(LegRiskPolicy(action: .hedge, maxLossBps: 200)), ledger: ledger, clock: clock)
        let snapshot = try await runUntilUneven(engine)
        let correction = try #require(Self.correction(snapshot), "\(snapshot.notifications.prefix(5).map(\.text))")
        #expect(correction.action == .hedge && correction.order.venue == "gamma")
        let hedges = try ledger.reader.trades(limit: 10_000).filter { $0.exchange == "gamma" }
        #expect(!hedges.isEmpty, "the hedge filled on the third venue")
        #expect(try exposure(ledger) == .zero)
    }

    @Test func haltStopsTradingAndSaysWhy() async throws {
        let ledger = try Ledger(path: ledgerPath)
        let engine = try await Engine(config: config(LegRiskPolicy(action: .unwind, routes: ["alpha>beta": .halt, "beta>alpha": .halt])),
                                ledger: ledger, clock: clock)
        let snapshot = try await runUntilUneven(engine)
        #expect(snapshot.haltReason?.contains("leg risk on") == true)
        #expect(snapshot.haltReason?.contains("policy is to halt") == true)
        #expect(try ledger.reader.trades(limit: 10_000).allSatisfy { $0.exchange != "gamma" })
    }
}

/// A venue that times out: the order is sent again with the same client order id, with backoff, up to the policy's
/// attempts, and then booked as the failure it was. Nothing is ever filled twice.
@Suite struct TransientRetryTests {
    let clock = ManualClock()
    let ledgerPath = NSTemporaryDirectory() + "dexter-retry-\(UUID().uuidString).sqlite"

    @Test func timeoutsAreRetriedWithTheSameIdThenGivenUp() async throws {
        var config = twoVenueConfig()
        config.universe.faults[VenueId("beta")] = .timeout
        config.retry = RetryPolicy(maxAttempts: 3, base: .milliseconds(20), cap: .milliseconds(80))
        config.legRisk = LegRiskPolicy(action: .halt)
        let ledger = try Ledger(path: ledgerPath)
        let engine = try await Engine(config: config, ledger: ledger, clock: clock)
        var approved: UInt64?
        for _ in 0..<6000 where approved == nil {
            clock.advance(.milliseconds(10))
            await engine.tick()
            await engine.publishNow()
            if let opportunity = engine.board.current?.opportunities.first {
                await engine.requestApproval(of: opportunity.id)
                await engine.confirmApproval(of: opportunity.id)
                approved = opportunity.id
            }
        }
        #expect(approved != nil)
        for _ in 0..<100 { clock.advance(.milliseconds(10)); await engine.tick() }
        await engine.publishNow()
        let retries = engine.board.current?.events.compactMap { event -> Int? in
            if case .retryScheduled(_, let failure, _, let attempt, 3) = event, failure.code == "timeout" { attempt } else { nil }
        } ?? []
        #expect(retries.sorted() == [2, 3], "\(engine.board.current?.notifications.map(\.text) ?? [])")
        let betaOrder = try #require(try ledger.reader.orderEvents().first { $0.venue == "beta" }?.orderId)
        let events = try ledger.reader.orderEvents(orderId: betaOrder).map(\.event)
        #expect(events == ["submit", "reject"], "live through the retries, then rejected once")
        #expect(try ledger.reader.trades(limit: 100).filter { $0.exchange == "beta" }.isEmpty)
        #expect(try ledger.reader.reconciliationProblems() == [])
    }
}

/// Sequential legs: the riskiest goes first, the other only for what it filled. Against a venue that fills half, the
/// arbitrage comes back even instead of needing a correction.
@Suite struct SequentialLegsTests {
    let clock = ManualClock()
    let ledgerPath = NSTemporaryDirectory() + "dexter-sequential-\(UUID().uuidString).sqlite"

    @Test func theSecondLegGoesOnlyForWhatTheFirstFilled() async throws {
        var config = twoVenueConfig()
        config.universe.faults[VenueId("beta")] = .fillFraction(FixedDecimal("0.5")!)
        config.sequentialRoutes = ["alpha>beta", "beta>alpha"]
        config.legRisk = LegRiskPolicy(action: .halt)
        let ledger = try Ledger(path: ledgerPath)
        let engine = try await Engine(config: config, ledger: ledger, clock: clock)
        var booked = 0
        for _ in 0..<6000 where booked < 3 {
            clock.advance(.milliseconds(10))
            await engine.tick()
            await engine.publishNow()
            guard let snapshot = engine.board.current, snapshot.haltReason == nil else { break }
            if let opportunity = snapshot.opportunities.first, snapshot.orders.allSatisfy({ !$0.state.isLive && $0.state != .initialized }) {
                await engine.requestApproval(of: opportunity.id)
                await engine.confirmApproval(of: opportunity.id)
                await engine.publishNow()
                // Only one leg leaves at first.
                let live = engine.board.current?.orders.filter { $0.opportunityId == opportunity.id && $0.state.isLive } ?? []
                #expect(live.count <= 1)
            }
            booked = try await DatabaseQueue(path: ledgerPath).read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM arbitrages") ?? 0 }
        }
        #expect(booked >= 1)
        #expect(engine.board.current?.haltReason == nil, "no leg risk: \(engine.board.current?.haltReason ?? "")")
        // Each booked arbitrage bought exactly what it sold.
        let trades = try ledger.reader.trades(limit: 1000)
        let byArbitrage = Dictionary(grouping: trades) { String($0.orderId.dropLast(2)) }
        for (id, fills) in byArbitrage {
            let bought = fills.filter { $0.side == .buy }.reduce(FixedDecimal.zero) { $0 + $1.amount }
            let sold = fills.filter { $0.side == .sell }.reduce(FixedDecimal.zero) { $0 + $1.amount }
            #expect(bought == sold, "\(id): bought \(bought), sold \(sold)")
        }
        #expect(try ledger.reader.reconciliationProblems() == [])
    }
}
