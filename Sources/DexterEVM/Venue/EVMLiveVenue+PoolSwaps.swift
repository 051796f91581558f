import BigInt
import DexterCore
import DexterCrypto
import DexterMarket
import DexterVenues

extension EVMLiveVenue {
    /// The swap an order becomes on a pool called directly rather than through a router: a Curve pool's own
    /// `exchange`, whose allowance goes to the pool and whose fill is its TokenExchange log. Curve has only exact
    /// input: a sell spends exactly its quantity for at least quantity × limit (rounded up); a buy pays the smallest
    /// input whose exact output (dexter's StableSwap math, the contract's own integers) is at least the quantity, and
    /// at most quantity × limit (rounded down), asking the pool for the quantity as `min_dy`. Such a buy may receive a
    /// few base units more than asked — the fill reports what the log says, and the desk books that.
    func directPoolPlan(_ order: OrderRequest, pool: EVMMarketFeed.WatchedPool, address: EthereumAddress, market: Market,
                        baseDecimals: Int, quoteDecimals: Int) throws -> (SwapPlan, EVMOrderJournal.Entry) {
        let (base, quote) = try feed.tokens(pool)
        guard pool.deployment.protocolKind == .curve, case .stableSwap(let math) = market.liquidity else {
            throw EVMLiveError.notSwappable(pool.deployment.protocolKind, dex: pool.dexName)
        }
        let quantity = try Self.units(order.quantity, decimals: baseDecimals, roundingUp: false)
        let plan: SwapPlan
        switch order.side {
        case .sell:
            let minimum = try Self.units(order.quantity * order.limitPrice, decimals: quoteDecimals, roundingUp: true)
            plan = SwapPlan(venue: .curve(pool: address, i: math.baseIndex, j: math.quoteIndex), pool: address,
                            tokenIn: base.address, tokenOut: quote.address, amountIn: quantity, quotedOut: minimum,
                            slippage: .none, recipient: wallet)
        case .buy:
            let maximum = try Self.units(order.quantity * order.limitPrice, decimals: quoteDecimals, roundingUp: false)
            // When even the most the limit allows buys too little, that amount is sent to the simulation all the same:
            // the pool refuses it there with its own reason, and nothing is signed away.
            let input = Self.smallestInput(paying: quantity, atMost: maximum) { dx in
                try math.amountOut(i: math.quoteIndex, j: math.baseIndex, dx: dx)
            } ?? maximum
            plan = SwapPlan(venue: .curve(pool: address, i: math.quoteIndex, j: math.baseIndex), pool: address,
                            tokenIn: quote.address, tokenOut: base.address, amountIn: input, quotedOut: quantity,
                            slippage: .none, recipient: wallet)
        }
        let entry = EVMOrderJournal.Entry(clientOrderId: order.clientOrderId, venue: order.venue.name,
                                          symbol: order.symbol.description, side: order.side, stage: .planned,
                                          pool: address.checksummed, baseDecimals: baseDecimals, quoteDecimals: quoteDecimals)
        return (plan, entry)
    }

    /// The smallest input in 1...`cap` for which `output` is at least `wanted`, by bisection (the output of a pool
    /// never falls as its input grows); nil when even `cap` pays less. An input the math refuses (dust that pays
    /// nothing) counts as paying nothing.
    static func smallestInput(paying wanted: BigUInt, atMost cap: BigUInt, output: (BigUInt) throws -> BigUInt) -> BigUInt? {
        func pays(_ dx: BigUInt) -> Bool { ((try? output(dx)) ?? 0) >= wanted }
        guard cap > 0, pays(cap) else { return nil }
        // `high` always pays enough; `low` never does (0 pays nothing).
        var low: BigUInt = 0, high = cap
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if pays(middle) { high = middle } else { low = middle }
        }
        return high
    }
}
