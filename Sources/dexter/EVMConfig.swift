import BigInt
import DexterCore
import DexterCrypto
import DexterEVM
import DexterMarket

/// A DEX venue served by the "evm" connector: its deployment (a known one's defaults, with config's overrides) and
/// the pools it watches, by pair.
struct EVMVenueSettings {
    /// The known deployment it was built from ("uniswap-v3", "pancakeswap-v2"…), nil when config gave every address.
    var dex: String?
    var deployment: DexDeployment
    var pools: [Symbol: EVMPoolSettings]
}

/// A watched pool: its V3 fee tier in pips (500 = 0.05 %; nil for a V2 pair) and the gas a swap through the router
/// burns, until a swap's own `eth_estimateGas` prices it.
struct EVMPoolSettings: Hashable {
    var feePips: Int?
    var gasUnits: Int
    /// A Curve or Balancer pool's own address (neither has a pool-by-pair getter to find it through).
    var address: EthereumAddress? = nil
    /// A Balancer pool's id in its Vault, optional: the pool's own `getPoolId()` is asked and checked against it.
    var poolId: [UInt8]? = nil

    /// Typical router swaps of one hop: the same figures the embedded market's pools use.
    static func defaultGasUnits(_ kind: DexProtocol) -> Int { kind == .uniswapV3 ? 130_000 : 110_000 }
}

/// The keys of `[chains.NAME]` and of an "evm" DEX venue, read and checked.
extension DeskConfig {
    static let evmChainKeys: Set<String> = (["gas_token", "chain_id", "rpc_urls", "private_rpc_url", "private_method",
                                             "confirmations", "poll_ms", "tokens", "wallet", "max_fee_gwei"] as Set<String>)
        .union(evmChainPushKeys).union(["aggregators"])

    /// `[chains.NAME]` with `rpc_urls`: a chain dexter reads live. Its id defaults to the known chain of that name.
    static func parseEVMChain(_ chain: ConfigReader, name: String, gasToken: Asset) throws -> EVMChainSettings? {
        guard chain.has("rpc_urls") else {
            for key in evmChainKeys.subtracting(["gas_token"]) where chain.has(key) {
                throw chain.error(key, "\(key) belongs to a chain read live: give rpc_urls too")
            }
            return nil
        }
        let known = KnownChains.named(name)
        let chainId: UInt64
        if chain.has("chain_id") {
            chainId = UInt64(try chain.int("chain_id", range: 1...Int(Int32.max)))
        } else if let known {
            chainId = known.chainId
        } else {
            throw chain.error("chain_id", "\(name) is not a chain dexter knows (\(KnownChains.names.joined(separator: ", "))): give its chain_id")
        }
        let urls = try chain.strings("rpc_urls")
        guard !urls.isEmpty else { throw chain.error("rpc_urls", "list at least one JSON-RPC URL") }
        for url in urls where !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            throw chain.error("rpc_urls", "expected an http(s):// URL, found \"\(redactedURL(url))\"")
        }
        var submission: EVMChainSettings.PrivateSubmission?
        if let url = try chain.optionalString("private_rpc_url") {
            guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
                throw chain.error("private_rpc_url", "expected an http(s):// URL, found \"\(redactedURL(url))\"")
            }
            let methodName = try chain.optionalString("private_method") ?? EVMChainSettings.PrivateSubmission.Method.sendRawTransaction.rawValue
            guard let method = EVMChainSettings.PrivateSubmission.Method(rawValue: methodName) else {
                throw chain.error("private_method", "expected one of "
                                  + EVMChainSettings.PrivateSubmission.Method.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
                                  + ", found \"\(methodName)\"")
            }
            submission = .init(url: url, method: method)
        } else if chain.has("private_method") {
            throw chain.error("private_method", "there is no private_rpc_url to send with it")
        }
        var tokens = known?.chainId == chainId ? known?.tokens ?? [:] : [:]
        if let table = try chain.optionalTable("tokens") {
            for asset in table.keys { tokens[Asset(asset)] = try address(table, asset) }
        }
        var settings = EVMChainSettings(
            chain: ChainId(name), chainId: chainId, gasToken: gasToken, rpcURLs: urls, privateSubmission: submission,
            confirmations: try chain.optionalInt("confirmations", range: 0...1_000) ?? known?.confirmations ?? 2,
            pollInterval: .milliseconds(try chain.optionalInt("poll_ms", range: 50...600_000) ?? 1_000), tokens: tokens,
            headSubscription: try parseHeadSubscription(chain), gasEstimate: try parseGasEstimate(chain))
        if let wallet = try chain.optionalString("wallet") {
            try checkWalletName(chain, wallet)
            settings.wallet = wallet
        }
        if let gwei = try chain.optionalInt("max_fee_gwei", range: 1...100_000) {
            settings.maxFeePerGasCap = BigUInt(gwei) * 1_000_000_000
        }
        settings.aggregators = try parseAggregators(chain)
        return settings
    }

    static let evmVenueKeys: Set<String> = ["kind", "connector", "chain", "staleness_ms", "dex", "protocol", "factory", "router",
                                            "quoter", "pool_deployer", "init_code_hash", "fee_bps", "pools"]

    /// An "evm" DEX venue: `dex` names a known deployment on its chain (its mainnet addresses are the defaults) or
    /// `protocol` and `factory` say it all; any address may be overridden (a custom uniswap-v3 deployment's pools
    /// follow Uniswap's init code hash unless `init_code_hash` says otherwise). `pools` lists pairs, a V3 one with its
    /// fee tier: `"ETH/USDC" = { fee_pips = 500 }`, each optionally with `gas_units`.
    static func parseEVMVenue(_ venue: ConfigReader, name: String, chain: EVMChainSettings) throws -> EVMVenueSettings {
        try venue.allowOnly(evmVenueKeys)
        let dex = try venue.optionalString("dex")
        var deployment: DexDeployment
        if let dex {
            guard let known = KnownDeployments.named(dex, chainId: chain.chainId) else {
                let here = KnownDeployments.names(chainId: chain.chainId)
                throw venue.error("dex", "dexter knows no \"\(dex)\" on chain \(chain.chainId) (\(chain.chain)); "
                                  + (here.isEmpty ? "give protocol and factory" : "known there: \(here.joined(separator: ", "))"))
            }
            deployment = known
            if venue.has("protocol") {
                throw venue.error("protocol", "\(dex) is a \(known.protocolKind.rawValue) deployment; leave protocol out")
            }
        } else {
            let kind = try venue.string("protocol")
            guard let protocolKind = DexProtocol(rawValue: kind) else {
                throw venue.error("protocol", "expected one of " + DexProtocol.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
                                  + ", found \"\(kind)\"")
            }
            deployment = DexDeployment(protocolKind: protocolKind, factory: try address(venue, "factory"))
        }
        if venue.has("factory") { deployment.factory = try address(venue, "factory") }
        if venue.has("router") { deployment.router = try address(venue, "router") }
        if venue.has("quoter") { deployment.quoter = try address(venue, "quoter") }
        if venue.has("pool_deployer") { deployment.poolDeployer = try address(venue, "pool_deployer") }
        if let hash = try venue.optionalString("init_code_hash") {
            // "none": the factory deploys pools some other way (a blueprint); its getPair/getPool word is taken.
            if hash == "none" {
                guard deployment.protocolKind != .uniswapV3 else {
                    throw venue.error("init_code_hash", "a uniswap-v3 pool's address always follows CREATE2: give its pool's hash")
                }
                deployment.initCodeHash = nil
            } else {
                guard let bytes = try? HexData.parse(hash), bytes.count == 32 else {
                    throw venue.error("init_code_hash", "expected 32 bytes as 0x-hex (or \"none\"), found \"\(hash)\"")
                }
                deployment.initCodeHash = bytes
            }
        }
        if venue.has("fee_bps") {
            guard deployment.protocolKind == .uniswapV2 else {
                throw venue.error("fee_bps", "only a uniswap-v2 deployment charges one fee for every pair; a V3 pool's fee is its tier")
            }
            deployment.feeBps = try venue.int("fee_bps", range: 0...9_999)
        }
        if deployment.protocolKind == .uniswapV2, deployment.feeBps == nil {
            throw venue.error("fee_bps", "a uniswap-v2 deployment dexter does not know needs its pairs' fee, e.g. 30")
        }
        if deployment.protocolKind == .uniswapV3, deployment.quoter == nil {
            throw venue.error("quoter", "a uniswap-v3 venue needs its QuoterV2: dexter checks its own quotes against it")
        }
        let table = try venue.table("pools")
        var pools: [Symbol: EVMPoolSettings] = [:]
        for pair in table.keys.sorted() {
            let symbol = try table.symbol(pair, key: pair)
            for asset in [symbol.base, symbol.quote] where chain.tokens[asset] == nil {
                throw table.error(pair, "\(asset) has no token on \(chain.chain): add it under [chains.\(chain.chain).tokens]")
            }
            let pool = try table.table(pair)
            let isV3 = deployment.protocolKind == .uniswapV3, isCurve = deployment.protocolKind == .curve
            let isBalancer = deployment.protocolKind == .balancerWeighted
            try pool.allowOnly(isV3 ? ["fee_pips", "gas_units"] : isCurve ? ["address", "gas_units"]
                               : isBalancer ? ["address", "pool_id", "gas_units"] : ["gas_units"])
            if isV3, !pool.has("fee_pips") {
                throw pool.error("fee_pips", "missing: a uniswap-v3 pool is found by its fee tier, e.g. 500 (0.05 %)")
            }
            if isCurve, !pool.has("address") {
                throw pool.error("address", "missing: a curve pool is watched by its address (Curve has no "
                                 + "pool-by-pair getter), e.g. \"0xbEbc44782C7dB0a1A60Cb6fe97d0b483032FF1C7\"")
            }
            if isBalancer, !pool.has("address") {
                throw pool.error("address", "missing: a balancer-weighted pool is watched by its address (its "
                                 + "pool_id is then read from it)")
            }
            var poolId: [UInt8]?
            if isBalancer, let text = try pool.optionalString("pool_id") {
                guard let bytes = try? HexData.parse(text), bytes.count == 32 else {
                    throw pool.error("pool_id",
                                     "expected the pool's 32-byte id in its Vault as 0x-hex, found \"\(text)\"")
                }
                poolId = bytes
            }
            pools[symbol] = EVMPoolSettings(
                feePips: isV3 ? try pool.int("fee_pips", range: 1...999_999) : nil,
                gasUnits: try pool.optionalInt("gas_units", range: 21_000...30_000_000)
                    ?? EVMPoolSettings.defaultGasUnits(deployment.protocolKind),
                address: isCurve || isBalancer ? try address(pool, "address") : nil, poolId: poolId)
        }
        guard !pools.isEmpty else { throw venue.error("pools", "list at least one pair, e.g. \"ETH/USDC\" = { fee_pips = 500 }") }
        return EVMVenueSettings(dex: dex, deployment: deployment, pools: pools)
    }

    private static func address(_ table: ConfigReader, _ key: String) throws -> EthereumAddress {
        let text = try table.string(key)
        do { return try EthereumAddress(parsing: text) } catch { throw table.error(key, "\(error)") }
    }
}
