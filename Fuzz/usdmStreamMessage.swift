// Fuzz target: BinanceUSDMMarketData.streamMessage, one message of the USDⓈ-M combined market stream (depthUpdate
// with pu, bookTicker, markPriceUpdate). Built and run by scripts/fuzz.sh; see docs/fuzzing.md.
import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? BinanceUSDMMarketData.streamMessage(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
