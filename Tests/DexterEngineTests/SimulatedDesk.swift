import DexterCore
import DexterEngine
import DexterLedger
import DexterMarket
import DexterVenues

// The simulated market, for the tests whose point is the simulator itself (its own venues) or that only need a desk
// to be open on some market. A test that needs an opportunity, a fill or a price move states it on a scripted venue
// instead (ScriptedDesk.swift): it is there at the first tick, the same every run.

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
    return SimDesk(universe: universe, engine: testEngineConfig(allowed: allowed ?? [symbol]))
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
