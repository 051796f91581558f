/// Why the CPMM program refuses a swap: an Anchor error by its code, or the program aborting (its arithmetic
/// unwraps a failed checked operation: an output not below the reserve, an input too large for u128 or u64).
public enum RaydiumCPMMError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 6000: swaps disabled, or the clock before the pool's open time.
    case notApproved
    /// 6005: the output under the minimum, or the input over the maximum.
    case exceededSlippage
    /// 2505 RequireGtViolated: a zero input or output.
    case zeroAmount
    /// ProgramFailedToComplete: the program panicked (the reason names the failed step).
    case programPanic(String)

    public var code: Int? {
        switch self {
        case .notApproved: 6000
        case .exceededSlippage: 6005
        case .zeroAmount: 2505
        case .programPanic: nil
        }
    }

    public var description: String {
        switch self {
        case .notApproved: "CPMM error 6000 NotApproved: swaps are disabled or the pool is not open yet"
        case .exceededSlippage: "CPMM error 6005 ExceededSlippage"
        case .zeroAmount: "CPMM error 2505 RequireGtViolated: a zero input or output"
        case .programPanic(let reason): "CPMM program panicked: \(reason)"
        }
    }
}

/// A CPMM swap instruction: exact input with a least output, or exact output with a most input.
public enum RaydiumCPMMSwapRequest: Sendable, Hashable {
    case baseInput(amountIn: UInt64, minimumAmountOut: UInt64)
    case baseOutput(maxAmountIn: UInt64, amountOut: UInt64)
}

public struct RaydiumCPMMSwapQuote: Sendable, Hashable {
    public var amountIn: UInt64
    public var amountOut: UInt64
    /// The whole trade fee, in the input token, included in amountIn.
    public var tradeFee: UInt64
    /// Accrued to the pool's protocol and fund counters of the input token.
    public var protocolFee: UInt64
    public var fundFee: UInt64
}

extension RaydiumCPMMPool {
    /// The reserves the curve uses: vault balances less the fees accrued in them.
    public func reserves(vault0: UInt64, vault1: UInt64) throws(RaydiumCPMMError) -> (UInt64, UInt64) {
        let (held0, overflow0) = protocolFeesToken0.addingReportingOverflow(fundFeesToken0)
        let (held1, overflow1) = protocolFeesToken1.addingReportingOverflow(fundFeesToken1)
        guard !overflow0, !overflow1, vault0 >= held0, vault1 >= held1 else {
            throw .programPanic("the fees accrued exceed a vault's balance")
        }
        return (vault0 - held0, vault1 - held1)
    }

    /// The program's swap (swap_base_input / swap_base_output with classic SPL tokens, which take no transfer fee),
    /// in its u128 arithmetic, to the unit. `inputIsToken0` says which side is paid in; `clock` is the unix time
    /// the swap runs at.
    public func quote(_ request: RaydiumCPMMSwapRequest, inputIsToken0: Bool, config: RaydiumCPMMConfig,
                      vault0: UInt64, vault1: UInt64, clock: Int64) throws(RaydiumCPMMError) -> RaydiumCPMMSwapQuote {
        guard status & 0b100 == 0, clock >= 0, UInt64(clock) >= openTime else { throw .notApproved }
        let (reserve0, reserve1) = try reserves(vault0: vault0, vault1: vault1)
        let (reserveIn, reserveOut) = inputIsToken0 ? (UInt128(reserve0), UInt128(reserve1))
                                                    : (UInt128(reserve1), UInt128(reserve0))
        let denominator = UInt128(RaydiumCPMMConfig.rateDenominator)
        let tradeRate = UInt128(config.tradeFeeRate)
        func share(_ fee: UInt128, _ rate: UInt64) -> UInt64 { UInt64(fee * UInt128(rate) / denominator) }

        switch request {
        case .baseInput(let amountIn, let minimumAmountOut):
            guard amountIn > 0 else { throw .zeroAmount }
            let amount = UInt128(amountIn)
            let fee = (amount * tradeRate + denominator - 1) / denominator
            let afterFee = amount - fee
            // afterFee × reserveOut < 2^128 as both are below 2^64; an empty pool paid only a fee divides by zero.
            guard reserveIn + afterFee > 0 else { throw .programPanic("the input after the fee and its reserve are zero") }
            let out = afterFee * reserveOut / (reserveIn + afterFee)
            guard out <= UInt128(UInt64.max) else { throw .programPanic("the output does not fit u64") }
            guard out > 0 else { throw .zeroAmount }
            guard UInt64(out) >= minimumAmountOut else { throw .exceededSlippage }
            return RaydiumCPMMSwapQuote(amountIn: amountIn, amountOut: UInt64(out), tradeFee: UInt64(fee),
                                        protocolFee: share(fee, config.protocolFeeRate),
                                        fundFee: share(fee, config.fundFeeRate))
        case .baseOutput(let maxAmountIn, let amountOut):
            guard amountOut > 0 else { throw .zeroAmount }
            let out = UInt128(amountOut)
            guard out < reserveOut else { throw .programPanic("the output is not below the output reserve") }
            let swapped = Self.ceilDiv(reserveIn * out, reserveOut - out)
            let amount: UInt128
            if config.tradeFeeRate == 0 {
                amount = swapped
            } else {
                let (scaled, overflow) = swapped.multipliedReportingOverflow(by: denominator)
                guard !overflow else { throw .programPanic("the input before the fee overflows u128") }
                let rest = denominator - tradeRate
                let (padded, overflowAdd) = scaled.addingReportingOverflow(rest - 1)
                guard !overflowAdd else { throw .programPanic("the input before the fee overflows u128") }
                amount = padded / rest
            }
            guard amount <= UInt128(UInt64.max) else { throw .programPanic("the input does not fit u64") }
            let (feeProduct, feeOverflow) = amount.multipliedReportingOverflow(by: tradeRate)
            guard !feeOverflow else { throw .programPanic("the trade fee overflows u128") }
            let fee = (feeProduct + denominator - 1) / denominator
            guard amount > 0 else { throw .zeroAmount }
            guard UInt64(amount) <= maxAmountIn else { throw .exceededSlippage }
            return RaydiumCPMMSwapQuote(amountIn: UInt64(amount), amountOut: amountOut, tradeFee: UInt64(fee),
                                        protocolFee: share(fee, config.protocolFeeRate),
                                        fundFee: share(fee, config.fundFeeRate))
        }
    }

    /// The program's `checked_ceil_div` quotient: rounded up, except that a quotient below 1 rounds half-up (to 1
    /// from one half, else 0).
    static func ceilDiv(_ numerator: UInt128, _ denominator: UInt128) -> UInt128 {
        let quotient = numerator / denominator
        if quotient == 0 { return numerator.multipliedReportingOverflow(by: 2).partialValue >= denominator ? 1 : 0 }
        return numerator % denominator > 0 ? quotient + 1 : quotient
    }
}
