// Fuzz target: BybitTrading.privateMessage, a message of Bybit's private WebSocket (execution rows, answers), then
// what the connector does with an execution: a funding row becomes a payment; and the REST envelope reader over the
// same bytes. Built and run by scripts/fuzz.sh; see docs/fuzzing.md.
import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    if case .executions(let rows)? = try? BybitTrading.privateMessage(bytes) {
        for row in rows { _ = row.fundingPayment(venue: VenueId("bybit"), symbol: Symbol(base: "BTC", quote: "USDT", settle: "USDT")) }
    }
    if let result = try? BybitTrading.result(bytes, request: "fuzz") {
        _ = try? BybitTrading.executionList(result)
        _ = try? BybitTrading.orderAck(result)
    }
    return 0
}
