#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BigInt
import DexterCore
import DexterMarket

/// The embedded market: an underlying price per asset, venues that follow it with lag and noise, noise traders
/// and arbitrageurs on pools, moving gas, and paper fills against the venues' state when an order arrives.
/// Time advances in fixed steps, so a seed always gives the same market whatever the caller's pacing.
public struct SimulatedMarket: Sendable {
    public static let step = Duration.milliseconds(10)

    public let universe: SimulatedUniverse
    /// The venues' true state; the desk sees it through the events this emits.
    public internal(set) var state: MarketState
    public private(set) var now: Timestamp
    private var random: SeededGenerator
    private var underlying: [Asset: Double]
    private var mids: [Int: Double] = [:]
    private var gasPrices: [ChainId: Double]
    /// Orders on their way, each a swap's gas price cap with it (see `submit`).
    var pending: [(arrival: Timestamp, order: OrderRequest, gasCap: FixedDecimal?)] = []
    private var nextGasUpdate: Timestamp
    private var nextBlock: [ChainId: Timestamp] = [:]
    private var bookSpecs: [Int: SimulatedBook] = [:]
    private var poolSpecs: [Int: SimulatedPool] = [:]

    private let opened: Timestamp
    /// The universe's shocks in time order, and how many have happened.
    private let shocks: [PriceShock]
    private var shocksApplied = 0
    private var seenClientOrderIds = Set<String>()
    /// When each perpetual book next publishes its funding quote (once a second of the market's clock).
    private var nextFundingQuote: Timestamp
    /// Where the paper venues remember what they executed, across restarts (nil: they forget).
    public var journal: PaperJournal?

    public init(universe: SimulatedUniverse, start: Timestamp) {
        self.universe = universe
        self.now = start
        self.opened = start
        self.shocks = universe.shocks.sorted { $0.after < $1.after }
        self.random = SeededGenerator(seed: universe.seed)
        self.underlying = Dictionary(uniqueKeysWithValues: universe.assets.map { ($0.asset, $0.priceUSD) })
        self.gasPrices = Dictionary(uniqueKeysWithValues: universe.chains.map { ($0.chain, $0.gasPrice) })
        self.nextGasUpdate = start
        self.nextFundingQuote = start
        for chain in universe.chains { nextBlock[chain.chain] = start.adding(chain.blockTime) }
        var state = MarketState()
        for book in universe.books {
            bookSpecs[state.markets.count] = book
            state.add(Market(venue: book.venue, instrument: book.instrument, liquidity: .book(OrderBook(bids: [], asks: []))))
        }
        for pool in universe.pools {
            poolSpecs[state.markets.count] = pool
            let liquidity = Self.makePool(pool, price: Self.fairPrice(pool.instrument.symbol, underlying))
            state.add(Market(venue: pool.venue, instrument: pool.instrument, liquidity: liquidity, gasUnits: pool.gasUnits))
        }
        for chain in universe.chains {
            state.apply(.gas(GasQuote(chain: chain.chain, token: chain.gasToken,
                                      price: FixedDecimal(approximating: chain.gasPrice).rounded(digits: 9), updatedAt: start)))
        }
        self.state = state
        for (index, _) in bookSpecs {
            mids[index] = Self.fairPrice(state.markets[index].key.symbol, underlying)
        }
    }

    /// Every market's current liquidity and every chain's gas, as a first snapshot.
    public mutating func snapshot() -> [MarketEvent] {
        var events: [MarketEvent] = []
        for index in state.markets.indices.sorted() {
            if bookSpecs[index] != nil { regenerateBook(index) }
            let market = state.markets[index]
            state.apply(.liquidity(market.key, state.markets[index].liquidity, venueTime: now, receivedAt: now))
            events.append(.liquidity(market.key, state.markets[index].liquidity, venueTime: now, receivedAt: now))
        }
        events += state.gas.values.sorted { $0.chain < $1.chain }.map { .gas($0) }
        return events
    }

    /// Queues a paper order; it reaches the venue after the venue's latency. A client order id the venue has seen
    /// before is ignored, as real venues do, so that a retry can never place an order twice.
    public mutating func submit(_ order: OrderRequest) {
        guard journal?.report(for: order.clientOrderId) == nil, seenClientOrderIds.insert(order.clientOrderId).inserted else { return }
        let latency = universe.latency[order.venue] ?? .milliseconds(50)
        // A swap is sent with an EIP-1559 fee cap of twice the gas price as it leaves: it never pays more, whatever
        // the gas does before it lands (a real chain would leave it waiting; the paper chain charges the cap).
        let chain = state.indexByKey[MarketKey(venue: order.venue, symbol: order.symbol)].flatMap { state.markets[$0].venue.kind.chain }
        let gasCap = chain.flatMap { state.gas[$0] }.map { $0.price * FixedDecimal(2) }
        pending.append((order.submittedAt.adding(latency), order, gasCap))
    }

    mutating func forget(_ clientOrderId: String) { seenClientOrderIds.remove(clientOrderId) }

    func pendingOrder(_ clientOrderId: String) -> OrderRequest? {
        pending.first { $0.order.clientOrderId == clientOrderId }?.order
    }

    /// Venues whose market data is cut off now by a configured outage.
    var silencedVenues: Set<VenueId> {
        guard !universe.outages.isEmpty else { return [] }
        let elapsed = now.duration(since: opened)
        return Set(state.venues.map(\.id).filter { venue in universe.outages.contains { $0.silences(venue, at: elapsed) } })
    }

    /// Runs the market up to `time` and returns what venues published and reported, in order.
    public mutating func advance(to time: Timestamp) -> [VenueEvent] {
        var events: [VenueEvent] = []
        let stepNanos = Self.step.nanosecondsClamped
        while now.nanoseconds + stepNanos <= time.nanoseconds {
            now = Timestamp(nanoseconds: now.nanoseconds + stepNanos)
            stepOnce(into: &events)
        }
        guard !universe.outages.isEmpty else { return events }
        let elapsed = now.duration(since: opened)
        return events.filter { event in
            guard case .market(.liquidity(let key, _, _, _)) = event else { return true }
            return !universe.outages.contains { $0.silences(key.venue, at: elapsed) }
        }
    }

    public var underlyingPrices: [Asset: Double] { underlying }
}

// MARK: - One step

extension SimulatedMarket {
    private mutating func stepOnce(into events: inout [VenueEvent]) {
        let dt = Self.step.secondsDouble
        moveUnderlying(dt: dt)
        for index in bookSpecs.keys.sorted() { stepBook(index, dt: dt, into: &events) }
        executeArrivedOrders(on: nil, into: &events)
        for chain in universe.chains {
            guard let due = nextBlock[chain.chain], now >= due else { continue }
            nextBlock[chain.chain] = due.adding(chain.blockTime)
            produceBlock(on: chain, into: &events)
        }
        if now >= nextGasUpdate { moveGas(into: &events) }
        if now >= nextFundingQuote { quoteFunding(into: &events) }
    }

    /// Each perpetual's next funding: its rate, the next multiple of its interval, and its mid as the mark. Draws
    /// nothing from the market's randomness, so a seed moves the books as it did before funding was quoted.
    private mutating func quoteFunding(into events: inout [VenueEvent]) {
        nextFundingQuote = now.adding(.seconds(1))
        for index in bookSpecs.keys.sorted() {
            guard let spec = bookSpecs[index], let funding = spec.funding, let mid = mids[index] else { continue }
            let interval = max(funding.interval.nanosecondsClamped, 1)
            let next = Timestamp(nanoseconds: (now.nanoseconds / interval + 1) * interval)
            let mark = FixedDecimal(approximating: mid).rounded(toMultipleOf: spec.instrument.tickSize, .nearestEven)
            events.append(.market(.funding(FundingQuote(market: state.markets[index].key, rate: funding.rate,
                                                        nextFundingTime: next, interval: funding.interval,
                                                        markPrice: mark, receivedAt: now))))
        }
    }

    private mutating func moveUnderlying(dt: Double) {
        let secondsPerYear = 365.25 * 86_400
        for spec in universe.assets {
            guard var price = underlying[spec.asset] else { continue }
            let sigma = spec.volatility * (dt / secondsPerYear).squareRoot()
            var logReturn = sigma * random.gaussian() - sigma * sigma / 2
            if spec.pegReversion > 0 { logReturn -= spec.pegReversion * dt * log(price / spec.priceUSD) }
            if random.chance(spec.jumpsPerHour / 3600 * dt) {
                // Heavy-tailed: most jumps are near the typical size, one in ten is over three times it.
                let size = min(0.1, spec.jumpSize * 0.5 * pow(1 / max(random.unit(), 1e-9), 0.6))
                logReturn += random.chance(0.5) ? size : -size
            }
            price *= exp(logReturn)
            underlying[spec.asset] = price
        }
        let elapsed = now.duration(since: opened)
        while shocksApplied < shocks.count, shocks[shocksApplied].after <= elapsed {
            let shock = shocks[shocksApplied]
            underlying[shock.asset] = underlying[shock.asset].map { $0 * (1 + shock.move) }
            shocksApplied += 1
        }
    }

    private mutating func stepBook(_ index: Int, dt: Double, into events: inout [VenueEvent]) {
        guard let spec = bookSpecs[index], var mid = mids[index] else { return }
        let fair = Self.fairPrice(spec.instrument.symbol, underlying)
        // The venue drifts toward the underlying at its own pace, with its own noise, and now and then a sweep
        // of its book knocks it off for a moment: most crosses are small and short-lived, a few are large.
        mid += min(1, spec.catchUpRate * dt) * (fair - mid)
        mid *= 1 + spec.noiseBps / 10_000 * dt.squareRoot() * random.gaussian()
        if random.chance(dt / 4) {
            // Sweep sizes are heavy-tailed (Pareto): a median of 6 bps, one in twenty-five past 20 bps, one in six
            // hundred past 1 %.
            let size = min(0.015, 0.0004 * pow(1 / max(random.unit(), 1e-9), 0.5))
            mid *= 1 + (random.chance(0.5) ? size : -size)
        }
        mids[index] = mid
        guard random.chance(spec.updatesPerSecond * dt) else { return }
        regenerateBook(index)
        publish(index, into: &events)
    }

    private mutating func regenerateBook(_ index: Int) {
        guard let spec = bookSpecs[index], let mid = mids[index] else { return }
        let tick = spec.instrument.tickSize
        let lot = spec.instrument.lotSize
        let halfSpread = max(spec.halfSpreadBps / 10_000 * mid, tick.doubleValue)
        let bestBid = FixedDecimal(approximating: mid - halfSpread).rounded(toMultipleOf: tick, .down)
        var bestAsk = FixedDecimal(approximating: mid + halfSpread).rounded(toMultipleOf: tick, .up)
        if bestAsk <= bestBid { bestAsk = bestBid + tick }
        let levelStep = FixedDecimal.max(tick, FixedDecimal(approximating: mid * 0.0001).rounded(toMultipleOf: tick, .up))
        var bids: [BookLevel] = []
        var asks: [BookLevel] = []
        for level in 0..<spec.levels {
            func quantity() -> FixedDecimal {
                let amount = spec.topQuantity * (1 + Double(level) * 0.6) * (0.4 + 1.2 * random.unit())
                return FixedDecimal.max(lot, FixedDecimal(approximating: amount).rounded(toMultipleOf: lot, .down))
            }
            bids.append(BookLevel(price: bestBid - levelStep * level, quantity: quantity()))
            asks.append(BookLevel(price: bestAsk + levelStep * level, quantity: quantity()))
        }
        let market = state.markets[index]
        state.apply(.liquidity(market.key, .book(OrderBook(bids: bids.filter { $0.price.isPositive }, asks: asks)),
                               venueTime: now, receivedAt: now))
    }

    /// A block on `chain`: other traders' swaps, then the desk's orders that reached the chain, then arbitrageurs
    /// pulling each pool part of the way back to the underlying when the gap beats the fee.
    private mutating func produceBlock(on chain: SimulatedChain, into events: inout [VenueEvent]) {
        let blockSeconds = chain.blockTime.secondsDouble
        let pools = poolSpecs.keys.sorted().filter { poolSpecs[$0]?.venue.kind.chain == chain.chain }
        for index in pools {
            guard let spec = poolSpecs[index] else { continue }
            var liquidity = state.markets[index].liquidity
            let scale = pow(10.0, Double(spec.baseDecimals))
            let expected = spec.swapsPerSecond * blockSeconds
            let swaps = Int(expected) + (random.chance(expected - Double(Int(expected))) ? 1 : 0)
            for _ in 0..<swaps {
                let size = spec.baseReserve * (0.00002 + 0.0004 * random.unit())
                _ = try? liquidity.swap(random.chance(0.5) ? .buy : .sell, baseUnits: BigUInt(size * scale))
            }
            state.apply(.liquidity(state.markets[index].key, liquidity, venueTime: now, receivedAt: now))
        }
        executeArrivedOrders(on: chain.chain, into: &events)
        for index in pools {
            guard let spec = poolSpecs[index] else { continue }
            var liquidity = state.markets[index].liquidity
            let scale = pow(10.0, Double(spec.baseDecimals))
            let fair = Self.fairPrice(spec.instrument.symbol, underlying)
            let screen = state.markets[index].screen
            if let spot = screen.curveSpot, abs(spot / fair - 1) > 1 - screen.curveGamma {
                let virtualBase = screen.curveBase
                let targetBase = virtualBase * (spot / fair).squareRoot()
                let delta = (targetBase - virtualBase) * spec.arbitrageCatchUp
                let units = BigUInt(abs(delta) * scale)
                if units > 0 { _ = try? liquidity.swap(delta > 0 ? .sell : .buy, baseUnits: units) }
            }
            state.apply(.liquidity(state.markets[index].key, liquidity, venueTime: now, receivedAt: now))
            publish(index, into: &events)
        }
    }

    private mutating func moveGas(into events: inout [VenueEvent]) {
        nextGasUpdate = now.adding(.seconds(1))
        for chain in universe.chains {
            guard var price = gasPrices[chain.chain] else { continue }
            price *= exp(chain.gasVolatility * random.gaussian() - 0.2 * log(price / chain.gasPrice))
            if random.chance(0.01) { price *= 2 + 2 * random.unit() }
            gasPrices[chain.chain] = price
            let quote = GasQuote(chain: chain.chain, token: chain.gasToken,
                                 price: FixedDecimal(approximating: price).rounded(digits: 9), updatedAt: now)
            state.apply(.gas(quote))
            events.append(.market(.gas(quote)))
        }
    }

    mutating func publish(_ index: Int, into events: inout [VenueEvent]) {
        let market = state.markets[index]
        events.append(.market(.liquidity(market.key, market.liquidity, venueTime: now, receivedAt: now)))
    }

    static func fairPrice(_ symbol: Symbol, _ prices: [Asset: Double]) -> Double {
        (prices[symbol.base] ?? 0) / max(prices[symbol.quote] ?? 1, 1e-12)
    }
}

/// What a venue publishes or reports.
public enum VenueEvent: Sendable {
    case market(MarketEvent)
    case execution(ExecutionReport)
}

extension LiquidityScreen {
    var curveSpot: Double? { if case .curve(let curve) = self { return curve.spotPrice }; return nil }
    var curveGamma: Double { if case .curve(let curve) = self { return curve.gamma }; return 1 }
    var curveBase: Double { if case .curve(let curve) = self { return curve.base }; return 0 }
}
