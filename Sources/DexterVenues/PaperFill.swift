import BigInt
import DexterCore
import DexterMarket

/// How a paper venue — the simulator, a recording — fills an immediate-or-cancel order: against its market as it
/// stands when the order arrives, not the quote the trader approved. A book is walked within the order's limit and
/// what the order takes is gone from it; a swap lands whole or reverts, and a revert still burns its gas.
enum PaperFill {
    /// What became of the order, and the market's liquidity after it when the order moved it.
    struct Outcome {
        var report: ExecutionReport
        var liquidity: Liquidity?
    }

    /// `quantity`: what may fill on a book, when less than the order (a simulated fault cuts it); `gas`: the gas on
    /// the market's chain now, which a swap burns.
    static func execute(_ order: OrderRequest, quantity: FixedDecimal? = nil, on market: Market, gas: GasQuote?,
                        at now: Timestamp) -> Outcome {
        switch market.liquidity {
        case .book(var book):
            guard order.quantity >= market.instrument.minQuantity else {
                return Outcome(report: rejection(
                    order, "quantity \(order.quantity) below the minimum \(market.instrument.minQuantity)",
                    failure: ExecutionFailure(code: "below_minimum", failureClass: .rejected,
                                              reason: "the order is below the venue's minimum quantity"), at: now))
            }
            let walk = book.walk(order.side, quantity: quantity ?? order.quantity, limit: order.limitPrice)
            guard walk.filled.isPositive else {
                return Outcome(report: rejection(order, "no liquidity at limit \(order.limitPrice)", status: .expired,
                                                 at: now))
            }
            guard walk.notional >= market.instrument.minNotional else {
                return Outcome(report: rejection(
                    order, "below minimum notional \(market.instrument.minNotional)",
                    failure: ExecutionFailure(code: "below_minimum", failureClass: .rejected,
                                              reason: "the order is below the venue's minimum"), at: now))
            }
            book.consume(order.side, quantity: walk.filled)
            let report = ExecutionReport(
                clientOrderId: order.clientOrderId, venue: order.venue, symbol: order.symbol, side: order.side,
                status: walk.filled == order.quantity ? .filled : .partiallyFilled, reason: nil,
                filledQuantity: walk.filled, notional: walk.notional, fee: walk.notional * market.venue.takerFee,
                gas: .zero, gasToken: nil, executedAt: now)
            return Outcome(report: report, liquidity: .book(book))
        case .constantProduct, .concentrated, .stableSwap, .weighted:
            return swap(order, on: market, gas: gas, at: now)
        }
    }

    /// A swap lands whole or reverts; a revert still burns its gas.
    private static func swap(_ order: OrderRequest, on market: Market, gas gasQuote: GasQuote?,
                             at now: Timestamp) -> Outcome {
        let gas = gasQuote?.cost(units: market.gasUnits) ?? .zero
        func reverted(_ reason: String) -> Outcome {
            Outcome(report: ExecutionReport(
                clientOrderId: order.clientOrderId, venue: order.venue, symbol: order.symbol, side: order.side,
                status: .rejected, reason: "swap reverted: \(reason)", filledQuantity: .zero, notional: .zero,
                fee: .zero, gas: gas, gasToken: gasQuote?.token, executedAt: now,
                failure: ExecutionFailure(code: "reverted", failureClass: .chain,
                                          reason: "the swap reverted on chain (gas was still spent)",
                                          venueMessage: "swap reverted: \(reason)")))
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
        let filled = FixedDecimal(units: Int128(moved.base), decimals: baseDecimals)
        return Outcome(report: ExecutionReport(
            clientOrderId: order.clientOrderId, venue: order.venue, symbol: order.symbol, side: order.side,
            status: .filled, reason: nil, filledQuantity: filled, notional: quote.notional, fee: quote.fee,
            gas: gas, gasToken: gasQuote?.token, executedAt: now), liquidity: liquidity)
    }

    /// An order for a market the venue does not list.
    static func unknownMarket(_ order: OrderRequest, at now: Timestamp) -> ExecutionReport {
        let key = MarketKey(venue: order.venue, symbol: order.symbol)
        return rejection(order, "unknown market \(key)",
                         failure: ExecutionFailure(code: "unknown_market", failureClass: .rejected,
                                                   reason: "the venue does not list \(key.symbol)"), at: now)
    }

    /// An order that filled nothing: refused (with why, typed), or expired with nothing at its limit.
    static func rejection(_ order: OrderRequest, _ reason: String, status: ExecutionReport.Status = .rejected,
                          failure: ExecutionFailure? = nil, at now: Timestamp) -> ExecutionReport {
        ExecutionReport(clientOrderId: order.clientOrderId, venue: order.venue, symbol: order.symbol, side: order.side,
                        status: status, reason: reason, filledQuantity: .zero, notional: .zero, fee: .zero,
                        gas: .zero, gasToken: nil, executedAt: now, failure: failure)
    }
}
