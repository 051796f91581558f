import BigInt
import DexterCore
import DexterCrypto

extension EVMMarketFeed {
    /// dexter's quotes of a small swap each way, from the state it holds, against the chain's own at the same block
    /// (QuoterV2 for a V3 pool, the router's getAmountsOut for a V2 pair, the pool's get_dy for Curve, the Vault's
    /// queryBatchSwap for Balancer): a venue whose pools disagree is named with both numbers, and goes down until they
    /// agree again — a difference is an alert, not a trade. A quote the chain could not give (no answer) is the RPC's
    /// trouble, said elsewhere, not a disagreement.
    func parityProblems(_ follower: PoolFollower) async -> [VenueId: String] {
        var problems: [VenueId: String] = [:]
        let parity = QuoteParity(client: client)
        for pool in pools where problems[pool.venue.id] == nil {
            guard let (base, quote) = try? tokens(pool) else { continue }
            let pair: Set = [base.address, quote.address]
            do throws(QuoteParityError) {
                if pool.deployment.protocolKind == .balancerWeighted {
                    guard let state = follower.balancerState(of: pool), let i = state.index(of: base.address),
                          let j = state.index(of: quote.address) else { continue }
                    let probes = Self.probes(base, quote, state.decimals[i], state.decimals[j])
                    _ = try await parity.balancer(state, vault: pool.deployment.factory,
                                                  swaps: [(probes[0], quote.address), (probes[1], base.address)])
                } else if pool.deployment.protocolKind == .curve {
                    guard let state = follower.curveState(of: pool), let i = state.index(of: base.address),
                          let j = state.index(of: quote.address) else { continue }
                    let probes = Self.probes(base, quote, state.decimals[i], state.decimals[j])
                    _ = try await parity.curve(state, swaps: [(probes[0], quote.address), (probes[1], base.address)])
                } else if pool.deployment.protocolKind == .uniswapV3 {
                    guard let quoter = pool.deployment.quoter, let state = follower.v3State(of: pool, pair: pair) else { continue }
                    let (baseDecimals, quoteDecimals) = state.token0.address == base.address
                        ? (state.decimals0, state.decimals1) : (state.decimals1, state.decimals0)
                    _ = try await parity.v3(state, quoter: quoter, swaps: Self.probes(base, quote, baseDecimals, quoteDecimals))
                } else {
                    guard let router = pool.deployment.router, let state = follower.v2State(of: pool, pair: pair) else { continue }
                    let (baseDecimals, quoteDecimals) = state.token0.address == base.address
                        ? (state.decimals0, state.decimals1) : (state.decimals1, state.decimals0)
                    _ = try await parity.v2(state, router: router, swaps: Self.probes(base, quote, baseDecimals, quoteDecimals))
                }
            } catch {
                switch error {
                case .mismatch, .dexterRefused: problems[pool.venue.id] = "\(error)"
                case .chainFailed: continue
                }
            }
        }
        return problems
    }

    /// A hundredth of a base unit in, and ten quote units in: small enough for any pool, both directions.
    static func probes(_ base: EVMToken, _ quote: EVMToken, _ baseDecimals: Int, _ quoteDecimals: Int) -> [QuoteParity.Swap] {
        [QuoteParity.Swap(tokenIn: base.address, amountIn: BigUInt(10).power(max(baseDecimals - 2, 0))),
         QuoteParity.Swap(tokenIn: quote.address, amountIn: BigUInt(10).power(quoteDecimals + 1))]
    }
}

extension PoolFollower {
    /// The V3 state a watched pool was read into: its DEX, fee tier and pair.
    func v3State(of pool: EVMMarketFeed.WatchedPool, pair: Set<EthereumAddress>) -> V3PoolState? {
        v3.values.first { $0.dex == pool.dexName && $0.fee == pool.feePips && Set([$0.token0.address, $0.token1.address]) == pair }
    }

    func curveState(of pool: EVMMarketFeed.WatchedPool) -> CurvePoolState? {
        pool.address.flatMap { curve[$0] }
    }

    func balancerState(of pool: EVMMarketFeed.WatchedPool) -> BalancerPoolState? {
        pool.address.flatMap { balancer[$0] }
    }

    func v2State(of pool: EVMMarketFeed.WatchedPool, pair: Set<EthereumAddress>) -> V2PairState? {
        v2.values.first { $0.dex == pool.dexName && Set([$0.token0.address, $0.token1.address]) == pair }
    }
}
