import DexterCore
import DexterCrypto
import DexterDetect
import DexterLedger
import DexterMarket
import DexterRisk
import DexterVenues

/// Orders the desk sent together and books as one: an approved arbitrage's legs, the correction of uneven legs, or
/// the orders closing a position (a stop-loss).
struct Execution: Sendable {
    let arbitrageId: String
    /// The approval on disk the booking refers to (written before any order left).
    let recordId: String
    let symbol: Symbol
    /// The arbitrage behind it; nil for orders the desk sends on its own (a stop-loss), which carry their own record.
    let opportunity: Opportunity?
    let closingRecord: OpportunityRecord?
    var orders: [PaperOrder]
    var reports: [String: ExecutionReport] = [:]
    var purpose: ExecutionPurpose = .arbitrage
    /// Sequential legs: the order held back until the first one fills.
    var heldBack: PaperOrder?

    init(arbitrageId: String, recordId: String, opportunity: Opportunity, orders: [PaperOrder], purpose: ExecutionPurpose) {
        self.arbitrageId = arbitrageId
        self.recordId = recordId
        self.symbol = opportunity.symbol
        self.opportunity = opportunity
        self.closingRecord = nil
        self.orders = orders
        self.purpose = purpose
    }

    /// Orders the desk sends on its own in one instrument (a stop-loss, a margin cut), booked against `record`.
    init(closing orders: [PaperOrder], arbitrageId: String, record: OpportunityRecord, purpose: ExecutionPurpose) {
        precondition(!orders.isEmpty && Set(orders.map(\.symbol)).count == 1, "closing orders share one instrument")
        self.arbitrageId = arbitrageId
        self.recordId = record.id
        self.symbol = orders[0].symbol
        self.opportunity = nil
        self.closingRecord = record
        self.orders = orders
        self.purpose = purpose
    }

    var isComplete: Bool { reports.count == orders.count }

    /// How the trader knows it: "#12 ETH/USDT binance>kraken", or "stop-loss ETH on binance".
    var label: String {
        if let opportunity, case .arbitrage = purpose { return "#\(opportunity.id) \(opportunity.route)" }
        return "\(purpose) \(symbol) on \(orders.map(\.venue.name).joined(separator: ", "))"
    }
}

/// Why an execution exists: an approved arbitrage, the correction of one whose legs came back uneven, or a
/// position closed by its stop-loss.
enum ExecutionPurpose: Sendable, Hashable, CustomStringConvertible {
    case arbitrage
    case correction(of: String, action: LegRiskAction)
    case stopLoss(Asset)
    /// Perpetuals cut by the margin buffer, for this account (and their hedges elsewhere).
    case marginReduction(AccountId)

    var description: String {
        switch self {
        case .arbitrage: "arbitrage"
        case .correction(let parent, let action): "\(action.rawValue) of \(parent)"
        case .stopLoss(let asset): "stop-loss \(asset)"
        case .marginReduction(let account): "margin buffer \(account)"
        }
    }

    /// How the Orders panel tags its orders when not by the arbitrage's number.
    var orderTag: String? {
        switch self {
        case .arbitrage, .correction: nil
        case .stopLoss: "stop"
        case .marginReduction: "margin"
        }
    }

    /// What the ledger calls it.
    var bookingKind: ArbitrageBooking.Kind {
        switch self {
        case .arbitrage: .arbitrage
        case .correction: .correction
        case .stopLoss: .stopLoss
        case .marginReduction: .marginReduction
        }
    }
}

/// A booking whose approval record cannot be found: never booked without it.
struct ApprovalMissing: Error, CustomStringConvertible {
    let recordId: String
    var description: String { "its approval \(recordId) is not on disk" }
}

extension Engine {
    /// Sends both legs at once, each an IOC limit at the worst price the approved numbers allow.
    func execute(_ opportunity: Opportunity, at now: Timestamp) {
        sequence += 1
        let arbitrageId = "\(runId)-a\(sequence)"
        let recordId = "\(runId)-o\(opportunity.id).\(sequence)"
        let orders = opportunity.legs.enumerated().map { index, leg in
            PaperOrder(clientOrderId: "\(arbitrageId)-\(index + 1)", venue: leg.venue, symbol: leg.symbol,
                       side: leg.side, quantity: leg.quantity, limitPrice: limitPrice(for: leg), submittedAt: now)
        }
        // The approval is on disk before any order leaves, so a crash mid-execution can still be booked against it.
        do {
            try ledger.record(opportunityRecord(opportunity, id: recordId, decision: .approved, reason: nil, at: now))
        } catch {
            haltOnLedgerFailure("before sending #\(opportunity.id): \(error); nothing was sent", at: now)
            return
        }
        var execution = Execution(arbitrageId: arbitrageId, recordId: recordId, opportunity: opportunity, orders: orders,
                                  purpose: .arbitrage)
        if config.sequentialRoutes.contains("\(opportunity.buy.venue.name)>\(opportunity.sell.venue.name)") {
            // Riskiest first: an on-chain leg (it can revert, and waits for a block), else the leg that reaches
            // deepest into its book. The other goes only for what the first filled.
            let riskiest = Self.riskiestLegIndex(opportunity, state: pipeline.state)
            execution.heldBack = orders[1 - riskiest]
            send([orders[riskiest]], for: execution, at: now)
            notify(.info, "#\(opportunity.id) \(opportunity.route) approved, legs in sequence: \(orders[riskiest].venue) first", at: now)
            return
        }
        send(orders, for: execution, at: now)
        notify(.info, "#\(opportunity.id) \(opportunity.route) approved: \(opportunity.quantity) \(opportunity.symbol.base) for est. $\(opportunity.netUSD.formatted(digits: 2)), orders sent", at: now)
    }

    /// Persists each order's submission, then hands the orders to their venues, and tracks them as part of
    /// `execution` (which lists every order it will book, sent now or later).
    func send(_ orders: [PaperOrder], for execution: Execution, at now: Timestamp) {
        let arbitrageId = execution.arbitrageId, recordId = execution.recordId
        for order in orders {
            self.orders.insert(orderRow(order, of: execution, at: now), at: 0)
            liveOrders[order.clientOrderId] = (order, arbitrageId, recordId)
            // On disk before it leaves: after a crash, restart finds it and asks its venue what became of it.
            transition(order.clientOrderId, .submit, filled: .zero, reason: nil, at: now)
            // The venue's rate budget is spent as the order leaves (corrections spend it too; the check ran before).
            var bucket = rateBucket(order.venue)
            _ = bucket.take(at: now)
            rateBuckets[order.venue] = bucket
            pipeline.submit(order)
        }
        if self.orders.count > 200 { self.orders.removeLast(self.orders.count - 200) }
        inFlight[arbitrageId] = execution
    }

    /// The Orders panel's row for an order of `execution`, before it is sent.
    func orderRow(_ order: PaperOrder, of execution: Execution, at now: Timestamp) -> OrderRow {
        var row = OrderRow(clientOrderId: order.clientOrderId, opportunityId: execution.opportunity?.id ?? 0,
                           venue: order.venue.name, side: order.side == .buy ? "buy" : "sell", symbol: order.symbol.description,
                           quantity: order.quantity, limitPrice: order.limitPrice, filled: .zero, averagePrice: .zero,
                           state: .initialized, reason: nil, submittedAt: now, updatedAt: now)
        row.tag = execution.purpose.orderTag ?? row.tag
        return row
    }

    /// An order of `execution` that will never be sent: on the panel and in the ledger as denied, with why.
    func denyUnsent(_ order: PaperOrder, of execution: Execution, reason: String, at now: Timestamp) {
        orders.insert(orderRow(order, of: execution, at: now), at: 0)
        liveOrders[order.clientOrderId] = (order, execution.arbitrageId, execution.recordId)
        transition(order.clientOrderId, .deny, filled: .zero, reason: reason, at: now)
    }

    static func riskiestLegIndex(_ opportunity: Opportunity, state: MarketState) -> Int {
        let legs = opportunity.legs
        let onChain = legs.map { state[MarketKey(venue: $0.venue, symbol: $0.symbol)]?.venue.kind.chain != nil }
        if onChain[0] != onChain[1] { return onChain[0] ? 0 : 1 }
        let reach = legs.map { leg in ((leg.worstPrice - leg.averagePrice).magnitude / leg.averagePrice).doubleValue }
        return reach[0] >= reach[1] ? 0 : 1
    }

    /// The first of sequential legs has its answer: the second goes for what it filled, or not at all.
    func releaseSecondLeg(_ second: PaperOrder, after first: ExecutionReport, in execution: inout Execution) {
        let now = clock.now()
        let lot = pipeline.state[MarketKey(venue: second.venue, symbol: second.symbol)]?.instrument.lotSize ?? FixedDecimal("0.00000001")!
        let quantity = FixedDecimal.min(second.quantity, first.filledQuantity).rounded(toMultipleOf: lot, .down)
        guard first.filledQuantity.isPositive, quantity.isPositive else {
            // Never sent: booked as not sent, with no fill.
            denyUnsent(second, of: execution, reason: "not sent: the first leg did not fill", at: now)
            execution.reports[second.clientOrderId] = ExecutionReport(
                clientOrderId: second.clientOrderId, venue: second.venue, symbol: second.symbol, side: second.side, status: .rejected,
                reason: "not sent: the first leg did not fill", filledQuantity: .zero, notional: .zero, fee: .zero, gas: .zero,
                gasToken: nil, executedAt: now)
            return
        }
        let sized = PaperOrder(clientOrderId: second.clientOrderId, venue: second.venue, symbol: second.symbol, side: second.side,
                               quantity: quantity, limitPrice: second.limitPrice, submittedAt: now)
        if let index = execution.orders.firstIndex(where: { $0.clientOrderId == second.clientOrderId }) { execution.orders[index] = sized }
        send([sized], for: execution, at: now)
    }

    /// A transient failure (timeout, network, rate limit) is not the order's end: it is sent again with the same
    /// client order id after a capped, jittered backoff, while its quotes are fresh and attempts remain. The order
    /// stays live meanwhile. Returns whether it was rescheduled.
    func retryIfTransient(_ report: ExecutionReport, _ execution: Execution) -> Bool {
        guard report.status == .rejected, let order = execution.orders.first(where: { $0.clientOrderId == report.clientOrderId })
        else { return false }
        let failure = FailureClassifier.classify(message: report.reason ?? "")
        let attempt = (attempts[order.clientOrderId] ?? 0) + 1
        let now = clock.now()
        guard !(execution.opportunity?.isExpired(at: now) ?? false) || execution.purpose != .arbitrage,
              let delay = config.retry.delay(after: failure, attempt: attempt, random: &retryRandom) else { return false }
        attempts[order.clientOrderId] = attempt
        retries.append((now.adding(delay), order))
        notify(.warning, "\(order.venue) \(order.side) \(order.symbol) \(failure.description); sending \(order.clientOrderId) again in "
               + "\(delay.nanosecondsClamped / 1_000_000) ms (attempt \(attempt + 1) of \(config.retry.maxAttempts))", at: now)
        return true
    }

    /// Nothing more is sent once the ledger cannot be written; `resume` does not lift it, a restart does.
    /// Appends to the audit trail; a trail that cannot be written stops trading like any ledger failure.
    func audit(_ action: String, _ detail: String, at time: Timestamp) {
        do {
            try ledger.appendAudit(user: config.user, action: action, detail: detail, at: time, hash: Engine.auditHash)
        } catch {
            haltOnLedgerFailure("(audit \(action): \(error))", at: time)
        }
    }

    /// The audit chain's hash: SHA-256, hex.
    public static let auditHash: AuditHash = { OpenSSL.sha256Hex($0) }

    func haltOnLedgerFailure(_ detail: String, at time: Timestamp) {
        haltReason = "the ledger could not be written"
        ledgerFailed = true
        notify(.error, "LEDGER WRITE FAILED \(detail); trading halted", at: time)
    }

    /// Moves an order through its lifecycle and persists the transition. An illegal transition is a bug or a venue
    /// saying something impossible: it is logged and the order keeps its state.
    func transition(_ clientOrderId: String, _ event: OrderEvent, filled: FixedDecimal, reason: String?, at time: Timestamp) {
        guard let row = orders.firstIndex(where: { $0.clientOrderId == clientOrderId }),
              let (order, arbitrageId, recordId) = liveOrders[clientOrderId] else { return }
        let from = orders[row].state
        let to: OrderState
        do { to = try OrderLifecycle.next(from, on: event, filledSoFar: filled.isPositive) } catch {
            notify(.error, "\(clientOrderId): \(error)", at: time)
            return
        }
        orders[row].state = to
        orders[row].updatedAt = time
        if to.isTerminal { liveOrders[clientOrderId] = nil }
        do {
            try ledger.recordOrderEvent(OrderEventRecord(
                orderId: clientOrderId, arbitrageId: arbitrageId, venue: order.venue.name, pair: order.symbol.description,
                side: order.side, quantity: order.quantity, limitPrice: order.limitPrice, event: event.name,
                fromState: from.rawValue, toState: to.rawValue, filled: filled, reason: reason, at: time, opportunityId: recordId))
        } catch {
            haltOnLedgerFailure("for order \(clientOrderId): \(error)", at: time)
        }
    }

    /// On a book, the deepest level the quote reached; on a pool, the average price moved by the slippage tolerance.
    func limitPrice(for leg: OpportunityLeg) -> FixedDecimal {
        guard let market = pipeline.state[MarketKey(venue: leg.venue, symbol: leg.symbol)], market.liquidity.isPool else {
            return leg.worstPrice
        }
        let tolerance = config.swapSlippageTolerance
        let average = (leg.notional + (leg.side == .buy ? leg.fee : -leg.fee)) / leg.quantity
        return leg.side == .buy ? average * (.one + tolerance) : average * (.one - tolerance)
    }

    func handle(_ report: ExecutionReport) {
        guard let arbitrageId = inFlight.first(where: { $0.value.orders.contains { $0.clientOrderId == report.clientOrderId } })?.key,
              var execution = inFlight[arbitrageId] else { return }
        if retryIfTransient(report, execution) { return }
        if let second = execution.heldBack, second.clientOrderId != report.clientOrderId {
            execution.heldBack = nil
            inFlight[arbitrageId] = execution
            releaseSecondLeg(second, after: report, in: &execution)
            inFlight[arbitrageId] = execution
        }
        execution.reports[report.clientOrderId] = report
        inFlight[arbitrageId] = execution
        for event in OrderEvent.settling(report.status) {
            transition(report.clientOrderId, event, filled: report.filledQuantity, reason: report.reason, at: report.executedAt)
        }
        if let row = orders.firstIndex(where: { $0.clientOrderId == report.clientOrderId }) {
            orders[row].filled = report.filledQuantity
            orders[row].averagePrice = report.averagePrice
            orders[row].reason = report.reason
            orders[row].updatedAt = report.executedAt
        }
        let now = clock.now()
        if report.status == .rejected || report.status == .expired {
            // Paper IOC orders are never retried here: a miss at the limit is the market moving, not the network.
            let failure = FailureClassifier.classify(message: report.reason ?? "no reason given")
            notify(.error, "\(report.venue) \(report.side) \(report.symbol) failed \(failure.description) (\(report.reason ?? "no detail"))",
                   at: now)
        }
        guard execution.isComplete else { return }
        inFlight[arbitrageId] = nil
        book(execution, at: now)
    }
}
