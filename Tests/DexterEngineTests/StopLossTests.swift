import DexterCore
import DexterDetect
@testable import DexterEngine
import DexterLedger
import DexterRisk
import DexterVenues
import Foundation
import Testing

/// A stop-loss closes inventory that falls past its limit: the simulated market is shocked, the desk sells the
/// asset at every account, books each sale against what the inventory cost, and trades no new arbitrage in it until
/// a risk manager resumes.
@Suite struct StopLossTests: DrivesTheDesk {
    let clock = ManualClock()

    /// ETH falls 15 % twenty seconds in; its stop is 10 % under cost.
    func shockedConfig() -> SimDesk {
        var config = twoVenueConfig(noiseBps: 1)
        config.universe.shocks = [PriceShock(asset: "ETH", after: .seconds(20), move: -0.15)]
        config.stopLoss = StopLossLimits(percentBelowCost: ["ETH": FixedDecimal(10)], maxSlippageBps: 300)
        config.autoHalt = AutoHaltLimits()
        return config
    }

    @Test func theStopReadsTheFallUnderAverageCost() throws {
        let stops = StopLossLimits(percentBelowCost: ["ETH": FixedDecimal(12)], maxSlippageBps: 50)
        // 10 ETH that cost $30,000: $3,000 each. At $2,640 it is exactly 12 % under: the stop is reached.
        let at = { (mark: Double) in stops.reading(asset: "ETH", quantity: FixedDecimal(10), costUSD: FixedDecimal(30_000), markUSD: mark) }
        #expect(try #require(at(2640)).isTriggered)
        #expect(try #require(at(2641)).isTriggered == false)
        #expect(abs(try #require(at(2700)).fallPercent - 10) < 1e-12)
        #expect(try #require(at(2700)).usage.fraction == 10.0 / 12.0)
        // Above cost the gauge is empty, not negative.
        #expect(try #require(at(3300)).usage.used == .zero)
        // No stop for the asset, nothing held, or no cost known: no reading.
        #expect(stops.reading(asset: "BTC", quantity: FixedDecimal(1), costUSD: FixedDecimal(60_000), markUSD: 10) == nil)
        #expect(stops.reading(asset: "ETH", quantity: .zero, costUSD: .zero, markUSD: 10) == nil)
        // The closing order's worst price: 50 bps under its quote.
        #expect(stops.worstSellPrice(quotedAt: FixedDecimal(2000)) == FixedDecimal(1990))
    }

    @Test func aShockPastTheStopSellsEveryAccountAndBooksTheLossAgainstCost() async throws {
        let (engine, ledger) = try await engine(shockedConfig())
        var seen: Opportunity?
        for _ in 0..<1990 {
            await run(engine, for: .milliseconds(10))
            seen = seen ?? engine.board.current?.opportunities.first { $0.symbol.base == "ETH" }
        }
        // Before the shock: nothing stopped. Nothing traded either, so each account's ETH is its opening lot.
        #expect(try ledger.reader.auditEntries().contains { $0.action == "stop-loss" } == false)
        #expect(try ledger.reader.bookings().isEmpty)
        let costs = Dictionary(uniqueKeysWithValues: try ledger.reader.openLots().filter { $0.asset == "ETH" }
            .map { ($0.account, $0.averageCostUSD) })
        #expect(costs.count == 2)
        let ethOpportunity = try #require(seen, "an ETH arbitrage shows before the shock")

        await run(engine, for: .seconds(3))
        let stops = try ledger.reader.auditEntries().filter { $0.action == "stop-loss" }
        #expect(stops.count == 1)
        #expect(stops.first?.detail.contains("past its 10 % stop") == true, "\(stops.map(\.detail))")
        let bookings = try ledger.reader.bookings().filter { $0.kind == .stopLoss }
        #expect(bookings.count == 2, "one closing sale per account: \(bookings)")

        // Each account sold all its 10 ETH, and each sale's profit is its proceeds less what those ETH cost (FIFO):
        // the loss the stop took, booked as realised.
        let sales = try ledger.reader.trades()
        #expect(sales.count == 2 && sales.allSatisfy { $0.side == .sell && $0.pair == "ETH/USDT" && $0.amount == FixedDecimal(10) })
        for sale in sales {
            let cost = try #require(costs[sale.exchange])
            // The USDT received is valued at the dollar price the booking used (its notional's USD over its notional).
            let notional = sale.amount * sale.price
            let expected = (notional - sale.fee) * sale.notionalUSD / notional - sale.amount * cost
            #expect((sale.profitUSD - expected).magnitude < FixedDecimal("0.00001")!, "\(sale.exchange): \(sale.profitUSD) vs \(expected)")
            #expect(sale.profitUSD == sale.fifoRealisedUSD && sale.profitUSD.isNegative)
        }
        #expect(bookings.reduce(FixedDecimal.zero) { $0 + $1.realisedNetUSD } == sales.reduce(.zero) { $0 + $1.profitUSD })
        #expect(try ethBalances(ledger).values.allSatisfy(\.isZero))
        #expect(try ledger.reader.reconciliationProblems().isEmpty)

        let snapshot = try #require(engine.board.current)
        #expect(snapshot.alerts.contains("ETH STOPPED OUT: resume re-arms its stop"))
        #expect(snapshot.events.contains {
            if case .stopLossTriggered(let reading) = $0 { reading.asset == "ETH" } else { false }
        })
        #expect(snapshot.pnl.realisedTodayUSD == sales.reduce(.zero) { $0 + $1.profitUSD } && snapshot.pnl.arbitragesToday == 0)
        // Stopped out: an arbitrage in ETH is refused whatever else holds, and the stop fires once.
        let refused = await engine.refusal(for: ethOpportunity, at: clock.now())
        #expect(refused == .stoppedOut("ETH"))
        await run(engine, for: .seconds(3))
        #expect(try ledger.reader.auditEntries().filter { $0.action == "stop-loss" }.count == 1)

        // The admin (standing in for the risk manager) resumes: the stop is re-armed and audited.
        await engine.resume()
        #expect(try ledger.reader.auditEntries().contains { $0.action == "stop re-armed" && $0.detail == "ETH" })
        #expect(engine.board.current?.alerts.contains { $0.contains("STOPPED OUT") } == false)
        let afterResume = await engine.refusal(for: ethOpportunity, at: clock.now())
        #expect(afterResume != .stoppedOut("ETH"))
    }

    /// A closing order that fills short is followed by another for the rest, a second apart, up to five per account;
    /// what is still left then is said, to close by hand.
    @Test func whatAClosingOrderLeavesIsSentAgain() async throws {
        var config = shockedConfig()
        config.universe.faults[VenueId("beta")] = .fillFraction(FixedDecimal("0.5")!)
        let (engine, ledger) = try await engine(config)
        await run(engine, for: .seconds(32))
        let sales = try ledger.reader.trades().filter { $0.side == .sell }
        let byVenue = Dictionary(grouping: sales, by: \.exchange)
        #expect(byVenue["alpha"]?.count == 1 && byVenue["alpha"]?.first?.amount == FixedDecimal(10))
        // Beta fills half of each order: five orders sell 5 + 2.5 + 1.25 + 0.625 + 0.3125 of its 10, less lot rounding.
        let beta = try #require(byVenue["beta"])
        #expect(beta.count == 5, "\(beta.map(\.amount))")
        #expect(beta.map(\.amount).sorted(by: >).first == FixedDecimal(5))
        let left = try ethBalances(ledger)["beta"] ?? .zero
        #expect(left == FixedDecimal(10) - beta.reduce(.zero) { $0 + $1.amount } && left.isPositive)
        let unsold = DeskEvent.StopLossKept(quantity: left, account: .exchange("beta"), why: .notSold(afterOrders: 5))
        #expect(engine.board.current?.events.contains {
            if case .stopLossIncomplete("ETH", let kept) = $0 { kept.first == unsold } else { false }
        } == true, "\(engine.board.current?.notifications.prefix(5).map(\.text) ?? [])")
        #expect(try ledger.reader.reconciliationProblems().isEmpty)
    }

    /// The stop's realised loss counts toward the daily loss limit and halts the desk; a risk manager's resume accepts
    /// that breach (the limit then counts from there), so the desk does not halt again at once.
    @Test func theStopsLossHaltsTheDeskAndAResumeAcceptsTheBreach() async throws {
        var config = shockedConfig()
        config.autoHalt = AutoHaltLimits(dailyLossUSD: FixedDecimal(1_000))
        let (engine, ledger) = try await engine(config)
        await run(engine, for: .seconds(25))
        let halted = try #require(engine.board.current)
        #expect(halted.tradingState == .halted && halted.haltReason?.contains("daily loss limit") == true, "\(halted.haltReason ?? "-")")
        let realised = halted.pnl.realisedTodayUSD
        #expect(realised < FixedDecimal(-1_000))
        await engine.resume()
        await run(engine, for: .seconds(2))
        let resumed = try #require(engine.board.current)
        #expect(resumed.tradingState == .active, "\(resumed.haltReason ?? "-")")
        #expect(resumed.events.contains { if case .resumed(_, let baseline) = $0 { baseline == realised } else { false } })
        #expect(try ledger.reader.auditEntries(actions: ["halt"]).count == 1)
        // A restart keeps the baseline the resume set (on the same day): the desk does not halt again at once.
        let restarted = try await Engine(config: config, ledger: ledger, clock: clock)
        for _ in 0..<200 {
            clock.advance(.milliseconds(10))
            await restarted.tick()
        }
        await restarted.publishNow()
        #expect(restarted.board.current?.tradingState == .active, "\(restarted.board.current?.haltReason ?? "-")")
        #expect(try ledger.reader.auditEntries(actions: ["halt"]).count == 1)
    }

    /// Halted means nothing but cancels: a stop reached while halted sends nothing and says so; the resume re-arms it
    /// and, still past its limit, it fires and sells.
    @Test func aStopReachedWhileHaltedWaitsForTheResume() async throws {
        let (engine, ledger) = try await engine(shockedConfig())
        await run(engine, for: .seconds(1))
        await engine.halt("desk meeting")
        await run(engine, for: .seconds(24))
        #expect(try ledger.reader.auditEntries().filter { $0.action == "stop-loss" }.count == 1)
        #expect(try ledger.reader.bookings().isEmpty)
        #expect(engine.board.current?.events.contains {
            if case .stopLossTriggeredWhileHalted(_, "desk meeting") = $0 { true } else { false }
        } == true)

        await engine.resume()
        await run(engine, for: .seconds(2))
        #expect(try ledger.reader.auditEntries().filter { $0.action == "stop-loss" }.count == 2)
        let sales = try ledger.reader.bookings().filter { $0.kind == .stopLoss }
        #expect(sales.count == 2 && sales.allSatisfy { $0.status == "completed" || $0.status == "partial" }, "\(sales)")
    }

    /// The kill switch cancels what the desk holds but has not sent: an order waiting to be sent again after a
    /// timeout is canceled and its arbitrage booked as it stands.
    @Test func theKillSwitchCancelsOrdersWaitingToBeSentAgain() async throws {
        var config = twoVenueConfig()
        config.universe.faults[VenueId("beta")] = .timeout
        config.retry = RetryPolicy(maxAttempts: 5, base: .seconds(20), cap: .seconds(20))
        let (engine, ledger) = try await engine(config)
        var opportunity: Opportunity?
        for _ in 0..<6000 where opportunity == nil {
            clock.advance(.milliseconds(10))
            await engine.tick()
            await engine.publishNow()
            opportunity = engine.board.current?.opportunities.first
        }
        let found = try #require(opportunity)
        await engine.requestApproval(of: found.id)
        await engine.confirmApproval(of: found.id)
        // The beta leg times out and waits to be sent again.
        await run(engine, for: .milliseconds(300))
        #expect(engine.board.current?.events.contains { if case .retryScheduled = $0 { true } else { false } } == true)
        await engine.halt("kill switch")
        let snapshot = try #require(engine.board.current)
        #expect(snapshot.events.contains { if case .halted("kill switch", unsentCanceled: 1, _) = $0 { true } else { false } },
                "\(snapshot.notifications.prefix(4).map(\.text))")
        #expect(snapshot.orders.contains { $0.state == .canceled && $0.reason == "canceled by the halt" })
        // Booked at once, as it stands; nothing is sent again after the halt.
        #expect(try ledger.reader.bookings().count == 1)
        await run(engine, for: .seconds(6))
        #expect(try ledger.reader.bookings().count == 1)
        #expect(engine.board.current?.orders.filter { $0.state.isLive }.isEmpty == true)
    }

    /// A restart is no way around the kill switch or a stop: the halt and the stopped-out asset are read back from the
    /// audit trail, and only a resume lifts them.
    @Test func aHaltAndAStopOutliveARestart() async throws {
        let path = NSTemporaryDirectory() + "dexter-standing-\(UUID().uuidString).sqlite"
        do {
            let engine = try await Engine(config: shockedConfig(), ledger: try Ledger(path: path), clock: clock)
            await run(engine, for: .seconds(25))
            #expect(engine.board.current?.alerts.contains("ETH STOPPED OUT: resume re-arms its stop") == true)
            await engine.halt("end of day")
        }
        let restarted = try await Engine(config: shockedConfig(), ledger: try Ledger(path: path), clock: clock)
        await restarted.publishNow()
        let snapshot = try #require(restarted.board.current)
        #expect(snapshot.tradingState == .halted && snapshot.haltReason == "end of day")
        #expect(snapshot.events.contains(.haltStandsFromLastSession(reason: "end of day")))
        #expect(snapshot.alerts.contains("ETH STOPPED OUT: resume re-arms its stop"))
        await restarted.resume()
        let resumed = try #require(restarted.board.current)
        #expect(resumed.tradingState == .active && !resumed.alerts.contains { $0.contains("STOPPED OUT") })
        // And the resume is what the next restart reads back.
        let again = try await Engine(config: shockedConfig(), ledger: try Ledger(path: path), clock: clock)
        await again.publishNow()
        #expect(again.board.current?.tradingState == .active)
    }

    /// dexter stops while a stop-loss's orders are on their way: the restart settles them with the paper venues
    /// (they never arrived, so they expire), books each against its stop-loss record, and keeps ETH stopped out.
    @Test func aStopLossCutOffByAStopIsSettledOnRestart() async throws {
        let base = NSTemporaryDirectory() + "dexter-stop-restart-\(UUID().uuidString)"
        var config = shockedConfig()
        config.paperJournalPath = base + ".paper.jsonl"
        do {
            let engine = try await Engine(config: config, ledger: try Ledger(path: base + ".sqlite"), clock: clock)
            let ledger = try Ledger(path: base + ".sqlite")
            for _ in 0..<3000 where try ledger.reader.auditEntries(actions: ["stop-loss"]).isEmpty {
                clock.advance(.milliseconds(10))
                await engine.tick()
            }
            #expect(try ledger.reader.auditEntries(actions: ["stop-loss"]).count == 1)
            #expect(try ledger.reader.bookings().isEmpty, "stopped before any answer came back")
        }
        let ledger = try Ledger(path: base + ".sqlite")
        let restarted = try await Engine(config: config, ledger: ledger, clock: clock)
        clock.advance(.milliseconds(10))
        await restarted.tick()
        await restarted.publishNow()
        let bookings = try ledger.reader.bookings()
        #expect(bookings.count == 2 && bookings.allSatisfy { $0.kind == .stopLoss && $0.status == "failed" }, "\(bookings)")
        #expect(bookings.allSatisfy { $0.explanation.hasPrefix("recovered after a restart") })
        #expect(try ledger.reader.reconciliationProblems().isEmpty)
        let snapshot = try #require(restarted.board.current)
        #expect(snapshot.events.contains {
            if case .restartSettled(2, let settled) = $0 { settled.count == 2 } else { false }
        }, "\(snapshot.notifications.prefix(4).map(\.text))")
        #expect(snapshot.alerts.contains("ETH STOPPED OUT: resume re-arms its stop"))
        #expect(try ledger.reader.inFlightOrders().isEmpty, "every order settled")
    }

    func ethBalances(_ ledger: Ledger) throws -> [String: FixedDecimal] {
        Dictionary(uniqueKeysWithValues: try ledger.reader.balances().filter { $0.asset == "ETH" }.map { ($0.account, $0.delta) })
    }
}
