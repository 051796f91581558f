import DexterCore
import DexterEVM
import DexterSolana
import DexterMarket
import DexterRisk

/// The curve of a DEX pool and the parameters its contract fixes; how its liquidity sits is the simulator's.
enum PoolCurve: Hashable {
    /// Uniswap V2 style; fee in basis points.
    case constantProduct(feeBps: Int)
    /// Uniswap V3 style; fee in pips.
    case concentrated(feePips: Int)
    /// Curve StableSwap; A and the fee over 1e10.
    case stableSwap(amplification: Int, fee: Int)
}

/// A pool as `[venues.NAME.pools]` lists it.
struct ConfiguredPool {
    var instrument: InstrumentSpec
    var curve: PoolCurve
    var baseDecimals: Int
    var quoteDecimals: Int
    /// Gas one swap burns.
    var gasUnits: Int
    /// The contract the pool models, where it models a real one: what compliance screens.
    var address: String?
}

/// A venue as `[venues.NAME]` describes it — what it is and what it lists, as its operator publishes it — and the
/// connector that serves it. Markets and pools are keyed by their pair as config writes it.
struct ConfiguredVenue {
    var spec: VenueSpec
    var connector: String
    var markets: [String: InstrumentSpec] = [:]
    var pools: [String: ConfiguredPool] = [:]
    /// A live venue's markets, by symbol: their tick, lot and minimum come from the venue itself.
    var symbols: [Symbol] = []
    /// A live venue's endpoints (`rest_url`, `stream_url`, …), where config overrides the venue's own.
    var endpoints: [String: String] = [:]
    /// A live perpetual venue's margin terms (`max_leverage`, `maintenance_rate`) for all its symbols, where config
    /// sets them over the venue's published ones.
    var margin: MarginTerms?
    /// A DEX read live from its chain ("evm" connector): its contracts and the pools it watches.
    var evm: EVMVenueSettings?
    /// A Solana venue ("solana" connector): the pairs Jupiter is asked about.
    var solana: SolanaVenueSettings?
}

/// The keys a live exchange connector reads beside the facts every exchange has.
enum LiveVenueKeys {
    /// The endpoints each live connector reads: REST, the market-data stream, and where private traffic goes.
    static func endpoints(_ connector: String) -> [String] {
        switch connector {
        case VenueConnectors.okx, VenueConnectors.kraken, VenueConnectors.coinbase, VenueConnectors.bybit:
            ["rest_url", "stream_url", "private_url"]
        // Market data only for now: its order endpoints come with its LIVE connector.
        case VenueConnectors.binanceUSDM: ["rest_url", "stream_url"]
        default: ["rest_url", "stream_url", "ws_api_url"]
        }
    }

    /// The live connectors whose symbols are linear perpetuals (`BASE/QUOTE:QUOTE`), with venue-wide margin terms.
    static let perpetualConnectors: Set<String> = [VenueConnectors.binanceUSDM, VenueConnectors.bybit]
}

/// `[chains]` and `[venues]`: the facts of the desk's venues. A simulator knob found here is refused with where it
/// moved (`[sim.*]`).
extension DeskConfig {
    /// `[chains.NAME]`: the token each chain's gas is paid in, and for a chain read live (`rpc_urls`) how to reach it.
    static func parseChains(_ chains: ConfigReader) throws
        -> (gasTokens: [ChainId: Asset], live: [ChainId: EVMChainSettings], solana: SolanaChainSettings?) {
        var gasTokens: [ChainId: Asset] = [:]
        var live: [ChainId: EVMChainSettings] = [:]
        var solana: SolanaChainSettings?
        for name in chains.keys {
            let chain = try chains.table(name)
            try chain.rejectMoved(SimConfig.chainKnobs)
            let gasToken = Asset(try chain.string("gas_token"))
            gasTokens[ChainId(name)] = gasToken
            if isSolana(name) {
                solana = try parseSolanaChain(chain, gasToken: gasToken)
                continue
            }
            try chain.allowOnly(evmChainKeys)
            live[ChainId(name)] = try parseEVMChain(chain, name: name, gasToken: gasToken)
        }
        return (gasTokens, live, solana)
    }

    static func parseVenues(_ venues: ConfigReader, chains: Set<ChainId>, liveChains: [ChainId: EVMChainSettings] = [:],
                            solana: SolanaChainSettings? = nil, connectors: [String]) throws -> [ConfiguredVenue] {
        try venues.keys.sorted().map { name in
            let venue = try venues.table(name)
            let kind = try venue.string("kind")
            let connector = try venue.optionalString("connector") ?? VenueConnectors.simulator
            guard connectors.contains(connector) else {
                throw venue.error("connector", "venue \(name) names the connector \"\(connector)\", which dexter "
                                  + "does not have; known connectors: \(connectors.joined(separator: ", "))")
            }
            let staleness = Duration.milliseconds(try venue.int("staleness_ms", range: 1...86_400_000))
            switch kind {
            case "exchange" where connector != VenueConnectors.simulator:
                // A live exchange lists its markets by symbol; tick, lot and minimum come from the venue.
                let perpetuals = LiveVenueKeys.perpetualConnectors.contains(connector)
                try venue.allowOnly(Set(["kind", "connector", "taker_fee", "staleness_ms", "symbols"] + LiveVenueKeys.endpoints(connector)
                                        + (perpetuals ? ["max_leverage", "maintenance_rate"] : [])))
                let spec = VenueSpec(id: VenueId(name), kind: .exchange, takerFee: try venue.decimal("taker_fee"),
                                     stalenessBound: staleness)
                let symbols = try venue.strings("symbols").map { try venue.symbol($0, key: "symbols") }
                guard !symbols.isEmpty else {
                    throw venue.error("symbols", "list at least one market, e.g. [\"\(perpetuals ? "BTC/USDT:USDT" : "ETH/USDT")\"]")
                }
                if perpetuals, let spot = symbols.first(where: { $0.settle != $0.quote }) {
                    throw venue.error("symbols", "\(spot) is not a linear perpetual: write BASE/QUOTE:SETTLE settled in its "
                                      + "quote, like \"\(spot.base)/\(spot.quote):\(spot.quote)\"")
                }
                var endpoints: [String: String] = [:]
                for key in LiveVenueKeys.endpoints(connector) {
                    guard let url = try venue.optionalString(key) else { continue }
                    guard url.hasPrefix("http://") || url.hasPrefix("https://") || url.hasPrefix("ws://") || url.hasPrefix("wss://")
                    else { throw venue.error(key, "expected an http(s):// or ws(s):// URL, found \"\(url)\"") }
                    endpoints[key] = url
                }
                return ConfiguredVenue(spec: spec, connector: connector, symbols: symbols, endpoints: endpoints,
                                       margin: perpetuals ? try venueMargin(venue) : nil)
            case "exchange":
                try venue.rejectMoved(SimConfig.bookVenueKnobs)
                try venue.allowOnly(["kind", "connector", "taker_fee", "staleness_ms", "markets"])
                let spec = VenueSpec(id: VenueId(name), kind: .exchange, takerFee: try venue.decimal("taker_fee"),
                                     stalenessBound: staleness)
                return ConfiguredVenue(spec: spec, connector: connector,
                                       markets: try listing(venue, "markets", parse: parseMarket))
            case "dex" where connector == VenueConnectors.solana:
                let chain = ChainId(try venue.string("chain"))
                guard Self.isSolana(chain.name) else {
                    throw venue.error("chain", "the solana connector trades on chain \"solana\", found \"\(chain)\"")
                }
                guard let solana else {
                    throw venue.error("chain", "solana is not read live: give [chains.solana] its rpc_urls")
                }
                let spec = VenueSpec(id: VenueId(name), kind: .dex(chain: chain), takerFee: .zero, stalenessBound: staleness)
                return ConfiguredVenue(spec: spec, connector: connector, solana: try parseSolanaVenue(venue, chain: solana))
            case "dex" where connector == VenueConnectors.evm:
                let chain = ChainId(try venue.string("chain"))
                guard let live = liveChains[chain] else {
                    throw venue.error("chain", chains.contains(chain)
                                      ? "\(chain) is not read live: give [chains.\(chain)] its rpc_urls"
                                      : "\(chain) is not one of the chains under [chains]")
                }
                let spec = VenueSpec(id: VenueId(name), kind: .dex(chain: chain), takerFee: .zero, stalenessBound: staleness)
                return ConfiguredVenue(spec: spec, connector: connector, evm: try parseEVMVenue(venue, name: name, chain: live))
            case "dex":
                try venue.rejectMoved(SimConfig.poolVenueKnobs)
                try venue.allowOnly(["kind", "connector", "chain", "staleness_ms", "pools"])
                let chain = ChainId(try venue.string("chain"))
                guard chains.contains(chain) else {
                    throw venue.error("chain", "\(chain) is not one of the chains under [chains]")
                }
                let spec = VenueSpec(id: VenueId(name), kind: .dex(chain: chain), takerFee: .zero,
                                     stalenessBound: staleness)
                return ConfiguredVenue(spec: spec, connector: connector,
                                       pools: try listing(venue, "pools", parse: parsePool))
            default:
                throw venue.error("kind", "expected \"exchange\" or \"dex\", found \"\(kind)\"")
            }
        }
    }

    /// A venue's markets or pools (`key`), by pair as config writes it.
    static func listing<Listed>(_ venue: ConfigReader, _ key: String,
                                parse: (ConfigReader, Symbol) throws -> Listed) throws -> [String: Listed] {
        let table = try venue.table(key)
        var listed: [String: Listed] = [:]
        for pair in table.keys.sorted() {
            listed[pair] = try parse(try table.table(pair), try table.symbol(pair, key: pair))
        }
        return listed
    }

    /// A live perpetual venue's margin terms: both `max_leverage` and `maintenance_rate`, or neither (the venue's
    /// published terms then).
    static func venueMargin(_ venue: ConfigReader) throws -> MarginTerms? {
        guard venue.has("max_leverage") || venue.has("maintenance_rate") else { return nil }
        guard venue.has("max_leverage") else {
            throw venue.error("max_leverage", "set it with maintenance_rate, e.g. \"20\"")
        }
        guard venue.has("maintenance_rate") else {
            throw venue.error("maintenance_rate", "set it with max_leverage, e.g. \"0.004\"")
        }
        return try marginTerms(venue)
    }

    /// `max_leverage` (1 to 200) and `maintenance_rate` (under the initial margin 1 / leverage).
    static func marginTerms(_ table: ConfigReader) throws -> MarginTerms {
        let leverage = try table.positiveDecimal("max_leverage", example: "20")
        guard leverage >= .one, leverage <= FixedDecimal(200) else {
            throw table.error("max_leverage", "expected leverage from 1 to 200, found \"\(leverage)\"")
        }
        let rate = try table.positiveDecimal("maintenance_rate", example: "0.005")
        guard rate < .one / leverage else {
            throw table.error("maintenance_rate",
                              "expected a rate under the initial margin 1/\(leverage), found \"\(rate)\"")
        }
        return MarginTerms(maxLeverage: leverage, maintenanceRate: rate)
    }

    /// An exchange's market: tick, lot, minimum notional and quantity, and a perpetual's margin rules.
    static func parseMarket(_ market: ConfigReader, _ symbol: Symbol) throws -> InstrumentSpec {
        try market.rejectMoved(SimConfig.marketKnobs)
        try market.allowOnly(Set(["tick", "lot", "min_notional", "min_quantity"]
                                     + (symbol.isSpot ? [] : ["max_leverage", "maintenance_rate"])))
        let minQuantity = market.has("min_quantity") ? try market.decimal("min_quantity", example: "0.001") : .zero
        guard !minQuantity.isNegative else {
            throw market.error("min_quantity", "expected a quantity of zero or more, found \"\(minQuantity)\"")
        }
        var instrument = InstrumentSpec(symbol: symbol, tickSize: try market.positiveDecimal("tick", example: "0.01"),
                                        lotSize: try market.positiveDecimal("lot", example: "0.0001"),
                                        minNotional: try market.decimal("min_notional", example: "5"),
                                        minQuantity: minQuantity)
        if !symbol.isSpot { instrument.margin = try marginTerms(market) }
        return instrument
    }

    /// A DEX pool: its curve and fee, its tokens' decimals, the gas of a swap, the contract it models.
    static func parsePool(_ pool: ConfigReader, _ symbol: Symbol) throws -> ConfiguredPool {
        try pool.rejectMoved(SimConfig.poolKnobs)
        let type = try pool.string("type")
        let common: Set = ["type", "base_decimals", "quote_decimals", "gas_units", "address"]
        let curve: PoolCurve
        switch type {
        case "constant_product":
            try pool.allowOnly(common.union(["fee_bps"]))
            curve = .constantProduct(feeBps: try pool.int("fee_bps", range: 0...9999))
        case "concentrated":
            try pool.allowOnly(common.union(["fee_pips"]))
            curve = .concentrated(feePips: try pool.int("fee_pips", range: 0...999_999))
        case "stable_swap":
            try pool.allowOnly(common.union(["amplification", "fee"]))
            curve = .stableSwap(amplification: try pool.int("amplification", range: 1...1_000_000),
                                fee: try pool.int("fee", range: 0...9_999_999_999))
        default:
            throw pool.error("type",
                             "expected \"constant_product\", \"concentrated\" or \"stable_swap\", found \"\(type)\"")
        }
        let baseDecimals = try pool.int("base_decimals", range: 0...18)
        let quoteDecimals = try pool.int("quote_decimals", range: 0...18)
        if case .stableSwap = curve, baseDecimals != quoteDecimals {
            throw pool.error("quote_decimals", "a stable_swap pool here needs both coins at the same decimals")
        }
        let address = try pool.optionalString("address")
        if let address, !DenyList.isAddress(address) {
            throw pool.error("address",
                             "expected an EVM (0x + 40 hex) or Solana (base58) address, found \"\(address)\"")
        }
        return ConfiguredPool(
            instrument: InstrumentSpec(symbol: symbol, tickSize: FixedDecimal(units: 1, decimals: quoteDecimals),
                                       lotSize: FixedDecimal(units: 1, decimals: min(baseDecimals, 8)),
                                       minNotional: .zero),
            curve: curve, baseDecimals: baseDecimals, quoteDecimals: quoteDecimals,
            gasUnits: try pool.int("gas_units", range: 0...30_000_000), address: address)
    }
}
