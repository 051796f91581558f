import BigInt
import DexterCrypto

/// Reads a Balancer V2 weighted pool by its address: one batch at one block asks the pool's `getPoolId()`,
/// `getNormalizedWeights()` and `getSwapFeePercentage()` and the Vault's `getPoolTokens(poolId)` (the pool id from
/// config, checked against the pool's own answer); without a configured id, the id is asked first. A second batch
/// reads the tokens' decimals unless the caller knows them (a re-read).
public struct BalancerPoolReader: Sendable {
    public let client: EVMRPCClient
    public let dex: String
    public let vault: EthereumAddress

    public init(client: EVMRPCClient, dex: String, vault: EthereumAddress) {
        self.client = client
        self.dex = dex
        self.vault = vault
    }

    public func read(_ address: EthereumAddress, poolId configured: [UInt8]? = nil, at block: UInt64? = nil,
                     decimals known: [Int]? = nil) async throws(PoolReadError) -> BalancerPoolState {
        let name = address.checksummed
        func disagrees(_ field: String, _ problem: String) -> PoolReadError {
            .poolDisagrees(dex: dex, pair: name, fee: nil, field: field, problem: problem)
        }
        func rpc<T>(_ body: () async throws(EVMRPCError) -> T) async throws(PoolReadError) -> T {
            do { return try await body() } catch { throw .rpc(dex: dex, pair: name, fee: nil, error) }
        }
        let getPoolId = try! ContractCall(address, "getPoolId", returns: [.fixedBytes(32)])
        let at = try await rpc { () async throws(EVMRPCError) in
            if let block { return block }
            return try await client.blockNumber()
        }
        var poolId = configured
        if poolId == nil {
            let answer = try await rpc { () async throws(EVMRPCError) in try await client.read([getPoolId], at: at) }
            guard case .fixedBytes(let id) = answer[0][0] else { throw disagrees("getPoolId", "not 32 bytes") }
            poolId = id
        }
        guard let poolId, poolId.count == 32 else { throw disagrees("pool_id", "not 32 bytes") }
        let calls = [
            getPoolId,
            try! ContractCall(vault, "getPoolTokens", [(.fixedBytes(32), .fixedBytes(poolId))],
                              returns: [.array(.address, count: nil), .array(.uint(bits: 256), count: nil),
                                        .uint(bits: 256)]),
            try! ContractCall(address, "getNormalizedWeights", returns: [.array(.uint(bits: 256), count: nil)]),
            try! ContractCall(address, "getSwapFeePercentage", returns: [.uint(bits: 256)]),
        ]
        let outcomes = try await rpc { () async throws(EVMRPCError) in
            try await client.batch(calls.map { $0.rpc(at: at) })
        }
        // The pool's own id first: the Vault reverts on an id it does not know (BAL#500), which would hide the cause.
        let answeredId = try await rpc { () async throws(EVMRPCError) in try calls[0].decode(try outcomes[0].get())[0] }
        guard case .fixedBytes(let id) = answeredId, id == poolId else {
            throw disagrees("getPoolId", "the pool's id is \(answeredId), not the configured \(HexData.format(poolId))")
        }
        var values: [[ABIValue]] = [[answeredId]]
        for index in 1..<calls.count {
            values.append(try await rpc { () async throws(EVMRPCError) in
                try calls[index].decode(try outcomes[index].get())
            })
        }
        guard case .array(let tokenValues) = values[1][0], case .array(let balanceValues) = values[1][1],
              case .array(let weightValues) = values[2][0], let swapFee = ABIRead.uint(values[3][0]) else {
            throw disagrees("getPoolTokens", "not the types the vault returns")
        }
        let tokens = tokenValues.compactMap(ABIRead.address), balances = balanceValues.compactMap(ABIRead.uint)
        let weights = weightValues.compactMap(ABIRead.uint)
        guard (2...8).contains(tokens.count), balances.count == tokens.count, weights.count == tokens.count else {
            throw disagrees("getPoolTokens",
                            "\(tokens.count) tokens, \(balances.count) balances, \(weights.count) weights")
        }
        var decimals = known ?? []
        if decimals.count != tokens.count {
            let answers = try await rpc { () async throws(EVMRPCError) in
                try await client.read(tokens.map { try! ContractCall($0, "decimals", returns: [.uint(bits: 8)]) },
                                      at: at)
            }
            decimals = answers.map { Int(ABIRead.uint($0[0]) ?? 0) }
        }
        return try BalancerPoolState.validated(dex: dex, address: address, poolId: poolId, tokens: tokens,
                                               decimals: decimals, balances: balances, weights: weights,
                                               swapFee: swapFee, block: at)
    }
}
