import BigInt
import DexterCore
@testable import DexterEVM
import Foundation
import Testing

struct SwapFeeTests {
    /// go-ethereum `consensus/misc/eip1559/eip1559_test.go` TestCalcBaseFee: parent base fee 1 gwei, gas limit 20 M.
    @Test(arguments: [(10_000_000, 1_000_000_000), (9_000_000, 987_500_000), (11_000_000, 1_012_500_000),
                      (20_000_000, 1_125_000_000), (0, 875_000_000)])
    func baseFeeRuleMatchesGethsVectors(gasUsed: Int, expected: Int) {
        #expect(BaseFeeRule.next(parentBaseFee: 1_000_000_000, parentGasUsed: BigUInt(gasUsed), parentGasLimit: 20_000_000)
            == BigUInt(expected))
    }

    @Test func aRiseIsAtLeastOneWei() {
        // 7 wei × 1 gas over target / 15 M / 8 rounds to 0: the EIP's max(…, 1) makes it 1.
        #expect(BaseFeeRule.next(parentBaseFee: 7, parentGasUsed: 15_000_001, parentGasLimit: 30_000_000) == 8)
        #expect(BaseFeeRule.next(parentBaseFee: 7, parentGasUsed: 14_999_999, parentGasLimit: 30_000_000) == 7)
    }

    /// An answer in the shape of execution-apis' eth_feeHistory example (hex quantities, floats for the ratio).
    static let historyJSON = """
        {"oldestBlock":"0x26","baseFeePerGas":["0x3b9aca00","0x3b02d8d4","0x33a28f10","0x2d1a8f1e","0x2d08e3b6"],
         "gasUsedRatio":[0.0105,0.0,0.5,0.4988],
         "reward":[["0x3b9aca00","0x77359400"],["0x0","0x0"],["0x59682f00","0xb2d05e00"],["0x3b9aca00","0x3b9aca01"]]}
        """

    static func history() throws -> FeeHistory {
        try JSONDecoder().decode(FeeHistory.self, from: Data(historyJSON.utf8))
    }

    @Test func feeHistoryDecodesStrictly() throws {
        let history = try Self.history()
        #expect(history.oldestBlock == 0x26)
        #expect(history.nodeNextBaseFee == 0x2d08e3b6)
        #expect(history.reward[2] == [1_500_000_000, 3_000_000_000])
        let leadingZero = Self.historyJSON.replacingOccurrences(of: "\"0x26\"", with: "\"0x026\"")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(FeeHistory.self, from: Data(leadingZero.utf8)) }
        let short = Self.historyJSON.replacingOccurrences(of: ",\"0x2d08e3b6\"]", with: "]")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(FeeHistory.self, from: Data(short.utf8)) }
    }

    @Test func quoteTakesTheMedianTipAndTwiceTheHigherNextBaseFee() throws {
        let policy = FeePolicy(maxFeePerGasCap: 100_000_000_000)
        // Latest block: base 0x2d1a8f1e = 756,715,294 wei, half full of 30 M → formula keeps it; the node says 755,557,302.
        let quote = try FeePlanner.quote(history: try Self.history(), latestBaseFee: 0x2d1a8f1e, latestGasUsed: 15_000_000,
                                         latestGasLimit: 30_000_000, gasEstimate: 123_457, policy: policy)
        #expect(quote.formulaNextBaseFee == 756_715_294)
        #expect(quote.nodeNextBaseFee == 755_557_302)
        #expect(quote.nextBaseFee == 756_715_294)
        // Rewards at the first percentile: 0, 1 gwei, 1 gwei, 1.5 gwei → median (1 + 1) / 2 = 1 gwei.
        #expect(quote.maxPriorityFeePerGas == 1_000_000_000)
        #expect(quote.maxFeePerGas == 2 * 756_715_294 + 1_000_000_000)
        // 123,457 × 1.2 = 148,148.4 → 148,149 (rounded up).
        #expect(quote.gasLimit == 148_149)
        #expect(quote.worstCaseCostWei == 148_149 * BigUInt(2_513_430_588))
        #expect(quote.expectedCostWei == 123_457 * BigUInt(1_756_715_294))

        let second = try FeePlanner.quote(history: try Self.history(), latestBaseFee: 0x2d1a8f1e, latestGasUsed: 15_000_000,
                                          latestGasLimit: 30_000_000, gasEstimate: 21_000,
                                          policy: FeePolicy(rewardPercentileIndex: 1, maxFeePerGasCap: 100_000_000_000))
        // 0, 1.000000001, 2, 3 gwei → (1,000,000,001 + 2,000,000,000 + 1) / 2.
        #expect(second.maxPriorityFeePerGas == 1_500_000_001)
    }

    @Test func aFeeAboveTheCapIsRefusedWithBothNumbers() throws {
        let policy = FeePolicy(maxFeePerGasCap: 2_000_000_000)
        #expect(throws: FeeError.aboveCap(maxFeePerGas: 2_513_430_588, cap: 2_000_000_000)) {
            try FeePlanner.quote(history: try Self.history(), latestBaseFee: 0x2d1a8f1e, latestGasUsed: 15_000_000,
                                 latestGasLimit: 30_000_000, gasEstimate: 21_000, policy: policy)
        }
        #expect(FeeError.aboveCap(maxFeePerGas: 2_513_430_588, cap: 2_000_000_000).description
            == "maxFeePerGas 2513430588 wei is above the configured cap 2000000000 wei: not sent")
    }

    @Test func missingPercentilesAndEmptyEstimatesAreNamed() throws {
        #expect(throws: FeeError.percentileMissing(index: 2, block: 0x26)) {
            try FeePlanner.quote(history: try Self.history(), latestBaseFee: 1, latestGasUsed: 0, latestGasLimit: 30_000_000,
                                 gasEstimate: 21_000, policy: FeePolicy(rewardPercentileIndex: 2, maxFeePerGasCap: 1 << 64))
        }
        #expect(throws: FeeError.zeroGasEstimate) {
            try FeePlanner.quote(history: try Self.history(), latestBaseFee: 1, latestGasUsed: 0, latestGasLimit: 30_000_000,
                                 gasEstimate: 0, policy: FeePolicy(maxFeePerGasCap: 1 << 64))
        }
        let empty = FeeHistory(oldestBlock: 0, baseFeePerGas: [7], gasUsedRatio: [], reward: [])
        #expect(throws: FeeError.emptyHistory) {
            try FeePlanner.quote(history: empty, latestBaseFee: 1, latestGasUsed: 0, latestGasLimit: 30_000_000,
                                 gasEstimate: 21_000, policy: FeePolicy(maxFeePerGasCap: 1 << 64))
        }
        // Without reward rows the floor sets the tip.
        let noRewards = FeeHistory(oldestBlock: 5, baseFeePerGas: [10, 9], gasUsedRatio: [0], reward: [])
        let quote = try FeePlanner.quote(history: noRewards, latestBaseFee: 10, latestGasUsed: 0, latestGasLimit: 30_000_000,
                                         gasEstimate: 21_000, policy: FeePolicy(maxFeePerGasCap: 1 << 64, minimumPriorityFee: 3))
        #expect(quote.maxPriorityFeePerGas == 3)
        #expect(quote.maxFeePerGas == 2 * 9 + 3)
    }

    @Test func costInTheGasTokenIsExactAndInUSDTruncated() throws {
        // 21,000 gas × 30 gwei = 0.00063 ETH; at 3,123.45 USD that is 1.9677735 USD.
        let wei = BigUInt(21_000) * 30_000_000_000
        #expect(try FeeQuote.inGasToken(wei) == FixedDecimal(parsing: "0.00063"))
        let quote = FeeQuote(formulaNextBaseFee: 29_000_000_000, nodeNextBaseFee: 28_000_000_000,
                             maxPriorityFeePerGas: 1_000_000_000, maxFeePerGas: 59_000_000_000, gasEstimate: 21_000,
                             gasLimit: 25_200)
        #expect(quote.expectedCostWei == wei)
        #expect(try quote.expectedCostUSD(gasTokenPrice: FixedDecimal(parsing: "3123.45")) == FixedDecimal(parsing: "1.9677735"))
        // 1 wei of a 6-decimal token cannot be shown at 18 digits only when it overflows, not when it is small.
        #expect(try FeeQuote.inGasToken(1, decimals: 6) == FixedDecimal(parsing: "0.000001"))
        #expect(throws: FeeError.costOutOfRange(wei: BigUInt(1) << 127)) { try FeeQuote.inGasToken(BigUInt(1) << 127) }
    }
}
