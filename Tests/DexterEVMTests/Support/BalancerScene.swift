import BigInt
import DexterCrypto
import DexterEVM
import Foundation
import TestServers

/// A bare local node with Tests/EVMContracts/BalancerWeightedStandIn.vy in it: one contract answering as a Balancer
/// V2 Vault (`getPoolTokens`) and as a weighted pool (`getPoolId`, `getNormalizedWeights`, `getSwapFeePercentage`),
/// BAL (18 decimals) and USDC (6) at 80/20 and 0.3 %, the balances held by the contract. No Balancer bytecode is
/// installable here: its Vault-shaped `swap` runs the project's Vyper port of Balancer V2's weighted math
/// (BalancerWeightedMath.vy), an independent implementation for dexter's quotes to meet (EVMLiveBalancerTests).
struct BalancerScene {
    let node: LocalEVMNode
    let client: EVMRPCClient
    let pool: EthereumAddress
    let account: String
    let tokens: [EVMToken]
    let decimals: [Int]
    let balances: [BigUInt]
    let weights: [BigUInt]
    let fee: BigUInt
    let block: UInt64

    static func start() async throws -> BalancerScene {
        let node = try LocalEVMNode(bare: true)
        let fields = try node.deploy("deploy_balancer.py")
        guard let pool = fields["pool"] as? String, let account = fields["account"] as? String,
              let tokens = fields["tokens"] as? [[String: Any]], let balances = fields["balances"] as? [String],
              let weights = fields["weights"] as? [String], let fee = fields["fee"] as? String,
              let block = fields["block"] as? Int else {
            node.stop()
            throw SceneError(description: "deploy_balancer.py printed \(fields)")
        }
        let client = try EVMRPCClient(chainId: UInt64(node.chainId), urls: [node.rpcURL])
        try await client.connect()
        return BalancerScene(
            node: node, client: client, pool: try EthereumAddress(parsing: pool), account: account,
            tokens: try tokens.map { EVMToken($0["symbol"] as! String, try EthereumAddress(parsing: $0["address"] as! String)) },
            decimals: tokens.map { $0["decimals"] as! Int }, balances: balances.map { BigUInt($0)! },
            weights: weights.map { BigUInt($0)! }, fee: BigUInt(fee)!, block: UInt64(block))
    }

    /// The stand-in is both the Vault and the pool.
    var reader: BalancerPoolReader { BalancerPoolReader(client: client, dex: "balancer", vault: pool) }

    func recordSwap(_ i: Int, _ j: Int, amountIn: BigUInt, amountOut: BigUInt) async throws {
        try await send("record_swap", [(.uint(bits: 256), .uint(BigUInt(i))), (.uint(bits: 256), .uint(BigUInt(j))),
                                       (.uint(bits: 256), .uint(amountIn)), (.uint(bits: 256), .uint(amountOut))])
    }

    func join(_ amounts: [BigUInt]) async throws {
        try await send("join", [(.array(.uint(bits: 256), count: nil), .array(amounts.map { .uint($0) }))])
    }

    func setSwapFee(_ fee: BigUInt) async throws {
        try await send("setSwapFeePercentage", [(.uint(bits: 256), .uint(fee))])
    }

    /// What the stand-in's queryBatchSwap answers for `amountIn` of `tokenIn` into `tokenOut`.
    func setQueryAnswer(_ tokenIn: Int, _ tokenOut: Int, amountIn: BigUInt, amountOut: BigUInt) async throws {
        try await send("set_query_answer", [(.address, .address(tokens[tokenIn].address)), (.address, .address(tokens[tokenOut].address)),
                                            (.uint(bits: 256), .uint(amountIn)), (.uint(bits: 256), .uint(amountOut))])
    }

    private func send(_ name: String, _ arguments: [(ABIType, ABIValue)]) async throws {
        let data = try ABI.call(name, arguments.map(\.0), arguments.map(\.1))
        try await node.send(from: account, to: pool.checksummed, data: data)
    }
}
