// Fuzz target: KrakenTrading.orders (OpenOrders, ClosedOrders, QueryOrders), then each order's execution report and
// the updates the REST path tells of it. Built and run by scripts/fuzz.sh; see docs/fuzzing.md.
@testable import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let tracker = KrakenOrderTracker(venue: "kraken")
    for container in ["open", "closed", nil] as [String?] {
        guard let orders = try? KrakenTrading.orders(bytes, container: container) else { continue }
        for order in orders {
            _ = order.report(venue: "kraken", symbol: Symbol(base: "BTC", quote: "USD"), trades: nil)
            _ = tracker.restUpdates(order, trades: [], symbol: nil)
        }
    }
    return 0
}
