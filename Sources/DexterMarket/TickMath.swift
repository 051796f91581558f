import BigInt

/// Uniswap V3's TickMath: the Q64.96 square-root price at a tick, sqrt(1.0001^tick) · 2^96, computed in Q128.128
/// from one factor per bit of |tick| (the constants of TickMath.sol) and rounded up into Q64.96; and its inverse,
/// the greatest tick whose price does not exceed a given one.
public enum TickMath {
    public static let minTick = -887_272
    public static let maxTick = 887_272
    public static let minSqrtRatio = BigUInt(4_295_128_739)
    public static let maxSqrtRatio = BigUInt("1461446703485210103287273052203988822378723970342", radix: 10)!

    /// sqrt(1.0001^-2^i) in Q128.128 for bit i of |tick|.
    static let factors: [(bit: Int, factor: BigUInt)] = [
        (0x2, "fff97272373d413259a46990580e213a"), (0x4, "fff2e50f5f656932ef12357cf3c7fdcc"),
        (0x8, "ffe5caca7e10e4e61c3624eaa0941cd0"), (0x10, "ffcb9843d60f6159c9db58835c926644"),
        (0x20, "ff973b41fa98c081472e6896dfb254c0"), (0x40, "ff2ea16466c96a3843ec78b326b52861"),
        (0x80, "fe5dee046a99a2a811c461f1969c3053"), (0x100, "fcbe86c7900a88aedcffc83b479aa3a4"),
        (0x200, "f987a7253ac413176f2b074cf7815e54"), (0x400, "f3392b0822b70005940c7a398e4b70f3"),
        (0x800, "e7159475a2c29b7443b29c7fa6e889d9"), (0x1000, "d097f3bdfd2022b8845ad8f792aa5825"),
        (0x2000, "a9f746462d870fdf8a65dc1f90e061e5"), (0x4000, "70d869a156d2a1b890bb3df62baf32f7"),
        (0x8000, "31be135f97d08fd981231505542fcfa6"), (0x10000, "9aa508b5b7a84e1c677de54f3e99bc9"),
        (0x20000, "5d6af8dedb81196699c329225ee604"), (0x40000, "2216e584f5fa1ea926041bedfe98"),
        (0x80000, "48a170391f7dc42444e8fa2"),
    ].map { ($0.0, BigUInt($0.1, radix: 16)!) }

    /// The contract's `getSqrtRatioAtTick`; throws (its revert "T") outside [minTick, maxTick].
    public static func sqrtRatio(atTick tick: Int) throws(PoolMathError) -> BigUInt {
        let absTick = tick.magnitude
        guard absTick <= UInt(maxTick) else { throw .tickOutOfRange(tick) }
        var ratio = absTick & 0x1 != 0 ? BigUInt("fffcb933bd6fad37aa2d162d1a594001", radix: 16)! : BigUInt(1) << 128
        for (bit, factor) in factors where absTick & UInt(bit) != 0 { ratio = (ratio * factor) >> 128 }
        if tick > 0 { ratio = ConcentratedLiquidityMath.max256 / ratio }
        // Q128.128 → Q64.96, rounding up so that getTickAtSqrtRatio of the result is consistent.
        let shifted = ratio >> 32
        return ratio & ((BigUInt(1) << 32) - 1) == 0 ? shifted : shifted + 1
    }

    /// The contract's `getTickAtSqrtRatio`: the greatest tick with sqrtRatio(atTick:) ≤ `sqrtPriceX96`; throws (its
    /// revert "R") outside [minSqrtRatio, maxSqrtRatio). Found by bisection on the exact forward function.
    public static func tick(atSqrtRatio sqrtPriceX96: BigUInt) throws(PoolMathError) -> Int {
        guard sqrtPriceX96 >= minSqrtRatio, sqrtPriceX96 < maxSqrtRatio else { throw .sqrtRatioOutOfRange }
        var low = minTick, high = maxTick
        while low < high {
            let middle = low + (high - low + 1) / 2
            if try sqrtRatio(atTick: middle) <= sqrtPriceX96 { low = middle } else { high = middle - 1 }
        }
        return low
    }
}
