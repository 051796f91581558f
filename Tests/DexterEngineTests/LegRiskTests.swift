import DexterCore
import DexterDetect
@testable import DexterEngine
import DexterLedger
import DexterMarket
import DexterRisk
import DexterVenues
import Foundation
import GRDB
import Testing

/// Each leg-risk policy on a leg that fills short: the crossed books (alpha asks 2,990, beta bids 3,010), approved,
/// and before the orders arrive beta's bid at 3,010 thins to 0.835 ETH (the rest at 3,000, under the sell's limit).
/// The buy fills its 1.671 ETH, the sell 0.835: 0.836 ETH bought and not sold, on alpha, and the policy must act on
/// exactly that. gamma quotes wide (2,988 / 3,012, inside no route) and holds ETH and USDT to hedge with.
@Suite struct LegRiskTests: DrivesTheDesk {
    let clock = ManualClock()
    typealias Desk = ScriptedDesk
    static let gammaETH = MarketKey(venue: "gamma", symbol: Desk.eth)
    static let quantity = EngineTests.quantity
    static let sold = FixedDecimal("0.835")!
    static let excess = quantity - sold

    func desk(_ policy: LegRiskPolicy) async throws -> ScriptedDesk {
        var books = Desk.crossedBooks
        books[Self.gammaETH] = Desk.book(bid: "2988", ask: "3012", size: "20")
        return try await scriptedDesk(
            books: books, behaviour: ["alpha": .ioc(), "beta": .ioc(), "gamma": .ioc()],
            venues: ["alpha", "beta", "gamma"].map { Desk.exchange($0) }
        ) { config in
            config.initialBalances.credit("ETH", FixedDecimal(10), at: .exchange("gamma"))
            config.initialBalances.credit("USDT", FixedDecimal(30_000), at: .exchange("gamma"))
            config.legRisk = policy
        }
    }

    /// Approves alpha→beta on the first tick, thins beta's bid before the orders arrive, and lets the arbitrage and
    /// its correction land.
    func approveAndFillShort(_ desk: ScriptedDesk) async throws -> Snapshot {
        let opportunity = try await approve(desk.engine)
        #expect(opportunity.quantity == Self.quantity)
        desk.venue.setBook(Desk.betaETH, OrderBook(
            bids: [BookLevel(price: FixedDecimal(3010), quantity: Self.sold),
                   BookLevel(price: FixedDecimal(3000), quantity: FixedDecimal(5))],
            asks: [BookLevel(price: FixedDecimal(3011), quantity: FixedDecimal(5))]))
        await run(desk.engine, for: .milliseconds(50))
        return try #require(desk.engine.board.current)
    }

    /// The correcting order leg risk sent, and under which policy.
    static func correction(
        _ snapshot: Snapshot
    ) -> (action: LegRiskAction, exposure: DeskEvent.LegExposure, order: OrderRequest)? {
        snapshot.events.lazy.compactMap { event -> (LegRiskAction, DeskEvent.LegExposure, OrderRequest)? in
            if case .legRiskCorrection(_, let exposure, let action, let order) = event { (action, exposure, order) } else { nil }
        }.first
    }

    /// The trades, as "venue side amount@price", by venue.
    func trades(_ ledger: Ledger) throws -> [String] {
        try ledger.reader.trades(limit: 10_000).map { "\($0.exchange) \($0.side) \($0.amount)@\($0.price)" }.sorted()
    }

    func exposure(_ ledger: Ledger) throws -> FixedDecimal {
        try ledger.reader.trades(limit: 10_000).reduce(FixedDecimal.zero) { $0 + ($1.side == .buy ? $1.amount : -$1.amount) }
    }

    @Test func unwindTradesTheExcessBackWhereItFilled() async throws {
        let desk = try await desk(LegRiskPolicy(action: .unwind, maxLossBps: 200))
        let snapshot = try await approveAndFillShort(desk)
        let correction = try #require(Self.correction(snapshot), "\(snapshot.events.prefix(5))")
        #expect(correction.action == .unwind)
        #expect(correction.exposure == DeskEvent.LegExposure(asset: "ETH", excess: Self.excess, venue: "alpha"))
        // Sold back on alpha, no worse than 2 % under the 2,990 it was bought at.
        #expect(correction.order.venue == "alpha" && correction.order.side == .sell && correction.order.quantity == Self.excess)
        #expect(correction.order.limitPrice == FixedDecimal("2930.20")!)
        let bookings = try desk.ledger.reader.bookings()
        #expect(bookings.count == 2 && bookings.allSatisfy { $0.status == "completed" || $0.status == "partial" }, "\(bookings)")
        // The unwind filled whole at alpha's bid: no net position, never a trade on gamma.
        #expect(try trades(desk.ledger) == ["alpha buy \(Self.quantity)@2990", "alpha sell \(Self.excess)@2989",
                                           "beta sell \(Self.sold)@3010"])
        #expect(try exposure(desk.ledger) == .zero)
        #expect(snapshot.tradingState == .active)
        #expect(try desk.ledger.reader.reconciliationProblems() == [])
    }

    @Test func hedgeCompletesTheMissingLegOnAnotherVenue() async throws {
        let desk = try await desk(LegRiskPolicy(action: .hedge, maxLossBps: 200))
        let snapshot = try await approveAndFillShort(desk)
        let correction = try #require(Self.correction(snapshot), "\(snapshot.events.prefix(5))")
        #expect(correction.action == .hedge)
        #expect(correction.exposure == DeskEvent.LegExposure(asset: "ETH", excess: Self.excess, venue: "alpha"))
        #expect(correction.order.venue == "gamma" && correction.order.side == .sell && correction.order.quantity == Self.excess)
        // The missing sell completed on gamma's bid.
        #expect(try trades(desk.ledger) == ["alpha buy \(Self.quantity)@2990", "beta sell \(Self.sold)@3010",
                                           "gamma sell \(Self.excess)@2988"])
        #expect(try exposure(desk.ledger) == .zero)
        #expect(try desk.ledger.reader.reconciliationProblems() == [])
    }

    @Test func haltStopsTradingAndSaysWhy() async throws {
        let desk = try await desk(LegRiskPolicy(action: .unwind, routes: ["alpha>beta": .halt, "beta>alpha": .halt]))
        let snapshot = try await approveAndFillShort(desk)
        #expect(snapshot.tradingState == .halted)
        #expect(snapshot.haltReason?.contains("leg risk on") == true)
        #expect(snapshot.haltReason?.contains("policy is to halt") == true)
        #expect(snapshot.events.contains {
            if case .halted(let reason, _, _) = $0 { reason == snapshot.haltReason } else { false }
        })
        #expect(Self.correction(snapshot) == nil, "nothing sent to correct it")
        // The excess stays where it filled.
        #expect(try trades(desk.ledger) == ["alpha buy \(Self.quantity)@2990", "beta sell \(Self.sold)@3010"])
        #expect(try exposure(desk.ledger) == Self.excess)
        #expect(desk.venue.submitted.count == 2)
    }
}

/// A venue that times out: the order is sent again with the same client order id, with backoff, up to the policy's
/// attempts, and then booked as the failure it was. Nothing is ever filled twice. beta answers every order with a
/// timeout; alpha fills.
@Suite struct TransientRetryTests: DrivesTheDesk {
    let clock = ManualClock()

    static let timeout = ExecutionFailure(code: "timeout", failureClass: .transient,
                                          reason: "no answer from the venue in time")

    @Test func timeoutsAreRetriedWithTheSameIdThenGivenUp() async throws {
        let desk = try await scriptedDesk(behaviour: ["alpha": .ioc(), "beta": .rejects(Self.timeout)]) { config in
            config.retry = RetryPolicy(maxAttempts: 3, base: .milliseconds(20), cap: .milliseconds(80))
            config.legRisk = LegRiskPolicy(action: .halt)
        }
        let ledger = desk.ledger
        _ = try await approve(desk.engine)
        await run(desk.engine, for: .seconds(1))
        let retries = desk.engine.board.current?.events.compactMap { event -> Int? in
            if case .retryScheduled(_, let failure, _, let attempt, 3) = event, failure.code == "timeout" { attempt } else { nil }
        } ?? []
        #expect(retries.sorted() == [2, 3], "\(desk.engine.board.current?.events.prefix(8) ?? [])")
        // Three sends of the one beta order, under one client order id.
        let betaSends = desk.venue.submitted.filter { $0.venue == "beta" }
        #expect(betaSends.count == 3 && Set(betaSends.map(\.clientOrderId)).count == 1)
        let betaOrder = try #require(try ledger.reader.orderEvents().first { $0.venue == "beta" }?.orderId)
        #expect(betaOrder == betaSends.first?.clientOrderId)
        let events = try ledger.reader.orderEvents(orderId: betaOrder).map(\.event)
        #expect(events == ["submit", "reject"], "live through the retries, then rejected once")
        #expect(try ledger.reader.trades(limit: 100).map(\.exchange) == ["alpha"])
        #expect(try ledger.reader.reconciliationProblems() == [])
    }
}

/// Sequential legs: the riskiest goes first, the other only for what it filled. beta's bid is thin at the top (1 ETH
/// at 3,010, then 3,009), so its sell reaches further down its book and goes first; beta fills half of every order.
/// The arbitrage comes back even instead of needing a correction.
@Suite struct SequentialLegsTests: DrivesTheDesk {
    let clock = ManualClock()

    @Test func theSecondLegGoesOnlyForWhatTheFirstFilled() async throws {
        var books = ScriptedDesk.crossedBooks
        books[ScriptedDesk.betaETH] = OrderBook(
            bids: [BookLevel(price: FixedDecimal(3010), quantity: .one),
                   BookLevel(price: FixedDecimal(3009), quantity: FixedDecimal(5))],
            asks: [BookLevel(price: FixedDecimal(3011), quantity: FixedDecimal(5))])
        let behaviour: [VenueId: ScriptedVenue.Behaviour] = ["alpha": .ioc(), "beta": .iocPart(FixedDecimal("0.5")!)]
        let desk = try await scriptedDesk(books: books, behaviour: behaviour) {
            $0.sequentialRoutes = ["alpha>beta", "beta>alpha"]
            $0.legRisk = LegRiskPolicy(action: .halt)
        }
        let (engine, ledger) = (desk.engine, desk.ledger)
        let opportunity = try await approve(engine)
        await engine.publishNow()
        // Only one leg leaves at first: beta's.
        #expect(engine.board.current?.events.first
            == .approvedInSequence(opportunity.id, route: opportunity.route, firstVenue: "beta"))
        #expect(desk.venue.submitted.map(\.venue) == ["beta"])
        let live = engine.board.current?.orders.filter { $0.opportunityId == opportunity.id && $0.state.isLive } ?? []
        #expect(live.count == 1)
        await run(engine, for: .milliseconds(50))
        // beta sold half (to the lot); alpha then bought exactly that.
        let half = (opportunity.quantity * FixedDecimal("0.5")!).rounded(toMultipleOf: FixedDecimal("0.001")!, .down)
        #expect(desk.venue.submitted.map(\.venue) == ["beta", "alpha"])
        #expect(desk.venue.submitted.last?.quantity == half)
        let trades = try ledger.reader.trades(limit: 1000).sorted { $0.exchange < $1.exchange }
        #expect(trades.map { "\($0.exchange) \($0.side) \($0.amount)@\($0.price)" }
            == ["alpha buy \(half)@2990", "beta sell \(half)@3010"])
        #expect(try ledger.reader.bookings().count == 1)
        #expect(engine.board.current?.haltReason == nil, "no leg risk: \(engine.board.current?.haltReason ?? "")")
        #expect(try ledger.reader.reconciliationProblems() == [])
    }
}
