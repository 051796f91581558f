// Fuzz target: OKXTrading.privateMessage (the private WebSocket: events, `orders` pushes, pong), then each pushed
// order's updates through the tracker, twice (the second time must tell nothing new). Built and run by
// scripts/fuzz.sh; see docs/fuzzing.md.
@testable import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard case .orders(let orders)? = try? OKXTrading.privateMessage(UnsafeRawBufferPointer(start: data, count: size)) else {
        return 0
    }
    let tracker = OKXOrderTracker(venue: "okx")
    for order in orders {
        _ = tracker.pushUpdates(order)
        _ = tracker.pushUpdates(order)
        _ = order.report(venue: "okx", trades: nil)
    }
    return 0
}
