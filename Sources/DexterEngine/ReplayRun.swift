import DexterCore
import DexterDetect
import DexterMarket
import DexterVenues

/// Recorded markets through the same detector the desk runs, read as the replay venue reads them
/// (`RecordedMarkets`). Messages of one instant (one receive time) all update the market state first; then the
/// routes through every market they touched are re-evaluated once, at that time. Detecting between them would price
/// one venue's new book against another's book of the instant before, a cross that never existed. Balances are
/// taken as unlimited, so what is found is what the recorded depth offered. The report's fast path: the desk on a
/// recording (`ReplayVenue` behind the engine) finds the same, with orders, risk and a ledger around it.
public struct ReplayRun: Sendable {
    public private(set) var recording: RecordedMarkets
    public private(set) var detector: CrossVenueDetector
    public private(set) var summary = ReplaySummary()
    private var inventory = Inventory()
    private var live: [UInt64: Opportunity] = [:]
    /// Markets the current instant's messages changed so far, each once, in the order first touched.
    private var touched: [Int] = []

    public enum Event: Sendable {
        case opened(Opportunity, at: Timestamp)
        case updated(Opportunity, at: Timestamp)
        case closed(Opportunity, at: Timestamp)
    }

    public init(feed: ReplayFeed, policy: DetectionPolicy) {
        self.recording = RecordedMarkets(feed: feed)
        self.detector = CrossVenueDetector(policy: policy)
    }

    public var feed: ReplayFeed { recording.feed }
    public var state: MarketState { recording.state }

    /// Replays up to `limit` messages, handing each opportunity event to `sink`; false once the files are done.
    /// Detection runs when an instant's last message is in, so an instant may span two calls.
    public mutating func step(limit: Int, _ sink: (Event) -> Void) throws(ReplayError) -> Bool {
        for _ in 0..<limit {
            guard let change = try recording.next() else {
                finish(sink)
                return false
            }
            if let added = change.added {
                let market = recording.state.markets[added]
                let plenty = FixedDecimal(1_000_000_000_000)
                inventory.credit(market.key.symbol.base, plenty, at: market.venue.account)
                inventory.credit(market.key.symbol.quote, plenty, at: market.venue.account)
            }
            if let market = change.market, !touched.contains(market) { touched.append(market) }
            if change.endsInstant { detect(at: change.time, sink) }
        }
        return true
    }

    /// The receive time of the last message replayed.
    public var now: Timestamp? { recording.feed.statistics.lastTime }

    /// Prices the routes through the markets the instant at `time` changed, on the state all its messages left.
    private mutating func detect(at time: Timestamp, _ sink: (Event) -> Void) {
        guard !touched.isEmpty else { return }
        let changes = detector.marketsDidChange(touched, state: recording.state, inventory: inventory, now: time)
        // Emptied one by one: an instant touches a market or two, and removeAll(keepingCapacity:) cost more.
        while touched.popLast() != nil {}
        for opportunity in changes.upserted {
            if live.updateValue(opportunity, forKey: opportunity.id) == nil {
                summary.record(opportunity)
                sink(.opened(opportunity, at: time))
            } else {
                sink(.updated(opportunity, at: time))
            }
        }
        for id in changes.removed + detector.expire(at: time) {
            if let gone = live.removeValue(forKey: id) { sink(.closed(gone, at: time)) }
        }
    }

    private mutating func finish(_ sink: (Event) -> Void) {
        guard let end = now else { return }
        for opportunity in live.values.sorted(by: { $0.id < $1.id }) { sink(.closed(opportunity, at: end)) }
        live = [:]
    }
}

/// What a replay found: opportunities by venue pair and by size of net edge, and the net profit had each been
/// taken once, at its first sighting, at the recorded depth.
public struct ReplaySummary: Sendable {
    public struct Tally: Sendable, Hashable {
        public var count = 0
        public var netUSD = FixedDecimal.zero
    }

    /// Net edge buckets, in basis points of the buy leg's notional: lower bounds.
    public static let edgeBuckets: [(label: String, lowerBps: FixedDecimal)] = [
        ("<1 bp", .zero), ("1–5 bp", FixedDecimal(1)), ("5–10 bp", FixedDecimal(5)), ("10–25 bp", FixedDecimal(10)),
        ("25–50 bp", FixedDecimal(25)), ("≥50 bp", FixedDecimal(50)),
    ]

    public private(set) var opportunities = 0
    public private(set) var totalNetUSD = FixedDecimal.zero
    /// "binance→huobi LINK/USDT" → tally.
    public private(set) var byRoute: [String: Tally] = [:]
    /// Bucket label → tally, in `edgeBuckets` order when listed.
    public private(set) var byEdge: [String: Tally] = [:]
    public private(set) var best: Opportunity?

    mutating func record(_ opportunity: Opportunity) {
        opportunities += 1
        totalNetUSD += opportunity.netUSD
        byRoute[opportunity.route.description, default: Tally()].add(opportunity.netUSD)
        byEdge[Self.bucket(opportunity.netBps), default: Tally()].add(opportunity.netUSD)
        if opportunity.netUSD > (best?.netUSD ?? .zero) { best = opportunity }
    }

    public static func bucket(_ bps: FixedDecimal) -> String {
        edgeBuckets.last { bps >= $0.lowerBps }?.label ?? edgeBuckets[0].label
    }
}

extension ReplaySummary.Tally {
    mutating func add(_ netUSD: FixedDecimal) {
        count += 1
        self.netUSD += netUSD
    }
}
