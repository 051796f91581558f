import DexterCore
import DexterLedger
import DexterMarket
import DexterVenues

extension Engine {
    /// On start: orders that were in flight when dexter stopped are settled with their venue before trading
    /// resumes, whatever the venue: each is asked for by its client order id. What the venue executed is booked;
    /// what never reached it expires; one still working is canceled first, then asked again. The trader is told
    /// what was found.
    func reconcileInFlight(at now: Timestamp) async throws {
        let inFlight = try ledgerReader.inFlightOrders()
        guard !inFlight.isEmpty else { return }
        var answers: [String: ExecutionReport] = [:]
        for event in inFlight {
            let venue = VenueId(event.venue)
            guard let client = venues.execution[venue] else { throw UnreachableVenue(venue: venue, orderId: event.orderId) }
            if let report = try await settledAnswer(event.orderId, venue: venue, client: client) { answers[event.orderId] = report }
        }
        let byArbitrage = Dictionary(grouping: inFlight, by: \.arbitrageId)
        var summary: [DeskEvent.RecoveredArbitrage] = []
        for (arbitrageId, events) in byArbitrage.sorted(by: { $0.key < $1.key }) {
            var reports: [(event: OrderEventRecord, report: ExecutionReport?)] = []
            for event in events {
                let report = answers[event.orderId]
                // What the venue did settles the order; an order it never saw expires.
                let settling = report.map { OrderEvent.settling($0.status) } ?? [.expire]
                let reason = report.map { $0.reason.map { "after restart: \($0)" } ?? "after restart" }
                    ?? "after restart: never reached its venue before the restart"
                var state = OrderState(rawValue: event.toState) ?? .submitted
                for step in settling {
                    let filled = report?.filledQuantity ?? .zero
                    let next = try OrderLifecycle.next(state, on: step, filledSoFar: filled.isPositive)
                    try ledger.recordOrderEvent(OrderEventRecord(
                        orderId: event.orderId, arbitrageId: arbitrageId, venue: event.venue, pair: event.pair, side: event.side,
                        quantity: event.quantity, limitPrice: event.limitPrice, event: step.name, fromState: state.rawValue,
                        toState: next.rawValue, filled: next == .expired || next == .rejected ? .zero : filled, reason: reason, at: now,
                        opportunityId: event.opportunityId))
                    state = next
                }
                reports.append((event, report))
            }
            let booking = try recoveredBooking(arbitrageId: arbitrageId, reports: reports, at: now)
            let record = try events.first?.opportunityId.flatMap { try ledgerReader.opportunity(id: $0) }
            guard record != nil, let opportunityId = events.first?.opportunityId else {
                summary.append(.init(arbitrageId: arbitrageId, outcome: .approvalMissing))
                continue
            }
            let booked = try ledger.book(booking, opportunity: recoveredOpportunityRecord(id: opportunityId, booking: booking, at: now))
            applyBooked(booked, base: try Symbol(parsing: booking.pair).base)
            summary.append(.init(arbitrageId: arbitrageId,
                                 outcome: .booked(booking.status, explanation: booking.explanation)))
        }
        notify(.restartSettled(ordersInFlight: inFlight.count, summary), at: now)
    }

    /// The venue's final word on an order: nil when it never saw it. One still working is canceled and asked again
    /// (a few times, a moment apart); one that will not end is an error that halts the desk.
    func settledAnswer(_ orderId: String, venue: VenueId, client: any ExecutionClient) async throws -> ExecutionReport? {
        for attempt in 0..<5 {
            switch try await client.query(orderId, on: venue) {
            case .unknown: return nil
            case .found(let report) where report.isDone: return report
            case .found:
                if attempt == 0 { client.cancel(orderId, on: venue) }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        throw UnreachableVenue(venue: venue, orderId: orderId, stillWorking: true)
    }

    /// A booking from what the venues say they did, marked at today's reference price.
    func recoveredBooking(arbitrageId: String, reports: [(event: OrderEventRecord, report: ExecutionReport?)],
                          at now: Timestamp) throws -> ArbitrageBooking {
        let state = pipeline.state
        // A pair's orders share their symbol; a cycle's each have their own, and the booking names them all.
        var pairs: [String] = []
        for (event, _) in reports where !pairs.contains(event.pair) { pairs.append(event.pair) }
        let pair = pairs.joined(separator: " ")
        var pricing = Pricing(state: state, positions: portfolio.inventory)
        var orders: [OrderRecord] = []
        var trades: [TradeRecord] = []
        var changes: [BalanceChange] = []
        var filledLegs = 0
        var notes: [String] = []
        for (event, report) in reports {
            let symbol = try Symbol(parsing: event.pair)
            let account = state[MarketKey(venue: VenueId(event.venue), symbol: symbol)]?.venue.account.description ?? event.venue
            orders.append(OrderRecord(id: event.orderId, venue: event.venue, pair: event.pair, side: event.side, quantity: event.quantity,
                                      limitPrice: event.limitPrice, status: report?.status.rawValue ?? "expired",
                                      reason: report?.reason ?? "never reached its venue before the restart",
                                      filled: report?.filledQuantity ?? .zero, createdAt: event.at, updatedAt: now))
            guard let report else {
                notes.append("\(event.venue) \(event.side) never reached its venue")
                continue
            }
            if report.status == .filled { filledLegs += 1 } else { notes.append("\(event.venue) \(event.side) \(report.status.rawValue)") }
            let fill = fillRecords(report, orderId: event.orderId, venue: event.venue, side: event.side, account: account,
                                   symbol: symbol, pricing: &pricing)
            changes += fill.changes
            if let trade = fill.trade { trades.append(trade) }
        }
        let expected = try reports.first?.event.opportunityId.flatMap { try ledgerReader.opportunity(id: $0)?.netUSD } ?? .zero
        var booking = ArbitrageBooking(
            id: arbitrageId, opportunityId: reports.first?.event.opportunityId ?? "", user: config.user, pair: pair,
            status: filledLegs == reports.count ? .completed : (trades.contains { $0.amount.isPositive } ? .partial : .failed),
            expectedNetUSD: expected, realisedNetUSD: trades.reduce(.zero) { $0 + $1.profitUSD }, createdAt: now, orders: orders,
            trades: trades, balanceChanges: changes)
        booking.explanation = "recovered after a restart" + (notes.isEmpty ? "" : ": " + notes.joined(separator: "; "))
        booking.kind = Self.bookingKind(of: arbitrageId)
        booking.positions = pricing.movedPositions
        return booking
    }

    /// What a booking is, from the id the engine gave it: "…-a12" an arbitrage, "…-a12-u13" (unwind) or "…-h13" (hedge)
    /// its correction, "…-s14" a stop-loss, "…-m15" a margin-buffer cut.
    static func bookingKind(of arbitrageId: String) -> ArbitrageBooking.Kind {
        switch arbitrageId.split(separator: "-").last?.first {
        case "u", "h": .correction
        case "s": .stopLoss
        case "m": .marginReduction
        default: .arbitrage
        }
    }

    func recoveredOpportunityRecord(id: String, booking: ArbitrageBooking, at now: Timestamp) -> OpportunityRecord {
        OpportunityRecord(id: id, pair: booking.pair, buyVenue: booking.orders.first { $0.side == .buy }?.venue ?? "",
                          sellVenue: booking.orders.first { $0.side == .sell }?.venue ?? "", quantity: booking.orders.first?.quantity ?? .zero,
                          gross: .zero, fees: .zero, gas: .zero, slippage: .zero, net: .zero, netUSD: booking.expectedNetUSD,
                          decision: .approved, reason: "settled after a restart", user: config.user, detectedAt: now, decidedAt: now,
                          detailJSON: "{}")
    }
}

/// An order left in flight that cannot be settled: its venue is not configured, or it will not end.
struct UnreachableVenue: Error, CustomStringConvertible {
    let venue: VenueId
    let orderId: String
    var stillWorking = false
    var description: String {
        stillWorking ? "\(orderId) is still working at \(venue) after a cancel"
            : "\(orderId) was sent to \(venue), which this desk no longer has"
    }
}
