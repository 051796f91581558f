// Fuzz target: KrakenMarketData.assetPairs, the answer of GET /0/public/AssetPairs, then each pair's symbol and
// rules as the desk keeps them. Built and run by scripts/fuzz.sh; see docs/fuzzing.md.
import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let pairs = try? KrakenMarketData.assetPairs(UnsafeRawBufferPointer(start: data, count: size)) else { return 0 }
    for pair in pairs { _ = (pair.symbol, pair.v2Symbol, pair.instrumentSpec, pair.takerFee) }
    return 0
}
