import BigInt
import DexterCrypto

/// Keeps watched pools' states current from their logs. Each poll reads the latest header; for every new block it
/// checks the chain of parent hashes from the block last applied and applies one `eth_getLogs` of the watched pools
/// by that block's hash (Swap, Mint, Burn, Sync; a Curve or Balancer pool is instead read again whole at the new head
/// in any block whose logs touch it, see PoolFollower+ReadWhole). A parent-hash mismatch (a reorg), a gap of more than
/// `maxGap` blocks, a log the state cannot take, or a price at the edge of the ticks read ends in a full re-read of
/// every pool at the latest block (around each pool's current tick).
public struct PoolFollower: Sendable {
    /// A V3 pool to watch: the reader for its DEX, its tokens and fee tier.
    public struct V3Watch: Sendable {
        public let reader: V3PoolReader
        public let tokens: (EVMToken, EVMToken)
        public let fee: Int

        public init(_ reader: V3PoolReader, _ a: EVMToken, _ b: EVMToken, fee: Int) {
            self.reader = reader
            tokens = (a, b)
            self.fee = fee
        }
    }

    public struct V2Watch: Sendable {
        public let reader: V2PairReader
        public let tokens: (EVMToken, EVMToken)

        public init(_ reader: V2PairReader, _ a: EVMToken, _ b: EVMToken) {
            self.reader = reader
            tokens = (a, b)
        }
    }

    /// A Curve pool to watch, by address: re-read whole after any of its `CurveEvents`.
    public struct CurveWatch: Sendable {
        public let reader: CurvePoolReader
        public let address: EthereumAddress

        public init(_ reader: CurvePoolReader, _ address: EthereumAddress) {
            self.reader = reader
            self.address = address
        }
    }

    /// A Balancer V2 weighted pool to watch, by address (and pool id, when config gives it): re-read whole after any
    /// of its `BalancerEvents`.
    public struct BalancerWatch: Sendable {
        public let reader: BalancerPoolReader
        public let address: EthereumAddress
        public let poolId: [UInt8]?

        public init(_ reader: BalancerPoolReader, _ address: EthereumAddress, poolId: [UInt8]? = nil) {
            self.reader = reader
            self.address = address
            self.poolId = poolId
        }
    }

    /// What a poll did.
    public enum Progress: Sendable, Hashable {
        /// No new block.
        case unchanged
        /// Blocks applied from their logs, and how many pool events they held.
        case applied(blocks: ClosedRange<UInt64>, events: Int)
        /// Every pool read again at `block`, and why.
        case reread(block: UInt64, because: RereadReason)
    }

    public enum RereadReason: Sendable, Hashable {
        /// Nothing was held yet.
        case firstRead
        /// The block at `height` is not the one applied, or a new block's parent is not the block before it.
        case reorg(height: UInt64)
        /// `blocks` new blocks, more than `maxGap`.
        case gap(blocks: UInt64)
        /// A log the held state could not take.
        case inconsistent(String)
        /// A V3 pool's price reached the edge of the bitmap words read: read again around its new tick.
        case priceAtEdgeOfTicksRead(pool: String)
    }

    public let client: EVMRPCClient
    public let v3Watches: [V3Watch]
    public let v2Watches: [V2Watch]
    public let curveWatches: [CurveWatch]
    public let balancerWatches: [BalancerWatch]
    /// The most new blocks applied from logs in one poll; more is a full re-read.
    public let maxGap: UInt64
    public private(set) var v3: [EthereumAddress: V3PoolState] = [:]
    public private(set) var v2: [EthereumAddress: V2PairState] = [:]
    public internal(set) var curve: [EthereumAddress: CurvePoolState] = [:]
    public internal(set) var balancer: [EthereumAddress: BalancerPoolState] = [:]
    /// The last block applied.
    public private(set) var head: BlockHeader?

    public init(client: EVMRPCClient, v3: [V3Watch], v2: [V2Watch], curve: [CurveWatch] = [],
                balancer: [BalancerWatch] = [], maxGap: UInt64 = 32) {
        self.client = client
        v3Watches = v3
        v2Watches = v2
        curveWatches = curve
        balancerWatches = balancer
        self.maxGap = maxGap
    }

    /// Reads every pool at the latest block.
    public mutating func start() async throws(FollowError) {
        try await reread(at: try rpc { () async throws(EVMRPCError) in try await client.header() })
    }

    /// One step: nothing new, the new blocks applied from their logs, or a full re-read. `seen` is a head pushed by a
    /// subscription: taken as the latest when it is newer than the block held (and checked the same way, parent hash
    /// by parent hash); otherwise the latest header is read.
    @discardableResult
    public mutating func poll(seen: BlockHeader? = nil) async throws(FollowError) -> Progress {
        guard let held = head else {
            try await start()
            return .reread(block: head!.number, because: .firstRead)
        }
        let latest: BlockHeader
        if let seen, seen.number > held.number {
            latest = seen
        } else {
            latest = try await rpc { () async throws(EVMRPCError) in try await client.header() }
        }
        if latest.hash == held.hash { return .unchanged }
        guard latest.number > held.number else { return try await reread(latest, .reorg(height: latest.number)) }
        let count = latest.number - held.number
        guard count <= maxGap else { return try await reread(latest, .gap(blocks: count)) }
        // The applied block and every new one before the latest: still one chain from the block applied?
        let numbers = Array(held.number..<latest.number)
        let outcomes = try await rpc { () async throws(EVMRPCError) in try await client.batch(numbers.map { BlockHeader.request($0) }) }
        var chain: [BlockHeader] = []
        for outcome in outcomes {
            chain.append(try checked { () throws(EVMRPCError) in try BlockHeader(try outcome.get()) })
        }
        chain.append(latest)
        guard chain[0].hash == held.hash else { return try await reread(latest, .reorg(height: held.number)) }
        for (parent, child) in zip(chain, chain.dropFirst()) where child.parentHash != parent.hash {
            return try await reread(latest, .reorg(height: child.number))
        }
        let newBlocks = Array(chain.dropFirst())
        let logs = try await logs(of: newBlocks)
        var v3 = self.v3, v2 = self.v2
        var changed: Set<EthereumAddress> = []
        do throws(InconsistentEvent) {
            for log in logs {
                if let pool = readWholeAfter(log) {
                    changed.insert(pool)
                    continue
                }
                let decoded: PoolEvent?
                do { decoded = try PoolEvent.decode(log) } catch {
                    throw InconsistentEvent(pool: log.address.checksummed, problem: error.description)
                }
                guard let event = decoded else { continue }
                if var state = v3[log.address] {
                    try state.apply(event)
                    v3[log.address] = state
                } else if var state = v2[log.address] {
                    try state.apply(event)
                    v2[log.address] = state
                }
            }
        } catch {
            return try await reread(latest, .inconsistent(error.description))
        }
        if let drifted = v3.values.first(where: \.priceAtEdgeOfTicksRead) {
            return try await reread(latest, .priceAtEdgeOfTicksRead(pool: drifted.name))
        }
        let (curve, balancer) = try await wholeStates(at: latest, changed: changed)
        for address in v3.keys { v3[address]!.block = latest.number }
        for address in v2.keys { v2[address]!.block = latest.number }
        self.v3 = v3
        self.v2 = v2
        self.curve = curve
        self.balancer = balancer
        head = latest
        return .applied(blocks: newBlocks[0].number...latest.number, events: logs.count)
    }

    /// One eth_getLogs per block, by its hash (EIP-234), so the logs are those of the chain just checked; in block
    /// and log order. A log marked removed, or of another block, is a reorg under our feet: refused.
    private func logs(of blocks: [BlockHeader]) async throws(FollowError) -> [ChainLog] {
        let watched = Set(v3.keys).union(v2.keys).union(curve.keys).union(balancer.keys)
            .union(balancerWatches.map(\.reader.vault))
        let addresses: [JSONValue] = watched.map(\.checksummed).sorted().map { .string($0) }
        let allTopics = PoolEvent.topics + CurveEvents.topics + BalancerEvents.vaultTopics + BalancerEvents.poolTopics
        let topics: JSONValue = .array([.array(allTopics.map { .string(HexData.format($0)) })])
        let calls = blocks.map { block in
            RPCCall("eth_getLogs", [["blockHash": .string(HexData.format(block.hash)), "address": .array(addresses),
                                     "topics": topics]])
        }
        let outcomes = try await rpc { () async throws(EVMRPCError) in try await client.batch(calls) }
        var logs: [ChainLog] = []
        for (block, outcome) in zip(blocks, outcomes) {
            let entries = try checked { () throws(EVMRPCError) in
                try outcome.get().elements().map { entry throws(EVMRPCError) in try ChainLog(entry) }
            }
            for log in entries.sorted(by: { $0.logIndex < $1.logIndex }) {
                guard !log.removed, log.blockHash == block.hash, log.blockNumber == block.number else {
                    throw .logsOfAnotherChain(block: block.number)
                }
                logs.append(log)
            }
        }
        return logs
    }

    @discardableResult
    private mutating func reread(_ latest: BlockHeader, _ reason: RereadReason) async throws(FollowError) -> Progress {
        try await reread(at: latest)
        return .reread(block: head!.number, because: reason)
    }

    /// Every watched pool read at `header`'s block; then the block's hash read again, so that a reorg during the
    /// reads is caught (and the reads done again) rather than held.
    private mutating func reread(at header: BlockHeader) async throws(FollowError) {
        var header = header
        for _ in 0..<3 {
            var v3: [EthereumAddress: V3PoolState] = [:], v2: [EthereumAddress: V2PairState] = [:]
            var curve: [EthereumAddress: CurvePoolState] = [:], balancer: [EthereumAddress: BalancerPoolState] = [:]
            do throws(PoolReadError) {
                for watch in curveWatches {
                    curve[watch.address] = try await watch.reader.read(watch.address, at: header.number,
                                                                       decimals: self.curve[watch.address]?.decimals)
                }
                for watch in balancerWatches {
                    balancer[watch.address] = try await watch.reader.read(
                        watch.address, poolId: watch.poolId, at: header.number,
                        decimals: self.balancer[watch.address]?.decimals)
                }
                for watch in v3Watches {
                    let state = try await watch.reader.read(watch.tokens.0, watch.tokens.1, fee: watch.fee, at: header.number)
                    v3[state.address] = state
                }
                for watch in v2Watches {
                    let state = try await watch.reader.read(watch.tokens.0, watch.tokens.1, at: header.number)
                    v2[state.address] = state
                }
            } catch {
                throw .pool(error)
            }
            let after = try await rpc { () async throws(EVMRPCError) in try await client.header(header.number) }
            if after.hash == header.hash {
                self.v3 = v3
                self.v2 = v2
                self.curve = curve
                self.balancer = balancer
                head = header
                return
            }
            header = after
        }
        throw .unsettled(block: header.number)
    }

    private func rpc<T>(_ body: () async throws(EVMRPCError) -> T) async throws(FollowError) -> T {
        do { return try await body() } catch { throw .rpc(error) }
    }

    private func checked<T>(_ body: () throws(EVMRPCError) -> T) throws(FollowError) -> T {
        do { return try body() } catch { throw .rpc(error) }
    }
}

/// Why a poll could not bring the states up to date (they stay as they were, at `head`).
public enum FollowError: Error, Sendable, Hashable, CustomStringConvertible {
    case rpc(EVMRPCError)
    case pool(PoolReadError)
    /// The logs asked by a block's hash came from another block or were marked removed.
    case logsOfAnotherChain(block: UInt64)
    /// The block kept changing under three full re-reads.
    case unsettled(block: UInt64)

    public var description: String {
        switch self {
        case .rpc(let error): "following the chain: \(error)"
        case .pool(let error): "reading pools: \(error)"
        case .logsOfAnotherChain(let block): "the logs of block \(block) belong to another chain"
        case .unsettled(let block): "block \(block) kept changing while the pools were read"
        }
    }
}

extension EVMRPCClient {
    /// The header of `block` (the latest when nil).
    public func header(_ block: UInt64? = nil) async throws(EVMRPCError) -> BlockHeader {
        try BlockHeader(try await call(BlockHeader.request(block)))
    }
}
