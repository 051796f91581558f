import DexterCore
import DexterLedger
import DexterMarket
import DexterRisk
import DexterVenues
import Metrics

/// The engine's metrics, made once and kept by label so the hot path only increments (no label dictionaries per
/// quote). With no metrics backend bootstrapped (the desk on a terminal, tests, benches) every one is a no-op.
/// Metric objects bind to the backend when made: `dexter serve` bootstraps before it opens the engine.
struct EngineMetrics {
    /// One venue's feed and connection.
    struct Venue {
        let messages: Counter
        let lag: Gauge
        let age: Gauge
        let up: Gauge
        let disconnects: Counter
        let reconnects: Counter
        let resyncs: Counter

        init(_ venue: VenueId) {
            let label = [("venue", venue.name)]
            messages = Counter(label: MetricCatalog.feedMessages.name, dimensions: label)
            lag = Gauge(label: MetricCatalog.feedLag.name, dimensions: label)
            age = Gauge(label: MetricCatalog.feedAge.name, dimensions: label)
            up = Gauge(label: MetricCatalog.venueUp.name, dimensions: label)
            disconnects = Counter(label: MetricCatalog.venueDisconnects.name, dimensions: label)
            reconnects = Counter(label: MetricCatalog.venueReconnects.name, dimensions: label)
            resyncs = Counter(label: MetricCatalog.venueResyncs.name, dimensions: label)
        }
    }

    /// What the ledger commits, each timed on its own.
    enum LedgerOperation: String, CaseIterable {
        case booking, decision, orderEvent = "order_event", audit, funding
    }

    /// Whether a backend was bootstrapped before the engine opened. Without one every metric is a no-op, and the hot
    /// path skips even counting per venue and reading the clock around detection.
    let hasBackend = !(MetricsSystem.factory is NOOPMetricsHandler)
    private(set) var venues: [VenueId: Venue] = [:]
    let conflated = Counter(label: MetricCatalog.feedConflated.name)
    let detection = Timer(label: MetricCatalog.detectionLatency.name)
    let routeOpportunities = Gauge(label: MetricCatalog.opportunities.name, dimensions: [("kind", "route")])
    let cycleOpportunities = Gauge(label: MetricCatalog.opportunities.name, dimensions: [("kind", "cycle")])
    let detected = Counter(label: MetricCatalog.opportunitiesDetected.name)
    /// The highest opportunity id seen: ids only grow, so one above it is new.
    var highestOpportunityId: UInt64 = 0
    let decisions: [OpportunityRecord.Decision: Counter] = Dictionary(uniqueKeysWithValues: [
        OpportunityRecord.Decision.approved, .rejected, .denied,
    ].map { ($0, Counter(label: MetricCatalog.approvals.name, dimensions: [("outcome", $0.rawValue)])) })
    private var submitted: [VenueId: Counter] = [:]
    private var ended: [OrderEnd: Counter] = [:]
    private var fills: [VenueId: Counter] = [:]
    let bookings: [BookingStatus: Counter] = Dictionary(uniqueKeysWithValues: [BookingStatus.completed, .partial, .failed].map {
        ($0, Counter(label: MetricCatalog.bookings.name, dimensions: [("status", $0.rawValue)]))
    })
    let realisedPnL = Gauge(label: MetricCatalog.realisedPnL.name)
    let tradingStates: [TradingState: Gauge] = Dictionary(uniqueKeysWithValues: TradingState.allCases.map {
        ($0, Gauge(label: MetricCatalog.tradingState.name, dimensions: [("state", $0.rawValue)]))
    })
    let ledgerCommits: [LedgerOperation: Timer] = Dictionary(uniqueKeysWithValues: LedgerOperation.allCases.map {
        ($0, Timer(label: MetricCatalog.ledgerCommit.name, dimensions: [("operation", $0.rawValue)]))
    })
    private var headroom: [RateBudget: Gauge] = [:]

    private struct OrderEnd: Hashable {
        let venue: VenueId
        let state: OrderState
    }

    private struct RateBudget: Hashable {
        let venue: VenueId
        let budget: String
    }

    init(venues: [VenueId]) {
        for venue in venues { self.venues[venue] = Venue(venue) }
    }

    mutating func venue(_ id: VenueId) -> Venue {
        if let known = venues[id] { return known }
        let made = Venue(id)
        venues[id] = made
        return made
    }

    /// Counts a drained batch's updates per venue. A batch comes in runs of one venue's updates, so the venue's
    /// counter is looked up once a run, not once an update.
    mutating func countMessages(_ events: [MarketEvent]) {
        var run: VenueId?
        var count = 0
        for event in events {
            guard let venue = event.venue else { continue }
            if venue == run {
                count += 1
                continue
            }
            if let run, count > 0 { self.venue(run).messages.increment(by: count) }
            run = venue
            count = 1
        }
        if let run, count > 0 { venue(run).messages.increment(by: count) }
    }

    /// A connection that moved: down, back from down, or resyncing.
    mutating func connection(_ id: VenueId, from before: ConnectionState?, to state: ConnectionState) {
        let venue = self.venue(id)
        venue.up.record(state.isTradable ? 1 : 0)
        switch (before, state) {
        case (.down?, .down): break
        case (_, .down): venue.disconnects.increment()
        case (.down?, _): venue.reconnects.increment()
        default: break
        }
        if case .resyncing = state, !(before?.isResyncing ?? false) { venue.resyncs.increment() }
    }

    /// One lifecycle step of an order, as persisted: a submission, a fill, or its end.
    mutating func orderStep(_ step: OrderManager.Step, venue: VenueId) {
        switch step.event {
        case .submit:
            Self.counter(&submitted, venue, MetricCatalog.ordersSubmitted, [("venue", venue.name)]).increment()
        case .fill:
            Self.counter(&fills, venue, MetricCatalog.fills, [("venue", venue.name)]).increment()
        default: break
        }
        guard step.to.isTerminal else { return }
        let end = OrderEnd(venue: venue, state: step.to)
        Self.counter(&ended, end, MetricCatalog.orders, [("venue", venue.name), ("outcome", step.to.rawValue)]).increment()
    }

    mutating func rateHeadroom(_ venue: VenueId, budget: String, ratio: Double) {
        let key = RateBudget(venue: venue, budget: budget)
        let gauge = headroom[key] ?? Gauge(label: MetricCatalog.rateLimitHeadroom.name,
                                           dimensions: [("venue", venue.name), ("budget", budget)])
        headroom[key] = gauge
        gauge.record(min(1, max(0, ratio)))
    }

    private static func counter<Key: Hashable>(_ cache: inout [Key: Counter], _ key: Key, _ metric: DeskMetric,
                                        _ labels: [(String, String)]) -> Counter {
        if let known = cache[key] { return known }
        let made = Counter(label: metric.name, dimensions: labels)
        cache[key] = made
        return made
    }
}

extension Timer {
    /// Records the time since `start`, read from `monotonicNanoseconds()`.
    func recordSince(_ start: UInt64) {
        recordNanoseconds(Int64(clamping: monotonicNanoseconds() &- start))
    }
}

extension MarketEvent {
    /// The venue the update came from; nil for a chain's gas and a reference price.
    var venue: VenueId? {
        switch self {
        case .liquidity(let key, _, _, _): key.venue
        case .funding(let quote): quote.market.venue
        case .gasUnits(let key, _): key.venue
        case .gas, .indication: nil
        }
    }
}

extension ConnectionState {
    var isResyncing: Bool {
        if case .resyncing = self { true } else { false }
    }
}
