import BigInt
import DexterCrypto
import DexterEVM
import Foundation
import TestServers

/// A bare local node with dexter's own Curve pool in it (Tests/EVMContracts/CurveStableSwap3.vy, the StableSwap3Pool
/// math ported to Vyper 0.4, compiled at test time by Tests/EVMContracts/deploy_curve.py): three test coins DAI (18
/// decimals), USDC and USDT (6), A 2000, fee 0.01 % with half to the admin, 30M / 25M / 20M deposited by the node's
/// first dev account, which also holds the rest of the coins and has approved the pool.
struct CurveScene {
    let node: LocalEVMNode
    let client: EVMRPCClient
    let pool: EthereumAddress
    let account: String
    let coins: [EVMToken]
    let decimals: [Int]
    let balances: [BigUInt]
    let amplification: BigUInt
    let fee: BigUInt
    let adminFee: BigUInt
    let block: UInt64

    static func start() async throws -> CurveScene {
        let node = try LocalEVMNode(bare: true)
        let fields = try node.deploy("deploy_curve.py")
        guard let pool = fields["pool"] as? String, let account = fields["account"] as? String,
              let coins = fields["coins"] as? [[String: Any]], let balances = fields["balances"] as? [String],
              let a = fields["A"] as? Int, let fee = fields["fee"] as? Int, let adminFee = fields["adminFee"] as? Int,
              let block = fields["block"] as? Int else {
            node.stop()
            throw SceneError(description: "deploy_curve.py printed \(fields)")
        }
        let client = try EVMRPCClient(chainId: UInt64(node.chainId), urls: [node.rpcURL])
        try await client.connect()
        return CurveScene(
            node: node, client: client, pool: try EthereumAddress(parsing: pool), account: account,
            coins: try coins.map { EVMToken($0["symbol"] as! String, try EthereumAddress(parsing: $0["address"] as! String)) },
            decimals: coins.map { $0["decimals"] as! Int }, balances: balances.map { BigUInt($0)! },
            amplification: BigUInt(a), fee: BigUInt(fee), adminFee: BigUInt(adminFee), block: UInt64(block))
    }

    var reader: CurvePoolReader { CurvePoolReader(client: client, dex: "curve") }

    /// `exchange(i, j, dx, 0)` from the dev account; returns what it received (its balance of coin j before and after).
    @discardableResult
    func exchange(_ i: Int, _ j: Int, _ dx: BigUInt) async throws -> BigUInt {
        let before = try await balance(j)
        try await send("exchange", [(.int(bits: 128), .int(BigInt(i))), (.int(bits: 128), .int(BigInt(j))),
                                    (.uint(bits: 256), .uint(dx)), (.uint(bits: 256), .uint(0))])
        return try await balance(j) - before
    }

    func addLiquidity(_ amounts: [BigUInt]) async throws {
        try await send("add_liquidity", [(.array(.uint(bits: 256), count: 3), .array(amounts.map { .uint($0) })),
                                         (.uint(bits: 256), .uint(0))])
    }

    func removeLiquidity(_ shares: BigUInt) async throws {
        try await send("remove_liquidity", [(.uint(bits: 256), .uint(shares)),
                                            (.array(.uint(bits: 256), count: 3), .array([.uint(0), .uint(0), .uint(0)]))])
    }

    /// The pool's `get_dy(i, j, dx)` at the latest block.
    func getDy(_ i: Int, _ j: Int, _ dx: BigUInt, at block: UInt64? = nil) async throws -> BigUInt {
        let call = try ContractCall(pool, "get_dy", [(.int(bits: 128), .int(BigInt(i))), (.int(bits: 128), .int(BigInt(j))),
                                                     (.uint(bits: 256), .uint(dx))], returns: [.uint(bits: 256)])
        let at: UInt64
        if let block { at = block } else { at = try await client.blockNumber() }
        guard case .uint(let out) = try await client.read([call], at: at)[0][0] else { throw SceneError(description: "get_dy") }
        return out
    }

    func balance(_ coin: Int) async throws -> BigUInt {
        let call = try ContractCall(coins[coin].address, "balanceOf", [(.address, .address(try EthereumAddress(parsing: account)))],
                                    returns: [.uint(bits: 256)])
        guard case .uint(let amount) = try await client.read([call], at: client.blockNumber())[0][0] else {
            throw SceneError(description: "balanceOf")
        }
        return amount
    }

    private func send(_ name: String, _ arguments: [(ABIType, ABIValue)]) async throws {
        let data = try ABI.call(name, arguments.map(\.0), arguments.map(\.1))
        try await node.send(from: account, to: pool.checksummed, data: data)
    }
}
