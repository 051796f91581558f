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

/// Two exchanges quoting ETH/USDT, one quick and one slow to follow the underlying: they cross after every jump, so
/// every path can be driven in a few simulated seconds. With noise and latency, orders reach books that have moved.
func twoVenueConfig(allowed: Set<Symbol>? = nil, noiseBps: Double = 0, latency: Duration = .milliseconds(10)) -> SimDesk {
    let symbol = Symbol(base: "ETH", quote: "USDT")
    func venue(_ name: String, catchUp: Double, symbol: Symbol = symbol, noise: Double = noiseBps, top: Double = 1) -> SimulatedBook {
        SimulatedBook(
            venue: VenueSpec(id: VenueId(name), kind: .exchange, takerFee: FixedDecimal("0.0005")!, stalenessBound: .seconds(2)),
            instrument: InstrumentSpec(symbol: symbol, tickSize: FixedDecimal("0.0001")!, lotSize: FixedDecimal("0.001")!,
                                       minNotional: FixedDecimal(5)),
            catchUpRate: catchUp, noiseBps: noise, halfSpreadBps: 0.5, levels: 10, topQuantity: top, updatesPerSecond: 20)
    }
    // USD is USDC: a USDC/USDT book values the USDT quote.
    let dollar = venue("alpha", catchUp: 10, symbol: Symbol(base: "USDC", quote: "USDT"), noise: 0, top: 100_000)
    let universe = SimulatedUniverse(
        seed: 5,
        assets: [SimulatedAsset(asset: "ETH", priceUSD: 3000, volatility: 0.8, jumpsPerHour: 600, jumpSize: 0.004),
                 SimulatedAsset(asset: "USDT", priceUSD: 1, volatility: 0, jumpsPerHour: 0, jumpSize: 0),
                 SimulatedAsset(asset: "USDC", priceUSD: 1, volatility: 0, jumpsPerHour: 0, jumpSize: 0)],
        books: [venue("alpha", catchUp: 8), venue("beta", catchUp: 0.5), dollar], pools: [], chains: [],
        latency: [VenueId("alpha"): latency, VenueId("beta"): latency])
    var inventory = Inventory()
    for name in ["alpha", "beta"] {
        inventory.credit("ETH", FixedDecimal(10), at: .exchange(VenueId(name)))
        inventory.credit("USDT", FixedDecimal(30_000), at: .exchange(VenueId(name)))
    }
    return SimDesk(universe: universe, engine: EngineConfig(
        user: "tester", mode: .sim,
        limits: RiskLimits(maxNotionalPerTradeUSD: FixedDecimal(5_000), dailyVolumeUSD: FixedDecimal(1_000_000),
                           maxPosition: ["ETH": FixedDecimal(100)], allowedSymbols: allowed ?? [symbol]),
        // Only ETH/USDT routes: the dollar book has no second venue, so it never forms a route.
        detection: DetectionPolicy(minNetUSD: FixedDecimal("0.01")!, maxNotionalUSD: FixedDecimal(5_000)),
        initialBalances: inventory, swapSlippageTolerance: FixedDecimal("0.005")!))
}

/// An engine's config and the simulated market it runs on: what the executable builds from config.toml. Reads and
/// writes the engine's settings as its own (`desk.limits`, `desk.autoApprove`).
@dynamicMemberLookup
struct SimDesk {
    var universe: SimulatedUniverse
    var engine: EngineConfig
    /// Where the paper venues remember what they executed (nil: they forget on restart).
    var paperJournalPath: String?

    subscript<Value>(dynamicMember path: WritableKeyPath<EngineConfig, Value>) -> Value {
        get { engine[keyPath: path] }
        set { engine[keyPath: path] = newValue }
    }
}

extension Engine {
    /// An engine on `desk`'s simulated market, opened at the clock's now.
    init(config desk: SimDesk, ledger: Ledger, clock: any Clock = WallClock()) async throws {
        var venues = VenueSet()
        venues.add(SimulatedVenues(universe: desk.universe, start: clock.now(),
                                   journal: try desk.paperJournalPath.map(PaperJournal.init(path:))))
        try await self.init(config: desk.engine, venues: venues, ledger: ledger, clock: clock)
    }
}

/// A suite that drives an engine on a manual clock: the market in 10 ms steps, as the live loop does.
protocol DrivesTheDesk {
    var clock: ManualClock { get }
}

extension DrivesTheDesk {
    /// An engine on a fresh ledger file.
    func engine(_ config: SimDesk) async throws -> (Engine, Ledger) {
        let ledger = try Ledger(path: NSTemporaryDirectory() + "dexter-test-\(UUID().uuidString).sqlite")
        return (try await Engine(config: config, ledger: ledger, clock: clock), ledger)
    }

    /// Ticks the market in 10 ms steps for `duration`, then publishes a snapshot.
    func run(_ engine: Engine, for duration: Duration) async {
        for _ in 0..<Int(duration.nanosecondsClamped / 10_000_000) {
            clock.advance(.milliseconds(10))
            await engine.tick()
        }
        await engine.publishNow()
    }
}

@Suite struct EngineTests: DrivesTheDesk {
    let clock = ManualClock()
    let ledgerPath = NSTemporaryDirectory() + "dexter-engine-\(UUID().uuidString).sqlite"

    func makeEngine(_ config: SimDesk = twoVenueConfig()) async throws -> (Engine, Ledger) {
        let ledger = try Ledger(path: ledgerPath)
        return (try await Engine(config: config, ledger: ledger, clock: clock), ledger)
    }

    /// Ticks the market in 10 ms steps until an opportunity shows, and returns it as the screen sees it.
    func waitForOpportunity(_ engine: Engine, within seconds: Int = 60) async throws -> Opportunity {
        for _ in 0..<(seconds * 100) {
            clock.advance(.milliseconds(10))
            await engine.tick()
            await engine.publishNow()
            if let first = engine.board.current?.opportunities.first { return first }
        }
        throw EngineTestError.noOpportunity
    }

    @Test func approvesExecutesAndBooksATrade() async throws {
        let (engine, ledger) = try await makeEngine()
        let opportunity = try await waitForOpportunity(engine)
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
        #expect(try ledger.reader.trades().isEmpty, "nothing is booked before the fills arrive")
        await run(engine, for: .milliseconds(200))

        let trades = try ledger.reader.trades()
        #expect(!trades.isEmpty && trades.count <= 2, "\(engine.board.current?.notifications.map(\.text) ?? [])")
        #expect(Set(trades.map(\.exchange)).isSubset(of: ["alpha", "beta"]))
        #expect(trades.allSatisfy { $0.user == "tester" && $0.pair == "ETH/USDT" })
        let snapshot = try #require(engine.board.current)
        #expect(snapshot.pnl.arbitragesToday == 1)
        #expect(snapshot.pnl.tradesToday == trades.count)
        #expect(snapshot.pnl.realisedTodayUSD == trades.reduce(.zero) { $0 + $1.profitUSD })
        // The screen's balances are the ledger's balances.
        for balance in try ledger.reader.balances() {
            let shown = snapshot.balances.first { $0.account == balance.account && $0.asset == balance.asset }
            #expect(shown?.amount == balance.delta)
        }
        // Fills move inventory exactly: base bought on one venue, sold on the other.
        let ethTotal = snapshot.balances.filter { $0.asset == "ETH" }.reduce(FixedDecimal.zero) { $0 + $1.amount }
        let bought = trades.filter { $0.side == .buy }.reduce(FixedDecimal.zero) { $0 + $1.amount }
        let sold = trades.filter { $0.side == .sell }.reduce(FixedDecimal.zero) { $0 + $1.amount }
        #expect(ethTotal == FixedDecimal(20) + bought - sold)
    }

    /// Paper fills happen against the venue when the order arrives: on a noisy market a leg fills short or misses,
    /// and the arbitrage is booked as what happened, not as what was approved.
    @Test func everyLegShowsOnTheOrdersPanelWithItsState() async throws {
        let (engine, ledger) = try await makeEngine()
        let opportunity = try await waitForOpportunity(engine)
        await engine.requestApproval(of: opportunity.id)
        await engine.confirmApproval(of: opportunity.id)
        await engine.publishNow()
        let sent = try #require(engine.board.current?.orders)
        #expect(sent.count == 2 && sent.allSatisfy { $0.state == .submitted && $0.opportunityId == opportunity.id })
        #expect(Set(sent.map(\.venue)) == [opportunity.buy.venue, opportunity.sell.venue])
        await run(engine, for: .milliseconds(200))
        let settled = try #require(engine.board.current?.orders)
        #expect(settled.count == 2 && settled.allSatisfy { !$0.state.isLive })
        for order in settled where order.state == .filled { #expect(order.filled == order.quantity && order.averagePrice.isPositive) }
        // Every transition is on disk: submitted first (before the order left), then its venue's answer.
        for order in settled {
            let events = try ledger.reader.orderEvents(orderId: order.clientOrderId)
            #expect(events.first?.event == "submit" && events.first?.fromState == "initialized" && events.first?.toState == "submitted")
            #expect(events.last?.toState == order.state.rawValue)
            #expect(zip(events, events.dropFirst()).allSatisfy { $0.toState == $1.fromState }, "a chain of transitions")
        }
        #expect(try ledger.reader.reconciliationProblems() == [])
        // Positions are the inventory, marked to the prices the session opened at.
        let positions = try #require(engine.board.current?.positions)
        #expect(positions.map(\.asset).contains("ETH"))
        let eth = try #require(positions.first { $0.asset == "ETH" })
        #expect(eth.accounts.reduce(FixedDecimal.zero) { $0 + $1.quantity } == eth.quantity)
        // Realised by asset and venue adds up to the day's realised P&L, exactly.
        let pnl = try #require(engine.board.current?.pnl)
        #expect(positions.reduce(FixedDecimal.zero) { $0 + $1.realisedTodayUSD } == pnl.realisedTodayUSD)
        #expect(eth.realisedByVenue.reduce(FixedDecimal.zero) { $0 + $1.usd } == eth.realisedTodayUSD)
    }

    @Test func theKillSwitchHaltsUntilResumedButALedgerFailureDoesNotResume() async throws {
        let (engine, _) = try await makeEngine()
        let opportunity = try await waitForOpportunity(engine)
        await engine.requestApproval(of: opportunity.id)
        #expect(engine.board.current?.confirmation != nil)
        await engine.halt("kill switch pulled by tester")
        await engine.halt("pressed twice")
        var snapshot = try #require(engine.board.current)
        #expect(snapshot.haltReason == "kill switch pulled by tester" && snapshot.tradingState == .halted)
        #expect(snapshot.confirmation == nil, "a pending approval is dropped")
        await engine.confirmApproval(of: opportunity.id)
        await run(engine, for: .milliseconds(100))
        #expect(engine.board.current?.orders.isEmpty == true, "nothing is sent while halted")
        let next = try await waitForOpportunity(engine)
        await engine.requestApproval(of: next.id)
        snapshot = try #require(engine.board.current)
        #expect(snapshot.confirmation == nil && snapshot.notifications.first?.text.contains("trading is halted") == true)
        await engine.resume()
        #expect(engine.board.current?.haltReason == nil)
        #expect(engine.board.current?.notifications.first?.text == "trading resumed")
    }

    @Test func legsThatMissAreBookedAsWhatHappened() async throws {
        // Halt on uneven legs, so that what the ledger shows is the arbitrages alone, not their corrections.
        var config = twoVenueConfig(noiseBps: 40, latency: .milliseconds(60))
        config.legRisk = LegRiskPolicy(action: .halt)
        let (engine, ledger) = try await makeEngine(config)
        let startETH = try ledger.reader.balances().filter { $0.asset == "ETH" }.reduce(FixedDecimal.zero) { $0 + $1.delta }
        var outcomes: [String] = []
        for _ in 0..<20 where !outcomes.contains(where: { $0.contains(" partial: ") || $0.contains(" failed: ") }) {
            let opportunity = try await waitForOpportunity(engine)
            await engine.requestApproval(of: opportunity.id)
            await engine.confirmApproval(of: opportunity.id)
            await run(engine, for: .milliseconds(300))
            outcomes += engine.board.current?.notifications.prefix(3).map(\.text).filter { $0.contains("(booked ") } ?? []
        }
        #expect(outcomes.contains { $0.contains(" partial: ") || $0.contains(" failed: ") }, "\(outcomes)")
        #expect(engine.board.current?.haltReason?.contains("leg risk") == true, "uneven legs halt under this policy")
        // Whatever filled, inventory moved by exactly the booked fills.
        let trades = try ledger.reader.trades()
        let bought = trades.filter { $0.side == .buy }.reduce(FixedDecimal.zero) { $0 + $1.amount }
        let sold = trades.filter { $0.side == .sell }.reduce(FixedDecimal.zero) { $0 + $1.amount }
        let endETH = try ledger.reader.balances().filter { $0.asset == "ETH" }.reduce(FixedDecimal.zero) { $0 + $1.delta }
        #expect(endETH == startETH + bought - sold)
        #expect(bought != sold, "a leg that fills short leaves inventory unhedged, and the ledger shows it")
    }

    @Test func aSecondConfirmationSendsNothing() async throws {
        let (engine, ledger) = try await makeEngine()
        let opportunity = try await waitForOpportunity(engine)
        await engine.requestApproval(of: opportunity.id)
        await engine.confirmApproval(of: opportunity.id)
        await engine.confirmApproval(of: opportunity.id)
        await engine.requestApproval(of: opportunity.id)
        await engine.confirmApproval(of: opportunity.id)
        await run(engine, for: .milliseconds(200))
        #expect(engine.board.current?.pnl.arbitragesToday == 1)
        #expect(Set(try ledger.reader.trades().map(\.orderId).map { $0.split(separator: "-").dropLast().joined(separator: "-") }).count == 1)
    }

    @Test func refusesAStaleOpportunity() async throws {
        let (engine, ledger) = try await makeEngine()
        let opportunity = try await waitForOpportunity(engine)
        clock.advance(.seconds(3))
        await engine.requestApproval(of: opportunity.id)
        let snapshot = try #require(engine.board.current)
        #expect(snapshot.confirmation == nil)
        #expect(snapshot.notifications.first?.text.contains("quote is stale") == true)
        #expect(try ledger.reader.trades().isEmpty)
    }

    @Test func riskDenialSaysWhichLimitAndIsBooked() async throws {
        let (engine, ledger) = try await makeEngine(twoVenueConfig(allowed: [Symbol(base: "BTC", quote: "USDT")]))
        let opportunity = try await waitForOpportunity(engine)
        await engine.requestApproval(of: opportunity.id)
        await engine.confirmApproval(of: opportunity.id)
        await run(engine, for: .milliseconds(200))
        let snapshot = try #require(engine.board.current)
        #expect(snapshot.notifications.contains { $0.text.contains("denied by instrument allowed: ETH/USDT is not an allowed pair") })
        #expect(try ledger.reader.trades().isEmpty)
        #expect(snapshot.pnl.arbitragesToday == 0)
    }

    @Test func rejectionIsBookedAndLeavesNoTrade() async throws {
        let (engine, ledger) = try await makeEngine()
        let opportunity = try await waitForOpportunity(engine)
        await engine.reject(opportunity.id)
        #expect(engine.board.current?.notifications.first?.text.contains("rejected") == true)
        #expect(try ledger.reader.trades().isEmpty)
    }

    /// If the ledger cannot take a booking, nothing is shown as done and no further order goes out.
    @Test func aLedgerFailureHaltsTrading() async throws {
        let (engine, ledger) = try await makeEngine()
        let opportunity = try await waitForOpportunity(engine)
        await engine.requestApproval(of: opportunity.id)
        await engine.confirmApproval(of: opportunity.id)
        // Break the ledger under the engine's feet before the fills come back.
        try await DatabaseQueue(path: ledgerPath).write { db in try db.execute(sql: "DROP TABLE trades") }
        await run(engine, for: .milliseconds(200))
        let snapshot = try #require(engine.board.current)
        #expect(snapshot.tradingState == .halted)
        #expect(snapshot.pnl.arbitragesToday == 0, "nothing is shown as done without its commit")
        #expect(snapshot.notifications.contains { $0.text.contains("LEDGER WRITE FAILED") })
        let next = try await waitForOpportunity(engine)
        await engine.requestApproval(of: next.id)
        #expect(engine.board.current?.confirmation == nil)
        #expect(engine.board.current?.notifications.first?.text.contains("trading is halted") == true)
        // The kill switch's resume does not lift a ledger failure: only a restart with a working ledger does.
        await engine.resume()
        #expect(engine.board.current?.haltReason == "the ledger could not be written")
        #expect(engine.board.current?.notifications.first?.text.contains("cannot resume") == true)
        _ = ledger
    }

    @Test func aRestartKeepsBalancesAndTodaysPnL() async throws {
        let (engine, ledger) = try await makeEngine()
        let opportunity = try await waitForOpportunity(engine)
        await engine.requestApproval(of: opportunity.id)
        await engine.confirmApproval(of: opportunity.id)
        await run(engine, for: .milliseconds(200))
        let before = try #require(engine.board.current)
        let (restarted, _) = try await makeEngine()
        await restarted.publishNow()
        let after = try #require(restarted.board.current)
        #expect(after.pnl.realisedTodayUSD == before.pnl.realisedTodayUSD)
        #expect(after.balances.map(\.amount) == before.balances.map(\.amount))
        #expect(try ledger.reader.trades().count == before.pnl.tradesToday)
        // Realised by asset and venue is rebuilt from the ledger's fills.
        func realised(_ snapshot: Snapshot) -> [String: [String]] {
            Dictionary(uniqueKeysWithValues: snapshot.positions.map { ($0.asset, $0.realisedByVenue.map { "\($0.venue) \($0.usd)" }) })
        }
        #expect(realised(after) == realised(before))
        #expect(!realised(before).values.joined().isEmpty)
    }
}

enum EngineTestError: Error { case noOpportunity }

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
