// Fuzz target: BinanceTrading.errorBody (`{"code": -1121, "msg": "Invalid symbol."}`), then its classification.
// Built and run by scripts/fuzz.sh; see docs/fuzzing.md.
import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let body = try? BinanceTrading.errorBody(UnsafeRawBufferPointer(start: data, count: size)) else { return 0 }
    _ = BinanceErrors.failure(body, httpStatus: 400)
    return 0
}
