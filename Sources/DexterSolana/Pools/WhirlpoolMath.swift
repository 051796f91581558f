import BigInt

/// The Whirlpool program's fixed-point math: Q64.64 square-root prices in u128, token amounts in u64, products in
/// u256. DexterMarket's `ConcentratedLiquidityMath` is Uniswap V3's (Q64.96 in uint160, uint256 bounds, other
/// rounding points), so it does not give the program's units; this is the program's own arithmetic, each bound
/// failing with the error the program returns.
public enum WhirlpoolMath {
    public static let minTick = -443_636
    public static let maxTick = 443_636
    public static let minSqrtPrice: UInt128 = 4_295_048_016
    public static let maxSqrtPrice: UInt128 = 79_226_673_515_401_279_992_447_579_055
    /// Fee rates are hundredths of a basis point (of 1,000,000); this build's maximum is 3 %.
    public static let maxFeeRate: UInt16 = 30_000
    /// Protocol fee rates are basis points of the fee (of 10,000); the maximum is 25 %.
    public static let maxProtocolFeeRate: UInt16 = 2_500
    static let feeRateDenominator: UInt64 = 1_000_000
    static let protocolFeeRateDenominator: UInt64 = 10_000

    // MARK: Tick math

    /// floor(√1.0001^(2^i) · 2^96), for the bits of a positive tick (a test recomputes them).
    static let positiveBitRatios: [UInt128] = [
        79_232_123_823_359_799_118_286_999_567, 79_236_085_330_515_764_027_303_304_731,
        79_244_008_939_048_815_603_706_035_061, 79_259_858_533_276_714_757_314_932_305,
        79_291_567_232_598_584_799_939_703_904, 79_355_022_692_464_371_645_785_046_466,
        79_482_085_999_252_804_386_437_311_141, 79_736_823_300_114_093_921_829_183_326,
        80_248_749_790_819_932_309_965_073_892, 81_282_483_887_344_747_381_513_967_011,
        83_390_072_131_320_151_908_154_831_281, 87_770_609_709_833_776_024_991_924_138,
        97_234_110_755_111_693_312_479_820_773, 119_332_217_159_966_728_226_237_229_890,
        179_736_315_981_702_064_433_883_588_727, 407_748_233_172_238_350_107_850_275_304,
        2_098_478_828_474_011_932_436_660_412_517, 55_581_415_166_113_811_149_459_800_483_533,
        38_992_368_544_603_139_932_233_054_999_993_551,
    ]
    /// floor(2^64 / √1.0001^(2^i)), for the bits of a negative tick.
    static let negativeBitRatios: [UInt128] = [
        18_445_821_805_675_392_311, 18_444_899_583_751_176_498, 18_443_055_278_223_354_162,
        18_439_367_220_385_604_838, 18_431_993_317_065_449_817, 18_417_254_355_718_160_513,
        18_387_811_781_193_591_352, 18_329_067_761_203_520_168, 18_212_142_134_806_087_854,
        17_980_523_815_641_551_639, 17_526_086_738_831_147_013, 16_651_378_430_235_024_244,
        15_030_750_278_693_429_944, 12_247_334_978_882_834_399, 8_131_365_268_884_726_200,
        3_584_323_654_723_342_297, 696_457_651_847_595_233, 26_294_789_957_452_057, 37_481_735_321_082,
    ]

    /// The program's `sqrt_price_from_tick_index`: a Q96 product of the positive tick's bits shifted down to Q64, or
    /// a Q64 product of the negative tick's bits, truncating after every multiplication as the program does.
    public static func sqrtPrice(atTick tick: Int) throws(WhirlpoolError) -> UInt128 {
        guard (minTick...maxTick).contains(tick) else { throw .sqrtPriceOutOfBounds }
        let magnitude = tick.magnitude
        if tick >= 0 {
            var ratio: UInt128 = magnitude & 1 != 0 ? positiveBitRatios[0] : UInt128(1) << 96
            for bit in 1..<positiveBitRatios.count where magnitude & (1 << bit) != 0 {
                let (high, low) = ratio.multipliedFullWidth(by: positiveBitRatios[bit])
                ratio = UInt128(high) << 32 | UInt128(low >> 96)
            }
            return ratio >> 32
        }
        var ratio: UInt128 = magnitude & 1 != 0 ? negativeBitRatios[0] : UInt128(1) << 64
        for bit in 1..<negativeBitRatios.count where magnitude & (1 << bit) != 0 {
            ratio = (ratio * negativeBitRatios[bit]) >> 64
        }
        return ratio
    }

    /// The largest tick whose sqrt price is at most `sqrtPrice` (the program's `tick_index_from_sqrt_price`, whose
    /// log₂ estimate is exact for every price in bounds), found by bisection on `sqrtPrice(atTick:)`.
    public static func tick(atSqrtPrice sqrtPrice: UInt128) throws(WhirlpoolError) -> Int {
        guard (minSqrtPrice...maxSqrtPrice).contains(sqrtPrice) else { throw .sqrtPriceOutOfBounds }
        var low = minTick, high = maxTick
        while low < high {
            let middle = low + (high - low + 1) / 2
            if try Self.sqrtPrice(atTick: middle) <= sqrtPrice { low = middle } else { high = middle - 1 }
        }
        return low
    }

    // MARK: Token math

    static let u64Max = BigUInt(UInt64.max)
    static let u128Max = BigUInt(UInt128.max)
    static let u256Max = (BigUInt(1) << 256) - 1

    /// Token A between two prices: L·(√P_upper − √P_lower)·2^64 / (√P_upper·√P_lower), in u256; `nil` when the
    /// result does not fit u64 (the program's `AmountDeltaU64::ExceedsMax`).
    static func amountDeltaA(_ priceA: UInt128, _ priceB: UInt128, liquidity: UInt128,
                             roundUp: Bool) throws(WhirlpoolError) -> UInt64? {
        let (lower, upper) = priceA < priceB ? (priceA, priceB) : (priceB, priceA)
        let product = BigUInt(liquidity) * BigUInt(upper - lower)
        let numerator = product << 64
        guard numerator <= u256Max else { throw .multiplicationOverflow }
        let denominator = BigUInt(upper) * BigUInt(lower)
        guard denominator > 0 else { throw .divideByZero }
        let (quotient, remainder) = numerator.quotientAndRemainder(dividingBy: denominator)
        let result = roundUp && remainder > 0 ? quotient + 1 : quotient
        return result <= u64Max ? UInt64(result) : nil
    }

    /// Token B between two prices: L·(√P_upper − √P_lower) / 2^64 in u128; `nil` when it exceeds u64.
    static func amountDeltaB(_ priceA: UInt128, _ priceB: UInt128, liquidity: UInt128,
                             roundUp: Bool) throws(WhirlpoolError) -> UInt64? {
        let (lower, upper) = priceA < priceB ? (priceA, priceB) : (priceB, priceA)
        let difference = upper - lower
        if liquidity == 0 || difference == 0 { return 0 }
        let (product, overflow) = liquidity.multipliedReportingOverflow(by: difference)
        guard !overflow else { throw .multiplicationShiftRightOverflow }
        let result = product >> 64
        let roundsUp = roundUp && product & UInt128(UInt64.max) > 0
        let total = roundsUp ? result + 1 : result
        return total <= UInt128(UInt64.max) ? UInt64(total) : nil
    }

    static func required(_ amount: UInt64?) throws(WhirlpoolError) -> UInt64 {
        guard let amount else { throw .tokenMaxExceeded }
        return amount
    }

    /// The price after adding (input) or removing (output) `amount` of token A, rounded up.
    static func nextSqrtPriceFromA(_ sqrtPrice: UInt128, liquidity: UInt128, amount: UInt64,
                                   adding: Bool) throws(WhirlpoolError) -> UInt128 {
        if amount == 0 { return sqrtPrice }
        let product = BigUInt(sqrtPrice) * BigUInt(amount)
        let numerator = (BigUInt(liquidity) * BigUInt(sqrtPrice)) << 64
        guard numerator <= u256Max else { throw .multiplicationOverflow }
        let liquidityShifted = BigUInt(liquidity) << 64
        let denominator: BigUInt
        if adding {
            denominator = liquidityShifted + product
            guard denominator <= u256Max else { throw .multiplicationOverflow }
        } else {
            guard liquidityShifted > product else { throw .divideByZero }
            denominator = liquidityShifted - product
        }
        let (quotient, remainder) = numerator.quotientAndRemainder(dividingBy: denominator)
        let price = remainder > 0 ? quotient + 1 : quotient
        guard price >= BigUInt(minSqrtPrice) else { throw .tokenMinSubceeded }
        guard price <= BigUInt(maxSqrtPrice) else { throw .tokenMaxExceeded }
        return UInt128(price)
    }

    /// The price after adding (input, rounded down) or removing (output, rounded up) `amount` of token B.
    static func nextSqrtPriceFromB(_ sqrtPrice: UInt128, liquidity: UInt128, amount: UInt64,
                                   adding: Bool) throws(WhirlpoolError) -> UInt128 {
        guard liquidity > 0 else { throw .divideByZero }
        let shifted = UInt128(amount) << 64
        let (quotient, remainder) = shifted.quotientAndRemainder(dividingBy: liquidity)
        let delta = !adding && remainder > 0 ? quotient + 1 : quotient
        if adding {
            let (sum, overflow) = sqrtPrice.addingReportingOverflow(delta)
            guard !overflow else { throw .sqrtPriceOutOfBounds }
            return sum
        }
        guard sqrtPrice >= delta else { throw .sqrtPriceOutOfBounds }
        return sqrtPrice - delta
    }

    // MARK: One step

    struct Step: Equatable {
        var amountIn: UInt64
        var amountOut: UInt64
        var nextSqrtPrice: UInt128
        var feeAmount: UInt64
    }

    /// The program's `compute_swap`: one step of a swap towards `target`, within one liquidity range.
    static func computeSwap(amountRemaining: UInt64, feeRate: UInt16, liquidity: UInt128, current: UInt128,
                            target: UInt128, exactInput: Bool, aToB: Bool) throws(WhirlpoolError) -> Step {
        // The "fixed" token is the one whose amount was specified; the other is computed.
        let fixedIsA = aToB == exactInput
        func fixedDelta(_ to: UInt128) throws(WhirlpoolError) -> UInt64? {
            fixedIsA ? try amountDeltaA(current, to, liquidity: liquidity, roundUp: exactInput)
                : try amountDeltaB(current, to, liquidity: liquidity, roundUp: exactInput)
        }
        func unfixedDelta(_ to: UInt128) throws(WhirlpoolError) -> UInt64 {
            try required(fixedIsA ? try amountDeltaB(current, to, liquidity: liquidity, roundUp: !exactInput)
                                  : try amountDeltaA(current, to, liquidity: liquidity, roundUp: !exactInput))
        }
        let initialFixed = try fixedDelta(target)
        var amountCalculated = amountRemaining
        if exactInput {
            amountCalculated = UInt64(UInt128(amountRemaining) * UInt128(feeRateDenominator - UInt64(feeRate))
                                      / UInt128(feeRateDenominator))
        }
        let next: UInt128
        if let initialFixed, initialFixed <= amountCalculated {
            next = target
        } else if fixedIsA {
            next = try nextSqrtPriceFromA(current, liquidity: liquidity, amount: amountCalculated, adding: exactInput)
        } else {
            next = try nextSqrtPriceFromB(current, liquidity: liquidity, amount: amountCalculated, adding: exactInput)
        }
        let isMaxSwap = next == target
        let unfixed = try unfixedDelta(next)
        let fixed: UInt64
        if let initialFixed, isMaxSwap {
            fixed = initialFixed
        } else {
            fixed = try required(try fixedDelta(next))
        }
        var (amountIn, amountOut) = exactInput ? (fixed, unfixed) : (unfixed, fixed)
        if !exactInput && amountOut > amountRemaining { amountOut = amountRemaining }
        let fee: UInt64
        if exactInput && !isMaxSwap {
            fee = amountRemaining - amountIn
        } else {
            let numerator = UInt128(amountIn) * UInt128(feeRate)
            let denominator = UInt128(feeRateDenominator - UInt64(feeRate))
            let (quotient, remainder) = numerator.quotientAndRemainder(dividingBy: denominator)
            let rounded = remainder > 0 ? quotient + 1 : quotient
            guard rounded <= UInt128(UInt64.max) else { throw .numberDownCastError }
            fee = UInt64(rounded)
        }
        return Step(amountIn: amountIn, amountOut: amountOut, nextSqrtPrice: next, feeAmount: fee)
    }
}
