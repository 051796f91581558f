import DexterCore
import DexterLedger
import DexterMarket
import DexterRisk
import DexterVenues

/// The trading state — active, reducing, halted — and what changes it: the kill switch (and the cancels it makes),
/// reducing, resume, and what a restart reads back of them.
extension Engine {
    /// The kill switch. Idempotent: a second press changes nothing.
    public func halt(_ reason: String) {
        let now = clock.now()
        // The role first: a refusal is audited even when the desk is halted already.
        guard permitted(.halt, at: now), control.state != .halted else { return }
        stopTrading(reason, at: now)
    }

    /// Halts for the desk itself (leg risk, an automatic limit): no user's permission is involved.
    func stopTrading(_ reason: String, at now: Timestamp) {
        guard control.halt(reason) else { return }
        audit("halt", reason, at: now)
        if let pending = confirmation {
            confirmation = nil
            notify(.approvalDroppedByHalt(pending.repriced.id), at: now)
        }
        if let pending = cycleConfirmation {
            cycleConfirmation = nil
            notify(.cycle(pending.repriced.id, route: pending.repriced.route, .approvalDroppedByHalt), at: now)
        }
        let canceled = cancelUnsent(because: "canceled by the halt", at: now)
        let asked = cancelAtVenues(at: now)
        sweepRestingOrders()
        // What a venue has executed already (an IOC leg, a swap in the mempool) resolves and is booked.
        notify(.halted(reason: reason, unsentCanceled: canceled, cancelsSent: asked), at: now)
        publish(force: true)
    }

    /// Asks each venue to cancel every order of the desk it holds; the answers come back as updates, and the trader is
    /// told when the last one has. Returns how many were asked.
    func cancelAtVenues(at now: Timestamp) -> Int {
        let waitingToRetry = Set(retries.map(\.order.clientOrderId))
        var asked = 0
        for order in orderManager.live where order.state != .pendingCancel && !waitingToRetry.contains(order.request.clientOrderId) {
            guard let client = venues.execution[order.request.venue] else { continue }
            transition(order.request.clientOrderId, .cancelRequested, reason: "cancel sent by the halt", at: now)
            cancelsAwaited.insert(order.request.clientOrderId)
            client.cancel(order.request.clientOrderId, on: order.request.venue)
            asked += 1
        }
        return asked
    }

    /// Cancels whatever rests at each live venue's account, orders this session never sent included (a GTC left by
    /// the trader, or by an earlier session): a halt leaves nothing working anywhere.
    func sweepRestingOrders() {
        for venue in config.reconciledVenues {
            guard let client = venues.execution[venue] else { continue }
            Task {
                let answer: Result<[String], any Error>
                do { answer = .success(try await client.cancelOpenOrders(on: venue)) } catch { answer = .failure(error) }
                self.sweepAnswered(venue, answer)
            }
        }
    }

    func sweepAnswered(_ venue: VenueId, _ answer: Result<[String], any Error>) {
        let now = clock.now()
        switch answer {
        case .success(let ids) where ids.isEmpty: return
        case .success(let ids):
            audit("resting orders canceled", "\(venue): " + ids.joined(separator: ", "), at: now)
            notify(.restingOrdersCanceled(venue, clientOrderIds: ids), at: now)
        case .failure(let error):
            notify(.restingOrdersNotCanceled(venue, error: "\(error)"), at: now)
        }
        publish(force: true)
    }

    /// A venue answered one of the halt's cancels (or the order ended first).
    func cancelAnswered(_ clientOrderId: String, at now: Timestamp) {
        guard cancelsAwaited.remove(clientOrderId) != nil, cancelsAwaited.isEmpty else { return }
        notify(.venueCancelsAnswered, at: now)
    }

    /// Cancels every order the desk holds but has not sent: orders waiting to be sent again after a transient failure
    /// (canceled in the ledger) and second legs held back for their first (not sent). Their executions are booked
    /// when nothing else of them is out. Returns how many.
    func cancelUnsent(because reason: String, at now: Timestamp) -> Int {
        var count = 0
        let waiting = retries.map(\.order)
        retries.removeAll()
        for order in waiting {
            transition(order.clientOrderId, .canceled, reason: reason, at: now)
            settleUnsent(order, reason: reason, at: now)
            count += 1
        }
        for (arbitrageId, execution) in inFlight where !execution.held.isEmpty {
            inFlight[arbitrageId]?.held = []
            for order in execution.held {
                guard let current = inFlight[arbitrageId] else { break }
                denyUnsent(order, of: current, reason: "not sent: \(reason)", at: now)
                settleUnsent(order, reason: "not sent: \(reason)", at: now)
                count += 1
            }
        }
        return count
    }

    /// Gives an order that never (again) left an empty answer in its execution, and books the execution if that was
    /// the last one out.
    func settleUnsent(_ order: OrderRequest, reason: String, at now: Timestamp) {
        guard let arbitrageId = orderManager[order.clientOrderId]?.arbitrageId,
              var execution = inFlight[arbitrageId] else { return }
        execution.reports[order.clientOrderId] = ExecutionReport(
            clientOrderId: order.clientOrderId, venue: order.venue, symbol: order.symbol, side: order.side, status: .rejected,
            reason: reason, filledQuantity: .zero, notional: .zero, fee: .zero, gas: .zero, gasToken: nil, executedAt: now)
        orderManager.setReason(order.clientOrderId, reason)
        inFlight[arbitrageId] = execution
        guard execution.isComplete else { return }
        inFlight[arbitrageId] = nil
        book(execution, at: now)
    }

    /// What the last session left in force, read back from the audit trail (see `TradingControl`).
    static func standingState(from reader: LedgerReader, today: String, realisedToday: FixedDecimal) throws -> TradingControl {
        let entries = try reader.auditEntries(actions: TradingControl.standingActions)
        return TradingControl(standingFrom: entries.map { .init(action: $0.action, detail: $0.detail, at: $0.at) },
                              today: today, realisedToday: realisedToday)
    }

    /// Trading state reducing: approvals of new arbitrage are refused, corrections that cut exposure still run.
    public func reduce(_ reason: String) {
        let now = clock.now()
        guard permitted(.setTradingState, at: now), control.state == .active, control.reduce(reason) else { return }
        audit("reducing", reason, at: now)
        notify(.reducing(reason: reason), at: now)
        publish(force: true)
    }

    /// Lifts a halt, or reducing, and re-arms the stop-losses that fired (a stop still past its limit fires again).
    public func resume() {
        let now = clock.now()
        let action: DeskAction
        switch control.pendingResumption {
        case .fromReducing: action = .setTradingState
        case .nothingToResume, .stopsOnly, .fromHalt, .refused: action = .resume
        }
        // The role first: a member who may not resume is refused (and audited) even when there is nothing to resume.
        guard permitted(action, at: now) else { return }
        switch control.resume(realisedToday: portfolio.pnl.realisedTodayUSD) {
        case .nothingToResume: return
        case .refused(let reason):
            notify(.resumeRefused(reason: reason), at: now)
        case .fromReducing(let reducing):
            audit("active", "after reducing: \(reducing)", at: now)
            notify(.active(afterReducing: reducing), at: now)
            rearmStops(at: now)
        case .stopsOnly:
            rearmStops(at: now)
        case .fromHalt(let reason, let baseline):
            let said = baseline.isNegative ? TradingControl.baselineMarker + "\(baseline) USD" : ""
            audit("resume", "after: \(reason)" + said, at: now)
            notify(.resumed(afterHalt: reason, lossBaselineUSD: baseline), at: now)
            rearmStops(at: now)
        }
        publish(force: true)
    }

    func rearmStops(at now: Timestamp) {
        let assets = control.rearmStops()
        guard !assets.isEmpty else { return }
        closing = [:]
        audit("stop re-armed", assets.map(\.code).joined(separator: ", "), at: now)
        notify(.stopsRearmed(assets), at: now)
    }

    /// Halts as the desk itself does (a watchdog, a test): no user permission is involved; resuming needs one.
    public func haltByDesk(_ reason: String = "a watchdog") {
        stopTrading("automatic halt: \(reason)", at: clock.now())
        publish(force: true)
    }

    /// The desk's trading state as the pre-trade check sees it.
    public var tradingState: TradingState { control.state }
}
