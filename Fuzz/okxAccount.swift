// Fuzz target: the OKX REST answers about the account and its trades — balance, account config, trade fee, fills
// (with each fill's seam value and an order report made exact by them), order acks, server time, error envelopes —
// each parser on the same bytes. Built and run by scripts/fuzz.sh; see docs/fuzzing.md.
@testable import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    if let balances = try? OKXTrading.balances(bytes) {
        _ = OKXTrading.totals(balances.data.flatMap { $0 })
    }
    _ = try? OKXTrading.accountConfig(bytes)
    _ = try? OKXTrading.feeRates(bytes)
    if let trades = try? OKXTrading.trades(bytes) {
        let fills = trades.data.map(\.fill)
        _ = fills.reduce(FixedDecimal.zero) { $0.addingIfInRange($1.notional) ?? .zero }
    }
    _ = try? OKXTrading.orderAcks(bytes)
    _ = try? OKXTrading.serverTime(bytes)
    _ = try? OKXTrading.errorEnvelope(bytes)
    return 0
}
