import DexterCore
import DexterCrypto
import DexterMarket
import DexterVenues
import Logging
import Synchronization

/// Solana pools as live market data: each watched Whirlpool or Raydium CPMM pool read from its accounts (the pool,
/// then what its market is made of: tick arrays and mints, or the AmmConfig and vaults) with one getMultipleAccounts
/// at one slot, and read again when it changes: pushed by accountSubscribe when there is a WebSocket URL, polled
/// every interval otherwise or while the socket is down. A paper order fills against the pool as it stands.
public final class SolanaPoolFeed: PaperMarketFeed, Sendable {
    /// One pool a venue watches.
    public struct WatchedPool: Sendable, Hashable {
        public let venue: VenueSpec
        /// Base and quote as the desk names them (SOL/USDC); `baseMint` says which of the pool's tokens is the base.
        public let symbol: Symbol
        public let kind: SolanaPoolKind
        public let address: SolanaPublicKey
        public let baseMint: SolanaPublicKey

        public init(venue: VenueSpec, symbol: Symbol, kind: SolanaPoolKind, address: SolanaPublicKey,
                    baseMint: SolanaPublicKey) {
            self.venue = venue
            self.symbol = symbol
            self.kind = kind
            self.address = address
            self.baseMint = baseMint
        }

        public var key: MarketKey { MarketKey(venue: venue.id, symbol: symbol) }
        /// How errors name it.
        var name: String { "\(venue.id) \(symbol) (\(kind.rawValue) \(address))" }
    }

    public let pools: [WatchedPool]
    /// Of every read: processed for prices.
    public let commitment: SolanaCommitment
    public let pollInterval: Duration
    let client: SolanaRPCClient
    let pushes: SolanaAccountSubscription?
    let clock: any Clock
    let logger: Logger

    struct Held {
        var markets: [Int: Market] = [:]
        /// Per pool, the accounts its market was last made of besides the pool account.
        var dependents: [Int: [SolanaPublicKey]] = [:]
        var tickArrayAddresses: [TickArrayKey: SolanaPublicKey] = [:]
        var subscribed: Set<MarketKey> = []
        var follower: Task<Void, Never>?
    }
    let held = Mutex(Held())

    struct TickArrayKey: Hashable {
        let pool: SolanaPublicKey
        let start: Int
    }

    public init(pools: [WatchedPool], rpcURLs: [String], webSocketURL: String? = nil,
                pollInterval: Duration = .seconds(2), commitment: SolanaCommitment = .processed,
                clock: any Clock = WallClock(), requestTimeout: Duration = .seconds(10),
                logger: Logger = Logger(label: "dexter.solana")) throws(SolanaRPCError) {
        self.pools = pools
        self.commitment = commitment
        self.pollInterval = pollInterval
        self.clock = clock
        self.logger = logger
        client = try SolanaRPCClient(urls: rpcURLs, requestTimeout: requestTimeout)
        pushes = webSocketURL.map { SolanaAccountSubscription(url: $0, commitment: commitment, logger: logger) }
    }

    deinit { stop() }

    /// Stops following the pools (the subscription and the poll with it).
    public func stop() {
        held.withLock { held in
            held.follower?.cancel()
            held.follower = nil
        }
    }

    public var venueIds: [VenueId] {
        var seen: Set<VenueId> = []
        return pools.map(\.venue.id).filter { seen.insert($0).inserted }
    }

    public func market(_ key: MarketKey) -> Market? {
        held.withLock { held in pools.indices.first { pools[$0].key == key }.flatMap { held.markets[$0] } }
    }

    /// Whether accountSubscribe is live now (every subscription answered), so the feed does not poll.
    public var isPushLive: Bool { pushes?.isLive ?? false }
    /// Account notifications received so far.
    public var notificationsPushed: Int { pushes?.notifications ?? 0 }

    /// Reads every watched pool at one slot.
    public func instruments() async throws -> [VenueInstrument] {
        let read = try await readMarkets(Array(pools.indices), at: clock.now())
        held.withLock { $0.markets.merge(read) { _, new in new } }
        return pools.indices.compactMap { index in
            read[index].map { VenueInstrument(market: $0, poolAddress: pools[index].address.description) }
        }
    }

    /// A swap is one transaction: each market's gas units are the base fee of its one signature, 5,000 lamports, at
    /// one lamport a unit (`SolanaFees.gasQuote`). Priority fees are not in it.
    public func currentGas() async throws -> [GasQuote] {
        let now = clock.now()
        var seen: Set<ChainId> = []
        return pools.compactMap(\.venue.kind.chain).filter { seen.insert($0).inserted }
            .map { SolanaFees.gasQuote(chain: $0, token: "SOL", at: now) }
    }

    public func subscribe(_ keys: [MarketKey], into inbox: VenueInbox) async throws {
        if held.withLock({ $0.markets.isEmpty }) { _ = try await instruments() }
        let current = held.withLock { held -> [Market] in
            held.subscribed.formUnion(keys)
            return pools.indices.filter { held.subscribed.contains(pools[$0].key) }.compactMap { held.markets[$0] }
        }
        for venue in venueIds { inbox.post(.live, for: venue) }
        inbox.post(contentsOf: current.map { .liquidity($0.key, $0.liquidity, venueTime: $0.venueTime, receivedAt: $0.receivedAt) })
        // Started under the lock: two subscriptions at once start one follower.
        held.withLock { held in
            guard held.follower == nil else { return }
            held.follower = Task { [weak self] in
                guard let self else { return }
                await self.run(into: inbox)
            }
        }
    }

    public func unsubscribe(_ keys: [MarketKey]) async {
        held.withLock { $0.subscribed.subtract(keys) }
    }

    /// The poll timer, the account subscription and the follower, until cancelled; each run its own wakes (a stream
    /// is followed once).
    private func run(into inbox: VenueInbox) async {
        let wakes = SolanaPoolWakes()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [pollInterval] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: pollInterval)
                    wakes.tick()
                }
            }
            if let pushes {
                group.addTask { [pools] in
                    await pushes.run(accounts: { self.pushedAccounts() }, poolCount: pools.count, wakes: wakes)
                }
            }
            await follow(wakes, into: inbox)
            group.cancelAll()
        }
    }

    /// The accounts whose change changes a pool's market, by pool: the pool itself, and a Raydium pool's vaults (a
    /// swap moves them, not the pool account). A Whirlpool swap writes its pool account every time.
    private func pushedAccounts() -> [(SolanaPublicKey, Int)] {
        held.withLock { held in
            pools.indices.flatMap { index -> [(SolanaPublicKey, Int)] in
                let dependents = held.dependents[index] ?? []
                let vaults: ArraySlice<SolanaPublicKey> = switch pools[index].kind {
                case .whirlpool: []
                case .raydiumCPMM: dependents.dropFirst()
                case .raydiumAMMv4: dependents[...]
                }
                return [(pools[index].address, index)] + vaults.map { ($0, index) }
            }
        }
    }

    /// Each wake: the pools pushed as changed are read again; on the poll timer, every pool (unless the
    /// subscription is live and vouches for them: then the held markets are posted as current, so a quiet pool does
    /// not go stale on screen). A node that stops answering takes the venues down until it answers again.
    private func follow(_ wakes: SolanaPoolWakes, into inbox: VenueInbox) async {
        var down = false
        for await _ in wakes.stream {
            if Task.isCancelled { return }
            let (changed, ticked) = wakes.take()
            let pollAll = ticked && (down || !isPushLive)
            let indexes = pollAll ? Array(pools.indices) : changed.sorted()
            let now = clock.now()
            do {
                let read = indexes.isEmpty ? [:] : try await readMarkets(indexes, at: now)
                if down {
                    down = false
                    logger.info("solana: the node answers again")
                    for venue in venueIds { inbox.post(.live, for: venue) }
                }
                let posted = held.withLock { held -> [Market] in
                    held.markets.merge(read) { _, new in new }
                    let fresh = ticked ? Array(pools.indices) : indexes
                    return fresh.compactMap { index -> Market? in
                        guard held.subscribed.contains(pools[index].key), var market = held.markets[index] else { return nil }
                        if read[index] == nil { market.update(market.liquidity, venueTime: now, receivedAt: now) }
                        held.markets[index] = market
                        return market
                    }
                }
                inbox.post(contentsOf: posted.map { .liquidity($0.key, $0.liquidity, venueTime: now, receivedAt: now) })
            } catch {
                if !down {
                    down = true
                    logger.warning("solana: pools not read: \(error)")
                    for venue in venueIds { inbox.post(.down(reason: "Solana RPC: \(error)"), for: venue) }
                }
            }
        }
    }
}

/// Which pools changed since the follower last looked, and whether the poll timer fired: one wake for any number
/// of them (a burst of notifications is read once).
final class SolanaPoolWakes: Sendable {
    private struct Pending {
        var changed: Set<Int> = []
        var ticked = false
    }
    private let pending = Mutex(Pending())
    private let continuation: AsyncStream<Void>.Continuation
    let stream: AsyncStream<Void>

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    func changed(_ pool: Int) {
        pending.withLock { _ = $0.changed.insert(pool) }
        continuation.yield()
    }

    func changed(_ pools: Range<Int>) {
        pending.withLock { $0.changed.formUnion(pools) }
        continuation.yield()
    }

    func tick() {
        pending.withLock { $0.ticked = true }
        continuation.yield()
    }

    func take() -> (changed: Set<Int>, ticked: Bool) {
        pending.withLock { pending in
            defer { pending = Pending() }
            return (pending.changed, pending.ticked)
        }
    }
}
