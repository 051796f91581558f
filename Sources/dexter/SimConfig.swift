import DexterCore
import DexterMarket
import DexterVenues
import Foundation

/// `[sim]`: the knobs of the embedded market — its seed, each asset's price process, each chain's gas and pace, how
/// each simulated venue's books and pools move, and the failures to rehearse. None of it is a fact of a real venue:
/// those stay under `[venues]` and `[chains]`, and are joined here with the knobs into a `SimulatedUniverse` of the
/// venues whose connector is "sim".
enum SimConfig {
    // The knobs that once sat beside the facts, by the table they sat in: a key found there is told where it went.
    static let bookVenueKnobs: Set = ["latency_ms", "catch_up_rate", "noise_bps", "half_spread_bps", "levels",
                                      "updates_per_second", "funding_rate", "funding_interval_s"]
    static let poolVenueKnobs: Set = ["latency_ms"]
    static let marketKnobs: Set = ["top_quantity"]
    static let poolKnobs: Set = ["base_reserve", "range_width", "swaps_per_second", "arbitrage_catch_up"]
    static let assetKnobs: Set = ["price_usd", "volatility", "jumps_per_hour", "jump_size", "peg_reversion"]
    static let chainKnobs: Set = ["gas_price", "gas_volatility", "block_time_ms"]

    /// A perpetual venue's funding: `funding_rate` (a decimal string, default "0.0001", Binance's usual 0.01 %) each
    /// `funding_interval_s` seconds (default 28800, 8 h). Refused on a venue with no perpetual.
    static func fundingKnobs(_ knobs: ConfigReader, perpetual: Bool) throws -> (rate: FixedDecimal, interval: Duration) {
        for key in ["funding_rate", "funding_interval_s"] where !perpetual && knobs.has(key) {
            throw knobs.error(key, "only a venue with perpetuals (BASE/QUOTE:SETTLE markets) has funding")
        }
        let rate = knobs.has("funding_rate") ? try knobs.decimal("funding_rate", example: "0.0001") : FixedDecimal(raw: FixedDecimal.unit / 10_000)
        guard rate.magnitude < .one else { throw knobs.error("funding_rate", "a rate per funding, e.g. \"0.0001\" for 0.01 %; found \(rate)") }
        let interval = try knobs.optionalInt("funding_interval_s", range: 1...86_400 * 7) ?? 28_800
        return (rate, .seconds(interval))
    }

    /// `root` is the whole file: a knob's error may point at the fact it belongs to.
    static func parse(_ root: ConfigReader, venues: [ConfiguredVenue], gasTokens: [ChainId: Asset]) throws
        -> SimulatedUniverse {
        let sim = try root.table("sim")
        try sim.allowOnly(["seed", "assets", "chains", "venues", "outages", "faults", "shocks"])
        let seed = UInt64(try sim.int("seed", range: 0...Int.max))
        let assets = try parseAssets(try sim.optionalTable("assets"))
        let priced = Set(assets.map(\.asset))
        let chains = try parseChains(try sim.optionalTable("chains"), facts: try root.table("chains"),
                                     gasTokens: gasTokens, priced: priced)
        let served = venues.filter { $0.connector == VenueConnectors.simulator }
        let (books, pools, latency) = try parseVenues(try sim.optionalTable("venues"), facts: try root.table("venues"),
                                                      served: served, priced: priced,
                                                      chains: Set(chains.map(\.chain)))
        let names = Set(served.map(\.spec.id))
        return SimulatedUniverse(seed: seed, assets: assets, books: books, pools: pools, chains: chains,
                                 latency: latency, outages: try parseOutages(sim, venues: names),
                                 faults: try parseFaults(sim, venues: names),
                                 shocks: try parseShocks(sim, assets: assets))
    }

    /// A config still holding `[assets]` is told that an asset's price process is the simulator's now; from the
    /// first asset it writes, as an old config is read from the top.
    static func rejectAssetsTable(_ root: ConfigReader) throws {
        guard let assets = try root.optionalTable("assets") else { return }
        let line = { (code: String) in root.source.line(of: ["assets", code]) ?? 0 }
        for code in assets.keys.sorted(by: { line($0) < line($1) }) {
            try assets.table(code).rejectMoved(assetKnobs)
        }
        throw root.error("assets", "moved to [sim.assets] \(ConfigReader.movedHint)")
    }

    /// `[sim.assets.CODE]`: each asset's underlying USD price process.
    static func parseAssets(_ assets: ConfigReader?) throws -> [SimulatedAsset] {
        guard let assets else { return [] }
        return try assets.keys.sorted().map { code in
            let asset = try assets.table(code)
            try asset.allowOnly(assetKnobs)
            return SimulatedAsset(
                asset: Asset(code), priceUSD: try asset.double("price_usd", range: 1e-9...1e12),
                volatility: try asset.double("volatility", range: 0...20),
                jumpsPerHour: try asset.double("jumps_per_hour", range: 0...100_000),
                jumpSize: try asset.double("jump_size", range: 0...0.5),
                pegReversion: try asset.optionalDouble("peg_reversion", range: 0...100) ?? 0)
        }
    }

    /// `[sim.chains.NAME]`: gas and the pace of blocks of each chain under `[chains]` the simulator runs.
    static func parseChains(_ chains: ConfigReader?, facts: ConfigReader, gasTokens: [ChainId: Asset],
                            priced: Set<Asset>) throws -> [SimulatedChain] {
        guard let chains else { return [] }
        return try chains.keys.sorted().map { name in
            let chain = try chains.table(name)
            try chain.allowOnly(chainKnobs)
            guard let token = gasTokens[ChainId(name)] else {
                throw chains.error(name, "\(name) is not one of the chains under [chains]")
            }
            guard priced.contains(token) else {
                throw try facts.table(name).error("gas_token", "\(token) is not one of the assets under [sim.assets] "
                                                  + "(\(priced.sorted().map(\.code).joined(separator: ", ")))")
            }
            return SimulatedChain(chain: ChainId(name), gasToken: token,
                                  gasPrice: try chain.double("gas_price", range: 0...1e9),
                                  gasVolatility: try chain.double("gas_volatility", range: 0...2),
                                  blockTime: .milliseconds(try chain.int("block_time_ms", range: 10...600_000)))
        }
    }

    /// `[sim.venues.NAME]`: how each venue the simulator serves moves, joined with its facts into books and pools.
    static func parseVenues(_ knobs: ConfigReader?, facts: ConfigReader, served: [ConfiguredVenue], priced: Set<Asset>,
                            chains: Set<ChainId>) throws
        -> (books: [SimulatedBook], pools: [SimulatedPool], latency: [VenueId: Duration]) {
        let names = served.map(\.spec.id.name)
        if let knobs, let stranger = knobs.keys.sorted().first(where: { !names.contains($0) }) {
            throw knobs.error(stranger, "\(stranger) is not one of the venues under [venues] served by the simulator "
                              + "(connector = \"\(VenueConnectors.simulator)\")")
        }
        var books: [SimulatedBook] = []
        var pools: [SimulatedPool] = []
        var latency: [VenueId: Duration] = [:]
        for venue in served {
            let name = venue.spec.id.name
            let venueFacts = try facts.table(name)
            guard let knobs, knobs.has(name) else {
                throw venueFacts.error(nil, "served by the simulator, which needs its knobs under [sim.venues.\(name)]")
            }
            let venueKnobs = try knobs.table(name)
            latency[venue.spec.id] = .milliseconds(try venueKnobs.int("latency_ms", range: 0...600_000))
            switch venue.spec.kind {
            case .exchange:
                try venueKnobs.allowOnly(bookVenueKnobs.union(["markets"]))
                let markets = try knobsByPair(venueKnobs, "markets", facts: try venueFacts.table("markets"),
                                              listed: venue.markets, symbol: \.symbol, priced: priced)
                let funding = try fundingKnobs(venueKnobs, perpetual: markets.contains { $0.0.margin != nil })
                for (instrument, market) in markets {
                    try market.allowOnly(marketKnobs)
                    books.append(SimulatedBook(
                        venue: venue.spec, instrument: instrument,
                        catchUpRate: try venueKnobs.double("catch_up_rate", range: 0...1000),
                        noiseBps: try venueKnobs.double("noise_bps", range: 0...1000),
                        halfSpreadBps: try venueKnobs.double("half_spread_bps", range: 0...1000),
                        levels: try venueKnobs.int("levels", range: 1...500),
                        topQuantity: try market.double("top_quantity", range: 1e-12...1e15),
                        updatesPerSecond: try venueKnobs.double("updates_per_second", range: 0...100),
                        funding: instrument.margin == nil ? nil : funding))
                }
            case .dex(let chain):
                guard chains.contains(chain) else {
                    throw venueFacts.error("chain", "\(chain) is not one of the chains under [sim.chains], where the "
                                           + "simulator keeps its gas and blocks")
                }
                try venueKnobs.allowOnly(poolVenueKnobs.union(["pools"]))
                for (pool, knobs) in try knobsByPair(venueKnobs, "pools", facts: try venueFacts.table("pools"),
                                                     listed: venue.pools, symbol: \.instrument.symbol, priced: priced) {
                    pools.append(try simulatedPool(pool, knobs: knobs, venue: venue.spec))
                }
            }
        }
        return (books, pools, latency)
    }

    /// Each market or pool a venue lists (`table`: "markets" or "pools") with its knobs, in pair order, once every
    /// pair's assets are known to have a price.
    static func knobsByPair<Listed>(_ venueKnobs: ConfigReader, _ table: String, facts: ConfigReader,
                                    listed: [String: Listed], symbol: KeyPath<Listed, Symbol>, priced: Set<Asset>)
        throws -> [(listed: Listed, knobs: ConfigReader)] {
        let knobs = try venueKnobs.table(table)
        try knobs.allowOnly(Set(listed.keys))
        return try listed.sorted { $0.key < $1.key }.map { pair, fact in
            let symbol = fact[keyPath: symbol]
            let assets = [symbol.base, symbol.quote] + (symbol.settle.map { [$0] } ?? [])
            for asset in assets where !priced.contains(asset) {
                throw facts.error(pair, "\(asset) is not one of the assets under [sim.assets]")
            }
            return (fact, try knobs.table(pair))
        }
    }

    /// A pool's facts and how the simulator fills and moves it: its reserve (and a concentrated pool's range), the
    /// swaps of others, and how much of a gap outside arbitrageurs close.
    static func simulatedPool(_ pool: ConfiguredPool, knobs: ConfigReader, venue: VenueSpec) throws -> SimulatedPool {
        let kind: SimulatedPoolKind
        switch pool.curve {
        case .constantProduct(let feeBps):
            try knobs.allowOnly(poolKnobs.subtracting(["range_width"]))
            kind = .constantProduct(feeBps: feeBps)
        case .concentrated(let feePips):
            try knobs.allowOnly(poolKnobs)
            kind = .concentrated(feePips: feePips, rangeWidth: try knobs.double("range_width", range: 0.001...0.9))
        case .stableSwap(let amplification, let fee):
            try knobs.allowOnly(poolKnobs.subtracting(["range_width"]))
            kind = .stableSwap(amplification: amplification, fee: fee)
        }
        var simulated = SimulatedPool(
            venue: venue, instrument: pool.instrument, kind: kind, baseDecimals: pool.baseDecimals,
            quoteDecimals: pool.quoteDecimals, baseReserve: try knobs.double("base_reserve", range: 1e-9...1e15),
            gasUnits: pool.gasUnits, swapsPerSecond: try knobs.double("swaps_per_second", range: 0...100),
            arbitrageCatchUp: try knobs.double("arbitrage_catch_up", range: 0...1))
        simulated.address = pool.address
        return simulated
    }

    /// `[sim.faults]`: how a paper venue misbehaves with orders.
    static func parseFaults(_ sim: ConfigReader, venues: Set<VenueId>) throws -> [VenueId: PaperFault] {
        var faults: [VenueId: PaperFault] = [:]
        guard let table = try sim.optionalTable("faults") else { return faults }
        for venue in table.keys {
            guard venues.contains(VenueId(venue)) else { throw table.error(venue, "unknown venue \"\(venue)\"") }
            let text = try table.string(venue)
            let reason = text.dropFirst(6).trimmingCharacters(in: CharacterSet(charactersIn: ": "))
            if text == "timeout" {
                faults[VenueId(venue)] = .timeout
            } else if text.hasPrefix("reject") {
                faults[VenueId(venue)] = .reject(reason.isEmpty ? "rejected by the venue (fault injected)" : reason)
            } else if text.hasPrefix("fill:"), let fraction = FixedDecimal(String(text.dropFirst(5))),
                      fraction >= .zero, fraction < .one {
                faults[VenueId(venue)] = .fillFraction(fraction)
            } else {
                throw table.error(venue, "expected \"timeout\", \"reject: REASON\" or \"fill:0.5\", found \"\(text)\"")
            }
        }
        return faults
    }

    /// `[[sim.outages]]`: windows when venues' feeds go silent.
    static func parseOutages(_ sim: ConfigReader, venues: Set<VenueId>) throws -> [FeedOutage] {
        try sim.tables("outages").map { outage in
            try outage.allowOnly(["venues", "after_seconds", "for_seconds"])
            let listed = outage.has("venues") ? try outage.strings("venues").map { VenueId($0) } : []
            for venue in listed where !venues.contains(venue) {
                throw outage.error("venues", "unknown venue \"\(venue)\"; venues are "
                                   + venues.map(\.name).sorted().joined(separator: ", "))
            }
            return FeedOutage(venues: Set(listed), start: .seconds(try outage.double("after_seconds", range: 0...1e7)),
                              length: .seconds(try outage.double("for_seconds", range: 0...1e7)))
        }
    }

    /// `[[sim.shocks]]`: sudden moves of an asset's underlying price.
    static func parseShocks(_ sim: ConfigReader, assets: [SimulatedAsset]) throws -> [PriceShock] {
        try sim.tables("shocks").map { shock in
            try shock.allowOnly(["asset", "after_seconds", "move"])
            let asset = Asset(try shock.string("asset"))
            guard assets.contains(where: { $0.asset == asset }) else {
                throw shock.error("asset", "unknown asset \"\(asset)\"; assets are "
                                  + assets.map(\.asset.code).joined(separator: ", "))
            }
            return PriceShock(asset: asset, after: .seconds(try shock.double("after_seconds", range: 0...1e7)),
                              move: try shock.double("move", range: -0.99...10))
        }
    }
}
