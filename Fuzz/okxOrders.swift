// Fuzz target: OKXTrading.orders (GET trade/order, orders-pending), then each order's execution report and the
// updates the REST path tells of it. Built and run by scripts/fuzz.sh; see docs/fuzzing.md.
@testable import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let answer = try? OKXTrading.orders(UnsafeRawBufferPointer(start: data, count: size)) else { return 0 }
    let tracker = OKXOrderTracker(venue: "okx")
    for order in answer.data {
        _ = order.report(venue: "okx", trades: nil)
        _ = tracker.restUpdates(order, trades: [])
    }
    return 0
}
