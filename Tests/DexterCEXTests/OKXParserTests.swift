import DexterCEX
import DexterCore
import DexterVenues
import Foundation
import SharedTestData
import Testing

/// The OKX trading parsers on real wire messages: nautilus_trader's OKX fixtures (LGPL-3.0; OKX's documentation
/// examples and messages recorded by nautilus), read from `../shared/vectors/exchanges/wire/okx/nautilus` at run
/// time. Orders, fills, balances, fee rates, place answers and `orders` pushes, into the seam's values.
@Suite struct OKXParserTests {
    static func capture(_ name: String) throws -> [UInt8] {
        Array(try Shared.data("vectors/exchanges/wire/okx/nautilus/\(name)"))
    }

    /// A single `data` element the fixture holds bare, inside OKX's envelope.
    static func enveloped(_ name: String) throws -> [UInt8] {
        Array(#"{"code":"0","msg":"","data":["#.utf8) + (try capture(name)) + Array("]}".utf8)
    }

    @Test func pendingAndHistoricalOrders() throws {
        let pending = try OKXTrading.orders(try Self.capture("http_get_orders_pending.json"))
        #expect(pending.code == "0" && pending.data.count == 1)
        let order = try #require(pending.data.first)
        #expect(order.ordId == "1234567890123456789" && order.clOrdId == "client-order-1" && order.isOpen)
        #expect(order.side == .buy && order.ordType == "limit" && order.price == FixedDecimal("103500")!)
        #expect(order.size == FixedDecimal("0.10")! && order.accFillSize == .zero && order.tradeId == nil)
        // Not dexter's encoding (it has `-`): the id stays as OKX wrote it.
        #expect(order.dexterClientOrderId == "client-order-1")
        let history = try OKXTrading.orders(try Self.capture("http_get_orders_history.json"))
        let done = try #require(history.data.first)
        #expect(done.state == "filled" && done.accFillSize == FixedDecimal("0.03")! && done.tradeId == "1518905529")
        #expect(done.fee == FixedDecimal("-0.021776769")! && done.feeCcy == "USDT" && done.averagePrice == FixedDecimal("103698.9")!)
        // No clOrdId: the order is known by OKX's id.
        #expect(done.dexterClientOrderId == "2497956918703120384")
    }

    @Test func aSpotIOCPushBecomesAcceptedAFillAndNoMore() throws {
        guard case .orders(let orders) = try OKXTrading.privateMessage(try Self.capture("ws_orders_ioc.json")) else {
            Issue.record("an orders push")
            return
        }
        let order = try #require(orders.first)
        #expect(order.state == "partially_filled" && order.fillSize == FixedDecimal("0.02")! && order.fillFee == nil)
        let tracker = OKXTestTracker()
        let updates = tracker.push(order)
        #expect(updates.count == 2)
        guard case .accepted(let ordId) = updates[0].kind, case .fill(let fill) = updates[1].kind else {
            Issue.record("accepted, then the fill: \(updates)")
            return
        }
        #expect(ordId == "2497956918703120386" && updates[1].clientOrderId == "IOC-TEST-001")
        // No fillFee in this (older) push: the fee is the cumulative fee's growth, charged in USDT for a sell.
        #expect(fill.tradeId == "1518905531" && fill.quantity == FixedDecimal("0.02")!)
        #expect(fill.notional == FixedDecimal("1002.01")! && fill.fee == FixedDecimal("0.1002")! && fill.feeAsset == "USDT")
        #expect(tracker.push(order).isEmpty, "the same push again tells nothing")
    }

    @Test func fokAndSwapPushesParse() throws {
        guard case .orders(let fok) = try OKXTrading.privateMessage(try Self.capture("ws_orders_fok.json")) else {
            Issue.record("an orders push")
            return
        }
        #expect(fok.first?.state == "filled" && fok.first?.fee == FixedDecimal("-0.25")!)
        guard case .orders(let swap) = try OKXTrading.privateMessage(try Self.capture("ws_orders.json")) else {
            Issue.record("an orders push")
            return
        }
        #expect(swap.first?.instId == "BTC-USDT-SWAP" && swap.first?.clOrdId == "001BTCUSDT20250106001")
        // The account channel is not the orders channel.
        #expect(try OKXTrading.privateMessage(try Self.capture("ws_account.json")) == .other("account"))
        #expect(try OKXTrading.privateMessage(Array("pong".utf8)) == .pong)
        #expect(try OKXTrading.privateMessage(Array(#"{"event":"login","code":"0","msg":"","connId":"a4d3ae55"}"#.utf8)) == .loggedIn)
        #expect(try OKXTrading.privateMessage(Array(#"{"event":"error","code":"60024","msg":"Wrong passphrase","connId":"a"}"#.utf8))
                == .error(code: "60024", message: "Wrong passphrase"))
    }

    @Test func balancesFeesFillsAndPlaceAnswers() throws {
        let balances = try OKXTrading.balances(try Self.capture("http_get_account_balance.json")).data.flatMap { $0 }
        let usdt = try #require(balances.first)
        #expect(usdt.currency == "USDT" && usdt.available == FixedDecimal("94.42612990333333")!)
        #expect(usdt.frozen == FixedDecimal("5.468566666666667")!)
        let fees = try OKXTrading.feeRates(try Self.capture("http_get_trade_fee_response.json")).data.first
        #expect(fees?.taker == FixedDecimal("-0.001")! && fees?.maker == FixedDecimal("-0.0008")!)
        let trade = try #require(try OKXTrading.trades(try Self.enveloped("http_transaction_detail.json")).data.first)
        #expect(trade.tradeId == "123456789" && trade.ordId == "987654321" && trade.fee == FixedDecimal("0.042")!)
        #expect(trade.fill.notional == FixedDecimal("42.0005")! && trade.fill.fee == FixedDecimal("-0.042")!)
        #expect(trade.time == Timestamp(milliseconds: 1_625_097_600_000))
        let unfeed = try #require(try OKXTrading.trades(try Self.enveloped("http_transaction_detail_empty_fee.json")).data.first)
        #expect(unfeed.fee == .zero)
        let ack = try #require(try OKXTrading.orderAcks(try Self.enveloped("http_place_order_response.json")).data.first)
        #expect(ack.ordId == "12345678901234567890" && ack.clOrdId == "client_order_123" && ack.sCode == "0")
    }

    @Test func documentedErrorsAreTyped() {
        let cases: [(String, Int?, String, ExecutionFailure.Class, OKXRetry)] = [
            ("50011", 429, "rate_limited", .transient, .afterWindow), ("50102", 401, "clock_skew", .transient, .afterClockResync),
            ("50105", 401, "bad_passphrase", .rejected, .never), ("50113", 401, "bad_signature", .rejected, .never),
            ("51008", 200, "insufficient_funds", .rejected, .never), ("51603", 200, "unknown_order", .rejected, .never),
            ("50026", 500, "outcome_unknown", .transient, .queryFirst), ("51016", 200, "duplicate_order", .rejected, .queryFirst),
            ("50037", 200, "order_expired", .transient, .later), ("50101", 401, "wrong_environment", .rejected, .never),
            ("", 502, "outcome_unknown", .transient, .queryFirst), ("59999", 200, "rejected", .rejected, .never),
        ]
        for (code, status, name, failureClass, retry) in cases {
            let failure = OKXErrors.failure(code: code, message: "words", httpStatus: status)
            #expect(failure.failure.code == name && failure.failure.failureClass == failureClass && failure.retry == retry, "\(code)")
        }
    }
}

/// The tracker the REST path and the stream share, reached through a live venue's execution.
struct OKXTestTracker {
    let execution = OKXExecution(settings: OKXExecutionSettings(venue: "okx"),
                                 credentials: OKXCredentials(apiKey: "k", secret: "s", passphrase: "p"))
    func push(_ order: OKXOrder) -> [OrderUpdate] { execution.pushUpdates(order) }
}
