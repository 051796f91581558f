import BigInt
import DexterMarket
import Foundation
import Testing

@testable import DexterSolana

/// How far the desk's models of Solana pools (what SolanaPoolFeed publishes: Uniswap's `ConcentratedPool` and
/// `ConstantProductPool` arithmetic) quote from the programs themselves, over every successful swap of the vectors
/// (../shared/vectors/solana). The desk model screens and fills paper orders; a real swap is priced by the exact
/// WhirlpoolSwap / RaydiumCPMM quotes. This prints the gap and holds it to what was measured, so a change that widens
/// it is seen.
@Suite struct SolanaPoolModelGapTests {
    struct Gap: CustomStringConvertible {
        var compared = 0, equal = 0, differ = 0, refused = 0
        var maxIn = BigInt(0), maxOut = BigInt(0)
        /// The largest difference relative to the program's amount, in millionths.
        var maxRelativePPM = 0.0
        /// Each differing swap's gap relative to the program's amount (the larger of in and out), with its case.
        var relative: [(ppm: Double, id: String)] = []
        var refusals: [String: Int] = [:]

        mutating func add(desk: (in: BigInt, out: BigInt), program: (in: BigInt, out: BigInt), id: String) {
            compared += 1
            let deltaIn = (desk.in - program.in).magnitude, deltaOut = (desk.out - program.out).magnitude
            if deltaIn == 0 && deltaOut == 0 { equal += 1; return }
            differ += 1
            maxIn = max(maxIn, BigInt(deltaIn))
            maxOut = max(maxOut, BigInt(deltaOut))
            func share(_ delta: BigUInt, of amount: BigInt) -> Double {
                amount == 0 ? 0 : Double(delta) / Double(amount.magnitude) * 1e6
            }
            let ppm = max(share(deltaIn, of: program.in), share(deltaOut, of: program.out))
            maxRelativePPM = max(maxRelativePPM, ppm)
            relative.append((ppm, id))
        }

        mutating func refuse(_ error: Error) {
            compared += 1
            refused += 1
            let name = "\(error)".prefix { $0 != "(" && $0 != ":" }
            refusals[String(name), default: 0] += 1
        }

        var description: String {
            "\(compared) swaps: \(equal) equal to the unit, \(differ) differ (max |Δin| \(maxIn), max |Δout| \(maxOut) "
                + "base units, max \(String(format: "%.3f", maxRelativePPM)) ppm of the program's amount; over 1 ppm: "
                + "\(relative.filter { $0.ppm > 1 }.count), over 100 ppm: \(relative.filter { $0.ppm > 100 }.count); worst cases "
                + relative.sorted { $0.ppm > $1.ppm }.prefix(3).map { "\($0.id) \(String(format: "%.1f", $0.ppm)) ppm" }
                .joined(separator: ", ") + "), \(refused) "
                + "refused by the desk model \(refusals.sorted { $0.key < $1.key })"
        }
    }

    @Test func theDeskWhirlpoolModelAgainstTheProgram() throws {
        let file = try SolanaVectors.json("whirlpool_swaps.json")
        var gap = Gap()
        for name in try #require(file["pools"] as? [[String: Any]]).compactMap({ $0["name"] as? String }) {
            for fixture in try SolanaPoolFixtures.Whirlpool.cases(name) {
                let result = try #require(fixture.vector["result"] as? [String: Any])
                guard result["status"] as? String == "ok" else { continue }
                let input = try #require(fixture.vector["input"] as? [String: Any])
                let amount: UInt64 = try SolanaVectors.integer(input["amount"], "amount")
                let limit: UInt128 = try SolanaVectors.integer(input["sqrt_price_limit"], "sqrt_price_limit")
                let exactIn = try #require(input["amount_specified_is_input"] as? Bool)
                let aToB = try #require(input["a_to_b"] as? Bool)
                // What the feed reads: the five arrays around the price.
                let arrays = try SolanaPoolFeed.tickArrayStarts(fixture.state).map { start in
                    try fixture.arrays[start].map { try WhirlpoolTickArray(decoding: $0.data) }
                        ?? WhirlpoolTickArray(absentAt: Int32(start))
                }
                let model = SolanaPoolModels.concentrated(fixture.state, tickArrays: arrays, decimalsA: fixture.decimalsA,
                                                          decimalsB: fixture.decimalsB, baseIsA: true)
                let program = (in: BigInt(try SolanaVectors.integer(result["amount_in"], "amount_in", as: UInt64.self)),
                               out: BigInt(try SolanaVectors.integer(result["amount_out"], "amount_out", as: UInt64.self)))
                do {
                    let outcome = try model.swap(zeroForOne: aToB, amountSpecified: exactIn ? BigInt(amount) : -BigInt(amount),
                                                 sqrtPriceLimitX96: limit == 0 ? nil : BigUInt(limit) << 32)
                    let (paid, received) = aToB ? (outcome.amount0, -outcome.amount1) : (outcome.amount1, -outcome.amount0)
                    gap.add(desk: (paid, received), program: program, id: "\(fixture.vector["id"] ?? "")")
                } catch {
                    gap.refuse(error)
                }
            }
        }
        print("Whirlpool, desk ConcentratedPool vs the program: \(gap)")
        // Measured: 262 swaps, 203 to the unit; the rest a few units apart (Q64.96 against the program's Q64.64, a
        // step at each 256-tick word against one per tick array), large relatively only on tiny amounts (10 units in)
        // or on a side whose unit is worth 10⁹ of the other's. Every swap the program made the model prices.
        #expect(gap.compared == 262 && gap.refused == 0)
        #expect(gap.equal >= 203 && gap.relative.filter { $0.ppm > 100 }.count <= 5)
    }

    @Test func theDeskCPMMModelAgainstTheProgram() throws {
        let file = try SolanaVectors.json("raydium_cpmm_swaps.json")
        var gap = Gap()
        for name in try #require(file["pools"] as? [[String: Any]]).compactMap({ $0["name"] as? String }) {
            for fixture in try SolanaPoolFixtures.CPMM.cases(name) {
                let result = try #require(fixture.vector["result"] as? [String: Any])
                guard result["status"] as? String == "ok" else { continue }
                let input = try #require(fixture.vector["input"] as? [String: Any])
                let inputIsToken0 = input["input_token"] as? String == "token_0"
                let model = try SolanaPoolModels.constantProduct(
                    fixture.pool, config: try RaydiumCPMMConfig(decoding: fixture.configData), vault0: fixture.vault0,
                    vault1: fixture.vault1, baseIsToken0: inputIsToken0)
                let program = (in: BigInt(try SolanaVectors.integer(result["amount_in"], "amount_in", as: UInt64.self)),
                               out: BigInt(try SolanaVectors.integer(result["amount_out"], "amount_out", as: UInt64.self)))
                do {
                    // The input side is the model's base: selling base in, or buying quote out.
                    if input["instruction"] as? String == "swap_base_input" {
                        let out = try model.sellBase(BigUInt(program.in))
                        gap.add(desk: (program.in, BigInt(out)), program: program, id: "\(fixture.vector["id"] ?? "")")
                    } else {
                        let paid = try ConstantProductPool.amountIn(out: BigUInt(program.out), reserveIn: model.reserveBase,
                                                                    reserveOut: model.reserveQuote, feeBps: model.feeBps)
                        gap.add(desk: (BigInt(paid), program.out), program: program, id: "\(fixture.vector["id"] ?? "")")
                    }
                } catch {
                    gap.refuse(error)
                }
            }
        }
        print("Raydium CPMM, desk ConstantProductPool vs the program: \(gap)")
        // Not equal: the program rounds its fee up before the curve (amount − ⌈amount·rate⌉), V2 keeps the fee inside
        // the product, and V2's exact-output adds one where the program rounds up. Measured: 68 of 108 to the unit,
        // the rest within one unit in and six out.
        #expect(gap.compared == 108 && gap.refused == 0)
        #expect(gap.equal >= 68 && gap.maxIn <= 1 && gap.maxOut <= 6)
    }
}
