// Fuzz target: CoinbaseMarketData.products, the answer of GET /api/v3/brokerage/market/products, then each product's
// symbol, rules and tradability as the desk keeps them. Built and run by scripts/fuzz.sh; see docs/fuzzing.md.
import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let products = try? CoinbaseMarketData.products(UnsafeRawBufferPointer(start: data, count: size)) else { return 0 }
    for product in products { _ = (product.symbol, product.instrumentSpec, product.isTakerTradable, product.notTradableReason) }
    return 0
}
