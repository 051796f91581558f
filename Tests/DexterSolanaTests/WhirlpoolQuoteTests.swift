import BigInt
import Foundation
import Testing

@testable import DexterSolana

/// dexter's Whirlpool quote against the program's own results: ../shared/vectors/solana/whirlpool_swaps.json (321
/// swaps run by the Orca Whirlpool mainnet build of 2024-10-11 in LiteSVM; see SOURCES.md there). Each case gives the
/// pool and tick-array accounts as bytes; the quote must give the program's amounts and pool afterwards to the unit,
/// or the program's error.
@Suite struct WhirlpoolQuoteTests {
    @Test func everyRecordedSwapIsQuotedToTheUnit() throws {
        let file = try SolanaVectors.json("whirlpool_swaps.json")
        let images = try #require(file["tick_array_data"] as? [String: String])
        let cases = try #require(file["cases"] as? [[String: Any]])
        #expect(cases.count == 321)
        var matched = 0, crossings = 0
        for vector in cases {
            let id = vector["id"] as? Int ?? -1
            let pool = try WhirlpoolState(decoding: try SolanaVectors.bytes(
                (vector["whirlpool"] as? [String: Any])?["data"], "case \(id) whirlpool"))
            var arrays: [WhirlpoolTickArray] = []
            for entry in try #require(vector["tick_arrays"] as? [[String: Any]]) {
                let start: Int32 = try SolanaVectors.integer(entry["start_tick_index"], "case \(id) start_tick_index")
                if let hash = entry["data_sha256"] as? String {
                    let array = try WhirlpoolTickArray(decoding: try SolanaVectors.bytes(images[hash], "tick array \(hash)"))
                    #expect(array.startTickIndex == start, "case \(id): the array's own start index")
                    arrays.append(array)
                } else {
                    arrays.append(WhirlpoolTickArray(absentAt: start))
                }
            }
            let input = try #require(vector["input"] as? [String: Any])
            let request = WhirlpoolSwapRequest(
                amount: try SolanaVectors.integer(input["amount"], "amount"),
                otherAmountThreshold: try SolanaVectors.integer(input["other_amount_threshold"], "threshold"),
                sqrtPriceLimit: try SolanaVectors.integer(input["sqrt_price_limit"], "sqrt_price_limit"),
                amountSpecifiedIsInput: try #require(input["amount_specified_is_input"] as? Bool),
                aToB: try #require(input["a_to_b"] as? Bool))
            let result = try #require(vector["result"] as? [String: Any])
            let outcome = Result { () throws(WhirlpoolError) in try pool.quote(request, tickArrays: arrays) }
            if result["status"] as? String == "ok" {
                guard case .success(let quote) = outcome else {
                    Issue.record("case \(id): the program swapped, the quote says \(outcome)")
                    continue
                }
                let post = try #require(result["post"] as? [String: Any])
                let after = try WhirlpoolState(decoding: try SolanaVectors.bytes(result["whirlpool_data_after"], "after"))
                let crossed = try #require(result["initialized_ticks_crossed"] as? [Int])
                let amountIn: UInt64 = try SolanaVectors.integer(result["amount_in"], "amount_in")
                let amountOut: UInt64 = try SolanaVectors.integer(result["amount_out"], "amount_out")
                var expected = after
                expected.rewardLastUpdatedTimestamp = pool.rewardLastUpdatedTimestamp
                let postPrice: UInt128 = try SolanaVectors.integer(post["sqrt_price"], "sqrt_price")
                let same = quote.amountIn == amountIn && quote.amountOut == amountOut && quote.after == expected
                    && quote.ticksCrossed == crossed && quote.after.sqrtPrice == postPrice
                #expect(same, """
                    case \(id) \(vector["tags"] ?? ""): in \(quote.amountIn) vs \(amountIn), out \(quote.amountOut) vs \
                    \(amountOut), price \(quote.after.sqrtPrice) vs \(after.sqrtPrice), tick \(quote.after.tickCurrentIndex) \
                    vs \(after.tickCurrentIndex), L \(quote.after.liquidity) vs \(after.liquidity), crossed \
                    \(quote.ticksCrossed) vs \(crossed), growth \(quote.after.feeGrowthGlobalA)/\(quote.after.feeGrowthGlobalB) \
                    vs \(after.feeGrowthGlobalA)/\(after.feeGrowthGlobalB), protocol \(quote.after.protocolFeeOwedA)/\
                    \(quote.after.protocolFeeOwedB) vs \(after.protocolFeeOwedA)/\(after.protocolFeeOwedB)
                    """)
                if same { matched += 1 }
                crossings += crossed.count
            } else {
                let error = try #require(result["error"] as? [String: Any])
                let code = try #require(error["code"] as? Int, "case \(id): a Whirlpool error has a code")
                guard case .failure(let failure) = outcome else {
                    Issue.record("case \(id): the program failed with \(code) \(error["name"] ?? ""), the quote gives \(outcome)")
                    continue
                }
                #expect(failure.code == code && failure.name == error["name"] as? String,
                        "case \(id): \(failure) vs \(code) \(error["name"] ?? "")")
                if failure.code == code { matched += 1 }
            }
        }
        #expect(matched == 321)
        #expect(crossings == 1243)
    }

    /// The per-bit ratios are floor(√1.0001^(2^i)·2^96) and floor(2^64/√1.0001^(2^i)) (SOURCES.md's description of
    /// the program's tick math), recomputed here with 2,048 fractional bits.
    @Test func theTickMathConstantsAreTheDefinedRoots() {
        let precision = 2048
        var root = (BigUInt(10001) << (2 * precision) / 10000).squareRoot()
        for bit in 0..<WhirlpoolMath.positiveBitRatios.count {
            #expect(BigUInt(WhirlpoolMath.positiveBitRatios[bit]) == root >> (precision - 96), "bit \(bit)")
            #expect(BigUInt(WhirlpoolMath.negativeBitRatios[bit]) == (BigUInt(1) << (64 + precision)) / root, "bit \(bit)")
            root = (root * root) >> precision
        }
    }

    @Test func theTickOfAPriceIsTheLargestTickNotAboveIt() throws {
        #expect(try WhirlpoolMath.sqrtPrice(atTick: 0) == UInt128(1) << 64)
        #expect(try WhirlpoolMath.sqrtPrice(atTick: WhirlpoolMath.minTick) == WhirlpoolMath.minSqrtPrice)
        #expect(try WhirlpoolMath.sqrtPrice(atTick: WhirlpoolMath.maxTick) == WhirlpoolMath.maxSqrtPrice)
        for tick in [-443_636, -200_001, -64, -1, 0, 1, 63, 190_117, 443_635] {
            let price = try WhirlpoolMath.sqrtPrice(atTick: tick)
            #expect(try WhirlpoolMath.tick(atSqrtPrice: price) == tick)
            if tick > WhirlpoolMath.minTick { #expect(try WhirlpoolMath.tick(atSqrtPrice: price - 1) == tick - 1) }
        }
        #expect(throws: WhirlpoolError.sqrtPriceOutOfBounds) { try WhirlpoolMath.tick(atSqrtPrice: 4_295_048_015) }
    }

    @Test func aForeignOrShortAccountIsRefusedNamingTheField() throws {
        let file = try SolanaVectors.json("whirlpool_swaps.json")
        let first = try #require((file["cases"] as? [[String: Any]])?.first?["whirlpool"] as? [String: Any])
        var bytes = try SolanaVectors.bytes(first["data"], "whirlpool")
        #expect(throws: AccountDecodeError.self) { try WhirlpoolState(decoding: Array(bytes.dropLast())) }
        do {
            _ = try WhirlpoolState(decoding: Array(bytes.dropLast()))
        } catch {
            #expect(error.description == "Whirlpool: data length at offset 0: 652 bytes, expected 653")
        }
        bytes[0] ^= 1
        do {
            _ = try WhirlpoolState(decoding: bytes)
            Issue.record("a wrong discriminator decoded")
        } catch {
            #expect(error.field == "discriminator" && error.offset == 0)
        }
        // Fuzzing found it (docs/fuzzing.md): a tick far from its price walked a b→a quote's price down.
        var wrongTick = try SolanaVectors.bytes(first["data"], "whirlpool")
        wrongTick.replaceSubrange(81..<85, with: [0x10, 0x27, 0, 0])  // tick 10,000 at a price of tick −4
        do {
            _ = try WhirlpoolState(decoding: wrongTick)
            Issue.record("a tick that does not match the price decoded")
        } catch {
            #expect(error.field == "tick_current_index" && error.offset == 81, "\(error)")
        }
        bytes[0] ^= 1
        bytes[41] = 0; bytes[42] = 0
        do {
            _ = try WhirlpoolState(decoding: bytes)
            Issue.record("tick spacing 0 decoded")
        } catch {
            #expect(error.field == "tick_spacing" && error.offset == 41)
        }
    }
}
