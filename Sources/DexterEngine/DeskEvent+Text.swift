import DexterCore
import DexterRisk

// The desk's words: every event as the trader reads it on screen and in the log. Tests pin this wording in one
// place (DeskEventTextTests); the end-to-end tests look for some of it on screen.

extension DeskEvent {
    public var level: Notification.Level {
        switch self {
        case .started, .stopsRearmed, .approvalCancelled, .rejected, .autoApproved, .approved, .approvedInSequence,
             .queryAnswered, .limitChanged, .configReloaded, .balancesFromVenue, .orderCancelRequested, .orderSpedUp:
            .info
        case .active, .resumed, .balancesAgree, .positionsAgree:
            .success
        case .booked(let booking):
            booking.status == .completed ? .success : .warning
        case .fundingBooked:
            .info
        case .cycle(_, _, let event):
            event.level
        case .connectionChanged(_, let state):
            state.isTradable ? .info : .warning
        case .configAlert, .venueCancelsAnswered, .reducing, .opportunityGone, .approvalRefused, .noLongerProfitable,
             .approvalDroppedByHalt, .retryScheduled, .legRiskCorrection, .stopLossClosed, .marginCut, .orderSilent,
             .queryFailed, .restartSettled, .balanceCheckFailed, .restingOrdersCanceled:
            .warning
        case .halted, .haltStandsFromLastSession, .resumeRefused, .blockedByScreening, .riskDenied, .notPermitted,
             .orderNotSent, .retryNotSent, .legFailed, .illegalTransition, .legRiskLeftOpen, .stopLossTriggered,
             .stopLossTriggeredWhileHalted, .stopLossSelling, .stopLossIncomplete, .stopLossPausedByHalt,
             .restartReconciliationFailed, .ledgerWriteFailed, .decisionNotRecorded, .balanceMismatch, .positionMismatch,
             .restingOrdersNotCanceled, .orderActionRefused:
            .error
        }
    }

    public var text: String {
        switch self {
        case .started(let mode, let venues, let markets):
            "\(mode) market started: \(venues) venues, \(markets) markets"
        case .configAlert(let alert):
            alert
        case .halted(let reason, let unsentCanceled, let cancelsSent):
            "TRADING HALTED: \(reason)"
                + (unsentCanceled > 0 ? "; \(unsentCanceled) order(s) not yet sent canceled" : "")
                + (cancelsSent > 0
                    ? "; cancel sent for \(cancelsSent) order(s) at their venues, waiting for the answers" : "")
        case .haltStandsFromLastSession(let reason):
            "TRADING HALTED before the restart: \(reason); a risk manager resumes"
        case .venueCancelsAnswered:
            "kill switch: every venue has answered its cancels; nothing of the desk's is working at a venue"
        case .reducing(let reason):
            "TRADING REDUCING: \(reason); only orders that cut exposure"
        case .active:
            "trading active"
        case .resumed(_, let baseline):
            "trading resumed" + (baseline.isNegative
                ? "; the daily loss limit now counts from \(baseline.formatted(digits: 2)) USD" : "")
        case .resumeRefused(let reason):
            "cannot resume: \(reason); restart dexter with a working ledger"
        case .stopsRearmed(let assets):
            "stop-loss re-armed: " + assets.map(\.code).joined(separator: ", ")
        case .opportunityGone(let id):
            "opportunity #\(id) is gone"
        case .approvalRefused(let id, let route, let refusal):
            "#\(id) \(route): \(refusal)"
        case .noLongerProfitable(let id, let route):
            "#\(id) \(route) is no longer profitable at current prices"
        case .blockedByScreening(let id, let route, let match):
            "#\(id) \(route) blocked by screening: \(match)"
        case .riskDenied(let id, let route, let denial):
            "#\(id) \(route) \(denial)"
        case .approvalCancelled(let id):
            "approval of #\(id) cancelled"
        case .approvalDroppedByHalt(let id):
            "approval of #\(id) dropped by the halt"
        case .rejected(let id, let route):
            "#\(id) \(route) rejected"
        case .autoApproved(let id, let route, let netUSD):
            "#\(id) \(route) auto-approved (net $\(netUSD.formatted(digits: 2)))"
        case .approved(let id, let route, let quantity, let estimate):
            "#\(id) \(route) approved: \(quantity) \(route.symbol.base) for est. $\(estimate.formatted(digits: 2)), "
                + "orders sent"
        case .approvedInSequence(let id, let route, let firstVenue):
            "#\(id) \(route) approved, legs in sequence: \(firstVenue) first"
        case .notPermitted(let denied):
            "refused: \(denied)"
        case .orderNotSent(let order, let refusal):
            "\(order.venue) \(order.side) \(order.symbol) not sent: \(refusal)"
        case .retryScheduled(let order, let failure, let delay, let attempt, let maxAttempts):
            "\(order.venue) \(order.side) \(order.symbol) \(failure); sending \(order.clientOrderId) again in "
                + "\(delay.nanosecondsClamped / 1_000_000) ms (attempt \(attempt) of \(maxAttempts))"
        case .retryNotSent(let order, let refusal):
            "\(order.clientOrderId) not sent again: \(refusal)"
        case .legFailed(let venue, let side, let symbol, let failure, let venueReason):
            // The venue's own words follow dexter's sentence unless the sentence already quotes them.
            "\(venue) \(side) \(symbol) failed \(failure)"
                + (venueReason.flatMap { failure.reason.contains($0) ? nil : " (\($0))" } ?? "")
        case .illegalTransition(let clientOrderId, let illegal):
            "\(clientOrderId): \(illegal)"
        case .orderCancelRequested(let order):
            "cancel sent for \(order.label)"
        case .orderSpedUp(let order, let sent):
            "sped up \(order.label): \(sent)"
        case .orderActionRefused(let clientOrderId, let action, let reason):
            "cannot \(action) \(clientOrderId): \(reason)"
        case .cycle(let id, let route, let event):
            event.text(id: id, route: route)
        case .booked(let booking):
            "\(booking.execution) \(booking.status.rawValue): realised $\(booking.realisedUSD.formatted(digits: 2))"
                + (booking.estimatedNetUSD.map { " vs est. $\($0.formatted(digits: 2))" } ?? "")
                + " (booked \(booking.id))"
        case .fundingBooked(let funding):
            "funding \(funding.symbol) on \(funding.venue): \(funding.amount.isNegative ? "paid" : "received") "
                + "\(funding.amount.magnitude) \(funding.asset) ($\(funding.amountUSD.formatted(digits: 2)))"
                + (funding.rate.map { " at \(($0 * FixedDecimal(100)).formatted(digits: 4))%" } ?? "")
                + (funding.positionSize.map { " on \($0.isNegative ? "short" : "long") \($0.magnitude)" } ?? "")
                + (funding.reported ? "" : " (settled by the desk)")
        case .legRiskCorrection(let arbitrageId, let exposure, let action, let order):
            "leg risk on \(arbitrageId): \(exposure); \(action.rawValue): "
                + "\(order.side) \(order.quantity) \(exposure.asset) on \(order.venue) "
                + "at \(order.side == .sell ? "≥" : "≤") \(order.limitPrice)"
        case .legRiskLeftOpen(let arbitrageId, let exposure, let haltReason):
            "leg risk on \(arbitrageId): \(exposure), left open: trading is halted (\(haltReason))"
        case .stopLossTriggered(let reading):
            "STOP-LOSS: \(reading). No new arbitrage in \(reading.asset) until resumed"
        case .stopLossTriggeredWhileHalted(let reading, let haltReason):
            "STOP-LOSS: \(reading); trading is halted (\(haltReason)), nothing sent — resume to close it"
        case .stopLossSelling(let asset, let sales, let kept):
            "stop-loss \(asset): selling " + sales.map(\.description).joined(separator: ", ") + Self.keptClause(kept)
        case .stopLossClosed(let asset, let kept):
            "stop-loss \(asset): closed" + Self.keptClause(kept)
        case .stopLossIncomplete(let asset, let kept):
            "STOP-LOSS \(asset) could not close everything: " + kept.map(\.description).joined(separator: ", ")
                + "; close it by hand"
        case .stopLossPausedByHalt(let asset, let haltReason, let unsold):
            "stop-loss \(asset) paused by the halt (\(haltReason)) with "
                + unsold.map(\.description).joined(separator: ", ") + " unsold; resume to close it"
        case .marginCut(let breach, let fraction, let cuts):
            "MARGIN BUFFER: \(breach); cutting \(Format4.percent(fraction)): "
                + cuts.map(\.description).joined(separator: ", ")
        case .connectionChanged(let venue, let state):
            "\(venue) is \(state)"
        case .orderSilent(let venue, let clientOrderId, let silence):
            "\(venue) has said nothing of \(clientOrderId) for \(silence); asking it"
        case .queryFailed(let venue, let clientOrderId, let error):
            "\(venue) did not answer for \(clientOrderId): \(error); asking again later"
        case .queryAnswered(let venue, let clientOrderId, let status):
            "\(venue) answered for \(clientOrderId): \(status.rawValue)"
        case .restingOrdersCanceled(let venue, let ids):
            "kill switch: canceled \(ids.count) order(s) resting at \(venue): " + ids.joined(separator: ", ")
        case .restingOrdersNotCanceled(let venue, let error):
            "KILL SWITCH could not cancel the orders resting at \(venue): \(error); cancel them at the venue"
        case .balancesFromVenue(let venue, let assets):
            "\(venue): the new ledger opens with the account's \(assets) balance(s) as the venue reports them"
        case .balancesAgree(let venue, let assets):
            "\(venue): the account and the ledger agree (\(assets) asset(s))"
        case .balanceMismatch(let venue, let differences):
            "BALANCE MISMATCH at \(venue): " + differences.map(\.description).joined(separator: "; ")
                + " (the ledger is not changed; see the audit trail)"
        case .positionMismatch(let venue, let differences):
            "POSITION MISMATCH at \(venue): " + differences.map(\.description).joined(separator: "; ")
                + " (the ledger is not changed; see the audit trail)"
        case .positionsAgree(let venue):
            "\(venue): its positions and the ledger's agree"
        case .balanceCheckFailed(let venue, let error):
            "\(venue): balances could not be read (\(error)); asking again after the next fill"
        case .restartSettled(let ordersInFlight, let arbitrages):
            "restart: \(ordersInFlight) order(s) were in flight; settled with their venues: "
                + arbitrages.map(\.description).joined(separator: "; ")
        case .restartReconciliationFailed(let error):
            "RESTART RECONCILIATION FAILED: \(error); trading halted"
        case .limitChanged(let change, let previous):
            "limit changed: \(change) (was \(change.describe(previous)))"
        case .configReloaded(let parts):
            "config reloaded: \(ConfigPart.summary(parts))"
        case .ledgerWriteFailed(let failure):
            "LEDGER WRITE FAILED \(failure); trading halted"
        case .decisionNotRecorded(_, let error):
            "ledger write failed: \(error)"
        }
    }

    private static func keptClause(_ kept: [StopLossKept]) -> String {
        kept.isEmpty ? "" : "; kept " + kept.map(\.description).joined(separator: ", ")
    }
}

extension ApprovalRefusal: CustomStringConvertible {
    public var description: String {
        switch self {
        case .halted(let reason): "trading is halted: \(reason)"
        case .stoppedOut(let asset): "\(asset) is stopped out by its stop-loss; a risk manager's resume re-arms it"
        case .quoteStale(let expiredAt): "quote is stale (expired \(expiredAt.utcClock))"
        case .venueNotTradable(let venue, let state): "\(venue) is \(state)"
        case .venueRateLimited(let venue, let why): "\(venue) is rate-limited (\(why))"
        case .routeInFlight: "an execution on this route is still in flight"
        }
    }
}

extension OrderRefusal: CustomStringConvertible {
    public var description: String {
        switch self {
        case .ledgerCannotBeWritten: "the ledger cannot be written"
        case .halted(let reason): "trading is halted: \(reason)"
        case .reducing(let reason): "trading is reducing: \(reason)"
        case .venueNotTradable(let venue, let state): "\(venue) is \(state)"
        case .noExecutionClient(let venue): "no execution client for \(venue)"
        case .gasShort(let venue, let token, let needed, let free):
            "\(venue) needs up to \(needed) \(token) for gas, \(free) free beside the orders out"
        }
    }
}

extension DenyListMatch: CustomStringConvertible {
    public var description: String {
        switch holder {
        case .pool(let venue, let symbol): "\(address) (\(venue) \(symbol) pool) is on the deny list"
        case .router(let venue): "\(address) (\(venue) router) is on the deny list"
        case .wallet(let name, let chain): "\(address) (wallet \(name) on \(chain)) is on the deny list"
        }
    }
}

extension DeskEvent.ExecutionName: CustomStringConvertible {
    /// "#12 ETH/USDT binance→kraken", or "stop-loss ETH ETH/USDT on binance".
    public var description: String {
        if purpose == .arbitrage, let opportunityId, let route { return "#\(opportunityId) \(route)" }
        if purpose == .arbitrage, let cycle { return cycle }
        return "\(purpose) \(symbol) on \(venues.map(\.name).joined(separator: ", "))"
    }
}

extension DeskEvent.LegExposure: CustomStringConvertible {
    public var description: String {
        excess.isPositive ? "long \(excess) \(asset) bought on \(venue)"
                          : "short \(excess.magnitude) \(asset) sold on \(venue)"
    }
}

extension DeskEvent.Holding: CustomStringConvertible {
    public var description: String { "\(quantity) at \(account)" }
}

extension DeskEvent.StopLossSale: CustomStringConvertible {
    public var description: String {
        "\(quantity) on \(venue) at ≥ \(limit)" + (order > 1 ? " (order \(order))" : "")
    }
}

extension DeskEvent.StopLossKept: CustomStringConvertible {
    public var description: String {
        switch why {
        case .gasReserve: "\(quantity) at \(account) for gas"
        case .noDollarMarket: "\(quantity) at \(account): no dollar market to sell on"
        case .notSold(let orders): "\(quantity) at \(account): not sold after \(orders) orders"
        case .marketTooThin: "\(quantity) at \(account): the market is too thin for more now"
        }
    }
}

extension DeskEvent.MarginBreach: CustomStringConvertible {
    /// Also the margin cut's audit detail and record reason.
    public var description: String {
        "\(account) margin ratio \(Format4.percent(ratio)) reached the \(Format4.percent(reduceAt)) buffer "
            + "(equity \(equity.formatted(digits: 2)), maintenance \(maintenanceMargin.formatted(digits: 2)))"
    }
}

extension DeskEvent.MarginCut: CustomStringConvertible {
    public var description: String {
        switch self {
        case .sent(let order): "\(order.side) \(order.quantity) \(order.symbol) on \(order.venue)"
        case .noBook(let symbol, let venue, let quantity):
            "no \(symbol) book on \(venue) deep enough to cut \(quantity)"
        }
    }
}

extension DeskEvent.RecoveredArbitrage: CustomStringConvertible {
    public var description: String {
        switch outcome {
        case .booked(let status, let explanation): "\(arbitrageId) \(status.rawValue) (\(explanation))"
        case .approvalMissing: "\(arbitrageId): its approval was not on disk; orders settled, nothing booked"
        }
    }
}

extension DeskEvent.ConfigPart: CustomStringConvertible {
    public var description: String {
        switch self {
        case .limits: "limits"
        case .automaticHalts: "automatic halts"
        case .venueExposureCap: "venue exposure cap"
        case .positionVaRBudget: "position VaR budget"
        case .stopLosses: "stop-losses"
        case .marginBuffer: "margin buffer"
        case .denyList(let addresses): "deny list (\(addresses) addresses)"
        }
    }

    /// "limits, deny list (2 addresses) changed", or "nothing changed": also the reload's audit detail.
    static func summary(_ parts: [Self]) -> String {
        parts.isEmpty ? "nothing changed" : parts.map(\.description).joined(separator: ", ") + " changed"
    }
}

extension DeskEvent.LedgerFailure: CustomStringConvertible {
    public var description: String {
        switch write {
        case .approval(let id): "before sending #\(id): \(error); nothing was sent"
        case .cycleApproval(let id): "before sending cycle #\(id): \(error); nothing was sent"
        case .booking(let id): "for \(id): \(error)"
        case .audit(let action): "(audit \(action): \(error))"
        case .orderEvent(let clientOrderId): "for order \(clientOrderId): \(error)"
        case .marginCut(let account): "before the margin cut on \(account): \(error); nothing was sent"
        case .stopLoss(let asset): "before the stop-loss on \(asset): \(error); nothing more was sent"
        case .funding(let venue, let id): "for funding \(id) on \(venue): \(error)"
        }
    }
}

extension LimitChange {
    /// A limit's value as this change states it ("$5000.00", "12.5"), or "none".
    func describe(_ value: FixedDecimal?) -> String {
        guard let value else { return "none" }
        switch self {
        case .maxNotionalPerTradeUSD, .dailyVolumeUSD: return "$\(value.formatted(digits: 2))"
        case .maxPosition: return "\(value)"
        }
    }
}
