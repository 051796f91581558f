import DexterCore
import DexterDetect
import DexterMarket
import DexterVenues

/// The market half of the flow: venues publish (through the inbox), the market state applies, the detector
/// re-evaluates what was touched. Used by the interactive engine and by headless scanning alike.
public struct MarketPipeline: Sendable {
    /// How long past its staleness bound an opportunity is still shown (as stale) before it is dropped.
    public static let staleGrace: Duration = .seconds(10)

    public private(set) var state: MarketState
    public private(set) var detector: CrossVenueDetector
    /// Triangular and longer cycles, kept beside the two-leg routes.
    public private(set) var cycles: CycleDetector
    /// True when the reported cycles changed since the last `takeCyclesChanged()`.
    public private(set) var cyclesChanged = false
    /// Markets changed since cycles were last brought up to date (once per advance).
    private var cycleDirty: [Int] = []
    public var inventory: Inventory
    public private(set) var now: Timestamp
    /// Market updates applied so far, for feed health.
    public private(set) var updateCount: UInt64 = 0
    /// The newest update time per venue: a book, or a perpetual's funding quote (which a venue sends every second or
    /// so however quiet its book, so a live stream on a still market is not taken for a lost feed).
    public private(set) var lastUpdate: [VenueId: Timestamp] = [:]

    /// Starts from the venues' instruments as they describe them, each with its first liquidity, and the gas on
    /// every chain.
    public init(markets: [Market], gas: [GasQuote], policy: DetectionPolicy, inventory: Inventory, start: Timestamp) {
        var state = MarketState()
        for market in markets { state.add(market) }
        self.state = state
        self.detector = CrossVenueDetector(policy: policy)
        self.cycles = CycleDetector(policy: policy, maxLegs: 5)
        self.inventory = inventory
        self.now = start
        // Every market changes at once: every route is priced on the opening state.
        _ = apply(markets.map { .liquidity($0.key, $0.liquidity, venueTime: $0.venueTime, receivedAt: $0.receivedAt) }
                  + gas.map { .gas($0) }, at: start)
        cyclesChanged = cycles.rebuild(state: state, inventory: inventory, now: start)
    }

    /// Folds what the venues published (one drained batch) into the state and the opportunity set, as of `time`.
    /// Every event is applied before anything is priced: a batch may hold the books of one instant at several venues
    /// (a recording's second), and a route priced between two of them would pair one venue's new book with another's
    /// old one, a cross that never existed. Then the routes through each changed market are priced once.
    public mutating func apply(_ events: [MarketEvent], at time: Timestamp) -> DetectionChanges {
        var output = DetectionChanges()
        var touched: [UInt64] = []
        var removed: [UInt64] = []
        var changedMarkets: [Int] = []
        var changedChains: [GasQuote] = []
        for event in events {
            switch event {
            case .liquidity(let key, _, _, let receivedAt):
                guard let index = state.apply(event) else { continue }
                updateCount += 1
                lastUpdate[key.venue] = receivedAt
                cycleDirty.append(index)
                // The inbox hands each market over once a batch; a batch built otherwise may repeat one.
                if changedMarkets.last != index { changedMarkets.append(index) }
            case .gas(let quote):
                state.apply(event)
                changedChains.append(quote)
            case .funding(let quote):
                // A new rate or funding time moves the expected funding of every route through the perpetual.
                guard let index = state.apply(event) else { continue }
                lastUpdate[quote.market.venue] = max(lastUpdate[quote.market.venue] ?? .zero, quote.receivedAt)
                if changedMarkets.last != index { changedMarkets.append(index) }
            case .gasUnits:
                // The pool's gas cost moved: every route through it is priced again, as after a new price.
                guard let index = state.apply(event) else { continue }
                cycleDirty.append(index)
                if changedMarkets.last != index { changedMarkets.append(index) }
            case .indication:
                // A reference price source only: nothing is detected on it, nothing re-priced.
                state.apply(event)
            }
        }
        for quote in changedChains {
            // Gas moves every cycle's cost on that chain: re-size them all (cycles are few).
            if cycles.rebuild(state: state, inventory: inventory, now: quote.updatedAt) { cyclesChanged = true }
            let changes = detector.gasDidChange(on: quote.chain, state: state, inventory: inventory, now: quote.updatedAt)
            touched += changes.upserted.map(\.id)
            removed += changes.removed
        }
        if !changedMarkets.isEmpty {
            let changes = detector.marketsDidChange(changedMarkets, state: state, inventory: inventory, now: time)
            touched += changes.upserted.map(\.id)
            removed += changes.removed
        }
        now = time
        if !cycleDirty.isEmpty {
            if cycles.marketsDidChange(cycleDirty, state: state, inventory: inventory, now: time) { cyclesChanged = true }
            cycleDirty.removeAll(keepingCapacity: true)
        }
        // A stale opportunity stays on screen (dimmed, not tradable) for a while, so the trader sees what went stale.
        removed += detector.expire(at: time.adding(.zero - Self.staleGrace))
        if cycles.expire(at: time) { cyclesChanged = true }
        guard !touched.isEmpty || !removed.isEmpty else { return output }
        // Net the batch: an opportunity upserted and then closed within it is reported closed, once.
        let live = Dictionary(detector.opportunities.map { ($0.id, $0) }) { first, _ in first }
        var reported = Set<UInt64>()
        output.upserted = touched.compactMap { id in reported.insert(id).inserted ? live[id] : nil }
        output.removed = Array(Set(removed).filter { live[$0] == nil }).sorted()
        return output
    }

    /// After inventory moved, every route is re-sized against it.
    public mutating func inventoryDidChange() -> DetectionChanges {
        if cycles.rebuild(state: state, inventory: inventory, now: now) { cyclesChanged = true }
        return detector.reevaluateAll(state: state, inventory: inventory, now: now)
    }

    /// Sizes proposals within a new notional cap from the next update on (a limit changed at the desk).
    public mutating func setMaxNotional(_ usd: FixedDecimal) {
        detector.policy.maxNotionalUSD = usd
        cycles.policy.maxNotionalUSD = usd
        _ = inventoryDidChange()
    }

    /// Whether the reported cycles changed since the last call.
    public mutating func takeCyclesChanged() -> Bool {
        defer { cyclesChanged = false }
        return cyclesChanged
    }

    /// The route's opportunity priced afresh on the market as it is now, keeping its id; nil if it is gone.
    public func reprice(_ opportunity: Opportunity) -> Opportunity? {
        guard let buy = state.indexByKey[MarketKey(venue: opportunity.buy.venue, symbol: opportunity.buy.symbol)],
              let sell = state.indexByKey[MarketKey(venue: opportunity.sell.venue, symbol: opportunity.sell.symbol)] else {
            return nil
        }
        return CrossVenueDetector.evaluate(buy: buy, sell: sell, state: state, inventory: inventory,
                                           policy: detector.policy, now: now, id: opportunity.id)
    }

    public var opportunities: [Opportunity] { detector.opportunities }
}
