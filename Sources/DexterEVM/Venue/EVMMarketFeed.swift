import BigInt
import DexterCore
import DexterCrypto
import DexterMarket
import DexterVenues
import Logging
import Synchronization

/// One EVM chain's DEX venues as live market data: each watched pool found through its factory (checked against
/// CREATE2), read exactly at one block, and read again at every new block; gas from the chain's fee history. A paper
/// order fills against the pool as it stands (PaperVenue).
public final class EVMMarketFeed: PaperMarketFeed, Sendable {
    /// One pool a venue watches.
    public struct WatchedPool: Sendable {
        public let venue: VenueSpec
        /// The deployment's name for messages ("uniswap-v3", or the venue's own name).
        public let dexName: String
        public let deployment: DexDeployment
        public let symbol: Symbol
        /// The V3 fee tier in pips; nil for a V2 pair.
        public let feePips: Int?
        /// Gas one swap through the router burns (until a swap's own `eth_estimateGas` prices it).
        public let gasUnits: Int
        /// The pool itself, for the families found by address rather than by pair (Curve, Balancer).
        public let address: EthereumAddress?
        /// A Balancer pool's id in its Vault, when config gives it (checked against the pool's `getPoolId()`).
        public let poolId: [UInt8]?

        public init(venue: VenueSpec, dexName: String, deployment: DexDeployment, symbol: Symbol, feePips: Int?,
                    gasUnits: Int, address: EthereumAddress? = nil, poolId: [UInt8]? = nil) {
            self.poolId = poolId
            self.venue = venue
            self.dexName = dexName
            self.deployment = deployment
            self.symbol = symbol
            self.feePips = feePips
            self.gasUnits = gasUnits
            self.address = address
        }

        var key: MarketKey { MarketKey(venue: venue.id, symbol: symbol) }
    }

    public let chain: EVMChainSettings
    public let pools: [WatchedPool]
    let client: EVMRPCClient
    let clock: any Clock
    /// Pushes new heads when the chain has a WebSocket URL (EVMMarketFeed+Heads.swift).
    let headSubscription: HeadSubscription?
    /// Gas units estimated from the chain (EVMMarketFeed+GasEstimates.swift).
    let gasEstimates = GasEstimateBook()
    /// Aggregators asked for prices of the pools' pairs, as reference price sources (EVMMarketFeed+Aggregators.swift).
    public let aggregators: [AggregatorFeed]
    /// Their poller, made at the first subscription (it needs the tokens' decimals, read with the pools).
    let aggregatorPoller = Mutex<AggregatorPoller?>(nil)
    let logger: Logger

    private struct Held {
        var markets: [MarketKey: Market] = [:]
        var addresses: [MarketKey: EthereumAddress] = [:]
        /// A Balancer pool's id in its Vault, as read at connect (a swap through the Vault names it).
        var poolIds: [MarketKey: [UInt8]] = [:]
        /// Read at connect; the poller takes it and keeps it current block by block.
        var follower: PoolFollower?
        var subscribed: Set<MarketKey> = []
        var poller: Task<Void, Never>?
        /// Venues whose quotes differ from their chain's quoter or router, and how: down until they agree again.
        var parityDown: [VenueId: String] = [:]
    }
    private let held = Mutex(Held())

    public init(chain: EVMChainSettings, pools: [WatchedPool], aggregators: [AggregatorFeed] = [],
                clock: any Clock = WallClock(), requestTimeout: Duration = .seconds(10),
                logger: Logger = Logger(label: "dexter.evm")) throws(EVMRPCError) {
        self.chain = chain
        self.pools = pools
        self.aggregators = aggregators
        self.clock = clock
        self.logger = logger
        client = try EVMRPCClient(chainId: chain.chainId, urls: chain.rpcURLs, requestTimeout: requestTimeout)
        headSubscription = try chain.headSubscription.map { settings throws(EVMRPCError) in
            try HeadSubscription(settings, chain: chain.chain, logger: logger)
        }
    }

    deinit {
        held.withLock { $0.poller?.cancel() }
        aggregatorPoller.withLock { $0?.stop() }
    }

    public var venueIds: [VenueId] {
        var seen: Set<VenueId> = []
        return pools.map(\.venue.id).filter { seen.insert($0).inserted }
    }

    public func market(_ key: MarketKey) -> Market? { held.withLock { $0.markets[key] } }

    /// The pool a market trades through, as read from its factory (nil before `instruments()`).
    public func poolAddress(_ key: MarketKey) -> EthereumAddress? { held.withLock { $0.addresses[key] } }
    public func balancerPoolId(_ key: MarketKey) -> [UInt8]? { held.withLock { $0.poolIds[key] } }

    /// Venues whose pools quote differently from their chain's quoter or router, with both numbers.
    public var disagreements: [VenueId: String] { held.withLock { $0.parityDown } }

    /// Connects (every URL's chain id checked), then reads every watched pool at the newest block.
    public func instruments() async throws -> [VenueInstrument] {
        try await client.connect()
        var follower = try newFollower()
        try await follower.start()
        await refreshGasEstimates(follower, force: true)
        let read = try markets(from: follower, at: clock.now())
        let problems = await parityProblems(follower)
        held.withLock { held in
            held.parityDown = problems
            for (key, entry) in read {
                held.markets[key] = entry.market
                held.addresses[key] = entry.address
            }
            for pool in pools { held.poolIds[pool.key] = follower.balancerState(of: pool)?.poolId }
            held.follower = follower
        }
        return pools.compactMap { pool in
            read[pool.key].map {
                VenueInstrument(market: $0.market, poolAddress: $0.address.checksummed,
                                routerAddress: pool.deployment.swapTarget?.checksummed)
            }
        }
    }

    /// The gas price a swap sent now would pay, in gwei of the chain's gas token: the next block's base fee and the
    /// median priority fee of the last blocks (`eth_feeHistory`, 50th percentile of each block's tips).
    public func currentGas() async throws -> [GasQuote] {
        let answer = try await client.call("eth_feeHistory", [.string("0x5"), .string("latest"), .array([.number("50")])])
        let history = try FeeHistory(answer)
        guard let next = history.nodeNextBaseFee else { throw answer.malformed("baseFeePerGas is empty") }
        let priority = try FeePlanner.medianReward(history, index: 0)
        return [GasQuote(chain: chain.chain, token: chain.gasToken, price: Self.gwei(next + priority), updatedAt: clock.now())]
    }

    public func subscribe(_ keys: [MarketKey], into inbox: VenueInbox) async throws {
        let follower = held.withLock { held -> PoolFollower? in
            held.subscribed.formUnion(keys)
            guard held.poller == nil else { return nil }
            defer { held.follower = nil }
            return held.follower
        }
        let parityDown = held.withLock { $0.parityDown }
        for venue in venueIds { inbox.post(parityDown[venue].map { .down(reason: $0) } ?? .live, for: venue) }
        startAggregators(into: inbox)
        guard let follower else { return }
        let task = Task { [weak self] in guard let self else { return }; await self.followingHeads { await self.follow(follower, into: inbox) } }
        held.withLock { $0.poller = task }
    }

    public func unsubscribe(_ keys: [MarketKey]) async {
        held.withLock { held in
            held.subscribed.subtract(keys)
        }
    }

    /// Each poll: the blocks since the last applied from the pools' logs (a reorg or a gap: every pool read again),
    /// then every subscribed pool posted as current at this moment, new block or not (a quiet chain must not go
    /// stale on screen). A chain that stops answering takes the venues down until it answers again.
    private func follow(_ start: PoolFollower, into inbox: VenueInbox) async {
        var follower = start
        var down = false
        while !Task.isCancelled {
            let step = await nextStep()
            do {
                // Between pushed heads a live subscription vouches for the chain: no poll (EVMMarketFeed+Heads.swift).
                let progress = step.poll ? try await follower.poll(seen: step.pushed) : .unchanged
                if progress != .unchanged {
                    let remeasured = await refreshGasEstimates(follower)
                    inbox.post(contentsOf: remeasured.map { MarketEvent.gasUnits($0.key, $0.value) })
                }
                let now = clock.now()
                let read = progress == .unchanged ? [:] : try markets(from: follower, at: now)
                let current = held.withLock { held in
                    held.subscribed.compactMap { key -> Market? in
                        guard var market = read[key]?.market ?? held.markets[key] else { return nil }
                        market.update(market.liquidity, venueTime: now, receivedAt: now)
                        held.markets[key] = market
                        return market
                    }
                }
                var parityDown = held.withLock { $0.parityDown }
                if progress != .unchanged {
                    let problems = await parityProblems(follower)
                    for venue in venueIds where problems[venue] != parityDown[venue] {
                        // A venue that was down for the chain itself is told below.
                        if let why = problems[venue] { inbox.post(.down(reason: why), for: venue) } else if !down { inbox.post(.live, for: venue) }
                    }
                    parityDown = problems
                    held.withLock { $0.parityDown = problems }
                }
                if down {
                    down = false
                    for venue in venueIds where parityDown[venue] == nil { inbox.post(.live, for: venue) }
                }
                inbox.post(contentsOf: current.map { .liquidity($0.key, $0.liquidity, venueTime: now, receivedAt: now) })
                if progress != .unchanged, let gas = try? await currentGas() { inbox.post(contentsOf: gas.map(MarketEvent.gas)) }
            } catch {
                if !down {
                    down = true
                    for venue in venueIds { inbox.post(.down(reason: "\(chain.chain) RPC: \(error)"), for: venue) }
                }
            }
        }
    }

    /// A follower of every watched pool, not started: the one `instruments()` starts, for a caller that polls it
    /// itself (dexter-bench times the poll's parts).
    package func newFollower() throws -> PoolFollower {
        PoolFollower(client: client, v3: try pools.compactMap(v3Watch), v2: try pools.compactMap(v2Watch),
                     curve: try pools.compactMap(curveWatch), balancer: try pools.compactMap(balancerWatch))
    }

    /// The Vault is the deployment's `factory` (KnownDeployments' "balancer").
    private func balancerWatch(_ pool: WatchedPool) throws -> PoolFollower.BalancerWatch? {
        guard pool.deployment.protocolKind == .balancerWeighted else { return nil }
        guard let address = pool.address else { throw EVMFeedError.noPoolAddress(pool.symbol, dex: pool.dexName) }
        return .init(BalancerPoolReader(client: client, dex: pool.dexName, vault: pool.deployment.factory), address,
                     poolId: pool.poolId)
    }

    private func curveWatch(_ pool: WatchedPool) throws -> PoolFollower.CurveWatch? {
        guard pool.deployment.protocolKind == .curve else { return nil }
        guard let address = pool.address else { throw EVMFeedError.noPoolAddress(pool.symbol, dex: pool.dexName) }
        return .init(CurvePoolReader(client: client, dex: pool.dexName), address)
    }

    func tokens(_ pool: WatchedPool) throws(EVMFeedError) -> (base: EVMToken, quote: EVMToken) {
        guard let base = chain.tokens[pool.symbol.base], let quote = chain.tokens[pool.symbol.quote] else {
            throw .noToken(pool.symbol, chain: chain.chain)
        }
        return (EVMToken(pool.symbol.base.code, base), EVMToken(pool.symbol.quote.code, quote))
    }

    private func v3Watch(_ pool: WatchedPool) throws -> PoolFollower.V3Watch? {
        guard pool.deployment.protocolKind == .uniswapV3 else { return nil }
        guard let fee = pool.feePips else { throw EVMFeedError.noFeeTier(pool.symbol, dex: pool.dexName) }
        let (base, quote) = try tokens(pool)
        return .init(V3PoolReader(client: client, dex: pool.deployment.v3(name: pool.dexName)), base, quote, fee: fee)
    }

    private func v2Watch(_ pool: WatchedPool) throws -> PoolFollower.V2Watch? {
        switch pool.deployment.protocolKind {
        case .uniswapV2:
            let (base, quote) = try tokens(pool)
            return .init(V2PairReader(client: client, dex: pool.deployment.v2(name: pool.dexName)), base, quote)
        case .uniswapV3, .curve, .balancerWeighted: return nil
        }
    }

    /// Every watched pool as the desk's exact market, from the follower's states, base and quote the right way up.
    package func markets(from follower: PoolFollower, at now: Timestamp) throws -> [MarketKey: (market: Market, address: EthereumAddress)] {
        var markets: [MarketKey: (market: Market, address: EthereumAddress)] = [:]
        for pool in pools {
            let (base, quote) = try tokens(pool)
            let pair: Set = [base.address, quote.address]
            let liquidity: Liquidity, address: EthereumAddress, baseDecimals: Int, quoteDecimals: Int
            if pool.deployment.protocolKind == .uniswapV3 {
                guard let state = follower.v3State(of: pool, pair: pair) else { throw EVMFeedError.notRead(pool.symbol, dex: pool.dexName) }
                let baseIsToken0 = state.token0.address == base.address
                (baseDecimals, quoteDecimals) = baseIsToken0 ? (state.decimals0, state.decimals1) : (state.decimals1, state.decimals0)
                let flat = state.pool
                liquidity = .concentrated(ConcentratedPool(
                    sqrtPriceX96: flat.sqrtPriceX96, tick: flat.tick, liquidity: flat.liquidity, ticks: flat.ticks,
                    tickSpacing: flat.tickSpacing, feePips: flat.feePips, baseDecimals: baseDecimals,
                    quoteDecimals: quoteDecimals, baseIsToken0: baseIsToken0, knownTicks: state.knownTicks))
                address = state.address
            } else if pool.deployment.protocolKind == .curve {
                guard let state = follower.curveState(of: pool),
                      let stableSwap = state.pool(base: base.address, quote: quote.address) else {
                    throw EVMFeedError.notRead(pool.symbol, dex: pool.dexName)
                }
                (baseDecimals, quoteDecimals) = (stableSwap.baseDecimals, stableSwap.quoteDecimals)
                liquidity = .stableSwap(stableSwap)
                address = state.address
            } else if pool.deployment.protocolKind == .balancerWeighted {
                guard let state = follower.balancerState(of: pool),
                      let weighted = state.pool(base: base.address, quote: quote.address) else {
                    throw EVMFeedError.notRead(pool.symbol, dex: pool.dexName)
                }
                (baseDecimals, quoteDecimals) = (weighted.baseDecimals, weighted.quoteDecimals)
                liquidity = .weighted(weighted)
                address = state.address
            } else {
                guard let state = follower.v2State(of: pool, pair: pair) else { throw EVMFeedError.notRead(pool.symbol, dex: pool.dexName) }
                let constantProduct = state.pool(base: base.address)
                (baseDecimals, quoteDecimals) = (constantProduct.baseDecimals, constantProduct.quoteDecimals)
                liquidity = .constantProduct(constantProduct)
                address = state.address
            }
            let instrument = InstrumentSpec(symbol: pool.symbol, tickSize: FixedDecimal(units: 1, decimals: min(quoteDecimals, 18)),
                                            lotSize: FixedDecimal(units: 1, decimals: min(baseDecimals, 8)), minNotional: .zero)
            markets[pool.key] = (Market(venue: pool.venue, instrument: instrument, liquidity: liquidity, gasUnits: gasUnits(pool),
                                        venueTime: now, receivedAt: now), address)
        }
        return markets
    }

    /// Wei as gwei, exactly to the nano-gwei FixedDecimal keeps.
    static func gwei(_ wei: BigUInt) -> FixedDecimal {
        FixedDecimal(units: Int128(wei), decimals: 9)
    }
}

/// Why a watched pool cannot be read.
public enum EVMFeedError: Error, Sendable, Hashable, CustomStringConvertible {
    case noToken(Symbol, chain: ChainId)
    case noFeeTier(Symbol, dex: String)
    case notReadLive(DexProtocol, dex: String)
    case notRead(Symbol, dex: String)
    /// A Curve pool is watched by its address: config gives it.
    case noPoolAddress(Symbol, dex: String)

    public var description: String {
        switch self {
        case .noToken(let symbol, let chain): "\(symbol): a token of the pair has no address on \(chain)"
        case .noFeeTier(let symbol, let dex): "\(dex) \(symbol): a V3 pool needs its fee tier"
        case .notReadLive(let kind, let dex): "\(dex): \(kind.rawValue) pools are not read live yet"
        case .notRead(let symbol, let dex):
            "\(dex) \(symbol): the pool was not among those read (or does not hold both tokens)"
        case .noPoolAddress(let symbol, let dex): "\(dex) \(symbol): a pool found by address needs its address"
        }
    }
}

extension V3PoolState {
    /// The ticks the bitmap words read cover, from the first word's first tick to the last word's last.
    var knownTicks: ClosedRange<Int> { words.lowerBound * 256 * tickSpacing ... (words.upperBound * 256 + 255) * tickSpacing }
}
