import BigInt
import DexterCrypto
import DexterMarket

/// A Uniswap V2 pair as read from the chain at `block`: its tokens in the contract's order and its reserves.
public struct V2PairState: Sendable, Hashable {
    public let dex: String
    public let address: EthereumAddress
    public let token0: EVMToken
    public let token1: EVMToken
    public let decimals0: Int
    public let decimals1: Int
    public let feeBps: Int
    public internal(set) var reserve0: BigUInt
    public internal(set) var reserve1: BigUInt
    /// The block whose state this is.
    public internal(set) var block: UInt64

    public var pairName: String { "\(token0.symbol)/\(token1.symbol)" }

    /// DexterMarket's exact pool with `base` as its base token.
    public func pool(base: EthereumAddress) -> ConstantProductPool {
        base == token0.address
            ? ConstantProductPool(reserveBase: reserve0, reserveQuote: reserve1, feeBps: feeBps, baseDecimals: decimals0,
                                  quoteDecimals: decimals1)
            : ConstantProductPool(reserveBase: reserve1, reserveQuote: reserve0, feeBps: feeBps, baseDecimals: decimals1,
                                  quoteDecimals: decimals0)
    }

    /// `getAmountOut` for exactly `amountIn` of `tokenIn`, as the router computes it.
    public func amountOut(_ amountIn: BigUInt, tokenIn: EthereumAddress) throws -> BigUInt {
        let (reserveIn, reserveOut) = tokenIn == token0.address ? (reserve0, reserve1) : (reserve1, reserve0)
        return try ConstantProductPool.amountOut(in: amountIn, reserveIn: reserveIn, reserveOut: reserveOut, feeBps: feeBps)
    }
}

/// Reads V2 pairs: the factory's `getPair` (checked against CREATE2 where the DEX allows), then the pair's tokens,
/// reserves and the tokens' decimals — one batch per stage, every call at the same block.
public struct V2PairReader: Sendable {
    public let client: EVMRPCClient
    public let dex: UniswapV2Deployment

    public init(client: EVMRPCClient, dex: UniswapV2Deployment) {
        self.client = client
        self.dex = dex
    }

    /// The pair of `a` and `b` at `block` (the latest when nil).
    public func read(_ a: EVMToken, _ b: EVMToken, at block: UInt64? = nil) async throws(PoolReadError) -> V2PairState {
        let (token0, token1) = EVMToken.sorted(a, b)
        let pair = "\(token0.symbol)/\(token1.symbol)"
        let at: UInt64, found: ABIValue
        do throws(EVMRPCError) {
            if let block { at = block } else { at = try await client.blockNumber() }
            let getPair = try! ContractCall(dex.factory, "getPair", [(.address, .address(token0.address)),
                                                                    (.address, .address(token1.address))], returns: [.address])
            found = try await client.read([getPair], at: at)[0][0]
        } catch {
            throw .rpc(dex: dex.name, pair: pair, fee: nil, error)
        }
        guard let address = ABIRead.address(found), address.bytes != [UInt8](repeating: 0, count: 20) else {
            throw .noPool(dex: dex.name, pair: pair, fee: nil)
        }
        if case .create2(let hash) = dex.pairAddressCheck {
            let expected = Create2.v2Pair(factory: dex.factory, token0: token0.address, token1: token1.address,
                                          initCodeHash: hash)
            guard expected == address else {
                throw .addressMismatch(dex: dex.name, pair: pair, fee: nil, factory: address, create2: expected)
            }
        }
        let values: [[ABIValue]]
        do throws(EVMRPCError) {
            values = try await client.read([
                try! ContractCall(address, "token0", returns: [.address]),
                try! ContractCall(address, "token1", returns: [.address]),
                try! ContractCall(address, "getReserves", returns: [.uint(bits: 112), .uint(bits: 112), .uint(bits: 32)]),
                try! ContractCall(token0.address, "decimals", returns: [.uint(bits: 8)]),
                try! ContractCall(token1.address, "decimals", returns: [.uint(bits: 8)]),
            ], at: at)
        } catch {
            throw .rpc(dex: dex.name, pair: pair, fee: nil, error)
        }
        guard ABIRead.address(values[0][0]) == token0.address, ABIRead.address(values[1][0]) == token1.address else {
            throw .poolDisagrees(dex: dex.name, pair: pair, fee: nil, field: "token0/token1",
                                 problem: "the pair at \(address) holds other tokens")
        }
        guard let reserve0 = ABIRead.uint(values[2][0]), let reserve1 = ABIRead.uint(values[2][1]),
              let decimals0 = ABIRead.uint(values[3][0]), let decimals1 = ABIRead.uint(values[4][0]) else {
            throw .poolDisagrees(dex: dex.name, pair: pair, fee: nil, field: "getReserves", problem: "not integers")
        }
        return V2PairState(dex: dex.name, address: address, token0: token0, token1: token1, decimals0: Int(decimals0),
                           decimals1: Int(decimals1), feeBps: dex.feeBps, reserve0: reserve0, reserve1: reserve1, block: at)
    }
}
