import DexterCore
import DexterMarket
import Foundation

/// Cyclic arbitrage on the live market: triangular and longer cycles (3 to `maxLegs` trades; two-leg cycles are
/// the cross-venue detector's), within a venue and across venues. Each asset is a node; each direction of each
/// symbol is an edge carrying the best fee-inclusive rate any market offers for it. After a market changes, only
/// its symbol's two edges are re-priced and only the cycles through them searched (`CycleFinder.cycles(through:)`);
/// profitable ones are sized exactly along their legs, and the best few that share no market are reported.
public struct CycleDetector: Sendable {
    public var policy: DetectionPolicy
    public let maxLegs: Int
    /// How many non-overlapping cycles are reported.
    public let keep: Int
    /// Every profitable sized cycle by its markets, and the best non-overlapping few of them.
    private var found: [[Int]: CycleOpportunity] = [:]
    public private(set) var best: [CycleOpportunity] = []
    private var ids: [[Int]: UInt64] = [:]
    private var nextId: UInt64 = 1
    private var assets: [Asset] = []
    private var assetIndex: [Asset: Int] = [:]
    private var graph = RateGraph(assetCount: 0)
    /// The market giving each edge its rate, and whether crossing the edge sells or buys that market's base, by
    /// from × count + to.
    private var edgeMarkets: [Int: [(market: Int, side: Side)]] = [:]

    public init(policy: DetectionPolicy, maxLegs: Int = 4, keep: Int = 5) {
        precondition((3...5).contains(maxLegs), "cycles of 3 to 5 legs")
        self.policy = policy
        self.maxLegs = maxLegs
        self.keep = keep
    }

    /// Re-prices every edge and searches every cycle (at start, or when markets were added).
    public mutating func rebuild(state: MarketState, inventory: Inventory, now: Timestamp) -> Bool {
        assets = Array(Set(state.markets.flatMap { [$0.key.symbol.base, $0.key.symbol.quote] })).sorted()
        assetIndex = Dictionary(uniqueKeysWithValues: assets.enumerated().map { ($1, $0) })
        graph = RateGraph(assetCount: assets.count)
        edgeMarkets = [:]
        for symbol in state.indicesBySymbol.keys.sorted() { reprice(symbol, state: state) }
        found = [:]
        var candidates: [[(market: Int, side: Side)]] = []
        for cycle in CycleFinder.allCycles(in: graph, maxLegs: maxLegs) where cycle.legs >= 3 {
            candidates += legs(of: cycle)
        }
        return settle(candidates, state: state, inventory: inventory, now: now)
    }

    /// `cycle` sized again on the market as it is now, through the same markets in the same order, under the same
    /// id: what an approval confirms. Nil when a market is gone or the cycle no longer pays.
    public static func reprice(_ cycle: CycleOpportunity, state: MarketState, inventory: Inventory,
                               policy: DetectionPolicy, now: Timestamp) -> CycleOpportunity? {
        var legs: [(market: Int, side: Side)] = []
        for leg in cycle.legs {
            guard let index = state.indexByKey[MarketKey(venue: leg.venue, symbol: leg.symbol)] else { return nil }
            legs.append((index, leg.side))
        }
        guard let sized = CycleSizing.size(legs, state: state, inventory: inventory, policy: policy, now: now),
              sized.netUSD >= policy.minNetUSD else { return nil }
        return sized.withIdentity(cycle.id)
    }

    /// After market `index` changed: its symbol's edges, the cycles through them, and the known cycles using it.
    /// True when the reported set changed.
    public mutating func marketDidChange(_ index: Int, state: MarketState, inventory: Inventory, now: Timestamp) -> Bool {
        marketsDidChange([index], state: state, inventory: inventory, now: now)
    }

    /// The same for a batch of changed markets, each symbol searched once: how a feed that updates faster than
    /// anyone reads cycles keeps the work to one pass per batch.
    public mutating func marketsDidChange(_ indices: [Int], state: MarketState, inventory: Inventory, now: Timestamp)
        -> Bool {
        // A perpetual delivers no coin, so it is no edge of the conversion graph.
        let symbols = Set(indices.map { state.markets[$0].key.symbol }.filter(\.isSpot))
        guard !symbols.isEmpty else { return false }
        var candidates: [[(market: Int, side: Side)]] = []
        for symbol in symbols.sorted() {
            guard let base = assetIndex[symbol.base], let quote = assetIndex[symbol.quote] else {
                return rebuild(state: state, inventory: inventory, now: now)
            }
            reprice(symbol, state: state)
            for edge in [(base, quote), (quote, base)] {
                for cycle in CycleFinder.cycles(through: edge, in: graph, maxLegs: maxLegs) where cycle.legs >= 3 {
                    candidates += legs(of: cycle)
                }
            }
        }
        // Known cycles through these symbols are found again from their assets with the markets as now ranked:
        // they may have stopped paying, or moved to another market.
        let touched = found.filter { entry in entry.value.legs.contains { symbols.contains($0.symbol) } }
        for key in touched.keys { found[key] = nil }
        // In key order: ids are handed out in the order cycles are settled, so a seed always numbers them alike.
        for cycle in touched.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }).map(\.value) {
            let path = cycle.legs.compactMap { assetIndex[$0.from] }
            guard path.count == cycle.legs.count else { continue }
            candidates += legs(of: Cycle(assets: path, product: 1))
        }
        return settle(candidates, state: state, inventory: inventory, now: now)
    }

    /// Drops cycles with a leg past its staleness bound; true when the reported set changed.
    public mutating func expire(at now: Timestamp) -> Bool {
        guard found.values.contains(where: { $0.isExpired(at: now) }) else { return false }
        found = found.filter { !$0.value.isExpired(at: now) }
        return choose()
    }

    /// Sets the best rate of both directions of `symbol` across its markets, and keeps the markets ranked.
    private mutating func reprice(_ symbol: Symbol, state: MarketState) {
        guard symbol.isSpot, let base = assetIndex[symbol.base], let quote = assetIndex[symbol.quote] else { return }
        var sells: [(rate: Double, market: Int)] = []
        var buys: [(rate: Double, market: Int)] = []
        for index in state.indicesBySymbol[symbol] ?? [] {
            let screen = state.markets[index].screen
            let sell = screen.topSellPrice
            if sell > 0, sell.isFinite { sells.append((sell, index)) }
            let buyPrice = screen.topBuyPrice
            if buyPrice > 0, buyPrice.isFinite { buys.append((1 / buyPrice, index)) }
        }
        sells.sort { $0.rate > $1.rate }
        buys.sort { $0.rate > $1.rate }
        graph.setRate(from: base, to: quote, sells.first?.rate)
        graph.setRate(from: quote, to: base, buys.first?.rate)
        edgeMarkets[base * assets.count + quote] = sells.map { ($0.market, .sell) }
        edgeMarkets[quote * assets.count + base] = buys.map { ($0.market, .buy) }
    }

    /// A cycle of assets as trades: for each edge the best market and whether it sells or buys its base; then
    /// the same cycle with one leg on its edge's next-best market, so that two cycles wanting the same market can
    /// both be reported, one of them on another venue.
    private func legs(of cycle: Cycle) -> [[(market: Int, side: Side)]] {
        var ranked: [[(market: Int, side: Side)]] = []
        for (from, to) in cycle.edges {
            guard let markets = edgeMarkets[from * assets.count + to], !markets.isEmpty else { return [] }
            ranked.append(markets)
        }
        let best = ranked.map { $0[0] }
        var variants = [best]
        for (leg, markets) in ranked.enumerated() where markets.count > 1 {
            var variant = best
            variant[leg] = markets[1]
            variants.append(variant)
        }
        return variants
    }

    /// Sizes every candidate that pays at the top of the books, keeps the profitable, and re-chooses the best few.
    private mutating func settle(_ candidates: [[(market: Int, side: Side)]], state: MarketState, inventory: Inventory,
                                 now: Timestamp) -> Bool {
        var seen = Set<[Int]>()
        for legs in candidates {
            let key = legs.map(\.market).sorted()
            guard seen.insert(key).inserted else { continue }
            // Worth sizing only if the top-of-book rates multiply past one (depth only makes it worse).
            guard Self.topProduct(legs, state: state) > 1 else {
                found[key] = nil
                continue
            }
            // Start from a dollar stablecoin where the cycle has one (what a desk holds most of), else the first leg.
            let rotation = legs.firstIndex { leg in
                let symbol = state.markets[leg.market].key.symbol
                return MarketState.dollarPegs.contains(leg.side == .sell ? symbol.base : symbol.quote)
            } ?? 0
            let rotated = Array(legs[rotation...] + legs[..<rotation])
            let bestSized = CycleSizing.size(rotated, state: state, inventory: inventory, policy: policy, now: now)
            if let bestSized, bestSized.netUSD >= policy.minNetUSD {
                let id = ids[key] ?? nextId
                if ids[key] == nil {
                    ids[key] = id
                    nextId += 1
                }
                found[key] = bestSized.withIdentity(id)
            } else {
                found[key] = nil
            }
        }
        return choose()
    }

    /// The product of the legs' top-of-book rates, fees included.
    static func topProduct(_ legs: [(market: Int, side: Side)], state: MarketState) -> Double {
        legs.reduce(1.0) { product, leg in
            let screen = state.markets[leg.market].screen
            return product * (leg.side == .sell ? screen.topSellPrice : 1 / screen.topBuyPrice)
        }
    }

    /// The best `keep` cycles by net USD that share no market.
    private mutating func choose() -> Bool {
        var used = Set<Int>()
        var chosen: [CycleOpportunity] = []
        // Ties go to the route's name, so the choice does not depend on the order cycles were found in.
        for (key, cycle) in found.sorted(by: { ($0.value.netUSD, $1.value.route) > ($1.value.netUSD, $0.value.route) })
        where chosen.count < keep {
            guard key.allSatisfy({ !used.contains($0) }) else { continue }
            used.formUnion(key)
            chosen.append(cycle)
        }
        defer { best = chosen }
        return chosen != best
    }
}
