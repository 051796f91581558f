import DexterCrypto

/// The contract families dexter reads and trades through.
public enum DexProtocol: String, Sendable, Hashable, CaseIterable {
    case uniswapV2 = "uniswap-v2"
    case uniswapV3 = "uniswap-v3"
    case curve
    case balancerWeighted = "balancer-weighted"
}

/// One DEX's contracts on one chain: where pools are found and how their addresses are derived, where swaps are
/// sent and who quotes them. A known deployment gives the defaults (`KnownDeployments`); config overrides any of them
/// (a fork, a testnet, the local node in the tests).
public struct DexDeployment: Sendable, Hashable {
    public var protocolKind: DexProtocol
    /// `getPair` / `getPool` (Uniswap families); Curve's address provider; Balancer's vault.
    public var factory: EthereumAddress
    public var router: EthereumAddress?
    /// V3: QuoterV2, whose answer dexter's own quote must equal to the wei.
    public var quoter: EthereumAddress?
    /// What CREATE2-deploys the pools when it is not the factory (PancakeSwap V3's pool deployer).
    public var poolDeployer: EthereumAddress?
    /// keccak256 of the pool's creation code: a pool's address is checked against CREATE2 with it. Nil where pools
    /// are not CREATE2-derived from a fixed code (e.g. a factory deploying from a blueprint): then the factory's word
    /// alone is taken, and the venues check says so.
    public var initCodeHash: [UInt8]?
    /// V2 forks: the fee each pair charges, in basis points (Uniswap and SushiSwap 30, PancakeSwap 25).
    public var feeBps: Int?

    public init(protocolKind: DexProtocol, factory: EthereumAddress, router: EthereumAddress? = nil,
                quoter: EthereumAddress? = nil, poolDeployer: EthereumAddress? = nil, initCodeHash: [UInt8]? = nil,
                feeBps: Int? = nil) {
        self.protocolKind = protocolKind
        self.factory = factory
        self.router = router
        self.quoter = quoter
        self.poolDeployer = poolDeployer
        self.initCodeHash = initCodeHash
        self.feeBps = feeBps
    }

    /// Balancer's Vault: the contract a Balancer swap calls, is approved to spend, and whose Swap log tells the fill.
    public var vault: EthereumAddress? { protocolKind == .balancerWeighted ? factory : nil }

    /// The contract a swap is sent to (and approved to spend) when it is not the pool itself: the router of a Uniswap
    /// family, Balancer's Vault; none for Curve, whose pool is called directly.
    public var swapTarget: EthereumAddress? {
        switch protocolKind {
        case .uniswapV2, .uniswapV3: router
        case .balancerWeighted: vault
        case .curve: nil
        }
    }
}
