import BigInt
import DexterCrypto

/// Uniswap V3's QuoterV2 (v3-periphery `IQuoterV2`): the chain's own answer to "what would this swap give", read with
/// `eth_call`. dexter's amountOutMinimum starts from it, and the filled amount is checked against it.
public enum QuoterV2Call {
    /// `quoteExactInputSingle((address,address,uint256,uint24,uint160))`, selector 0xc6a5026a.
    public static func quoteExactInputSingle(tokenIn: EthereumAddress, tokenOut: EthereumAddress, amountIn: BigUInt,
                                             fee: UInt32, sqrtPriceLimitX96: BigUInt = 0) throws(SwapCallError) -> [UInt8] {
        guard fee < 1 << 24 else { throw .feeOutOfRange(fee) }
        let types: [ABIType] = [.address, .address, .uint(bits: 256), .uint(bits: 24), .uint(bits: 160)]
        let values: [ABIValue] = [.address(tokenIn), .address(tokenOut), .uint(amountIn), .uint(BigUInt(fee)),
                                  .uint(sqrtPriceLimitX96)]
        do { return try ABI.call("quoteExactInputSingle", [.tuple(types)], [.tuple(values)]) } catch {
            throw .encoding(error.reason)
        }
    }

    /// `quoteExactInput(bytes,uint256)`, selector 0xcdca1753: a multi-hop quote along a packed path.
    public static func quoteExactInput(path: V3Path, amountIn: BigUInt) throws(SwapCallError) -> [UInt8] {
        do { return try ABI.call("quoteExactInput", [.bytes, .uint(bits: 256)], [.bytes(path.encoded), .uint(amountIn)]) } catch {
            throw .encoding(error.reason)
        }
    }

    /// The output of `quoteExactInput`'s answer `(uint256, uint160[], uint32[], uint256)`.
    public static func decodePathQuote(_ data: [UInt8]) throws(ABIError) -> BigUInt {
        let values = try ABI.decode(data, as: [.uint(bits: 256), .array(.uint(bits: 160), count: nil),
                                               .array(.uint(bits: 32), count: nil), .uint(bits: 256)])
        return values[0].uintValue
    }

    /// What `quoteExactInputSingle` returns.
    public struct Quote: Sendable, Hashable {
        public let amountOut: BigUInt
        public let sqrtPriceX96After: BigUInt
        public let initializedTicksCrossed: UInt32
        public let gasEstimate: BigUInt
    }

    public static func decodeQuote(_ data: [UInt8]) throws(ABIError) -> Quote {
        let words = try ABI.decode(data, as: [.uint(bits: 256), .uint(bits: 160), .uint(bits: 32), .uint(bits: 256)])
            .map(\.uintValue)
        return Quote(amountOut: words[0], sqrtPriceX96After: words[1], initializedTicksCrossed: UInt32(words[2]),
                     gasEstimate: words[3])
    }
}

/// Reads a single uint256 answer (`balanceOf`, `allowance`, a reserve).
public enum UIntAnswer {
    public static func decode(_ data: [UInt8]) throws(ABIError) -> BigUInt {
        try ABI.decode(data, as: [.uint(bits: 256)])[0].uintValue
    }
}

extension ABIValue {
    /// The number of a value that ABI.decode produced for a uint type (it produces nothing else for one).
    var uintValue: BigUInt {
        guard case .uint(let number) = self else { preconditionFailure("ABI.decode gave \(self) for a uint type") }
        return number
    }
}
