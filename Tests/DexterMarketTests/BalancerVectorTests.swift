import BigInt
import Testing
@testable import DexterMarket

/// Balancer weighted math against its external vectors, to the last unit.
@Suite struct BalancerVectorTests {
    // Source: KyberNetwork/kyberswap-dex-lib balancer/v2/math/weighted_math_test.go, via ../shared/vectors/balancer/weighted.json
    @Test func weightedMathMatchesTheV2Port() throws {
        for (key, given) in [("calcOutGivenIn", "amountIn"), ("calcInGivenOut", "amountOut")] {
            let cases = try Fixture.cases(shared: "vectors/balancer/weighted.json", key)
            #expect(cases.count == 4)
            for vector in cases {
                let result = Result { () throws(PoolMathError) -> BigUInt in
                    key == "calcOutGivenIn"
                        ? try WeightedMath.outGivenIn(balanceIn: vector.big("balanceIn"), weightIn: vector.big("weightIn"),
                                                      balanceOut: vector.big("balanceOut"),
                                                      weightOut: vector.big("weightOut"), amountIn: vector.big(given))
                        : try WeightedMath.inGivenOut(balanceIn: vector.big("balanceIn"), weightIn: vector.big("weightIn"),
                                                      balanceOut: vector.big("balanceOut"),
                                                      weightOut: vector.big("weightOut"), amountOut: vector.big(given))
                }
                if vector["expectError"] != nil {
                    #expect(throws: PoolMathError.maxRatioExceeded) { try result.get() }
                } else {
                    #expect(try result.get() == vector.big("expected"), "\(key) \(vector.string("name"))")
                }
            }
        }
    }

    // Source: balancer/balancer-maths testData, via ../shared/vectors/balancer/v3/
    @Test func v3WeightedAndLiquidityBootstrappingSwapsMatch() throws {
        for file in ["vectors/balancer/v3/11155111-7439300-Weighted-USDC-DAI.json", "vectors/balancer/v3/11155111-8085514-LBP-BAL-DAI.json"] {
            let data = try Fixture.json(shared: file)
            let pool = data.object("pool")
            let weighted = WeightedPool(
                balancesScaled18: bigs(pool["balancesLiveScaled18"]), weights: bigs(pool["weights"]),
                scalingFactors: bigs(pool["scalingFactors"]), tokenRates: bigs(pool["tokenRates"]),
                swapFee: pool.big("swapFee"))
            try checkSwaps(data, pool: weighted, tokens: pool["tokens"] as? [String] ?? [], file: file)
        }
    }

    /// QuantAMM moves each weight linearly in time: w + multiplier × (min(now, lastInterop) − lastUpdate), packed as
    /// the n weights then the n multipliers.
    // Source: balancer/balancer-maths testData, via ../shared/vectors/balancer/v3/1-22524240-QuantAMM.json
    @Test func quantAMMSwapsMatchWithInterpolatedWeights() throws {
        let data = try Fixture.json(shared: "vectors/balancer/v3/1-22524240-QuantAMM.json")
        let pool = data.object("pool")
        let packed = (pool["firstFourWeightsAndMultipliers"] as? [String] ?? []).map { BigInt($0, radix: 10)! }
        let tokens = pool["tokens"] as? [String] ?? []
        let elapsed = BigInt(min(pool.big("currentTimestamp"), pool.big("lastInteropTime")) - pool.big("lastUpdateTime"))
        let weights = (0..<tokens.count).map { index in
            BigUInt(packed[index] + packed[tokens.count + index] * elapsed)
        }
        let quant = WeightedPool(
            balancesScaled18: bigs(pool["balancesLiveScaled18"]), weights: weights,
            scalingFactors: bigs(pool["scalingFactors"]), tokenRates: bigs(pool["tokenRates"]),
            swapFee: pool.big("swapFee"), maxTradeRatio: pool.big("maxTradeSizeRatio"))
        try checkSwaps(data, pool: quant, tokens: tokens, file: "QuantAMM")
    }

    @Test func logExpMathKnownValues() throws {
        let one = BalancerFixedPoint.one
        #expect(try LogExpMath.exp(0) == BigInt(one))
        // 2^2 through ln and exp: within the 1e-14 relative error powUp/powDown allow for.
        let four = try LogExpMath.pow(2 * one, 2 * one)
        #expect(four > 4 * one - 40_000 && four < 4 * one + 40_000)
        #expect(try BalancerFixedPoint.powUp(2 * one, 3 * one / 2) >= (try LogExpMath.pow(2 * one, 3 * one / 2)))
        // e^1 to 18 decimals, within the library's stated 1e-18 relative accuracy.
        let e = try LogExpMath.exp(BigInt(one))
        #expect(abs(e - BigInt("2718281828459045235", radix: 10)!) <= 10)
        #expect(throws: PoolMathError.overflow) { try LogExpMath.exp(131 * BigInt(one)) }
    }

    private func bigs(_ value: Any?) -> [BigUInt] { (value as? [String] ?? []).map { BigUInt($0, radix: 10)! } }

    private func checkSwaps(_ data: [String: Any], pool: WeightedPool, tokens: [String], file: String) throws {
        let swaps = data["swaps"] as? [[String: Any]] ?? []
        #expect(swaps.count == 4)
        let lowered = tokens.map { $0.lowercased() }
        for swap in swaps {
            let i = try #require(lowered.firstIndex(of: swap.string("tokenIn").lowercased()))
            let j = try #require(lowered.firstIndex(of: swap.string("tokenOut").lowercased()))
            let amount = swap.big("amountRaw")
            let result = swap.int("swapKind") == 0
                ? try pool.amountOut(i: i, j: j, amountIn: amount)
                : try pool.amountIn(i: i, j: j, amountOut: amount)
            #expect(result == swap.big("outputRaw"), "\(file) kind \(swap.int("swapKind")) \(amount) \(i)→\(j)")
        }
    }
}
