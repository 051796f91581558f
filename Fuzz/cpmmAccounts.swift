// Fuzz target: Raydium CPMM accounts (DexterSolana/Pools): the first 637 bytes decoded as a PoolState, the next 236
// as an AmmConfig, then two vault amounts and the clock (u64 little-endian each); when both decode, the pool is
// quoted with both instructions both ways at a few sizes,
// and made into the desk's constant-product model. A thrown error is the right answer to bad bytes; a trap is
// a finding. Built and run by scripts/fuzz.sh (docs/fuzzing.md). Seeds: the recorded swaps' pre-states from
// ../shared/vectors/solana/raydium_cpmm_swaps.json.
@testable import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let poolEnd = RaydiumCPMMPool.size, configEnd = poolEnd + RaydiumCPMMConfig.size
    guard let pool = try? RaydiumCPMMPool(decoding: Array(bytes.prefix(poolEnd))),
          bytes.count >= configEnd, let config = try? RaydiumCPMMConfig(decoding: Array(bytes[poolEnd..<configEnd])) else {
        return 0
    }
    func word(_ index: Int) -> UInt64 {
        let start = configEnd + 8 * index
        guard bytes.count >= start + 8 else { return 0 }
        return bytes[start..<start + 8].reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
    let (vault0, vault1, clock) = (word(0), word(1), Int64(bitPattern: word(2)))
    for inputIsToken0 in [true, false] {
        for amount: UInt64 in [0, 1, 100, 1_000_000_007, vault0 / 2, vault1, UInt64.max] {
            for request in [RaydiumCPMMSwapRequest.baseInput(amountIn: amount, minimumAmountOut: 0),
                            .baseOutput(maxAmountIn: .max, amountOut: amount)] {
                if let quote = try? pool.quote(request, inputIsToken0: inputIsToken0, config: config, vault0: vault0,
                                               vault1: vault1, clock: clock) {
                    // The fee is part of what is paid in, and its shares are part of the fee.
                    precondition(quote.tradeFee <= quote.amountIn && quote.protocolFee + quote.fundFee <= quote.tradeFee)
                }
            }
        }
    }
    // The desk's model of the same accounts (SolanaPoolModels.constantProduct): refused or priced, never a trap.
    if let model = try? SolanaPoolModels.constantProduct(pool, config: config, vault0: vault0, vault1: vault1,
                                                         baseIsToken0: clock % 2 == 0) {
        _ = try? model.sellBase(BigUInt(vault0 / 3 + 1))
        _ = try? model.buyBase(BigUInt(vault1 / 3 + 1))
    }
    return 0
}
