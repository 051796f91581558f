import BigInt
import DexterCrypto

/// What a swap filled, read from the pool's own Swap log in the receipt (not from balances, which any transfer moves):
/// - Uniswap V3 `Swap(address indexed sender, address indexed recipient, int256 amount0, int256 amount1,
///   uint160 sqrtPriceX96, uint128 liquidity, int24 tick)`: the amounts are the pool's deltas, positive into the pool;
/// - Uniswap V2 `Swap(address indexed sender, uint256 amount0In, uint256 amount1In, uint256 amount0Out,
///   uint256 amount1Out, address indexed to)`;
/// - Curve `TokenExchange(address indexed buyer, int128 sold_id, uint256 tokens_sold, int128 bought_id,
///   uint256 tokens_bought)`, from the pool;
/// - Balancer V2 `Swap(bytes32 indexed poolId, address indexed tokenIn, address indexed tokenOut, uint256 amountIn,
///   uint256 amountOut)`, from the Vault (one emitter for every pool: the pool id says whose).
public struct SwapFill: Sendable, Hashable, CustomStringConvertible {
    public let pool: EthereumAddress
    /// Paid into the pool, and of which of its tokens (V2/V3: 0 or 1; Curve: the coin index `sold_id`).
    public let amountIn: BigUInt
    public let tokenInIndex: Int
    /// Paid out by the pool.
    public let amountOut: BigUInt
    /// V3 only: the pool's price after the swap.
    public let sqrtPriceX96After: BigUInt?
    /// Which token the pool paid out: the other of two (V2/V3), Curve's `bought_id`.
    public let tokenOutIndex: Int
    /// Balancer only: the pool and the two tokens as the Vault's log names them (it has no indices).
    public let vaultSwap: VaultSwap?

    public struct VaultSwap: Sendable, Hashable {
        public let poolId: [UInt8]
        public let tokenIn: EthereumAddress
        public let tokenOut: EthereumAddress
    }

    init(pool: EthereumAddress, amountIn: BigUInt, tokenInIndex: Int, amountOut: BigUInt, sqrtPriceX96After: BigUInt?,
         tokenOutIndex: Int? = nil, vaultSwap: VaultSwap? = nil) {
        self.pool = pool
        self.amountIn = amountIn
        self.tokenInIndex = tokenInIndex
        self.amountOut = amountOut
        self.sqrtPriceX96After = sqrtPriceX96After
        self.tokenOutIndex = tokenOutIndex ?? 1 - tokenInIndex
        self.vaultSwap = vaultSwap
    }

    public static let v3Topic = Keccak256.hash(Array("Swap(address,address,int256,int256,uint160,uint128,int24)".utf8))
    public static let v2Topic = Keccak256.hash(Array("Swap(address,uint256,uint256,uint256,uint256,address)".utf8))
    public static let curveTopic = Keccak256.hash(Array("TokenExchange(address,int128,uint256,int128,uint256)".utf8))
    public static let balancerTopic = Keccak256.hash(Array("Swap(bytes32,address,address,uint256,uint256)".utf8))

    public struct Undecodable: Error, Sendable, Hashable, CustomStringConvertible {
        public let pool: EthereumAddress
        public let problem: String
        public var description: String { "Swap log of \(pool) does not decode: \(problem)" }
    }

    /// The fill a log carries; nil for a log that is not a Swap of either kind.
    public static func decode(address: EthereumAddress, topics: [[UInt8]], data: [UInt8]) throws(Undecodable) -> SwapFill? {
        guard let topic = topics.first else { return nil }
        func fail(_ problem: String) -> Undecodable { Undecodable(pool: address, problem: problem) }
        switch topic {
        case v3Topic:
            let values: [ABIValue]
            do {
                values = try ABI.decode(data, as: [.int(bits: 256), .int(bits: 256), .uint(bits: 160), .uint(bits: 128),
                                                   .int(bits: 24)])
            } catch { throw fail(error.reason) }
            guard case .int(let amount0) = values[0], case .int(let amount1) = values[1], case .uint(let price) = values[2]
            else { throw fail("amounts are not integers") }
            // Exactly one side positive (paid in), the other negative (paid out).
            if amount0 > 0, amount1 < 0 {
                return SwapFill(pool: address, amountIn: amount0.magnitude, tokenInIndex: 0, amountOut: amount1.magnitude,
                                sqrtPriceX96After: price)
            }
            if amount1 > 0, amount0 < 0 {
                return SwapFill(pool: address, amountIn: amount1.magnitude, tokenInIndex: 1, amountOut: amount0.magnitude,
                                sqrtPriceX96After: price)
            }
            throw fail("amount0 \(amount0) and amount1 \(amount1) are not one in, one out")
        case v2Topic:
            let words: [BigUInt]
            do { words = try ABI.decode(data, as: Array(repeating: .uint(bits: 256), count: 4)).map(\.uintValue) } catch {
                throw fail(error.reason)
            }
            // amount0In, amount1In, amount0Out, amount1Out: one token in, the other out (a flash swap can do both;
            // that is no swap dexter sends).
            if words[0] > 0, words[1] == 0, words[2] == 0, words[3] > 0 {
                return SwapFill(pool: address, amountIn: words[0], tokenInIndex: 0, amountOut: words[3], sqrtPriceX96After: nil)
            }
            if words[1] > 0, words[0] == 0, words[3] == 0, words[2] > 0 {
                return SwapFill(pool: address, amountIn: words[1], tokenInIndex: 1, amountOut: words[2], sqrtPriceX96After: nil)
            }
            throw fail("amounts in \(words[0])/\(words[1]) and out \(words[2])/\(words[3]) are not one in, one out")
        case curveTopic:
            let values: [ABIValue]
            do {
                values = try ABI.decode(data, as: [.int(bits: 128), .uint(bits: 256), .int(bits: 128), .uint(bits: 256)])
            } catch { throw fail(error.reason) }
            guard case .int(let sold) = values[0], case .uint(let dx) = values[1], case .int(let bought) = values[2],
                  case .uint(let dy) = values[3], (0..<8).contains(sold), (0..<8).contains(bought), sold != bought else {
                throw fail("coins \(values[0]) → \(values[2]) are not two of a pool's 8 at most")
            }
            return SwapFill(pool: address, amountIn: dx, tokenInIndex: Int(sold), amountOut: dy, sqrtPriceX96After: nil,
                            tokenOutIndex: Int(bought))
        case balancerTopic:
            guard topics.count == 4 else { throw fail("\(topics.count) topics, not the poolId, tokenIn and tokenOut") }
            let words: [BigUInt]
            do { words = try ABI.decode(data, as: [.uint(bits: 256), .uint(bits: 256)]).map(\.uintValue) } catch {
                throw fail(error.reason)
            }
            guard topics[1...].allSatisfy({ $0.count == 32 }), topics[2].prefix(12).allSatisfy({ $0 == 0 }),
                  topics[3].prefix(12).allSatisfy({ $0 == 0 }) else {
                throw fail("tokenIn or tokenOut topic is not an address")
            }
            let tokenIn = EthereumAddress(bytes: Array(topics[2].suffix(20)))
            let tokenOut = EthereumAddress(bytes: Array(topics[3].suffix(20)))
            return SwapFill(pool: address, amountIn: words[0], tokenInIndex: 0, amountOut: words[1], sqrtPriceX96After: nil,
                            vaultSwap: VaultSwap(poolId: topics[1], tokenIn: tokenIn, tokenOut: tokenOut))
        default:
            return nil
        }
    }

    public var description: String {
        if let vaultSwap {
            return "\(pool) pool \(Hex.encode(vaultSwap.poolId)): \(amountIn) of \(vaultSwap.tokenIn) in, "
                + "\(amountOut) of \(vaultSwap.tokenOut) out"
        }
        return "\(pool): \(amountIn) of token\(tokenInIndex) in, \(amountOut) of token\(tokenOutIndex) out"
    }
}
