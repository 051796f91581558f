import DexterCore
import DexterCrypto
import DexterMarket
import DexterVenues
import Logging
import Synchronization

/// Jupiter as a venue's market data: for each pair, quotes at a ladder of base sizes, both ways, turned into a book.
/// A sell of `q₁ < q₂ < …` base (ExactIn) gets `out₁ < out₂ < …` quote: bid level i is the marginal price
/// (outᵢ − outᵢ₋₁) / (qᵢ − qᵢ₋₁) for qᵢ − qᵢ₋₁ base, so taking the first k levels pays exactly the quote for qₖ
/// (rounded against the desk to the quote's last unit); a buy (ExactOut) makes the asks the same way. Levels never
/// improve further down (a later route that happens to be better is not promised). Jupiter's amounts carry the pools'
/// fees, so the venue's own fee is zero; a swap's cost on chain is its transaction fee (`gasUnits`, in lamports at a
/// gas price of one lamport per unit).
public final class JupiterMarketFeed: PaperMarketFeed, Sendable {
    public let venue: VenueSpec
    public let chain: SolanaChainSettings
    public let symbols: [Symbol]
    /// The base sizes quoted, ascending.
    public let sizes: [FixedDecimal]
    let jupiter: JupiterClient
    let rpc: SolanaRPCClient
    let clock: any Clock
    let logger: Logger

    private struct Held {
        var decimals: [SolanaPublicKey: Int] = [:]
        var markets: [Symbol: Market] = [:]
        var subscribed: Set<Symbol> = []
        var poller: Task<Void, Never>?
        var feeLamports = Int(SolanaFees.signatureLamports)
    }
    private let held = Mutex(Held())

    /// Compute units a Jupiter swap is priced at before one is built (a one- or two-hop route).
    static let estimatedComputeUnits: UInt64 = 300_000

    public init(venue: VenueSpec, chain: SolanaChainSettings, symbols: [Symbol], sizes: [FixedDecimal],
                rpc: SolanaRPCClient, clock: any Clock = WallClock(), logger: Logger = Logger(label: "dexter.solana")) {
        self.venue = venue
        self.chain = chain
        self.symbols = symbols
        self.sizes = sizes.filter(\.isPositive).sorted()
        self.rpc = rpc
        self.clock = clock
        self.logger = logger
        jupiter = JupiterClient(baseURL: chain.jupiterURL)
    }

    deinit { held.withLock { $0.poller?.cancel() } }

    public var venueIds: [VenueId] { [venue.id] }

    public func market(_ key: MarketKey) -> Market? {
        key.venue == venue.id ? held.withLock { $0.markets[key.symbol] } : nil
    }

    /// A token's decimals as its mint account says (read at `instruments()`).
    public func decimals(_ mint: SolanaPublicKey) -> Int? { held.withLock { $0.decimals[mint] } }

    public func mint(_ asset: Asset) throws(SolanaVenueError) -> SolanaPublicKey {
        guard let mint = chain.tokens[asset] else { throw .noMint(asset, chain: chain.chain) }
        return mint
    }

    /// Reads every pair's mints (their decimals) and one ladder of quotes per pair.
    public func instruments() async throws -> [VenueInstrument] {
        let mints = try Array(Set(symbols.flatMap { [try mint($0.base), try mint($0.quote)] })).sorted()
        let (_, accounts) = try await rpc.multipleAccounts(mints, .confirmed)
        var decimals: [SolanaPublicKey: Int] = [:]
        for (mint, account) in zip(mints, accounts) {
            guard let account else { throw SolanaVenueError.mintMissing(mint) }
            decimals[mint] = try Self.mintDecimals(account, mint: mint)
        }
        held.withLock { $0.decimals = decimals }
        await refreshFee()
        var instruments: [VenueInstrument] = []
        for symbol in symbols {
            let market = try await readMarket(symbol)
            held.withLock { $0.markets[symbol] = market }
            instruments.append(VenueInstrument(market: market))
        }
        return instruments
    }

    /// One lamport per gas unit: a swap's `gasUnits` are its fee in lamports.
    public func currentGas() async throws -> [GasQuote] {
        [SolanaFees.gasQuote(chain: chain.chain, token: chain.gasToken, at: clock.now())]
    }

    public func subscribe(_ keys: [MarketKey], into inbox: VenueInbox) async throws {
        let start = held.withLock { held -> Bool in
            held.subscribed.formUnion(keys.filter { $0.venue == venue.id }.map(\.symbol))
            return held.poller == nil
        }
        guard start else { return }
        inbox.post(.live, for: venue.id)
        let task = Task { [weak self] in
            guard let self else { return }
            await self.poll(into: inbox)
        }
        held.withLock { $0.poller = task }
    }

    public func unsubscribe(_ keys: [MarketKey]) async {
        held.withLock { $0.subscribed.subtract(keys.filter { $0.venue == venue.id }.map(\.symbol)) }
    }

    /// Each interval: a fresh ladder per subscribed pair. A Jupiter or node that stops answering takes the venue down
    /// until it answers again; its last books go stale meanwhile.
    private func poll(into inbox: VenueInbox) async {
        var down = false
        while !Task.isCancelled {
            do {
                await refreshFee()
                for symbol in held.withLock({ $0.subscribed }).sorted(by: { $0.description < $1.description }) {
                    let market = try await readMarket(symbol)
                    held.withLock { $0.markets[symbol] = market }
                    inbox.post(.liquidity(market.key, market.liquidity, venueTime: market.venueTime, receivedAt: market.receivedAt))
                    inbox.post(.gasUnits(market.key, market.gasUnits))
                }
                if down {
                    down = false
                    inbox.post(.live, for: venue.id)
                }
            } catch {
                if !down {
                    down = true
                    inbox.post(.down(reason: "\(error)"), for: venue.id)
                }
            }
            try? await Task.sleep(for: chain.pollInterval)
        }
    }

    /// The fee a swap pays now: the base fee and the priority price this desk offers over a typical swap's units.
    private func refreshFee() async {
        guard let price = try? await rpc.priorityPrice(writing: [], percentile: chain.priorityPercentile,
                                                      cap: chain.maxPriorityMicroLamports) else { return }
        let priority = (UInt128(price) * UInt128(Self.estimatedComputeUnits) + 999_999) / 1_000_000
        held.withLock { $0.feeLamports = Int(SolanaFees.signatureLamports + UInt64(priority)) }
    }

    func readMarket(_ symbol: Symbol) async throws -> Market {
        let base = try mint(symbol.base), quote = try mint(symbol.quote)
        guard let baseDecimals = decimals(base), let quoteDecimals = decimals(quote) else {
            throw SolanaVenueError.mintMissing(decimals(base) == nil ? base : quote)
        }
        var bids: [(FixedDecimal, FixedDecimal)] = [], asks: [(FixedDecimal, FixedDecimal)] = []
        for size in sizes {
            let units = UInt64(size.units(decimals: baseDecimals))
            guard units > 0 else { continue }
            let sold = try await jupiter.quote(input: base, output: quote, amount: units, exactIn: true, slippageBps: 0)
            let bought = try await jupiter.quote(input: quote, output: base, amount: units, exactIn: false, slippageBps: 0)
            let quantity = FixedDecimal(units: Int128(units), decimals: baseDecimals)
            bids.append((quantity, FixedDecimal(units: Int128(sold.outAmount), decimals: quoteDecimals)))
            asks.append((quantity, FixedDecimal(units: Int128(bought.inAmount), decimals: quoteDecimals)))
        }
        let tick = FixedDecimal(units: 1, decimals: quoteDecimals)
        let book = OrderBook(presortedBids: Self.levels(bids, tick: tick, side: .sell),
                             asks: Self.levels(asks, tick: tick, side: .buy))
        let now = clock.now()
        let instrument = InstrumentSpec(symbol: symbol, tickSize: tick, lotSize: FixedDecimal(units: 1, decimals: min(baseDecimals, 9)),
                                        minNotional: .zero)
        return Market(venue: venue, instrument: instrument, liquidity: .book(book),
                      gasUnits: held.withLock { $0.feeLamports }, venueTime: now, receivedAt: now)
    }

    /// Cumulative (base, quote) points as book levels: each step's marginal price, rounded against the desk to `tick`,
    /// never better than the level before it.
    static func levels(_ points: [(FixedDecimal, FixedDecimal)], tick: FixedDecimal, side: Side) -> [BookLevel] {
        var levels: [BookLevel] = []
        var previous = (FixedDecimal.zero, FixedDecimal.zero)
        for (quantity, amount) in points where quantity > previous.0 {
            let step = quantity - previous.0
            var price = ((amount - previous.1) / step).rounded(toMultipleOf: tick, side == .sell ? .down : .up)
            if let last = levels.last?.price { price = side == .sell ? min(price, last) : max(price, last) }
            previous = (quantity, amount)
            guard price.isPositive else { break }
            levels.append(BookLevel(price: price, quantity: step))
        }
        return levels
    }

    /// An SPL Token or Token-2022 mint's decimals, as `SPLMint` reads them.
    static func mintDecimals(_ account: SolanaAccount, mint: SolanaPublicKey) throws(SolanaVenueError) -> Int {
        guard account.owner == .tokenProgram || account.owner == .token2022Program else {
            throw .notAMint(mint, owner: account.owner)
        }
        guard let decoded = try? SPLMint(decoding: account.data) else { throw .notAMint(mint, owner: account.owner) }
        return Int(decoded.decimals)
    }
}

/// Why an order or a pair cannot be traded on the Solana venue.
public enum SolanaVenueError: Error, Sendable, Hashable, CustomStringConvertible {
    case noMint(Asset, chain: ChainId)
    case mintMissing(SolanaPublicKey)
    case notAMint(SolanaPublicKey, owner: SolanaPublicKey)
    case notRead(MarketKey)
    case negativeAmount(FixedDecimal)

    public var description: String {
        switch self {
        case .noMint(let asset, let chain): "\(asset) has no mint on \(chain): add it under [chains.\(chain).tokens]"
        case .mintMissing(let mint): "mint \(mint) has no account on the chain"
        case .notAMint(let mint, let owner): "\(mint) is not an initialized SPL token mint (owned by \(owner))"
        case .notRead(let key): "\(key): no quotes read for it yet"
        case .negativeAmount(let amount): "amount \(amount) is negative"
        }
    }
}
