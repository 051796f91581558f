/// Why a pool refuses a swap: the same conditions under which its contract reverts.
public enum PoolMathError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The input amount is zero.
    case insufficientInputAmount
    /// The output amount is zero.
    case insufficientOutputAmount
    /// A reserve is zero, or the requested output is not below it.
    case insufficientLiquidity
    /// A result does not fit its Solidity type (uint160, uint256).
    case overflow
    /// Division by zero, as a contract's require would catch.
    case divisionByZero
    /// The sqrt price is zero.
    case zeroPrice
    /// The pool's liquidity is zero.
    case zeroLiquidity
    /// The price would move past what the requested amount allows.
    case priceOutOfRange
    /// An iterative solver (StableSwap D or y) did not converge in 255 rounds.
    case didNotConverge
    /// A tick beyond ±887272 (TickMath's revert "T").
    case tickOutOfRange(Int)
    /// A sqrt price outside [MIN_SQRT_RATIO, MAX_SQRT_RATIO) (TickMath's revert "R").
    case sqrtRatioOutOfRange
    /// A weighted-pool swap moving more than its allowed share of a balance (Balancer BAL#304 / BAL#305).
    case maxRatioExceeded
    /// The price would leave the ticks read from the chain, where the initialized ticks are not known.
    case beyondKnownTicks(ClosedRange<Int>)

    public var description: String {
        switch self {
        case .insufficientInputAmount: return "insufficient input amount"
        case .insufficientOutputAmount: return "insufficient output amount"
        case .insufficientLiquidity: return "insufficient liquidity"
        case .overflow: return "overflow"
        case .divisionByZero: return "division by zero"
        case .zeroPrice: return "sqrt price is zero"
        case .zeroLiquidity: return "liquidity is zero"
        case .priceOutOfRange: return "price out of range"
        case .didNotConverge: return "did not converge"
        case .tickOutOfRange(let tick): return "tick \(tick) is outside ±887272"
        case .sqrtRatioOutOfRange: return "sqrt price outside the tick range"
        case .beyondKnownTicks(let known): return "the price would leave the ticks read (\(known.lowerBound)…\(known.upperBound))"
        case .maxRatioExceeded: return "swap exceeds the pool's maximum in/out ratio"
        }
    }
}
