import BigInt
import DexterCore
import DexterMarket

extension SimulatedMarket {
    /// Fills every order that has reached its venue, against the venue's state at that moment: not the quote the
    /// trader approved. The liquidity an order takes is gone for the next one. Exchange orders (`chain` nil) fill
    /// on arrival; swaps on a chain wait for its next block.
    mutating func executeArrivedOrders(on chain: ChainId?, into events: inout [VenueEvent]) {
        func due(_ entry: (arrival: Timestamp, order: OrderRequest)) -> Bool {
            guard entry.arrival <= now else { return false }
            let key = MarketKey(venue: entry.order.venue, symbol: entry.order.symbol)
            return state.indexByKey[key].map { state.markets[$0].venue.kind.chain == chain } ?? (chain == nil)
        }
        let arrived = pending.enumerated().filter { due($0.element) }
        guard !arrived.isEmpty else { return }
        pending.removeAll(where: due)
        for (_, entry) in arrived.sorted(by: { ($0.element.arrival, $0.offset) < ($1.element.arrival, $1.offset) }) {
            let report = execute(entry.order)
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

    private mutating func execute(_ order: OrderRequest) -> ExecutionReport {
        let key = MarketKey(venue: order.venue, symbol: order.symbol)
        guard let index = state.indexByKey[key] else {
            return rejection(order, "unknown market \(key)",
                             failure: ExecutionFailure(code: "unknown_market", failureClass: .rejected,
                                                       reason: "the venue does not list \(key.symbol)"))
        }
        let market = state.markets[index]
        var quantity = order.quantity
        switch universe.faults[order.venue] {
        case .reject(let reason)?: return rejection(order, reason, failure: FailureClassifier.classify(message: reason))
        case .timeout?:
            let reason = "timed out: no answer from \(order.venue) within the order's time limit"
            return rejection(order, reason, failure: ExecutionFailure(code: "timeout", failureClass: .transient,
                                                                     reason: "no answer from the venue in time",
                                                                     venueMessage: reason))
        case .fillFraction(let fraction)?:
            quantity = (order.quantity * fraction).rounded(toMultipleOf: market.instrument.lotSize, .down)
            guard quantity.isPositive else { return rejection(order, "no liquidity at limit \(order.limitPrice)", status: .expired) }
        case nil: break
        }
        switch market.liquidity {
        case .book(var book):
            let walk = book.walk(order.side, quantity: quantity, limit: order.limitPrice)
            guard walk.filled.isPositive else {
                return rejection(order, "no liquidity at limit \(order.limitPrice)", status: .expired)
            }
            guard walk.notional >= market.instrument.minNotional else {
                return rejection(order, "below minimum notional \(market.instrument.minNotional)",
                                 failure: ExecutionFailure(code: "below_minimum", failureClass: .rejected,
                                                           reason: "the order is below the venue's minimum"))
            }
            book.consume(order.side, quantity: walk.filled)
            state.apply(.liquidity(key, .book(book), venueTime: now, receivedAt: now))
            return ExecutionReport(
                clientOrderId: order.clientOrderId, venue: order.venue, symbol: order.symbol, side: order.side,
                status: walk.filled == order.quantity ? .filled : .partiallyFilled, reason: nil,
                filledQuantity: walk.filled, notional: walk.notional, fee: walk.notional * market.venue.takerFee,
                gas: .zero, gasToken: nil, executedAt: now)
        case .constantProduct, .concentrated, .stableSwap:
            return executeSwap(order, index: index)
        }
    }

    /// A swap lands whole or reverts; a revert still burns its gas.
    private mutating func executeSwap(_ order: OrderRequest, index: Int) -> ExecutionReport {
        let market = state.markets[index]
        let chain = market.venue.kind.chain
        let gasQuote = chain.flatMap { state.gas[$0] }
        let gas = gasQuote?.cost(units: market.gasUnits) ?? .zero
        func reverted(_ reason: String) -> ExecutionReport {
            ExecutionReport(clientOrderId: order.clientOrderId, venue: order.venue, symbol: order.symbol,
                            side: order.side, status: .rejected, reason: "swap reverted: \(reason)",
                            filledQuantity: .zero, notional: .zero, fee: .zero, gas: gas,
                            gasToken: gasQuote?.token, executedAt: now,
                            failure: ExecutionFailure(code: "reverted", failureClass: .chain,
                                                      reason: "the swap reverted on chain (gas was still spent)",
                                                      venueMessage: "swap reverted: \(reason)"))
        }
        let quote: LegQuote
        do {
            quote = try market.quote(order.side, quantity: order.quantity)
        } catch {
            return reverted(error.description)
        }
        let bound = quote.quantity * order.limitPrice
        if order.side == .buy && quote.cash > bound { return reverted("would pay \(quote.cash) > max \(bound)") }
        if order.side == .sell && quote.cash < bound { return reverted("would receive \(quote.cash) < min \(bound)") }
        var liquidity = market.liquidity
        guard let baseDecimals = liquidity.baseDecimals,
              let moved = try? liquidity.swap(order.side, baseUnits: BigUInt(order.quantity.units(decimals: baseDecimals)))
        else { return reverted("pool state changed") }
        state.apply(.liquidity(market.key, liquidity, venueTime: now, receivedAt: now))
        let filled = FixedDecimal(units: Int128(moved.base), decimals: baseDecimals)
        return ExecutionReport(
            clientOrderId: order.clientOrderId, venue: order.venue, symbol: order.symbol, side: order.side,
            status: .filled, reason: nil, filledQuantity: filled, notional: quote.notional, fee: quote.fee,
            gas: gas, gasToken: gasQuote?.token, executedAt: now)
    }

    private func timedOut(_ order: OrderRequest) -> Bool { universe.faults[order.venue] == .timeout }

    private func rejection(_ order: OrderRequest, _ reason: String, status: ExecutionReport.Status = .rejected,
                           failure: ExecutionFailure? = nil) -> ExecutionReport {
        ExecutionReport(clientOrderId: order.clientOrderId, venue: order.venue, symbol: order.symbol, side: order.side,
                        status: status, reason: reason, filledQuantity: .zero, notional: .zero, fee: .zero,
                        gas: .zero, gasToken: nil, executedAt: now, failure: failure)
    }
}
