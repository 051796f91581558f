import BigInt
import DexterCrypto
import DexterEVM
import TestServers

/// The local node with its Uniswap deployment, as dexter's config would describe it: the tokens, Uniswap V3 (with
/// the canonical pool init code hash), our Vyper V2 (blueprint pairs: no CREATE2 check) and the Sushi fork (CREATE2
/// with its factory's own `pairCodeHash()`), and a client connected to the node.
struct UniswapScene {
    let node: LocalEVMNode
    let deployments: EVMDeployments
    let client: EVMRPCClient
    let usdc: EVMToken
    let weth: EVMToken
    let wbtc: EVMToken
    let usdt: EVMToken
    let uniswapV3: UniswapV3Deployment
    let ourV2: UniswapV2Deployment
    let sushi: UniswapV2Deployment
    let quoter: EthereumAddress
    let router: EthereumAddress

    static func start() async throws -> UniswapScene {
        let node = try LocalEVMNode()
        guard let deployments = node.deployments else { throw SceneError(description: "no deployments") }
        let client = try EVMRPCClient(chainId: UInt64(node.chainId), urls: [node.rpcURL])
        try await client.connect()
        func token(_ symbol: String) throws -> EVMToken {
            EVMToken(symbol, try EthereumAddress(parsing: deployments.token(symbol).address))
        }
        func contract(_ role: String) throws -> EthereumAddress { try EthereumAddress(parsing: deployments.contract(role)) }
        let sushiFactory = try contract("SushiV2Factory")
        let codeHash = try await client.read([try ContractCall(sushiFactory, "pairCodeHash", returns: [.fixedBytes(32)])],
                                             at: client.blockNumber())
        guard case .fixedBytes(let hash) = codeHash[0][0] else { throw SceneError(description: "pairCodeHash") }
        return UniswapScene(
            node: node, deployments: deployments, client: client, usdc: try token("USDC"), weth: try token("WETH"),
            wbtc: try token("WBTC"), usdt: try token("USDT"),
            uniswapV3: UniswapV3Deployment(name: "Uniswap V3", factory: try contract("UniswapV3Factory"),
                                           quoter: try contract("QuoterV2")),
            ourV2: UniswapV2Deployment(name: "dexter V2", factory: try contract("UniswapV2Factory"),
                                       router: try contract("UniswapV2Router"),
                                       pairAddressCheck: .factoryOnly(why: "a Vyper factory deploys pairs from a blueprint")),
            sushi: UniswapV2Deployment(name: "SushiSwap", factory: sushiFactory, router: nil,
                                       pairAddressCheck: .create2(initCodeHash: hash)),
            quoter: try contract("QuoterV2"), router: try contract("UniswapV2Router"))
    }

    func address(_ text: String) throws -> EthereumAddress { try EthereumAddress(parsing: text) }
}

struct SceneError: Error, CustomStringConvertible {
    let description: String
}
