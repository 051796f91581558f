@testable import DexterCEX
import DexterCore
import DexterVenues
import Testing

/// Order answers, user data events and WebSocket API frames, on nautilus' copies of Binance's documentation examples
/// (`../shared/vectors/exchanges/wire/binance/nautilus/spot`, LGPL-3.0; shapes, not numeric truth).
@Suite struct BinanceTradingTests {
    static let btcusdt = Symbol(base: "BTC", quote: "USDT")

    @Test func fullPlacementAnswerBecomesFills() throws {
        let order = try BinanceTrading.order(try BinanceCaptures.nautilus("http_json/new_order_full_response.json"))
        #expect(order.symbol == "BTCUSDT" && order.orderId == 28 && order.clientOrderId == "6gCrw2kRUAF9CvJDGP16IP")
        #expect(order.status == .filled && order.side == .sell && order.type == "MARKET")
        #expect(order.executedQuantity == 10 && order.cumulativeQuoteQuantity == 10)
        #expect(order.fills.count == 5)
        #expect(order.fills[1] == BinanceOrderFill(tradeId: 57, price: 3999, quantity: 5,
                                                   commission: FixedDecimal("19.995")!, commissionAsset: "USDT"))
        let updates = order.orderUpdates(venue: "binance")
        #expect(updates.first?.kind == .accepted(venueOrderId: "28"))
        #expect(updates.count == 6)
        guard case .fill(let fill) = updates[2].kind else { Issue.record("no fill"); return }
        #expect(fill.tradeId == "57" && fill.quantity == 5 && fill.notional == 19_995)
        #expect(fill.fee == FixedDecimal("19.995")! && fill.feeAsset == "USDT")
        #expect(updates.allSatisfy { $0.clientOrderId == "6gCrw2kRUAF9CvJDGP16IP" })
        #expect(updates[0].at == Timestamp(milliseconds: 1_507_725_176_595))

        let report = try #require(order.executionReport(symbol: Self.btcusdt, venue: "binance"))
        #expect(report.status == .filled && report.filledQuantity == 10)
        // Σ commissions in USDT: 4 + 19.995 + 7.996 + 3.997 + 3.995.
        #expect(report.fee == FixedDecimal("39.983")!)
    }

    @Test func queriedOrderIsWorking() throws {
        let order = try BinanceTrading.order(try BinanceCaptures.nautilus("http_json/order_response.json"))
        #expect(order.price == FixedDecimal("0.1")! && order.originalQuantity == 1 && order.executedQuantity == 0)
        #expect(order.updateTime == Timestamp(milliseconds: 1_499_827_319_559))
        let report = try #require(order.executionReport(symbol: Symbol(base: "LTC", quote: "BTC"), venue: "binance"))
        #expect(report.status == .working && report.clientOrderId == "myOrder1" && report.side == .buy)
        let open = try BinanceTrading.orders(try BinanceCaptures.nautilus("http_json/open_orders_response.json"))
        #expect(open.count == 1 && open[0].status?.isOpen == true && open[0].orderId == 1)
    }

    @Test func cancelAnswerSpeaksForTheCanceledOrder() throws {
        let order = try BinanceTrading.order(try BinanceCaptures.nautilus("http_json/cancel_order_response.json"))
        #expect(order.clientOrderId == "cancelMyOrder1" && order.dexterClientOrderId == "myOrder1")
        let updates = order.orderUpdates(venue: "binance")
        #expect(updates.map(\.kind) == [.accepted(venueOrderId: "4"), .canceled(reason: nil)])
        #expect(updates.allSatisfy { $0.clientOrderId == "myOrder1" })
        let report = try #require(order.executionReport(symbol: Symbol(base: "LTC", quote: "BTC"), venue: "binance"))
        #expect(report.status == .canceled)
    }

    @Test func ackSaysOnlyAccepted() throws {
        let ack = Array(#"{"symbol":"BTCUSDT","orderId":28,"orderListId":-1,"clientOrderId":"dx-1","transactTime":1507725176595}"#.utf8)
        let order = try BinanceTrading.order(ack)
        #expect(order.status == nil && order.executionReport(symbol: Self.btcusdt, venue: "binance") == nil)
        #expect(order.orderUpdates(venue: "binance").map(\.kind) == [.accepted(venueOrderId: "28")])
    }

    @Test func executionReportsBecomeUpdates() throws {
        let new = try Self.report("user_data_json/execution_report_new.json")
        #expect(new.orderUpdate(venue: "binance")?.kind == .accepted(venueOrderId: "12345678"))
        #expect(new.tradeId == nil && new.commissionAsset == nil && new.originalClientOrderId == nil)

        let trade = try Self.report("user_data_json/execution_report_trade.json")
        #expect(trade.executionType == "TRADE" && trade.orderStatus == .filled && trade.isMaker)
        #expect(trade.lastQuantity == 1 && trade.lastPrice == 2500 && trade.lastQuoteQuantity == 2500)
        let update = try #require(trade.orderUpdate(venue: "binance"))
        #expect(update.clientOrderId == "x-TD67BGP9-T0000000000000")
        #expect(update.kind == .fill(Fill(tradeId: "98765432", quantity: 1, notional: 2500,
                                          fee: FixedDecimal("0.001")!, feeAsset: "ETH")))
        #expect(update.at == Timestamp(milliseconds: 1_709_654_401_000))

        #expect(try Self.report("user_data_json/execution_report_canceled.json").orderUpdate(venue: "binance")?.kind
                == .canceled(reason: nil))
        #expect(try Self.report("user_data_json/execution_report_expired.json").orderUpdate(venue: "binance")?.kind
                == .expired(reason: "INSUFFICIENT_LIQUIDITY"))

        let wrapped = try BinanceTrading.userEvent(try BinanceCaptures.nautilus("user_data_json/execution_report_wrapped.json"))
        guard case .executionReport(let report) = wrapped else { Issue.record("not an executionReport"); return }
        #expect(report.symbol == "ETHBTC" && report.price == FixedDecimal("0.1026441")! && report.orderId == 4_293_153)
    }

    @Test func cancelReportCarriesTheOriginalId() throws {
        let json = #"{"e":"executionReport","E":2,"s":"BTCUSDT","c":"cancel-7","S":"BUY","o":"LIMIT","f":"GTC","q":"1","p":"2","x":"CANCELED","X":"CANCELED","r":"NONE","i":9,"l":"0","z":"0","L":"0","n":"0","N":null,"T":3,"t":-1,"C":"dx-7","Y":"0"}"#
        guard case .executionReport(let report) = try BinanceTrading.userEvent(Array(json.utf8)) else {
            Issue.record("not an executionReport"); return
        }
        #expect(report.orderUpdate(venue: "binance")?.clientOrderId == "dx-7")
        let rejected = json.replacingOccurrences(of: #""x":"CANCELED","X":"CANCELED","r":"NONE""#,
                                                 with: #""x":"REJECTED","X":"REJECTED","r":"INSUFFICIENT_BALANCES""#)
        guard case .executionReport(let refused) = try BinanceTrading.userEvent(Array(rejected.utf8)),
              case .rejected(let failure)? = refused.orderUpdate(venue: "binance")?.kind else {
            Issue.record("not a rejection"); return
        }
        #expect(failure.code == "insufficient_funds" && !failure.isRetryable)
    }

    @Test func tradeWithoutItsPartsIsRefused() {
        let json = #"{"e":"executionReport","E":2,"s":"BTCUSDT","c":"dx","S":"BUY","o":"LIMIT","f":"IOC","q":"1","p":"2","x":"TRADE","X":"FILLED","i":9,"l":"0","z":"1","L":"2","n":"0","N":null,"T":3,"t":-1}"#
        do {
            _ = try BinanceTrading.userEvent(Array(json.utf8))
            Issue.record("a trade of nothing was accepted")
        } catch {
            #expect(error.field == "l" && error.message == "executionReport")
        }
    }

    @Test func accountEvents() throws {
        guard case .accountPosition(let position) = try BinanceTrading.userEvent(
            try BinanceCaptures.nautilus("user_data_json/account_position.json")) else { Issue.record("kind"); return }
        #expect(position.balances == [.init(asset: "USDT", free: 10_000, locked: 2_500), .init(asset: "ETH", free: 5, locked: 0)])
        #expect(position.eventTime == Timestamp(milliseconds: 1_709_654_400_000))
        guard case .accountPosition(let wrapped) = try BinanceTrading.userEvent(
            try BinanceCaptures.nautilus("user_data_json/account_position_wrapped.json")) else { Issue.record("kind"); return }
        #expect(wrapped.balances.first?.free == 10_000 && wrapped.lastUpdateTime == Timestamp(milliseconds: 1_564_034_571_073))
        guard case .balanceUpdate(let balance) = try BinanceTrading.userEvent(
            try BinanceCaptures.nautilus("user_data_json/balance_update_wrapped.json")) else { Issue.record("kind"); return }
        #expect(balance.asset == "BTC" && balance.delta == 100)
        #expect(try BinanceTrading.userEvent(try BinanceCaptures.nautilus("user_data_json/list_status_wrapped.json"))
                == .other(eventType: "listStatus"))
        let late = Array(#"{"d":"-0.5","a":"BTC","T":2,"E":1,"e":"balanceUpdate"}"#.utf8)
        #expect(try BinanceTrading.userEvent(late) == .balanceUpdate(BinanceBalanceUpdate(
            eventTime: Timestamp(milliseconds: 1), asset: "BTC", delta: FixedDecimal("-0.5")!, clearTime: Timestamp(milliseconds: 2))))
    }

    @Test func accountResponse() throws {
        let account = try BinanceTrading.account(try BinanceCaptures.nautilus("http_json/account_response.json"))
        #expect(account.canTrade && account.makerFee == FixedDecimal("0.0015")! && account.takerFee == FixedDecimal("0.0015")!)
        #expect(account.totals["BTC"] == FixedDecimal("4723846.89208129")!)
        #expect(account.permissions == ["SPOT"])
    }

    @Test func webSocketFrames() throws {
        let response = Array(#"{"id":"e2a85d9f","status":200,"result":{"symbol":"BTCUSDT","orderId":12510053279,"orderListId":-1,"clientOrderId":"a097fe6304b20a7e4fc436","transactTime":1655716096505},"rateLimits":[{"rateLimitType":"ORDERS","interval":"SECOND","intervalNum":10,"limit":50,"count":1}]}"#.utf8)
        guard case .response(let answer) = try BinanceTrading.webSocketFrame(response) else { Issue.record("kind"); return }
        #expect(answer.id == "e2a85d9f" && answer.status == 200 && answer.error == nil)
        #expect(answer.rateLimits == [BinanceRateLimit(type: "ORDERS", interval: "SECOND", intervalCount: 10, limit: 50, count: 1)])
        let order = try BinanceTrading.order(try #require(answer.result))
        #expect(order.orderId == 12_510_053_279 && order.clientOrderId == "a097fe6304b20a7e4fc436")

        let refused = Array(#"{"id":7,"status":429,"error":{"code":-1003,"msg":"Too much request weight used; current limit is 6000 request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.","data":{"serverTime":1659580020000,"retryAfter":1659580080000}}}"#.utf8)
        guard case .response(let limited) = try BinanceTrading.webSocketFrame(refused) else { Issue.record("kind"); return }
        #expect(limited.id == "7" && limited.error?.code == -1003)
        #expect(limited.error?.retryAfter == Timestamp(milliseconds: 1_659_580_080_000))

        let event = try BinanceTrading.webSocketFrame(try BinanceCaptures.nautilus("user_data_json/balance_update_wrapped.json"))
        guard case .event(let subscription, .balanceUpdate(let update)) = event else { Issue.record("kind"); return }
        #expect(subscription == 0 && update.delta == 100)
        #expect(try BinanceTrading.webSocketFrame(Array(#"{"subscriptionId":3,"event":{"e":"eventStreamTerminated","E":1728973001334}}"#.utf8))
                == .event(subscriptionId: 3, .streamTerminated(eventTime: Timestamp(milliseconds: 1_728_973_001_334))))
    }

    @Test func errorBody() throws {
        let body = try BinanceTrading.errorBody(Array(#"{"code":-1121,"msg":"Invalid symbol."}"#.utf8))
        #expect(body == BinanceErrorBody(code: -1121, message: "Invalid symbol."))
    }

    static func report(_ name: String) throws -> BinanceExecutionReport {
        guard case .executionReport(let report) = try BinanceTrading.userEvent(try BinanceCaptures.nautilus(name)) else {
            throw NotAnExecutionReport()
        }
        return report
    }
}

struct NotAnExecutionReport: Error {}
