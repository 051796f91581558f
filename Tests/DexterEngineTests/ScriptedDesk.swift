import DexterCore
import DexterDetect
import DexterEngine
import DexterLedger
import DexterMarket
import DexterRisk
import DexterVenues
import Foundation
import Testing

/// The engine's settings the engine tests share, whatever market they run on: a tester on a sim desk, ETH/USDT the
/// one symbol allowed (unless `allowed` says otherwise), $5,000 a trade, and 10 ETH and 30,000 USDT on each of
/// alpha and beta.
func testEngineConfig(allowed: Set<Symbol> = [ScriptedDesk.eth]) -> EngineConfig {
    var inventory = Inventory()
    for name in ["alpha", "beta"] {
        inventory.credit("ETH", FixedDecimal(10), at: .exchange(VenueId(name)))
        inventory.credit("USDT", FixedDecimal(30_000), at: .exchange(VenueId(name)))
    }
    return EngineConfig(
        user: "tester", mode: .sim,
        limits: RiskLimits(maxNotionalPerTradeUSD: FixedDecimal(5_000), dailyVolumeUSD: FixedDecimal(1_000_000),
                           maxPosition: ["ETH": FixedDecimal(100)], allowedSymbols: allowed),
        // Only ETH/USDT routes: the dollar book has no second venue, so it never forms a route.
        detection: DetectionPolicy(minNetUSD: FixedDecimal("0.01")!, maxNotionalUSD: FixedDecimal(5_000)),
        initialBalances: inventory, swapSlippageTolerance: FixedDecimal("0.005")!)
}

/// A desk on a scripted venue: the engine, its ledger, and the venue the test scripts. A test states its market —
/// books, how each venue answers orders, the engine's limits and balances — and gets its opportunities on the first
/// tick, the same every run.
struct ScriptedDesk {
    let engine: Engine
    let ledger: Ledger
    let venue: ScriptedVenue
    let ledgerPath: String

    static let eth = Symbol(base: "ETH", quote: "USDT")
    static let dollar = Symbol(base: "USDC", quote: "USDT")
    static let alphaETH = MarketKey(venue: "alpha", symbol: eth)
    static let betaETH = MarketKey(venue: "beta", symbol: eth)

    /// An exchange charging `takerFee`, its quotes trusted for 2 s.
    static func exchange(_ name: String, takerFee: String = "0.0005") -> VenueSpec {
        VenueSpec(id: VenueId(name), kind: .exchange, takerFee: FixedDecimal(takerFee)!, stalenessBound: .seconds(2))
    }

    static func instrument(_ symbol: Symbol, tick: String, lot: String, minNotional: String = "5") -> InstrumentSpec {
        InstrumentSpec(symbol: symbol, tickSize: FixedDecimal(tick)!, lotSize: FixedDecimal(lot)!,
                       minNotional: FixedDecimal(minNotional)!)
    }

    /// One level a side.
    static func book(bid: String, ask: String, size: String) -> OrderBook {
        OrderBook(bids: [BookLevel(price: FixedDecimal(bid)!, quantity: FixedDecimal(size)!)],
                  asks: [BookLevel(price: FixedDecimal(ask)!, quantity: FixedDecimal(size)!)])
    }

    /// ETH/USDT on a cent tick and a 0.001 lot; USDC/USDT, which values USDT in dollars.
    static let instruments = [instrument(eth, tick: "0.01", lot: "0.001"), instrument(dollar, tick: "0.0001", lot: "1")]

    /// alpha asks 2,990 and beta bids 3,010, 5 ETH each: one opportunity, buy on alpha and sell on beta, $20 a unit
    /// before fees. USDC/USDT on alpha (mid 1) makes a USDT worth exactly one dollar.
    static let crossedBooks: [MarketKey: OrderBook] = [
        alphaETH: book(bid: "2989", ask: "2990", size: "5"),
        betaETH: book(bid: "3010", ask: "3011", size: "5"),
        MarketKey(venue: "alpha", symbol: dollar): book(bid: "0.9999", ask: "1.0001", size: "1000000"),
    ]
}

extension DrivesTheDesk {
    /// A desk on a scripted venue, on a fresh ledger unless `ledgerPath` names one (a restart); `venue` reuses a
    /// venue that outlived its desk. By default both venues answer as exchanges do (`.ioc`), on the crossed books.
    func scriptedDesk(
        books: [MarketKey: OrderBook] = ScriptedDesk.crossedBooks,
        behaviour: [VenueId: ScriptedVenue.Behaviour] = ["alpha": .ioc(), "beta": .ioc()],
        venues: [VenueSpec] = [ScriptedDesk.exchange("alpha"), ScriptedDesk.exchange("beta")],
        instruments: [InstrumentSpec] = ScriptedDesk.instruments,
        allowed: Set<Symbol> = [ScriptedDesk.eth],
        ledgerPath: String = NSTemporaryDirectory() + "dexter-scripted-\(UUID().uuidString).sqlite",
        venue existing: ScriptedVenue? = nil,
        settings: (inout EngineConfig) -> Void = { _ in }
    ) async throws -> ScriptedDesk {
        let venue = existing ?? ScriptedVenue(venues: venues, instruments: instruments, books: books, behaviour: behaviour,
                                              start: clock.now())
        var set = VenueSet()
        set.add(venue)
        var config = testEngineConfig(allowed: allowed)
        settings(&config)
        let ledger = try Ledger(path: ledgerPath)
        let engine = try await Engine(config: config, venues: set, ledger: ledger, clock: clock)
        return ScriptedDesk(engine: engine, ledger: ledger, venue: venue, ledgerPath: ledgerPath)
    }

    /// The first opportunity on screen after the first ticks (the scripted books cross at once).
    func firstOpportunity(_ engine: Engine) async throws -> Opportunity {
        await run(engine, for: .milliseconds(20))
        return try #require(engine.board.current?.opportunities.first, "the scripted books cross")
    }

    /// Approves the alpha→beta opportunity as a trader would, and returns it.
    func approve(_ engine: Engine) async throws -> Opportunity {
        let opportunity = try await firstOpportunity(engine)
        #expect(opportunity.buy.venue == "alpha" && opportunity.sell.venue == "beta")
        await engine.requestApproval(of: opportunity.id)
        await engine.confirmApproval(of: opportunity.id)
        return opportunity
    }
}
