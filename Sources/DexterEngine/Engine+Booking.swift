import DexterCore
import DexterDetect
import DexterLedger
import DexterMarket
import DexterRisk
import DexterVenues

/// Booking: what an execution's reports become in the ledger (orders, fills, balance and position changes, in one
/// transaction), and what moves in the desk once the commit is done.
extension Engine {
    /// After a booking's commit: the acknowledgement, then inventory, lots, limits' usage and P&L move by it.
    func applyBooked(_ booking: ArbitrageBooking, base: Asset) {
        bookedObserver?(booking.id, booking.status.rawValue, booking.realisedNetUSD)
        portfolio.apply(booking, base: base, lotsFrom: ledgerReader)
        metrics.bookings[booking.status]?.increment()
        metrics.realisedPnL.record(portfolio.pnl.realisedTodayUSD.doubleValue)
        inventoryChanged()
    }

    /// Books the execution; only after the commit does the trader see it as done and does inventory move.
    func book(_ execution: Execution, at now: Timestamp) {
        var booking = makeBooking(execution, at: now)
        let record = execution.opportunity.map {
            opportunityRecord($0, id: execution.recordId, decision: .approved, reason: nil, at: now)
        } ?? execution.cycle.map {
            cycleRecord($0, id: execution.recordId, decision: .approved, reason: nil, at: now)
        } ?? execution.closingRecord
        do {
            guard let record else { throw ApprovalMissing(recordId: execution.recordId) }
            booking = try committing(.booking) { [booking] in try ledger.book(booking, opportunity: record) }
        } catch {
            haltOnLedgerFailure(.init(.booking(id: booking.id), error), at: now)
            publish(force: true)
            return
        }
        applyBooked(booking, base: execution.attributedAsset)
        // Only arbitrages count toward a run of failures (nothing filled); a partial one is leg risk's to handle, and a
        // correction that completes does not clear the run.
        if execution.purpose == .arbitrage {
            switch booking.status {
            case .failed: control.arbitrageFilledNothing()
            case .completed: control.arbitrageCompleted()
            case .partial: break
            }
        }
        manageLegRisk(execution, at: now)
        checkBalances(after: execution)
        let booked = DeskEvent.Booking(id: booking.id, execution: execution.name, status: booking.status,
                                       realisedUSD: booking.realisedNetUSD, estimatedNetUSD: execution.expectedNetUSD)
        notify(.booked(booked), at: now)
        publish(force: true)
    }

    func makeBooking(_ execution: Execution, at now: Timestamp) -> ArbitrageBooking {
        let state = pipeline.state
        var pricing = Pricing(state: state, positions: portfolio.inventory)
        pricing.crossMarks = execution.cycle != nil
        var orders: [OrderRecord] = []
        var trades: [TradeRecord] = []
        var changes: [BalanceChange] = []
        var filledLegs = 0
        let bookedBy = execution.approvedBy ?? config.user
        for order in execution.orders {
            guard let report = execution.reports[order.clientOrderId],
                  let market = state[MarketKey(venue: order.venue, symbol: order.symbol)] else { continue }
            let account = market.venue.account.description
            orders.append(OrderRecord(
                id: order.clientOrderId, venue: order.venue.name, pair: order.symbol.description, side: order.side,
                quantity: order.quantity, limitPrice: order.limitPrice, status: report.status.rawValue,
                reason: report.reason, filled: report.filledQuantity, createdAt: order.submittedAt,
                updatedAt: report.executedAt))
            // A swap lands whole (its base amount may differ from the order's by the pool's integer rounding).
            filledLegs += report.filledQuantity.isPositive && report.status == .filled ? 1 : 0
            let fill = fillRecords(report, orderId: order.clientOrderId, venue: order.venue.name, side: order.side, account: account,
                                   symbol: order.symbol, pricing: &pricing)
            changes += fill.changes
            if var trade = fill.trade {
                trade.user = bookedBy
                trades.append(trade)
            }
        }
        var booking = ArbitrageBooking(
            id: execution.arbitrageId, opportunityId: execution.recordId, user: bookedBy, pair: execution.bookedPair,
            status: .failed, expectedNetUSD: execution.expectedNetUSD ?? .zero,
            realisedNetUSD: trades.reduce(.zero) { $0 + $1.profitUSD }, createdAt: now, orders: orders,
            trades: trades, balanceChanges: changes)
        booking.status = filledLegs == execution.orders.count
            ? .completed
            : (trades.contains { $0.amount.isPositive } ? .partial : .failed)
        booking.explanation = explain(execution, quoteUSD: pricing.prices(execution.symbol).quoteUSD)
        booking.kind = execution.purpose.bookingKind
        booking.positions = pricing.movedPositions
        return booking
    }

    /// The prices a booking is measured at, per symbol it trades (a cycle trades several): the base asset's
    /// reference mark and the quote's USD value, now, each taken once per booking.
    struct Pricing {
        let state: MarketState
        /// Perpetual positions as the booking's fills move them (from the inventory's, before the booking).
        var positions: Inventory
        var movedPositions: [PositionRecord] = []
        private var taken: [Symbol: (mark: FixedDecimal, quoteUSD: FixedDecimal)] = [:]

        init(state: MarketState, positions: Inventory) {
            self.state = state
            self.positions = positions
        }

        /// Whether each symbol is marked at its assets' USD values (base over quote) instead of its own reference
        /// price: a cycle's legs trade symbols whose own prices disagree — that disagreement is its profit — so only
        /// marks taken from one set of values make its legs sum to what it made.
        var crossMarks = false

        mutating func prices(_ symbol: Symbol) -> (mark: FixedDecimal, quoteUSD: FixedDecimal) {
            if let known = taken[symbol] { return known }
            let quoteUSD = state.usdValue(of: symbol.quote) ?? 0
            let mark = crossMarks ? (quoteUSD > 0 ? (state.usdValue(of: symbol.base) ?? 0) / quoteUSD : 0)
                                  : state.referencePrice(of: symbol.base, in: symbol.quote) ?? 0
            let prices = (mark: FixedDecimal(approximating: mark).rounded(digits: 8),
                          quoteUSD: FixedDecimal(approximating: quoteUSD).rounded(digits: 8))
            taken[symbol] = prices
            return prices
        }

        /// Moves the account's position in a perpetual by a fill; returns what that realised, in the settle asset.
        mutating func movePosition(_ symbol: Symbol, account: String, side: Side, quantity: FixedDecimal,
                                   price: FixedDecimal) -> FixedDecimal {
            let id = AccountId(parsing: account)
            var position = positions.position(symbol, at: id)
            let realised = position.apply(side, quantity: quantity, price: price)
            positions.setPosition(position, symbol, at: id)
            movedPositions.removeAll { $0.account == account && $0.symbol == symbol.description }
            movedPositions.append(PositionRecord(account: account, symbol: symbol.description, size: position.size,
                                                 entryPrice: position.entryPrice))
            return realised
        }
    }

    /// What one order's report books: its fill (profit as cash flow against the mark, gas included) and the balance
    /// changes — base and quote where it filled, the gas token wherever gas was burnt. No trade when neither.
    func fillRecords(_ report: ExecutionReport, orderId: String, venue: String, side: Side, account: String, symbol: Symbol,
                     pricing: inout Pricing) -> (trade: TradeRecord?, changes: [BalanceChange]) {
        var changes: [BalanceChange] = []
        var gasInQuote = FixedDecimal.zero
        let (mark, quoteUSD) = pricing.prices(symbol)
        if let token = report.gasToken, report.gas.isPositive {
            changes.append(BalanceChange(account: account, asset: token.code, delta: -report.gas))
            let tokenPrice = FixedDecimal(approximating: pricing.state.referencePrice(of: token, in: symbol.quote) ?? 0)
            gasInQuote = (report.gas * tokenPrice.rounded(digits: 8)).rounded(digits: 8, .up)
        }
        guard report.filledQuantity.isPositive || gasInQuote.isPositive else { return (nil, changes) }
        let cash = side == .buy ? report.notional + report.fee : report.notional - report.fee
        if let settle = symbol.settle, report.filledQuantity.isPositive {
            // A perpetual moves the position; the margin account pays the fee and takes what the fill realised.
            let realised = pricing.movePosition(symbol, account: account, side: side, quantity: report.filledQuantity,
                                                price: report.averagePrice)
            // Realised P&L is booked to the 10⁻⁸ the venues settle in, never more than was made.
            changes.append(BalanceChange(account: account, asset: settle.code, delta: realised.rounded(digits: 8, .down) - report.fee))
        } else if report.filledQuantity.isPositive {
            // A fee kept in the base asset comes off what a buy received (or on top of what a sell gave).
            changes.append(BalanceChange(account: account, asset: symbol.base.code,
                                         delta: side == .buy ? report.filledQuantity - report.baseFee
                                                             : -(report.filledQuantity + report.baseFee)))
            changes.append(BalanceChange(account: account, asset: symbol.quote.code, delta: side == .buy ? -cash : cash))
        }
        // Each leg's profit is its cash flow against the mark: the legs of a hedged arbitrage sum to its realised
        // P&L, and a missed leg leaves the other marked, not hidden.
        let atMark = report.filledQuantity * mark
        let profitQuote = (side == .buy ? atMark - cash : cash - atMark) - gasInQuote - report.baseFee * mark
        // The fee as charged: in the base asset when that is all the venue took (the lots then hold what was received),
        // else in the quote, a base-asset part valued at the fill's price.
        let feeInBase = report.baseFee.isPositive && report.fee.isZero
        let recordedFee = feeInBase ? report.baseFee : report.fee + (report.baseFee * report.averagePrice).rounded(digits: 8, .up)
        var trade = TradeRecord(
            id: "\(orderId)-f1", orderId: orderId, user: config.user, exchange: venue, pair: symbol.description, side: side,
            amount: report.filledQuantity, price: report.averagePrice, fee: recordedFee,
            feeAsset: feeInBase ? symbol.base.code : symbol.quote.code,
            gas: report.gas, gasAsset: report.gasToken?.code, markPrice: mark,
            notionalUSD: (report.notional * quoteUSD).rounded(digits: 8),
            profitUSD: (profitQuote * quoteUSD).rounded(digits: 9, .down), createdAt: report.executedAt)
        trade.account = account
        trade.cashUSD = (cash * quoteUSD).rounded(digits: 9, .down)
        trade.gasUSD = (gasInQuote * quoteUSD).rounded(digits: 9, .up)
        return (trade, changes)
    }

    /// Why the booked result differs from the estimate, leg by leg: a leg that filled short or not at all, fills at
    /// worse (or better) prices than quoted, fees and gas other than estimated. Amounts in USD.
    func explain(_ execution: Execution, quoteUSD: FixedDecimal) -> String {
        if let cycle = execution.cycle, execution.purpose == .arbitrage { return explainCycle(execution, cycle) }
        guard let opportunity = execution.opportunity, execution.purpose == .arbitrage else {
            let filled = execution.reports.values.reduce(FixedDecimal.zero) { $0 + $1.filledQuantity }
            let asked = execution.orders.reduce(FixedDecimal.zero) { $0 + $1.quantity }
            let complete = execution.reports.values.allSatisfy { $0.status == .filled }
            return "\(execution.purpose): filled \(filled) of \(asked)" + (complete ? "" : " — the rest is still exposed")
        }
        var reasons: [String] = []
        var slippage = FixedDecimal.zero
        for (order, leg) in zip(execution.orders, opportunity.legs) {
            guard let report = execution.reports[order.clientOrderId] else { continue }
            if report.status != .filled {
                reasons.append("missed leg: \(order.venue) \(order.side) filled \(report.filledQuantity) of \(order.quantity)"
                               + (report.reason.map { " (\($0))" } ?? ""))
            }
            if report.filledQuantity.isPositive {
                // Positive = worse than quoted: paid more on a buy, received less on a sell.
                let worse = (report.averagePrice - leg.averagePrice) * report.filledQuantity
                slippage += order.side == .buy ? worse : -worse
            }
        }
        let slippageUSD = (slippage * quoteUSD).rounded(digits: 2)
        if !slippageUSD.isZero {
            reasons.append("slippage \(slippageUSD.isPositive ? "cost" : "gained") $\(slippageUSD.magnitude.formatted(digits: 2))")
        }
        return reasons.isEmpty ? "as estimated" : reasons.joined(separator: "; ")
    }

    func record(_ opportunity: Opportunity, decision: OpportunityRecord.Decision, reason: String?, at now: Timestamp) {
        sequence += 1
        let record = opportunityRecord(opportunity, id: "\(runId)-o\(opportunity.id).\(sequence)", decision: decision,
                                       reason: reason, at: now)
        do {
            try committing(.decision) { try ledger.record(record) }
            metrics.decisions[decision]?.increment()
        } catch {
            notify(.decisionNotRecorded(opportunityId: opportunity.id, error: "\(error)"), at: now)
        }
    }

    func opportunityRecord(_ opportunity: Opportunity, id: String, decision: OpportunityRecord.Decision,
                           reason: String?, at now: Timestamp) -> OpportunityRecord {
        OpportunityRecord(
            id: id, pair: opportunity.symbol.description, buyVenue: opportunity.buy.venue.name,
            sellVenue: opportunity.sell.venue.name, quantity: opportunity.quantity, gross: opportunity.gross,
            fees: opportunity.fees, gas: opportunity.gasCost, slippage: opportunity.slippage, net: opportunity.net,
            netUSD: opportunity.netUSD, decision: decision, reason: reason, user: member.name,
            detectedAt: opportunity.detectedAt, decidedAt: now, detailJSON: OpportunityJSON.encode(opportunity))
    }
}
