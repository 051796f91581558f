// Fuzz target: BinanceUSDMMarketData.markPrice, a USDⓈ-M markPriceUpdate (mark price and funding) on its own.
// Built and run by scripts/fuzz.sh; see docs/fuzzing.md.
import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? BinanceUSDMMarketData.markPrice(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
