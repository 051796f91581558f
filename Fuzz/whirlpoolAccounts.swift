// Fuzz target: Orca Whirlpool accounts (DexterSolana/Pools): the first 653 bytes decoded as a Whirlpool, the rest as
// tick arrays of 9,988 bytes each (a short tail as an absent array at the next start); every pool that decodes is
// quoted exact-in and exact-out both ways at a few sizes, with and without a price limit, against the arrays that
// decode, and by the desk's model of them (SolanaPoolModels.concentrated). A thrown error is the right answer to bad bytes; a trap is a finding. Built and run by scripts/fuzz.sh
// (docs/fuzzing.md). Seeds: the recorded swaps' pre-states from ../shared/vectors/solana/whirlpool_swaps.json.
@testable import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let poolBytes = Array(bytes.prefix(WhirlpoolState.size))
    var arrays: [WhirlpoolTickArray] = []
    var rest = bytes.dropFirst(WhirlpoolState.size)
    while !rest.isEmpty {
        let chunk = Array(rest.prefix(WhirlpoolTickArray.size))
        rest = rest.dropFirst(WhirlpoolTickArray.size)
        if let array = try? WhirlpoolTickArray(decoding: chunk) { arrays.append(array) }
    }
    guard let pool = try? WhirlpoolState(decoding: poolBytes) else { return 0 }
    // An absent array next to each given one, as the program accepts for an uninitialized PDA.
    let span = Int32(WhirlpoolTickArray.ticksPerArray) * Int32(pool.tickSpacing)
    for array in arrays {
        let (above, overflow) = array.startTickIndex.addingReportingOverflow(span)
        if !overflow { arrays.append(WhirlpoolTickArray(absentAt: above)) }
    }
    for aToB in [true, false] {
        for exactInput in [true, false] {
            for amount: UInt64 in [0, 1, 1_000, 1_000_000_007, UInt64.max / 3, UInt64.max] {
                for limit: UInt128 in [0, pool.sqrtPrice, aToB ? pool.sqrtPrice / 2 : pool.sqrtPrice * 2] {
                    let request = WhirlpoolSwapRequest(amount: amount, otherAmountThreshold: exactInput ? 0 : .max,
                                                       sqrtPriceLimit: limit, amountSpecifiedIsInput: exactInput, aToB: aToB)
                    if let quote = try? pool.quote(request, tickArrays: arrays) {
                        // What the quote reports must be what it used: never more than asked, the price on its side.
                        precondition(exactInput ? quote.amountIn <= amount : quote.amountOut <= amount)
                        precondition(aToB ? quote.after.sqrtPrice <= pool.sqrtPrice : quote.after.sqrtPrice >= pool.sqrtPrice)
                    }
                }
            }
        }
    }
    // The desk's model of the same accounts (SolanaPoolModels, what SolanaPoolFeed publishes): it may refuse a
    // swap, never trap, and never take more than asked.
    let model = SolanaPoolModels.concentrated(pool, tickArrays: arrays, decimalsA: 6, decimalsB: 9, baseIsA: arrays.count % 2 == 0)
    for amount: UInt64 in [1, 1_000, 1_000_000_007, UInt64.max / 3] {
        if let sold = try? model.sellBase(BigUInt(amount)) { precondition(sold.quoteOut >= 0) }
        _ = try? model.buyBase(BigUInt(amount))
    }
    return 0
}
