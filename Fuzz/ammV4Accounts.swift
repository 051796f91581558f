// Fuzz target: Raydium AMM v4 (DexterSolana/Pools/RaydiumAMMv4.swift): the first 752 bytes decoded as an AmmInfo,
// then two vault amounts and the clock (u64 little-endian each); when it decodes, the pool is quoted exact-in and
// exact-out both ways at a few sizes, and made into the desk's constant-product model. A thrown error is the right
// answer to bad bytes; a trap is a finding. What is quoted must hold: an exact-in output below the reserve it comes
// from, an exact-out input that buys at least what was asked. Built and run by scripts/fuzz.sh (docs/fuzzing.md).
// Seeds: AmmInfo accounts as RaydiumAMMv4Tests writes them (statuses, fees, profit to take) with vault amounts.
@testable import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let pool = try? RaydiumAMMv4Pool(decoding: Array(bytes.prefix(RaydiumAMMv4Pool.size))) else { return 0 }
    func word(_ index: Int) -> UInt64 {
        let start = RaydiumAMMv4Pool.size + 8 * index
        guard bytes.count >= start + 8 else { return 0 }
        return bytes[start..<start + 8].reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
    let (coinVault, pcVault, clock) = (word(0), word(1), word(2))
    for coinIn in [true, false] {
        for amount: UInt64 in [0, 1, 3, 100, 1_000_000_007, coinVault / 2, pcVault, UInt64.max] {
            if let out = try? pool.quote(amount, exactIn: true, coinIn: coinIn, coinVault: coinVault, pcVault: pcVault, clock: clock),
               let reserves = try? pool.reserves(coinVault: coinVault, pcVault: pcVault) {
                precondition(out < (coinIn ? reserves.pc : reserves.coin), "an output not below its reserve")
            }
            if let paid = try? pool.quote(amount, exactIn: false, coinIn: coinIn, coinVault: coinVault, pcVault: pcVault, clock: clock),
               paid > 0, let back = try? pool.quote(paid, exactIn: true, coinIn: coinIn, coinVault: coinVault, pcVault: pcVault, clock: clock) {
                // The program's rounding up leaves what was paid buying at least what was asked (up to its round-half
                // quirk on a fee below one unit).
                precondition(back + 1 >= amount, "paid \(paid) for \(amount), which buys \(back)")
            }
        }
    }
    if let reserves = try? pool.reserves(coinVault: coinVault, pcVault: pcVault), reserves.coin > 0, reserves.pc > 0 {
        _ = try? SolanaPoolModels.constantProduct(pool, coinVault: coinVault, pcVault: pcVault, baseIsCoin: true)
    }
    return 0
}
