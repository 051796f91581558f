import DexterCore
import DexterDetect
import DexterEngine
import DexterLedger
import DexterMarket
import DexterRisk
import DexterVenues
import Foundation
import GRDB
import Synchronization
import Testing

/// A clock the test moves by hand.
final class ManualClock: Clock {
    private let time: Mutex<Timestamp>
    init(start: Timestamp = Timestamp(nanoseconds: 1_764_000_000_000_000_000)) { time = Mutex(start) }
    func now() -> Timestamp { time.withLock { $0 } }
    func advance(_ duration: Duration) { time.withLock { $0 = $0.adding(duration) } }
    func set(_ now: Timestamp) { time.withLock { $0 = now } }
}

/// A suite that drives an engine on a manual clock: the market in 10 ms steps, as the live loop does.
protocol DrivesTheDesk {
    var clock: ManualClock { get }
}

extension DrivesTheDesk {
    /// Ticks the market in 10 ms steps for `duration`, then publishes a snapshot.
    func run(_ engine: Engine, for duration: Duration) async {
        for _ in 0..<Int(duration.nanosecondsClamped / 10_000_000) {
            clock.advance(.milliseconds(10))
            await engine.tick()
        }
        await engine.publishNow()
    }
}

/// The engine on a scripted market: alpha asks 2,990 and beta bids 3,010 (`ScriptedDesk.crossedBooks`), so every
/// test has its opportunity — buy on alpha, sell on beta — at the first tick, and both venues answer as exchanges do
/// (IOC at the limit, the 0.05 % taker fee). A test that needs a leg to miss or fill short changes a book before
/// the orders arrive.
@Suite struct EngineTests: DrivesTheDesk {
    let clock = ManualClock()
    typealias Desk = ScriptedDesk

    static let fee = FixedDecimal("0.0005")!

    /// What the crossed books make on `quantity`, worked out here from the fills: $20 a unit, less the fee on each side.
    static func realised(_ quantity: FixedDecimal) -> FixedDecimal {
        let paid = quantity * FixedDecimal(2990), received = quantity * FixedDecimal(3010)
        return received - paid - paid * fee - received * fee
    }

    /// The quantity detection sizes on the crossed books: as many lots as $5,000 (the trade and detection limit)
    /// buys at alpha's 2,990 with the fee — 1.671 — the books' 5 ETH and the desk's balances being no tighter.
    static let quantity = (FixedDecimal(5_000) / (FixedDecimal(2_990) * (.one + fee)))
        .rounded(toMultipleOf: FixedDecimal("0.001")!, .down)

    /// The booking events said so far, newest first.
    func bookings(_ engine: Engine) -> [DeskEvent.Booking] {
        engine.board.current?.events.compactMap { if case .booked(let booking) = $0 { booking } else { nil } } ?? []
    }

    @Test func approvesExecutesAndBooksATrade() async throws {
        let desk = try await scriptedDesk()
        let (engine, ledger) = (desk.engine, desk.ledger)
        let opportunity = try await firstOpportunity(engine)
        #expect(opportunity.route == Route(symbol: Desk.eth, buyVenue: "alpha", sellVenue: "beta"))
        #expect(opportunity.quantity == Self.quantity)
        #expect(opportunity.buy.averagePrice == FixedDecimal(2990) && opportunity.sell.averagePrice == FixedDecimal(3010))
        // Before entry, the screen knows what trading the buy leg back would cost: a round trip costs spread and fees.
        let unwind = try #require(engine.board.current?.unwindCosts[opportunity.id])
        #expect(unwind.isPositive)
        await engine.requestApproval(of: opportunity.id)
        let confirmation = try #require(engine.board.current?.confirmation)
        #expect(confirmation.unwindCostUSD?.isPositive == true)
        #expect(confirmation.repriced.id == opportunity.id)
        #expect(confirmation.repriced.route == opportunity.route)
        await engine.confirmApproval(of: opportunity.id)
        #expect(engine.board.current?.confirmation == nil)
        #expect(engine.board.current?.events.first
            == .approved(opportunity.id, route: opportunity.route, quantity: Self.quantity, estimatedNetUSD: opportunity.netUSD))
        #expect(try ledger.reader.trades().isEmpty, "nothing is booked before the fills arrive")
        #expect(desk.venue.submitted.map(\.limitPrice) == [FixedDecimal(2990), FixedDecimal(3010)])
        await run(engine, for: .milliseconds(20))

        // Each leg filled whole at its book's price, and paid the taker fee on what it traded.
        let quantity = Self.quantity
        let trades = try ledger.reader.trades().sorted { $0.exchange < $1.exchange }
        #expect(trades.map(\.exchange) == ["alpha", "beta"] && trades.map(\.side) == [.buy, .sell])
        #expect(trades.allSatisfy { $0.user == "tester" && $0.pair == "ETH/USDT" && $0.amount == quantity })
        #expect(trades.map(\.price) == [FixedDecimal(2990), FixedDecimal(3010)])
        #expect(trades.map(\.fee) == [quantity * FixedDecimal(2990) * Self.fee, quantity * FixedDecimal(3010) * Self.fee])
        #expect(desk.venue.book(Desk.alphaETH)?.asks.first?.quantity == FixedDecimal(5) - quantity, "what the buy took is gone")
        let booking = try #require(bookings(engine).first)
        #expect(booking.status == .completed && booking.realisedUSD == Self.realised(quantity))
        #expect(booking.estimatedNetUSD == opportunity.netUSD)
        let snapshot = try #require(engine.board.current)
        #expect(snapshot.pnl.arbitragesToday == 1)
        #expect(snapshot.pnl.tradesToday == 2)
        #expect(snapshot.pnl.realisedTodayUSD == Self.realised(quantity))
        #expect(snapshot.pnl.realisedTodayUSD == trades.reduce(.zero) { $0 + $1.profitUSD })
        // The screen's balances are the ledger's balances.
        for balance in try ledger.reader.balances() {
            let shown = snapshot.balances.first { $0.account == balance.account && $0.asset == balance.asset }
            #expect(shown?.amount == balance.delta)
        }
        // Fills move inventory exactly: ETH bought on alpha and sold on beta, USDT paid and received with the fees.
        func shown(_ account: String, _ asset: String) -> FixedDecimal? {
            snapshot.balances.first { $0.account == account && $0.asset == asset }?.amount
        }
        #expect(shown("alpha", "ETH") == FixedDecimal(10) + quantity)
        #expect(shown("beta", "ETH") == FixedDecimal(10) - quantity)
        #expect(shown("alpha", "USDT") == FixedDecimal(30_000) - quantity * FixedDecimal(2990) * (.one + Self.fee))
        #expect(shown("beta", "USDT") == FixedDecimal(30_000) + quantity * FixedDecimal(3010) * (.one - Self.fee))
    }

    /// Each leg is on the Orders panel from the moment it is sent, and moves with what its venue says.
    @Test func everyLegShowsOnTheOrdersPanelWithItsState() async throws {
        let desk = try await scriptedDesk()
        let (engine, ledger) = (desk.engine, desk.ledger)
        let opportunity = try await approve(engine)
        await engine.publishNow()
        let sent = try #require(engine.board.current?.orders)
        #expect(sent.count == 2 && sent.allSatisfy { $0.state == .submitted && $0.opportunityId == opportunity.id })
        #expect(Set(sent.map(\.venue)) == [opportunity.buy.venue, opportunity.sell.venue])
        await run(engine, for: .milliseconds(20))
        let settled = try #require(engine.board.current?.orders).sorted { $0.venue.name < $1.venue.name }
        #expect(settled.map(\.state) == [.filled, .filled])
        #expect(settled.allSatisfy { $0.filled == Self.quantity && $0.quantity == Self.quantity })
        #expect(settled.map(\.averagePrice) == [FixedDecimal(2990), FixedDecimal(3010)])
        // Every transition is on disk: submitted first (before the order left), then its venue's answers.
        for order in settled {
            let events = try ledger.reader.orderEvents(orderId: order.clientOrderId)
            #expect(events.map(\.event) == ["submit", "accept", "fill"])
            #expect(events.first?.fromState == "initialized" && events.first?.toState == "submitted")
            #expect(events.last?.toState == order.state.rawValue)
            #expect(zip(events, events.dropFirst()).allSatisfy { $0.toState == $1.fromState }, "a chain of transitions")
        }
        #expect(try ledger.reader.reconciliationProblems() == [])
        // Positions are the inventory, marked to the prices the session opened at.
        let positions = try #require(engine.board.current?.positions)
        let eth = try #require(positions.first { $0.asset == "ETH" })
        #expect(eth.quantity == FixedDecimal(20))
        #expect(eth.accounts.reduce(FixedDecimal.zero) { $0 + $1.quantity } == eth.quantity)
        // Realised by asset and venue adds up to the day's realised P&L, exactly.
        let pnl = try #require(engine.board.current?.pnl)
        #expect(pnl.realisedTodayUSD == Self.realised(Self.quantity))
        #expect(positions.reduce(FixedDecimal.zero) { $0 + $1.realisedTodayUSD } == pnl.realisedTodayUSD)
        #expect(eth.realisedByVenue.reduce(FixedDecimal.zero) { $0 + $1.usd } == eth.realisedTodayUSD)
    }

    @Test func theKillSwitchHaltsUntilResumedButALedgerFailureDoesNotResume() async throws {
        let desk = try await scriptedDesk()
        let engine = desk.engine
        let opportunity = try await firstOpportunity(engine)
        await engine.requestApproval(of: opportunity.id)
        #expect(engine.board.current?.confirmation != nil)
        await engine.halt("kill switch pulled by tester")
        await engine.halt("pressed twice")
        var snapshot = try #require(engine.board.current)
        #expect(snapshot.haltReason == "kill switch pulled by tester" && snapshot.tradingState == .halted)
        #expect(snapshot.confirmation == nil, "a pending approval is dropped")
        #expect(snapshot.events.contains(.approvalDroppedByHalt(opportunity.id)))
        #expect(snapshot.events.filter { if case .halted = $0 { true } else { false } }
            == [.halted(reason: "kill switch pulled by tester", unsentCanceled: 0, cancelsSent: 0)], "one halt, not two")
        await engine.confirmApproval(of: opportunity.id)
        await run(engine, for: .milliseconds(100))
        #expect(engine.board.current?.orders.isEmpty == true, "nothing is sent while halted")
        #expect(desk.venue.submitted.isEmpty)
        // The market still crosses: the opportunity is still listed, and still cannot be approved.
        let next = try await firstOpportunity(engine)
        await engine.requestApproval(of: next.id)
        snapshot = try #require(engine.board.current)
        #expect(snapshot.confirmation == nil)
        #expect(snapshot.events.first
            == .approvalRefused(next.id, route: next.route, .halted(reason: "kill switch pulled by tester")))
        await engine.resume()
        #expect(engine.board.current?.haltReason == nil)
        #expect(engine.board.current?.events.first == .resumed(afterHalt: "kill switch pulled by tester", lossBaselineUSD: .zero))
        // Resumed, the same market trades.
        _ = try await approve(engine)
        #expect(desk.venue.submitted.count == 2)
    }

    /// Between detection and the orders' arrival beta's bid falls to 2,995, below the sell's limit of 3,010: the buy
    /// fills on alpha, the sell finds nothing at its limit and expires. The arbitrage is booked as what happened — a
    /// partial with ETH bought and not sold — not as what was approved.
    @Test func legsThatMissAreBookedAsWhatHappened() async throws {
        // Halt on uneven legs, so that what the ledger shows is the arbitrage alone, not its correction.
        let desk = try await scriptedDesk { $0.legRisk = LegRiskPolicy(action: .halt) }
        let (engine, ledger) = (desk.engine, desk.ledger)
        _ = try await approve(engine)
        desk.venue.setBook(Desk.betaETH, Desk.book(bid: "2995", ask: "2996", size: "5"))
        await run(engine, for: .milliseconds(20))
        let quantity = Self.quantity
        let booking = try #require(bookings(engine).first)
        #expect(booking.status == .partial)
        let events = try #require(engine.board.current?.events)
        #expect(events.contains {
            if case .legFailed(venue: "beta", side: .sell, symbol: Desk.eth, let failure, let said) = $0 {
                failure.failureClass == .market && said == "no liquidity at limit 3010"
            } else { false }
        }, "\(events)")
        #expect(engine.board.current?.tradingState == .halted, "uneven legs halt under this policy")
        #expect(events.contains { if case .halted(let reason, _, _) = $0 { reason.hasPrefix("leg risk") } else { false } })
        // The ledger holds the buy alone, at alpha's price, and inventory moved by exactly that.
        let trades = try ledger.reader.trades()
        #expect(trades.map(\.exchange) == ["alpha"] && trades.map(\.side) == [.buy] && trades.map(\.amount) == [quantity])
        #expect(trades.map(\.price) == [FixedDecimal(2990)])
        let balances = try #require(engine.board.current?.balances)
        #expect(balances.first { $0.account == "alpha" && $0.asset == "ETH" }?.amount == FixedDecimal(10) + quantity)
        #expect(balances.first { $0.account == "beta" && $0.asset == "ETH" }?.amount == FixedDecimal(10))
        let orders = try ledger.reader.orderEvents().filter { $0.venue == "beta" }.map(\.event)
        #expect(orders == ["submit", "accept", "expire"])
    }

    /// Between detection and arrival beta's bid at 3,010 thins to 0.5 ETH (the rest of it at 3,000, below the limit):
    /// the sell fills 0.5 and the venue cancels the rest. Booked as a partial; the 0.5 sold is hedged, the rest is not.
    @Test func aLegThatFillsShortIsBookedForWhatFilled() async throws {
        let desk = try await scriptedDesk { $0.legRisk = LegRiskPolicy(action: .halt) }
        let (engine, ledger) = (desk.engine, desk.ledger)
        _ = try await approve(engine)
        desk.venue.setBook(Desk.betaETH, OrderBook(
            bids: [BookLevel(price: FixedDecimal(3010), quantity: FixedDecimal("0.5")!),
                   BookLevel(price: FixedDecimal(3000), quantity: FixedDecimal(5))],
            asks: [BookLevel(price: FixedDecimal(3011), quantity: FixedDecimal(5))]))
        await run(engine, for: .milliseconds(20))
        let quantity = Self.quantity, half = FixedDecimal("0.5")!
        let booking = try #require(bookings(engine).first)
        #expect(booking.status == .partial)
        let rows = try #require(engine.board.current?.orders).sorted { $0.venue.name < $1.venue.name }
        #expect(rows.map(\.state) == [.filled, .canceled] && rows.map(\.filled) == [quantity, half])
        #expect(rows[1].averagePrice == FixedDecimal(3010), "nothing sold below the limit")
        let trades = try ledger.reader.trades().sorted { $0.exchange < $1.exchange }
        #expect(trades.map(\.amount) == [quantity, half])
        #expect(try ledger.reader.orderEvents().filter { $0.venue == "beta" }.map(\.event)
            == ["submit", "accept", "partial_fill", "canceled"])
        let balances = try #require(engine.board.current?.balances)
        #expect(balances.first { $0.account == "beta" && $0.asset == "ETH" }?.amount == FixedDecimal(10) - half)
        #expect(balances.first { $0.account == "beta" && $0.asset == "USDT" }?.amount
            == FixedDecimal(30_000) + half * FixedDecimal(3010) * (.one - Self.fee))
        #expect(engine.board.current?.tradingState == .halted, "\(quantity - half) ETH bought and not sold")
    }

    @Test func aSecondConfirmationSendsNothing() async throws {
        let desk = try await scriptedDesk()
        let (engine, ledger) = (desk.engine, desk.ledger)
        let opportunity = try await firstOpportunity(engine)
        await engine.requestApproval(of: opportunity.id)
        await engine.confirmApproval(of: opportunity.id)
        await engine.confirmApproval(of: opportunity.id)
        await engine.requestApproval(of: opportunity.id)
        await engine.confirmApproval(of: opportunity.id)
        #expect(engine.board.current?.events.first == .approvalRefused(opportunity.id, route: opportunity.route, .routeInFlight),
                "the route is still in flight")
        await run(engine, for: .milliseconds(20))
        #expect(desk.venue.submitted.count == 2, "one order a leg")
        #expect(engine.board.current?.pnl.arbitragesToday == 1)
        #expect(try ledger.reader.trades().count == 2)
        #expect(bookings(engine).count == 1)
    }

    @Test func refusesAStaleOpportunity() async throws {
        let desk = try await scriptedDesk()
        let engine = desk.engine
        let opportunity = try await firstOpportunity(engine)
        // No quote for 3 s: the venues' 2 s staleness bound has passed.
        clock.advance(.seconds(3))
        await engine.requestApproval(of: opportunity.id)
        let snapshot = try #require(engine.board.current)
        #expect(snapshot.confirmation == nil)
        #expect(snapshot.events.first == .approvalRefused(opportunity.id, route: opportunity.route,
                                                          .quoteStale(expiredAt: opportunity.expiresAt)))
        #expect(try desk.ledger.reader.trades().isEmpty)
        #expect(desk.venue.submitted.isEmpty)
    }

    @Test func riskDenialSaysWhichLimitAndIsBooked() async throws {
        let desk = try await scriptedDesk(allowed: [Symbol(base: "BTC", quote: "USDT")])
        let (engine, ledger) = (desk.engine, desk.ledger)
        let opportunity = try await approve(engine)
        await run(engine, for: .milliseconds(20))
        let snapshot = try #require(engine.board.current)
        #expect(snapshot.events.contains {
            if case .riskDenied(opportunity.id, opportunity.route, let denial) = $0 { denial.step == .instrument } else { false }
        }, "\(snapshot.events.prefix(4))")
        #expect(desk.venue.submitted.isEmpty)
        #expect(try ledger.reader.trades().isEmpty)
        #expect(try ledger.reader.decisions().map(\.decision) == ["denied"])
        #expect(snapshot.pnl.arbitragesToday == 0)
    }

    @Test func rejectionIsBookedAndLeavesNoTrade() async throws {
        let desk = try await scriptedDesk()
        let engine = desk.engine
        let opportunity = try await firstOpportunity(engine)
        await engine.reject(opportunity.id)
        #expect(engine.board.current?.events.first == .rejected(opportunity.id, route: opportunity.route))
        #expect(try desk.ledger.reader.decisions().map(\.decision) == ["rejected"])
        #expect(try desk.ledger.reader.trades().isEmpty)
        #expect(desk.venue.submitted.isEmpty)
    }

    /// If the ledger cannot take a booking, nothing is shown as done and no further order goes out.
    @Test func aLedgerFailureHaltsTrading() async throws {
        let desk = try await scriptedDesk()
        let engine = desk.engine
        _ = try await approve(engine)
        // Break the ledger under the engine's feet before the fills come back.
        try await DatabaseQueue(path: desk.ledgerPath).write { db in try db.execute(sql: "DROP TABLE trades") }
        await run(engine, for: .milliseconds(20))
        let snapshot = try #require(engine.board.current)
        #expect(snapshot.tradingState == .halted)
        #expect(snapshot.pnl.arbitragesToday == 0, "nothing is shown as done without its commit")
        #expect(snapshot.events.contains { if case .ledgerWriteFailed = $0 { true } else { false } })
        #expect(bookings(engine).isEmpty)
        // alpha still asks 2,990 for what the fill left: the market crosses, and nothing can be approved.
        let next = try await firstOpportunity(engine)
        await engine.requestApproval(of: next.id)
        #expect(engine.board.current?.confirmation == nil)
        #expect(engine.board.current?.events.first
            == .approvalRefused(next.id, route: next.route, .halted(reason: "the ledger could not be written")))
        // The kill switch's resume does not lift a ledger failure: only a restart with a working ledger does.
        await engine.resume()
        #expect(engine.board.current?.haltReason == "the ledger could not be written")
        #expect(engine.board.current?.events.first == .resumeRefused(reason: "the ledger could not be written"))
        #expect(desk.venue.submitted.count == 2)
    }

    @Test func aRestartKeepsBalancesAndTodaysPnL() async throws {
        let desk = try await scriptedDesk()
        _ = try await approve(desk.engine)
        await run(desk.engine, for: .milliseconds(20))
        let before = try #require(desk.engine.board.current)
        #expect(before.pnl.realisedTodayUSD == Self.realised(Self.quantity))
        // A new desk on the same ledger and the same venues.
        let restarted = try await scriptedDesk(ledgerPath: desk.ledgerPath, venue: desk.venue).engine
        await restarted.publishNow()
        let after = try #require(restarted.board.current)
        #expect(after.pnl.realisedTodayUSD == Self.realised(Self.quantity))
        #expect(after.pnl.tradesToday == 2 && after.pnl.arbitragesToday == 1)
        #expect(after.balances.map(\.amount) == before.balances.map(\.amount))
        #expect(try desk.ledger.reader.trades().count == before.pnl.tradesToday)
        // Realised by asset and venue is rebuilt from the ledger's fills.
        func realised(_ snapshot: Snapshot) -> [String: [String]] {
            Dictionary(uniqueKeysWithValues: snapshot.positions.map { ($0.asset, $0.realisedByVenue.map { "\($0.venue) \($0.usd)" }) })
        }
        #expect(realised(after) == realised(before))
        #expect(!realised(before).values.joined().isEmpty)
    }
}


/// Balances land on the wallet that holds them: exchange balances on that venue's account, chain balances on the
/// first wallet that can sign there; what no configured wallet can hold stays on the embedded market's paper account.
@Suite struct WalletAttributionTests {
    func row(_ account: String, _ chain: String?, _ asset: String, _ amount: String, usd: Double) -> BalanceRow {
        BalanceRow(account: account, chain: chain, asset: asset, amount: FixedDecimal(amount)!, usdValue: usd)
    }

    @Test func attributesEachBalanceToItsWallet() {
        let rows = [row("binance", nil, "USDT", "100", usd: 100), row("binance", nil, "ETH", "1", usd: 3000),
                    row("okx", nil, "USDT", "5", usd: 5), row("wallet@ethereum", "ethereum", "ETH", "2", usd: 6000),
                    row("wallet@solana", "solana", "SOL", "10", usd: 2000), row("wallet@bsc", "bsc", "BNB", "0", usd: 0)]
        let wallets = [
            WalletLabel(name: "watch", kind: .evmWatch, address: "0xde0B295669a9FD93d5F28D9Ec85E40f4cb697BAe", chains: ["ethereum"]),
            WalletLabel(name: "hot", kind: .evm, address: "0x71C7656EC7ab88b098defB751B7401B5f6d8976F", chains: ["ethereum", "bsc"]),
            WalletLabel(name: "desk", kind: .cex, address: "binance", chains: ["binance"], keyNote: "key …abcd 3d"),
        ]
        let grouped = WalletAttribution.group(rows, wallets: wallets, source: "simulated")
        #expect(grouped.map(\.wallet.name) == ["watch", "hot", "desk", "okx", "paper"])
        // A watch-only address signs nothing, so it is never credited with the trading wallet's balance.
        #expect(grouped[0].chains.map(\.source) == [nil])
        #expect(grouped[1].chains.map(\.chain) == ["ethereum", "bsc"])
        #expect(grouped[1].chains[0].assets.map(\.asset) == ["ETH"] && grouped[1].chains[1].source == nil)
        #expect(grouped[2].chains[0].assets.map(\.asset) == ["ETH", "USDT"], "largest holding first")
        #expect(grouped[2].usdValue == 3100 && !grouped[2].isPaper)
        #expect(grouped[3].isPaper && grouped[3].wallet.kind == .cex)
        #expect(grouped[4].isPaper && grouped[4].chains.map(\.chain) == ["solana"])
        #expect(grouped.reduce(0) { $0 + $1.usdValue } == 11_105)
    }
}
