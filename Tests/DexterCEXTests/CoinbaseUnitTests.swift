@testable import DexterCEX
import DexterCore
import DexterCrypto
import DexterVenues
import Foundation
import SharedTestData
import Testing

/// Coinbase's pieces that need no server (JWTs and keys are in CoinbaseSigningTests): the parsers on nautilus_trader's Coinbase fixtures (LGPL-3.0; Coinbase's documentation
/// examples, read from `../shared/vectors/exchanges/wire/coinbase/nautilus` at run time) and on ccxt's error bodies
/// (`../shared/vectors/exchanges/oracle_examples/errors_examples.json`), the error map against ccxt's, client ids,
/// and the tracker's "each fill once, the end after the fills".
@Suite struct CoinbaseUnitTests {
    static func capture(_ name: String) throws -> [UInt8] {
        Array(try Shared.data("vectors/exchanges/wire/coinbase/nautilus/\(name)"))
    }

    // MARK: Parsers on the nautilus shapes

    @Test func ordersOnNautilusShapes() throws {
        let order = try CoinbaseTrading.order(try Self.capture("http_order.json"))
        #expect(order.orderId == "0000-000000-000000" && order.productId == "BTC-USD" && order.side == .buy)
        #expect(order.clientOrderId == "11111-000000-000000" && order.status == "OPEN" && !order.isDone && !order.isImmediate)
        #expect(order.filledSize == FixedDecimal("0.001")! && order.filledValue == FixedDecimal(10000))
        #expect(order.averageFilledPrice == FixedDecimal(50) && order.totalFees == FixedDecimal(5) && order.numberOfFills == 2)
        #expect(order.baseSize == FixedDecimal("0.001")! && order.rejectReason == nil)
        #expect(order.createdTime == Timestamp(rfc3339: "2021-05-31T09:59:59Z")!)
        #expect(order.lastFillTime == Timestamp(rfc3339: "2021-05-31T10:30:00Z")!)
        let report = try #require(order.report(venue: "coinbase", fills: nil))
        #expect(report.status == .working && report.notional == FixedDecimal(10000) && report.fee == FixedDecimal(5))

        let list = try CoinbaseTrading.orders(try Self.capture("http_orders_list.json"))
        #expect(list.items.count == 2 && !list.hasNext && list.cursor.isEmpty)
        let market = try #require(list.items.last)
        #expect(market.status == "FILLED" && market.side == .sell && market.isImmediate && market.lastFillTime != nil)
        #expect(market.filledSize == FixedDecimal("0.0325")! && market.totalFees == FixedDecimal("0.50")!)
        #expect(list.items.first?.lastFillTime == nil && list.items.first?.baseSize == FixedDecimal("0.01")!)
        let done = try #require(market.report(venue: "coinbase", fills: nil))
        #expect(done.status == .filled && done.symbol == Symbol(base: "ETH", quote: "USD") && done.notional == FixedDecimal(100))
    }

    @Test func fillsAccountsAndTheUserChannelOnNautilusShapes() throws {
        let fills = try CoinbaseTrading.fills(try Self.capture("http_fills.json"))
        #expect(fills.items.count == 2 && fills.cursor.isEmpty)
        let first = try #require(fills.items.first)
        #expect(first.tradeId == "1111-11111-111111" && first.orderId == "0000-000000-000000" && first.productId == "BTC-USD")
        #expect(first.price == FixedDecimal("45123.45")! && first.size == FixedDecimal("0.005")! && first.commission == FixedDecimal("1.14")!)
        #expect(first.notional == FixedDecimal("225.61725")! && first.quantity == FixedDecimal("0.005")! && first.liquidity == "MAKER")
        #expect(first.time == Timestamp(rfc3339: "2024-01-15T10:30:00Z")! && first.side == .buy)

        let accounts = try CoinbaseTrading.accounts(try Self.capture("http_accounts.json"))
        #expect(accounts.items.count == 2 && !accounts.hasNext)
        let totals = try #require(CoinbaseTrading.totals(accounts.items))
        #expect(totals == ["BTC": FixedDecimal("1.23956789")!, "USD": FixedDecimal("10450.50")!])

        guard case .user(let sequence, let events) = try CoinbaseTrading.privateMessage(try Self.capture("ws_user.json")) else {
            Issue.record("not a user message"); return
        }
        #expect(sequence == 1 && events.count == 1 && events[0].type == "snapshot")
        let streamed = try #require(events.first?.orders.first)
        #expect(streamed.orderId == "a1b2c3d4-e5f6-7890-abcd-ef1234567890" && streamed.clientOrderId == "11111-000000-000001")
        #expect(streamed.status == "OPEN" && streamed.side == .buy && streamed.cumulativeQuantity.isZero)
        #expect(streamed.leavesQuantity == FixedDecimal("0.001")! && streamed.productId == "BTC-USD" && !streamed.isImmediate)
        #expect(streamed.creationTime == Timestamp(rfc3339: "2026-04-07T14:29:55.123456Z")!)

        #expect(try CoinbaseTrading.privateMessage(try Self.capture("ws_heartbeats.json")) == .heartbeats(sequence: 0, counter: "42"))
        #expect(try CoinbaseTrading.privateMessage(try Self.capture("ws_subscriptions.json"))
            == .subscriptions(sequence: 0, channels: ["level2", "market_trades"]))
        #expect(try CoinbaseTrading.privateMessage(Array(#"{"type":"error","message":"authentication failure"}"#.utf8))
            == .error(message: "authentication failure"))
        // Every other nautilus capture of the channel family parses as some message or is refused, never traps.
        for name in ["ws_l2_data_snapshot.json", "ws_ticker.json", "ws_market_trades.json", "ws_candles.json"] {
            #expect(try CoinbaseTrading.privateMessage(try Self.capture(name)).sequence != nil, "\(name)")
        }
    }

    @Test func theSmallAnswers() throws {
        let summary = Array(#"{"total_volume":1000,"total_fees":6,"fee_tier":{"pricing_tier":"Advanced 1","usd_from":"0","usd_to":"1000","taker_fee_rate":"0.006","maker_fee_rate":"0.004"},"margin_rate":null}"#.utf8)
        #expect(try CoinbaseTrading.feeTier(summary) == CoinbaseFeeTier(pricingTier: "Advanced 1", takerRate: FixedDecimal("0.006")!,
                                                                        makerRate: FixedDecimal("0.004")!))
        let permissions = Array(#"{"can_view":true,"can_trade":true,"can_transfer":false,"portfolio_uuid":"p-1","portfolio_type":"DEFAULT"}"#.utf8)
        #expect(try CoinbaseTrading.keyPermissions(permissions) == CoinbaseKeyPermissions(canView: true, canTrade: true,
                                                                                          canTransfer: false, portfolioId: "p-1"))
        let time = Array(#"{"iso":"2023-05-31T12:00:00Z","epochSeconds":"1685534400","epochMillis":"1685534400123"}"#.utf8)
        #expect(try CoinbaseTrading.serverTime(time) == Timestamp(milliseconds: 1_685_534_400_123))
        let cancel = Array(#"{"results":[{"success":true,"failure_reason":"UNKNOWN_CANCEL_FAILURE_REASON","order_id":"o-1"},{"success":false,"failure_reason":"UNKNOWN_CANCEL_ORDER","order_id":"o-2"}]}"#.utf8)
        #expect(try CoinbaseTrading.cancelResults(cancel).map(\.success) == [true, false])
        let accepted = Array(#"{"success":true,"success_response":{"order_id":"o-9","product_id":"BTC-USD","side":"BUY","client_order_id":"c-9"},"order_configuration":{"sor_limit_ioc":{"base_size":"1","limit_price":"2"}}}"#.utf8)
        let ack = try CoinbaseTrading.orderAck(accepted)
        #expect(ack.success && ack.orderId == "o-9" && ack.clientOrderId == "c-9")
        #expect(throws: WireParseError.self) { try CoinbaseTrading.orderAck(Array(#"{"success":true}"#.utf8)) }
        // An average written to more digits than an exact amount holds (a quotient) is cut, never booked; the exact
        // filled_value is what a report uses.
        let long = Array(#"{"order":{"order_id":"o","product_id":"BTC-USDT","side":"BUY","status":"FILLED","filled_size":"1.5","filled_value":"150.8","average_filled_price":"100.5333333333333333333333333"}}"#.utf8)
        let order = try CoinbaseTrading.order(long)
        #expect(order.averageFilledPrice == FixedDecimal("100.533333333333333333")!)
        #expect(order.report(venue: "coinbase", fills: nil)?.notional == FixedDecimal("150.8")!)
        #expect(throws: WireParseError.self) {
            try CoinbaseTrading.order(Array(#"{"order":{"order_id":"o","product_id":"B-U","side":"BUY","status":"OPEN","average_filled_price":"1.2.3"}}"#.utf8))
        }
        #expect(throws: WireParseError.self) { try CoinbaseTrading.fills(Array(#"{"fills":[{"trade_id":"t","order_id":"o","price":"1","size":"0"}]}"#.utf8)) }
        // A size in quote whose base quantity (size / price) leaves FixedDecimal's range is refused, not trapped on.
        #expect(throws: WireParseError.self) {
            try CoinbaseTrading.fills(Array(#"{"fills":[{"trade_id":"t","order_id":"o","price":"0.000000000000000001","size":"100000000000000000000","size_in_quote":true}]}"#.utf8))
        }
        let inQuote = try CoinbaseTrading.fills(Array(#"{"fills":[{"trade_id":"t","order_id":"o","price":"40","size":"100","size_in_quote":true}]}"#.utf8))
        #expect(inQuote.items.first?.quantity == FixedDecimal("2.5")! && inQuote.items.first?.notional == FixedDecimal(100))
    }

    // MARK: Errors

    /// ccxt's example error answers (errors_examples.json), typed.
    @Test func ccxtsErrorExamplesAreTyped() throws {
        let examples = try #require(try JSONSerialization.jsonObject(
            with: try Shared.data("vectors/exchanges/oracle_examples/errors_examples.json")) as? [[String: Any]])
        var seen: [String: String] = [:]
        for example in examples where example["exchange"] as? String == "coinbase" {
            let response = try #require((example["responses"] as? [[String: Any]])?.first)
            let status = try #require(response["status"] as? Int)
            let body = Array(try JSONSerialization.data(withJSONObject: try #require(response["body"])))
            let failure: CoinbaseFailure
            if status == 200 {
                let ack = try CoinbaseTrading.orderAck(body)
                #expect(!ack.success)
                failure = CoinbaseErrors.failure(ack)
            } else {
                let envelope = try CoinbaseTrading.errorEnvelope(body)
                failure = CoinbaseErrors.failure(code: envelope.error, message: envelope.message, details: envelope.details,
                                                 httpStatus: status)
            }
            seen[example["_what"] as? String ?? "?"] = failure.failure.code
            #expect(failure.failure.venueMessage?.contains("PRIVATE KEY") != true)
        }
        #expect(seen == ["unauthenticated": "bad_credentials", "rate limit": "rate_limited",
                         "insufficient funds (200 + success:false)": "insufficient_funds",
                         "post-only would cross": "would_take", "not found": "unknown_order"])
    }

    /// Where ccxt 4.5.90 maps a Coinbase code exactly, dexter's class agrees (ccxt_exception_maps.json).
    @Test func theErrorMapAgreesWithCcxtWhereCcxtHasAnExactCode() throws {
        let maps = try #require(try JSONSerialization.jsonObject(
            with: try Shared.data("vectors/exchanges/ccxt_exception_maps.json")) as? [String: Any])
        let coinbase = try #require((maps["maps"] as? [String: Any])?["coinbase"] as? [String: Any])
        let exact = try #require(coinbase["exact"] as? [String: String])
        let expected: [String: Set<String>] = [
            "InsufficientFunds": ["insufficient_funds"], "BadRequest": ["bad_request"], "PermissionDenied": ["not_permitted"],
            "RateLimitExceeded": ["rate_limited"], "AuthenticationError": ["bad_credentials", "not_permitted"],
            "InvalidOrder": ["bad_request", "bad_precision"],
        ]
        var compared = 0
        for (code, ccxtClass) in exact {
            guard let allowed = expected[ccxtClass] else { continue }
            let failure = CoinbaseErrors.failure(code: code, message: nil, httpStatus: 400).failure
            #expect(allowed.contains(failure.code), "\(code): ccxt \(ccxtClass), dexter \(failure.code)")
            compared += 1
        }
        #expect(compared >= 15)
        let statuses = try #require(coinbase["httpExceptions"] as? [String: String])
        for (status, ccxtClass) in statuses {
            guard let code = Int(status) else { continue }
            let failure = CoinbaseErrors.failure(code: nil, message: nil, httpStatus: code)
            switch ccxtClass {
            case "RateLimitExceeded": #expect(failure.retry == .afterWindow && failure.failure.isRetryable)
            case "AuthenticationError": #expect(failure.failure.code == "bad_credentials")
            case "RequestTimeout": #expect(failure.retry == .queryFirst, "\(status)")
            case "ExchangeNotAvailable" where code >= 500: #expect(failure.retry == .queryFirst && failure.failure.isRetryable)
            default: break
            }
        }
    }

    @Test func refusalsAndOutcomes() {
        func code(_ reasons: [String], _ error: String? = nil, status: Int = 200) -> (String, ExecutionFailure.Class, CoinbaseRetry) {
            let failure = CoinbaseErrors.failure(code: error, message: nil, httpStatus: status, reasons: reasons)
            return (failure.failure.code, failure.failure.failureClass, failure.retry)
        }
        #expect(code(["INSUFFICIENT_FUND", "PREVIEW_INSUFFICIENT_FUND"]) == ("insufficient_funds", .rejected, .never))
        #expect(code(["INVALID_PRICE_PRECISION"]) == ("bad_precision", .rejected, .never))
        #expect(code(["UNKNOWN_FAILURE_REASON", "PREVIEW_INVALID_SIZE_PRECISION"]) == ("bad_precision", .rejected, .never))
        #expect(code(["ORDER_ENTRY_DISABLED"]) == ("market_restricted", .market, .never))
        #expect(code(["PREVIEW_INVALID_BASE_SIZE_TOO_SMALL"]) == ("below_minimum", .rejected, .never))
        #expect(code(["INVALID_PRODUCT_ID"]) == ("unknown_symbol", .rejected, .never))
        // A clean "not placed" with nothing said is refused, not "unknown".
        #expect(code(["UNKNOWN_FAILURE_REASON"]) == ("rejected", .rejected, .never))
        #expect(code([], status: 500) == ("outcome_unknown", .transient, .queryFirst))
        #expect(code([], status: 503) == ("venue_unavailable", .transient, .queryFirst))
        #expect(code([], "RATE_LIMIT_EXCEEDED", status: 429) == ("rate_limited", .transient, .afterWindow))
        #expect(code([], "PERMISSION_DENIED", status: 403) == ("not_permitted", .rejected, .never))
        #expect(code([], "UNAUTHENTICATED", status: 401) == ("bad_credentials", .rejected, .never))
        #expect(code([], status: 404) == ("unknown_order", .rejected, .never))
    }

    // MARK: Client ids

    @Test func clientIdsTravelAsTheyAreOrEncodedReversibly() {
        for id in ["mj3k2x1a-a17-2", "a", "ABC_def-123", String(repeating: "x", count: 64)] {
            #expect(CoinbaseClientOrderId.encode(id) == id)
            #expect(CoinbaseClientOrderId.decode(id) == id)
        }
        for id in ["run.7/a1:2", "hx-plain", "ü-leg", "has space"] {
            let encoded = CoinbaseClientOrderId.encode(id)
            #expect(encoded?.hasPrefix("hx-") == true && encoded.map { $0.utf8.count <= 64 } == true, "\(id)")
            #expect(encoded.map(CoinbaseClientOrderId.decode) == id)
        }
        #expect(CoinbaseClientOrderId.encode("") == nil)
        #expect(CoinbaseClientOrderId.encode(String(repeating: "x", count: 65)) == nil)
        #expect(CoinbaseClientOrderId.encode(String(repeating: ".", count: 31)) == nil)
        // Another tool's ids come back as they are.
        for other in ["hx-zz", "hx-4", "hx-", "b0f3c1de-0b6e-4c8f-9a57-2a9f3b1e8d10"] {
            #expect(CoinbaseClientOrderId.decode(other) == other)
        }
    }

    // MARK: The tracker

    @Test func streamAndRESTTellEachFillOnceAndTheEndAfterTheFills() throws {
        let tracker = CoinbaseOrderTracker(venue: "coinbase")
        tracker.placing("dx1", immediate: true)
        func streamed(_ status: String, _ cumulative: String) -> CoinbaseStreamOrder {
            CoinbaseStreamOrder(orderId: "o-1", clientOrderId: "dx1", productId: "BTC-USD", side: .buy, status: status,
                                timeInForce: "IMMEDIATE_OR_CANCEL", cumulativeQuantity: FixedDecimal(cumulative)!,
                                leavesQuantity: nil, averagePrice: nil, totalFees: nil, filledValue: nil, cancelReason: nil,
                                rejectReason: nil, creationTime: Timestamp(nanoseconds: 1))
        }
        // The stream says CANCELLED with 1.5 filled before any fill was read: accepted only, the end waits.
        let first = tracker.streamUpdates(streamed("CANCELLED", "1.5"))
        #expect(first.count == 1 && first.first?.kind == .accepted(venueOrderId: "o-1"))
        #expect(tracker.isMissingFills(streamed("CANCELLED", "1.5")))
        let order = CoinbaseOrder(orderId: "o-1", productId: "BTC-USD", clientOrderId: "dx1", side: .buy, status: "CANCELLED",
                                  timeInForce: "IMMEDIATE_OR_CANCEL", createdTime: .zero, lastFillTime: nil,
                                  filledSize: FixedDecimal("1.5")!, filledValue: nil, averageFilledPrice: nil, totalFees: nil,
                                  numberOfFills: 2, rejectReason: nil, rejectMessage: nil, cancelMessage: nil, baseSize: nil)
        let fill = { (trade: String, size: String, price: String) in
            CoinbaseFill(entryId: "", tradeId: trade, orderId: "o-1", productId: "BTC-USD", price: FixedDecimal(price)!,
                         size: FixedDecimal(size)!, commission: FixedDecimal("0.6")!, sizeInQuote: false, side: .buy,
                         liquidity: "TAKER", time: .zero)
        }
        // REST sees only the first fill yet: it is told, the end still waits.
        let partial = tracker.restUpdates(order, fills: [fill("t1", "1", "100")])
        #expect(partial.count == 1 && CoinbaseTestSupport.fills(partial).map(\.tradeId) == ["t1"])
        let all = tracker.restUpdates(order, fills: [fill("t1", "1", "100"), fill("t2", "0.5", "101")])
        #expect(CoinbaseTestSupport.fills(all).map(\.tradeId) == ["t2"] && all.last?.endsTheOrder == true)
        guard case .expired? = all.last?.kind else { Issue.record("an IOC's rest expires: \(all)"); return }
        #expect(CoinbaseTestSupport.fills(all).first?.notional == FixedDecimal("50.5")! && CoinbaseTestSupport.fills(all).first?.feeAsset == "USD")
        // Everything again, from both paths: nothing new.
        #expect(tracker.restUpdates(order, fills: [fill("t1", "1", "100"), fill("t2", "0.5", "101")]).isEmpty)
        #expect(tracker.streamUpdates(streamed("CANCELLED", "1.5")).isEmpty)
        #expect(!tracker.isMissingFills(streamed("CANCELLED", "1.5")))
    }
}
