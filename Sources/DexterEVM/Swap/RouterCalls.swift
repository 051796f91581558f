import BigInt
import DexterCrypto

/// What is wrong with a swap's parameters before any byte of calldata is written.
public enum SwapCallError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A V3 path needs one fee between each pair of tokens.
    case pathShape(tokens: Int, fees: Int)
    /// A V3 fee is a uint24 in hundredths of a basis point (500 = 0.05 %).
    case feeOutOfRange(UInt32)
    /// A V2 path names at least two tokens.
    case pathTooShort(tokens: Int)
    /// The encoder refused a value (a number wider than its ABI type).
    case encoding(String)
    /// A path that does not run from the swap's tokenIn to its tokenOut.
    case pathEnds(from: EthereumAddress, to: EthereumAddress)

    public var description: String {
        switch self {
        case .pathShape(let tokens, let fees): return "a V3 path of \(tokens) tokens needs \(max(tokens - 1, 0)) fees, got \(fees)"
        case .feeOutOfRange(let fee): return "V3 fee \(fee) does not fit uint24"
        case .pathTooShort(let tokens): return "a V2 path needs at least 2 tokens, got \(tokens)"
        case .encoding(let reason): return "calldata: \(reason)"
        case .pathEnds(let from, let to): return "the path runs from \(from) to \(to), not from the swap's tokenIn to its tokenOut"
        }
    }
}

/// A Uniswap V3 multi-hop path as v3-periphery's `Path` library reads it: token (20 bytes), fee (uint24, 3 bytes),
/// token, fee, … token. Packed, not ABI-encoded.
public struct V3Path: Sendable, Hashable {
    public let tokens: [EthereumAddress]
    public let fees: [UInt32]

    public init(tokens: [EthereumAddress], fees: [UInt32]) throws(SwapCallError) {
        guard tokens.count >= 2, fees.count == tokens.count - 1 else { throw .pathShape(tokens: tokens.count, fees: fees.count) }
        if let wide = fees.first(where: { $0 >= 1 << 24 }) { throw .feeOutOfRange(wide) }
        self.tokens = tokens
        self.fees = fees
    }

    public var encoded: [UInt8] {
        var bytes = tokens[0].bytes
        for (fee, token) in zip(fees, tokens.dropFirst()) {
            bytes += [UInt8(fee >> 16 & 0xFF), UInt8(fee >> 8 & 0xFF), UInt8(fee & 0xFF)] + token.bytes
        }
        return bytes
    }
}

/// Calls to Uniswap V3's SwapRouter (v3-periphery `ISwapRouter`): exact-input swaps.
public enum SwapRouterV3 {
    /// `ExactInputSingleParams`, in the struct's field order.
    public struct ExactInputSingle: Sendable, Hashable {
        public var tokenIn: EthereumAddress
        public var tokenOut: EthereumAddress
        public var fee: UInt32
        public var recipient: EthereumAddress
        public var deadline: BigUInt
        public var amountIn: BigUInt
        public var amountOutMinimum: BigUInt
        /// 0 means no price limit.
        public var sqrtPriceLimitX96: BigUInt

        public init(tokenIn: EthereumAddress, tokenOut: EthereumAddress, fee: UInt32, recipient: EthereumAddress,
                    deadline: BigUInt, amountIn: BigUInt, amountOutMinimum: BigUInt, sqrtPriceLimitX96: BigUInt = 0) {
            self.tokenIn = tokenIn
            self.tokenOut = tokenOut
            self.fee = fee
            self.recipient = recipient
            self.deadline = deadline
            self.amountIn = amountIn
            self.amountOutMinimum = amountOutMinimum
            self.sqrtPriceLimitX96 = sqrtPriceLimitX96
        }

        static let types: [ABIType] = [.address, .address, .uint(bits: 24), .address, .uint(bits: 256), .uint(bits: 256),
                                       .uint(bits: 256), .uint(bits: 160)]

        /// `exactInputSingle((address,address,uint24,address,uint256,uint256,uint256,uint160))`, selector 0x414bf389.
        public func calldata() throws(SwapCallError) -> [UInt8] {
            guard fee < 1 << 24 else { throw .feeOutOfRange(fee) }
            let values: [ABIValue] = [.address(tokenIn), .address(tokenOut), .uint(BigUInt(fee)), .address(recipient),
                                      .uint(deadline), .uint(amountIn), .uint(amountOutMinimum), .uint(sqrtPriceLimitX96)]
            return try encodeCall("exactInputSingle", [.tuple(Self.types)], [.tuple(values)])
        }
    }

    /// `ExactOutputSingleParams`, in the struct's field order: exactly `amountOut` of tokenOut, paying at most
    /// `amountInMaximum` of tokenIn (a buy of an exact quantity at a worst price).
    public struct ExactOutputSingle: Sendable, Hashable {
        public var tokenIn: EthereumAddress
        public var tokenOut: EthereumAddress
        public var fee: UInt32
        public var recipient: EthereumAddress
        public var deadline: BigUInt
        public var amountOut: BigUInt
        public var amountInMaximum: BigUInt
        public var sqrtPriceLimitX96: BigUInt = 0

        public init(tokenIn: EthereumAddress, tokenOut: EthereumAddress, fee: UInt32, recipient: EthereumAddress,
                    deadline: BigUInt, amountOut: BigUInt, amountInMaximum: BigUInt) {
            self.tokenIn = tokenIn
            self.tokenOut = tokenOut
            self.fee = fee
            self.recipient = recipient
            self.deadline = deadline
            self.amountOut = amountOut
            self.amountInMaximum = amountInMaximum
        }

        /// `exactOutputSingle((address,address,uint24,address,uint256,uint256,uint256,uint160))`, selector 0xdb3e2198.
        public func calldata() throws(SwapCallError) -> [UInt8] {
            guard fee < 1 << 24 else { throw .feeOutOfRange(fee) }
            let values: [ABIValue] = [.address(tokenIn), .address(tokenOut), .uint(BigUInt(fee)), .address(recipient),
                                      .uint(deadline), .uint(amountOut), .uint(amountInMaximum), .uint(sqrtPriceLimitX96)]
            return try encodeCall("exactOutputSingle", [.tuple(ExactInputSingle.types)], [.tuple(values)])
        }
    }

    /// `ExactInputParams`: a packed path, then recipient, deadline and amounts.
    public struct ExactInput: Sendable, Hashable {
        public var path: V3Path
        public var recipient: EthereumAddress
        public var deadline: BigUInt
        public var amountIn: BigUInt
        public var amountOutMinimum: BigUInt

        public init(path: V3Path, recipient: EthereumAddress, deadline: BigUInt, amountIn: BigUInt, amountOutMinimum: BigUInt) {
            self.path = path
            self.recipient = recipient
            self.deadline = deadline
            self.amountIn = amountIn
            self.amountOutMinimum = amountOutMinimum
        }

        /// `exactInput((bytes,address,uint256,uint256,uint256))`, selector 0xc04b8d59.
        public func calldata() throws(SwapCallError) -> [UInt8] {
            let types: [ABIType] = [.bytes, .address, .uint(bits: 256), .uint(bits: 256), .uint(bits: 256)]
            let values: [ABIValue] = [.bytes(path.encoded), .address(recipient), .uint(deadline), .uint(amountIn),
                                      .uint(amountOutMinimum)]
            return try encodeCall("exactInput", [.tuple(types)], [.tuple(values)])
        }
    }
}

/// Calls to a Uniswap V2 Router02 (or a router with its ABI).
public enum RouterV2 {
    /// `swapExactTokensForTokens(uint256,uint256,address[],address,uint256)`, selector 0x38ed1739.
    public static func swapExactTokensForTokens(amountIn: BigUInt, amountOutMin: BigUInt, path: [EthereumAddress],
                                                to: EthereumAddress, deadline: BigUInt) throws(SwapCallError) -> [UInt8] {
        guard path.count >= 2 else { throw .pathTooShort(tokens: path.count) }
        return try encodeCall("swapExactTokensForTokens",
                              [.uint(bits: 256), .uint(bits: 256), .array(.address, count: nil), .address, .uint(bits: 256)],
                              [.uint(amountIn), .uint(amountOutMin), .array(path.map { .address($0) }), .address(to), .uint(deadline)])
    }

    /// `swapTokensForExactTokens(uint256,uint256,address[],address,uint256)`, selector 0x8803dbee: exactly
    /// `amountOut` of the path's last token for at most `amountInMax` of its first.
    public static func swapTokensForExactTokens(amountOut: BigUInt, amountInMax: BigUInt, path: [EthereumAddress],
                                                to: EthereumAddress, deadline: BigUInt) throws(SwapCallError) -> [UInt8] {
        guard path.count >= 2 else { throw .pathTooShort(tokens: path.count) }
        return try encodeCall("swapTokensForExactTokens",
                              [.uint(bits: 256), .uint(bits: 256), .array(.address, count: nil), .address, .uint(bits: 256)],
                              [.uint(amountOut), .uint(amountInMax), .array(path.map { .address($0) }), .address(to), .uint(deadline)])
    }

    /// `getAmountsOut(uint256,address[])`: the router's own quote along a path.
    public static func getAmountsOut(amountIn: BigUInt, path: [EthereumAddress]) throws(SwapCallError) -> [UInt8] {
        guard path.count >= 2 else { throw .pathTooShort(tokens: path.count) }
        return try encodeCall("getAmountsOut", [.uint(bits: 256), .array(.address, count: nil)],
                              [.uint(amountIn), .array(path.map { .address($0) })])
    }
}

/// ERC-20 calls a swap needs around it (EIP-20).
public enum ERC20Call {
    /// `approve(address,uint256)`, selector 0x095ea7b3.
    public static func approve(spender: EthereumAddress, amount: BigUInt) throws(SwapCallError) -> [UInt8] {
        try encodeCall("approve", [.address, .uint(bits: 256)], [.address(spender), .uint(amount)])
    }

    /// `allowance(address,address)`, selector 0xdd62ed3e.
    public static func allowance(owner: EthereumAddress, spender: EthereumAddress) throws(SwapCallError) -> [UInt8] {
        try encodeCall("allowance", [.address, .address], [.address(owner), .address(spender)])
    }

    /// `balanceOf(address)`, selector 0x70a08231.
    public static func balanceOf(_ owner: EthereumAddress) throws(SwapCallError) -> [UInt8] {
        try encodeCall("balanceOf", [.address], [.address(owner)])
    }

    /// `transfer(address,uint256)`, selector 0xa9059cbb.
    public static func transfer(to: EthereumAddress, amount: BigUInt) throws(SwapCallError) -> [UInt8] {
        try encodeCall("transfer", [.address, .uint(bits: 256)], [.address(to), .uint(amount)])
    }
}

/// WETH9's wrapping calls.
public enum WETHCall {
    /// `deposit()` (selector 0xd0e30db0): wraps the transaction's value.
    public static var deposit: [UInt8] { ABI.selector("deposit()") }

    /// `withdraw(uint256)`, selector 0x2e1a7d4d.
    public static func withdraw(amount: BigUInt) throws(SwapCallError) -> [UInt8] {
        try encodeCall("withdraw", [.uint(bits: 256)], [.uint(amount)])
    }
}

private func encodeCall(_ name: String, _ types: [ABIType], _ values: [ABIValue]) throws(SwapCallError) -> [UInt8] {
    do { return try ABI.call(name, types, values) } catch { throw .encoding(error.reason) }
}
