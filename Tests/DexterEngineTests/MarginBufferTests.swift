import DexterCore
import DexterDetect
import DexterEngine
import DexterLedger
import DexterMarket
import DexterRisk
import DexterVenues
import Foundation
import Testing

/// Perpetuals on the simulated perpetual venues: a perp-against-perp arbitrage opens a long on one margin account and
/// a short on the other at 20× leverage; ETH then jumps 6 %, which would take the short past its maintenance margin. The margin
/// buffer cuts both sides before it gets there; with the buffer off, the same market ends in a margin call.
@Suite struct MarginBufferTests {
    let clock = ManualClock()
    static let perp = try! Symbol(parsing: "ETH/USDT:USDT")

    func perpetualConfig(buffer: MarginBuffer?) -> SimDesk {
        let terms = MarginTerms(maxLeverage: FixedDecimal(20), maintenanceRate: FixedDecimal("0.005")!)
        func book(_ name: String, _ symbol: Symbol, catchUp: Double, top: Double, margin: MarginTerms? = nil,
                  tick: String = "0.01") -> SimulatedBook {
            var instrument = InstrumentSpec(symbol: symbol, tickSize: FixedDecimal(tick)!, lotSize: FixedDecimal("0.001")!,
                                            minNotional: FixedDecimal(5))
            instrument.margin = margin
            return SimulatedBook(
                venue: VenueSpec(id: VenueId(name), kind: .exchange, takerFee: FixedDecimal("0.0002")!, stalenessBound: .seconds(2)),
                instrument: instrument, catchUpRate: catchUp, noiseBps: 1, halfSpreadBps: 0.5, levels: 12, topQuantity: top,
                updatesPerSecond: 20)
        }
        var universe = SimulatedUniverse(
            seed: 11,
            assets: [SimulatedAsset(asset: "ETH", priceUSD: 3000, volatility: 0.5, jumpsPerHour: 0, jumpSize: 0),
                     SimulatedAsset(asset: "USDT", priceUSD: 1, volatility: 0, jumpsPerHour: 0, jumpSize: 0),
                     SimulatedAsset(asset: "USDC", priceUSD: 1, volatility: 0, jumpsPerHour: 0, jumpSize: 0)],
            // Three spot venues make the index the perpetuals are marked to: it follows a shock over seconds.
            books: [book("spot-a", Symbol(base: "ETH", quote: "USDT"), catchUp: 0.5, top: 50),
                    book("spot-b", Symbol(base: "ETH", quote: "USDT"), catchUp: 0.6, top: 50),
                    book("spot-c", Symbol(base: "ETH", quote: "USDT"), catchUp: 0.7, top: 50),
                    book("spot-a", Symbol(base: "USDC", quote: "USDT"), catchUp: 10, top: 100_000, tick: "0.0001"),
                    book("fast-perp", Self.perp, catchUp: 1.0, top: 4, margin: terms),
                    book("slow-perp", Self.perp, catchUp: 0.4, top: 4, margin: terms)],
            pools: [], chains: [], latency: [VenueId("fast-perp"): .milliseconds(10), VenueId("slow-perp"): .milliseconds(10)])
        universe.shocks = [PriceShock(asset: "ETH", after: .seconds(30), move: 0.06)]
        var inventory = Inventory()
        for name in ["fast-perp", "slow-perp"] { inventory.credit("USDT", FixedDecimal(1_500), at: .exchange(VenueId(name))) }
        var config = SimDesk(universe: universe, engine: EngineConfig(
            user: "tester", mode: .sim,
            limits: RiskLimits(maxNotionalPerTradeUSD: FixedDecimal(60_000), dailyVolumeUSD: FixedDecimal(10_000_000),
                               maxPosition: [:], allowedSymbols: [Self.perp]),
            detection: DetectionPolicy(minNetUSD: FixedDecimal("0.01")!, maxNotionalUSD: FixedDecimal(60_000)),
            initialBalances: inventory, swapSlippageTolerance: FixedDecimal("0.005")!))
        config.marginBuffer = buffer
        config.autoHalt = AutoHaltLimits()
        config.positionVaRBudgetUSD = nil
        return config
    }

    /// Approves the first perp arbitrage of 5 ETH or more (within 25 s, before the shock): a long on one venue, a
    /// short on the other.
    func openHedgedPair(_ engine: Engine) async throws {
        var opportunity: Opportunity?
        for _ in 0..<2500 where opportunity == nil {
            clock.advance(.milliseconds(10))
            await engine.tick()
            await engine.publishNow()
            opportunity = engine.board.current?.opportunities.first { $0.symbol == Self.perp && $0.quantity >= FixedDecimal(5) }
        }
        let found = try #require(opportunity, "a perp arbitrage of 5 ETH or more before the shock")
        await engine.requestApproval(of: found.id)
        await engine.confirmApproval(of: found.id)
    }

    /// Opens the hedged pair, then runs through the shock, watching every account's margin ratio on each tick.
    /// Returns the highest ratio seen after the pair was open.
    func openThenShock(_ engine: Engine, ledger: Ledger) async throws -> Double {
        try await openHedgedPair(engine)
        var highest = 0.0
        for _ in 0..<6000 {
            clock.advance(.milliseconds(10))
            await engine.tick()
            await engine.publishNow()
            highest = max(highest, engine.board.current?.margins.map(\.ratio).max() ?? 0)
        }
        #expect(try ledger.reader.bookings().contains { $0.kind == .arbitrage && $0.status == "completed" })
        return highest
    }

    func ledger() throws -> Ledger { try Ledger(path: NSTemporaryDirectory() + "dexter-margin-\(UUID().uuidString).sqlite") }

    @Test func theBufferCutsBothSidesBeforeAMarginCall() async throws {
        let ledger = try ledger()
        let engine = try await Engine(config: perpetualConfig(buffer: MarginBuffer(reduceAt: 0.5, target: 0.3, maxSlippageBps: 100)),
                                ledger: ledger, clock: clock)
        let highest = try await openThenShock(engine, ledger: ledger)
        #expect(highest < 1, "the buffer let a margin ratio reach \(highest)")
        let cuts = try ledger.reader.auditEntries().filter { $0.action == "margin buffer" }
        #expect(!cuts.isEmpty && cuts.allSatisfy { $0.detail.contains("reached the 50.0 % buffer") }, "\(cuts.map(\.detail))")
        let bookings = try ledger.reader.bookings().filter { $0.kind == .marginReduction }
        #expect(!bookings.isEmpty)
        // Every cut took both sides: the desk stays flat, and what the ledger holds is what the fills add up to.
        let positions = try ledger.reader.positions()
        #expect(positions.reduce(FixedDecimal.zero) { $0 + $1.size } == .zero, "\(positions)")
        #expect(try ledger.reader.reconciliationProblems().isEmpty)
        let snapshot = try #require(engine.board.current)
        #expect(snapshot.margins.allSatisfy { $0.equity.isPositive })
        #expect(!snapshot.alerts.contains { $0.hasPrefix("MARGIN CALL") })
        // The engine's positions are the ledger's.
        let held = snapshot.margins.flatMap { margin in margin.positions.map { "\(margin.account) \($0.symbol) \($0.size)" } }.sorted()
        #expect(held == positions.map { "\($0.account) \($0.symbol) \($0.size)" }.sorted())
    }

    /// VaR is taken on price exposure (`Inventory.priceExposure`): a hedged perp pair nets to nothing. The desk holds
    /// only USDT collateral here, so with the pair open for minutes its VaR is the collateral's alone.
    @Test func aHedgedPerpetualPairAddsNoVaR() async throws {
        var config = perpetualConfig(buffer: nil)
        config.universe.shocks = []
        let ledger = try ledger()
        let engine = try await Engine(config: config, ledger: ledger, clock: clock)
        try await openHedgedPair(engine)
        for _ in 0..<16_000 {
            clock.advance(.milliseconds(10))
            await engine.tick()
        }
        await engine.publishNow()
        let positions = try ledger.reader.positions()
        #expect(positions.count == 2 && positions.reduce(FixedDecimal.zero) { $0 + $1.size } == .zero, "\(positions)")
        // VaR is the USDT collateral's alone: ETH is not an exposure at all.
        let risk = try #require(engine.board.current?.risk, "VaR after 160 s of samples")
        #expect(risk.volatility.map(\.asset) == ["USDT"], "\(risk.volatility)")
    }

    @Test func withoutTheBufferTheSameMarketEndsInAMarginCall() async throws {
        let ledger = try ledger()
        let engine = try await Engine(config: perpetualConfig(buffer: nil), ledger: ledger, clock: clock)
        let highest = try await openThenShock(engine, ledger: ledger)
        #expect(highest >= 1)
        #expect(engine.board.current?.alerts.contains { $0.hasPrefix("MARGIN CALL: ") } == true)
        #expect(try ledger.reader.bookings().contains { $0.kind == .marginReduction } == false)
    }
}
