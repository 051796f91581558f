import DexterCEX
import DexterCore
import DexterVenues
import Foundation
import SharedTestData
import Testing

/// Binance USDⓈ-M's trading parsers on the real wire messages in ../shared (nautilus_trader's test data,
/// `vectors/exchanges/wire/binance_usdm/nautilus/futures`: Binance's documented examples, LGPL-3.0, read at run time,
/// never copied), its signing against ccxt's recorded signatures (`vectors/exchanges/oracle_examples`, ccxt 4.5.90),
/// its typed errors and its client order ids.
@Suite struct BinanceUSDMTradingParserTests {
    static let folder = "vectors/exchanges/wire/binance_usdm/nautilus/futures/"

    static func capture(_ name: String) throws -> Data { try Shared.data(folder + name) }

    @Test func anOrderTradeUpdateCaptureIsAFillWithItsTradeIdAndCommission() throws {
        let event = try BinanceUSDMTrading.userEvent(try Self.capture("user_data_json/order_update_trade.json"))
        guard case .order(let order, let eventTime) = event else { Issue.record("\(event)"); return }
        #expect(eventTime == Timestamp(milliseconds: 1_568_879_465_651))
        #expect(order.symbol == "BTCUSDT" && order.clientOrderId == "TEST" && order.side == .buy && order.orderId == 8_886_774)
        #expect(order.executionType == "TRADE" && order.status == "PARTIALLY_FILLED" && order.tradeId == 12_345_678)
        #expect(order.realizedProfit == FixedDecimal("12.34")!)
        let update = try #require(order.orderUpdate(venue: "binance-usdm"))
        guard case .fill(let fill) = update.kind else { Issue.record("\(update)"); return }
        #expect(fill.tradeId == "12345678" && fill.quantity == FixedDecimal("0.001")! && fill.fee == FixedDecimal("0.01")!)
        #expect(fill.notional == FixedDecimal("7.1005")! && fill.feeAsset == "USDT")
    }

    @Test func everyOrderUpdateCaptureReadsAndLiquidationFillsCarryTheirTradeIds() throws {
        let names = ["new", "trade", "trade_partial", "calculated", "calculated_pending", "adl", "insurance", "settlement",
                     "delivery"]
        var fills = 0
        for name in names {
            let event = try BinanceUSDMTrading.userEvent(try Self.capture("user_data_json/order_update_\(name).json"))
            guard case .order(let order, _) = event else { Issue.record("\(name): \(event)"); continue }
            if case .fill(let fill)? = order.orderUpdate(venue: "binance-usdm")?.kind {
                #expect(fill.tradeId == String(order.tradeId) && fill.quantity == order.lastQuantity, "\(name)")
                fills += 1
            }
        }
        // trade, trade_partial, calculated, adl, insurance, settlement, delivery: a NEW and a pending liquidation are not.
        #expect(fills == 7)
    }

    @Test func accountUpdateCapturesReadWithReasonBalancesAndSignedPositions() throws {
        let event = try BinanceUSDMTrading.userEvent(try Self.capture("user_data_json/account_update.json"))
        guard case .account(let account) = event else { Issue.record("\(event)"); return }
        #expect(account.reason == "ORDER" && account.eventTime == Timestamp(milliseconds: 1_564_745_798_939))
        #expect(account.balances.map(\.asset) == ["USDT"] && account.balances.map(\.walletBalance) == [FixedDecimal("122624.12345678")!])
        #expect(account.balances.map(\.change) == [FixedDecimal("50.12345678")!])
        #expect(account.positions.map(\.amount) == [.zero, FixedDecimal("20")!, FixedDecimal("-10")!])
        #expect(account.positions.map(\.positionSide) == ["BOTH", "LONG", "SHORT"])
        for name in ["account_update_bnfcr", "trade_lite", "algo_update_new", "algo_update_canceled"] {
            #expect(throws: Never.self, "\(name)") { try BinanceUSDMTrading.userEvent(try Self.capture("user_data_json/\(name).json")) }
        }
    }

    @Test func restCapturesReadExactly() throws {
        let order = try BinanceUSDMTrading.order(try Self.capture("http_json/order_response.json"))
        #expect(order.orderId == 12_345_678 && order.clientOrderId == "testOrder123" && order.status == "NEW" && order.isOpen)
        #expect(order.price == FixedDecimal("50000")! && order.originalQuantity == FixedDecimal("0.001")!)
        #expect(order.executionReport(symbol: usdmBTC, venue: "binance-usdm").status == .working)
        let positions = try BinanceUSDMTrading.positions(try Self.capture("http_json/position_risk.json"), known: [usdmBTC])
        #expect(positions.count == 1)
        let position = try #require(positions.first)
        #expect(position.symbol == usdmBTC && position.amount == FixedDecimal("0.001")! && position.entryPrice == FixedDecimal("50000")!)
        #expect(position.markPrice == FixedDecimal("51000")! && position.liquidationPrice == FixedDecimal("45000")!)
        #expect(position.leverage == 20 && position.unrealizedProfit == FixedDecimal("1")!)
        let margin = try BinanceUSDMTrading.margin(try Self.capture("http_json/account_info_v2.json"))
        #expect(margin.canTrade && margin.totalWalletBalance == FixedDecimal("23.72469206")!)
        #expect(margin.totalMarginBalance == FixedDecimal("23.72469206")! && margin.totalMaintMargin == .zero)
        #expect(margin.walletBalances["USDT"] == FixedDecimal("23.72469206")! && margin.marginRatio == .zero)
        let balances = try BinanceUSDMTrading.balances(try Self.capture("http_json/balance.json"))
        #expect(balances == ["USDT": FixedDecimal("122.12345678")!])
    }

    @Test func aCutOrAlteredMessageIsRefusedNamingTheField() throws {
        let text = String(decoding: try Self.capture("user_data_json/order_update_trade.json"), as: UTF8.self)
        let noTradeId = text.replacingOccurrences(of: "\"t\": 12345678", with: "\"t\": 0")
        #expect(throws: WireParseError.self) { try BinanceUSDMTrading.userEvent(Array(noTradeId.utf8)) }
        let noAsset = text.replacingOccurrences(of: "\"N\": \"USDT\",", with: "")
        do {
            _ = try BinanceUSDMTrading.userEvent(Array(noAsset.utf8))
            Issue.record("a charged commission without its asset was read")
        } catch {
            // The parser throws WireParseError only (typed throws).
            #expect(error.field == "N" && error.message == "ORDER_TRADE_UPDATE", "\(error)")
        }
        #expect(throws: WireParseError.self) { try BinanceUSDMTrading.userEvent(Array(text.dropLast(3).utf8)) }
    }

    // MARK: Signing

    /// ccxt's recorded requests for binanceusdm (`oracle_examples/*.out.json`, mode sign and call): Binance's example
    /// key, timestamp 1700000000000, recvWindow 10000. ccxt sends a POST's parameters as a form body; dexter sends
    /// them in the query string (Binance signs query + body as sent): ccxt's body is dexter's query, byte for byte.
    @Test func ordersAreSignedByteForByteAsCcxtSignedThem() throws {
        let requests = try Self.ccxtRequests()
        try #require(requests.count >= 2, "ccxt's binanceusdm order requests: \(requests.count)")
        let builder = BinanceUSDMRequestBuilder(credentials: BinanceCredentials(apiKey: Self.docKey, secret: Self.docSecret),
                                                recvWindow: 10_000)
        // call_examples: createOrder('BTC/USDT:USDT', 'limit', 'sell', 0.002, 45000, {newClientOrderId, RESULT, reduceOnly}).
        let reduceOnly = builder.newOrder(symbol: "BTCUSDT", side: .sell, quantity: FixedDecimal("0.002")!,
                                          price: FixedDecimal("45000")!, clientOrderId: "swift-test-2", timeInForce: "GTC",
                                          reduceOnly: true, timestamp: 1_700_000_000_000)
        let recorded = try #require(requests.first { $0.body.contains("reduceOnly=true") })
        #expect(reduceOnly.query == recorded.body && reduceOnly.path == "/fapi/v1/order" && reduceOnly.method == "POST")
        #expect(reduceOnly.headers == ["X-MBX-APIKEY": Self.docKey])
        // sign_examples: a GTC limit without a response type, signed as ccxt orders the parameters.
        let gtc = try #require(requests.first { $0.body.contains("newClientOrderId=my-id-1") })
        let signed = builder.signer.signed("POST", "/fapi/v1/order", [
            ("symbol", "BTCUSDT"), ("side", "BUY"), ("type", "LIMIT"), ("timeInForce", "GTC"), ("quantity", "0.001"),
            ("price", "30000"), ("newClientOrderId", "my-id-1")], timestamp: 1_700_000_000_000)
        #expect(signed.query == gtc.body)
    }

    static let docKey = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
    static let docSecret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"

    /// Every signed `POST /fapi/v1/order` ccxt recorded for binanceusdm.
    static func ccxtRequests() throws -> [(url: String, body: String)] {
        var found: [(String, String)] = []
        for file in ["sign_examples.out.json", "call_examples.out.json"] {
            let json = try JSONSerialization.jsonObject(with: try Shared.data("vectors/exchanges/oracle_examples/" + file))
            let examples = (json as? [[String: Any]]) ?? ((json as? [String: Any])?["examples"] as? [[String: Any]]) ?? []
            for example in examples where example["exchange"] as? String == "binanceusdm" {
                for request in example["requests"] as? [[String: Any]] ?? [] {
                    guard let sign = request["sign"] as? [String: Any], let url = sign["url"] as? String,
                          url.hasSuffix("/fapi/v1/order"), let body = sign["body"] as? String else { continue }
                    found.append((url, body))
                }
            }
        }
        return found
    }

    // MARK: Errors and ids

    @Test func everyCodeOfTheChecklistIsTyped() {
        let expected: [(Int, String, ExecutionFailure.Class, BinanceRetry)] = [
            (-1000, "outcome_unknown", .transient, .queryFirst), (-1006, "outcome_unknown", .transient, .queryFirst),
            (-1007, "outcome_unknown", .transient, .queryFirst), (-1001, "venue_busy", .transient, .queryFirst),
            (-1003, "rate_limited", .transient, .after(seconds: 7)), (-1008, "venue_busy", .transient, .later),
            (-1015, "rate_limited", .transient, .after(seconds: 7)), (-1021, "clock_skew", .transient, .afterClockResync),
            (-1022, "bad_signature", .rejected, .never), (-2014, "not_permitted", .rejected, .never),
            (-2015, "not_permitted", .rejected, .never), (-1102, "bad_request", .rejected, .never),
            (-1111, "bad_precision", .rejected, .never), (-1116, "bad_request", .rejected, .never),
            (-1117, "bad_request", .rejected, .never), (-1121, "unknown_symbol", .rejected, .never),
            (-1125, "listen_key_invalid", .rejected, .never), (-2011, "unknown_order", .rejected, .never),
            (-2013, "unknown_order", .rejected, .never), (-2019, "insufficient_margin", .rejected, .never),
            (-2021, "would_take", .market, .never), (-2022, "reduce_only_rejected", .rejected, .never),
            (-2027, "max_position", .rejected, .never), (-2028, "max_position", .rejected, .never),
            (-4003, "bad_precision", .rejected, .never), (-4005, "bad_precision", .rejected, .never),
            (-4014, "bad_precision", .rejected, .never), (-4023, "bad_precision", .rejected, .never),
            (-4015, "bad_client_order_id", .rejected, .never), (-4046, "no_change_needed", .rejected, .never),
            (-4059, "no_change_needed", .rejected, .never), (-4048, "setting_locked", .rejected, .never),
            (-4067, "setting_locked", .rejected, .never), (-4068, "setting_locked", .rejected, .never),
            (-4061, "position_side_mismatch", .rejected, .never), (-4116, "duplicate_order", .rejected, .never),
            (-4131, "price_out_of_band", .market, .never), (-4164, "below_minimum", .rejected, .never),
            (-5021, "not_filled", .market, .never), (-5022, "not_filled", .market, .never),
        ]
        for (code, name, failureClass, retry) in expected {
            let typed = BinanceUSDMErrors.failure(code: code, message: "words \(code)", httpStatus: 400, retryAfterSeconds: 7)
            #expect(typed.failure.code == name && typed.failure.failureClass == failureClass && typed.retry == retry, "\(code): \(typed)")
            #expect(typed.failure.venueCode == String(code) && typed.failure.venueMessage == "words \(code)")
        }
        // No envelope: a 5XX is unknown (query first), a 418 a ban, a 429 a stop until Retry-After.
        #expect(BinanceUSDMErrors.failure(code: nil, message: nil, httpStatus: 503).retry == .queryFirst)
        #expect(BinanceUSDMErrors.failure(code: -1003, message: nil, httpStatus: 418, retryAfterSeconds: 120).failure.code == "ip_banned")
        #expect(BinanceUSDMErrors.failure(code: nil, message: nil, httpStatus: 429, retryAfterSeconds: 3).retry == .after(seconds: 3))
        #expect(BinanceUSDMErrors.failure(code: -9999, message: "new", httpStatus: 400).retry == .never)
    }

    @Test func clientOrderIdsTravelAsTheyAreOrEncodedReversibly() {
        #expect(BinanceUSDMClientOrderId.encode("mj3k2x1a-a17-2") == "mj3k2x1a-a17-2")
        for id in ["dexter order #1", "é-leg", ".xlooks-encoded", "a+b=c", String(repeating: "z", count: 37)] {
            guard let encoded = BinanceUSDMClientOrderId.encode(id) else {
                #expect(id.utf8.count > 25, "\(id) refused")
                continue
            }
            #expect(BinanceUSDMClientOrderId.isValid(encoded) && encoded != id, "\(id) → \(encoded)")
            #expect(BinanceUSDMClientOrderId.decode(encoded) == id)
        }
        #expect(BinanceUSDMClientOrderId.encode(String(repeating: "ü", count: 20)) == nil)
        #expect(BinanceUSDMClientOrderId.encode("") == nil)
        // Another tool's id comes back as it is.
        #expect(BinanceUSDMClientOrderId.decode("web_abc123") == "web_abc123")
        #expect(BinanceUSDMClientOrderId.decode(".x!!") == ".x!!")
    }

    @Test func symbolsMapBothWays() {
        #expect(BinanceUSDMTrading.venueName(usdmBTC) == "BTCUSDT")
        #expect(BinanceUSDMTrading.symbol("BTCUSDT") == usdmBTC)
        #expect(BinanceUSDMTrading.symbol("ETHUSDC") == Symbol(base: "ETH", quote: "USDC", settle: "USDC"))
        #expect(BinanceUSDMTrading.symbol("USDT") == nil && BinanceUSDMTrading.symbol("BTCUSD_PERP") == nil)
    }
}

let usdmBTC = Symbol(base: "BTC", quote: "USDT", settle: "USDT")
