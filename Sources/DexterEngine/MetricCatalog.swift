/// One metric the desk exports: its Prometheus name, what it means (the HELP line), its labels, and for a histogram
/// its bucket bounds. The engine creates its metrics by these names; a backend reads the help and buckets from here,
/// since swift-metrics carries only the name and labels.
public struct DeskMetric: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case counter, gauge, histogram }

    public let name: String
    public let kind: Kind
    public let labels: [String]
    public let help: String
    /// Upper bounds of a histogram's buckets, in seconds.
    public let buckets: [Double]

    init(_ name: String, _ kind: Kind, labels: [String] = [], buckets: [Double] = [], _ help: String) {
        self.name = name
        self.kind = kind
        self.labels = labels
        self.help = help
        self.buckets = buckets
    }
}

/// Every metric the desk exports (docs/metrics.md says the same, with examples).
public enum MetricCatalog {
    // Feeds, per venue.
    public static let feedMessages = DeskMetric("dexter_feed_messages_total", .counter, labels: ["venue"],
        "Market updates (books, pool states, funding) the engine took from the venue, after conflation.")
    public static let feedConflated = DeskMetric("dexter_feed_conflated_total", .counter,
        "Market updates replaced in the inbox by a newer one of the same market before the engine took them.")
    public static let feedLag = DeskMetric("dexter_feed_lag_seconds", .gauge, labels: ["venue"],
        "Venue timestamp to receipt of the venue's newest update (0 where the venue sends no time).")
    public static let feedAge = DeskMetric("dexter_feed_age_seconds", .gauge, labels: ["venue"],
        "Time since the venue's newest update, as the desk judges staleness.")
    public static let venueUp = DeskMetric("dexter_venue_up", .gauge, labels: ["venue"],
        "1 while the venue's connection is live and tradable, 0 otherwise.")
    public static let venueDisconnects = DeskMetric("dexter_venue_disconnects_total", .counter, labels: ["venue"],
        "Times the venue's connection went down.")
    public static let venueReconnects = DeskMetric("dexter_venue_reconnects_total", .counter, labels: ["venue"],
        "Times the venue's connection came back after being down.")
    public static let venueResyncs = DeskMetric("dexter_venue_resyncs_total", .counter, labels: ["venue"],
        "Times the venue's books were rebuilt from a fresh snapshot (a gap or checksum failure in the stream).")
    public static let websocketReconnects = DeskMetric("dexter_websocket_reconnects_total", .counter, labels: ["host", "cause"],
        "WebSocket reconnections by host (made in DexterNet): cause planned (lifetime, resync) or dropped.")
    public static let rateLimitHeadroom = DeskMetric("dexter_rate_limit_headroom_ratio", .gauge, labels: ["venue", "budget"],
        "Share of the rate budget left: 1 untouched, 0 spent or held by the venue; budget desk is the desk's own order budget.")

    // Detection.
    public static let detectionLatency = DeskMetric("dexter_detection_latency_seconds", .histogram,
        buckets: [0.000_001, 0.000_002_5, 0.000_005, 0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5,
                  0.001, 0.002_5, 0.005, 0.01, 0.025, 0.1],
        "Applying one batch of market updates and re-pricing the routes it touched.")
    public static let opportunities = DeskMetric("dexter_opportunities", .gauge, labels: ["kind"],
        "Opportunities live now: kind route (two legs) or cycle (three or more).")
    public static let opportunitiesDetected = DeskMetric("dexter_opportunities_detected_total", .counter,
        "New two-leg opportunities detected.")

    // Decisions, orders, fills, bookings.
    public static let approvals = DeskMetric("dexter_approvals_total", .counter, labels: ["outcome"],
        "Decisions on opportunities, as recorded in the ledger: approved, rejected (by the trader), denied (by risk or screening).")
    public static let ordersSubmitted = DeskMetric("dexter_orders_submitted_total", .counter, labels: ["venue"],
        "Orders sent to the venue.")
    public static let orders = DeskMetric("dexter_orders_total", .counter, labels: ["venue", "outcome"],
        "Orders that ended, by outcome: filled, canceled, rejected, expired, denied (never sent).")
    public static let fills = DeskMetric("dexter_fills_total", .counter, labels: ["venue"],
        "Fills the venue reported (a partial fill counts once).")
    public static let bookings = DeskMetric("dexter_bookings_total", .counter, labels: ["status"],
        "Executions booked durably in the ledger, by status: completed, partial, failed.")
    public static let realisedPnL = DeskMetric("dexter_realised_pnl_usd", .gauge,
        "Realised P&L today (UTC) in USD, from booked arbitrages and funding.")
    public static let tradingState = DeskMetric("dexter_trading_state", .gauge, labels: ["state"],
        "1 for the desk's trading state now (active, reducing or halted), 0 for the others.")

    // Ledger.
    public static let ledgerCommit = DeskMetric("dexter_ledger_commit_seconds", .histogram, labels: ["operation"],
        buckets: [0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
        "One ledger transaction committed: booking, decision, order_event, audit or funding.")

    // The process, refreshed when scraped.
    public static let residentMemory = DeskMetric("dexter_process_resident_memory_bytes", .gauge,
        "Resident memory of the dexter process.")
    public static let virtualMemory = DeskMetric("dexter_process_virtual_memory_bytes", .gauge,
        "Virtual memory of the dexter process.")

    public static let all: [DeskMetric] = [
        feedMessages, feedConflated, feedLag, feedAge, venueUp, venueDisconnects, venueReconnects, venueResyncs,
        websocketReconnects, rateLimitHeadroom, detectionLatency, opportunities, opportunitiesDetected, approvals, ordersSubmitted, orders,
        fills, bookings, realisedPnL, tradingState, ledgerCommit, residentMemory, virtualMemory,
    ]

    public static func named(_ name: String) -> DeskMetric? { byName[name] }

    private static let byName = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
}
