// Fuzz target: BinanceTrading.webSocketFrame (a WebSocket API answer or event), then what is read from it next: an
// event's seam update, a `result` through the parsers of the methods that return one, an `error` classified.
// Built and run by scripts/fuzz.sh; see docs/fuzzing.md.
import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let frame = try? BinanceTrading.webSocketFrame(UnsafeRawBufferPointer(start: data, count: size)) else { return 0 }
    switch frame {
    case .event(_, .executionReport(let report)): _ = report.orderUpdate(venue: "binance")
    case .event: break
    case .response(let response):
        if let result = response.result {
            if let order = try? BinanceTrading.order(result) { _ = order.orderUpdates(venue: "binance") }
            _ = try? BinanceTrading.orders(result)
            if let account = try? BinanceTrading.account(result) { _ = account.totals }
        }
        if let error = response.error { _ = BinanceErrors.failure(error, httpStatus: response.status) }
    }
    return 0
}
