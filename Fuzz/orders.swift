// Fuzz target: BinanceTrading.orders (`GET /api/v3/openOrders`), then each order into the seam as the connector
// reconciles it. Built and run by scripts/fuzz.sh; see docs/fuzzing.md.
import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let orders = try? BinanceTrading.orders(UnsafeRawBufferPointer(start: data, count: size)) else { return 0 }
    for order in orders {
        _ = order.orderUpdates(venue: "binance")
        _ = order.executionReport(symbol: Symbol(base: "BTC", quote: "USDT"), venue: "binance")
    }
    return 0
}
