import DexterCore
import DexterMarket

/// Limits detection applies before proposing anything.
public struct DetectionPolicy: Sendable, Hashable {
    /// An opportunity must clear this, in USD, after every cost.
    public var minNetUSD: FixedDecimal
    /// Sizes are capped at this notional, in USD (the risk limit per trade, so proposals are approvable).
    public var maxNotionalUSD: FixedDecimal
    /// How long the desk expects to hold a perpetual leg: every funding its venue charges within it is priced into
    /// the opportunity at the venue's current rate (zero: funding is not priced).
    public var fundingHorizon: Duration
    /// Whether a spot pair and the linear perpetuals on it meet in one trade (a basis trade: buy spot and sell the
    /// perpetual, or the reverse), besides the crosses of one instrument between venues.
    public var spotPerpetual: Bool
    /// How far a swap's average price may move against the approved one before it reverts (0.005 = 0.5 %): a pool
    /// buy is sent, and held to what its wallet holds, at its cost × (1 + this).
    public var swapSlippageTolerance: FixedDecimal

    public init(minNetUSD: FixedDecimal = FixedDecimal(raw: FixedDecimal.unit / 100), maxNotionalUSD: FixedDecimal,
                fundingHorizon: Duration = .seconds(8 * 3_600), spotPerpetual: Bool = true,
                swapSlippageTolerance: FixedDecimal = .zero) {
        self.minNetUSD = minNetUSD
        self.maxNotionalUSD = maxNotionalUSD
        self.fundingHorizon = fundingHorizon
        self.spotPerpetual = spotPerpetual
        self.swapSlippageTolerance = swapSlippageTolerance
    }

    /// The most a spot buy may cost, as the desk holds it against the quote it has free before sending: a book
    /// order at its limit (the worst level it reaches) with the taker fee; a swap at its cost moved by the slippage
    /// tolerance. Never less than the estimate. Detection sizes to it, so what it proposes is what the pre-trade
    /// check allows.
    public func worstCost(of quote: LegQuote, on market: Market) -> FixedDecimal {
        let estimate = quote.cash
        let bound = market.liquidity.isPool ? estimate * (.one + swapSlippageTolerance)
            : quote.quantity * quote.worstPrice * (.one + market.venue.takerFee)
        return FixedDecimal.max(estimate, bound).rounded(digits: 8, .up)
    }
}

/// What one update changed in the opportunity set.
public struct DetectionChanges: Sendable {
    public var upserted: [Opportunity] = []
    public var removed: [UInt64] = []
    public var isEmpty: Bool { upserted.isEmpty && removed.isEmpty }
    public init() {}
}

/// Two-leg cross-venue arbitrage over books and pools, kept incrementally: an update re-evaluates only the
/// routes through the market it touched. A route keeps its opportunity id while it stays profitable, so the
/// screen can pin a selection to it.
public struct CrossVenueDetector: Sendable {
    public var policy: DetectionPolicy
    public private(set) var live: [RouteIndex: Opportunity] = [:]
    private var nextId: UInt64 = 1

    /// A route by market indices: (buy market, sell market).
    public struct RouteIndex: Sendable, Hashable {
        public let buy: Int
        public let sell: Int
    }

    public init(policy: DetectionPolicy) { self.policy = policy }

    public var opportunities: [Opportunity] { Array(live.values) }

    /// Re-evaluates every route through market `index`.
    public mutating func marketDidChange(_ index: Int, state: MarketState, inventory: Inventory, now: Timestamp)
        -> DetectionChanges {
        var changes = DetectionChanges()
        var values = USDValues()
        for peer in state.peers[index] {
            refreshBothWays(index, peer, state: state, inventory: inventory, now: now, into: &changes, values: &values)
        }
        if policy.spotPerpetual {
            for peer in state.basisPeers[index] {
                refreshBothWays(index, peer, state: state, inventory: inventory, now: now, into: &changes, values: &values)
            }
        }
        return changes
    }

    /// Re-evaluates every route through any of `indices` once, after they all changed at one instant (a replayed
    /// second's books): a route between two of them is priced once, on both new books.
    public mutating func marketsDidChange(_ indices: [Int], state: MarketState, inventory: Inventory, now: Timestamp)
        -> DetectionChanges {
        var changes = DetectionChanges()
        var values = USDValues()
        for (position, index) in indices.enumerated() {
            // A peer met earlier in `indices` has had every route through it refreshed already.
            for peer in state.peers[index] where !indices[..<position].contains(peer) {
                refreshBothWays(index, peer, state: state, inventory: inventory, now: now, into: &changes, values: &values)
            }
            guard policy.spotPerpetual else { continue }
            for peer in state.basisPeers[index] where !indices[..<position].contains(peer) {
                refreshBothWays(index, peer, state: state, inventory: inventory, now: now, into: &changes, values: &values)
            }
        }
        return changes
    }

    /// Re-evaluates every route with a leg on `chain` (after its gas price moved).
    public mutating func gasDidChange(on chain: ChainId, state: MarketState, inventory: Inventory, now: Timestamp)
        -> DetectionChanges {
        var changes = DetectionChanges()
        for (index, market) in state.markets.enumerated() where market.venue.kind.chain == chain {
            for peer in routePeers(of: index, in: state) {
                refresh(RouteIndex(buy: index, sell: peer), state: state, inventory: inventory, now: now, into: &changes)
                if state.markets[peer].venue.kind.chain != chain {
                    refresh(RouteIndex(buy: peer, sell: index), state: state, inventory: inventory, now: now, into: &changes)
                }
            }
        }
        return changes
    }

    /// Re-evaluates every route (after inventory moved, or the policy changed).
    public mutating func reevaluateAll(state: MarketState, inventory: Inventory, now: Timestamp) -> DetectionChanges {
        var changes = DetectionChanges()
        for buy in state.markets.indices {
            for sell in routePeers(of: buy, in: state) {
                refresh(RouteIndex(buy: buy, sell: sell), state: state, inventory: inventory, now: now, into: &changes)
            }
        }
        return changes
    }

    /// The markets a route from `index` may end on: the same instrument elsewhere, and the other instrument of its
    /// underlying when the policy pairs spot with perpetuals.
    private func routePeers(of index: Int, in state: MarketState) -> [Int] {
        policy.spotPerpetual ? state.peers[index] + state.basisPeers[index] : state.peers[index]
    }

    private mutating func refreshBothWays(_ index: Int, _ peer: Int, state: MarketState, inventory: Inventory,
                                          now: Timestamp, into changes: inout DetectionChanges, values: inout USDValues) {
        refresh(RouteIndex(buy: index, sell: peer), state: state, inventory: inventory, now: now, into: &changes, values: &values)
        refresh(RouteIndex(buy: peer, sell: index), state: state, inventory: inventory, now: now, into: &changes, values: &values)
    }

    /// Drops opportunities whose quotes have gone past their staleness bound.
    public mutating func expire(at now: Timestamp) -> [UInt64] {
        // Called on every message by replay: nothing to allocate when nothing is live or due.
        guard !live.isEmpty, live.values.contains(where: { $0.isExpired(at: now) }) else { return [] }
        let expired = live.filter { $0.value.isExpired(at: now) }
        for key in expired.keys { live[key] = nil }
        return expired.values.map(\.id)
    }

    private mutating func refresh(_ route: RouteIndex, state: MarketState, inventory: Inventory, now: Timestamp,
                                  into changes: inout DetectionChanges) {
        var values = USDValues()
        refresh(route, state: state, inventory: inventory, now: now, into: &changes, values: &values)
    }

    private mutating func refresh(_ route: RouteIndex, state: MarketState, inventory: Inventory, now: Timestamp,
                                  into changes: inout DetectionChanges, values: inout USDValues) {
        let existing = live[route]
        if let found = Self.evaluate(buy: route.buy, sell: route.sell, state: state, inventory: inventory,
                                     policy: policy, now: now, id: existing?.id ?? nextId, values: &values) {
            if existing == nil { nextId += 1 }
            if found != existing {
                live[route] = found
                changes.upserted.append(found)
            }
        } else if let existing {
            live[route] = nil
            changes.removed.append(existing.id)
        }
    }

    /// Prices one route exactly on the market as it is, or nil when it does not clear the policy after all costs.
    public static func evaluate(buy buyIndex: Int, sell sellIndex: Int, state: MarketState, inventory: Inventory,
                                policy: DetectionPolicy, now: Timestamp, id: UInt64) -> Opportunity? {
        var values = USDValues()
        return evaluate(buy: buyIndex, sell: sellIndex, state: state, inventory: inventory, policy: policy, now: now,
                        id: id, values: &values)
    }

    /// USD values looked up once per update: every route an update re-prices values the same quote asset.
    struct USDValues {
        private var known: [Asset: Double?] = [:]
        mutating func of(_ asset: Asset, in state: MarketState) -> Double? {
            if let cached = known[asset] { return cached }
            let value = state.usdValue(of: asset)
            known[asset] = value
            return value
        }
    }

    static func evaluate(buy buyIndex: Int, sell sellIndex: Int, state: MarketState, inventory: Inventory,
                         policy: DetectionPolicy, now: Timestamp, id: UInt64, values: inout USDValues) -> Opportunity? {
        let buyMarket = state.markets[buyIndex]
        let sellMarket = state.markets[sellIndex]
        let buy = buyMarket.screen
        let sell = sellMarket.screen
        // The common case is no cross at all: one comparison of the top prices, fees included.
        guard sell.topSellPrice > buy.topBuyPrice else { return nil }
        guard let quoteUSD = values.of(buyMarket.key.symbol.quote, in: state), quoteUSD > 0 else { return nil }
        return priceCross(buyMarket: buyMarket, sellMarket: sellMarket, state: state, inventory: inventory,
                          policy: policy, now: now, id: id, quoteUSD: quoteUSD)
    }

    private static func priceCross(buyMarket: Market, sellMarket: Market, state: MarketState, inventory: Inventory,
                                   policy: DetectionPolicy, now: Timestamp, id: UInt64, quoteUSD: Double) -> Opportunity? {
        // One instrument on both legs, or a spot pair against a linear perpetual on it (same base and quote).
        let buySymbol = buyMarket.key.symbol, sellSymbol = sellMarket.key.symbol
        let buy = buyMarket.screen
        let sell = sellMarket.screen

        // Bounds: depth on both sides, base held where we sell, quote held where we buy, the notional cap. A
        // perpetual sells or buys on margin: what closes its position plus what free collateral opens.
        let baseHeld = sellMarket.instrument.margin.map {
            inventory.perpetualCapacity(sellSymbol, side: .sell, at: sellMarket.venue.account, price: sell.topSellPriceBeforeFee, terms: $0,
                                        feeRate: sellMarket.venue.takerFee.doubleValue)
        } ?? inventory.available(sellSymbol.base, at: sellMarket.venue.account).doubleValue
        let quoteBudget = buyMarket.instrument.margin.map {
            FixedDecimal(approximating: inventory.perpetualCapacity(buySymbol, side: .buy, at: buyMarket.venue.account,
                                                                    price: buy.topBuyPriceBeforeFee, terms: $0,
                                                                    feeRate: buyMarket.venue.takerFee.doubleValue)
                         * buy.topBuyPriceBeforeFee)
        } ?? inventory.available(buySymbol.quote, at: buyMarket.venue.account)
        let quoteHeld = quoteBudget.doubleValue
        let notionalCap = policy.maxNotionalUSD.doubleValue / quoteUSD
        var upper = min(buy.maxBuyQuantity, sell.maxSellQuantity, baseHeld, notionalCap / buy.topBuyPriceBeforeFee)
        guard upper > 0, upper.isFinite else { return nil }
        // Sizes are whole lots of the coarser venue; the optimum on a lot grid is next to the continuous one.
        let lot = FixedDecimal.max(buyMarket.instrument.lotSize, sellMarket.instrument.lotSize)
        let resolution = lot.doubleValue
        // The buy leg's cost, fee included, bounds its notional: keep it within both the quote held and the cap. A
        // swap is held to its cost moved by the slippage tolerance.
        let heldForCost = buyMarket.liquidity.isPool && buyMarket.instrument.margin == nil
            ? quoteHeld / (1 + policy.swapSlippageTolerance.doubleValue) : quoteHeld
        upper = Sizing.quantity(affordableWith: min(heldForCost, notionalCap) * 0.999_999, on: buy, upTo: upper,
                                resolution: resolution)
        let best = Sizing.bestQuantity(buy: buy, sell: sell, upperBound: upper, resolution: resolution)

        let nearest = FixedDecimal(approximating: best).rounded(toMultipleOf: lot, .nearestEven)
        let ceiling = FixedDecimal(approximating: upper).rounded(toMultipleOf: lot, .down)
        // No leg below either venue's minimum order quantity: the least size both take, on the lot grid.
        let floor = FixedDecimal.max(buyMarket.instrument.minQuantity, sellMarket.instrument.minQuantity)
            .rounded(toMultipleOf: lot, .up)
        var candidates = [nearest - lot, nearest, nearest + lot].filter { $0.isPositive && $0 >= floor && $0 <= ceiling }
        if candidates.isEmpty, ceiling.isPositive, ceiling >= floor {
            // Net profit is concave in size: past the bounds, the nearest size within them is the best.
            candidates = [FixedDecimal.min(ceiling, FixedDecimal.max(floor, nearest))]
        }
        // A spot buy is held to its worst cost: where that outgrows the quote held (a book swept to a dearer level
        // than its average), the largest size within it on the lot grid.
        if buyMarket.instrument.margin == nil, let largest = candidates.max(),
           let quote = try? buyMarket.quote(.buy, quantity: largest), policy.worstCost(of: quote, on: buyMarket) > quoteBudget {
            candidates = candidates.filter { $0 < largest }
                + [Self.largestAffordable(on: buyMarket, policy: policy, budget: quoteBudget, lot: lot, floor: floor,
                                          below: largest)].compactMap { $0 }
        }

        let gas = gasCosts(buyMarket, sellMarket, state: state, quote: buySymbol.quote)
        guard let gas else { return nil }
        let buyFunding = fundingRate(buyMarket, state: state, policy: policy, now: now)
        let sellFunding = fundingRate(sellMarket, state: state, policy: policy, now: now)
        var bestOpportunity: Opportunity?
        for quantity in candidates {
            guard let buyQuote = try? buyMarket.quote(.buy, quantity: quantity),
                  let sellQuote = try? sellMarket.quote(.sell, quantity: buyQuote.quantity),
                  buyQuote.cash <= quoteBudget, buyQuote.quantity >= floor,
                  buyMarket.instrument.margin != nil || policy.worstCost(of: buyQuote, on: buyMarket) <= quoteBudget,
                  buyQuote.notional >= buyMarket.instrument.minNotional,
                  sellQuote.notional >= sellMarket.instrument.minNotional else { continue }
            // Expected funding, in quote: the long leg pays what its rates add up to, the short leg receives them.
            let funding = (buyQuote.quantity * (buyFunding.markPrice * buyFunding.rate - sellFunding.markPrice * sellFunding.rate))
                .rounded(digits: 8, .up)
            let net = sellQuote.cash - buyQuote.cash - gas.total - funding
            guard net.isPositive, net > (bestOpportunity?.net ?? .zero) else { continue }
            let expiry = min(buyMarket.receivedAt.adding(buyMarket.venue.stalenessBound),
                             sellMarket.receivedAt.adding(sellMarket.venue.stalenessBound))
            let gross = buyQuote.quantity * (sellQuote.topPrice - buyQuote.topPrice)
            bestOpportunity = Opportunity(
                id: id,
                buy: OpportunityLeg(venue: buyMarket.key.venue, side: .buy, symbol: buySymbol, quote: buyQuote,
                                    gas: gas.buyGas, gasToken: gas.buyToken, venueTime: buyMarket.venueTime,
                                    receivedAt: buyMarket.receivedAt),
                sell: OpportunityLeg(venue: sellMarket.key.venue, side: .sell, symbol: sellSymbol, quote: sellQuote,
                                     gas: gas.sellGas, gasToken: gas.sellToken, venueTime: sellMarket.venueTime,
                                     receivedAt: sellMarket.receivedAt),
                gross: gross, fees: buyQuote.fee + sellQuote.fee, gasCost: gas.total, funding: funding, net: net,
                netUSD: (net * FixedDecimal(approximating: quoteUSD)).rounded(digits: 8),
                detectedAt: now, expiresAt: expiry)
        }
        guard let found = bestOpportunity, found.netUSD >= policy.minNetUSD, !found.isExpired(at: now) else { return nil }
        return found
    }

    /// The largest buy on the lot grid, from `floor` up to below `limit`, whose worst cost fits `budget` (a worst cost
    /// only grows with size); nil when not even `floor` does.
    static func largestAffordable(on market: Market, policy: DetectionPolicy, budget: FixedDecimal, lot: FixedDecimal,
                                  floor: FixedDecimal, below limit: FixedDecimal) -> FixedDecimal? {
        func fits(_ quantity: FixedDecimal) -> Bool {
            guard let quote = try? market.quote(.buy, quantity: quantity) else { return false }
            return policy.worstCost(of: quote, on: market) <= budget
        }
        let lowest = FixedDecimal.max(floor, lot)
        guard lowest < limit, fits(lowest) else { return nil }
        // Lots, not amounts: a binary search over whole lots between the two.
        var low = lowest / lot, high = (limit / lot).rounded(digits: 0, .down)
        if low.rounded(digits: 0, .up) != low { low = low.rounded(digits: 0, .up) }
        while high - low > .one {
            let middle = ((low + high) / FixedDecimal(2)).rounded(digits: 0, .down)
            if fits(middle * lot) { low = middle } else { high = middle }
        }
        return low * lot
    }

    /// A perpetual leg's funding over the policy's horizon: the venue's current rate times the number of fundings
    /// that fall in it, and the mark it is charged on (zero for spot, a pool, or a perpetual with no quote yet).
    static func fundingRate(_ market: Market, state: MarketState, policy: DetectionPolicy, now: Timestamp)
        -> (rate: FixedDecimal, markPrice: FixedDecimal) {
        guard market.instrument.margin != nil, let quote = state.funding[market.key] else { return (.zero, .zero) }
        let count = quote.fundings(from: now, within: policy.fundingHorizon)
        return count == 0 ? (.zero, .zero) : (quote.rate * FixedDecimal(count), quote.markPrice)
    }

    struct GasCosts {
        var buyGas: FixedDecimal, buyToken: Asset?, sellGas: FixedDecimal, sellToken: Asset?, total: FixedDecimal
    }

    /// Gas of each leg in its gas token, and their sum valued in `quote` (units × price × gas token price).
    static func gasCosts(_ buy: Market, _ sell: Market, state: MarketState, quote: Asset) -> GasCosts? {
        func legGas(_ market: Market) -> (FixedDecimal, Asset?, FixedDecimal)? {
            guard let chain = market.venue.kind.chain else { return (.zero, nil, .zero) }
            guard let gasQuote = state.gas[chain],
                  let tokenPrice = state.referencePrice(of: gasQuote.token, in: quote) else { return nil }
            let spent = gasQuote.cost(units: market.gasUnits)
            return (spent, gasQuote.token, (spent * FixedDecimal(approximating: tokenPrice)).rounded(digits: 8, .up))
        }
        guard let buyGas = legGas(buy), let sellGas = legGas(sell) else { return nil }
        return GasCosts(buyGas: buyGas.0, buyToken: buyGas.1, sellGas: sellGas.0, sellToken: sellGas.1,
                        total: buyGas.2 + sellGas.2)
    }
}
