// Fuzz target: OKXMarketData.instruments, the answer of GET /api/v5/public/instruments. Built and run by
// scripts/fuzz.sh; see docs/fuzzing.md.
import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? OKXMarketData.instruments(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
