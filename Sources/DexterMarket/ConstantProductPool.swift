import BigInt
import DexterCore

/// A constant-product pool (Uniswap V2 and its forks), with the contracts' integer arithmetic.
/// The base asset is the pair's base; reserves are in each token's base units.
public struct ConstantProductPool: Sendable, Hashable {
    public var reserveBase: BigUInt
    public var reserveQuote: BigUInt
    /// LP fee in basis points: 30 for Uniswap V2 and SushiSwap, 25 for PancakeSwap.
    public let feeBps: Int
    public let baseDecimals: Int
    public let quoteDecimals: Int

    public init(reserveBase: BigUInt, reserveQuote: BigUInt, feeBps: Int, baseDecimals: Int, quoteDecimals: Int) {
        self.reserveBase = reserveBase
        self.reserveQuote = reserveQuote
        self.feeBps = feeBps
        self.baseDecimals = baseDecimals
        self.quoteDecimals = quoteDecimals
    }

    // MARK: Contract math (UniswapV2Library)

    /// `getAmountOut`: output for an exact input, floor; with `feeBps` = 30 this is the V2 997/1000 formula.
    public static func amountOut(in amountIn: BigUInt, reserveIn: BigUInt, reserveOut: BigUInt, feeBps: Int) throws -> BigUInt {
        guard amountIn > 0 else { throw PoolMathError.insufficientInputAmount }
        guard reserveIn > 0, reserveOut > 0 else { throw PoolMathError.insufficientLiquidity }
        let amountInWithFee = amountIn * BigUInt(10_000 - feeBps)
        return amountInWithFee * reserveOut / (reserveIn * 10_000 + amountInWithFee)
    }

    /// `getAmountIn`: input needed for an exact output, rounded up by one unit as the library does.
    public static func amountIn(out amountOut: BigUInt, reserveIn: BigUInt, reserveOut: BigUInt, feeBps: Int) throws -> BigUInt {
        guard amountOut > 0 else { throw PoolMathError.insufficientOutputAmount }
        guard reserveIn > 0, reserveOut > 0, amountOut < reserveOut else { throw PoolMathError.insufficientLiquidity }
        return reserveIn * amountOut * 10_000 / ((reserveOut - amountOut) * BigUInt(10_000 - feeBps)) + 1
    }

    /// `quote`: the amount of B worth `amountA` at the current reserves, no fee, floor.
    public static func quote(_ amountA: BigUInt, reserveA: BigUInt, reserveB: BigUInt) throws -> BigUInt {
        guard amountA > 0 else { throw PoolMathError.insufficientInputAmount }
        guard reserveA > 0, reserveB > 0 else { throw PoolMathError.insufficientLiquidity }
        return amountA * reserveB / reserveA
    }

    // MARK: Swaps on this pool

    /// Quote units received for selling exactly `baseIn` base units.
    public func sellBase(_ baseIn: BigUInt, feeBps: Int? = nil) throws -> BigUInt {
        try Self.amountOut(in: baseIn, reserveIn: reserveBase, reserveOut: reserveQuote, feeBps: feeBps ?? self.feeBps)
    }

    /// Quote units to pay for exactly `baseOut` base units.
    public func buyBase(_ baseOut: BigUInt, feeBps: Int? = nil) throws -> BigUInt {
        try Self.amountIn(out: baseOut, reserveIn: reserveQuote, reserveOut: reserveBase, feeBps: feeBps ?? self.feeBps)
    }

    /// Base units received for exactly `quoteIn` quote units.
    public func spendQuote(_ quoteIn: BigUInt) throws -> BigUInt {
        try Self.amountOut(in: quoteIn, reserveIn: reserveQuote, reserveOut: reserveBase, feeBps: feeBps)
    }

    /// Applies a swap to the reserves, as the pair contract does after a transfer.
    public mutating func apply(baseDelta: BigInt, quoteDelta: BigInt) {
        reserveBase = BigUInt(BigInt(reserveBase) + baseDelta)
        reserveQuote = BigUInt(BigInt(reserveQuote) + quoteDelta)
    }

    // MARK: Screening

    /// The pool as a fee-adjusted curve in whole-token units, for `Double` screening.
    public var screen: CurveScreen {
        CurveScreen(
            base: Double(reserveBase) / pow10(baseDecimals),
            quote: Double(reserveQuote) / pow10(quoteDecimals),
            gamma: Double(10_000 - feeBps) / 10_000,
            maxBaseOut: Double(reserveBase) / pow10(baseDecimals) * 0.999,
            maxBaseIn: .infinity)
    }
}

@inlinable
func pow10(_ exponent: Int) -> Double {
    var result = 1.0
    for _ in 0..<exponent { result *= 10 }
    return result
}

/// A constant-product curve on (virtual) reserves with an input-fee factor γ, in whole-token units: exact for V2,
/// and for a concentrated-liquidity pool within its active range.
public struct CurveScreen: Sendable, Hashable {
    public var base: Double
    public var quote: Double
    public var gamma: Double
    public var maxBaseOut: Double
    public var maxBaseIn: Double

    public init(base: Double, quote: Double, gamma: Double, maxBaseOut: Double, maxBaseIn: Double) {
        self.base = base
        self.quote = quote
        self.gamma = gamma
        self.maxBaseOut = maxBaseOut
        self.maxBaseIn = maxBaseIn
    }

    /// Price without fee.
    @inlinable public var spotPrice: Double { quote / base }

    /// Quote paid (fee included) for `q` base out.
    @inlinable public func buyCost(_ q: Double) -> Double {
        q >= maxBaseOut ? .infinity : quote * q / ((base - q) * gamma)
    }

    /// Quote received for `q` base in.
    @inlinable public func sellProceeds(_ q: Double) -> Double {
        q > maxBaseIn ? 0 : gamma * q * quote / (base + gamma * q)
    }

    @inlinable public func marginalBuyPrice(_ q: Double) -> Double {
        q >= maxBaseOut ? .infinity : quote * base / (gamma * (base - q) * (base - q))
    }

    @inlinable public func marginalSellPrice(_ q: Double) -> Double {
        let denominator = base + gamma * q
        return q > maxBaseIn ? 0 : gamma * base * quote / (denominator * denominator)
    }
}
