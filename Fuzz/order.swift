// Fuzz target: BinanceTrading.order (a placement, query or cancel answer), then the seam's updates and execution
// report the connector makes of it. Built and run by scripts/fuzz.sh; see docs/fuzzing.md.
import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let order = try? BinanceTrading.order(UnsafeRawBufferPointer(start: data, count: size)) else { return 0 }
    _ = order.orderUpdates(venue: "binance")
    _ = order.executionReport(symbol: Symbol(base: "BTC", quote: "USDT"), venue: "binance")
    return 0
}
