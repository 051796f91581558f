@testable import DexterCEX
import DexterCore
import DexterVenues
import Foundation
import SharedTestData
import Testing

/// The Bybit LIVE venue's REST and private-topic parsers on nautilus_trader's v5 fixtures (read from ../shared at run
/// time: vectors/exchanges/wire/bybit/nautilus, see its SOURCES.md): orders (open, canceled by the user, refused after
/// a partial fill), the `order` push, positions (long, short, flat), the UNIFIED wallet and the fee rate.
struct BybitTradingParserTests {
    static func result(_ name: String) throws -> [UInt8] {
        try BybitTrading.result(try BybitParserTests.fixture(name), request: name)
    }

    static let btc = Symbol(base: "BTC", quote: "USDT", settle: "USDT")

    @Test func ordersAndTheirEnds() throws {
        let open = try #require(try BybitTrading.orderList(try Self.result("http_get_orders_realtime.json")).first)
        #expect(open.orderLinkId == "client-open-1" && open.status == "New" && open.isOpen && open.endKind == nil)
        #expect(open.quantity == FixedDecimal("0.010")! && open.cumExecQty.isZero && open.side == .buy)
        #expect(open.executionReport(symbol: Self.btc, venue: "bybit", executions: []).status == .working)

        let canceled = try #require(try BybitTrading.orderList(try Self.result("http_get_orders_history.json")).first)
        #expect(canceled.orderId == "abcdef123456" && canceled.status == "Cancelled" && !canceled.isOpen)
        #expect(canceled.endKind == .canceled(reason: "CancelByUser"), "a user's cancel with nothing filled is a cancel")
        #expect(canceled.updated.nanoseconds > 0)

        let refused = try #require(try BybitTrading.orderList(try Self.result("http_get_order_partially_filled_rejected.json")).first)
        #expect(refused.status == "Rejected" && refused.cumExecQty == FixedDecimal("0.005")!)
        #expect(refused.endKind == .canceled(reason: "INSUFFICIENT_MARGIN"), "its fills stand, its rest ended")
        let report = refused.executionReport(symbol: Self.btc, venue: "bybit", executions: [])
        #expect(report.status == .partiallyFilled && report.notional == FixedDecimal(150) && report.fee == FixedDecimal("0.0825")!)
        // The same refusal with nothing filled is a rejection, typed, not a cancel.
        let fixture = String(decoding: try BybitParserTests.fixture("http_get_order_partially_filled_rejected.json"), as: UTF8.self)
        let nothing = fixture.replacingOccurrences(of: "\"cumExecQty\": \"0.005\"", with: "\"cumExecQty\": \"0\"")
        try #require(nothing != fixture, "the fixture's cumExecQty was found")
        let unfilled = try #require(try BybitTrading.orderList(try BybitTrading.result(Array(nothing.utf8), request: "edited")).first)
        guard case .rejected(let failure) = unfilled.endKind else { Issue.record("\(String(describing: unfilled.endKind))"); return }
        #expect(failure.venueMessage == "INSUFFICIENT_MARGIN" && failure.failureClass == .rejected)
    }

    @Test func theOrderPushIsReadAsAnOrder() throws {
        guard case .orders(let orders) = try BybitTrading.privateMessage(try BybitParserTests.fixture("ws_account_order.json")) else {
            Issue.record("not an order push"); return
        }
        #expect(orders.map(\.orderLinkId) == ["client-1"] && orders.first?.status == "Cancelled")
    }

    @Test func positionsAreSignedAndFlatRowsKept() throws {
        let rows = try BybitTrading.positions(try Self.result("http_get_positions.json"))
        #expect(rows.map(\.symbol) == ["BTCUSDT", "ETHUSDT", "SOLUSDT"] && rows.allSatisfy { $0.positionIdx == 0 })
        #expect(rows.map(\.size) == [FixedDecimal("0.5")!, FixedDecimal("-5")!, .zero])
        #expect(rows[0].entryPrice == FixedDecimal(50_000) && rows[0].markPrice == FixedDecimal(50_500))
        #expect(rows[0].liquidationPrice == FixedDecimal(45_000) && rows[2].liquidationPrice == nil)
    }

    @Test func theWalletAndTheFeeRate() throws {
        let wallet = try BybitTrading.wallet(try Self.result("http_get_wallet_balance.json"))
        #expect(wallet.walletBalances["USDT"] == FixedDecimal("1000.50")! && wallet.walletBalances["BTC"] == .zero)
        #expect(wallet.totalMarginBalance == FixedDecimal("3.00326056")! && wallet.totalMaintenanceMargin.isZero)
        #expect(try BybitTrading.takerRate(try Self.result("http_get_fee_rate.json")) == FixedDecimal("0.0006")!)
        let time = #"{"retCode":0,"retMsg":"OK","result":{"timeSecond":"1688639403","timeNano":"1688639403423213947"},"time":1}"#
        #expect(try BybitTrading.serverTime(try BybitTrading.result(Array(time.utf8), request: "time"))
                == Timestamp(nanoseconds: 1_688_639_403_423_213_947))
    }

    @Test func anExecutionWithoutItsValueIsPricedOrRefused() throws {
        func row(_ fields: String) -> String {
            #"{"topic":"execution","data":[{"execId":"e1","orderId":"o1","orderLinkId":"d1","symbol":"BTCUSDT","side":"Buy","execType":"Trade","execTime":"1","execFee":"0.1",\#(fields)}]}"#
        }
        guard case .executions(let rows) = try BybitTrading.privateMessage(Array(row(#""execPrice":"30000.5","execQty":"0.2""#).utf8)) else {
            Issue.record("not executions"); return
        }
        #expect(rows.first?.value == FixedDecimal("6000.1")!)
        #expect(throws: WireParseError.self) {
            try BybitTrading.privateMessage(Array(row(#""execPrice":"99999999999999999999","execQty":"99999999999999999999""#).utf8))
        }
    }
}
