import BigInt
import DexterCore
import DexterCrypto
import DexterMarket
import Synchronization

/// Where a watched pool's gas units come from.
public enum GasUnitsSource: Sendable, Hashable, CustomStringConvertible {
    /// `gas_units` of the pool, or the protocol's default; `why` the chain's own estimate is not used (nil: none asked).
    case configured(why: String?)
    /// The larger of `eth_estimateGas` of the router's exact-input swap each way at `block`, plus the chain's margin.
    case estimated(each: [Int], block: UInt64, marginPercent: Int)

    public var description: String {
        switch self {
        case .configured(nil): "configured"
        case .configured(let why?): "configured: \(why)"
        case .estimated(let each, let block, let margin):
            "eth_estimateGas at block \(block) (\(each.map(String.init).joined(separator: " / ")) each way, +\(margin) %)"
        }
    }
}

/// The gas units the feed's pools were last estimated at, and when.
final class GasEstimateBook: Sendable {
    struct Entry: Sendable {
        var units: Int
        var source: GasUnitsSource
    }
    private struct State {
        var entries: [MarketKey: Entry] = [:]
        var lastBlock: UInt64?
    }
    private let state = Mutex(State())

    func entry(_ key: MarketKey) -> Entry? { state.withLock { $0.entries[key] } }

    func due(at block: UInt64, every: UInt64) -> Bool {
        state.withLock { state in state.lastBlock.map { block >= $0 + every } ?? true }
    }

    /// Records the round's entries; returns those whose reason for keeping the configured units is new (to tell once).
    func record(_ entries: [MarketKey: Entry], block: UInt64) -> [MarketKey: String] {
        state.withLock { state in
            var fresh: [MarketKey: String] = [:]
            for (key, entry) in entries {
                if case .configured(let why?) = entry.source, state.entries[key]?.source != entry.source { fresh[key] = why }
                state.entries[key] = entry
            }
            state.lastBlock = block
            return fresh
        }
    }
}

extension EVMMarketFeed {
    /// A watched pool's gas units now, and where they come from.
    public func gasUnits(_ key: MarketKey) -> (units: Int, source: GasUnitsSource)? {
        guard let pool = pools.first(where: { $0.key == key }) else { return nil }
        let entry = gasEstimates.entry(key)
        return (entry?.units ?? pool.gasUnits, entry?.source ?? .configured(why: nil))
    }

    func gasUnits(_ pool: WatchedPool) -> Int { gasEstimates.entry(pool.key)?.units ?? pool.gasUnits }

    /// With `estimate_from` set: every pool's gas units from `eth_estimateGas` of the router calldata of a small
    /// exact-input swap each way, at the latest block, once every `everyBlocks` blocks (or now, when `force`). An
    /// estimate that reverts (no balance or allowance at that address) keeps the configured units, said once; one
    /// the node could not answer keeps what was held. Returns the pools whose units changed, with their new units.
    @discardableResult
    func refreshGasEstimates(_ follower: PoolFollower, force: Bool = false) async -> [MarketKey: Int] {
        guard let settings = chain.gasEstimate, let head = follower.head,
              force || gasEstimates.due(at: head.number, every: settings.everyBlocks) else { return [:] }
        let latest: FeeBlock
        do { latest = try await FeeBlock.latest(client) } catch {
            logger.warning("\(chain.chain): gas units not estimated: \(error)")
            return [:]
        }
        let before = Dictionary(uniqueKeysWithValues: pools.map { ($0.key, gasUnits($0)) })
        var entries: [MarketKey: GasEstimateBook.Entry] = [:]
        for pool in pools {
            do throws(GasEstimateFailure) {
                let each = try await estimates(pool, follower, from: settings.from, timestamp: latest.timestamp)
                entries[pool.key] = .init(units: settings.withMargin(each.max() ?? 0),
                                          source: .estimated(each: each, block: latest.number, marginPercent: settings.marginPercent))
            } catch {
                switch error {
                case .reverted(let why), .unusable(let why):
                    entries[pool.key] = .init(units: pool.gasUnits, source: .configured(why: why))
                case .node(let why):
                    if gasEstimates.entry(pool.key) == nil {
                        entries[pool.key] = .init(units: pool.gasUnits, source: .configured(why: why))
                    }
                }
            }
        }
        for (key, why) in gasEstimates.record(entries, block: latest.number) {
            logger.warning("\(key): gas units as configured: \(why)")
        }
        return entries.filter { before[$0.key] != $0.value.units }.mapValues(\.units)
    }

    /// `eth_estimateGas` of the swap router's calldata for the parity probes' amounts (a hundredth of a base unit in,
    /// ten quote units in), base → quote then quote → base. amountOutMinimum is 0: the gas, not the price, is asked.
    func estimates(_ pool: WatchedPool, _ follower: PoolFollower, from: EthereumAddress,
                   timestamp: BigUInt) async throws(GasEstimateFailure) -> [Int] {
        switch pool.deployment.protocolKind {
        case .uniswapV2, .uniswapV3: break
        case .curve, .balancerWeighted:
            // Their LIVE swaps go to the pool or the Vault (EVMLiveVenue+PoolSwaps), but the probes here are router
            // calls: estimating those swaps is not built yet, and gas_units stands.
            let kind = pool.deployment.protocolKind.rawValue
            throw .unusable("gas estimates of \(kind) swaps are not built yet: gas_units is used")
        }
        guard let router = pool.deployment.router else { throw .unusable("\(pool.dexName) has no router to estimate through") }
        guard let (base, quote) = try? tokens(pool) else { throw .unusable("a token of \(pool.symbol) has no address") }
        let pair: Set = [base.address, quote.address]
        let venue: SwapPlan.Venue, address: EthereumAddress, decimals: (Int, Int), token0: EthereumAddress
        if pool.deployment.protocolKind == .uniswapV3 {
            guard let state = follower.v3State(of: pool, pair: pair), let fee = pool.feePips else { throw .unusable("the pool was not read") }
            venue = .uniswapV3Single(router: router, fee: UInt32(fee))
            (address, decimals, token0) = (state.address, (state.decimals0, state.decimals1), state.token0.address)
        } else {
            guard let state = follower.v2State(of: pool, pair: pair) else { throw .unusable("the pair was not read") }
            venue = .uniswapV2(router: router)
            (address, decimals, token0) = (state.address, (state.decimals0, state.decimals1), state.token0.address)
        }
        let (baseDecimals, quoteDecimals) = token0 == base.address ? decimals : (decimals.1, decimals.0)
        var each: [Int] = []
        for probe in Self.probes(base, quote, baseDecimals, quoteDecimals) {
            let tokenOut = probe.tokenIn == base.address ? quote.address : base.address
            let plan = SwapPlan(venue: venue, pool: address, tokenIn: probe.tokenIn, tokenOut: tokenOut, amountIn: probe.amountIn,
                                quotedOut: 0, slippage: .none, recipient: from)
            let data: [UInt8]
            do { data = try plan.calldata(blockTimestamp: timestamp) } catch { throw .unusable("\(error)") }
            let request: [String: JSONValue] = ["from": .string(from.checksummed), "to": .string(router.checksummed),
                                                "data": .string(HexData.format(data))]
            let gas: BigUInt
            do { gas = try await client.call("eth_estimateGas", [.object(request), "latest"]).quantity() } catch {
                if case .rpc(let object) = error, let reason = NodeCallError(object).revert() {
                    throw .reverted("eth_estimateGas of the swap from \(from.checksummed) through \(router.checksummed) reverted "
                                    + "(\(reason)): give that address the tokens and the router's allowance")
                }
                throw .node("eth_estimateGas failed: \(error)")
            }
            guard gas > 0, gas <= 30_000_000 else { throw .unusable("eth_estimateGas answered \(gas)") }
            each.append(Int(gas))
        }
        return each
    }
}

enum GasEstimateFailure: Error {
    /// The swap reverts from that address: the configured units stand.
    case reverted(String)
    /// The pool cannot be estimated at all.
    case unusable(String)
    /// The node did not answer: what was held stands.
    case node(String)
}
