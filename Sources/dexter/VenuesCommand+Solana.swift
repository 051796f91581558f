import DexterCore
import DexterEVM
import DexterMarket
import DexterSolana

extension VenuesCommand.Check {
    /// A solana venue: the cluster reachable (its block height at `confirmed`), each pair's mints read (decimals), and
    /// Jupiter's quotes at every configured size, both ways, as the book the desk trades on.
    static func solana(_ venue: ConfiguredVenue, chain: SolanaChainSettings?) async -> (lines: [String], good: Bool) {
        guard let chain, let solana = venue.solana else { return (["\(venue.spec.id): solana is not read live"], false) }
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
}
