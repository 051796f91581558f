import BigInt
import DexterCore
import DexterCrypto

/// One EVM chain as `[chains.NAME]` describes it for live pools: its id (checked against every RPC URL at connect),
/// where to read and where to send, and the tokens dexter's assets are on it.
public struct EVMChainSettings: Sendable, Hashable {
    /// How a transaction is sent privately (never through the public mempool).
    public struct PrivateSubmission: Sendable, Hashable {
        public enum Method: String, Sendable, Hashable, CaseIterable {
            /// A builder or protect RPC that takes the raw transaction as any node does (Flashbots Protect, MEV Blocker).
            case sendRawTransaction = "eth_sendRawTransaction"
            /// Flashbots' `eth_sendPrivateTransaction` with a block deadline.
            case sendPrivateTransaction = "eth_sendPrivateTransaction"
        }

        public var url: String
        public var method: Method

        public init(url: String, method: Method = .sendRawTransaction) {
            self.url = url
            self.method = method
        }
    }

    public var chain: ChainId
    public var chainId: UInt64
    public var gasToken: Asset
    /// Read from the first that answers on the chain; the next on failure.
    public var rpcURLs: [String]
    public var privateSubmission: PrivateSubmission?
    /// Blocks on top of a transaction's before its fill is booked.
    public var confirmations: Int
    /// How often a chain without subscriptions is asked for its newest block.
    public var pollInterval: Duration
    /// The ERC-20 contract each desk asset is on this chain (ETH is traded as WETH in pools).
    public var tokens: [Asset: EthereumAddress]
    /// The vault wallet that signs on this chain in LIVE (`dexter wallet list`); PAPER needs none.
    public var wallet: String?
    /// No transaction is signed with a maxFeePerGas above this (wei per gas): a fee spike past it refuses the swap.
    public var maxFeePerGasCap: BigUInt = 500_000_000_000
    /// Where new heads are pushed (`eth_subscribe("newHeads")`), and where gas units are estimated from: see
    /// EVMChainSettings+Subscriptions.swift. Neither by default: the chain is polled, gas units are configured.
    public var headSubscription: HeadSubscriptionSettings?
    public var gasEstimate: GasEstimateSettings?
    /// Aggregators asked for the pools' pairs as reference price sources (none by default).
    public var aggregators: [AggregatorSettings] = []

    public init(chain: ChainId, chainId: UInt64, gasToken: Asset, rpcURLs: [String], privateSubmission: PrivateSubmission? = nil,
                confirmations: Int, pollInterval: Duration = .seconds(1), tokens: [Asset: EthereumAddress],
                headSubscription: HeadSubscriptionSettings? = nil, gasEstimate: GasEstimateSettings? = nil) {
        self.chain = chain
        self.chainId = chainId
        self.gasToken = gasToken
        self.rpcURLs = rpcURLs
        self.privateSubmission = privateSubmission
        self.confirmations = confirmations
        self.pollInterval = pollInterval
        self.tokens = tokens
        self.headSubscription = headSubscription
        self.gasEstimate = gasEstimate
    }
}
