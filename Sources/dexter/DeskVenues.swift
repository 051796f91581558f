import DexterCEX
import DexterCore
import DexterCrypto
import DexterEVM
import DexterSolana
import DexterVenues
import Foundation

/// The connectors that serve venues, by the name a venue gives as `connector` in config.toml: with `ReplayDesk` (a
/// recording, opened by --replay in place of these), the only place concrete venue clients are named. A connector
/// builds one client for every venue it serves.
struct VenueConnectors: Sendable {
    /// How the desk opens its venues, beyond what config says.
    struct Opening {
        /// Overrides the simulator's [sim] seed (--seed).
        var seed: UInt64?
        var start: Timestamp
        /// Where paper venues remember what they executed, so a restarted desk can ask them about orders in flight.
        var journalPath: String?
        /// The ledger's file: a live chain venue keeps its own journal of swaps beside it.
        var ledgerPath: String?
        /// LIVE: the API key of each live venue; a venue without one trades on paper.
        var credentials: [VenueId: APICredential] = [:]
        /// LIVE: the newest funding payment the ledger holds per venue, where a venue's funding reading resumes.
        var fundingSince: [VenueId: Timestamp] = [:]
        /// LIVE: each chain's signing key; a chain without one trades on paper.
        var walletKeys: [ChainId: EthereumPrivateKey] = [:]
        /// LIVE: the Solana keypair that signs swaps; without one Solana venues trade on paper.
        var solanaKeys: [ChainId: SolanaKeypair] = [:]
        /// Aggregators' API keys from the vault, for those config names no environment variable for.
        var aggregatorKeys: [AggregatorSource: String] = [:]
    }

    typealias Build = @Sendable (DeskConfig, Opening) throws -> [any MarketDataClient & ExecutionClient]

    /// The embedded market, and the connector of a venue that names none.
    static let simulator = "sim"
    /// Binance spot: live market data; in PAPER mode paper fills against its books, in LIVE real orders.
    static let binance = "binance"
    /// OKX spot: live market data; in PAPER mode paper fills against its books, in LIVE real orders.
    static let okx = "okx"
    /// Kraken spot (WebSocket v2 and REST): live market data; in PAPER mode paper fills against its books, in LIVE
    /// real orders.
    static let kraken = "kraken"
    /// Coinbase Advanced Trade spot (level2 over its market-data WebSocket, REST): live market data; in PAPER mode
    /// paper fills against its books, in LIVE real orders.
    static let coinbase = "coinbase"
    /// Binance USDⓈ-M futures (linear perpetuals): live market data and funding; in PAPER mode paper fills against its
    /// books, in LIVE real orders (reduce-only where the desk only cuts), the venue's funding and margin.
    static let binanceUSDM = "binance-usdm"
    /// Bybit v5 linear USDT perpetuals: live market data and funding; in PAPER mode paper fills against its books, in
    /// LIVE real orders (reduce-only where the desk only cuts), the venue's funding and margin.
    static let bybit = "bybit"
    /// DEX pools on an EVM chain, read from its contracts over JSON-RPC ([chains.NAME] rpc_urls); in PAPER mode paper
    /// fills against the pools, in LIVE swaps signed by the chain's wallet ([chains.NAME] wallet).
    static let evm = "evm"
    /// Jupiter on Solana ([chains.solana] rpc_urls, jupiter_url): its quotes as a book; in PAPER mode paper fills
    /// against it, in LIVE Jupiter swaps signed by the chain's keypair ([chains.solana] wallet).
    static let solana = "solana"
    /// The connectors that can send real orders (LIVE).
    static let liveConnectors: Set<String> = [binance, okx, kraken, coinbase, binanceUSDM, bybit, evm, solana]

    static let standard = VenueConnectors(builders: [
        simulator: { config, opening in
            var universe = config.universe
            if let seed = opening.seed { universe.seed = seed }
            return [SimulatedVenues(universe: universe, start: opening.start,
                                    journal: try opening.journalPath.map(PaperJournal.init(path:)))]
        },
        binance: { config, opening in
            let journal = try opening.journalPath.map(PaperJournal.init(path:))
            return try config.venues.filter { $0.connector == binance }.map { venue -> any MarketDataClient & ExecutionClient in
                let settings = venue.binanceSettings
                guard let key = opening.credentials[venue.spec.id] else {
                    return BinancePaperVenue(feed: BinanceMarketFeed(settings: settings), journal: journal)
                }
                return try BinanceLiveVenue(settings: settings,
                                            credentials: BinanceCredentials(apiKey: key.apiKey, secret: key.secret))
            }
        },
        okx: { config, opening in
            let journal = try opening.journalPath.map(PaperJournal.init(path:))
            return try config.venues.filter { $0.connector == okx }.map { venue -> any MarketDataClient & ExecutionClient in
                let settings = venue.okxSettings
                guard let key = opening.credentials[venue.spec.id] else {
                    return OKXPaperVenue(feed: OKXMarketFeed(settings: settings), journal: journal)
                }
                guard let passphrase = key.passphrase, !passphrase.isEmpty else {
                    throw ConnectorError.passphraseMissing(venue.spec.id)
                }
                var execution = OKXExecutionSettings(venue: venue.spec.id, restURL: settings.restURL,
                                                     privateURL: settings.privateURL)
                execution.stream = settings.stream
                return try OKXLiveVenue(marketData: OKXMarketFeed(settings: settings), settings: execution,
                                        credentials: OKXCredentials(apiKey: key.apiKey, secret: key.secret, passphrase: passphrase))
            }
        },
        kraken: { config, opening in
            let journal = try opening.journalPath.map(PaperJournal.init(path:))
            return try config.venues.filter { $0.connector == kraken }.map { venue -> any MarketDataClient & ExecutionClient in
                let settings = venue.krakenSettings
                guard let key = opening.credentials[venue.spec.id] else {
                    return KrakenPaperVenue(feed: KrakenMarketFeed(settings: settings), journal: journal)
                }
                // Kraken's nonce must only grow, across restarts too: its high-water mark lives beside the ledger.
                let nonceFile = opening.journalPath.map {
                    URL(fileURLWithPath: $0).deletingLastPathComponent().appendingPathComponent("\(venue.spec.id.name).kraken-nonce")
                }
                var execution = KrakenExecutionSettings(venue: venue.spec.id, restURL: settings.restURL,
                                                        privateURL: settings.privateURL, nonceFile: nonceFile)
                execution.stream = settings.stream
                return try KrakenLiveVenue(marketData: KrakenMarketFeed(settings: settings), settings: execution,
                                           credentials: KrakenCredentials(apiKey: key.apiKey, secret: key.secret))
            }
        },
        binanceUSDM: { config, opening in
            let journal = try opening.journalPath.map(PaperJournal.init(path:))
            let venues = config.venues.filter { $0.connector == binanceUSDM }
            return try venues.map { venue -> any MarketDataClient & ExecutionClient in
                let feed = BinanceUSDMMarketFeed(settings: venue.binanceUSDMSettings)
                guard let key = opening.credentials[venue.spec.id] else {
                    return BinanceUSDMPaperVenue(feed: feed, journal: journal)
                }
                // Orders share the feed's hosts and request-weight budget (Binance counts weight per IP).
                return try BinanceUSDMLiveVenue(feed: feed, credentials: BinanceCredentials(apiKey: key.apiKey, secret: key.secret),
                                                fundingSince: opening.fundingSince[venue.spec.id])
            }
        },
        bybit: { config, opening in
            let journal = try opening.journalPath.map(PaperJournal.init(path:))
            return try config.venues.filter { $0.connector == bybit }.map { venue -> any MarketDataClient & ExecutionClient in
                let feed = BybitMarketFeed(settings: venue.bybitSettings)
                guard let key = opening.credentials[venue.spec.id] else { return BybitPaperVenue(feed: feed, journal: journal) }
                return try BybitLiveVenue(feed: feed, credentials: BybitCredentials(apiKey: key.apiKey, secret: key.secret),
                                          fundingSince: opening.fundingSince[venue.spec.id])
            }
        },
        evm: { config, opening in
            let journal = try opening.journalPath.map(PaperJournal.init(path:))
            // One feed per chain: one block poll and one batch of reads serve every DEX venue on it.
            let venues = config.venues.filter { $0.connector == evm }
            return try Dictionary(grouping: venues) { $0.spec.kind.chain ?? ChainId("") }.sorted { $0.key < $1.key }
                .map { chain, venues -> any MarketDataClient & ExecutionClient in
                    guard var settings = config.liveChains[chain] else { throw ConnectorError.chainNotReadLive(chain) }
                    let key = opening.walletKeys[chain]
                    // LIVE: swaps are priced with the gas the trading wallet's own router calls take, unless config
                    // names another address to estimate from.
                    if let key, settings.gasEstimate == nil { settings.gasEstimate = GasEstimateSettings(from: key.address) }
                    // Aggregators' keys from the environment, never from config.
                    let aggregators = try settings.aggregatorFeeds(environment: ProcessInfo.processInfo.environment,
                                                                   vaultKeys: opening.aggregatorKeys)
                    let feed = try EVMMarketFeed(chain: settings, pools: venues.flatMap(\.watchedPools),
                                                 aggregators: aggregators)
                    guard let key else { return PaperVenue(feed: feed, journal: journal) }
                    // What each order became on chain, beside the ledger: a restart finds its transaction there.
                    guard let ledger = opening.ledgerPath else { throw ConnectorError.noOrderJournal(chain) }
                    // What an aggregator's transaction goes to is screened by the deny-list before it is signed.
                    let denyList = config.denyList
                    return try EVMLiveVenue(feed: feed, key: key, journal: try EVMOrderJournal(path: ledger + ".\(chain.name)-swaps.jsonl"),
                                            screen: { denyList?.contains($0.checksummed) == true ? "on the deny-list" : nil })
                }
        },
        solana: { config, opening in
            let journal = try opening.journalPath.map(PaperJournal.init(path:))
            guard let chain = config.solanaChain else { return [] }
            let venues = config.venues.filter { $0.connector == solana }
            guard !venues.isEmpty else { return [] }
            let rpc = try SolanaRPCClient(urls: chain.rpcURLs)
            return try venues.map { venue -> any MarketDataClient & ExecutionClient in
                let settings = venue.solana ?? SolanaVenueSettings(symbols: [], quoteSizes: [])
                let keypair = opening.solanaKeys[chain.chain]
                // What each order became on chain, beside the ledger: a restart finds its transactions there.
                func orderJournal() throws -> SolanaOrderJournal {
                    guard let ledger = opening.ledgerPath else { throw ConnectorError.noOrderJournal(chain.chain) }
                    return try SolanaOrderJournal(path: ledger + ".\(venue.spec.id.name)-solana-swaps.jsonl")
                }
                if let kind = settings.poolKind {
                    // A pool venue: its pools read from their accounts; LIVE orders through Jupiter, its pool alone.
                    let feed = try SolanaPoolFeed(pools: settings.pools.sorted { $0.key.description < $1.key.description }.map { symbol, address in
                        SolanaPoolFeed.WatchedPool(venue: venue.spec, symbol: symbol, kind: kind, address: address,
                                                   baseMint: chain.tokens[symbol.base] ?? address)
                    }, rpcURLs: chain.rpcURLs, webSocketURL: chain.wsURLs.first, pollInterval: chain.pollInterval)
                    guard let keypair else { return PaperVenue(feed: feed, journal: journal) }
                    return SolanaLiveVenue(feed: feed, chain: chain, rpc: rpc,
                                           routing: .pool(label: settings.jupiterLabel ?? kind.rawValue, pools: settings.pools),
                                           keypair: keypair, journal: try orderJournal())
                }
                let feed = JupiterMarketFeed(venue: venue.spec, chain: chain, symbols: settings.symbols,
                                             sizes: settings.quoteSizes, rpc: rpc)
                guard let keypair else { return PaperVenue(feed: feed, journal: journal) }
                return SolanaLiveVenue(feed: feed, chain: chain, rpc: rpc, keypair: keypair, journal: try orderJournal())
            }
        },
        coinbase: { config, opening in
            let journal = try opening.journalPath.map(PaperJournal.init(path:))
            return try config.venues.filter { $0.connector == coinbase }.map { venue -> any MarketDataClient & ExecutionClient in
                let settings = venue.coinbaseSettings
                guard let key = opening.credentials[venue.spec.id] else {
                    return CoinbasePaperVenue(feed: CoinbaseMarketFeed(settings: settings), journal: journal)
                }
                return try CoinbaseLiveVenue(marketData: CoinbaseMarketFeed(settings: settings),
                                             settings: settings.execution, credentials: key.coinbase)
            }
        },
    ])

    let builders: [String: Build]

    var names: [String] { builders.keys.sorted() }

    /// One client from each connector that serves a configured venue (config refuses a venue naming another).
    func venueSet(for config: DeskConfig, opening: Opening) throws -> VenueSet {
        var venues = VenueSet()
        let used = Set(config.venues.map(\.connector))
        for (connector, build) in builders.sorted(by: { $0.key < $1.key }) where used.contains(connector) {
            for client in try build(config, opening) { venues.add(client) }
        }
        return venues
    }
}

extension DeskConfig {
    /// What the desk trades on: the embedded market (SIM), or live venues' data with paper fills (PAPER).
    var liveVenues: [ConfiguredVenue] { venues.filter { $0.connector != VenueConnectors.simulator } }

    /// The desk's venues as config describes them, opened at `start`, each built by the connector that serves it.
    func venueSet(seed: UInt64?, start: Timestamp, journalPath: String?, ledgerPath: String? = nil,
                  credentials: [VenueId: APICredential] = [:], fundingSince: [VenueId: Timestamp] = [:],
                  walletKeys: [ChainId: EthereumPrivateKey] = [:], solanaKeys: [ChainId: SolanaKeypair] = [:],
                  aggregatorKeys: [AggregatorSource: String] = [:]) throws -> VenueSet {
        try VenueConnectors.standard.venueSet(for: self, opening: .init(seed: seed, start: start, journalPath: journalPath,
                                                                        ledgerPath: ledgerPath, credentials: credentials,
                                                                        fundingSince: fundingSince, walletKeys: walletKeys,
                                                                        solanaKeys: solanaKeys, aggregatorKeys: aggregatorKeys))
    }
}

extension CoinbaseSettings {
    /// Where a Coinbase venue's orders go: the same REST host, the user-order WebSocket, the stream's pacing.
    var execution: CoinbaseExecutionSettings {
        var execution = CoinbaseExecutionSettings(venue: venue.id, restURL: restURL, privateURL: privateURL,
                                                  requestTimeout: requestTimeout)
        execution.stream = stream
        return execution
    }
}

extension APICredential {
    /// A Coinbase CDP key: its name (`organizations/…/apiKeys/…`) and its EC private key (PEM).
    var coinbase: CoinbaseCredentials { CoinbaseCredentials(keyName: apiKey, privateKeyPEM: secret) }
}

/// What a connector cannot do yet, said before anything starts.
enum ConnectorError: Error, CustomStringConvertible {
    case liveNotAvailable(VenueId, connector: String)
    case passphraseMissing(VenueId)
    case chainNotReadLive(ChainId)
    case noOrderJournal(ChainId)

    var description: String {
        switch self {
        case .liveNotAvailable(let venue, let connector):
            "\(venue): the \(connector) connector trades on paper only for now (its live orders are not built); start without --live"
        case .passphraseMissing(let venue):
            "\(venue): an OKX key needs its passphrase, and the vault holds none for it: dexter keys rotate \(venue)"
        case .chainNotReadLive(let chain):
            "\(chain): an evm venue's chain needs rpc_urls under [chains.\(chain)]"
        case .noOrderJournal(let chain):
            "\(chain): a live chain venue keeps its swaps' journal beside the ledger, and this desk has no ledger file"
        }
    }
}

extension ConfiguredVenue {
    /// An OKX venue's settings: its symbols, and the endpoints config overrides (OKX's own by default).
    var okxSettings: OKXSettings {
        var settings = OKXSettings(venue: spec, symbols: symbols)
        if let url = endpoints["rest_url"] { settings.restURL = url }
        if let url = endpoints["stream_url"] { settings.publicURL = url }
        if let url = endpoints["private_url"] { settings.privateURL = url }
        return settings
    }

    /// A Kraken venue's settings: its symbols, and the endpoints config overrides (Kraken's own by default).
    var krakenSettings: KrakenSettings {
        var settings = KrakenSettings(venue: spec, symbols: symbols)
        if let url = endpoints["rest_url"] { settings.restURL = url }
        if let url = endpoints["stream_url"] { settings.publicURL = url }
        if let url = endpoints["private_url"] { settings.privateURL = url }
        return settings
    }

    /// A Coinbase venue's settings: its symbols, and the endpoints config overrides (Coinbase's own by default).
    var coinbaseSettings: CoinbaseSettings {
        var settings = CoinbaseSettings(venue: spec, symbols: symbols)
        if let url = endpoints["rest_url"] { settings.restURL = url }
        if let url = endpoints["stream_url"] { settings.publicURL = url }
        if let url = endpoints["private_url"] { settings.privateURL = url }
        return settings
    }

    /// A Binance USDⓈ-M venue's settings: its perpetuals, its margin terms where config sets them, and the endpoints
    /// config overrides (fapi.binance.com and fstream.binance.com by default).
    var binanceUSDMSettings: BinanceUSDMSettings {
        var settings = BinanceUSDMSettings(venue: spec, symbols: symbols, margin: margin)
        if let url = endpoints["rest_url"] { settings.restURL = url }
        if let url = endpoints["stream_url"] { settings.streamURL = url }
        return settings
    }

    /// A Bybit venue's settings: its perpetuals, its margin terms where config sets them, and the endpoints config
    /// overrides (api.bybit.com and stream.bybit.com by default).
    var bybitSettings: BybitSettings {
        var settings = BybitSettings(venue: spec, symbols: symbols, margin: margin)
        if let url = endpoints["rest_url"] { settings.restURL = url }
        if let url = endpoints["stream_url"] { settings.publicURL = url }
        if let url = endpoints["private_url"] { settings.privateURL = url }
        return settings
    }

    /// An evm venue's pools as its chain's feed watches them.
    var watchedPools: [EVMMarketFeed.WatchedPool] {
        guard let evm else { return [] }
        return evm.pools.sorted { $0.key.description < $1.key.description }.map { symbol, pool in
            EVMMarketFeed.WatchedPool(venue: spec, dexName: evm.dex ?? spec.id.name, deployment: evm.deployment, symbol: symbol,
                                      feePips: pool.feePips, gasUnits: pool.gasUnits, address: pool.address,
                                      poolId: pool.poolId)
        }
    }

    /// A Binance venue's settings: its symbols, and the endpoints config overrides (Binance's own by default).
    var binanceSettings: BinanceSettings {
        var settings = BinanceSettings(venue: spec, symbols: symbols)
        if let url = endpoints["rest_url"] { settings.restURL = url }
        if let url = endpoints["stream_url"] { settings.streamURL = url }
        if let url = endpoints["ws_api_url"] { settings.wsAPIURL = url }
        return settings
    }
}
