// Fuzz target: CoinbaseTrading.privateMessage (the user WebSocket: user, heartbeats, subscriptions, errors), then
// each streamed order through the tracker, twice (the second time must tell nothing new), and its client id decoded.
// Built and run by scripts/fuzz.sh; see docs/fuzzing.md.
@testable import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard case .user(_, let events)? = try? CoinbaseTrading.privateMessage(UnsafeRawBufferPointer(start: data, count: size)) else {
        return 0
    }
    let tracker = CoinbaseOrderTracker(venue: "coinbase")
    for event in events {
        for order in event.orders {
            _ = tracker.streamUpdates(order)
            _ = tracker.streamUpdates(order)
            _ = tracker.isMissingFills(order)
            _ = CoinbaseClientOrderId.encode(order.dexterClientOrderId)
        }
    }
    return 0
}
