// Fuzz target: BinanceTrading.account (`GET /api/v3/account`), then the per-asset totals the connector reconciles.
// Built and run by scripts/fuzz.sh; see docs/fuzzing.md.
import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let account = try? BinanceTrading.account(UnsafeRawBufferPointer(start: data, count: size)) else { return 0 }
    _ = account.totals
    return 0
}
