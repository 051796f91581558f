import DexterCore
import DexterEVM
import DexterMarket
import DexterSolana

extension VenuesCommand.Check {
    /// A solana venue: the cluster reachable (its block height at `confirmed`), each pair's mints read (decimals), and
    /// Jupiter's quotes at every configured size, both ways, as the book the desk trades on.
    static func solana(_ venue: ConfiguredVenue, chain: SolanaChainSettings?) async -> (lines: [String], good: Bool) {
        guard let chain, let solana = venue.solana else { return (["\(venue.spec.id): solana is not read live"], false) }
        if let kind = solana.poolKind { return await pools(venue, chain: chain, solana: solana, kind: kind) }
        var lines = ["\(venue.spec.id) (jupiter at \(redactedURL(chain.jupiterURL)) on solana at "
                     + "\(chain.rpcURLs.map(redactedURL).joined(separator: ", ")))"]
        let start = ContinuousClock.now
        do {
            let rpc = try SolanaRPCClient(urls: chain.rpcURLs, requestTimeout: .seconds(5))
            let height = try await rpc.blockHeight(.confirmed)
            let feed = JupiterMarketFeed(venue: venue.spec, chain: chain, symbols: solana.symbols, sizes: solana.quoteSizes, rpc: rpc)
            let instruments = try await feed.instruments()
            lines[0] += " reachable in \(Int((ContinuousClock.now - start).secondsDouble * 1000)) ms; block height \(height)"
            for instrument in instruments {
                let market = instrument.market
                guard case .book(let book) = market.liquidity else { continue }
                let bid = book.bestBid.map { "\($0.price)" } ?? "none", ask = book.bestAsk.map { "\($0.price)" } ?? "none"
                lines.append("  \(market.instrument.symbol): bid \(bid) ask \(ask) for the first "
                             + "\(solana.quoteSizes.first.map { "\($0)" } ?? "?") \(market.instrument.symbol.base); "
                             + "\(book.bids.count) bid and \(book.asks.count) ask levels up to \(solana.quoteSizes.last.map { "\($0)" } ?? "?"); "
                             + "fee about \(market.gasUnits) lamports a swap")
            }
            return (lines, true)
        } catch {
            return (lines + ["  PROBLEM: \(error)"], false)
        }
    }

    /// A pool venue: each pool read from its accounts at one slot, as the desk's model prices it.
    static func pools(_ venue: ConfiguredVenue, chain: SolanaChainSettings, solana: SolanaVenueSettings,
                      kind: SolanaPoolKind) async -> (lines: [String], good: Bool) {
        var lines = ["\(venue.spec.id) (\(kind.rawValue) pools on solana at \(chain.rpcURLs.map(redactedURL).joined(separator: ", ")))"]
        let start = ContinuousClock.now
        do {
            let feed = try SolanaPoolFeed(pools: solana.pools.sorted { $0.key.description < $1.key.description }.map { symbol, address in
                SolanaPoolFeed.WatchedPool(venue: venue.spec, symbol: symbol, kind: kind, address: address,
                                           baseMint: chain.tokens[symbol.base] ?? address)
            }, rpcURLs: chain.rpcURLs, requestTimeout: .seconds(5))
            let instruments = try await feed.instruments()
            lines[0] += " reachable in \(Int((ContinuousClock.now - start).secondsDouble * 1000)) ms"
            for instrument in instruments {
                let market = instrument.market
                let mid = market.mid.map { String(format: "%.6g", $0) } ?? "no price"
                lines.append("  \(market.instrument.symbol): pool \(instrument.poolAddress ?? "?"), mid \(mid); LIVE orders through "
                             + "Jupiter's \(solana.jupiterLabel ?? kind.rawValue) route via this pool alone")
            }
            return (lines, true)
        } catch {
            return (lines + ["  PROBLEM: \(error)"], false)
        }
    }
}
