import DexterCore
import DexterCrypto
import DexterMarket

/// The Solana chain as config.toml's `[chains.solana]` gives it: where its nodes and Jupiter are, its tokens by the
/// desk's asset names, and what a transaction may pay to be taken sooner.
public struct SolanaChainSettings: Sendable {
    public var chain: ChainId
    public var gasToken: Asset
    public var rpcURLs: [String]
    /// PubSub URLs (`accountSubscribe`), tried in turn; none: pools are polled.
    public var wsURLs: [String]
    /// Jupiter's Swap API base, without `/swap/v1`.
    public var jupiterURL: String
    /// Each asset's mint. SOL is the wrapped-SOL mint: dexter trades SOL as wSOL in its token account (so every amount
    /// is a token balance the transaction itself reports) and pays fees from the native balance.
    public var tokens: [Asset: SolanaPublicKey]
    /// The percentile of recent per-slot priority prices (µlamports per compute unit) a transaction offers, at most
    /// `maxPriorityMicroLamports`.
    public var priorityPercentile: Int
    public var maxPriorityMicroLamports: UInt64
    /// Compute units added to a simulation's count for a transaction dexter builds itself, in percent.
    public var computeMarginPercent: UInt64
    /// How often quotes and statuses are asked for.
    public var pollInterval: Duration
    /// The vault wallet (a Solana keypair) LIVE orders are signed with.
    public var wallet: String?

    public init(chain: ChainId = ChainId("solana"), gasToken: Asset = Asset("SOL"), rpcURLs: [String], wsURLs: [String] = [],
                jupiterURL: String = SolanaChainSettings.jupiterDefaultURL, tokens: [Asset: SolanaPublicKey] = SolanaChainSettings.mainnetTokens,
                priorityPercentile: Int = 75, maxPriorityMicroLamports: UInt64 = 1_000_000, computeMarginPercent: UInt64 = 10,
                pollInterval: Duration = .seconds(1), wallet: String? = nil) {
        self.chain = chain
        self.gasToken = gasToken
        self.rpcURLs = rpcURLs
        self.wsURLs = wsURLs
        self.jupiterURL = jupiterURL
        self.tokens = tokens
        self.priorityPercentile = priorityPercentile
        self.maxPriorityMicroLamports = maxPriorityMicroLamports
        self.computeMarginPercent = computeMarginPercent
        self.pollInterval = pollInterval
        self.wallet = wallet
    }

    /// Jupiter's keyless Swap API host (dev.jup.ag/docs/swap-api): `GET /swap/v1/quote`, `POST /swap/v1/swap`.
    public static let jupiterDefaultURL = "https://lite-api.jup.ag"

    public static let wrappedSOL = try! SolanaPublicKey(base58: "So11111111111111111111111111111111111111112")

    /// Mainnet mints of the assets a desk names most.
    public static let mainnetTokens: [Asset: SolanaPublicKey] = [
        Asset("SOL"): wrappedSOL,
        Asset("USDC"): try! SolanaPublicKey(base58: "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"),
        Asset("USDT"): try! SolanaPublicKey(base58: "Es9vMFrzaCERmJfrF4H2FYD4KCoNkY11McCe8BenwNYB"),
    ]
}
