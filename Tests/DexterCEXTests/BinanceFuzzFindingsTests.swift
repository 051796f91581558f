@testable import DexterCEX
import DexterCore
import Foundation
import Testing

/// What fuzzing the parsers found (scripts/fuzz.sh, docs/fuzzing.md): venue bytes that trapped — an overflow, not an
/// error — each refused now with an error naming the field. The inputs are the findings, cut to what trips them.
@Suite struct BinanceFuzzFindingsTests {
    /// A server time far in the future (as the fuzzer wrote it, after a mangled first key): its clock offset in
    /// nanoseconds overflowed `venues check`.
    @Test func serverTimeOutOfRangeIsNoServerTime() {
        let found: [UInt8] = Array(#"{"#.utf8) + [0x0A] + Array(#"  "serverTim{"#.utf8) + [0x0A, 0x20, 0x20, 0x8B, 0x0A]
            + Array(#"  "serverTime":228951947319559"#.utf8) + [0x0A]
        #expect(BinanceCheck.serverTime(found) == nil)
        #expect(BinanceCheck.serverTime(Array(#"{"serverTime":9223372036854775807}"#.utf8)) == nil)
        #expect(BinanceCheck.serverTime(Array(#"{"serverTime":1499827319559}"#.utf8)) == 1_499_827_319_559)
        #expect(BinanceCheck.serverTime(Array(#"{"serverTime":9000000000000}"#.utf8)) == 9_000_000_000_000)
    }

    /// An executionReport without `Y` (older messages): its quote amount is l × L, which trapped past 1.7 × 10²⁰.
    @Test func executionReportWhoseLastQuoteOverflowsIsRefused() throws {
        let message = #"{"e":"executionReport","E":1,"s":"BTCUSDT","c":"a","S":"BUY","o":"LIMIT","f":"GTC","q":"1","p":"1","#
            + #""x":"NEW","X":"NEW","i":1,"l":"%@","L":"100000000000000000000","z":"0","T":1}"#
        let overflowing = Array(message.replacingOccurrences(of: "%@", with: "100000000000000000000").utf8)
        let error = try #require(throws: WireParseError.self) { try BinanceTrading.userEvent(overflowing) }
        #expect(error.field == "L" && error.problem == "l × L is out of range")
        // Within range it is still l × L.
        let event = try BinanceTrading.userEvent(Array(message.replacingOccurrences(of: "%@", with: "0.5").utf8))
        guard case .executionReport(let report) = event else { Issue.record("not an executionReport"); return }
        #expect(report.lastQuoteQuantity == FixedDecimal("50000000000000000000")!)
    }

    /// A FULL answer's fills whose price × qty, or whose fees summed in the quote asset, leave the range:
    /// `orderUpdates` and `executionReport` trapped on them.
    @Test func orderFillsOutOfRangeAreRefused() throws {
        func order(_ fills: [String]) -> [UInt8] {
            Array((#"{"symbol":"BTCUSDT","orderId":1,"clientOrderId":"a","status":"FILLED","side":"BUY","fills":["#
                + fills.joined(separator: ",") + "]}").utf8)
        }
        func fill(price: String, qty: String = "1", commission: String = "1", asset: String = "BTC") -> String {
            #"{"tradeId":1,"price":"\#(price)","qty":"\#(qty)","commission":"\#(commission)","commissionAsset":"\#(asset)"}"#
        }
        let huge = "100000000000000000000"
        for fills in [[fill(price: huge, qty: huge)], [fill(price: "2", commission: huge)],
                      Array(repeating: fill(price: "1", commission: "60000000000000000000", asset: "USDT"), count: 3)] {
            #expect(throws: WireParseError.self) { try BinanceTrading.order(order(fills)) }
        }
        let fine = try BinanceTrading.order(order([fill(price: "3", qty: "2", commission: "0.001")]))
        #expect(fine.orderUpdates(venue: "binance").count == 2)
        let report = try #require(fine.executionReport(symbol: Symbol(base: "BTC", quote: "USDT"), venue: "binance"))
        // A buy's commission in BTC is the base asset's: kept as it is, not valued into the quote.
        #expect(report.fee == .zero && report.baseFee == FixedDecimal("0.001")!)
    }

    /// Balances whose free + locked (summed over repeated entries of an asset) leave the range: `totals` trapped.
    @Test func accountBalancesOutOfRangeAreRefused() throws {
        func account(_ balances: String) -> [UInt8] { Array(#"{"canTrade":true,"balances":[\#(balances)]}"#.utf8) }
        let huge = #"{"asset":"BTC","free":"100000000000000000000","locked":"100000000000000000000"}"#
        let half = #"{"asset":"btc","free":"100000000000000000000","locked":"0"}"#
        #expect(throws: WireParseError.self) { try BinanceTrading.account(account(huge)) }
        #expect(throws: WireParseError.self) { try BinanceTrading.account(account(half + "," + half)) }
        let fine = try BinanceTrading.account(account(half))
        #expect(fine.totals == ["BTC": FixedDecimal("100000000000000000000")!])
    }
}
