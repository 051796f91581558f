// Fuzz target: BybitTrading.privateMessage, a message of Bybit's private WebSocket (execution rows, order pushes,
// answers), then what the connector does with it: a funding row becomes a payment, a fill row and an order push go
// through the order tracker (twice: the second tells nothing); and the REST envelope reader over the same bytes.
// Built and run by scripts/fuzz.sh; see docs/fuzzing.md.
@testable import DexterWire
import Foundation

let btc = Symbol(base: "BTC", quote: "USDT", settle: "USDT")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let tracker = BybitOrderTracker(venue: VenueId("bybit"))
    switch try? BybitTrading.privateMessage(bytes) {
    case .executions(let rows)?:
        for row in rows {
            _ = row.fundingPayment(venue: VenueId("bybit"), symbol: btc)
            tracker.track(row.orderLinkId, symbol: btc)
            _ = tracker.execution(row)
            _ = tracker.execution(row)
        }
    case .orders(let orders)?:
        for order in orders {
            tracker.track(order.orderLinkId, symbol: btc)
            _ = tracker.order(order, executions: [])
            _ = tracker.order(order, executions: [])
        }
    default: break
    }
    if let result = try? BybitTrading.result(bytes, request: "fuzz") {
        _ = try? BybitTrading.executionList(result)
        _ = try? BybitTrading.orderAck(result)
    }
    return 0
}
