import DexterCore
import DexterDetect
import DexterLedger
import DexterMarket
import DexterRisk
import DexterVenues
import Logging

/// The desk's one writer: market state, opportunities, approvals, orders and bookings all change here, on this
/// actor. Venues post into it; the screen reads the snapshots it publishes and sends commands back.
public actor Engine {
    var config: EngineConfig
    let clock: any Clock
    let ledger: LedgerWriter
    let ledgerReader: LedgerReader
    public nonisolated let board = SnapshotBoard()
    var pipeline: MarketPipeline
    var usage = RiskUsage()
    var pnl: PnLSummary
    var notifications: [Notification] = []
    var confirmation: Confirmation?
    var inFlight: [String: Execution] = [:]
    let runId: String
    var sequence = 0
    var running = false
    var updatesSeenAtLastRate: UInt64 = 0
    var lastRateSample: Timestamp
    var updatesPerSecond = 0.0
    var lastPublish = Timestamp.zero
    /// Set by the kill switch or when the ledger cannot be written: nothing more is sent while it is.
    var haltReason: String?
    /// Set while trading is reducing (only orders that cut exposure).
    var reducingReason: String?
    /// This user's traded volume today, in USD (the desk's is `usage.dailyVolumeUSD`).
    var userVolumeTodayUSD = FixedDecimal.zero
    /// Each venue's order budget.
    var rateBuckets: [VenueId: TokenBucket] = [:]
    /// Today's realised high, and executions that failed in a row: what the automatic halts watch.
    var realisedPeakUSD = FixedDecimal.zero
    let sessionStart: Timestamp
    var failuresInARow = 0
    /// Reference prices sampled every five seconds: the history VaR, volatility and correlation come from; the
    /// figures are worked out when a sample lands, not on every snapshot.
    var riskWatch = RiskWatch()
    var riskFigures: RiskFigures?
    /// A ledger failure is not lifted by `resume`: only a restart with a working ledger is.
    var ledgerFailed = false
    /// This session's orders, newest first (live ones and the last finished).
    var orders: [OrderRow] = []
    var bookedObserver: (@Sendable (String, String, FixedDecimal) -> Void)?
    var pendingReconciliation: PaperJournal?
    /// Orders waiting to be sent again after a transient failure: when, and how many attempts so far.
    var retries: [(due: Timestamp, order: PaperOrder)] = []
    var attempts: [String: Int] = [:]
    var retryRandom = SeededGenerator(seed: 0x5EED)
    /// Orders not yet in a terminal state, with their arbitrage.
    var liveOrders: [String: (order: PaperOrder, arbitrageId: String, recordId: String)] = [:]
    /// Reference USD prices when the session opened, for the mark-to-market move of positions.
    var openingPrices: [Asset: Double] = [:]
    /// Open FIFO lots by asset: quantity and cost in USD (from the ledger, refreshed after each booking).
    var lotCost: [String: (quantity: FixedDecimal, costUSD: FixedDecimal)] = [:]
    /// Today's realised profit by base asset, then venue.
    var realisedByAsset: [String: [String: FixedDecimal]] = [:]
    /// Every notification also goes to the log, so a session can be read back after the screen is gone.
    let logger: Logger

    public init(config: EngineConfig, ledger: Ledger, clock: any Clock = WallClock(),
                logger: Logger = Logger(label: "dexter.engine")) throws {
        self.config = config
        self.logger = logger
        self.clock = clock
        self.ledger = ledger.writer
        self.ledgerReader = ledger.reader
        let start = clock.now()
        self.sessionStart = start
        self.runId = String(UInt64(start.nanoseconds / 1_000_000), radix: 36)
        // A fresh ledger takes the configured balances; an existing one keeps what was booked.
        let freshLedger = try ledger.writer.seedBalances(config.initialBalances.balances.flatMap { account, assets in
            assets.map { BalanceChange(account: account.description, asset: $0.key.code, delta: $0.value) }
        })
        var inventory = Inventory()
        for row in try ledger.reader.balances() {
            inventory.credit(Asset(row.asset), row.delta, at: AccountId(parsing: row.account))
        }
        let today = try ledger.reader.summary(ofDayContaining: start, user: config.user)
        self.pnl = PnLSummary(realisedTodayUSD: today.realisedNetUSD, arbitragesToday: today.arbitrageCount,
                              tradesToday: today.tradeCount, volumeTodayUSD: today.volumeUSD,
                              history: [today.realisedNetUSD.doubleValue])
        self.usage.dailyVolumeUSD = try ledger.reader.summary(ofDayContaining: start).volumeUSD
        self.userVolumeTodayUSD = today.volumeUSD
        self.realisedByAsset = today.realisedByAsset
        self.pipeline = MarketPipeline(universe: config.universe, policy: config.detection, inventory: inventory,
                                       start: start)
        self.lastRateSample = start
        for asset in inventory.assets { if let price = pipeline.state.usdValue(of: asset) { openingPrices[asset] = price } }
        if freshLedger {
            // The starting inventory opens its FIFO lots at the prices the market opens at.
            let prices = openingPrices
            try ledger.writer.seedLots(config.initialBalances.balances.flatMap { account, assets in
                assets.compactMap { asset, quantity in
                    prices[asset].map { (account.description, asset.code, quantity, FixedDecimal(approximating: $0).rounded(digits: 8)) }
                }
            }, at: start)
        }
        self.lotCost = Self.lotCosts(ledger.reader)
        self.usage.positions = Self.positions(inventory)
        let started = "\(config.mode) market started: \(pipeline.state.venues.count) venues, \(pipeline.state.markets.count) markets"
        logger.info("\(started)")
        var initial = [Notification(time: start, level: .info, text: started)]
        for alert in config.alerts {
            logger.warning("\(alert)")
            initial.insert(Notification(time: start, level: .warning, text: alert), at: 0)
        }
        self.notifications = initial
        // The session opening is the login of the audit trail; a ledger that cannot take it does not open at all.
        try ledger.writer.appendAudit(user: config.user, action: "login", detail: "\(config.mode) session", at: start,
                                      hash: Engine.auditHash)
        if let path = config.paperJournalPath {
            let journal = try PaperJournal(path: path)
            pipeline.attach(journal)
            // Settled on the first tick, before any opportunity can be approved.
            pendingReconciliation = journal
        }
    }

    /// Advances the market every `interval` and publishes snapshots until `stop()`.
    public func run(interval: Duration = .milliseconds(10), publishEvery: Duration = .milliseconds(50)) async {
        running = true
        publish(force: true)
        while running {
            tick()
            if clock.now().duration(since: lastPublish) >= publishEvery { publish() }
            try? await Task.sleep(for: interval)
        }
    }

    public func stop() { running = false }

    /// One step of the flow: venues → state → detector, then fills → ledger.
    public func tick() {
        let now = clock.now()
        if let journal = pendingReconciliation {
            pendingReconciliation = nil
            do { try reconcileInFlight(with: journal, at: now) } catch {
                haltReason = "orders in flight at the last stop could not be settled"
                ledgerFailed = true
                notify(.error, "RESTART RECONCILIATION FAILED: \(error); trading halted", at: now)
            }
        }
        let due = retries.filter { $0.due <= now }
        retries.removeAll { $0.due <= now }
        for retry in due {
            pipeline.submit(PaperOrder(clientOrderId: retry.order.clientOrderId, venue: retry.order.venue, symbol: retry.order.symbol,
                                       side: retry.order.side, quantity: retry.order.quantity, limitPrice: retry.order.limitPrice,
                                       submittedAt: now))
        }
        let output = pipeline.advance(to: now)
        for report in output.reports { handle(report) }
        if riskWatch.isDue(at: now) { sampleRisk(at: now) }
        checkAutomaticHalts(at: now)
        if config.autoApprove != nil {
            for opportunity in output.changes.upserted { autoApprove(opportunity, at: now) }
        }
        let elapsed = now.duration(since: lastRateSample).secondsDouble
        if elapsed >= 1 {
            updatesPerSecond = Double(pipeline.updateCount - updatesSeenAtLastRate) / elapsed
            updatesSeenAtLastRate = pipeline.updateCount
            lastRateSample = now
        }
    }

    // MARK: Commands from the screen

    /// Starts an approval: re-prices the opportunity on the current market and asks the trader to confirm.
    public func requestApproval(of id: UInt64) {
        let now = clock.now()
        guard confirmation == nil, permitted(.approve, at: now) else { return }
        guard let opportunity = pipeline.opportunities.first(where: { $0.id == id }) else {
            notify(.warning, "opportunity #\(id) is gone", at: now)
            return publish(force: true)
        }
        if let refusal = refusal(for: opportunity, at: now) {
            notify(.warning, "#\(id) \(opportunity.route): \(refusal)", at: now)
            return publish(force: true)
        }
        guard let repriced = pipeline.reprice(opportunity) else {
            notify(.warning, "#\(id) \(opportunity.route) is no longer profitable at current prices", at: now)
            return publish(force: true)
        }
        var pending = Confirmation(original: opportunity, repriced: repriced)
        pending.unwindCostUSD = unwindCostUSD(repriced)
        pending.legRiskAction = config.legRisk.action(for: repriced).rawValue
        confirmation = pending
        publish(force: true)
    }

    /// The trader said yes to the confirmation on screen. A second yes finds nothing to confirm.
    public func confirmApproval(of id: UInt64) {
        let now = clock.now()
        guard let pending = confirmation, pending.repriced.id == id else { return }
        confirmation = nil
        guard permitted(.approve, at: now) else { return }
        let opportunity = pending.repriced
        if let refusal = refusal(for: opportunity, at: now) {
            notify(.warning, "#\(id) \(opportunity.route): \(refusal)", at: now)
            return publish(force: true)
        }
        if let blocked = screening(opportunity) {
            notify(.error, "#\(id) \(opportunity.route) blocked by screening: \(blocked)", at: now)
            record(opportunity, decision: .denied, reason: "screening: \(blocked)", at: now)
            audit("screening blocked", "#\(id) \(opportunity.route): \(blocked)", at: now)
            return publish(force: true)
        }
        if let denial = riskCheck(opportunity) {
            notify(.error, "#\(id) \(opportunity.route) \(denial)", at: now)
            record(opportunity, decision: .denied, reason: denial.description, at: now)
            return publish(force: true)
        }
        audit("approve", "#\(id) \(opportunity.route) size \(opportunity.quantity) net $\(opportunity.netUSD.formatted(digits: 2))", at: now)
        execute(opportunity, at: now)
        publish(force: true)
    }

    public func cancelApproval() {
        guard let pending = confirmation else { return }
        confirmation = nil
        notify(.info, "approval of #\(pending.repriced.id) cancelled", at: clock.now())
        publish(force: true)
    }

    /// The trader turned the opportunity down; it is booked as rejected.
    public func reject(_ id: UInt64) {
        let now = clock.now()
        guard permitted(.reject, at: now) else { return }
        guard let opportunity = pipeline.opportunities.first(where: { $0.id == id }) else { return }
        record(opportunity, decision: .rejected, reason: "rejected by trader", at: now)
        audit("reject", "#\(id) \(opportunity.route)", at: now)
        notify(.info, "#\(id) \(opportunity.route) rejected", at: now)
        publish(force: true)
    }

    /// Approves without a key what the auto-approve policy admits: re-priced on the market now, then the same risk
    /// check and execution as a trader's approval.
    func autoApprove(_ opportunity: Opportunity, at now: Timestamp) {
        guard let policy = config.autoApprove, config.deskUser.may(.approve), confirmation == nil, haltReason == nil,
              refusal(for: opportunity, at: now) == nil,
              let quoteUSD = pipeline.state.usdValue(of: opportunity.symbol.quote),
              policy.admits(opportunity, quoteUSD: quoteUSD),
              let repriced = pipeline.reprice(opportunity), policy.admits(repriced, quoteUSD: quoteUSD) else { return }
        if let blocked = screening(repriced) {
            record(repriced, decision: .denied, reason: "auto-approve: screening: \(blocked)", at: now)
            audit("screening blocked", "#\(repriced.id) \(repriced.route): \(blocked)", at: now)
            return
        }
        if let denial = riskCheck(repriced) {
            record(repriced, decision: .denied, reason: "auto-approve: \(denial)", at: now)
            return
        }
        notify(.info, "#\(repriced.id) \(repriced.route) auto-approved (net $\(repriced.netUSD.formatted(digits: 2)))", at: now)
        audit("auto-approve", "#\(repriced.id) \(repriced.route) size \(repriced.quantity) net $\(repriced.netUSD.formatted(digits: 2))", at: now)
        execute(repriced, at: now)
    }

    /// Called after each booking is committed (the headless runner prints it as an acknowledgement).
    public func onBooked(_ observer: @escaping @Sendable (_ arbitrageId: String, _ status: String, _ realisedUSD: FixedDecimal) -> Void) {
        bookedObserver = observer
    }

    func refreshLots() { lotCost = Self.lotCosts(ledgerReader) }

    static func lotCosts(_ reader: LedgerReader) -> [String: (quantity: FixedDecimal, costUSD: FixedDecimal)] {
        var byAsset: [String: (quantity: FixedDecimal, costUSD: FixedDecimal)] = [:]
        for lot in (try? reader.openLots()) ?? [] {
            let current = byAsset[lot.asset] ?? (.zero, .zero)
            byAsset[lot.asset] = (current.quantity + lot.quantity, current.costUSD + lot.quantity * lot.averageCostUSD)
        }
        return byAsset
    }

    /// The kill switch. Idempotent: a second press changes nothing.
    public func halt(_ reason: String) {
        let now = clock.now()
        guard haltReason == nil, permitted(.halt, at: now) else { return }
        stopTrading(reason, at: now)
    }

    /// Halts for the desk itself (leg risk, an automatic limit): no user's permission is involved.
    func stopTrading(_ reason: String, at now: Timestamp) {
        guard haltReason == nil else { return }
        haltReason = reason
        audit("halt", reason, at: now)
        if let pending = confirmation {
            confirmation = nil
            notify(.warning, "approval of #\(pending.repriced.id) dropped by the halt", at: now)
        }
        let live = orders.filter(\.state.isLive).count
        // Paper IOC legs resolve on their own within a venue's latency; none is left resting to cancel.
        notify(.error, "TRADING HALTED: \(reason)\(live > 0 ? "; \(live) leg(s) in flight will resolve and be booked" : "")", at: now)
        publish(force: true)
    }

    /// A risk manager changes a limit: in force for the next check, on the Risk panel at once, and audited.
    public func setLimit(_ change: LimitChange) {
        let now = clock.now()
        guard permitted(.setLimits, at: now) else { return }
        let before: String
        switch change {
        case .maxNotionalPerTradeUSD(let value):
            before = "$\(config.limits.maxNotionalPerTradeUSD.formatted(digits: 2))"
            config.limits.maxNotionalPerTradeUSD = value
            pipeline.setMaxNotional(value)
        case .dailyVolumeUSD(let value):
            before = "$\(config.limits.dailyVolumeUSD.formatted(digits: 2))"
            config.limits.dailyVolumeUSD = value
        case .maxPosition(let asset, let value):
            before = config.limits.maxPosition[asset].map { "\($0)" } ?? "none"
            config.limits.maxPosition[asset] = value
        }
        audit("limit changed", "\(change) (was \(before))", at: now)
        notify(.info, "limit changed: \(change) (was \(before))", at: now)
        publish(force: true)
    }

    /// Applies config.toml as read again; says and audits what changed.
    public func reloadConfig(_ reload: ConfigReload) {
        let now = clock.now()
        guard permitted(.setLimits, at: now) else { return }
        var changed: [String] = []
        if reload.limits != config.limits { changed.append("limits") }
        if reload.autoHalt != config.autoHalt { changed.append("automatic halts") }
        if reload.maxExposurePerVenueUSD != config.maxExposurePerVenueUSD { changed.append("venue exposure cap") }
        if reload.positionVaRBudgetUSD != config.positionVaRBudgetUSD { changed.append("position VaR budget") }
        if reload.denyList != config.denyList { changed.append("deny list (\(reload.denyList?.count ?? 0) addresses)") }
        config.limits = reload.limits
        config.autoHalt = reload.autoHalt
        config.maxExposurePerVenueUSD = reload.maxExposurePerVenueUSD
        config.positionVaRBudgetUSD = reload.positionVaRBudgetUSD
        config.denyList = reload.denyList
        pipeline.setMaxNotional(reload.limits.maxNotionalPerTradeUSD)
        let summary = changed.isEmpty ? "nothing changed" : changed.joined(separator: ", ") + " changed"
        audit("config reload", summary, at: now)
        notify(.info, "config reloaded: \(summary)", at: now)
        publish(force: true)
    }

    /// Trading state reducing: approvals of new arbitrage are refused, corrections that cut exposure still run.
    public func reduce(_ reason: String) {
        let now = clock.now()
        guard haltReason == nil, reducingReason == nil, permitted(.setTradingState, at: now) else { return }
        reducingReason = reason
        audit("reducing", reason, at: now)
        notify(.warning, "TRADING REDUCING: \(reason); only orders that cut exposure", at: now)
        publish(force: true)
    }

    public func resume() {
        let now = clock.now()
        if haltReason == nil, let reducing = reducingReason {
            guard permitted(.setTradingState, at: now) else { return }
            reducingReason = nil
            audit("active", "after reducing: \(reducing)", at: now)
            notify(.success, "trading active", at: now)
            return publish(force: true)
        }
        guard let reason = haltReason, permitted(.resume, at: now) else { return }
        guard !ledgerFailed else {
            notify(.error, "cannot resume: \(reason); restart dexter with a working ledger", at: now)
            return publish(force: true)
        }
        haltReason = nil
        reducingReason = nil
        failuresInARow = 0
        audit("resume", "after: \(reason)", at: now)
        notify(.success, "trading resumed", at: now)
        publish(force: true)
    }

    /// Checks the user may take `action`; a refusal is said on screen, logged and audited, naming the role needed.
    func permitted(_ action: DeskAction, at now: Timestamp) -> Bool {
        guard let denied = config.deskUser.refusal(action) else { return true }
        notify(.error, "refused: \(denied)", at: now)
        audit("refused", "\(action): \(denied)", at: now)
        publish(force: true)
        return false
    }

    /// Why an opportunity cannot be approved right now, or nil.
    func refusal(for opportunity: Opportunity, at now: Timestamp) -> String? {
        if let haltReason { return "trading is halted: \(haltReason)" }
        if opportunity.isExpired(at: now) { return "quote is stale (expired \(opportunity.expiresAt.utcClock))" }
        if inFlight.values.contains(where: { $0.opportunity.route == opportunity.route }) {
            return "an execution on this route is still in flight"
        }
        return nil
    }

    /// The eleven pre-trade checks on an arbitrage as it would be sent now.
    func riskCheck(_ opportunity: Opportunity) -> PreTradeDenial? {
        let now = clock.now()
        let state = pipeline.state
        let inventory = pipeline.inventory
        let quoteUSD = FixedDecimal(approximating: state.usdValue(of: opportunity.symbol.quote) ?? 0).rounded(digits: 8)
        let proposal = TradeProposal(symbol: opportunity.symbol, quantity: opportunity.quantity,
                                     buyNotional: opportunity.buy.notional, sellNotional: opportunity.sell.notional,
                                     quoteUSD: quoteUSD)
        var orders: [OrderIntent] = []
        var exposure: [VenueId: FixedDecimal] = [:]
        for leg in opportunity.legs {
            guard let market = state[MarketKey(venue: leg.venue, symbol: leg.symbol)] else { continue }
            let account = market.venue.account
            let spendAsset = leg.side == .buy ? leg.symbol.quote : leg.symbol.base
            let spend = leg.side == .buy ? leg.notional + leg.fee : leg.quantity
            let chain = market.venue.kind.chain
            orders.append(OrderIntent(
                venue: leg.venue, chain: chain, symbol: leg.symbol, side: leg.side, limitPrice: leg.worstPrice,
                quantity: leg.quantity, tickSize: market.instrument.tickSize, lotSize: market.instrument.lotSize,
                minNotional: market.instrument.minNotional, notional: leg.notional, spendAsset: spendAsset, spend: spend,
                free: inventory.available(spendAsset, at: account), gasToken: leg.gasToken, gas: leg.gas,
                gasFree: leg.gasToken.map { inventory.available($0, at: account) } ?? .zero,
                quoteAge: now.duration(since: leg.receivedAt), stalenessBound: market.venue.stalenessBound))
            // What the venue's account is worth after the leg: a buy brings base in and sends quote out.
            var value = inventory.balances[account]?.reduce(FixedDecimal.zero) { total, holding in
                total + FixedDecimal(approximating: (state.usdValue(of: holding.key) ?? 0) * holding.value.doubleValue)
            } ?? .zero
            let baseUSD = FixedDecimal(approximating: state.usdValue(of: leg.symbol.base) ?? 0)
            let flow = leg.quantity * baseUSD - leg.notional * quoteUSD
            value += leg.side == .buy ? flow : .zero - flow
            exposure[leg.venue] = value.rounded(digits: 2)
        }
        // Worst case for the position: only the buy leg fills.
        let base = opportunity.symbol.base
        let basePrice = state.usdValue(of: base) ?? 0
        let positionAfter = FixedDecimal(approximating: basePrice * (inventory.total(base) + opportunity.quantity).doubleValue)
            .rounded(digits: 2)
        var positionVaR: [Asset: FixedDecimal] = [:]
        if let volatility = riskWatch.dailyVolatility(base) {
            positionVaR[base] = FixedDecimal(approximating: positionAfter.doubleValue * -Normal.quantile(0.01) * volatility)
                .rounded(digits: 2)
        }
        var request = PreTradeRequest(
            user: config.deskUser, state: tradingState, reducesExposure: false, proposal: proposal, orders: orders,
            venueExposureAfterUSD: exposure, positionAfterUSD: [base: positionAfter],
            userVolumeTodayUSD: userVolumeTodayUSD,
            rateBudget: Dictionary(uniqueKeysWithValues: orders.map { ($0.venue, rateBucket($0.venue).available(at: now)) }))
        request.positionVaRAfterUSD = positionVaR
        return PreTradeCheck.check(request, limits: DeskLimits(risk: config.limits,
                                                               maxExposurePerVenueUSD: config.maxExposurePerVenueUSD,
                                                               plans: config.plans,
                                                               positionVaRBudgetUSD: config.positionVaRBudgetUSD),
                                   usage: usage)
    }

    /// Halts when a daily loss, a drawdown, a run of failures or a silent feed says so (each at most once: a halt
    /// stays until a risk manager resumes).
    func checkAutomaticHalts(at now: Timestamp) {
        guard haltReason == nil else { return }
        realisedPeakUSD = max(realisedPeakUSD, pnl.realisedTodayUSD)
        var silent: (venue: String, silence: Duration)?
        for venue in pipeline.state.venues {
            let silence = now.duration(since: pipeline.lastUpdate[venue.id] ?? sessionStart)
            if silence > (silent?.silence ?? .zero) { silent = (venue.id.name, silence) }
        }
        guard let reason = config.autoHalt.reason(realised: pnl.realisedTodayUSD, peak: realisedPeakUSD,
                                                  failuresInARow: failuresInARow, silentVenue: silent) else { return }
        stopTrading("automatic halt: \(reason)", at: now)
    }

    /// Halts as the desk itself does (a watchdog, a test): no user permission is involved; resuming needs one.
    public func haltByDesk(_ reason: String = "a watchdog") {
        stopTrading("automatic halt: \(reason)", at: clock.now())
        publish(force: true)
    }

    /// Every address an on-chain leg touches (the pool, the wallet that receives) against the deny list: the first
    /// match, named, or nil.
    func screening(_ opportunity: Opportunity) -> String? {
        guard let denyList = config.denyList else { return nil }
        for leg in opportunity.legs {
            guard let pool = config.universe.pools.first(where: { $0.venue.id == leg.venue && $0.instrument.symbol == leg.symbol }),
                  let chain = pool.venue.kind.chain else { continue }
            if let address = pool.address, denyList.contains(address) {
                return "\(address) (\(leg.venue) \(leg.symbol) pool) is on the deny list"
            }
            for wallet in config.wallets where wallet.kind != .cex && wallet.chains.contains(chain.name) && denyList.contains(wallet.address) {
                return "\(wallet.address) (wallet \(wallet.name) on \(chain)) is on the deny list"
            }
        }
        return nil
    }

    /// The desk's trading state as the pre-trade check sees it.
    public var tradingState: TradingState { haltReason != nil ? .halted : reducingReason != nil ? .reducing : .active }

    func rateBucket(_ venue: VenueId) -> TokenBucket {
        rateBuckets[venue] ?? TokenBucket(rate: config.venueOrdersPerSecond, burst: config.venueOrderBurst, at: clock.now())
    }

    func notify(_ level: Notification.Level, _ text: String, at time: Timestamp) {
        notifications.insert(Notification(time: time, level: level, text: text), at: 0)
        let logLevel: Logger.Level = switch level {
        case .info, .success: .info
        case .warning: .warning
        case .error: .error
        }
        logger.log(level: logLevel, "\(text)")
        if notifications.count > 200 { notifications.removeLast(notifications.count - 200) }
    }

    static func positions(_ inventory: Inventory) -> [Asset: FixedDecimal] {
        Dictionary(uniqueKeysWithValues: inventory.assets.map { ($0, inventory.total($0)) })
    }
}
