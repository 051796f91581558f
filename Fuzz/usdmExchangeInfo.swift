// Fuzz target: BinanceUSDMMarketData.exchangeInfo, the answer of GET /fapi/v1/exchangeInfo, and the rules the feed
// makes of each contract (published margin terms, instrument spec), which must never trap. Built and run by
// scripts/fuzz.sh; see docs/fuzzing.md.
import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let info = try? BinanceUSDMMarketData.exchangeInfo(UnsafeRawBufferPointer(start: data, count: size)) else { return 0 }
    for contract in info.contracts {
        if let terms = contract.publishedMargin { _ = contract.instrumentSpec(margin: terms) }
    }
    return 0
}
