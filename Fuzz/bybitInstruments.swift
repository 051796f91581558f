// Fuzz target: BybitMarketData.instruments, the answer of GET /v5/market/instruments-info?category=linear. Built and
// run by scripts/fuzz.sh; see docs/fuzzing.md.
import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? BybitMarketData.instruments(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
