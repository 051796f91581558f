import BigInt
import DexterCrypto

/// What a swap filled, read from the pool's own Swap log in the receipt (not from balances, which any transfer moves):
/// - Uniswap V3 `Swap(address indexed sender, address indexed recipient, int256 amount0, int256 amount1,
///   uint160 sqrtPriceX96, uint128 liquidity, int24 tick)`: the amounts are the pool's deltas, positive into the pool;
/// - Uniswap V2 `Swap(address indexed sender, uint256 amount0In, uint256 amount1In, uint256 amount0Out,
///   uint256 amount1Out, address indexed to)`.
public struct SwapFill: Sendable, Hashable, CustomStringConvertible {
    public let pool: EthereumAddress
    /// Paid into the pool, and of which of its two tokens (0 or 1).
    public let amountIn: BigUInt
    public let tokenInIndex: Int
    /// Paid out by the pool.
    public let amountOut: BigUInt
    /// V3 only: the pool's price after the swap.
    public let sqrtPriceX96After: BigUInt?

    public static let v3Topic = Keccak256.hash(Array("Swap(address,address,int256,int256,uint160,uint128,int24)".utf8))
    public static let v2Topic = Keccak256.hash(Array("Swap(address,uint256,uint256,uint256,uint256,address)".utf8))

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
        default:
            return nil
        }
    }

    public var description: String {
        "\(pool): \(amountIn) of token\(tokenInIndex) in, \(amountOut) of token\(1 - tokenInIndex) out"
    }
}
