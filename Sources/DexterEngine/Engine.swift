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
    var notifications: [Notification] = []
    var confirmation: Confirmation?
    var cycleConfirmation: CycleConfirmation?
    /// The member whose command is being handled (an attached screen, the API); nil: the desk's own user.
    var actingMember: DeskUser?
    /// How many notifications the desk has said this session: what a command said is what it added.
    var notificationsSaid = 0
    var inFlight: [String: Execution] = [:]
    let runId: String
    var sequence = 0
    var running = false
    var updatesSeenAtLastRate: UInt64 = 0
    var lastRateSample: Timestamp
    var updatesPerSecond = 0.0
    var lastPublish = Timestamp.zero
    /// Halted, reducing, stopped-out assets, and what the automatic halts watch.
    var control = TradingControl()
    /// Inventory, lots, today's P&L and volume: the ledger's picture, moved by each committed booking.
    var portfolio: Portfolio
    /// Each venue's order budget.
    var rateBuckets: [VenueId: TokenBucket] = [:]
    let sessionStart: Timestamp
    /// Reference prices sampled every five seconds: the history VaR, volatility and correlation come from; the
    /// figures are worked out when a sample lands, not on every snapshot.
    var riskWatch = RiskWatch()
    var riskFigures: RiskFigures?
    /// When the margin buffer last cut each account.
    var lastMarginCut: [AccountId: Timestamp] = [:]
    /// Live opportunities auto-approve has denied, and the check that denied each (recorded once per check).
    var autoDenied: [UInt64: String] = [:]
    /// Stopped-out assets still being sold down.
    var closing: [Asset: StopClosing] = [:]
    /// Every order of the session by client order id, and where each is in its life.
    var orderManager = OrderManager()
    var bookedObserver: (@Sendable (String, String, FixedDecimal) -> Void)?
    var eventObservers: [@Sendable (Notification) -> Void] = []
    var tradingStateObservers: [@Sendable (TradingStateChange) -> Void] = []
    var detectionObservers: [@Sendable (DetectionChanges, Timestamp) -> Void] = []
    /// Orders waiting to be sent again after a transient failure: when, and how many attempts so far.
    var retries: [(due: Timestamp, order: OrderRequest)] = []
    /// Orders whose speed-up the trader sent and whose venue has not answered yet.
    var speedingUp: Set<String> = []
    var attempts: [String: Int] = [:]
    var retryRandom = SeededGenerator(seed: 0x5EED)
    /// The venues, reached only through the seam; what they post waits in the inbox.
    let venues: VenueSet
    public nonisolated let inbox: VenueInbox
    /// Each venue's connection as it last said.
    var connections: [VenueId: ConnectionState] = [:]
    /// The contract each pool market trades through, as its venue describes it (what compliance screens).
    let poolAddresses: [MarketKey: String]
    /// The router each on-chain market's swaps are sent to, where it is not the pool.
    let routerAddresses: [MarketKey: String]
    /// Orders the kill switch asked venues to cancel, still waiting for the answer.
    var cancelsAwaited: Set<String> = []
    /// The last difference shown between each reconciled venue's account and the ledger, and venues being asked.
    var balanceMismatches: [VenueId: [BalanceDifference]] = [:]
    var balanceChecks: Set<VenueId> = []
    /// Perpetual venues' own margin figures (LIVE), the venues being asked, the last ask, and the position
    /// differences last shown.
    var venueMargins: [VenueId: VenueMargin] = [:]
    var marginChecks: Set<VenueId> = []
    var lastVenueMarginRequest = Timestamp.zero
    var positionMismatches: [VenueId: [PositionDifference]] = [:]
    /// The last funding time settled by the desk for each perpetual whose venue does not report funding.
    var fundingSettled: [MarketKey: Timestamp] = [:]
    /// Every notification also goes to the log, so a session can be read back after the screen is gone.
    let logger: Logger
    /// What a metrics backend reads (a no-op without one): made once, kept per label.
    var metrics: EngineMetrics

    /// Opens the desk on `venues`: their instruments make the market, the ledger the inventory; orders the ledger left
    /// in flight are settled with their venues (queried by client order id) before anything else can trade.
    /// `onBooked` hears every booking as it is committed, those the restart settles included.
    public init(config: EngineConfig, venues: VenueSet, ledger: Ledger, clock: any Clock = WallClock(),
                logger: Logger = Logger(label: "dexter.engine"),
                onBooked: (@Sendable (_ arbitrageId: String, _ status: String, _ realisedUSD: FixedDecimal) -> Void)? = nil)
    async throws {
        self.config = config
        self.bookedObserver = onBooked
        self.logger = logger
        self.clock = clock
        self.ledger = ledger.writer
        self.ledgerReader = ledger.reader
        let start = clock.now()
        self.sessionStart = start
        self.runId = try Self.unusedRunId(from: start, in: ledger.reader)
        // A fresh ledger takes the configured balances, and a reconciled venue's account what the venue says it
        // holds; an existing ledger keeps what was booked, and is compared with the venues below.
        var instruments: [VenueInstrument] = []
        var gas: [GasQuote] = []
        for client in venues.marketData {
            instruments += try await client.instruments()
            gas += try await client.currentGas()
        }
        // A chain's DEX venues share its wallet: that account is asked once, through the first of them.
        let accounts = Dictionary(instruments.map { ($0.market.venue.id, $0.market.venue.account) }) { first, _ in first }
        let venueHoldings = try await Self.venueHoldings(config, venues: venues, accounts: accounts)
        var opening = config.initialBalances.balances
        for (venue, held) in venueHoldings { opening[accounts[venue] ?? .exchange(venue)] = held }
        let freshLedger = try ledger.writer.seedBalances(opening.flatMap { account, assets in
            assets.map { BalanceChange(account: account.description, asset: $0.key.code, delta: $0.value) }
        })
        var portfolio = try Portfolio(ledger: ledger.reader, user: config.user, at: start)
        self.venues = venues
        self.inbox = VenueInbox()
        self.poolAddresses = Dictionary(instruments.compactMap { instrument in
            instrument.poolAddress.map { (instrument.market.key, $0) }
        }) { first, _ in first }
        self.routerAddresses = Dictionary(instruments.compactMap { instrument in
            instrument.routerAddress.map { (instrument.market.key, $0) }
        }) { first, _ in first }
        self.pipeline = MarketPipeline(markets: instruments.map(\.market), gas: gas,
                                       policy: config.detection, inventory: portfolio.inventory, start: start)
        self.lastRateSample = start
        self.metrics = EngineMetrics(venues: instruments.map(\.market.venue.id))
        for asset in portfolio.inventory.assets {
            if let price = pipeline.state.usdValue(of: asset) { portfolio.openingPrices[asset] = price }
        }
        if freshLedger {
            // The starting inventory opens its FIFO lots at the prices the market opens at.
            let prices = portfolio.openingPrices
            try ledger.writer.seedLots(opening.flatMap { account, assets in
                assets.compactMap { asset, quantity in
                    prices[asset].map { (account.description, asset.code, quantity, FixedDecimal(approximating: $0).rounded(digits: 8)) }
                }
            }, at: start)
        }
        portfolio.refreshLots(from: ledger.reader)
        self.portfolio = portfolio
        notify(.started(mode: config.mode, venues: pipeline.state.venues.count, markets: pipeline.state.markets.count),
               at: start)
        for alert in config.alerts { notify(.configAlert(alert), at: start) }
        // A halt, reducing, and stopped-out assets outlive a restart: only a risk manager's resume lifts them.
        let standing = try Self.standingState(from: ledger.reader, today: String(start.iso8601.prefix(10)),
                                              realisedToday: portfolio.pnl.realisedTodayUSD)
        self.control = standing
        if let halted = standing.haltReason { notify(.haltStandsFromLastSession(reason: halted), at: start) }
        // The session opening is the login of the audit trail; a ledger that cannot take it does not open at all.
        try ledger.writer.appendAudit(user: config.user, action: "login", detail: "\(config.mode) session", at: start,
                                      hash: Engine.auditHash)
        if freshLedger {
            for (venue, held) in venueHoldings.sorted(by: { $0.key < $1.key }) {
                audit("balances from venue", "\(venue): " + held.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                    .joined(separator: ", "), at: start)
                notify(.balancesFromVenue(venue, assets: held.count), at: start)
            }
        }
        for client in venues.executionClients { try await client.connect(inbox) }
        for client in venues.marketData {
            try await client.subscribe(instruments.map(\.market.key).filter { client.venueIds.contains($0.venue) }, into: inbox)
        }
        // Before any opportunity can be approved.
        do { try await reconcileInFlight(at: start) } catch {
            control.ledgerCannotBeWritten("orders in flight at the last stop could not be settled")
            notify(.restartReconciliationFailed(error: "\(error)"), at: start)
        }
        // An existing ledger against what the venues hold, once what the last stop left in flight is booked: an order
        // that filled while dexter was down is not a difference.
        if !freshLedger {
            for (venue, held) in venueHoldings.sorted(by: { $0.key < $1.key }) {
                reconcileBalances(venue, venueHoldings: held, announce: true, at: start)
            }
        }
    }

    /// The session's id, from the millisecond it opens at; a later one where the ledger holds a session of that
    /// millisecond already (a recording replayed again opens at the same recorded time).
    static func unusedRunId(from start: Timestamp, in ledger: LedgerReader) throws -> String {
        var millisecond = UInt64(max(0, start.nanoseconds / 1_000_000))
        while try ledger.hasRecords(ofRun: String(millisecond, radix: 36)) { millisecond += 1 }
        return String(millisecond, radix: 36)
    }

    /// Runs the desk until `stop()`: clocked venues (the simulator) are driven at their own step, and the engine
    /// takes what venues post as it arrives. A heartbeat every `housekeeping` lets timed work (retries due, silent
    /// orders, stops, risk samples) run when the market is quiet.
    public func run(housekeeping: Duration = .milliseconds(10), publishEvery: Duration = .milliseconds(50)) async {
        running = true
        publish(force: true)
        let clocked = venues.clocked, clock = self.clock, inbox = self.inbox
        // Venues run off the engine's executor, as venue I/O does: they only post into the inbox.
        let driver = Task.detached {
            guard let step = clocked.map(\.step).min() else { return }
            while !Task.isCancelled {
                for venue in clocked { venue.advance(to: clock.now()) }
                try? await Task.sleep(for: step)
            }
        }
        let heartbeat = Task.detached {
            while !Task.isCancelled {
                try? await Task.sleep(for: housekeeping)
                inbox.nudge()
            }
        }
        defer {
            driver.cancel()
            heartbeat.cancel()
        }
        for await _ in inbox.wakeups {
            guard running else { break }
            process()
            if clock.now().duration(since: lastPublish) >= publishEvery { publish() }
            // A wakeup already waiting is taken without suspending: yield, so that commands from the screen (an
            // approval, the kill switch, quit) are never starved by a market busier than the engine.
            await Task.yield()
        }
    }

    public func stop() {
        running = false
        inbox.nudge()
    }

    /// Drives the clocked venues up to now, then takes what every venue posted: for tests and headless runs that
    /// move the clock themselves.
    public func tick() {
        let now = clock.now()
        for venue in venues.clocked { venue.advance(to: now) }
        process()
    }

    /// One pass of the flow: what venues posted → state → detector, order updates → order manager → ledger; then
    /// whatever has come due.
    func process() {
        let now = clock.now()
        let batch = inbox.drain()
        for (venue, state) in batch.connections { connectionChanged(venue, to: state, at: now) }
        settleFundingAnnouncedBefore(batch.market, at: now)
        let changes = metrics.hasBackend && !batch.market.isEmpty
            ? measuredApply(batch, at: now) : pipeline.apply(batch.market, at: now)
        if !changes.isEmpty { for observer in detectionObservers { observer(changes, now) } }
        for update in batch.orders { handle(update) }
        for payment in batch.fundings { bookFunding(payment, reported: true) }
        settleDueFunding(at: now)
        let due = retries.filter { $0.due <= now }
        retries.removeAll { $0.due <= now }
        for retry in due {
            let order = retry.order
            // Only an order still waiting to go goes again (a cancel or a halt may have ended it meanwhile).
            guard let state = orderManager[order.clientOrderId]?.state, state == .submitted || state == .accepted else { continue }
            if let execution = orderManager[order.clientOrderId].flatMap({ inFlight[$0.arbitrageId] }),
               let refusal = orderCheck(order, purpose: execution.purpose) {
                transition(order.clientOrderId, .canceled, reason: "not sent again: \(refusal)", at: now)
                notify(.retryNotSent(order, refusal), at: now)
                settleUnsent(order, reason: "not sent again: \(refusal)", at: now)
                continue
            }
            submit(order.resent(at: now))
        }
        querySilentOrders(at: now)
        if riskWatch.isDue(at: now) { sampleRisk(at: now) }
        checkAutomaticHalts(at: now)
        checkStopLosses(at: now)
        requestVenueMargins(at: now)
        checkMarginBuffer(at: now)
        if config.autoApprove != nil {
            for id in changes.removed { autoDenied[id] = nil }
            for opportunity in changes.upserted { autoApprove(opportunity, at: now) }
        }
        let elapsed = now.duration(since: lastRateSample).secondsDouble
        if elapsed >= 1 {
            updatesPerSecond = Double(pipeline.updateCount - updatesSeenAtLastRate) / elapsed
            updatesSeenAtLastRate = pipeline.updateCount
            lastRateSample = now
            sampleMetrics(at: now)
        }
    }

    // MARK: Commands from the screen

    /// Starts an approval: re-prices the opportunity on the current market and asks the trader to confirm.
    public func requestApproval(of id: UInt64) {
        let now = clock.now()
        guard permitted(.approve, at: now), !awaitingConfirmation else { return }
        guard let opportunity = pipeline.opportunities.first(where: { $0.id == id }) else {
            notify(.opportunityGone(id), at: now)
            return publish(force: true)
        }
        if let refusal = refusal(for: opportunity, at: now) {
            notify(.approvalRefused(id, route: opportunity.route, refusal), at: now)
            return publish(force: true)
        }
        guard let repriced = pipeline.reprice(opportunity) else {
            notify(.noLongerProfitable(id, route: opportunity.route), at: now)
            return publish(force: true)
        }
        var pending = Confirmation(original: opportunity, repriced: repriced)
        pending.requestedBy = member.name
        pending.unwindCostUSD = unwindCostUSD(repriced)
        pending.legRiskAction = config.legRisk.action(for: repriced)
        confirmation = pending
        publish(force: true)
    }

    /// The trader said yes to the confirmation on screen. A second yes finds nothing to confirm.
    public func confirmApproval(of id: UInt64) {
        let now = clock.now()
        guard let pending = confirmation, pending.repriced.id == id, pending.requestedBy == member.name else { return }
        confirmation = nil
        guard permitted(.approve, at: now) else { return }
        let opportunity = pending.repriced
        if let refusal = refusal(for: opportunity, at: now) {
            notify(.approvalRefused(id, route: opportunity.route, refusal), at: now)
            return publish(force: true)
        }
        if let blocked = screening(opportunity) {
            notify(.blockedByScreening(id, route: opportunity.route, blocked), at: now)
            record(opportunity, decision: .denied, reason: "screening: \(blocked)", at: now)
            audit("screening blocked", "#\(id) \(opportunity.route): \(blocked)", at: now)
            return publish(force: true)
        }
        if let denial = riskCheck(opportunity) {
            notify(.riskDenied(id, route: opportunity.route, denial), at: now)
            record(opportunity, decision: .denied, reason: denial.description, at: now)
            return publish(force: true)
        }
        if let denial = deskShortfall(tradeProposal(opportunity)) {
            notify(.riskDenied(id, route: opportunity.route, denial), at: now)
            record(opportunity, decision: .denied, reason: denial.description, at: now)
            return publish(force: true)
        }
        audit("approve", "#\(id) \(opportunity.route) size \(opportunity.quantity) net $\(opportunity.netUSD.formatted(digits: 2))", at: now)
        execute(opportunity, at: now)
        publish(force: true)
    }

    public func cancelApproval() {
        if let pending = cycleConfirmation, pending.requestedBy == member.name {
            cycleConfirmation = nil
            notify(.cycle(pending.repriced.id, route: pending.repriced.route, .approvalCancelled), at: clock.now())
            return publish(force: true)
        }
        guard let pending = confirmation, pending.requestedBy == member.name else { return }
        confirmation = nil
        notify(.approvalCancelled(pending.repriced.id), at: clock.now())
        publish(force: true)
    }

    /// The trader turned the opportunity down; it is booked as rejected.
    public func reject(_ id: UInt64) {
        let now = clock.now()
        guard permitted(.reject, at: now) else { return }
        guard let opportunity = pipeline.opportunities.first(where: { $0.id == id }) else { return }
        record(opportunity, decision: .rejected, reason: "rejected by \(member.name)", at: now)
        audit("reject", "#\(id) \(opportunity.route)", at: now)
        notify(.rejected(id, route: opportunity.route), at: now)
        publish(force: true)
    }

    /// Approves without a key what the auto-approve policy admits: re-priced on the market now, then the same risk
    /// check and execution as a trader's approval.
    func autoApprove(_ opportunity: Opportunity, at now: Timestamp) {
        guard let policy = config.autoApprove, config.deskUser.may(.approve), !awaitingConfirmation, control.haltReason == nil,
              refusal(for: opportunity, at: now) == nil,
              let quoteUSD = pipeline.state.usdValue(of: opportunity.symbol.quote),
              policy.admits(opportunity, quoteUSD: quoteUSD),
              let repriced = pipeline.reprice(opportunity), policy.admits(repriced, quoteUSD: quoteUSD) else { return }
        // A live opportunity is updated many times a second; its denial is recorded (and audited) once per check
        // that denies it, not on every update.
        if let blocked = screening(repriced) {
            guard autoDenied[repriced.id] != "screening" else { return }
            autoDenied[repriced.id] = "screening"
            record(repriced, decision: .denied, reason: "auto-approve: screening: \(blocked)", at: now)
            audit("screening blocked", "#\(repriced.id) \(repriced.route): \(blocked)", at: now)
            return
        }
        if let denial = riskCheck(repriced) {
            guard autoDenied[repriced.id] != "\(denial.step)" else { return }
            autoDenied[repriced.id] = "\(denial.step)"
            record(repriced, decision: .denied, reason: "auto-approve: \(denial)", at: now)
            return
        }
        // Short of the desk-wide volume or a desk-wide cap: asked for, and approved on a later pass once granted.
        if deskShortfall(tradeProposal(repriced)) != nil { return }
        notify(.autoApproved(repriced.id, route: repriced.route, netUSD: repriced.netUSD), at: now)
        audit("auto-approve", "#\(repriced.id) \(repriced.route) size \(repriced.quantity) net $\(repriced.netUSD.formatted(digits: 2))", at: now)
        execute(repriced, at: now)
    }

    /// Called after each booking is committed (the headless runner prints it as an acknowledgement).
    public func onBooked(_ observer: @escaping @Sendable (_ arbitrageId: String, _ status: String, _ realisedUSD: FixedDecimal) -> Void) {
        bookedObserver = observer
    }

    /// Hears every desk event as it happens, starting with those already said this session (the headless runner
    /// writes them out).
    public func onEvent(_ observer: @escaping @Sendable (Notification) -> Void) {
        for said in notifications.reversed() { observer(said) }
        eventObservers.append(observer)
    }

    /// Hears each change of the trading state as it happens (a halt, reducing, a resume), with who made it: a shared
    /// desk carries it to the other boxes.
    public func onTradingState(_ observer: @escaping @Sendable (TradingStateChange) -> Void) {
        tradingStateObservers.append(observer)
    }

    /// Hears (with any others) each detection pass that changed the opportunities (new or re-priced, and gone), as it happens: not
    /// throttled like snapshots, so a stream of opportunities is as fresh as the detector. The observer must be quick.
    public func onDetection(_ observer: @escaping @Sendable (DetectionChanges, Timestamp) -> Void) {
        detectionObservers.append(observer)
    }

    /// Tells the trader: the Log panel, the session log (the event's words at its level), and any observer.
    func notify(_ event: DeskEvent, at time: Timestamp) {
        let said = Notification(time: time, event: event)
        notifications.insert(said, at: 0)
        notificationsSaid += 1
        let logLevel: Logger.Level = switch said.level {
        case .info, .success: .info
        case .warning: .warning
        case .error: .error
        }
        logger.log(level: logLevel, "\(said.text)")
        for observer in eventObservers { observer(said) }
        if !tradingStateObservers.isEmpty, let change = TradingStateChange(said.event, by: member.name) {
            for observer in tradingStateObservers { observer(change) }
        }
        if notifications.count > 200 { notifications.removeLast(notifications.count - 200) }
    }
}
