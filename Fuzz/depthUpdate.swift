// Fuzz target: BinanceMarketData.depthUpdate, a bare `depthUpdate` event (the `data` of `<symbol>@depth@100ms`).
// Built and run by scripts/fuzz.sh; see docs/fuzzing.md.
import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? BinanceMarketData.depthUpdate(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
