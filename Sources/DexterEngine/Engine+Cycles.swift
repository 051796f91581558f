import DexterCore
import DexterDetect
import DexterLedger
import DexterMarket
import DexterRisk
import DexterVenues
import Foundation

/// A cycle (three to five trades that end in the asset they start with) is approved like a pair: re-priced on the
/// market now and confirmed by the trader, checked as one trade of many legs, then sent leg by leg in its order —
/// each leg spending what the one before delivered — and booked as one arbitrage.
extension Engine {
    /// Starts a cycle's approval: re-priced on the current market, for the trader to confirm.
    public func requestCycleApproval(of id: UInt64) {
        let now = clock.now()
        guard permitted(.approve, at: now), !awaitingConfirmation else { return }
        guard let cycle = pipeline.cycles.best.first(where: { $0.id == id }) else {
            notify(.cycle(id, route: nil, .gone), at: now)
            return publish(force: true)
        }
        if let refusal = refusal(for: cycle, at: now) {
            notify(.cycle(id, route: cycle.route, .refused(refusal)), at: now)
            return publish(force: true)
        }
        guard let repriced = repriced(cycle, at: now) else {
            notify(.cycle(id, route: cycle.route, .noLongerProfitable), at: now)
            return publish(force: true)
        }
        cycleConfirmation = CycleConfirmation(original: cycle, repriced: repriced)
        cycleConfirmation?.requestedBy = member.name
        publish(force: true)
    }

    /// The trader said yes to the cycle on screen.
    public func confirmCycle(_ id: UInt64) {
        let now = clock.now()
        guard let pending = cycleConfirmation, pending.repriced.id == id, pending.requestedBy == member.name else { return }
        cycleConfirmation = nil
        guard permitted(.approve, at: now) else { return }
        let cycle = pending.repriced
        if let refusal = refusal(for: cycle, at: now) {
            notify(.cycle(id, route: cycle.route, .refused(refusal)), at: now)
            return publish(force: true)
        }
        if let blocked = screening(cycle.legs.map { ($0.venue, $0.symbol) }) {
            notify(.cycle(id, route: cycle.route, .blockedByScreening(blocked)), at: now)
            record(cycle, decision: .denied, reason: "screening: \(blocked)", at: now)
            audit("screening blocked", "cycle #\(id) \(cycle.route): \(blocked)", at: now)
            return publish(force: true)
        }
        if let denial = riskCheck(cycle) ?? deskShortfall(proposal(of: cycle)) {
            notify(.cycle(id, route: cycle.route, .riskDenied(denial)), at: now)
            record(cycle, decision: .denied, reason: denial.description, at: now)
            return publish(force: true)
        }
        audit("approve", "cycle #\(id) \(cycle.route) in \(cycle.amountIn) \(cycle.start) net $\(cycle.netUSD.formatted(digits: 2))", at: now)
        execute(cycle, at: now)
        publish(force: true)
    }

    /// The trader turned the cycle down; it is booked as rejected.
    public func rejectCycle(_ id: UInt64) {
        let now = clock.now()
        guard permitted(.reject, at: now) else { return }
        guard let cycle = pipeline.cycles.best.first(where: { $0.id == id }) else { return }
        record(cycle, decision: .rejected, reason: "rejected by trader", at: now)
        audit("reject", "cycle #\(id) \(cycle.route)", at: now)
        notify(.cycle(id, route: cycle.route, .rejected), at: now)
        publish(force: true)
    }

    /// Whether a confirmation (of a pair or a cycle) is waiting for the trader.
    var awaitingConfirmation: Bool { confirmation != nil || cycleConfirmation != nil }

    /// `cycle` sized again on the market now, against what the desk holds.
    func repriced(_ cycle: CycleOpportunity, at now: Timestamp) -> CycleOpportunity? {
        CycleDetector.reprice(cycle, state: pipeline.state, inventory: pipeline.inventory, policy: pipeline.cycles.policy,
                              now: now)
    }

    /// Why a cycle cannot be approved right now, or nil.
    func refusal(for cycle: CycleOpportunity, at now: Timestamp) -> ApprovalRefusal? {
        if let haltReason = control.haltReason { return .halted(reason: haltReason) }
        for leg in cycle.legs {
            for asset in [leg.from, leg.to] where control.stoppedOut[asset] != nil { return .stoppedOut(asset) }
        }
        if cycle.isExpired(at: now) { return .quoteStale(expiredAt: cycle.expiresAt) }
        let limited = rateLimited(at: now)
        for leg in cycle.legs {
            if let connection = connections[leg.venue], !connection.isTradable { return .venueNotTradable(leg.venue, connection) }
            if let why = limited[leg.venue] { return .venueRateLimited(leg.venue, why) }
        }
        if inFlight.values.contains(where: { $0.cycle?.route == cycle.route }) { return .routeInFlight }
        return nil
    }

    /// The pre-trade check of a cycle: every leg's order, each leg's symbol allowed, the notional it puts in, the
    /// volume of all its legs, and the positions it leaves if it stops half way.
    func riskCheck(_ cycle: CycleOpportunity) -> PreTradeDenial? {
        let legs = riskLegs(of: cycle)
        return riskCheck(legs, proposal: proposal(of: legs))
    }

    /// The cycle as risk sees it: each leg in its own instrument, its notional in USD.
    func proposal(of cycle: CycleOpportunity) -> TradeProposal { proposal(of: riskLegs(of: cycle)) }

    private func riskLegs(of cycle: CycleOpportunity) -> [RiskLeg] {
        let state = pipeline.state
        return cycle.legs.map { RiskLeg($0, state: state) }
    }

    private func proposal(of legs: [RiskLeg]) -> TradeProposal {
        let state = pipeline.state
        return TradeProposal(legs: legs.map { leg in
            TradeProposal.Leg(symbol: leg.symbol, side: leg.side, quantity: leg.quantity, notional: leg.notional,
                              quoteUSD: FixedDecimal(approximating: state.usdValue(of: leg.symbol.quote) ?? 0).rounded(digits: 8))
        })
    }

    /// Sends the cycle's first leg; each next one goes when the one before has its answer, for what it delivered.
    func execute(_ cycle: CycleOpportunity, at now: Timestamp) {
        sequence += 1
        let arbitrageId = "\(runId)-a\(sequence)"
        let recordId = "\(runId)-c\(cycle.id).\(sequence)"
        let orders = cycle.legs.enumerated().map { index, leg in
            OrderRequest(clientOrderId: "\(arbitrageId)-\(index + 1)", venue: leg.venue, symbol: leg.symbol, side: leg.side,
                         quantity: leg.quantity, limitPrice: limitPrice(for: leg), submittedAt: now)
        }
        // On disk before any order leaves, as a pair's approval is.
        do {
            try committing(.decision) { try ledger.record(cycleRecord(cycle, id: recordId, decision: .approved, reason: nil, at: now)) }
            metrics.decisions[.approved]?.increment()
        } catch {
            haltOnLedgerFailure(.init(.cycleApproval(cycleId: cycle.id), error), at: now)
            return
        }
        takeDeskVolume(proposal(of: cycle), at: now)
        var execution = Execution(arbitrageId: arbitrageId, recordId: recordId, cycle: cycle, orders: orders)
        execution.approvedBy = member.name
        notify(.cycle(cycle.id, route: cycle.route, .approved(amountIn: cycle.amountIn, start: cycle.start,
                                                              estimatedNetUSD: cycle.netUSD, legs: orders.count,
                                                              firstVenue: orders[0].venue)), at: now)
        send([orders[0]], for: execution, at: now)
    }

    /// A cycle leg's limit: on a book the deepest level its quote reached; on a pool its average price moved by the
    /// slippage tolerance.
    func limitPrice(for leg: CycleLeg) -> FixedDecimal {
        guard let market = pipeline.state[MarketKey(venue: leg.venue, symbol: leg.symbol)], market.liquidity.isPool else {
            return leg.worstPrice
        }
        let tolerance = config.swapSlippageTolerance
        return leg.side == .buy ? leg.averagePrice * (.one + tolerance) : leg.averagePrice * (.one - tolerance)
    }

    func record(_ cycle: CycleOpportunity, decision: OpportunityRecord.Decision, reason: String?, at now: Timestamp) {
        sequence += 1
        do {
            let record = cycleRecord(cycle, id: "\(runId)-c\(cycle.id).\(sequence)", decision: decision, reason: reason, at: now)
            try committing(.decision) { try ledger.record(record) }
            metrics.decisions[decision]?.increment()
        } catch {
            logger.error("cycle #\(cycle.id) decision not recorded: \(error)")
        }
    }

    /// A cycle as the ledger keeps an opportunity: its path for the pair, first and last venues, the amount put in
    /// and the net in the start asset; every leg in the detail.
    func cycleRecord(_ cycle: CycleOpportunity, id: String, decision: OpportunityRecord.Decision, reason: String?,
                     at now: Timestamp) -> OpportunityRecord {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let detail = (try? encoder.encode(cycle)).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
        return OpportunityRecord(
            id: id, pair: cycle.path, buyVenue: cycle.legs[0].venue.name, sellVenue: cycle.legs[cycle.legs.count - 1].venue.name,
            quantity: cycle.amountIn, gross: cycle.net, fees: .zero, gas: .zero, slippage: .zero, net: cycle.net,
            netUSD: cycle.netUSD, decision: decision, reason: reason, user: member.name, detectedAt: cycle.detectedAt,
            decidedAt: now, detailJSON: detail)
    }

    /// Why a booked cycle differs from its estimate, leg by leg.
    func explainCycle(_ execution: Execution, _ cycle: CycleOpportunity) -> String {
        var reasons: [String] = []
        for (order, leg) in zip(execution.orders, cycle.legs) {
            guard let report = execution.reports[order.clientOrderId] else { continue }
            if report.status != .filled {
                reasons.append("missed leg: \(order.venue) \(order.side) \(order.symbol) filled \(report.filledQuantity) of "
                               + "\(leg.quantity)" + (report.reason.map { " (\($0))" } ?? ""))
            } else if report.filledQuantity < leg.quantity {
                reasons.append("\(order.venue) \(order.side) \(order.symbol) \(report.filledQuantity) of \(leg.quantity): "
                               + "the leg before delivered less")
            }
        }
        return reasons.isEmpty ? "as estimated" : reasons.joined(separator: "; ")
    }
}

/// One leg of a trade as the pre-trade check reads it, from a pair's leg or a cycle's.
struct RiskLeg: Sendable {
    let venue: VenueId
    let symbol: Symbol
    let side: Side
    let quantity: FixedDecimal
    let averagePrice: FixedDecimal
    let worstPrice: FixedDecimal
    /// Quote paid or received before the fee, and the fee (in the quote).
    let notional: FixedDecimal
    let fee: FixedDecimal
    let gasToken: Asset?
    let gas: FixedDecimal
    let receivedAt: Timestamp

    init(_ leg: OpportunityLeg) {
        venue = leg.venue
        symbol = leg.symbol
        side = leg.side
        quantity = leg.quantity
        averagePrice = leg.averagePrice
        worstPrice = leg.worstPrice
        notional = leg.notional
        fee = leg.fee
        gasToken = leg.gasToken
        gas = leg.gas
        receivedAt = leg.receivedAt
    }

    /// A cycle's leg: what a buy spends is its notional and fee; what a sell brings in is its notional less the fee.
    /// An on-chain leg burns its pool's swap gas at the chain's price now.
    init(_ leg: CycleLeg, state: MarketState) {
        venue = leg.venue
        symbol = leg.symbol
        side = leg.side
        quantity = leg.quantity
        averagePrice = leg.averagePrice
        worstPrice = leg.worstPrice
        fee = leg.fee
        notional = leg.side == .buy ? leg.input - leg.fee : leg.output + leg.fee
        let market = state[MarketKey(venue: leg.venue, symbol: leg.symbol)]
        if let market, let chain = market.venue.kind.chain, let price = state.gas[chain] {
            gasToken = price.token
            gas = price.cost(units: market.gasUnits)
        } else {
            gasToken = nil
            gas = .zero
        }
        receivedAt = leg.receivedAt
    }
}

/// The trader's last look at a cycle before its first leg goes.
public struct CycleConfirmation: Sendable, Hashable {
    /// As shown when the trader pressed approve.
    public var original: CycleOpportunity
    /// The member who asked: only they answer it, and only their screen shows it.
    public var requestedBy = ""
    /// The same cycle sized on the market as it is now.
    public var repriced: CycleOpportunity

    public init(original: CycleOpportunity, repriced: CycleOpportunity) {
        self.original = original
        self.repriced = repriced
    }
}
