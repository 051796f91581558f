import DexterCore
import DexterDetect
import DexterLedger
import DexterRisk
import DexterVenues

/// What the desk tells the trader, as typed values: the screen's Log panel and status line, the session log and the
/// headless runner turn each into words (`DeskEvent+Text.swift`), and tests match on the values, not the wording.
/// Reasons that are already text elsewhere (a halt's reason, a config alert, an error from below) stay `String`.
public enum DeskEvent: Sendable, Hashable {
    // MARK: The session

    /// The desk opened on its venues' markets.
    case started(mode: DeskMode, venues: Int, markets: Int)
    /// A warning config.toml raised when it was read, in its own words.
    case configAlert(String)

    // MARK: Trading state

    /// Trading halted (the kill switch, an automatic halt, leg risk): orders not yet sent were canceled and those
    /// working at venues asked to cancel.
    case halted(reason: String, unsentCanceled: Int, cancelsSent: Int)
    /// The last session ended halted, and the halt stands until a risk manager resumes.
    case haltStandsFromLastSession(reason: String)
    /// Every cancel the kill switch sent has been answered.
    case venueCancelsAnswered
    /// The kill switch's sweep canceled orders resting at a venue's account (`clientOrderIds`; none is not said).
    case restingOrdersCanceled(VenueId, clientOrderIds: [String])
    /// The sweep could not cancel what rests at a venue: the trader must look there.
    case restingOrdersNotCanceled(VenueId, error: String)
    /// Reducing: only orders that cut exposure go out.
    case reducing(reason: String)
    /// Reducing lifted.
    case active(afterReducing: String)
    /// A halt lifted; the daily loss limit counts from `lossBaselineUSD` (zero when the day was not a loss).
    case resumed(afterHalt: String, lossBaselineUSD: FixedDecimal)
    /// A resume that cannot lift this halt (the ledger cannot be written).
    case resumeRefused(reason: String)
    /// The stops that fired are armed again.
    case stopsRearmed([Asset])

    // MARK: Approvals and refusals

    /// The opportunity to approve is no longer listed.
    case opportunityGone(UInt64)
    /// The opportunity cannot be approved now.
    case approvalRefused(UInt64, route: Route, ApprovalRefusal)
    /// Re-priced on the market now, the opportunity makes no money.
    case noLongerProfitable(UInt64, route: Route)
    /// An address the trade touches is on the deny list.
    case blockedByScreening(UInt64, route: Route, DenyListMatch)
    /// A pre-trade check denied the trade.
    case riskDenied(UInt64, route: Route, PreTradeDenial)
    /// The trader said no to the confirmation.
    case approvalCancelled(UInt64)
    /// A confirmation on screen was dropped by a halt.
    case approvalDroppedByHalt(UInt64)
    /// The trader turned the opportunity down.
    case rejected(UInt64, route: Route)
    /// The auto-approve policy admitted it.
    case autoApproved(UInt64, route: Route, netUSD: FixedDecimal)
    /// Approved: every leg sent at once.
    case approved(UInt64, route: Route, quantity: FixedDecimal, estimatedNetUSD: FixedDecimal)
    /// Approved on a sequential route: the riskiest leg goes first, the other for what it fills.
    case approvedInSequence(UInt64, route: Route, firstVenue: VenueId)
    /// The user's role does not allow the command.
    case notPermitted(PermissionDenied)

    // MARK: Orders

    /// An order the order check kept from its venue.
    case orderNotSent(OrderRequest, OrderRefusal)
    /// A transient failure: the order goes again, same client order id, after `delay`; `attempt` is the coming one.
    case retryScheduled(OrderRequest, ExecutionFailure, delay: Duration, attempt: Int, maxAttempts: Int)
    /// An order due to be sent again failed the order check.
    case retryNotSent(OrderRequest, OrderRefusal)
    /// A leg ended rejected or expired; `venueReason` is what the venue said, when it said anything.
    case legFailed(venue: VenueId, side: Side, symbol: Symbol, ExecutionFailure, venueReason: String?)
    /// The trader's cancel of one order went to its venue (the answer comes as the order's end, or a refusal).
    case orderCancelRequested(OrderRow)
    /// The trader's speed-up of one order was sent: `sent` is what went, as the venue describes it.
    case orderSpedUp(OrderRow, sent: String)
    /// A trader's cancel or speed-up that could not go, and why.
    case orderActionRefused(clientOrderId: String, action: OrderAction, reason: String)
    /// A step the order's lifecycle cannot take (a venue saying something impossible, or a bug): the order keeps its
    /// state.
    case illegalTransition(clientOrderId: String, IllegalTransition)

    // MARK: Bookings

    /// An execution is booked and durable in the ledger.
    case booked(Booking)
    /// Funding on a perpetual position is booked (as its venue reported it, or as the desk settled it on a venue that
    /// does not report funding: paper, the simulator).
    case fundingBooked(FundingBooked)

    // MARK: Cycles

    /// A cycle's approval, refusal or leg risk, by the cycle's own number (cycles are numbered apart from pairs) and
    /// its route where known.
    case cycle(UInt64, route: String?, CycleEvent)

    // MARK: Leg risk

    /// Uneven legs left a position; a correcting order is sent under the route's policy.
    case legRiskCorrection(arbitrageId: String, LegExposure, action: LegRiskAction, order: OrderRequest)
    /// Uneven legs left a position, and nothing is sent while halted.
    case legRiskLeftOpen(arbitrageId: String, LegExposure, haltReason: String)

    // MARK: Stop-loss

    /// A stop fired: the asset is stopped out and its inventory sold down.
    case stopLossTriggered(StopLossReading)
    /// A stop fired while halted: stopped out, nothing sent until a resume.
    case stopLossTriggeredWhileHalted(StopLossReading, haltReason: String)
    /// Closing orders sent, and what is kept back.
    case stopLossSelling(Asset, sales: [StopLossSale], kept: [StopLossKept])
    /// The closing is over; at most the gas reserve (or nothing) is kept.
    case stopLossClosed(Asset, kept: [StopLossKept])
    /// The closing is over and some of the asset could not be sold: the trader closes it by hand.
    case stopLossIncomplete(Asset, kept: [StopLossKept])
    /// A halt paused a closing with some of the asset unsold.
    case stopLossPausedByHalt(Asset, haltReason: String, unsold: [Holding])

    // MARK: Margin

    /// An account reached its margin buffer: its positions (and their hedges) are cut by `fraction`.
    case marginCut(MarginBreach, fraction: Double, cuts: [MarginCut])

    // MARK: Venues and connections

    /// A venue's connection changed.
    case connectionChanged(VenueId, ConnectionState)
    /// A venue said nothing of a live order for `silence`: it is asked by client order id.
    case orderSilent(VenueId, clientOrderId: String, silence: Duration)
    /// The query about a silent order failed; it is asked again later.
    case queryFailed(VenueId, clientOrderId: String, error: String)
    /// The venue answered a query with the order's end.
    case queryAnswered(VenueId, clientOrderId: String, ExecutionReport.Status)
    /// A fresh LIVE ledger opened with what the venue's account holds (`assets` of them).
    case balancesFromVenue(VenueId, assets: Int)
    /// The venue's account and the ledger agree on every asset.
    case balancesAgree(VenueId, assets: Int)
    /// The venue's account and the ledger differ: shown and audited, never overwritten.
    case balanceMismatch(VenueId, [BalanceDifference])
    /// A perpetual venue holds positions otherwise than the ledger (shown and audited once per difference).
    case positionMismatch(VenueId, [PositionDifference])
    /// The venue's positions agree with the ledger again.
    case positionsAgree(VenueId)
    /// The venue's balances could not be read; they are asked again after the next fill.
    case balanceCheckFailed(VenueId, error: String)

    // MARK: Restart and recovery

    /// Orders the last session left in flight were settled with their venues, and their executions booked.
    case restartSettled(ordersInFlight: Int, [RecoveredArbitrage])
    /// Orders left in flight could not be settled: trading is halted.
    case restartReconciliationFailed(error: String)

    // MARK: Config and limits

    /// A risk manager changed a limit; `previous` is nil where there was none.
    case limitChanged(LimitChange, previous: FixedDecimal?)
    /// config.toml was read again; empty when nothing changed.
    case configReloaded([ConfigPart])

    // MARK: Ledger failures

    /// The ledger could not take a write the desk depends on: trading halts until a restart.
    case ledgerWriteFailed(LedgerFailure)
    /// A decision (a rejection, a denial) could not be recorded; trading goes on.
    case decisionNotRecorded(opportunityId: UInt64, error: String)
}

extension DeskEvent {
    /// The case's name, for machine-readable output (the headless runner's NDJSON): "halted", "booked"…
    public var kind: String {
        // An enum value reflects as one child labelled with its case name; a case without payload as the name itself.
        Mirror(reflecting: self).children.first?.label ?? String(describing: self)
    }
}

/// One asset the ledger and a venue's account disagree on.
public struct BalanceDifference: Sendable, Hashable, CustomStringConvertible {
    public let asset: Asset
    public let ledger: FixedDecimal
    public let venue: FixedDecimal

    public init(asset: Asset, ledger: FixedDecimal, venue: FixedDecimal) {
        self.asset = asset
        self.ledger = ledger
        self.venue = venue
    }

    /// "BTC ledger 0.5 venue 0.4999 (−0.0001)".
    public var description: String {
        let gap = venue - ledger
        return "\(asset) ledger \(ledger) venue \(venue) (\(gap.isNegative ? "" : "+")\(gap))"
    }
}

/// The ledger's booking status, for readers of the engine's events that do not import the ledger.
public typealias BookingStatus = ArbitrageBooking.Status
