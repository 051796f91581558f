// Fuzz target: Kraken's REST answers — the error list, AddOrder, CancelOrder, TradesHistory / QueryTrades, Balance,
// BalanceEx, GetWebSocketsToken, TradeVolume, Assets, Time — and each trade as a report's input. Built and run by
// scripts/fuzz.sh; see docs/fuzzing.md.
@testable import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    if let errors = try? KrakenTrading.errors(bytes) { for error in errors { _ = KrakenErrors.failure(error) } }
    _ = try? KrakenTrading.addOrder(bytes)
    _ = try? KrakenTrading.canceledCount(bytes)
    for history in [true, false] {
        if let trades = try? KrakenTrading.trades(bytes, history: history) {
            let order = KrakenOrder(txid: "O", clOrdId: nil, status: "closed", reason: nil, pair: "XBTUSD", side: .buy,
                                    orderType: "limit", limitPrice: nil, volume: FixedDecimal(1), executed: FixedDecimal(1),
                                    cost: .zero, fee: .zero, averagePrice: nil, oflags: "", openTime: .zero, closeTime: nil,
                                    tradeIds: [])
            _ = order.report(venue: "kraken", symbol: Symbol(base: "BTC", quote: "USD"), trades: trades)
        }
    }
    _ = try? KrakenTrading.balance(bytes)
    _ = try? KrakenTrading.balanceEx(bytes)
    _ = try? KrakenTrading.webSocketsToken(bytes)
    _ = try? KrakenTrading.takerFees(bytes)
    _ = try? KrakenTrading.assetAltnames(bytes)
    _ = try? KrakenTrading.serverTime(bytes)
    return 0
}
