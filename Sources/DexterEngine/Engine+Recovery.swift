import DexterCore
import DexterLedger
import DexterMarket
import DexterVenues

extension Engine {
    /// On start: orders that were in flight when dexter stopped are settled with their venue before trading
    /// resumes. What the venue executed is booked; what never reached it expires. The trader is told what was found.
    func reconcileInFlight(with journal: PaperJournal, at now: Timestamp) throws {
        let inFlight = try ledgerReader.inFlightOrders()
        guard !inFlight.isEmpty else { return }
        let byArbitrage = Dictionary(grouping: inFlight, by: \.arbitrageId)
        var summary: [String] = []
        for (arbitrageId, events) in byArbitrage.sorted(by: { $0.key < $1.key }) {
            var reports: [(event: OrderEventRecord, report: ExecutionReport?)] = []
            for event in events {
                let report = journal.report(for: event.orderId)
                let steps: [(name: String, to: String, filled: FixedDecimal, reason: String?)] = switch report?.status {
                case .filled?: [("fill", "filled", report!.filledQuantity, nil)]
                case .partiallyFilled?: [("partial_fill", "partially_filled", report!.filledQuantity, nil),
                                         ("canceled", "canceled", report!.filledQuantity, nil)]
                case .expired?: [("expire", "expired", .zero, report!.reason)]
                case .rejected?: [("reject", "rejected", .zero, report!.reason)]
                case nil: [("expire", "expired", .zero, "never reached its venue before the restart")]
                }
                var from = event.toState
                for step in steps {
                    try ledger.recordOrderEvent(OrderEventRecord(
                        orderId: event.orderId, arbitrageId: arbitrageId, venue: event.venue, pair: event.pair, side: event.side,
                        quantity: event.quantity, limitPrice: event.limitPrice, event: step.name, fromState: from, toState: step.to,
                        filled: step.filled, reason: step.reason.map { "after restart: \($0)" } ?? "after restart", at: now,
                        opportunityId: event.opportunityId))
                    from = step.to
                }
                reports.append((event, report))
            }
            let booking = try recoveredBooking(arbitrageId: arbitrageId, reports: reports, at: now)
            let record = try events.first?.opportunityId.flatMap { try ledgerReader.opportunity(id: $0) }
            guard record != nil, let opportunityId = events.first?.opportunityId else {
                summary.append("\(arbitrageId): its approval was not on disk; orders settled, nothing booked")
                continue
            }
            try ledger.book(booking, opportunity: recoveredOpportunityRecord(id: opportunityId, booking: booking, at: now))
            for change in booking.balanceChanges {
                pipeline.inventory.credit(Asset(change.asset), change.delta, at: AccountId(parsing: change.account))
            }
            usage.positions = Self.positions(pipeline.inventory)
            pnl.realisedTodayUSD += booking.realisedNetUSD
            pnl.arbitragesToday += 1
            pnl.tradesToday += booking.trades.count
            bookedObserver?(booking.id, booking.status.rawValue, booking.realisedNetUSD)
            summary.append("\(arbitrageId) \(booking.status.rawValue) (\(booking.explanation))")
        }
        notify(.warning, "restart: \(inFlight.count) order(s) were in flight; settled with their venues: "
               + summary.joined(separator: "; "), at: now)
    }

    /// A booking from what the venues say they did, marked at today's reference price.
    func recoveredBooking(arbitrageId: String, reports: [(event: OrderEventRecord, report: ExecutionReport?)],
                          at now: Timestamp) throws -> ArbitrageBooking {
        let state = pipeline.state
        let pair = reports.first?.event.pair ?? ""
        let symbol = try Symbol(parsing: pair)
        let mark = FixedDecimal(approximating: state.referencePrice(of: symbol.base, in: symbol.quote) ?? 0).rounded(digits: 8)
        let quoteUSD = FixedDecimal(approximating: state.usdValue(of: symbol.quote) ?? 0).rounded(digits: 8)
        var orders: [OrderRecord] = []
        var trades: [TradeRecord] = []
        var changes: [BalanceChange] = []
        var filledLegs = 0
        var notes: [String] = []
        for (event, report) in reports {
            let account = state[MarketKey(venue: VenueId(event.venue), symbol: symbol)]?.venue.account.description ?? event.venue
            orders.append(OrderRecord(id: event.orderId, venue: event.venue, pair: pair, side: event.side, quantity: event.quantity,
                                      limitPrice: event.limitPrice, status: report?.status.rawValue ?? "expired",
                                      reason: report?.reason ?? "never reached its venue before the restart",
                                      filled: report?.filledQuantity ?? .zero, createdAt: event.at, updatedAt: now))
            guard let report else {
                notes.append("\(event.venue) \(event.side) never reached its venue")
                continue
            }
            if report.status == .filled { filledLegs += 1 } else { notes.append("\(event.venue) \(event.side) \(report.status.rawValue)") }
            var gasInQuote = FixedDecimal.zero
            if let token = report.gasToken, report.gas.isPositive {
                changes.append(BalanceChange(account: account, asset: token.code, delta: -report.gas))
                let tokenPrice = FixedDecimal(approximating: state.referencePrice(of: token, in: symbol.quote) ?? 0)
                gasInQuote = (report.gas * tokenPrice.rounded(digits: 8)).rounded(digits: 8, .up)
            }
            guard report.filledQuantity.isPositive || gasInQuote.isPositive else { continue }
            let cash = event.side == .buy ? report.notional + report.fee : report.notional - report.fee
            if report.filledQuantity.isPositive {
                changes.append(BalanceChange(account: account, asset: symbol.base.code,
                                             delta: event.side == .buy ? report.filledQuantity : -report.filledQuantity))
                changes.append(BalanceChange(account: account, asset: symbol.quote.code, delta: event.side == .buy ? -cash : cash))
            }
            let atMark = report.filledQuantity * mark
            let profitQuote = (event.side == .buy ? atMark - cash : cash - atMark) - gasInQuote
            var trade = TradeRecord(
                id: "\(event.orderId)-f1", orderId: event.orderId, user: config.user, exchange: event.venue, pair: pair,
                side: event.side, amount: report.filledQuantity, price: report.averagePrice, fee: report.fee, feeAsset: symbol.quote.code,
                gas: report.gas, gasAsset: report.gasToken?.code, markPrice: mark, notionalUSD: (report.notional * quoteUSD).rounded(digits: 8),
                profitUSD: (profitQuote * quoteUSD).rounded(digits: 9, .down), createdAt: report.executedAt)
            trade.account = account
            trade.cashUSD = (cash * quoteUSD).rounded(digits: 9, .down)
            trades.append(trade)
        }
        let expected = try reports.first?.event.opportunityId.flatMap { try ledgerReader.opportunity(id: $0)?.netUSD } ?? .zero
        var booking = ArbitrageBooking(
            id: arbitrageId, opportunityId: reports.first?.event.opportunityId ?? "", user: config.user, pair: pair,
            status: filledLegs == reports.count ? .completed : (trades.contains { $0.amount.isPositive } ? .partial : .failed),
            expectedNetUSD: expected, realisedNetUSD: trades.reduce(.zero) { $0 + $1.profitUSD }, createdAt: now, orders: orders,
            trades: trades, balanceChanges: changes)
        booking.explanation = "recovered after a restart" + (notes.isEmpty ? "" : ": " + notes.joined(separator: "; "))
        return booking
    }

    func recoveredOpportunityRecord(id: String, booking: ArbitrageBooking, at now: Timestamp) -> OpportunityRecord {
        OpportunityRecord(id: id, pair: booking.pair, buyVenue: booking.orders.first { $0.side == .buy }?.venue ?? "",
                          sellVenue: booking.orders.first { $0.side == .sell }?.venue ?? "", quantity: booking.orders.first?.quantity ?? .zero,
                          gross: .zero, fees: .zero, gas: .zero, slippage: .zero, net: .zero, netUSD: booking.expectedNetUSD,
                          decision: .approved, reason: "settled after a restart", user: config.user, detectedAt: now, decidedAt: now,
                          detailJSON: "{}")
    }
}
