import DexterCore
import DexterDetect
@testable import DexterEngine
import DexterLedger
import DexterMarket
import DexterRisk
import DexterVenues
import Foundation
import Testing

/// A stop-loss closes inventory that falls past its limit: on the scripted venue ETH opens at 3,000 (the crossed books'
/// mids, 2,989.5 and 3,010.5, have that median), so each account's 10 ETH is an opening lot costing $3,000 a unit; its
/// stop is 10 % under cost. The test then moves both books down in steps (`fall`). Past the stop the desk sells the
/// asset at every account, books each sale against what the inventory cost, and trades no new arbitrage in it until
/// a risk manager resumes.
@Suite struct StopLossTests: DrivesTheDesk {
    let clock = ManualClock()
    typealias Desk = ScriptedDesk
    static let fee = FixedDecimal("0.0005")!

    /// Both ETH books quoting `mid` ± 1, 50 ETH a side (no route between them).
    func move(_ desk: ScriptedDesk, to mid: Int) {
        for key in [Desk.alphaETH, Desk.betaETH] {
            desk.venue.setBook(key, Desk.book(bid: "\(mid - 1)", ask: "\(mid + 1)", size: "50"))
        }
    }

    /// ETH falls in steps, a second apart, to `mid`: 2,900, 2,800 and 2,710 stay inside the 10 % stop; 2,600 is past
    /// it (13.3 % under cost).
    func fall(_ desk: ScriptedDesk, to mid: Int = 2600, through steps: [Int] = [2900, 2800, 2710]) async {
        for step in steps + [mid] {
            move(desk, to: step)
            await run(desk.engine, for: step == mid ? .milliseconds(20) : .seconds(1))
        }
    }

    /// What selling `quantity` ETH at `price` realises against its $3,000 a unit cost, after the taker fee (a USDT
    /// is a dollar here).
    static func realised(_ quantity: FixedDecimal, at price: FixedDecimal) -> FixedDecimal {
        quantity * price * (.one - fee) - quantity * FixedDecimal(3000)
    }

    /// A desk with a 10 % stop on ETH and closing orders at most 3 % under their quote.
    func stopDesk(behaviour: [VenueId: ScriptedVenue.Behaviour] = ["alpha": .ioc(), "beta": .ioc()],
                  ledgerPath: String = NSTemporaryDirectory() + "dexter-stop-\(UUID().uuidString).sqlite",
                  venue: ScriptedVenue? = nil,
                  settings: (inout EngineConfig) -> Void = { _ in }) async throws -> ScriptedDesk {
        try await scriptedDesk(behaviour: behaviour, ledgerPath: ledgerPath, venue: venue) { config in
            config.stopLoss = StopLossLimits(percentBelowCost: ["ETH": FixedDecimal(10)], maxSlippageBps: 300)
            config.autoHalt = AutoHaltLimits()
            settings(&config)
        }
    }

    func stopLosses(_ ledger: Ledger) throws -> Int { try ledger.reader.auditEntries(actions: ["stop-loss"]).count }

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

    @Test func aFallPastTheStopSellsEveryAccountAndBooksTheLossAgainstCost() async throws {
        let desk = try await stopDesk()
        let (engine, ledger) = (desk.engine, desk.ledger)
        let ethOpportunity = try await firstOpportunity(engine)
        await fall(desk, to: 2710, through: [2900, 2800])
        // Inside the stop: nothing stopped. Nothing traded either, so each account's ETH is its opening lot.
        #expect(try stopLosses(ledger) == 0)
        #expect(try ledger.reader.bookings().isEmpty)
        let costs = Dictionary(uniqueKeysWithValues: try ledger.reader.openLots().filter { $0.asset == "ETH" }
            .map { ($0.account, $0.averageCostUSD) })
        #expect(costs == ["alpha": FixedDecimal(3000), "beta": FixedDecimal(3000)])

        await fall(desk, to: 2600, through: [])
        await run(engine, for: .seconds(2))
        #expect(try stopLosses(ledger) == 1)
        let events = try #require(engine.board.current?.events)
        let reading = try #require(events.lazy.compactMap {
            if case .stopLossTriggered(let reading) = $0 { reading } else { nil }
        }.first)
        #expect(reading.asset == "ETH" && reading.quantity == FixedDecimal(20) && reading.averageCostUSD == FixedDecimal(3000))
        #expect(reading.markUSD == 2600 && reading.limitPercent == FixedDecimal(10) && abs(reading.fallPercent - 40.0 / 3) < 1e-9)
        // One closing order an account, each IOC at most 3 % under alpha's and beta's 2,599 bid.
        let limit = FixedDecimal("2521.03")!
        let sales: [DeskEvent.StopLossSale] = ["alpha", "beta"].map {
            .init(quantity: FixedDecimal(10), venue: VenueId($0), limit: limit, order: 1)
        }
        #expect(events.contains(.stopLossSelling("ETH", sales: sales, kept: [])), "\(events.prefix(6))")
        #expect(events.contains(.stopLossClosed("ETH", kept: [])))
        let bookings = try ledger.reader.bookings().filter { $0.kind == .stopLoss }
        #expect(bookings.count == 2 && bookings.allSatisfy { $0.status == "completed" }, "one closing sale per account: \(bookings)")

        // Each account sold all its 10 ETH at 2,599, and each sale's profit is its proceeds less what those ETH cost
        // (FIFO): the loss the stop took, booked as realised.
        let loss = Self.realised(FixedDecimal(10), at: FixedDecimal(2599))
        let trades = try ledger.reader.trades().sorted { $0.exchange < $1.exchange }
        #expect(trades.map(\.exchange) == ["alpha", "beta"])
        #expect(trades.allSatisfy { $0.side == .sell && $0.pair == "ETH/USDT" })
        #expect(trades.allSatisfy { $0.amount == FixedDecimal(10) && $0.price == FixedDecimal(2599) })
        #expect(trades.allSatisfy { $0.profitUSD == loss && $0.fifoRealisedUSD == loss }, "\(trades.map(\.profitUSD)) vs \(loss)")
        #expect(bookings.allSatisfy { $0.realisedNetUSD == loss })
        #expect(try ethBalances(ledger).values.allSatisfy(\.isZero))
        #expect(try ledger.reader.reconciliationProblems().isEmpty)

        let snapshot = try #require(engine.board.current)
        #expect(snapshot.alerts.contains("ETH STOPPED OUT: resume re-arms its stop"))
        #expect(snapshot.pnl.realisedTodayUSD == loss + loss && snapshot.pnl.arbitragesToday == 0)
        // Stopped out: an arbitrage in ETH is refused whatever else holds, and the stop fires once.
        let refused = await engine.refusal(for: ethOpportunity, at: clock.now())
        #expect(refused == .stoppedOut("ETH"))
        await run(engine, for: .seconds(3))
        #expect(try stopLosses(ledger) == 1)

        // The admin (standing in for the risk manager) resumes: the stop is re-armed and audited.
        await engine.resume()
        #expect(engine.board.current?.events.contains(.stopsRearmed(["ETH"])) == true)
        #expect(try ledger.reader.auditEntries().contains { $0.action == "stop re-armed" && $0.detail == "ETH" })
        #expect(engine.board.current?.alerts.contains { $0.contains("STOPPED OUT") } == false)
        let afterResume = await engine.refusal(for: ethOpportunity, at: clock.now())
        #expect(afterResume != .stoppedOut("ETH"))
    }

    /// A closing order that fills short is followed by another for the rest, a second apart, up to five per account;
    /// what is still left then is said, to close by hand. beta fills half of every order.
    @Test func whatAClosingOrderLeavesIsSentAgain() async throws {
        let desk = try await stopDesk(behaviour: ["alpha": .ioc(), "beta": .iocPart(FixedDecimal("0.5")!)])
        let ledger = desk.ledger
        await fall(desk)
        await run(desk.engine, for: .seconds(6))
        let sales = try ledger.reader.trades().filter { $0.side == .sell }
        let byVenue = Dictionary(grouping: sales, by: \.exchange)
        #expect(byVenue["alpha"]?.map(\.amount) == [FixedDecimal(10)])
        // Beta fills half of each order: five orders (for 10, 5, 2.5, 1.25, 0.625) sell 5 + 2.5 + 1.25 + 0.625 + 0.312
        // (half of 0.625, down to the lot) of its 10.
        let beta = try #require(byVenue["beta"]).map(\.amount).sorted(by: >)
        #expect(beta == ["5", "2.5", "1.25", "0.625", "0.312"].map { FixedDecimal($0)! }, "\(beta)")
        let left = FixedDecimal("0.313")!
        #expect(try ethBalances(ledger)["beta"] == left)
        let unsold = DeskEvent.StopLossKept(quantity: left, account: .exchange("beta"), why: .notSold(afterOrders: 5))
        #expect(desk.engine.board.current?.events.contains(.stopLossIncomplete("ETH", kept: [unsold])) == true,
                "\(desk.engine.board.current?.events.prefix(5) ?? [])")
        #expect(try ledger.reader.reconciliationProblems().isEmpty)
    }

    /// The stop's realised loss counts toward the daily loss limit and halts the desk; a risk manager's resume accepts
    /// that breach (the limit then counts from there), so the desk does not halt again at once.
    @Test func theStopsLossHaltsTheDeskAndAResumeAcceptsTheBreach() async throws {
        let limits = AutoHaltLimits(dailyLossUSD: FixedDecimal(1_000))
        let desk = try await stopDesk { $0.autoHalt = limits }
        let (engine, ledger) = (desk.engine, desk.ledger)
        await fall(desk)
        await run(engine, for: .seconds(1))
        let halted = try #require(engine.board.current)
        // Both accounts' 10 ETH sold at 2,599 against a $3,000 cost.
        let realised = Self.realised(FixedDecimal(20), at: FixedDecimal(2599))
        #expect(halted.pnl.realisedTodayUSD == realised)
        let reason = try #require(limits.reason(realised: realised, peak: .zero, failuresInARow: 0, silentVenue: nil))
        #expect(halted.tradingState == .halted && halted.haltReason == "automatic halt: \(reason)", "\(halted.haltReason ?? "-")")
        await engine.resume()
        await run(engine, for: .seconds(2))
        let resumed = try #require(engine.board.current)
        #expect(resumed.tradingState == .active, "\(resumed.haltReason ?? "-")")
        #expect(resumed.events.contains(.resumed(afterHalt: "automatic halt: \(reason)", lossBaselineUSD: realised)))
        #expect(try ledger.reader.auditEntries(actions: ["halt"]).count == 1)
        // A restart keeps the baseline the resume set (on the same day): the desk does not halt again at once.
        let restarted = try await stopDesk(ledgerPath: desk.ledgerPath, venue: desk.venue) { $0.autoHalt = limits }.engine
        await run(restarted, for: .seconds(2))
        #expect(restarted.board.current?.tradingState == .active, "\(restarted.board.current?.haltReason ?? "-")")
        #expect(restarted.board.current?.pnl.realisedTodayUSD == realised)
        #expect(try ledger.reader.auditEntries(actions: ["halt"]).count == 1)
    }

    /// Halted means nothing but cancels: a stop reached while halted sends nothing and says so; the resume re-arms it
    /// and, still past its limit, it fires and sells.
    @Test func aStopReachedWhileHaltedWaitsForTheResume() async throws {
        let desk = try await stopDesk()
        let (engine, ledger) = (desk.engine, desk.ledger)
        await run(engine, for: .milliseconds(20))
        await engine.halt("desk meeting")
        await fall(desk)
        await run(engine, for: .seconds(2))
        #expect(try stopLosses(ledger) == 1)
        #expect(try ledger.reader.bookings().isEmpty)
        #expect(desk.venue.submitted.isEmpty)
        #expect(engine.board.current?.events.contains {
            if case .stopLossTriggeredWhileHalted(let reading, "desk meeting") = $0 { reading.asset == "ETH" } else { false }
        } == true)

        await engine.resume()
        await run(engine, for: .seconds(2))
        #expect(try stopLosses(ledger) == 2)
        let sales = try ledger.reader.bookings().filter { $0.kind == .stopLoss }
        let loss = Self.realised(FixedDecimal(10), at: FixedDecimal(2599))
        #expect(sales.count == 2 && sales.allSatisfy { $0.status == "completed" && $0.realisedNetUSD == loss }, "\(sales)")
    }

    /// The kill switch cancels what the desk holds but has not sent: an order waiting to be sent again after a
    /// timeout is canceled and its arbitrage booked as it stands. beta answers every order with a timeout, and the
    /// next try is 20 s away.
    @Test func theKillSwitchCancelsOrdersWaitingToBeSentAgain() async throws {
        let desk = try await scriptedDesk(behaviour: ["alpha": .ioc(), "beta": .rejects(TransientRetryTests.timeout)]) {
            $0.retry = RetryPolicy(maxAttempts: 5, base: .seconds(20), cap: .seconds(20))
        }
        let (engine, ledger) = (desk.engine, desk.ledger)
        _ = try await approve(engine)
        // The beta leg times out and waits to be sent again.
        await run(engine, for: .milliseconds(300))
        #expect(engine.board.current?.events.contains {
            if case .retryScheduled(let order, _, _, let attempt, let most) = $0 { order.venue == "beta" && attempt == 2 && most == 5 } else { false }
        } == true)
        await engine.halt("kill switch")
        let snapshot = try #require(engine.board.current)
        #expect(snapshot.events.contains { if case .halted("kill switch", unsentCanceled: 1, _) = $0 { true } else { false } },
                "\(snapshot.events.prefix(4))")
        #expect(snapshot.orders.contains { $0.venue == "beta" && $0.state == .canceled && $0.reason == "canceled by the halt" })
        // Booked at once, as it stands: the buy alone; nothing is sent again after the halt.
        let bookings = try ledger.reader.bookings()
        #expect(bookings.count == 1 && bookings.first?.status == "partial", "\(bookings)")
        await run(engine, for: .seconds(25))
        #expect(try ledger.reader.bookings().count == 1)
        #expect(desk.venue.submitted.filter { $0.venue == "beta" }.count == 1)
        #expect(engine.board.current?.orders.filter { $0.state.isLive }.isEmpty == true)
    }

    /// A restart is no way around the kill switch or a stop: the halt and the stopped-out asset are read back from the
    /// audit trail, and only a resume lifts them.
    @Test func aHaltAndAStopOutliveARestart() async throws {
        let desk = try await stopDesk()
        await fall(desk)
        await run(desk.engine, for: .seconds(1))
        #expect(desk.engine.board.current?.alerts.contains("ETH STOPPED OUT: resume re-arms its stop") == true)
        await desk.engine.halt("end of day")
        let restarted = try await stopDesk(ledgerPath: desk.ledgerPath, venue: desk.venue).engine
        await restarted.publishNow()
        let snapshot = try #require(restarted.board.current)
        #expect(snapshot.tradingState == .halted && snapshot.haltReason == "end of day")
        #expect(snapshot.events.contains(.haltStandsFromLastSession(reason: "end of day")))
        #expect(snapshot.alerts.contains("ETH STOPPED OUT: resume re-arms its stop"))
        await restarted.resume()
        let resumed = try #require(restarted.board.current)
        #expect(resumed.tradingState == .active && !resumed.alerts.contains { $0.contains("STOPPED OUT") })
        // And the resume is what the next restart reads back.
        let again = try await stopDesk(ledgerPath: desk.ledgerPath, venue: desk.venue).engine
        await again.publishNow()
        #expect(again.board.current?.tradingState == .active)
    }

    /// dexter stops while a stop-loss's orders are on their way, and the venues never got them (`.losesFirstSubmit`:
    /// a query finds nothing): the restart settles them as expired, books each against its stop-loss record, and
    /// keeps ETH stopped out.
    @Test func aStopLossCutOffByAStopIsSettledOnRestart() async throws {
        let desk = try await stopDesk(behaviour: ["alpha": .losesFirstSubmit, "beta": .losesFirstSubmit])
        await fall(desk)
        #expect(try stopLosses(desk.ledger) == 1)
        #expect(desk.venue.submitted.count == 2)
        #expect(try desk.ledger.reader.bookings().isEmpty, "stopped before any answer came back")
        let restarted = try await stopDesk(ledgerPath: desk.ledgerPath, venue: desk.venue).engine
        await restarted.publishNow()
        let ledger = desk.ledger
        let bookings = try ledger.reader.bookings()
        #expect(bookings.count == 2 && bookings.allSatisfy { $0.kind == .stopLoss && $0.status == "failed" }, "\(bookings)")
        #expect(bookings.allSatisfy { $0.explanation.hasPrefix("recovered after a restart") })
        #expect(try ledger.reader.reconciliationProblems().isEmpty)
        let snapshot = try #require(restarted.board.current)
        #expect(snapshot.events.contains {
            if case .restartSettled(2, let settled) = $0 { settled.count == 2 } else { false }
        }, "\(snapshot.events.prefix(4))")
        #expect(snapshot.alerts.contains("ETH STOPPED OUT: resume re-arms its stop"))
        #expect(try ledger.reader.inFlightOrders().isEmpty, "every order settled")
        #expect(desk.venue.submitted.count == 2, "nothing sent again")
    }

    func ethBalances(_ ledger: Ledger) throws -> [String: FixedDecimal] {
        Dictionary(uniqueKeysWithValues: try ledger.reader.balances().filter { $0.asset == "ETH" }.map { ($0.account, $0.delta) })
    }
}
