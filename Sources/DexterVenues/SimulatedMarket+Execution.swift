import DexterCore
import DexterMarket

extension SimulatedMarket {
    /// Fills every order that has reached its venue, against the venue's state at that moment: not the quote the
    /// trader approved. The liquidity an order takes is gone for the next one. Exchange orders (`chain` nil) fill
    /// on arrival; swaps on a chain wait for its next block.
    mutating func executeArrivedOrders(on chain: ChainId?, into events: inout [VenueEvent]) {
        func due(_ entry: (arrival: Timestamp, order: OrderRequest, gasCap: FixedDecimal?)) -> Bool {
            guard entry.arrival <= now else { return false }
            let key = MarketKey(venue: entry.order.venue, symbol: entry.order.symbol)
            return state.indexByKey[key].map { state.markets[$0].venue.kind.chain == chain } ?? (chain == nil)
        }
        let arrived = pending.enumerated().filter { due($0.element) }
        guard !arrived.isEmpty else { return }
        pending.removeAll(where: due)
        for (_, entry) in arrived.sorted(by: { ($0.element.arrival, $0.offset) < ($1.element.arrival, $1.offset) }) {
            let report = execute(entry.order, gasCap: entry.gasCap)
            // A timed-out order never reached the venue's book: it is neither remembered nor journaled, so a retry
            // with the same client order id can still go through (and a second copy of one that did cannot).
            if timedOut(entry.order) {
                forget(entry.order.clientOrderId)
            } else {
                journal?.record(report)
            }
            events.append(.execution(report))
            if let index = state.indexByKey[MarketKey(venue: entry.order.venue, symbol: entry.order.symbol)] {
                publish(index, into: &events)
            }
        }
    }

    /// The simulator's faults first (a venue refusing, timing out, filling short), then the paper rules every paper
    /// venue fills by.
    private mutating func execute(_ order: OrderRequest, gasCap: FixedDecimal?) -> ExecutionReport {
        let key = MarketKey(venue: order.venue, symbol: order.symbol)
        guard let index = state.indexByKey[key] else { return PaperFill.unknownMarket(order, at: now) }
        let market = state.markets[index]
        var quantity = order.quantity
        switch universe.faults[order.venue] {
        case .reject(let reason)?:
            return PaperFill.rejection(order, reason, failure: FailureClassifier.classify(message: reason), at: now)
        case .timeout?:
            let reason = "timed out: no answer from \(order.venue) within the order's time limit"
            return PaperFill.rejection(order, reason, failure: ExecutionFailure(
                code: "timeout", failureClass: .transient, reason: "no answer from the venue in time",
                venueMessage: reason), at: now)
        case .fillFraction(let fraction)?:
            quantity = (order.quantity * fraction).rounded(toMultipleOf: market.instrument.lotSize, .down)
            guard quantity.isPositive else {
                return PaperFill.rejection(order, "no liquidity at limit \(order.limitPrice)", status: .expired, at: now)
            }
        case nil: break
        }
        var gas = market.venue.kind.chain.flatMap { state.gas[$0] }
        if let cap = gasCap, let quote = gas, quote.price > cap { gas?.price = cap }
        let outcome = PaperFill.execute(order, quantity: quantity, on: market, gas: gas, at: now)
        if let liquidity = outcome.liquidity { state.apply(.liquidity(key, liquidity, venueTime: now, receivedAt: now)) }
        return outcome.report
    }

    private func timedOut(_ order: OrderRequest) -> Bool { universe.faults[order.venue] == .timeout }
}
