// Fuzz target: the USDⓈ-M REST order answers (`order`, `openOrders`) and `userTrades`, each parser on the same bytes;
// every order's report and its story through the order tracker with the trades read, twice (nothing new the second
// time). Built and run by scripts/fuzz.sh; see docs/fuzzing.md.
@testable import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let symbol = Symbol(base: "BTC", quote: "USDT", settle: "USDT")
    let trades = (try? BinanceUSDMTrading.trades(bytes)) ?? []
    _ = trades.map(\.fill)
    var orders = (try? BinanceUSDMTrading.orders(bytes)) ?? []
    if let order = try? BinanceUSDMTrading.order(bytes) { orders.append(order) }
    let tracker = BinanceUSDMOrderTracker(venue: "binance-usdm")
    for order in orders {
        _ = order.executionReport(symbol: symbol, venue: "binance-usdm", trades: trades)
        _ = tracker.restUpdates(order, trades: trades, symbol: symbol)
        precondition(tracker.restUpdates(order, trades: trades, symbol: symbol).isEmpty, "an order's story told twice")
    }
    return 0
}
