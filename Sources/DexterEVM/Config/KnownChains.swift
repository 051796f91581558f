import DexterCore
import DexterCrypto

/// The EVM chains dexter knows by name: their ids, how deep a block must be before a fill is booked, and the tokens
/// the desk's assets are there (sources in docs/evm-addresses.md). Config names a chain; anything here it may
/// override.
public struct KnownChain: Sendable {
    public let name: String
    public let chainId: UInt64
    /// Ethereum: two blocks leave a one-block reorg behind; BSC's fast finality settles in a few; Polygon PoS has
    /// reorged tens of blocks; Arbitrum's sequencer orders once (a reorg there needs the L1 to reorg).
    public let confirmations: Int
    public let tokens: [Asset: EthereumAddress]
}

public enum KnownChains {
    public static func named(_ name: String) -> KnownChain? { all.first { $0.name == name } }
    public static var names: [String] { all.map(\.name) }

    static func address(_ text: StaticString) -> EthereumAddress {
        // A typo in a table of addresses must stop the program's tests, not route money: parsing checks EIP-55.
        try! EthereumAddress(parsing: "\(text)")
    }

    public static let all: [KnownChain] = [
        KnownChain(name: "ethereum", chainId: 1, confirmations: 2, tokens: [
            "ETH": address("0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2"),  // WETH9
            "USDC": address("0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"),
            "USDT": address("0xdAC17F958D2ee523a2206206994597C13D831ec7"),
        ]),
        // BSC's dollars are Binance-Peg tokens with 18 decimals (decimals are read from the chain, never assumed).
        KnownChain(name: "bsc", chainId: 56, confirmations: 5, tokens: [
            "BNB": address("0xbb4CdB9CBd36B01bD1cBaEBF2De08d9173bc095c"),  // WBNB
            "USDC": address("0x8AC76a51cc950d9822D68b83fE1Ad97B32Cd580d"),
            "USDT": address("0x55d398326f99059fF775485246999027B3197955"),
        ]),
        // Polygon has Circle's USDC and the bridged USDC.e most QuickSwap V2 pairs hold: two assets, not one.
        KnownChain(name: "polygon", chainId: 137, confirmations: 32, tokens: [
            "POL": address("0x0d500B1d8E8eF31E21C99d1Db9A6444d3ADf1270"),  // WMATIC, renamed WPOL in place
            "USDC": address("0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359"),
            "USDC.e": address("0x2791Bca1f2de4661ED88A30C99A7a9449Aa84174"),
            "USDT": address("0xc2132D05D31c914a87C6611C10748AEb04B58e8F"),
        ]),
        // Tokens on Arbitrum are not researched yet: config lists them under [chains.arbitrum.tokens].
        KnownChain(name: "arbitrum", chainId: 42161, confirmations: 1, tokens: [:]),
    ]
}

/// The DEX deployments dexter knows by name, per chain id: mainnet addresses (sources in docs/evm-addresses.md).
public enum KnownDeployments {
    public static func named(_ name: String, chainId: UInt64) -> DexDeployment? { table[chainId]?[name] }
    public static func names(chainId: UInt64) -> [String] { (table[chainId] ?? [:]).keys.sorted() }

    static func address(_ text: StaticString) -> EthereumAddress { KnownChains.address(text) }
    static func hash(_ text: StaticString) -> [UInt8] { try! HexData.parse("\(text)") }

    static let table: [UInt64: [String: DexDeployment]] = [
        1: [
            "uniswap-v3": DexDeployment(
                protocolKind: .uniswapV3, factory: address("0x1F98431c8aD98523631AE4a59f267346ea31F984"),
                router: address("0xE592427A0AEce92De3Edee1F18E0157C05861564"),  // SwapRouter (exactInputSingle with a deadline)
                quoter: address("0x61fFE014bA17989E743c5F6cB21bF9697530B21e"),  // QuoterV2, not the SDK's Quoter V1
                initCodeHash: hash("0xe34f199b19b2b4f47f68442619d555527d244f78a3297ea89325f843f87b8b54")),
            "uniswap-v2": DexDeployment(
                protocolKind: .uniswapV2, factory: address("0x5C69bEe701ef814a2B6a3EDD4B1652CB9cc5aA6f"),
                router: address("0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D"),
                initCodeHash: hash("0x96e8ac4277198ff8b6f785478aa9a39f403cb768dd02cbee326c3e7da348845f"), feeBps: 30),
            "sushiswap": DexDeployment(
                protocolKind: .uniswapV2, factory: address("0xC0AEe478e3658e2610c5F7A4A2E1777cE9e4f2Ac"),
                router: address("0xd9e1cE17f2641f24aE83637ab66a2cca9C378B9F"),
                initCodeHash: hash("0xe18a34eb0e04b04f7a0ac29a6e80748dca96319b42c54d679cb821dca90c6303"), feeBps: 30),
            // Curve: its address provider; Balancer: its V2 Vault. Their pools are watched by address.
            "curve": DexDeployment(protocolKind: .curve, factory: address("0x0000000022D53366457F9d5E68Ec105046FC4383")),
            "balancer": DexDeployment(protocolKind: .balancerWeighted,
                                      factory: address("0xBA12222222228d8Ba445958a75a0704d566BF2C8")),
        ],
        56: [
            "pancakeswap-v2": DexDeployment(
                protocolKind: .uniswapV2, factory: address("0xcA143Ce32Fe78f1f7019d7d551a6402fC5350c73"),
                router: address("0x10ED43C718714eb63d5aA57B78B54704E256024E"),
                initCodeHash: hash("0x00fb7f630766e6a796048ea87d01acd3068e8ff67d078148a3fa3f4a84f69bd5"), feeBps: 25),
            // Pools are CREATE2-deployed by the pool deployer, not the factory.
            "pancakeswap-v3": DexDeployment(
                protocolKind: .uniswapV3, factory: address("0x0BFbCF9fa4f9C56B0F40a671Ad40E0805A091865"),
                router: address("0x1b81D678ffb9C0263b24A97847620C99d213eB14"),
                quoter: address("0xB048Bbc1Ee6b733FFfCFb9e9CeF7375518e25997"),
                poolDeployer: address("0x41ff9AA7e16B8B1a8a8dc4f0eFacd93D02d071c9"),
                initCodeHash: hash("0x6ce8eb472fa82df5469c6ab6d485f17c3ad13c8cd7af59b3d4a8026c5ce0f7e2")),
            // BiSwap sets each pair's fee (swapFee(), parts per 1000): config gives fee_bps until it is read per pair.
            "biswap": DexDeployment(
                protocolKind: .uniswapV2, factory: address("0x858E3312ed3A876947EA49d572A7C42DE08af7EE"),
                router: address("0x3a6d8cA21D1CF76F653A67577FA0D27453350dD8"),
                initCodeHash: hash("0xfea293c909d87cd4153593f077b76bb7e94340200f4ee84211ae8e4f9bd7ffdf")),
            "apeswap": DexDeployment(
                protocolKind: .uniswapV2, factory: address("0x0841BD0B734E4F5853f0dD8d7Ea041c241fb0Da6"),
                router: address("0xcF0feBd3f17CEf5b47b0cD257aCf6025c5BFf3b7"),
                initCodeHash: hash("0xf4ccce374816856d11f00e4069e7cada164065686fbef53c6167a63ec2fd8c5b"), feeBps: 20),
            "balancer": DexDeployment(protocolKind: .balancerWeighted,
                                      factory: address("0xBA12222222228d8Ba445958a75a0704d566BF2C8")),
        ],
        137: [
            "quickswap": DexDeployment(
                protocolKind: .uniswapV2, factory: address("0x5757371414417b8C6CAad45bAeF941aBc7d3Ab32"),
                router: address("0xa5E0829CaCEd8fFDD4De3c43696c57F7D7A678ff"),
                initCodeHash: hash("0x96e8ac4277198ff8b6f785478aa9a39f403cb768dd02cbee326c3e7da348845f"), feeBps: 30),
            "balancer": DexDeployment(protocolKind: .balancerWeighted,
                                      factory: address("0xBA12222222228d8Ba445958a75a0704d566BF2C8")),
        ],
    ]
}
