import BigInt
import DexterCore

/// How a chain's transactions are priced: the configured part of EIP-1559 fee choice.
public struct FeePolicy: Sendable, Hashable {
    /// Which of the percentiles asked of `eth_feeHistory` to take the priority fee from (index into `reward` rows).
    public var rewardPercentileIndex: Int
    /// No transaction is sent with a maxFeePerGas above this (wei per gas).
    public var maxFeePerGasCap: BigUInt
    /// Priority fee floor (wei per gas): private relays drop a zero tip, empty blocks report one.
    public var minimumPriorityFee: BigUInt
    /// Gas limit = ⌈eth_estimateGas × (100 + margin) / 100⌉.
    public var gasMarginPercent: UInt

    public init(rewardPercentileIndex: Int = 0, maxFeePerGasCap: BigUInt, minimumPriorityFee: BigUInt = 1,
                gasMarginPercent: UInt = 20) {
        self.rewardPercentileIndex = rewardPercentileIndex
        self.maxFeePerGasCap = maxFeePerGasCap
        self.minimumPriorityFee = minimumPriorityFee
        self.gasMarginPercent = gasMarginPercent
    }
}

/// Why no fee was chosen.
public enum FeeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The fee the market asks is above the configured cap: refused, never sent capped (it would not be mined).
    case aboveCap(maxFeePerGas: BigUInt, cap: BigUInt)
    /// The history has no block to read.
    case emptyHistory
    /// A block's reward row lacks the configured percentile.
    case percentileMissing(index: Int, block: BigUInt)
    /// The gas estimate was zero: no transaction costs nothing.
    case zeroGasEstimate
    /// A cost too large for FixedDecimal's range.
    case costOutOfRange(wei: BigUInt)

    public var description: String {
        switch self {
        case .aboveCap(let fee, let cap):
            return "maxFeePerGas \(fee) wei is above the configured cap \(cap) wei: not sent"
        case .emptyHistory: return "eth_feeHistory returned no block"
        case .percentileMissing(let index, let block): return "block \(block) has no reward at percentile index \(index)"
        case .zeroGasEstimate: return "eth_estimateGas returned 0"
        case .costOutOfRange(let wei): return "gas cost \(wei) wei is outside the decimal range"
        }
    }
}

/// The fees and gas of one transaction, and what it costs.
public struct FeeQuote: Sendable, Hashable {
    /// The base fee by EIP-1559's rule from the latest block's header.
    public let formulaNextBaseFee: BigUInt
    /// The node's own next base fee (the last `baseFeePerGas` of `eth_feeHistory`).
    public let nodeNextBaseFee: BigUInt
    /// The higher of the two: the one priced against.
    public var nextBaseFee: BigUInt { max(formulaNextBaseFee, nodeNextBaseFee) }
    public let maxPriorityFeePerGas: BigUInt
    public let maxFeePerGas: BigUInt
    public let gasEstimate: BigUInt
    public let gasLimit: BigUInt

    /// What the transaction costs if it uses its estimate in the next block (wei).
    public var expectedCostWei: BigUInt { gasEstimate * (nextBaseFee + maxPriorityFeePerGas) }
    /// The most it can cost: every gas unit of the limit at the fee cap (wei). The balance must cover this.
    public var worstCaseCostWei: BigUInt { gasLimit * maxFeePerGas }

    /// `wei` in the gas token (18 decimals for ETH, BNB, POL), exact.
    public static func inGasToken(_ wei: BigUInt, decimals: Int = 18) throws(FeeError) -> FixedDecimal {
        guard let units = Int128(exactly: wei), units <= Int128.max / FixedDecimal.pow10(FixedDecimal.fractionDigits - decimals)
        else { throw .costOutOfRange(wei: wei) }
        return FixedDecimal(units: units, decimals: decimals)
    }

    /// The expected cost in USD at `gasTokenPrice` USD per whole gas token, truncated at 18 digits.
    public func expectedCostUSD(gasTokenPrice: FixedDecimal, decimals: Int = 18) throws(FeeError) -> FixedDecimal {
        try Self.inGasToken(expectedCostWei, decimals: decimals) * gasTokenPrice
    }
}

/// Chooses EIP-1559 fees: the next base fee (both the EIP's formula and the node's figure, the higher taken), a
/// priority fee that is the median over the window of the blocks' rewards at the configured percentile, and
/// maxFeePerGas = 2 × next base fee + priority, which stays valid through six full blocks of base-fee rises.
public enum FeePlanner {
    public static func quote(history: FeeHistory, latestBaseFee: BigUInt, latestGasUsed: BigUInt, latestGasLimit: BigUInt,
                             gasEstimate: BigUInt, policy: FeePolicy) throws(FeeError) -> FeeQuote {
        guard let nodeNext = history.nodeNextBaseFee, !history.gasUsedRatio.isEmpty else { throw .emptyHistory }
        guard gasEstimate > 0 else { throw .zeroGasEstimate }
        let formulaNext = BaseFeeRule.next(parentBaseFee: latestBaseFee, parentGasUsed: latestGasUsed,
                                           parentGasLimit: latestGasLimit)
        let priority = max(try medianReward(history, index: policy.rewardPercentileIndex), policy.minimumPriorityFee)
        let maxFee = 2 * max(formulaNext, nodeNext) + priority
        guard maxFee <= policy.maxFeePerGasCap else { throw .aboveCap(maxFeePerGas: maxFee, cap: policy.maxFeePerGasCap) }
        let scaled = gasEstimate * BigUInt(100 + policy.gasMarginPercent)
        let gasLimit = (scaled + 99) / 100
        return FeeQuote(formulaNextBaseFee: formulaNext, nodeNextBaseFee: nodeNext, maxPriorityFeePerGas: priority,
                        maxFeePerGas: maxFee, gasEstimate: gasEstimate, gasLimit: gasLimit)
    }

    /// The median of the window's rewards at one percentile; of an even count, the mean of the middle two rounded up.
    static func medianReward(_ history: FeeHistory, index: Int) throws(FeeError) -> BigUInt {
        // No percentiles asked: no tip evidence, the policy's floor decides.
        if history.reward.isEmpty { return 0 }
        var rewards: [BigUInt] = []
        for (offset, row) in history.reward.enumerated() {
            guard index >= 0, index < row.count else {
                throw .percentileMissing(index: index, block: history.oldestBlock + BigUInt(offset))
            }
            rewards.append(row[index])
        }
        rewards.sort()
        let middle = rewards.count / 2
        if rewards.count % 2 == 1 { return rewards[middle] }
        return (rewards[middle - 1] + rewards[middle] + 1) / 2
    }
}
