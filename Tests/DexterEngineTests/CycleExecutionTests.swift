import DexterCore
import DexterDetect
import DexterEngine
import DexterLedger
import DexterMarket
import DexterRisk
import DexterVenues
import Foundation
import Testing

/// A cycle approved like a pair: re-priced, checked as one trade of three symbols, sent leg by leg — each spending
/// what the one before delivered — and booked as one arbitrage. The books: ETH bought for USDT at 3,000 on alpha,
/// sold for BTC at 0.051 on beta (worth 3,060 at BTC's 60,000), the BTC sold for USDT on alpha: about 2 % round.
@Suite struct CycleExecutionTests: DrivesTheDesk {
    let clock = ManualClock()
    static let ethUSDT = Symbol(base: "ETH", quote: "USDT")
    static let btcUSDT = Symbol(base: "BTC", quote: "USDT")
    static let ethBTC = Symbol(base: "ETH", quote: "BTC")
    static let dollar = Symbol(base: "USDC", quote: "USDT")

    func desk(beta: ScriptedVenue.Behaviour = .late(ack: .zero, fill: .milliseconds(10)),
              allowed: Set<Symbol> = [ethUSDT, btcUSDT, ethBTC],
              deskVolume: DeskAllowance? = nil) async throws -> (Engine, Ledger, ScriptedVenue) {
        typealias Desk = ScriptedDesk
        func instrument(_ symbol: Symbol, tick: String, lot: String) -> InstrumentSpec {
            Desk.instrument(symbol, tick: tick, lot: lot, minNotional: "0.0001")
        }
        let desk = try await scriptedDesk(
            books: [MarketKey(venue: "alpha", symbol: Self.ethUSDT): Desk.book(bid: "2999", ask: "3000", size: "2"),
                    MarketKey(venue: "alpha", symbol: Self.btcUSDT): Desk.book(bid: "60000", ask: "60001", size: "1"),
                    MarketKey(venue: "beta", symbol: Self.ethBTC): Desk.book(bid: "0.051", ask: "0.05101", size: "2"),
                    MarketKey(venue: "alpha", symbol: Self.dollar): Desk.book(bid: "0.9999", ask: "1.0001", size: "1000000")],
            behaviour: ["alpha": .late(ack: .zero, fill: .milliseconds(10)), "beta": beta],
            venues: [Desk.exchange("alpha", takerFee: "0.001"), Desk.exchange("beta", takerFee: "0.001")],
            instruments: [instrument(Self.ethUSDT, tick: "0.01", lot: "0.001"), instrument(Self.btcUSDT, tick: "0.01", lot: "0.00001"),
                          instrument(Self.ethBTC, tick: "0.00001", lot: "0.001"), instrument(Self.dollar, tick: "0.0001", lot: "1")],
            allowed: allowed
        ) { config in
            config.initialBalances.credit("BTC", FixedDecimal(1), at: .exchange("alpha"))
            config.initialBalances.credit("BTC", FixedDecimal(1), at: .exchange("beta"))
            config.limits.maxPosition["BTC"] = FixedDecimal(10)
            config.deskVolume = deskVolume
        }
        return (desk.engine, desk.ledger, desk.venue)
    }

    /// The cycle on screen, approved and confirmed as a trader would.
    func approveCycle(_ engine: Engine) async throws -> CycleOpportunity {
        await run(engine, for: .milliseconds(20))
        let cycle = try #require(engine.board.current?.cycles.first)
        #expect(cycle.path == "USDT→ETH→BTC→USDT" && cycle.legs.map(\.venue.name) == ["alpha", "beta", "alpha"])
        await engine.requestCycleApproval(of: cycle.id)
        await engine.publishNow()
        let confirmation = try #require(engine.board.current?.cycleConfirmation)
        #expect(confirmation.repriced.id == cycle.id && confirmation.repriced.legs.count == 3)
        await engine.confirmCycle(cycle.id)
        return confirmation.repriced
    }

    @Test func aCycleGoesLegByLegEachSpendingWhatTheLegBeforeDelivered() async throws {
        let (engine, ledger, venue) = try await desk()
        let cycle = try await approveCycle(engine)
        #expect(venue.submitted.map(\.symbol) == [Self.ethUSDT], "only the first leg goes at once")
        await run(engine, for: .milliseconds(20))
        await run(engine, for: .milliseconds(20))
        let sent = venue.submitted
        try #require(sent.count == 3)
        #expect(sent.map(\.symbol) == [Self.ethUSDT, Self.ethBTC, Self.btcUSDT])
        // The scripted venue fills at the top level with no fee: the ETH bought is the ETH sold; the BTC that sale
        // brought (0.051 each) is the BTC sold, on BTC/USDT's lot.
        #expect(sent[1].quantity == sent[0].quantity)
        let btc = (sent[1].quantity * FixedDecimal("0.051")!).rounded(toMultipleOf: FixedDecimal("0.00001")!, .down)
        #expect(sent[2].quantity == FixedDecimal.min(btc, cycle.legs[2].quantity))
        let booking = try #require(try ledger.reader.bookings().first)
        #expect(booking.pair == "USDT→ETH→BTC→USDT" && booking.status == "completed" && booking.kind == .arbitrage)
        #expect(booking.realisedNetUSD.isPositive)
        let trades = try ledger.reader.trades()
        #expect(Set(trades.map(\.pair)) == ["ETH/USDT", "ETH/BTC", "BTC/USDT"])
        // USDT: paid for the ETH, got back for the BTC — exactly the fills' cash, nothing else moved.
        let usdt = try ledger.reader.balances().filter { $0.asset == "USDT" && $0.account == "alpha" }
            .reduce(FixedDecimal.zero) { $0 + $1.delta }
        let expected = FixedDecimal(30_000) - sent[0].quantity * FixedDecimal(3000) + sent[2].quantity * FixedDecimal(60000)
        #expect(usdt == expected)
        #expect(engine.board.current?.orders.allSatisfy { $0.tag == "c\(cycle.id)" } == true)
    }

    @Test func aLegThatMissesStopsTheCycleAndWhatItLeftGoesBackToTheStart() async throws {
        let refused = ExecutionFailure(code: "insufficient_liquidity", failureClass: .rejected, reason: "no liquidity at the limit")
        let (engine, ledger, venue) = try await desk(beta: .rejects(refused))
        _ = try await approveCycle(engine)
        await run(engine, for: .milliseconds(20))
        await run(engine, for: .milliseconds(20))
        await run(engine, for: .milliseconds(20))
        let sent = venue.submitted
        // Leg 1 filled, leg 2 refused, leg 3 never sent; the ETH leg 1 bought is sold back for USDT on alpha.
        #expect(sent.map(\.symbol) == [Self.ethUSDT, Self.ethBTC, Self.ethUSDT])
        #expect(sent[2].side == .sell && sent[2].quantity == sent[0].quantity && sent[2].venue == "alpha")
        let bookings = try ledger.reader.bookings()
        let cycleBooking = try #require(bookings.first { $0.kind == .arbitrage })
        #expect(cycleBooking.status == "partial" && cycleBooking.explanation.contains("missed leg: beta sell ETH/BTC"))
        #expect(cycleBooking.explanation.contains("alpha sell BTC/USDT filled 0") == true)
        #expect(bookings.contains { $0.kind == .correction && $0.status == "completed" })
        let events = try ledger.reader.orderEvents().filter { $0.pair == "BTC/USDT" }.map(\.toState)
        #expect(events == ["denied"], "the third leg is on the ledger as never sent")
        await engine.publishNow()
        let said = engine.board.current?.events ?? []
        #expect(said.contains { event in
            if case .cycle(_, _, .sellingBack(_, let amount, let asset, let order)) = event {
                return asset == "ETH" && amount == sent[0].quantity && order.clientOrderId == sent[2].clientOrderId
            }
            return false
        })
    }

    @Test func aCycleIsCheckedOnEverySymbolItTrades() async throws {
        let (engine, ledger, venue) = try await desk(allowed: [Self.ethUSDT, Self.ethBTC])
        await run(engine, for: .milliseconds(20))
        // Not allowed to trade BTC/USDT: the cycle may still show (detection does not know the limits)…
        guard let cycle = engine.board.current?.cycles.first else { return }
        await engine.requestCycleApproval(of: cycle.id)
        await engine.confirmCycle(cycle.id)
        // …but it is denied by the instrument check, nothing is sent, and the denial is on the ledger.
        #expect(venue.submitted.isEmpty)
        let decisions = try ledger.reader.decisions()
        #expect(decisions.contains { $0.decision == "denied" && $0.reason?.contains("BTC/USDT") == true })
        await engine.publishNow()
        #expect(engine.board.current?.events.contains { event in
            if case .cycle(cycle.id, _, .riskDenied(let denial)) = event { return denial.step == .instrument }
            return false
        } == true)
    }

    /// One box of a shared desk: a cycle counts toward the desk-wide daily volume as a pair does. Short of it, the
    /// cycle is denied and the rest asked of the desk; granted, it goes, and what it traded is taken from the share.
    @Test func aCycleWaitsForItsShareOfTheDeskWideVolume() async throws {
        let allowance = DeskAllowance()
        let (engine, ledger, venue) = try await desk(deskVolume: allowance)
        await run(engine, for: .milliseconds(20))
        let cycle = try #require(engine.board.current?.cycles.first)
        await engine.requestCycleApproval(of: cycle.id)
        await engine.confirmCycle(cycle.id)
        #expect(venue.submitted.isEmpty)
        #expect(try ledger.reader.decisions().contains {
            $0.decision == "denied" && $0.reason?.contains("the desk-wide daily volume: this box holds $0.00 of it") == true
        })
        let wanted = allowance.current.wanted
        #expect(wanted > .zero)
        allowance.grant(wanted, on: clock.now().utcDay)
        _ = try await approveCycle(engine)
        #expect(venue.submitted.map(\.symbol) == [Self.ethUSDT], "the cycle goes once the desk granted its volume")
        let used = allowance.current.used
        #expect(used > .zero && used <= wanted && allowance.current.held == wanted - used, "\(allowance.current)")
    }
}
