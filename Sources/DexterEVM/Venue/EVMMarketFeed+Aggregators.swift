import DexterCore
import DexterMarket
import DexterVenues

extension EVMMarketFeed {
    /// The pairs the watched pools trade, each once, with its tokens' decimals as read from its pool.
    var aggregatorPairs: [AggregatorPair] {
        var seen: Set<Symbol> = []
        return pools.compactMap { pool -> AggregatorPair? in
            guard seen.insert(pool.symbol).inserted, let market = market(pool.key),
                  let baseDecimals = market.liquidity.baseDecimals, let quoteDecimals = market.liquidity.quoteDecimals,
                  let base = chain.tokens[pool.symbol.base], let quote = chain.tokens[pool.symbol.quote] else {
                return nil
            }
            return AggregatorPair(symbol: pool.symbol, base: base, baseDecimals: baseDecimals, quote: quote,
                                  quoteDecimals: quoteDecimals)
        }
    }

    /// Starts asking the chain's aggregators for the pools' pairs (after `instruments()` read the pools); once.
    func startAggregators(into inbox: VenueInbox) {
        guard !aggregators.isEmpty else { return }
        let poller = aggregatorPoller.withLock { held -> AggregatorPoller? in
            guard held == nil else { return nil }
            let made = AggregatorPoller(chain: chain.chain, feeds: aggregators, pairs: aggregatorPairs, logger: logger)
            held = made
            return made
        }
        poller?.start(into: inbox)
    }

    /// The aggregators' poller once the feed is subscribed (for `dexter venues check` and tests).
    public var aggregatorStatus: AggregatorPoller? { aggregatorPoller.withLock { $0 } }
}
