// Fuzz target: Coinbase's account answers — CoinbaseTrading.accounts (and their totals), feeTier, keyPermissions,
// serverTime, cancelResults and errorEnvelope (typed by CoinbaseErrors). Built and run by scripts/fuzz.sh; see
// docs/fuzzing.md.
@testable import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    if let page = try? CoinbaseTrading.accounts(bytes) { _ = CoinbaseTrading.totals(page.items) }
    _ = try? CoinbaseTrading.feeTier(bytes)
    _ = try? CoinbaseTrading.keyPermissions(bytes)
    _ = try? CoinbaseTrading.serverTime(bytes)
    _ = try? CoinbaseTrading.cancelResults(bytes)
    if let envelope = try? CoinbaseTrading.errorEnvelope(bytes) {
        _ = CoinbaseErrors.failure(code: envelope.error, message: envelope.message, details: envelope.details, httpStatus: 400)
    }
    return 0
}
