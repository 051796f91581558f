import DexterCore
import DexterDetect
import DexterMarket
import DexterRisk

extension Engine {
    /// Freezes the desk into a snapshot for the screen, at most every publish interval unless forced.
    func publish(force: Bool = false) {
        let now = clock.now()
        if !force && now.duration(since: lastPublish) < .milliseconds(33) { return }
        lastPublish = now
        board.publish(makeSnapshot(at: now))
    }

    func makeSnapshot(at now: Timestamp) -> Snapshot {
        let state = pipeline.state
        let opportunities = pipeline.opportunities.sorted {
            ($0.netUSD, $1.id) > ($1.netUSD, $0.id)
        }
        var stale: [String] = []
        for venue in state.venues {
            let last = pipeline.lastUpdate[venue.id] ?? .zero
            if now.duration(since: last) > venue.stalenessBound { stale.append(venue.id.name) }
        }
        let inventory = pipeline.inventory
        var balances: [BalanceRow] = []
        for account in inventory.accounts {
            for (asset, amount) in (inventory.balances[account] ?? [:]).sorted(by: { $0.key < $1.key }) {
                let chain: String? = if case .wallet(let chain) = account { chain.name } else { nil }
                balances.append(BalanceRow(account: account.description, chain: chain, asset: asset.code,
                                           amount: amount, usdValue: state.usdValue(of: asset).map { $0 * amount.doubleValue }))
            }
        }
        var snapshot = Snapshot(
            mode: config.mode, user: config.user, clock: now, opportunities: opportunities,
            feed: FeedHealth(updatesPerSecond: updatesPerSecond, venues: state.venues.count, staleVenues: stale),
            pnl: pnl, limits: RiskCheck.utilisation(limits: config.limits, usage: usage),
            limitsSummary: RiskLimitsSummary(maxNotionalPerTradeUSD: config.limits.maxNotionalPerTradeUSD,
                                             allowedPairs: config.limits.allowedSymbols.count),
            tradingState: haltReason == nil ? "active" : "halted", balances: balances, notifications: Array(notifications.prefix(50)),
            confirmation: confirmation, executing: inFlight.values.map { $0.opportunity.route.description }.sorted())
        snapshot.wallets = WalletAttribution.group(balances, wallets: config.wallets, source: "simulated")
        snapshot.alerts = config.alerts
        return snapshot
    }
}

extension Engine {
    /// Publishes a snapshot now, whatever the rate limit (tests and the first frame).
    public func publishNow() { publish(force: true) }
}
