// Fuzz target: BinanceUSDMMarketData.fundingInfo, the answer of GET /fapi/v1/fundingInfo. Built and run by
// scripts/fuzz.sh; see docs/fuzzing.md.
import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? BinanceUSDMMarketData.fundingInfo(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
