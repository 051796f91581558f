import BigInt
import DexterCrypto
import DexterMarket

/// Reads a Curve StableSwap pool by its address (Curve has no pool-by-pair getter a reader could trust alone): one
/// batch at one block asks `coins(i)` and `balances(i)` for i below 8 (the most any plain pool holds; a pool reverts
/// past its last coin), `A()`, `A_precise()`, `fee()`, `admin_fee()` and `future_A_time()`; a second batch the coins'
/// decimals, unless the caller already knows them (a re-read). Pools whose getters take `int128` (the oldest
/// lending pools) are not read.
public struct CurvePoolReader: Sendable {
    public static let maxCoins = 8

    public let client: EVMRPCClient
    public let dex: String

    public init(client: EVMRPCClient, dex: String) {
        self.client = client
        self.dex = dex
    }

    /// The pool at `address` at `block` (the latest when nil). `decimals`: the coins' decimals from an earlier read.
    public func read(_ address: EthereumAddress, at block: UInt64? = nil, decimals known: [Int]? = nil)
        async throws(PoolReadError) -> CurvePoolState {
        let name = address.checksummed
        func disagrees(_ field: String, _ problem: String) -> PoolReadError {
            .poolDisagrees(dex: dex, pair: name, fee: nil, field: field, problem: problem)
        }
        let indexed = { (function: String) in
            (0..<Self.maxCoins).map {
                try! ContractCall(address, function, [(.uint(bits: 256), .uint(BigUInt($0)))],
                                  returns: [.uint(bits: 256)])
            }
        }
        let coinCalls = (0..<Self.maxCoins).map {
            try! ContractCall(address, "coins", [(.uint(bits: 256), .uint(BigUInt($0)))], returns: [.address])
        }
        let scalars = ["A", "A_precise", "fee", "admin_fee", "future_A_time"].map {
            try! ContractCall(address, $0, returns: [.uint(bits: 256)])
        }
        let calls = coinCalls + indexed("balances") + scalars
        let at: UInt64, outcomes: [Result<RPCResult, EVMRPCError>]
        do throws(EVMRPCError) {
            if let block { at = block } else { at = try await client.blockNumber() }
            outcomes = try await client.batch(calls.map { $0.rpc(at: at) })
        } catch {
            throw .rpc(dex: dex, pair: name, fee: nil, error)
        }
        /// A call's value; nil when the contract reverted (no such coin, no such getter); other failures thrown.
        func value(_ index: Int) throws(PoolReadError) -> ABIValue? {
            do throws(EVMRPCError) {
                switch outcomes[index] {
                case .success(let result): return try calls[index].decode(result)[0]
                case .failure(.rpc): return nil
                case .failure(let error): throw error
                }
            } catch {
                throw .rpc(dex: dex, pair: name, fee: nil, error)
            }
        }
        var coins: [EthereumAddress] = []
        for index in 0..<Self.maxCoins {
            guard let coin = try value(index).flatMap(ABIRead.address) else { break }
            coins.append(coin)
        }
        guard coins.count >= 2 else {
            throw disagrees("coins", coins.isEmpty ? "no coins(0) (not a Curve pool, or its getters take int128)"
                                                   : "one coin")
        }
        var balances: [BigUInt] = []
        for index in coins.indices {
            guard let balance = try value(Self.maxCoins + index).flatMap(ABIRead.uint) else {
                throw disagrees("balances(\(index))", "no answer for a coin the pool lists")
            }
            balances.append(balance)
        }
        let scalar = 2 * Self.maxCoins
        guard let a = try value(scalar).flatMap(ABIRead.uint),
              let fee = try value(scalar + 2).flatMap(ABIRead.uint) else {
            throw disagrees("A/fee", "the pool does not answer A() and fee()")
        }
        let aPrecise = try value(scalar + 1).flatMap(ABIRead.uint)
        let adminFee = try value(scalar + 3).flatMap(ABIRead.uint) ?? 0
        let rampEnds = try value(scalar + 4).flatMap(ABIRead.uint) ?? 0
        guard a > 0, fee < StableSwapPool.feeDenominator else {
            throw disagrees("A/fee", "A \(a), fee \(fee): not a working pool")  // before asking the coins anything
        }

        var decimals = known ?? []
        if decimals.count != coins.count {
            let answers: [[ABIValue]]
            do throws(EVMRPCError) {
                answers = try await client.read(coins.map {
                    try! ContractCall($0, "decimals", returns: [.uint(bits: 8)])
                }, at: at)
            } catch {
                throw .rpc(dex: dex, pair: name, fee: nil, error)
            }
            decimals = answers.map { Int(ABIRead.uint($0[0]) ?? 0) }
        }
        return try CurvePoolState.validated(dex: dex, address: address, coins: coins, decimals: decimals,
                                            balances: balances, a: a, aPrecise: aPrecise, fee: fee, adminFee: adminFee,
                                            rampEnds: rampEnds, block: at)
    }
}
