import DexterCore
import BigInt

/// Swaps that change a pool's state, as the contract does when a swap lands. Each returns the other side's amount.
extension ConstantProductPool {
    /// Sells exactly `baseIn`; returns the quote paid out.
    public mutating func swapBaseIn(_ baseIn: BigUInt) throws -> BigUInt {
        let out = try sellBase(baseIn)
        reserveBase += baseIn
        reserveQuote -= out
        return out
    }

    /// Buys exactly `baseOut`; returns the quote paid in.
    public mutating func swapBaseOut(_ baseOut: BigUInt) throws -> BigUInt {
        let paid = try buyBase(baseOut)
        reserveBase -= baseOut
        reserveQuote += paid
        return paid
    }
}

extension ConcentratedPool {
    public mutating func swapBaseIn(_ baseIn: BigUInt) throws -> BigUInt {
        let (out, after) = try sellBase(baseIn)
        self = after
        return out
    }

    public mutating func swapBaseOut(_ baseOut: BigUInt) throws -> BigUInt {
        let (paid, after) = try buyBase(baseOut)
        self = after
        return paid
    }
}

extension StableSwapPool {
    public mutating func swapBaseIn(_ baseIn: BigUInt) throws -> BigUInt {
        let out = try amountOut(i: baseIndex, j: quoteIndex, dx: baseIn)
        balances[baseIndex] += baseIn
        balances[quoteIndex] -= out
        return out
    }

    /// Curve swaps are exact-input: pays `get_dx(baseOut)` and receives what `get_dy` gives for it, which can
    /// differ from `baseOut` by a few units.
    public mutating func swapBaseOut(_ baseOut: BigUInt) throws -> (quoteIn: BigUInt, baseOut: BigUInt) {
        let paid = try amountIn(i: quoteIndex, j: baseIndex, dy: baseOut)
        let received = try amountOut(i: quoteIndex, j: baseIndex, dx: paid)
        balances[quoteIndex] += paid
        balances[baseIndex] -= received
        return (paid, received)
    }
}

extension Liquidity {
    /// Applies a swap of `baseUnits` on a pool: base in for a sell, base out for a buy. Returns (base, quote) moved.
    /// A book is not swapped against; it throws.
    public mutating func swap(_ side: Side, baseUnits: BigUInt) throws -> (base: BigUInt, quote: BigUInt) {
        switch self {
        case .book:
            throw PoolMathError.insufficientLiquidity
        case .constantProduct(var pool):
            let quote = side == .sell ? try pool.swapBaseIn(baseUnits) : try pool.swapBaseOut(baseUnits)
            self = .constantProduct(pool)
            return (baseUnits, quote)
        case .concentrated(var pool):
            let quote = side == .sell ? try pool.swapBaseIn(baseUnits) : try pool.swapBaseOut(baseUnits)
            self = .concentrated(pool)
            return (baseUnits, quote)
        case .stableSwap(var pool):
            if side == .sell {
                let quote = try pool.swapBaseIn(baseUnits)
                self = .stableSwap(pool)
                return (baseUnits, quote)
            }
            let (paid, received) = try pool.swapBaseOut(baseUnits)
            self = .stableSwap(pool)
            return (received, paid)
        case .weighted(var pool):
            let quote = side == .sell ? try pool.swapBaseIn(baseUnits) : try pool.swapBaseOut(baseUnits)
            self = .weighted(pool)
            return (baseUnits, quote)
        }
    }

    public var baseDecimals: Int? {
        switch self {
        case .book: return nil
        case .constantProduct(let pool): return pool.baseDecimals
        case .concentrated(let pool): return pool.baseDecimals
        case .stableSwap(let pool): return pool.baseDecimals
        case .weighted(let pool): return pool.baseDecimals
        }
    }

    public var quoteDecimals: Int? {
        switch self {
        case .book: return nil
        case .constantProduct(let pool): return pool.quoteDecimals
        case .concentrated(let pool): return pool.quoteDecimals
        case .stableSwap(let pool): return pool.quoteDecimals
        case .weighted(let pool): return pool.quoteDecimals
        }
    }
}
