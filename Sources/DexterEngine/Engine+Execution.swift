import DexterCore
import DexterCrypto
import DexterDetect
import DexterLedger
import DexterMarket
import DexterRisk
import DexterVenues

extension Engine {
    /// Sends both legs at once, each an IOC limit at the worst price the approved numbers allow.
    func execute(_ opportunity: Opportunity, at now: Timestamp) {
        sequence += 1
        let arbitrageId = "\(runId)-a\(sequence)"
        let recordId = "\(runId)-o\(opportunity.id).\(sequence)"
        let orders = opportunity.legs.enumerated().map { index, leg in
            OrderRequest(clientOrderId: "\(arbitrageId)-\(index + 1)", venue: leg.venue, symbol: leg.symbol,
                       side: leg.side, quantity: leg.quantity, limitPrice: limitPrice(for: leg), submittedAt: now)
        }
        // The approval is on disk before any order leaves, so a crash mid-execution can still be booked against it.
        do {
            try committing(.decision) {
                try ledger.record(opportunityRecord(opportunity, id: recordId, decision: .approved, reason: nil, at: now))
            }
            metrics.decisions[.approved]?.increment()
        } catch {
            haltOnLedgerFailure(.init(.approval(opportunityId: opportunity.id), error), at: now)
            return
        }
        takeDeskVolume(tradeProposal(opportunity), at: now)
        var execution = Execution(arbitrageId: arbitrageId, recordId: recordId, opportunity: opportunity, orders: orders,
                                  purpose: .arbitrage)
        execution.approvedBy = member.name
        if config.sequentialRoutes.contains("\(opportunity.buy.venue.name)>\(opportunity.sell.venue.name)") {
            // Riskiest first: an on-chain leg (it can revert, and waits for a block), else the leg that reaches
            // deepest into its book. The other goes only for what the first filled.
            let riskiest = Self.riskiestLegIndex(opportunity, state: pipeline.state)
            execution.held = [orders[1 - riskiest]]
            send([orders[riskiest]], for: execution, at: now)
            notify(.approvedInSequence(opportunity.id, route: opportunity.route, firstVenue: orders[riskiest].venue),
                   at: now)
            return
        }
        send(orders, for: execution, at: now)
        notify(.approved(opportunity.id, route: opportunity.route, quantity: opportunity.quantity,
                         estimatedNetUSD: opportunity.netUSD), at: now)
    }

    /// Persists each order's submission, then hands the orders to their venues, and tracks them as part of
    /// `execution` (which lists every order it will book, sent now or later).
    ///
    /// This is the one way into the venues: approvals, auto-approvals, sequential second legs, leg-risk corrections,
    /// stop-losses and margin cuts all come through here, and each order passes `orderCheck` first. An arbitrage's
    /// eleven pre-trade checks ran on the whole before its legs got here; what `orderCheck` adds holds for every
    /// order, and an order that only cuts exposure is held to the checks that apply to it.
    func send(_ orders: [OrderRequest], for execution: Execution, at now: Timestamp) {
        let arbitrageId = execution.arbitrageId, recordId = execution.recordId
        inFlight[arbitrageId] = execution
        for order in orders {
            if let refusal = orderCheck(order, purpose: execution.purpose) ?? gasRefusal(order) {
                guard let current = inFlight[arbitrageId] else { continue }
                denyUnsent(order, of: current, reason: "not sent: \(refusal)", at: now)
                notify(.orderNotSent(order, refusal), at: now)
                settleUnsent(order, reason: "not sent: \(refusal)", at: now)
                continue
            }
            orderManager.add(order, arbitrageId: arbitrageId, recordId: recordId, row: orderRow(order, of: execution, at: now))
            // On disk before it leaves: after a crash, restart finds it and asks its venue what became of it.
            transition(order.clientOrderId, .submit, at: now)
            submit(order)
        }
        // What these orders may spend is held back from the next trade until their execution is booked.
        inventoryChanged()
    }

    /// What every order must pass on its way out, whatever sent it: a ledger that can be written; a trading state
    /// that allows it (halted: only a margin cut, the alternative being the venue's liquidation; reducing: only
    /// what cuts exposure); a venue that is connected and has an execution client. Nil when it may go.
    func orderCheck(_ order: OrderRequest, purpose: ExecutionPurpose) -> OrderRefusal? {
        if let refusal = control.refusal(for: purpose) { return refusal }
        if let connection = connections[order.venue], !connection.isTradable {
            return .venueNotTradable(order.venue, connection)
        }
        if venues.execution[order.venue] == nil { return .noExecutionClient(order.venue) }
        return nil
    }

    /// The last step to a venue, for an order that passed `orderCheck` (a retry passes it again before it comes
    /// here): its rate budget is spent as it leaves, then its venue's execution client takes it. No other code in
    /// dexter calls an execution client's `submit` (a test reads the sources to hold that).
    func submit(_ order: OrderRequest) {
        var bucket = rateBucket(order.venue)
        _ = bucket.take(at: clock.now())
        rateBuckets[order.venue] = bucket
        guard let client = venues.execution[order.venue] else {
            handle(OrderUpdate(clientOrderId: order.clientOrderId, venue: order.venue, kind: .rejected(
                ExecutionFailure(code: "no_venue", failureClass: .rejected, reason: "no execution client for \(order.venue)")), at: clock.now()))
            return
        }
        client.submit(order)
    }

    /// The Orders panel's row for an order of `execution`, before it is sent.
    func orderRow(_ order: OrderRequest, of execution: Execution, at now: Timestamp) -> OrderRow {
        var row = OrderRow(clientOrderId: order.clientOrderId, opportunityId: execution.opportunity?.id ?? 0,
                           venue: order.venue, side: order.side, symbol: order.symbol,
                           quantity: order.quantity, limitPrice: order.limitPrice, filled: .zero, averagePrice: .zero,
                           state: .initialized, reason: nil, submittedAt: now, updatedAt: now)
        row.tag = execution.purpose.orderTag ?? execution.cycle.map { "c\($0.id)" } ?? row.tag
        row.onChain = pipeline.state[MarketKey(venue: order.venue, symbol: order.symbol)]?.venue.kind.chain != nil
        return row
    }

    /// An order of `execution` that will never be sent: on the panel and in the ledger as denied, with why.
    func denyUnsent(_ order: OrderRequest, of execution: Execution, reason: String, at now: Timestamp) {
        orderManager.add(order, arbitrageId: execution.arbitrageId, recordId: execution.recordId,
                         row: orderRow(order, of: execution, at: now))
        orderManager.setReason(order.clientOrderId, reason)
        transition(order.clientOrderId, .deny, reason: reason, at: now)
    }

    static func riskiestLegIndex(_ opportunity: Opportunity, state: MarketState) -> Int {
        let legs = opportunity.legs
        let onChain = legs.map { state[MarketKey(venue: $0.venue, symbol: $0.symbol)]?.venue.kind.chain != nil }
        if onChain[0] != onChain[1] { return onChain[0] ? 0 : 1 }
        let reach = legs.map { leg in ((leg.worstPrice - leg.averagePrice).magnitude / leg.averagePrice).doubleValue }
        return reach[0] >= reach[1] ? 0 : 1
    }

    /// An order of `arbitrageId` has its answer: the order held back behind it goes now, sized from that answer, or
    /// — when the answer left it nothing to trade — neither it nor any held after it goes (booked as not sent).
    func releaseHeld(of arbitrageId: String, after previous: ExecutionReport, at now: Timestamp) {
        guard var execution = inFlight[arbitrageId], let next = execution.held.first,
              next.clientOrderId != previous.clientOrderId else { return }
        execution.held.removeFirst()
        let quantity = previous.filledQuantity.isPositive ? heldQuantity(next, after: previous, chaining: execution.chaining) : .zero
        guard quantity.isPositive else {
            let unsent = [next] + execution.held
            execution.held = []
            inFlight[arbitrageId] = execution
            let reason = "not sent: the leg before it did not fill"
            for order in unsent {
                guard let current = inFlight[arbitrageId] else { break }
                denyUnsent(order, of: current, reason: reason, at: now)
                settleUnsent(order, reason: reason, at: now)
            }
            return
        }
        let sized = next.resent(quantity: quantity, at: now)
        if let index = execution.orders.firstIndex(where: { $0.clientOrderId == next.clientOrderId }) { execution.orders[index] = sized }
        send([sized], for: execution, at: now)
    }

    /// A held order's size after the answer of the order before it, on its market's lot, never above what was
    /// approved: a hedge takes the quantity that filled; a cycle's leg spends what the leg before delivered (a buy
    /// as many lots as that pays for at its limit, its fee included).
    func heldQuantity(_ next: OrderRequest, after previous: ExecutionReport, chaining: Execution.Chaining) -> FixedDecimal {
        guard let market = pipeline.state[MarketKey(venue: next.venue, symbol: next.symbol)] else { return .zero }
        let lot = market.instrument.lotSize
        var available: FixedDecimal
        switch chaining {
        case .sameQuantity:
            available = previous.filledQuantity
        case .proceeds:
            available = previous.side == .buy ? previous.filledQuantity : previous.notional - previous.fee
            if next.side == .buy {
                let perUnit = next.limitPrice * (.one + market.venue.takerFee)
                guard perUnit.isPositive else { return .zero }
                available = available / perUnit
            }
        }
        return FixedDecimal.min(next.quantity, available).rounded(toMultipleOf: lot, .down)
    }

    /// A transient failure (timeout, network, rate limit) is not the order's end: it is sent again with the same
    /// client order id after a capped, jittered backoff, while its quotes are fresh and attempts remain. The order
    /// stays live meanwhile. Returns whether it was rescheduled.
    func retryIfTransient(_ clientOrderId: String, _ failure: ExecutionFailure, _ execution: Execution) -> Bool {
        guard let order = execution.orders.first(where: { $0.clientOrderId == clientOrderId }) else { return false }
        let attempt = (attempts[order.clientOrderId] ?? 0) + 1
        let now = clock.now()
        guard !(execution.opportunity?.isExpired(at: now) ?? false) || execution.purpose != .arbitrage,
              let delay = config.retry.delay(after: failure, attempt: attempt, random: &retryRandom) else { return false }
        attempts[order.clientOrderId] = attempt
        retries.append((now.adding(delay), order))
        notify(.retryScheduled(order, failure, delay: delay, attempt: attempt + 1, maxAttempts: config.retry.maxAttempts),
               at: now)
        return true
    }

    /// Nothing more is sent once the ledger cannot be written; `resume` does not lift it, a restart does.
    /// Appends to the audit trail; a trail that cannot be written stops trading like any ledger failure.
    func audit(_ action: String, _ detail: String, at time: Timestamp) {
        do {
            try committing(.audit) {
                try ledger.appendAudit(user: member.name, action: action, detail: detail, at: time, hash: Engine.auditHash)
            }
        } catch {
            haltOnLedgerFailure(.init(.audit(action: action), error), at: time)
        }
    }

    /// The audit chain's hash: SHA-256, hex.
    public static let auditHash: AuditHash = { OpenSSL.sha256Hex($0) }

    func haltOnLedgerFailure(_ failure: DeskEvent.LedgerFailure, at time: Timestamp) {
        control.ledgerCannotBeWritten()
        notify(.ledgerWriteFailed(failure), at: time)
    }

    /// Moves an order one step through its lifecycle (decided here: submit, deny, cancel requested) and persists it.
    /// An illegal step is a bug: it is logged and the order keeps its state.
    func transition(_ clientOrderId: String, _ event: OrderEvent, reason: String? = nil, at time: Timestamp) {
        let step: OrderManager.Step?
        do { step = try orderManager.step(clientOrderId, event, at: time) } catch {
            notify(.illegalTransition(clientOrderId: clientOrderId, error), at: time)
            return
        }
        if let step { persist(step, of: clientOrderId, reason: reason, at: time) }
    }

    /// Writes one lifecycle step to the ledger's order events.
    func persist(_ step: OrderManager.Step, of clientOrderId: String, reason: String?, at time: Timestamp) {
        guard let order = orderManager[clientOrderId] else { return }
        let request = order.request
        let filled = step.to == .expired || step.to == .rejected ? FixedDecimal.zero : order.filled
        do {
            try committing(.orderEvent) {
                try ledger.recordOrderEvent(OrderEventRecord(
                    orderId: clientOrderId, arbitrageId: order.arbitrageId, venue: request.venue.name, pair: request.symbol.description,
                    side: request.side, quantity: request.quantity, limitPrice: request.limitPrice, event: step.event.name,
                    fromState: step.from.rawValue, toState: step.to.rawValue, filled: filled, reason: reason ?? order.row.reason,
                    at: time, opportunityId: order.recordId))
            }
            metrics.orderStep(step, venue: request.venue)
        } catch {
            haltOnLedgerFailure(.init(.orderEvent(clientOrderId: clientOrderId), error), at: time)
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

    /// What a venue said about one of the desk's orders. A transient refusal sends the order again (same client id)
    /// while attempts remain; anything else moves the order, and an order that ended settles its execution.
    func handle(_ update: OrderUpdate) {
        guard let order = orderManager[update.clientOrderId] else {
            logger.warning("\(update.venue) spoke of an order this desk does not hold: \(update.clientOrderId)")
            return
        }
        if case .rejected(let failure) = update.kind, order.state == .submitted || order.state == .accepted,
           let execution = inFlight[order.arbitrageId], retryIfTransient(update.clientOrderId, failure, execution) {
            return
        }
        let applied = orderManager.apply(update)
        if let refused = applied.refused {
            notify(.illegalTransition(clientOrderId: update.clientOrderId, refused), at: update.at)
        }
        for step in applied.steps { persist(step, of: update.clientOrderId, reason: nil, at: update.at) }
        if cancelsAwaited.contains(update.clientOrderId), applied.outcome != nil || update.kind.isCancelAnswer {
            cancelAnswered(update.clientOrderId, at: update.at)
        }
        if let outcome = applied.outcome { settle(outcome) }
    }

    /// An order has ended: its execution takes the outcome (the order held behind it goes now), and an execution
    /// whose every order has ended is booked.
    func settle(_ report: ExecutionReport) {
        guard let arbitrageId = orderManager[report.clientOrderId]?.arbitrageId, var execution = inFlight[arbitrageId],
              execution.reports[report.clientOrderId] == nil else { return }
        execution.reports[report.clientOrderId] = report
        inFlight[arbitrageId] = execution
        let now = clock.now()
        if report.status == .rejected || report.status == .expired {
            // Paper IOC orders are never retried here: a miss at the limit is the market moving, not the network.
            let failure = report.failure ?? FailureClassifier.classify(message: report.reason ?? "no reason given")
            notify(.legFailed(venue: report.venue, side: report.side, symbol: report.symbol, failure,
                              venueReason: report.reason), at: now)
        }
        releaseHeld(of: arbitrageId, after: report, at: now)
        // Releasing may have sent (the execution waits for it) or settled what was held (and booked it already).
        guard let current = inFlight[arbitrageId], current.isComplete else { return }
        inFlight[arbitrageId] = nil
        book(current, at: now)
    }
}

extension OrderUpdate.Kind {
    /// Whether this answers a cancel request, one way or the other.
    var isCancelAnswer: Bool {
        switch self {
        case .canceled, .cancelRejected: true
        default: false
        }
    }
}
