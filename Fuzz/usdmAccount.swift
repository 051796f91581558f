// Fuzz target: the USDⓈ-M account answers — account (margin and its ratio), balance, positionRisk, income,
// positionSide/dual, commissionRate, listenKey — each parser on the same bytes; and the client order id mapping on
// them as text: a decoded id encodes back to the same bytes, an encoded one decodes back. Built and run by
// scripts/fuzz.sh; see docs/fuzzing.md.
@testable import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    if let margin = try? BinanceUSDMTrading.margin(bytes) { _ = margin.marginRatio }
    _ = try? BinanceUSDMTrading.balances(bytes)
    _ = try? BinanceUSDMTrading.positions(bytes, known: [Symbol(base: "BTC", quote: "USDT", settle: "USDT")])
    _ = try? BinanceUSDMTrading.income(bytes)
    _ = try? BinanceUSDMTrading.isHedgeMode(bytes)
    _ = try? BinanceUSDMTrading.takerRate(bytes)
    _ = try? BinanceUSDMTrading.listenKey(bytes)
    let text = String(decoding: bytes, as: UTF8.self)
    let decoded = BinanceUSDMClientOrderId.decode(text)
    if decoded != text { precondition(BinanceUSDMClientOrderId.encode(decoded) == text, "decode is not encode's inverse") }
    if let encoded = BinanceUSDMClientOrderId.encode(text) {
        precondition(BinanceUSDMClientOrderId.isValid(encoded), "an encoded id Binance would refuse")
        precondition(BinanceUSDMClientOrderId.decode(encoded) == text, "encode is not decode's inverse")
    }
    return 0
}
