/// What a Whirlpool `swap` instruction asks for (layouts.md, "Whirlpool swap (v1) instruction").
public struct WhirlpoolSwapRequest: Sendable, Hashable {
    public var amount: UInt64
    /// The least output for an exact-input swap, the most input for an exact-output one.
    public var otherAmountThreshold: UInt64
    /// Q64.64; 0 = no limit (the program then goes to its price bound).
    public var sqrtPriceLimit: UInt128
    public var amountSpecifiedIsInput: Bool
    /// Token A in, token B out.
    public var aToB: Bool

    public init(amount: UInt64, otherAmountThreshold: UInt64, sqrtPriceLimit: UInt128 = 0,
                amountSpecifiedIsInput: Bool, aToB: Bool) {
        self.amount = amount
        self.otherAmountThreshold = otherAmountThreshold
        self.sqrtPriceLimit = sqrtPriceLimit
        self.amountSpecifiedIsInput = amountSpecifiedIsInput
        self.aToB = aToB
    }
}

/// The result of a swap: what the trader pays and receives, and the pool after it.
public struct WhirlpoolSwapQuote: Sendable, Hashable {
    public var amountIn: UInt64
    public var amountOut: UInt64
    public var amountA: UInt64
    public var amountB: UInt64
    /// The pool account's fields as the program leaves them (reward timestamp aside, which is the clock's).
    public var after: WhirlpoolState
    /// Initialized ticks whose sqrt price the swap reached, in crossing order.
    public var ticksCrossed: [Int]
}

extension WhirlpoolState {
    /// The program's swap, to the last unit: tick arrays are matched to the sequence the program requires by their
    /// start index (in any order, as the program does); one given as `WhirlpoolTickArray(absentAt:)` stands for a
    /// PDA with no account. Throws what the program would return.
    public func quote(_ request: WhirlpoolSwapRequest, tickArrays: [WhirlpoolTickArray]) throws(WhirlpoolError)
        -> WhirlpoolSwapQuote {
        let sequence = try WhirlpoolTickSequence(pool: self, aToB: request.aToB, given: tickArrays)
        var result = try swap(request, sequence: sequence)
        if request.amountSpecifiedIsInput {
            if request.otherAmountThreshold > result.amountOut { throw .amountOutBelowMinimum }
        } else if request.otherAmountThreshold < result.amountIn {
            throw .amountInAboveMaximum
        }
        result.after.rewardLastUpdatedTimestamp = rewardLastUpdatedTimestamp
        return result
    }

    /// The program's `swap` (swap_manager): steps from tick to initialized tick until the amount is used or the
    /// limit reached, crossing ticks and accruing fees per step.
    func swap(_ request: WhirlpoolSwapRequest, sequence: WhirlpoolTickSequence) throws(WhirlpoolError)
        -> WhirlpoolSwapQuote {
        let aToB = request.aToB, exactInput = request.amountSpecifiedIsInput
        let limit = request.sqrtPriceLimit == 0
            ? (aToB ? WhirlpoolMath.minSqrtPrice : WhirlpoolMath.maxSqrtPrice) : request.sqrtPriceLimit
        guard (WhirlpoolMath.minSqrtPrice...WhirlpoolMath.maxSqrtPrice).contains(limit) else {
            throw .sqrtPriceOutOfBounds
        }
        if aToB && limit > sqrtPrice || !aToB && limit < sqrtPrice { throw .invalidSqrtPriceLimitDirection }
        guard request.amount > 0 else { throw .zeroTradableAmount }

        var remaining = request.amount
        var calculated: UInt64 = 0
        var price = sqrtPrice
        var tick = Int(tickCurrentIndex)
        var currentLiquidity = liquidity
        var protocolFee: UInt64 = 0
        var arrayIndex = 0
        var feeGrowthInput = aToB ? feeGrowthGlobalA : feeGrowthGlobalB
        var crossed: [Int] = []

        while remaining > 0 && limit != price {
            let (nextArrayIndex, nextTick) = try sequence.nextInitializedTick(from: tick, aToB: aToB,
                                                                              startingAt: arrayIndex)
            let nextTickPrice = try WhirlpoolMath.sqrtPrice(atTick: nextTick)
            let target = aToB ? max(limit, nextTickPrice) : min(limit, nextTickPrice)
            let step = try WhirlpoolMath.computeSwap(amountRemaining: remaining, feeRate: feeRate,
                                                     liquidity: currentLiquidity, current: price, target: target,
                                                     exactInput: exactInput, aToB: aToB)
            if exactInput {
                guard remaining >= step.amountIn else { throw .amountRemainingOverflow }
                remaining -= step.amountIn
                guard remaining >= step.feeAmount else { throw .amountRemainingOverflow }
                remaining -= step.feeAmount
                let (sum, overflow) = calculated.addingReportingOverflow(step.amountOut)
                guard !overflow else { throw .amountCalcOverflow }
                calculated = sum
            } else {
                guard remaining >= step.amountOut else { throw .amountRemainingOverflow }
                remaining -= step.amountOut
                let (sum, overflow) = calculated.addingReportingOverflow(step.amountIn)
                let (total, overflowFee) = sum.addingReportingOverflow(step.feeAmount)
                guard !overflow, !overflowFee else { throw .amountCalcOverflow }
                calculated = total
            }

            // Fees: the protocol's share first, the rest grows the fee per unit of liquidity (both wrap).
            var globalFee = step.feeAmount
            if protocolFeeRate > 0 {
                let delta = UInt64(UInt128(globalFee) * UInt128(protocolFeeRate)
                                   / UInt128(WhirlpoolMath.protocolFeeRateDenominator))
                globalFee -= delta
                protocolFee &+= delta
            }
            if currentLiquidity > 0 {
                feeGrowthInput &+= (UInt128(globalFee) << 64) / currentLiquidity
            }

            if step.nextSqrtPrice == nextTickPrice {
                if let crossing = sequence.tick(nextTick, inArray: nextArrayIndex), crossing.initialized {
                    crossed.append(nextTick)
                    currentLiquidity = try Self.liquidity(currentLiquidity,
                                                          adding: aToB ? -crossing.liquidityNet : crossing.liquidityNet)
                }
                let offset = sequence.offset(of: nextTick, inArray: nextArrayIndex)
                if aToB && offset == 0 || !aToB && offset == WhirlpoolTickArray.ticksPerArray - 1 {
                    arrayIndex = nextArrayIndex + 1
                } else {
                    arrayIndex = nextArrayIndex
                }
                // An a→b search includes the tick it starts on: step one below to move past it.
                tick = aToB ? nextTick - 1 : nextTick
            } else if step.nextSqrtPrice != price {
                tick = try WhirlpoolMath.tick(atSqrtPrice: step.nextSqrtPrice)
            }
            price = step.nextSqrtPrice
        }

        let (amountA, amountB) = aToB == exactInput
            ? (request.amount - remaining, calculated) : (calculated, request.amount - remaining)
        var after = self
        after.liquidity = currentLiquidity
        after.sqrtPrice = price
        after.tickCurrentIndex = Int32(tick)
        if aToB {
            after.feeGrowthGlobalA = feeGrowthInput
            after.protocolFeeOwedA &+= protocolFee
        } else {
            after.feeGrowthGlobalB = feeGrowthInput
            after.protocolFeeOwedB &+= protocolFee
        }
        return WhirlpoolSwapQuote(amountIn: aToB ? amountA : amountB, amountOut: aToB ? amountB : amountA,
                                  amountA: amountA, amountB: amountB, after: after, ticksCrossed: crossed)
    }

    static func liquidity(_ liquidity: UInt128, adding delta: Int128) throws(WhirlpoolError) -> UInt128 {
        if delta >= 0 {
            let (sum, overflow) = liquidity.addingReportingOverflow(UInt128(delta))
            guard !overflow else { throw .liquidityOverflow }
            return sum
        }
        guard liquidity >= delta.magnitude else { throw .liquidityUnderflow }
        return liquidity - delta.magnitude
    }
}

/// The tick arrays a swap walks, in the order the program requires them: the array holding the current tick (for
/// b→a, the one holding current + spacing) and up to two after it in the swap's direction, each taken from what was
/// given by start index; the sequence stops at the first required array not given.
struct WhirlpoolTickSequence {
    let arrays: [WhirlpoolTickArray]
    let tickSpacing: Int

    init(pool: WhirlpoolState, aToB: Bool, given: [WhirlpoolTickArray]) throws(WhirlpoolError) {
        tickSpacing = Int(pool.tickSpacing)
        let span = WhirlpoolTickArray.ticksPerArray * tickSpacing
        let current = Int(pool.tickCurrentIndex)
        let base = WhirlpoolTickArray.startIndex(holding: current, tickSpacing: pool.tickSpacing)
        let offsets: [Int] = aToB ? [0, -1, -2] : (current + tickSpacing >= base + span ? [1, 2, 3] : [0, 1, 2])
        var arrays: [WhirlpoolTickArray] = []
        for offset in offsets {
            let start = base + offset * span
            guard Self.isValidStart(start, tickSpacing: tickSpacing) else { continue }
            guard let array = given.first(where: { Int($0.startTickIndex) == start }) else { break }
            arrays.append(array)
        }
        guard !arrays.isEmpty else { throw .invalidTickArraySequence }
        self.arrays = arrays
    }

    /// The program's `check_is_valid_start_tick`: a multiple of the array span, or the one array left of the
    /// lowest tick.
    static func isValidStart(_ start: Int, tickSpacing: Int) -> Bool {
        let span = WhirlpoolTickArray.ticksPerArray * tickSpacing
        if start < WhirlpoolMath.minTick || start > WhirlpoolMath.maxTick {
            guard start <= WhirlpoolMath.minTick else { return false }
            return start == WhirlpoolMath.minTick - (WhirlpoolMath.minTick % span + span)
        }
        return start % span == 0
    }

    func offset(of tick: Int, inArray index: Int) -> Int {
        let difference = tick - Int(arrays[index].startTickIndex)
        return difference >= 0 ? difference / tickSpacing : -((-difference + tickSpacing - 1) / tickSpacing)
    }

    /// The tick at `tick` if it is a usable tick inside array `index`.
    func tick(_ tick: Int, inArray index: Int) -> WhirlpoolTick? {
        guard arrays.indices.contains(index), tick % tickSpacing == 0 else { return nil }
        let offset = offset(of: tick, inArray: index)
        guard (0..<WhirlpoolTickArray.ticksPerArray).contains(offset) else { return nil }
        return arrays[index].ticks[offset]
    }

    /// The next initialized tick from `tick` in the swap's direction (inclusive of `tick` for a→b), or the edge of
    /// the last array given (the price bound at the ends of the tick range); with the index of the array it is in.
    func nextInitializedTick(from tick: Int, aToB: Bool, startingAt start: Int) throws(WhirlpoolError) -> (Int, Int) {
        let span = WhirlpoolTickArray.ticksPerArray * tickSpacing
        var search = tick
        var index = start
        while true {
            guard arrays.indices.contains(index) else { throw .tickArraySequenceInvalidIndex }
            let array = arrays[index]
            let arrayStart = Int(array.startTickIndex)
            // For b→a the range is shifted one spacing left: the search starts past the tick it is on.
            let lower = arrayStart - (aToB ? 0 : tickSpacing)
            guard search >= lower, search < lower + span else { throw .invalidTickArraySequence }
            var offset = self.offset(of: search, inArray: index) + (aToB ? 0 : 1)
            while (0..<WhirlpoolTickArray.ticksPerArray).contains(offset) {
                if array.ticks[offset].initialized { return (index, arrayStart + offset * tickSpacing) }
                offset += aToB ? -1 : 1
            }
            if aToB && arrayStart <= WhirlpoolMath.minTick { return (index, WhirlpoolMath.minTick) }
            if !aToB && arrayStart + span > WhirlpoolMath.maxTick { return (index, WhirlpoolMath.maxTick) }
            if index + 1 == arrays.count {
                // The last array given bounds the swap: its first tick going down, the tick before the next array
                // going up (which need not be a usable tick).
                return (index, aToB ? arrayStart : arrayStart + span - 1)
            }
            search = aToB ? arrayStart - 1 : arrayStart + span - 1
            index += 1
        }
    }
}
