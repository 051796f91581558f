import BigInt
import DexterCore
import DexterCrypto
import DexterMarket
import DexterVenues

extension EVMLiveVenue {
    /// Which way an order goes: the venue's own pool, or an aggregator's transaction.
    enum Route: Sendable {
        case direct(SwapPlan)
        case aggregator(AggregatorSwapPlan)
    }

    /// The route of a sell (exact input): the aggregator whose transaction pays the most, when that is at least what
    /// the direct pool pays now and at least the order's minimum, checked before anything is signed
    /// (`AggregatorSwapPlan.checked`); else the direct pool, with why (an aggregator down, paying less, refused). A
    /// buy, or a chain with no aggregator that executes, goes direct with no word.
    func route(_ order: OrderRequest, direct plan: SwapPlan, _ key: MarketKey) async -> (Route, note: String?) {
        let executing = feed.aggregators.compactMap { feed -> (any AggregatorSwapSource, AggregatorContracts)? in
            guard let contracts = feed.execution, let client = feed.client as? any AggregatorSwapSource else { return nil }
            return (client, contracts)
        }
        guard order.side == .sell, plan.exactOutput == nil, !executing.isEmpty else { return (.direct(plan), nil) }
        var pool = feed.market(key)?.liquidity
        let direct = (try? pool?.swap(.sell, baseUnits: plan.amountIn))?.quote ?? 0
        var best: AggregatorSwapPlan?
        var notes: [String] = []
        for (client, contracts) in executing {
            do throws(AggregatorRouteError) {
                let checked = try await firm(client, contracts: contracts, plan: plan)
                guard checked.quotedOut >= direct else {
                    throw AggregatorRouteError("pays \(checked.quotedOut), the pool \(direct)")
                }
                if checked.quotedOut > best?.quotedOut ?? 0 { best = checked }
            } catch {
                notes.append("\(client.source): \(error.reason)")
            }
        }
        let why = notes.isEmpty ? nil : notes.joined(separator: "; ")
        if let best {
            let others = why.map { "; \($0)" } ?? ""
            feed.logger.info(
                "\(order.clientOrderId): sold via \(best.source) (\(best.quotedOut) vs the pool's \(direct))\(others)")
            return (.aggregator(best), nil)
        }
        feed.logger.notice("\(order.clientOrderId): the direct pool route: \(why ?? "no aggregator pays more")")
        return (.direct(plan), why)
    }

    /// What the Orders panel adds to a swap's transaction: " via 1inch", or " direct (why no aggregator)".
    static func shown(_ route: Route, note: String?) -> String {
        switch route {
        case .aggregator(let swap): return " via \(swap.source)"
        case .direct: return note.map { " direct (\($0.count > 80 ? $0.prefix(79) + "…" : $0))" } ?? ""
        }
    }

    /// An aggregator's firm quote for the plan's sell, its slippage set so that its minimum stays at or above the
    /// order's (from an indicative quote first), checked.
    private func firm(_ client: any AggregatorSwapSource, contracts: AggregatorContracts, plan: SwapPlan)
        async throws(AggregatorRouteError) -> AggregatorSwapPlan {
        let minimum = plan.amountOutMinimum
        do {
            let indicative = try await client.indicativeQuote(sell: plan.tokenIn, buy: plan.tokenOut, amount: plan.amountIn)
            guard let slippage = AggregatorSwapPlan.slippageBps(quoted: indicative.buyAmount, minimumOut: minimum,
                                                                cap: client.maxSlippageBps) else {
                throw AggregatorRouteError("quotes \(indicative.buyAmount), under the order's \(minimum)")
            }
            let quote = try await client.firmQuote(sell: plan.tokenIn, buy: plan.tokenOut, amount: plan.amountIn,
                                                   taker: wallet, slippageBps: slippage)
            return try AggregatorSwapPlan.checked(quote, sell: plan.tokenIn, buy: plan.tokenOut, amountIn: plan.amountIn,
                                                  minimumOut: minimum, slippageBps: slippage, chainId: feed.chain.chainId,
                                                  wallet: wallet, contracts: contracts, screen: screen)
        } catch let error as AggregatorRouteError {
            throw error
        } catch {
            throw AggregatorRouteError("\(error)")
        }
    }
}

/// Why an aggregator was not taken for a swap.
struct AggregatorRouteError: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
