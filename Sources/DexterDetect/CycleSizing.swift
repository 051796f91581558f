import DexterCore
import DexterMarket

/// Sizes a cycle along its legs. The start amount is chosen on the `Double` screens (the output of a cycle is
/// concave in its input, so a ternary search finds the best), then every leg is priced exactly: a sell leg takes
/// what it holds rounded down to the market's lot, a buy leg the most whole lots its input pays for.
enum CycleSizing {
    typealias Leg = (market: Int, side: Side)

    static func size(_ legs: [Leg], state: MarketState, inventory: Inventory, policy: DetectionPolicy,
                     now: Timestamp) -> CycleOpportunity? {
        let first = state.markets[legs[0].market]
        let start = legs[0].side == .sell ? first.key.symbol.base : first.key.symbol.quote
        guard let startUSD = state.usdValue(of: start), startUSD > 0 else { return nil }
        // Each leg spends what it holds at its venue; the first also respects the notional cap.
        let held = inventory.available(start, at: first.venue.account).doubleValue
        let upper = min(held, policy.maxNotionalUSD.doubleValue / startUSD)
        guard upper > 0 else { return nil }
        // Per leg, fetched once: its screen, whether it sells, what its venue holds of its input, its lot.
        let plan = legs.map { leg -> (screen: LiquidityScreen, sells: Bool, held: Double, lot: Double) in
            let market = state.markets[leg.market]
            let input = leg.side == .sell ? market.key.symbol.base : market.key.symbol.quote
            return (market.screen, leg.side == .sell, max(0, inventory.available(input, at: market.venue.account).doubleValue),
                    market.instrument.lotSize.doubleValue)
        }
        func output(_ amount: Double) -> Double {
            var value = amount
            for leg in plan {
                value = min(value, leg.held)
                if leg.sells {
                    guard value < leg.screen.maxSellQuantity else { return 0 }
                    value = leg.screen.sellProceeds(value)
                } else {
                    value = leg.screen.baseAffordable(with: value)
                        ?? Sizing.quantity(affordableWith: value, on: leg.screen, upTo: leg.screen.maxBuyQuantity * 0.999,
                                           resolution: leg.lot)
                }
            }
            return value
        }
        var low = 0.0, high = upper
        for _ in 0..<60 where high - low > upper * 1e-7 {
            let a = low + (high - low) / 3, b = high - (high - low) / 3
            if output(a) - a < output(b) - b { low = a } else { high = b }
        }
        let amount = (low + high) / 2
        // Exact pricing costs far more than screening: only a cycle the screen says pays after gas gets it.
        var gasEstimate = 0.0
        for leg in legs {
            let market = state.markets[leg.market]
            guard let chain = market.venue.kind.chain else { continue }
            guard let gas = state.gas[chain], let tokenUSD = state.usdValue(of: gas.token) else { return nil }
            gasEstimate += gas.cost(units: market.gasUnits).doubleValue * tokenUSD
        }
        guard (output(amount) - amount) * startUSD - gasEstimate >= policy.minNetUSD.doubleValue else { return nil }
        return exact(legs, start: FixedDecimal(approximating: amount).rounded(digits: 8, .down), state: state,
                     startUSD: startUSD, policy: policy, now: now)
    }

    /// Prices the legs exactly from `start` of the first leg's input.
    static func exact(_ legs: [Leg], start: FixedDecimal, state: MarketState, startUSD: Double, policy: DetectionPolicy,
                      now: Timestamp) -> CycleOpportunity? {
        var amount = start
        var sized: [CycleLeg] = []
        var gasUSD = FixedDecimal.zero
        var expiry = Timestamp(nanoseconds: .max)
        for leg in legs {
            let market = state.markets[leg.market]
            let lot = market.instrument.lotSize
            let symbol = market.key.symbol
            let quote: LegQuote
            if leg.side == .sell {
                let quantity = amount.rounded(toMultipleOf: lot, .down)
                guard quantity.isPositive, let sold = try? market.quote(.sell, quantity: quantity) else { return nil }
                quote = sold
                sized.append(CycleLeg(venue: market.key.venue, symbol: symbol, side: .sell, from: symbol.base,
                                      input: quantity, to: symbol.quote, output: sold.cash, quantity: quantity,
                                      averagePrice: sold.averagePrice, worstPrice: sold.worstPrice, fee: sold.fee,
                                      receivedAt: market.receivedAt))
            } else {
                guard let bought = affordable(amount, on: market) else { return nil }
                quote = bought
                sized.append(CycleLeg(venue: market.key.venue, symbol: symbol, side: .buy, from: symbol.quote,
                                      input: bought.cash, to: symbol.base, output: bought.quantity, quantity: bought.quantity,
                                      averagePrice: bought.averagePrice, worstPrice: bought.worstPrice, fee: bought.fee,
                                      receivedAt: market.receivedAt))
            }
            guard quote.notional >= market.instrument.minNotional, quote.quantity >= market.instrument.minQuantity
            else { return nil }
            amount = sized[sized.count - 1].output
            expiry = min(expiry, market.receivedAt.adding(market.venue.stalenessBound))
            if let chain = market.venue.kind.chain {
                guard let gas = state.gas[chain], let tokenUSD = state.usdValue(of: gas.token) else { return nil }
                gasUSD += (gas.cost(units: market.gasUnits) * FixedDecimal(approximating: tokenUSD)).rounded(digits: 8, .up)
            }
        }
        // What the first leg actually spent (a lot may leave a little of the start unspent) against what returns.
        let net = amount - sized[0].input
        let netUSD = (net * FixedDecimal(approximating: startUSD)).rounded(digits: 8) - gasUSD
        guard net.isPositive, netUSD.isPositive, now < expiry else { return nil }
        return CycleOpportunity(id: 0, legs: sized, net: net, gasUSD: gasUSD, netUSD: netUSD, detectedAt: now,
                                expiresAt: expiry)
    }

    /// The most base `budget` quote buys on `market`, fee included: on a pool the exact-input swap of the budget,
    /// on a book the most whole lots.
    static func affordable(_ budget: FixedDecimal, on market: Market) -> LegQuote? {
        if market.liquidity.isPool { return (try? market.poolQuote(spending: budget)) ?? nil }
        let lot = market.instrument.lotSize
        let screen = market.screen
        let estimate = screen.baseAffordable(with: budget.doubleValue)
            ?? Sizing.quantity(affordableWith: budget.doubleValue, on: screen, upTo: screen.maxBuyQuantity * 0.999,
                               resolution: lot.doubleValue / 4)
        var quantity = FixedDecimal(approximating: estimate).rounded(toMultipleOf: lot, .down)
        func cost(_ quantity: FixedDecimal) -> LegQuote? {
            guard let quote = try? market.quote(.buy, quantity: quantity), quote.cash <= budget else { return nil }
            return quote
        }
        // The screen is close; exact prices decide. Step down, doubling the step, to an affordable size, then
        // search the lots between it and the last one too dear.
        var step = lot
        var tooDear: FixedDecimal?
        for _ in 0..<64 where quantity.isPositive {
            if let affordable = cost(quantity) {
                guard var high = tooDear else { return affordable }
                var best = affordable
                var low = quantity
                while high - low > lot {
                    let middle = (low + (high - low) / FixedDecimal(2)).rounded(toMultipleOf: lot, .down)
                    guard middle > low else { break }
                    if let quote = cost(middle) { low = middle; best = quote } else { high = middle }
                }
                return best
            }
            tooDear = quantity
            quantity -= step
            step = step + step
        }
        return nil
    }
}
