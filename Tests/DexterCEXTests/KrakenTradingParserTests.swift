import DexterCEX
import DexterCore
import DexterVenues
import Foundation
import SharedTestData
import Testing

/// The Kraken trading parsers on real-shape messages: nautilus_trader's Kraken fixtures (LGPL-3.0; Kraken's
/// documentation examples), read from `../shared/vectors/exchanges/wire/kraken/nautilus` at run time — AddOrder,
/// OpenOrders, ClosedOrders, TradesHistory, Balance, the WebSocket v2 order answers — and the executions channel's
/// documented shapes, into exact values and the seam's updates.
@Suite struct KrakenTradingParserTests {
    static func capture(_ name: String) throws -> [UInt8] {
        Array(try Shared.data("vectors/exchanges/wire/kraken/nautilus/\(name)"))
    }

    @Test func addOrderAndCancelAnswers() throws {
        let ack = try KrakenTrading.addOrder(try Self.capture("http_add_order_spot.json"))
        #expect(ack.txids == ["OUF4EM-FRGI2-MQMWZD"] && ack.description == "buy 0.01000000 XBTUSD @ limit 50000.0")
        #expect(try KrakenTrading.canceledCount(try Self.capture("http_cancel_order_spot.json")) == 1)
        #expect(try KrakenTrading.errors(try Self.capture("http_add_order_spot.json")).isEmpty)
        let refused = Array(#"{"error":["EOrder:Insufficient funds"]}"#.utf8)
        #expect(try KrakenTrading.errors(refused) == ["EOrder:Insufficient funds"])
        #expect(throws: WireParseError.self) { try KrakenTrading.addOrder(refused) }
    }

    @Test func openAndClosedOrders() throws {
        let open = try KrakenTrading.orders(try Self.capture("http_open_orders.json"), container: "open")
        #expect(open.count == 2)
        let buy = try #require(open.first { $0.txid == "O26VBY-ISGAE-JP5TLU" })
        #expect(buy.isOpen && buy.side == .buy && buy.pair == "XBTUSDT" && buy.orderType == "limit")
        #expect(buy.limitPrice == FixedDecimal("29500.0")! && buy.volume == FixedDecimal("0.5")! && buy.executed == .zero)
        #expect(buy.clOrdId == nil && buy.dexterClientOrderId == "O26VBY-ISGAE-JP5TLU" && !buy.feeInBase)
        #expect(buy.openTime == Timestamp(nanoseconds: 1_688_583_840_864_800_000))
        let stop = try #require(open.first { $0.txid == "OYEQF4-FDE4C-NMUYUI" })
        #expect(stop.orderType == "stop-loss" && stop.side == .sell && stop.averagePrice == nil)

        let closed = try KrakenTrading.orders(try Self.capture("http_closed_orders.json"), container: "closed")
        let filled = try #require(closed.first { $0.txid == "O5KZFT-GH3AD-LP6TLU" })
        #expect(filled.status == "closed" && filled.executed == FixedDecimal("0.5")! && filled.cost == FixedDecimal("14750")!)
        #expect(filled.fee == FixedDecimal("22.125")! && filled.averagePrice == FixedDecimal("29500")! && filled.oflags == "fciq")
        #expect(filled.closeTime == Timestamp(nanoseconds: 1_688_590_000_543_200_000) && filled.reason == "User requested")
        let symbol = Symbol(base: "BTC", quote: "USDT")
        let report = try #require(filled.report(venue: "kraken", symbol: symbol, trades: nil))
        #expect(report.status == .filled && report.filledQuantity == FixedDecimal("0.5")!)
        #expect(report.notional == FixedDecimal("14750")! && report.fee == FixedDecimal("22.125")! && report.baseFee == .zero)
        #expect(report.averagePrice == FixedDecimal("29500")!)
    }

    @Test func tradesHistoryAndBalances() throws {
        let trades = try KrakenTrading.trades(try Self.capture("http_trades_history.json"), history: true)
        #expect(trades.count == 2)
        let buy = try #require(trades.first { $0.txid == "TCCCTY-WJ6EO-4FP4VZ" })
        #expect(buy.orderTxid == "O26VBY-ISGAE-JP5TLU" && buy.pair == "XBTUSDT" && buy.side == .buy && buy.maker == true)
        #expect(buy.price == FixedDecimal("29500.50")! && buy.volume == FixedDecimal("0.5")! && buy.cost == FixedDecimal("14750.25")!)
        #expect(buy.fee == FixedDecimal("23.60")! && buy.tradeId == "1001")
        #expect(buy.time == Timestamp(nanoseconds: 1_688_585_840_892_100_000))
        let balances = try KrakenTrading.balance(try Self.capture("http_spot_balance.json"))
        #expect(balances == ["ZUSD": FixedDecimal("200000")!, "XXBT": FixedDecimal("0.5")!, "ETH": FixedDecimal(2)])
        // Asset keys in dexter's names.
        #expect(Set(balances.keys.map { KrakenAssets.asset(restKey: $0) }) == ["USD", "BTC", "ETH"])
        let ex = try KrakenTrading.balanceEx(Array(#"{"error":[],"result":{"ZUSD":{"balance":"25435.21","hold_trade":"8249.76"},"XXBT":{"balance":"1.2435","hold_trade":"0.8423"}}}"#.utf8))
        let btc = try #require(ex.first { $0.key == "XXBT" })
        #expect(btc.balance == FixedDecimal("1.2435")! && btc.held == FixedDecimal("0.8423")!)
    }

    @Test func webSocketOrderAnswers() throws {
        guard case .answer(let ok) = try KrakenTrading.privateMessage(try Self.capture("ws_add_order_response_success.json")) else {
            Issue.record("an answer")
            return
        }
        #expect(ok.method == "add_order" && ok.success && ok.requestId == "42" && ok.orderId == "OABCDE-12345-FGHIJ")
        #expect(ok.clOrdId == "O-20260505-000001")
        guard case .answer(let refused) = try KrakenTrading.privateMessage(try Self.capture("ws_add_order_response_failure.json")) else {
            Issue.record("an answer")
            return
        }
        #expect(!refused.success && refused.error == "EOrder:Insufficient funds" && refused.requestId == "99")
        #expect(KrakenErrors.failure(refused.error).failure.code == "insufficient_funds")
        // A request read back (what dexter would send) is no answer.
        #expect(try KrakenTrading.privateMessage(try Self.capture("ws_cancel_order_request.json")) == .other("cancel_order"))
        // Kraken's pong carries no `success`: it is no answer to an order.
        #expect(try KrakenTrading.privateMessage(try Self.capture("ws_pong.json")) == .other("pong"))
    }

    /// The executions channel as Kraken's documentation shows it: a pending order, a trade, the fill's end; and a
    /// snapshot repeated on a reconnect tells nothing twice.
    static let executionsUpdate = #"""
        {"channel":"executions","type":"update","data":[{"order_id":"OK4GJX-KSTLS-7DZZO5","cl_ord_id":"mj3k2x1a-a17-2","symbol":"BTC/USD","order_qty":0.005,"cum_cost":0.0,"time_in_force":"IOC","exec_type":"pending_new","side":"buy","order_type":"limit","limit_price":26500.0,"order_status":"pending_new","timestamp":"2023-09-22T10:33:05.709950Z"},{"order_id":"OK4GJX-KSTLS-7DZZO5","cl_ord_id":"mj3k2x1a-a17-2","exec_id":"TTJ5JD-YGJQD-CIBOVU","exec_type":"trade","trade_id":365573,"symbol":"BTC/USD","side":"buy","last_qty":0.003,"last_price":26498.7,"liquidity_ind":"t","cost":79.4961,"order_status":"partially_filled","order_type":"limit","fee_usd_equiv":0.20669,"fees":[{"asset":"USD","qty":0.2066898}],"cum_qty":0.003,"timestamp":"2023-09-22T10:33:05.710130Z"},{"order_id":"OK4GJX-KSTLS-7DZZO5","cl_ord_id":"mj3k2x1a-a17-2","exec_type":"canceled","order_status":"canceled","cum_qty":0.003,"reason":"User requested","timestamp":"2023-09-22T10:33:05.710300Z"}],"sequence":14}
        """#

    @Test func executionsBecomeUpdatesEachTradeOnce() throws {
        guard case .executions(let snapshot, let reports, let sequence) = try KrakenTrading.privateMessage(Array(Self.executionsUpdate.utf8)) else {
            Issue.record("executions")
            return
        }
        #expect(!snapshot && sequence == 14 && reports.count == 3)
        let trade = reports[1]
        #expect(trade.isTrade && trade.lastQuantity == FixedDecimal("0.003")! && trade.lastPrice == FixedDecimal("26498.7")!)
        #expect(trade.fees.map(\.asset) == ["USD"] && trade.fees.map(\.quantity) == [FixedDecimal("0.2066898")!])
        #expect(trade.tradeId == "365573")
        #expect(trade.time == Timestamp(nanoseconds: Timestamp(utcYear: 2023, month: 9, day: 22, hour: 10, minute: 33, second: 5).nanoseconds + 710_130_000))
        let execution = try KrakenExecution(settings: KrakenExecutionSettings(venue: "kraken"),
                                            credentials: KrakenCredentials(apiKey: "k", secret: KrakenSigningTests.secret))
        let updates = reports.flatMap { execution.streamUpdates($0) }
        #expect(updates.count == 3, "\(updates)")
        #expect(updates.allSatisfy { $0.clientOrderId == "mj3k2x1a-a17-2" })
        guard case .accepted(let orderId) = updates[0].kind, case .fill(let fill) = updates[1].kind,
              case .expired = updates[2].kind else {
            Issue.record("accepted, the fill, the IOC's rest expired: \(updates)")
            return
        }
        #expect(orderId == "OK4GJX-KSTLS-7DZZO5" && fill.tradeId == "BTC/USD:365573", "the pair's trade id, which REST gives too")
        // The trade's own numbers, exact: price × quantity, the fee as charged, in USD.
        #expect(fill.quantity == FixedDecimal("0.003")! && fill.notional == FixedDecimal("79.4961")!)
        #expect(fill.fee == FixedDecimal("0.2066898")! && fill.feeAsset == "USD")
        #expect(reports.flatMap { execution.streamUpdates($0) }.isEmpty, "the same reports again tell nothing")
    }

    @Test func statusHeartbeatAndSubscribeAnswers() throws {
        #expect(try KrakenTrading.privateMessage(Array(#"{"channel":"heartbeat"}"#.utf8)) == .heartbeat)
        let status = #"{"channel":"status","type":"update","data":[{"version":"2.0.0","system":"online","api_version":"v2","connection_id":123}]}"#
        #expect(try KrakenTrading.privateMessage(Array(status.utf8)) == .status("online"))
        let subscribed = #"{"method":"subscribe","result":{"channel":"executions","maxratecount":125,"snap_orders":true,"snap_trades":true},"success":true,"time_in":"2023-10-16T13:18:35.303171Z","time_out":"2023-10-16T13:18:35.318297Z"}"#
        guard case .answer(let answer) = try KrakenTrading.privateMessage(Array(subscribed.utf8)) else {
            Issue.record("a subscribe answer")
            return
        }
        #expect(answer.success && answer.channel == "executions")
        #expect(throws: WireParseError.self) { try KrakenTrading.privateMessage(Array(#"{"channel":"executions","data":[{"exec_type":"trade","order_id":"O1","exec_id":"T1","last_qty":-1,"last_price":1}]}"#.utf8)) }
    }
}
