// Fuzz target: BinanceMarketData.bookTicker, a bare `<symbol>@bookTicker` payload. Built and run by scripts/fuzz.sh;
// see docs/fuzzing.md.
import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? BinanceMarketData.bookTicker(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
