import DexterCore
import DexterVenues

/// One order the desk holds, by its client order id: what was sent, for which execution, where it is in its life,
/// and what its venue has said so far (fills summed exactly, each trade id once).
struct ManagedOrder: Sendable {
    var request: OrderRequest
    let arbitrageId: String
    let recordId: String
    /// The Orders panel's row: the order as the trader sees it.
    var row: OrderRow
    var venueOrderId: String?
    var tradeIds: Set<String> = []
    var filled = FixedDecimal.zero
    var notional = FixedDecimal.zero
    /// Fees in the quote asset, and in the base asset (what an exchange keeps of a buy's proceeds).
    var fee = FixedDecimal.zero
    var baseFee = FixedDecimal.zero
    var gas = FixedDecimal.zero
    var gasToken: Asset?
    var failure: ExecutionFailure?
    /// When the venue last said anything about it (or when it was sent): an order silent for too long is queried.
    var lastHeard: Timestamp
    /// A query by client id is under way.
    var querying = false

    var state: OrderState { row.state }

    /// What its updates add up to, as an outcome.
    func outcome(at time: Timestamp) -> ExecutionReport {
        let status: ExecutionReport.Status = switch state {
        case .filled: .filled
        case .rejected, .denied: .rejected
        case .expired: filled.isPositive ? .partiallyFilled : .expired
        case .canceled: filled.isPositive ? .partiallyFilled : .canceled
        case .initialized, .submitted, .accepted, .partiallyFilled, .pendingCancel: .working
        }
        return ExecutionReport(clientOrderId: request.clientOrderId, venue: request.venue, symbol: request.symbol,
                               side: request.side, status: status, reason: row.reason, filledQuantity: filled,
                               notional: notional, fee: fee, gas: gas, gasToken: gasToken, executedAt: time,
                               failure: failure, baseFee: baseFee)
    }
}

/// Every order of the session keyed by client order id, and the lifecycle each follows. It owns order state; the
/// Orders panel's rows are read from it (the newest `shown`, every live one kept whatever its age), so no order's
/// later transitions depend on its row still being on screen.
struct OrderManager: Sendable {
    /// How many finished orders are kept for the Orders panel.
    static let shown = 200

    private(set) var orders: [String: ManagedOrder] = [:]
    /// Client ids, newest first.
    private var recent: [String] = []

    /// A lifecycle step taken: what the ledger's order events record.
    struct Step: Sendable, Hashable {
        let event: OrderEvent
        let from: OrderState
        let to: OrderState
    }

    /// What an update changed.
    struct Applied: Sendable {
        var steps: [Step] = []
        /// Set when the update ended the order: its whole outcome.
        var outcome: ExecutionReport?
        /// An update the order's state cannot take (a venue saying something impossible).
        var refused: IllegalTransition?
    }

    subscript(clientOrderId: String) -> ManagedOrder? { orders[clientOrderId] }

    mutating func add(_ request: OrderRequest, arbitrageId: String, recordId: String, row: OrderRow) {
        orders[request.clientOrderId] = ManagedOrder(request: request, arbitrageId: arbitrageId, recordId: recordId,
                                                     row: row, lastHeard: row.submittedAt)
        recent.insert(request.clientOrderId, at: 0)
        trim()
    }

    /// Moves an order one step; throws (and leaves it unchanged) when the step is illegal from where it is; nil for an
    /// order it does not hold.
    mutating func step(_ clientOrderId: String, _ event: OrderEvent, at time: Timestamp) throws(IllegalTransition) -> Step? {
        guard var order = orders[clientOrderId] else { return nil }
        let from = order.row.state
        let to = try OrderLifecycle.next(from, on: event, filledSoFar: order.filled.isPositive)
        order.row.state = to
        order.row.updatedAt = time
        order.lastHeard = time
        orders[clientOrderId] = order
        return Step(event: event, from: from, to: to)
    }

    /// Folds a venue's update into its order. A repeated fill (same trade id) counts once.
    mutating func apply(_ update: OrderUpdate) -> Applied {
        var applied = Applied()
        guard var order = orders[update.clientOrderId] else { return applied }
        order.lastHeard = update.at
        order.gas += update.gas
        if let token = update.gasToken { order.gasToken = token }
        let event: OrderEvent
        switch update.kind {
        case .routeChanged:
            if let route = update.route, !order.state.isTerminal { order.row.route = route }
            orders[update.clientOrderId] = order
            return applied
        case .accepted(let venueOrderId):
            order.venueOrderId = venueOrderId
            if let route = update.route { order.row.route = route }
            // Accepted after a fill already arrived (updates crossing on the wire) changes nothing.
            guard order.state == .submitted else { orders[update.clientOrderId] = order; return applied }
            event = .accept
        case .fill(let fill):
            guard order.tradeIds.insert(fill.tradeId).inserted else { orders[update.clientOrderId] = order; return applied }
            order.filled += fill.quantity
            order.notional += fill.notional
            if fill.feeAsset == order.request.symbol.quote { order.fee += fill.fee }
            if fill.feeAsset == order.request.symbol.base { order.baseFee += fill.fee }
            event = .fill(complete: order.filled >= order.request.quantity)
        case .canceled(let reason):
            order.row.reason = reason ?? order.row.reason
            event = .canceled
        case .expired(let reason):
            order.row.reason = reason ?? order.row.reason
            event = .expire
        case .rejected(let failure):
            order.failure = failure
            order.row.reason = failure.detail
            event = .reject
        case .cancelRejected(let reason):
            // Only an order waiting on its cancel hears this; one already done keeps its end.
            guard order.state == .pendingCancel else { orders[update.clientOrderId] = order; return applied }
            order.row.reason = reason
            event = .cancelRejected
        }
        order.row.filled = order.filled
        order.row.averagePrice = order.filled.isPositive ? order.notional / order.filled : .zero
        orders[update.clientOrderId] = order
        do {
            if let step = try step(update.clientOrderId, event, at: update.at) { applied.steps.append(step) }
        } catch {
            applied.refused = error
            return applied
        }
        if let done = orders[update.clientOrderId], done.state.isTerminal {
            applied.outcome = done.outcome(at: update.at)
        }
        return applied
    }

    /// The venue's answer to a query replaces what its updates said (it is the venue's own account of the order).
    mutating func settle(_ clientOrderId: String, with report: ExecutionReport) -> Applied {
        guard var order = orders[clientOrderId] else { return Applied() }
        order.filled = report.filledQuantity
        order.notional = report.notional
        order.fee = report.fee
        order.baseFee = report.baseFee
        order.gas = report.gas
        order.gasToken = report.gasToken ?? order.gasToken
        order.failure = report.failure
        order.row.reason = report.reason ?? order.row.reason
        order.row.filled = report.filledQuantity
        order.row.averagePrice = report.averagePrice
        order.querying = false
        orders[clientOrderId] = order
        var applied = Applied()
        for event in OrderEvent.settling(report.status) {
            // A step already taken (a fill the updates did bring) is skipped, not refused.
            guard let step = try? step(clientOrderId, event, at: report.executedAt) else { continue }
            applied.steps.append(step)
        }
        if let done = orders[clientOrderId], done.state.isTerminal { applied.outcome = done.outcome(at: report.executedAt) }
        return applied
    }

    mutating func setQuerying(_ clientOrderId: String, _ querying: Bool, at time: Timestamp) {
        orders[clientOrderId]?.querying = querying
        if !querying { orders[clientOrderId]?.lastHeard = time }
    }

    mutating func setReason(_ clientOrderId: String, _ reason: String?) { orders[clientOrderId]?.row.reason = reason }

    mutating func replaceRequest(_ request: OrderRequest) { orders[request.clientOrderId]?.request = request }

    /// Orders at a venue that have not ended (sent, and not denied or done).
    var live: [ManagedOrder] { orders.values.filter { $0.state.isLive }.sorted { $0.request.clientOrderId < $1.request.clientOrderId } }

    /// Live orders the venue has not spoken of for `silence`, and that are not already being queried.
    /// Checked on every pass of the engine: one filter, and only what is silent (rarely anything) is sorted.
    func silent(for silence: Duration, at now: Timestamp) -> [ManagedOrder] {
        orders.values.filter { $0.state.isLive && !$0.querying && now.duration(since: $0.lastHeard) >= silence }
            .sorted { $0.request.clientOrderId < $1.request.clientOrderId }
    }

    /// The Orders panel's rows, newest first.
    func rows(limit: Int) -> [OrderRow] { recent.prefix(limit).compactMap { orders[$0]?.row } }

    /// Finished orders beyond the newest `shown` are forgotten (their story is in the ledger); live ones never are.
    private mutating func trim() {
        guard recent.count > Self.shown else { return }
        var kept: [String] = []
        for (position, id) in recent.enumerated() {
            if position < Self.shown || orders[id]?.state.isTerminal == false { kept.append(id) } else { orders[id] = nil }
        }
        recent = kept
    }
}
