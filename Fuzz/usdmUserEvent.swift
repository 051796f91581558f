// Fuzz target: BinanceUSDMTrading.userEvent (the USDⓈ-M user data stream: ORDER_TRADE_UPDATE, ACCOUNT_UPDATE,
// listenKeyExpired, others), then each order event's update through the order tracker, twice (the second time must
// tell nothing new). Built and run by scripts/fuzz.sh; see docs/fuzzing.md.
@testable import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard case .order(let event, _)? = try? BinanceUSDMTrading.userEvent(UnsafeRawBufferPointer(start: data, count: size)) else {
        return 0
    }
    let symbol = Symbol(base: "BTC", quote: "USDT", settle: "USDT")
    let tracker = BinanceUSDMOrderTracker(venue: "binance-usdm")
    tracker.track(event.dexterClientOrderId, symbol: symbol)
    _ = tracker.pushUpdates(event, symbol: symbol)
    precondition(tracker.pushUpdates(event, symbol: symbol).isEmpty, "a repeated event was told twice")
    return 0
}
