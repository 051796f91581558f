// Fuzz target: CoinbaseTrading.order / orders / fills / orderAck (get order, list orders, list fills, the create
// answer), then each order's report and the updates the REST path tells of it with the fills read, twice (the second
// time must tell nothing new). Built and run by scripts/fuzz.sh; see docs/fuzzing.md.
@testable import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    var orders: [CoinbaseOrder] = []
    if let order = try? CoinbaseTrading.order(bytes) { orders.append(order) }
    if let page = try? CoinbaseTrading.orders(bytes) { orders += page.items }
    let fills = (try? CoinbaseTrading.fills(bytes))?.items ?? []
    if let ack = try? CoinbaseTrading.orderAck(bytes), !ack.success { _ = CoinbaseErrors.failure(ack) }
    let tracker = CoinbaseOrderTracker(venue: "coinbase")
    for order in orders {
        _ = order.report(venue: "coinbase", fills: nil)
        _ = order.report(venue: "coinbase", fills: fills)
        _ = tracker.restUpdates(order, fills: fills)
        _ = tracker.restUpdates(order, fills: fills)
        _ = CoinbaseClientOrderId.encode(order.dexterClientOrderId)
    }
    return 0
}
