// Fuzz target: the Bybit LIVE venue's REST readers behind BybitTrading.result: orderList (then each order's
// executionReport and the order tracker's updates, twice), positions, wallet, takerRate, serverTime and keyPermissions. Built and run by
// scripts/fuzz.sh; see docs/fuzzing.md.
@testable import DexterWire
import Foundation

let btc = Symbol(base: "BTC", quote: "USDT", settle: "USDT")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    guard let result = try? BybitTrading.result(bytes, request: "fuzz") else { return 0 }
    if let orders = try? BybitTrading.orderList(result) {
        let tracker = BybitOrderTracker(venue: VenueId("bybit"))
        for order in orders {
            _ = order.executionReport(symbol: btc, venue: VenueId("bybit"), executions: [])
            tracker.track(order.orderLinkId, symbol: btc)
            _ = tracker.order(order, executions: [])
            _ = tracker.order(order, executions: [])
        }
    }
    _ = try? BybitTrading.positions(result)
    _ = try? BybitTrading.wallet(result)
    _ = try? BybitTrading.takerRate(result)
    _ = try? BybitTrading.serverTime(result)
    if let key = try? BybitTrading.keyPermissions(result) { _ = (key.mayTradeContracts, key.mayWithdraw) }
    return 0
}
