import BigInt
import DexterCore
import DexterCrypto
import DexterMarket
import DexterVenues

extension EVMLiveVenue {
    /// The swap an order becomes on a pool swapped without a router: a Curve pool's own `exchange`, or a Balancer
    /// Vault's `swap` through the pool (`curvePlan`, `balancerPlan`).
    func directPoolPlan(_ order: OrderRequest, pool: EVMMarketFeed.WatchedPool, address: EthereumAddress, market: Market,
                        baseDecimals: Int, quoteDecimals: Int) throws -> (SwapPlan, EVMOrderJournal.Entry) {
        let (base, quote) = try feed.tokens(pool)
        let quantity = try Self.units(order.quantity, decimals: baseDecimals, roundingUp: false)
        // A sell's least out is rounded up, a buy's most in down: a bound may only tighten.
        let bound = try Self.units(order.quantity * order.limitPrice, decimals: quoteDecimals,
                                   roundingUp: order.side == .sell)
        var entry = EVMOrderJournal.Entry(clientOrderId: order.clientOrderId, venue: order.venue.name,
                                          symbol: order.symbol.description, side: order.side, stage: .planned,
                                          pool: address.checksummed, baseDecimals: baseDecimals, quoteDecimals: quoteDecimals)
        switch (pool.deployment.protocolKind, market.liquidity) {
        case (.curve, .stableSwap(let math)):
            return (curvePlan(order.side, quantity: quantity, bound: bound, base: base.address, quote: quote.address,
                              pool: address, math: math), entry)
        case (.balancerWeighted, .weighted):
            guard let poolId = feed.balancerPoolId(pool.key) else { throw EVMLiveError.noPool(pool.key) }
            // The Vault is the contract called, approved, and the one whose Swap log tells the fill.
            let vault = pool.deployment.factory
            entry.pool = vault.checksummed
            entry.poolId = Hex.encode(poolId)
            let venue = SwapPlan.Venue.balancerVault(vault: vault, poolId: poolId)
            switch order.side {
            case .sell:
                return (SwapPlan(venue: venue, pool: vault, tokenIn: base.address, tokenOut: quote.address,
                                 amountIn: quantity, quotedOut: bound, slippage: .none, recipient: wallet), entry)
            case .buy:
                return (.buying(quantity, of: base.address, payingAtMost: bound, of: quote.address, venue: venue,
                                pool: vault, recipient: wallet), entry)
            }
        default:
            throw EVMLiveError.notSwappable(pool.deployment.protocolKind, dex: pool.dexName)
        }
    }

    /// Curve has only exact input: a sell spends exactly its quantity for at least quantity × limit (`bound`); a buy
    /// pays the smallest input whose exact output (dexter's StableSwap math on the pool as the feed holds it, the
    /// contract's own integers) is at least the quantity, and at most `bound`, asking the pool for the quantity as
    /// `min_dy`. Such a buy may receive a few base units more than asked: the fill reports what the log says, and
    /// the desk books that. The allowance goes to the pool; the fill is its TokenExchange log.
    func curvePlan(_ side: Side, quantity: BigUInt, bound: BigUInt, base: EthereumAddress, quote: EthereumAddress,
                   pool: EthereumAddress, math: StableSwapPool) -> SwapPlan {
        switch side {
        case .sell:
            return SwapPlan(venue: .curve(pool: pool, i: math.baseIndex, j: math.quoteIndex), pool: pool, tokenIn: base,
                            tokenOut: quote, amountIn: quantity, quotedOut: bound, slippage: .none, recipient: wallet)
        case .buy:
            // When even the most the limit allows buys too little, that amount is sent to the simulation all the same:
            // the pool refuses it there with its own reason, and nothing is signed away.
            let input = Self.smallestInput(paying: quantity, atMost: bound) { dx in
                try math.amountOut(i: math.quoteIndex, j: math.baseIndex, dx: dx)
            } ?? bound
            return SwapPlan(venue: .curve(pool: pool, i: math.quoteIndex, j: math.baseIndex), pool: pool, tokenIn: quote,
                            tokenOut: base, amountIn: input, quotedOut: quantity, slippage: .none, recipient: wallet)
        }
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

extension EVMOrderJournal.Entry {
    /// Whether a fill found among the pool's logs is this order's: of a Balancer Vault (which logs every pool's swaps)
    /// only its pool's; of any other pool, whichever its own log says.
    func owns(_ fill: SwapFill) -> Bool {
        guard let poolId else { return fill.vaultSwap == nil }
        return fill.vaultSwap.map { Hex.encode($0.poolId) == poolId.lowercased() } ?? false
    }
}
