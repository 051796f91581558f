import BigInt
import DexterCrypto
@testable import DexterEVM
import Synchronization
import TestServers
import Testing

/// The local node with its Uniswap deployment, a funded trader and executors for it. The trader is the node's dev
/// account #1, whose key is the anvil mnemonic's public test key (never a real wallet's); it is used, never printed.
struct SwapSendScene {
    let node: LocalEVMNode
    let deployments: EVMDeployments
    let client: EVMRPCClient
    let trader: EthereumPrivateKey
    let usdc: EthereumAddress
    let weth: EthereumAddress
    let quoter: EthereumAddress
    let swapRouter: EthereumAddress
    let v2Router: EthereumAddress
    let pool500: EthereumAddress
    let v2Pair: EthereumAddress

    static let traderKey = "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"

    static func start(usdc amount: BigUInt = 2_000_000 * 1_000_000) async throws -> SwapSendScene {
        let node = try LocalEVMNode()
        let deployments = try #require(node.deployments)
        let client = try EVMRPCClient(chainId: UInt64(node.chainId), urls: [node.rpcURL])
        try await client.connect()
        func address(_ text: String) throws -> EthereumAddress { try EthereumAddress(parsing: text) }
        let scene = SwapSendScene(
            node: node, deployments: deployments, client: client,
            trader: try EthereumPrivateKey(bytes: try Hex.decode(traderKey)),
            usdc: try address(try deployments.token("USDC").address), weth: try address(try deployments.token("WETH").address),
            quoter: try address(try deployments.contract("QuoterV2")), swapRouter: try address(try deployments.contract("SwapRouter")),
            v2Router: try address(try deployments.contract("UniswapV2Router")),
            pool500: try address(try deployments.pool("WETH/USDC 0.05%").address),
            v2Pair: try address(try #require(deployments.v2Pairs["WETH/USDC"]).address))
        // The deployer holds the tokens: USDC to the trader.
        try await node.send(from: deployments.deployer, to: scene.usdc.checksummed,
                            data: try ERC20Call.transfer(to: scene.trader.address, amount: amount))
        return scene
    }

    func executor(_ config: SubmissionConfig = SubmissionConfig(), cap: BigUInt = 500_000_000_000,
                  wrappedNative: EthereumAddress? = nil) throws -> SwapExecutor {
        SwapExecutor(client: client, submitter: try TransactionSubmitter(publicClient: client, config: config),
                     key: trader, feePolicy: FeePolicy(maxFeePerGasCap: cap), wrappedNative: wrappedNative)
    }

    /// Mines a block between polls, so that confirmations accrue on an automining node.
    var mining: SwapExecutor.Patience {
        let node = self.node
        return SwapExecutor.Patience(confirmations: 3, polls: 6, pause: { try? await node.mine() })
    }

    static let once = SwapExecutor.Patience(confirmations: 1, polls: 1, pause: {})

    func ethCall(_ to: EthereumAddress, _ data: [UInt8]) async throws -> [UInt8] {
        try await client.call("eth_call", [["to": .string(to.checksummed), "data": .string(HexData.format(data))], "latest"]).data()
    }

    func quoteV3(usdcIn: BigUInt) async throws -> BigUInt {
        let data = try QuoterV2Call.quoteExactInputSingle(tokenIn: usdc, tokenOut: weth, amountIn: usdcIn, fee: 500)
        return try QuoterV2Call.decodeQuote(try await ethCall(quoter, data)).amountOut
    }

    func quoteV2(wethIn: BigUInt) async throws -> BigUInt {
        let answer = try await ethCall(v2Router, try RouterV2.getAmountsOut(amountIn: wethIn, path: [weth, usdc]))
        guard case .array(let amounts) = try ABI.decode(answer, as: [.array(.uint(bits: 256), count: nil)])[0],
              case .uint(let out) = amounts.last else { throw SceneError(description: "getAmountsOut answered \(answer)") }
        return out
    }

    func v3Plan(usdcIn: BigUInt, quotedOut: BigUInt, slippageBasisPoints: Int = 50) throws -> SwapPlan {
        SwapPlan(venue: .uniswapV3Single(router: swapRouter, fee: 500), pool: pool500, tokenIn: usdc, tokenOut: weth,
                 amountIn: usdcIn, quotedOut: quotedOut, slippage: try SlippageBound(basisPoints: slippageBasisPoints),
                 recipient: trader.address)
    }

    func v2Plan(wethIn: BigUInt, quotedOut: BigUInt, slippageBasisPoints: Int = 30) throws -> SwapPlan {
        SwapPlan(venue: .uniswapV2(router: v2Router), pool: v2Pair, tokenIn: weth, tokenOut: usdc, amountIn: wethIn,
                 quotedOut: quotedOut, slippage: try SlippageBound(basisPoints: slippageBasisPoints), recipient: trader.address)
    }

    /// The trader wraps ETH into WETH (eth_sendTransaction from its unlocked dev account: scene setting, not dexter).
    func wrap(_ wei: BigUInt) async throws {
        try await node.send(from: trader.address.checksummed, to: weth.checksummed, data: WETHCall.deposit,
                            value: Quantity.format(wei))
    }

    /// Someone else (the deployer) swaps USDC for WETH on the 0.05 % pool: the price moves against our USDC → WETH.
    func frontRun(usdcIn: BigUInt) async throws {
        let deployer = deployments.deployer
        try await node.send(from: deployer, to: usdc.checksummed,
                            data: try ERC20Call.approve(spender: swapRouter, amount: usdcIn))
        let call = SwapRouterV3.ExactInputSingle(tokenIn: usdc, tokenOut: weth, fee: 500, recipient: try EthereumAddress(parsing: deployer),
                                                 deadline: BigUInt(1) << 40, amountIn: usdcIn, amountOutMinimum: 0)
        try await node.send(from: deployer, to: swapRouter.checksummed, data: try call.calldata())
    }

    func balance(_ token: EthereumAddress) async throws -> BigUInt {
        try UIntAnswer.decode(try await ethCall(token, try ERC20Call.balanceOf(trader.address)))
    }

    func nonce(_ tag: String = "latest") async throws -> BigUInt {
        try await client.call("eth_getTransactionCount", [.string(trader.address.checksummed), .string(tag)]).quantity()
    }
}

/// The events an executor told, in order.
final class EventLog: Sendable {
    private let events = Mutex<[SwapEvent]>([])
    var all: [SwapEvent] { events.withLock { $0 } }
    func record(_ event: SwapEvent) { events.withLock { $0.append(event) } }
}
