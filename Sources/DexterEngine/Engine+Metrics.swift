import DexterCore
import DexterDetect
import DexterRisk
import DexterVenues

/// What the engine tells a metrics backend beyond the counts it keeps as things happen: the figures that are a state
/// (feed lag and age, live opportunities, rate headroom, P&L, trading state), sampled once a second rather than on
/// every change, so the hot path never pays for them.
extension Engine {
    func sampleMetrics(at now: Timestamp) {
        // Each venue's newest update, and how late it arrived after the venue stamped it.
        var newest: [VenueId: (receivedAt: Timestamp, venueTime: Timestamp)] = [:]
        for market in pipeline.state.markets where market.receivedAt > (newest[market.venue.id]?.receivedAt ?? .zero) {
            newest[market.venue.id] = (market.receivedAt, market.venueTime)
        }
        for venue in pipeline.state.venues.map(\.id) {
            let feed = metrics.venue(venue)
            let last = pipeline.lastUpdate[venue] ?? sessionStart
            feed.age.record(max(0, now.duration(since: last).secondsDouble))
            if let newest = newest[venue], newest.venueTime > .zero {
                feed.lag.record(max(0, newest.receivedAt.duration(since: newest.venueTime).secondsDouble))
            } else {
                feed.lag.record(0)
            }
        }
        metrics.routeOpportunities.record(pipeline.opportunities.count)
        metrics.cycleOpportunities.record(pipeline.cycles.best.count)
        metrics.realisedPnL.record(portfolio.pnl.realisedTodayUSD.doubleValue)
        let state = tradingState
        for (each, gauge) in metrics.tradingStates { gauge.record(each == state ? 1 : 0) }
        sampleRateHeadroom(at: now)
    }

    /// The desk's own order budget per venue that trades, and each budget a venue client counts (its request weight,
    /// its order count); a budget the venue holds (429, a ban) has none left.
    func sampleRateHeadroom(at now: Timestamp) {
        for venue in venues.execution.keys {
            let bucket = rateBucket(venue)
            metrics.rateHeadroom(venue, budget: "desk", ratio: Double(bucket.available(at: now)) / max(bucket.burst, 1))
        }
        for client in venues.executionClients.compactMap({ $0 as? any RateLimitReporting }) {
            for usage in client.rateLimitUsage(at: now) where usage.limit > 0 {
                let held = usage.heldUntil.map { $0 > now } ?? false
                let ratio = held ? 0 : 1 - Double(usage.used) / Double(usage.limit)
                for venue in client.venueIds { metrics.rateHeadroom(venue, budget: usage.name, ratio: ratio) }
            }
        }
    }

    /// The market half of `process()` when a backend reads the metrics: the batch counted per venue, detection timed.
    func measuredApply(_ batch: VenueInbox.Batch, at now: Timestamp) -> DetectionChanges {
        metrics.countMessages(batch.market)
        if batch.conflated > 0 { metrics.conflated.increment(by: batch.conflated) }
        let started = monotonicNanoseconds()
        let changes = pipeline.apply(batch.market, at: now)
        metrics.detection.recordSince(started)
        countDetected(changes.upserted)
        return changes
    }

    /// New opportunities among those a batch touched: ids only grow, so one above the highest seen is new.
    func countDetected(_ upserted: [Opportunity]) {
        var highest = metrics.highestOpportunityId
        for opportunity in upserted where opportunity.id > metrics.highestOpportunityId {
            metrics.detected.increment()
            highest = max(highest, opportunity.id)
        }
        metrics.highestOpportunityId = highest
    }

    /// Runs one ledger write and times its commit (a failed one is not timed: it halts the desk instead).
    @discardableResult
    func committing<Result>(_ operation: EngineMetrics.LedgerOperation, _ write: () throws -> Result) rethrows -> Result {
        let started = monotonicNanoseconds()
        let result = try write()
        metrics.ledgerCommits[operation]?.recordSince(started)
        return result
    }
}
