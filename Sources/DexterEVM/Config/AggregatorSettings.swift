import DexterCore
import DexterNet

/// One aggregator a chain asks for prices (`[chains.NAME.aggregators.oneinch]` / `.zeroex`): where, with which key,
/// how often, and how much its answers count in the reference price.
public struct AggregatorSettings: Sendable, Hashable {
    public var source: AggregatorSource
    /// The API's base URL: 1inch's or 0x's own by default.
    public var url: String
    /// The environment variable that holds the API key; nil: the key stored in the vault under the aggregator's name
    /// (`dexter keys add 1inch`). The key itself is never in config, a log or an error.
    public var apiKeyVariable: String?
    public var refreshInterval: Duration
    public var stalenessBound: Duration
    /// Its say in the reference's weighted median (a market's is 1).
    public var weight: Double
    /// The amount of each pair's base asset it is asked to sell.
    public var quoteSize: FixedDecimal
    /// How long one request may take.
    public var timeout: Duration
    /// LIVE sells may go through its transactions (to `contracts.router` only, `contracts.spender` approved) when it
    /// pays at least the direct pool. Off by default: its quotes are then reference prices only.
    public var execute = false
    public var contracts: AggregatorContracts

    public init(source: AggregatorSource, url: String? = nil, apiKeyVariable: String?,
                refreshInterval: Duration = .seconds(10), stalenessBound: Duration = .seconds(60), weight: Double = 1,
                quoteSize: FixedDecimal = .one, timeout: Duration = .seconds(5)) {
        self.source = source
        self.url = url ?? Self.defaultURL(source)
        self.apiKeyVariable = apiKeyVariable
        self.refreshInterval = refreshInterval
        self.stalenessBound = stalenessBound
        self.weight = weight
        self.quoteSize = quoteSize
        self.timeout = timeout
        contracts = .documented(source)
    }

    /// The documented production hosts.
    public static func defaultURL(_ source: AggregatorSource) -> String {
        switch source {
        case .oneInch: "https://api.1inch.dev"
        case .zeroEx: "https://api.0x.org"
        }
    }

    /// The polling settings with a client of the API for `chainId`, authorised with `apiKey`.
    public func feed(apiKey: String, chainId: UInt64) -> AggregatorFeed {
        let client: any AggregatorPriceSource = switch source {
        case .oneInch: OneInchClient(apiKey: apiKey, chainId: chainId, baseURL: url, timeout: timeout)
        case .zeroEx: ZeroExClient(apiKey: apiKey, chainId: chainId, baseURL: url, timeout: timeout)
        }
        return AggregatorFeed(client: client, refreshInterval: refreshInterval, stalenessBound: stalenessBound,
                              weight: weight, quoteSize: quoteSize, execution: execute ? contracts : nil)
    }
}

/// A configured aggregator whose API key is not where config says.
public struct AggregatorKeyMissing: Error, Sendable, CustomStringConvertible {
    public let chain: ChainId
    public let source: AggregatorSource
    /// The environment variable config names; nil: the key was looked for in the vault.
    public let variable: String?

    public var description: String {
        let table = "[chains.\(chain).aggregators.\(source == .oneInch ? "oneinch" : "zeroex")]"
        guard let variable else {
            return "\(table): no API key: store one in your vault (dexter keys add \(source)), or name the environment "
                + "variable that holds it with api_key_env"
        }
        return "\(table): the API key is read from the environment variable \(variable), which is not set (or empty): "
            + "export it before starting dexter"
    }
}

extension EVMChainSettings {
    /// Every configured aggregator ready to poll, each with its key from `environment` (the variable config names)
    /// or, with none named, from `vaultKeys` (the vault's, by aggregator).
    public func aggregatorFeeds(environment: [String: String], vaultKeys: [AggregatorSource: String] = [:])
        throws(AggregatorKeyMissing) -> [AggregatorFeed] {
        try aggregators.map { settings throws(AggregatorKeyMissing) in
            let key = settings.apiKeyVariable.map { environment[$0] } ?? vaultKeys[settings.source]
            guard let key, !key.isEmpty else {
                throw AggregatorKeyMissing(chain: chain, source: settings.source, variable: settings.apiKeyVariable)
            }
            return settings.feed(apiKey: key, chainId: chainId)
        }
    }
}
