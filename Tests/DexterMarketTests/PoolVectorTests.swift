import BigInt
import DexterMarket
import Testing

/// Pool math against the contracts' own test vectors, read in ../shared/vectors (see its SOURCES.md).
@Suite struct ConstantProductVectorTests {
    // Source: Uniswap/v2-core test/UniswapV2Pair.spec.ts, via ../shared/vectors/uniswap/v2_amounts.json
    @Test func pairSwapsMatchTheV2Core() throws {
        let cases = try Fixture.cases(shared: "vectors/uniswap/v2_amounts.json", "pair_swap")
        #expect(cases.count == 7)
        for vector in cases {
            let out = try ConstantProductPool.amountOut(
                in: vector.big("amountIn"), reserveIn: vector.big("reserveIn"), reserveOut: vector.big("reserveOut"),
                feeBps: 30)
            #expect(out == vector.big("expectedAmountOut"), "\(vector.string("id"))")
        }
    }

    // Source: Uniswap/v2-periphery test/UniswapV2Router02.spec.ts, via ../shared/vectors/uniswap/v2_amounts.json
    @Test func routerLibraryMatchesIncludingReverts() throws {
        let cases = try Fixture.cases(shared: "vectors/uniswap/v2_amounts.json", "router")
        var checked = 0
        for vector in cases {
            let expectsError = vector["expectError"] != nil
            let result: BigUInt?
            switch vector.string("fn") {
            case "quote":
                result = try? ConstantProductPool.quote(vector.big("amountA"), reserveA: vector.big("reserveA"),
                                                        reserveB: vector.big("reserveB"))
            case "getAmountOut":
                result = try? ConstantProductPool.amountOut(in: vector.big("amountIn"), reserveIn: vector.big("reserveIn"),
                                                            reserveOut: vector.big("reserveOut"), feeBps: 30)
            case "getAmountIn":
                result = try? ConstantProductPool.amountIn(out: vector.big("amountOut"), reserveIn: vector.big("reserveIn"),
                                                           reserveOut: vector.big("reserveOut"), feeBps: 30)
            default:
                continue
            }
            checked += 1
            if expectsError {
                #expect(result == nil, "\(vector) should revert")
            } else {
                #expect(result == vector.big("expected"), "\(vector)")
            }
        }
        #expect(checked >= 10)
    }
}

@Suite struct ConcentratedLiquidityVectorTests {
    // Source: 0xKitsune/uniswap-v3-math src/swap_math.rs, via ../shared/vectors/uniswap/v3_swapmath.json
    @Test func swapStepsMatchV3() throws {
        let cases = try Fixture.cases(shared: "vectors/uniswap/v3_swapmath.json", "computeSwapStep")
        #expect(cases.count == 9)
        for vector in cases {
            let step = try ConcentratedLiquidityMath.computeSwapStep(
                sqrtPriceCurrent: vector.big("sqrtRatioCurrentX96"), sqrtPriceTarget: vector.big("sqrtRatioTargetX96"),
                liquidity: vector.big("liquidity"), amountRemaining: vector.signed("amountRemaining"),
                feePips: vector.int("feePips"))
            let expected = vector.object("expected")
            #expect(step.sqrtPriceNext == expected.big("sqrtRatioNextX96"), "\(vector.string("name"))")
            #expect(step.amountIn == expected.big("amountIn"), "\(vector.string("name"))")
            #expect(step.amountOut == expected.big("amountOut"), "\(vector.string("name"))")
            #expect(step.feeAmount == expected.big("feeAmount"), "\(vector.string("name"))")
        }
    }

    // Source: 0xKitsune/uniswap-v3-math src/sqrt_price_math.rs, via ../shared/vectors/uniswap/v3_sqrtpricemath.json
    @Test func sqrtPriceMathMatchesV3IncludingReverts() throws {
        var checked = 0
        for vector in try Fixture.cases(shared: "vectors/uniswap/v3_sqrtpricemath.json", "getNextSqrtPriceFromInput") {
            let result = try? ConcentratedLiquidityMath.nextSqrtPriceFromInput(
                vector.big("sqrtPX96"), liquidity: vector.big("liquidity"), amountIn: vector.big("amount"),
                zeroForOne: vector.bool("zeroForOne"))
            #expect(result == (vector["expectError"] == nil ? vector.big("expected") : nil), "\(vector.string("name"))")
            checked += 1
        }
        for vector in try Fixture.cases(shared: "vectors/uniswap/v3_sqrtpricemath.json", "getNextSqrtPriceFromOutput") {
            let result = try? ConcentratedLiquidityMath.nextSqrtPriceFromOutput(
                vector.big("sqrtPX96"), liquidity: vector.big("liquidity"), amountOut: vector.big("amount"),
                zeroForOne: vector.bool("zeroForOne"))
            #expect(result == (vector["expectError"] == nil ? vector.big("expected") : nil), "\(vector.string("name"))")
            checked += 1
        }
        for vector in try Fixture.cases(shared: "vectors/uniswap/v3_sqrtpricemath.json", "getAmount0Delta") {
            let result = try? ConcentratedLiquidityMath.amount0Delta(
                vector.big("sqrtRatioAX96"), vector.big("sqrtRatioBX96"), liquidity: vector.big("liquidity"),
                roundUp: vector.bool("roundUp"))
            #expect(result == (vector["expectError"] == nil ? vector.big("expected") : nil), "\(vector.string("name"))")
            checked += 1
        }
        for vector in try Fixture.cases(shared: "vectors/uniswap/v3_sqrtpricemath.json", "getAmount1Delta") {
            let result = try? ConcentratedLiquidityMath.amount1Delta(
                vector.big("sqrtRatioAX96"), vector.big("sqrtRatioBX96"), liquidity: vector.big("liquidity"),
                roundUp: vector.bool("roundUp"))
            #expect(result == (vector["expectError"] == nil ? vector.big("expected") : nil), "\(vector.string("name"))")
            checked += 1
        }
        #expect(checked == 35)
    }
}

@Suite struct StableSwapVectorTests {
    func pool(_ snapshot: [String: Any], at blockTime: Any? = nil) -> StableSwapPool {
        let balances = (snapshot["balances"] as? [String] ?? []).map { BigUInt($0, radix: 10) ?? 0 }
        let tokens = snapshot["tokens"] as? [[String: Any]] ?? []
        let rates = (snapshot["rates"] as? [String])?.map { BigUInt($0, radix: 10) ?? 0 }
        return StableSwapPool(balances: balances, decimals: tokens.map { $0.int("decimals") },
                              amplification: amplification(snapshot, at: blockTime), fee: snapshot.big("swapFee"), rates: rates)
    }

    /// Curve's `_A()`: while A ramps, it moves linearly from initialA to futureA. One vector states its times
    /// symbolically ("T", "2*T": A at T for any T > 0), so T is taken as 1.
    func amplification(_ snapshot: [String: Any], at blockTime: Any? = nil) -> BigUInt {
        if snapshot["A"] is String { return snapshot.big("A") }
        func time(_ value: Any?) -> BigUInt {
            if let number = value as? Int { return BigUInt(number) }
            let text = value as? String ?? "0"
            if text == "T" { return 1 }
            if text.hasSuffix("*T") { return BigUInt(text.dropLast(2), radix: 10) ?? 0 }
            return BigUInt(text, radix: 10) ?? 0
        }
        let now = time(blockTime ?? snapshot["snapshotTimestamp"])
        let (a0, a1) = (snapshot.big("initialA"), snapshot.big("futureA"))
        let (t0, t1) = (time(snapshot["initialATime"]), time(snapshot["futureATime"]))
        guard now < t1 else { return a1 }
        return a1 > a0 ? a0 + (a1 - a0) * (now - t0) / (t1 - t0) : a0 - (a0 - a1) * (now - t0) / (t1 - t0)
    }

    // Source: KyberNetwork/kyberswap-dex-lib curve/plain/pool_simulator_test.go, via ../shared/vectors/curve/stableswap_get_dy.json
    @Test func getDyMatchesRealPoolSnapshots() throws {
        let file = try Fixture.json(shared: "vectors/curve/stableswap_get_dy.json")
        let pools = file["pools"] as? [String: [String: Any]] ?? [:]
        let cases = file["get_dy"] as? [[String: Any]] ?? []
        #expect(cases.count == 41)
        for vector in cases {
            let subject = pool(pools[vector.string("pool")] ?? [:], at: vector["blockTimestamp"])
            let dy = try subject.amountOut(i: vector.int("i"), j: vector.int("j"), dx: vector.big("dx"))
            #expect(dy == vector.big("expectedDy"), "\(vector.string("id"))")
        }
    }

    // Source: KyberNetwork/kyberswap-dex-lib curve/plain/pool_simulator_test.go, via ../shared/vectors/curve/stableswap_get_dy.json
    @Test func getDxMatchesRealPoolSnapshots() throws {
        let file = try Fixture.json(shared: "vectors/curve/stableswap_get_dy.json")
        let pools = file["pools"] as? [String: [String: Any]] ?? [:]
        let cases = file["get_dx"] as? [[String: Any]] ?? []
        #expect(cases.count == 32)
        for vector in cases {
            let subject = pool(pools[vector.string("pool")] ?? [:], at: vector["blockTimestamp"])
            let dx = try subject.amountIn(i: vector.int("i"), j: vector.int("j"), dy: vector.big("dy"))
            #expect(dx == vector.big("expectedDx"), "\(vector.string("id"))")
        }
    }

    // Source: KyberNetwork/kyberswap-dex-lib curve/plain/pool_simulator_test.go, via ../shared/vectors/curve/stableswap_get_dy.json
    @Test func impossibleSwapsAreRefused() throws {
        let file = try Fixture.json(shared: "vectors/curve/stableswap_get_dy.json")
        let pools = file["pools"] as? [String: [String: Any]] ?? [:]
        for vector in file["errors"] as? [[String: Any]] ?? [] {
            let subject = pool(pools[vector.string("pool")] ?? [:])
            #expect(throws: (any Error).self, "\(vector.string("id"))") {
                try subject.amountOut(i: vector.int("i"), j: vector.int("j"), dx: vector.big("dx"))
            }
        }
    }
}

/// Uniswap V3 TickMath against the v3-core test snapshot: the forward function bit for bit, the inverse tick for
/// tick, and the reverts at the ends of the range.
@Suite struct TickMathVectorTests {
    // Source: Uniswap/v3-core TickMath.spec.ts and its snapshot, via ../shared/vectors/uniswap/v3_tickmath.json
    @Test func sqrtRatioAtTickMatchesTheContract() throws {
        let cases = try Fixture.cases(shared: "vectors/uniswap/v3_tickmath.json", "getSqrtRatioAtTick")
        #expect(cases.count == 32)
        for vector in cases {
            #expect(try TickMath.sqrtRatio(atTick: vector.int("tick")) == vector.big("sqrtPriceX96"), "tick \(vector.int("tick"))")
        }
        let constants = try Fixture.json(shared: "vectors/uniswap/v3_tickmath.json")["constants"] as? [String: Any] ?? [:]
        #expect(TickMath.minSqrtRatio == constants.big("MIN_SQRT_RATIO") && TickMath.maxSqrtRatio == constants.big("MAX_SQRT_RATIO"))
        #expect(try TickMath.sqrtRatio(atTick: TickMath.minTick) == TickMath.minSqrtRatio)
        #expect(try TickMath.sqrtRatio(atTick: TickMath.maxTick) == TickMath.maxSqrtRatio)
    }

    // Source: Uniswap/v3-core TickMath.spec.ts and its snapshot, via ../shared/vectors/uniswap/v3_tickmath.json
    @Test func tickAtSqrtRatioMatchesTheContract() throws {
        let cases = try Fixture.cases(shared: "vectors/uniswap/v3_tickmath.json", "getTickAtSqrtRatio")
        #expect(cases.count == 17)
        for vector in cases {
            #expect(try TickMath.tick(atSqrtRatio: vector.big("sqrtPriceX96")) == vector.int("tick"), "\(vector.string("sqrtPriceX96"))")
        }
    }

    // Source: Uniswap/v3-core TickMath.spec.ts and its snapshot, via ../shared/vectors/uniswap/v3_tickmath.json
    @Test func revertsWhereTheContractReverts() throws {
        let cases = try Fixture.cases(shared: "vectors/uniswap/v3_tickmath.json", "errors")
        #expect(cases.count == 4)
        for vector in cases {
            if vector.string("fn") == "getSqrtRatioAtTick" {
                #expect(throws: PoolMathError.tickOutOfRange(vector.int("tick"))) { try TickMath.sqrtRatio(atTick: vector.int("tick")) }
            } else {
                #expect(throws: PoolMathError.sqrtRatioOutOfRange) { try TickMath.tick(atSqrtRatio: vector.big("sqrtPriceX96")) }
            }
        }
    }
}
