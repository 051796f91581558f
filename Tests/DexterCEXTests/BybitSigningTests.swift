@testable import DexterCEX
import DexterCore
import DexterNet
import DexterVenues
import Foundation
import SharedTestData
import Testing
import TestServers

/// Bybit's request signing against ccxt 4.5.90's recorded POST /v5/order/create (shared oracle examples, read at run
/// time), and signed orders, typed refusals and funding executions against the local Bybit v5 server, whose default
/// account is keyed with the oracle's example key.
@Suite(.serialized) struct BybitSigningTests {
    static let credentials = BybitCredentials(apiKey: "bybit-test-key", secret: "bybit-test-secret")
    static let btc = Symbol(base: "BTC", quote: "USDT", settle: "USDT")

    @Test func theSignatureIsCcxtsForTheSameBytes() throws {
        let examples = try #require(try JSONSerialization.jsonObject(
            with: try Shared.data("vectors/exchanges/oracle_examples/sign_examples.out.json")) as? [[String: Any]])
        let example = try #require(examples.first { $0["exchange"] as? String == "bybit" }?["result"] as? [String: Any])
        let headers = try #require(example["headers"] as? [String: String])
        let builder = BybitRequestBuilder(credentials: Self.credentials, recvWindow: Int(try #require(headers["X-BAPI-RECV-WINDOW"]))!)
        let time = Timestamp(milliseconds: Int64(try #require(headers["X-BAPI-TIMESTAMP"]))!)
        let request = builder.post("/v5/order/create", [
            ("category", .string("linear")), ("symbol", .string("BTCUSDT")), ("side", .string("Buy")),
            ("orderType", .string("Limit")), ("qty", .string("0.001")), ("price", .string("30000")),
            ("timeInForce", .string("GTC")), ("orderLinkId", .string("my-link-1")),
        ], at: time)
        #expect(request.body == example["body"] as? String, "the same body bytes as ccxt")
        #expect(request.headers["X-BAPI-SIGN"] == headers["X-BAPI-SIGN"])
        #expect(request.headers["X-BAPI-API-KEY"] == "bybit-test-key")
        #expect(!"\(Self.credentials)".contains("bybit-test-secret"), "the secret is never printed")
        // dexter's own order: IOC, one-way mode, reduce-only written only when set.
        let ioc = builder.createOrder(symbol: "BTCUSDT", side: .sell, quantity: FixedDecimal("0.012")!,
                                      price: FixedDecimal("27450.5")!, orderLinkId: "dx-1", reduceOnly: true, at: time)
        #expect(ioc.body == #"{"category":"linear","symbol":"BTCUSDT","side":"Sell","orderType":"Limit","qty":"0.012","price":"27450.5","timeInForce":"IOC","orderLinkId":"dx-1","reduceOnly":true,"positionIdx":0}"#)
        #expect(builder.realtimeOrder(symbol: "BTCUSDT", orderLinkId: "dx 1", at: time).target
                == "/v5/order/realtime?category=linear&symbol=BTCUSDT&orderLinkId=dx%201")
        let auth = builder.webSocketAuth(expires: Timestamp(milliseconds: 1_700_000_010_000))
        // Python's hmac.new(b"bybit-test-secret", b"GET/realtime1700000010000", sha256).hexdigest().
        let signature = "ace2f1aa653e53c8deef473d28149c2d6470f0e078fbf3fed51b0261e6ca6501"
        #expect(auth == #"{"op":"auth","args":["bybit-test-key",1700000010000,"\#(signature)"]}"#)
    }

    /// Sends `request` to the server at its own time, returns the status and body.
    static func send(_ server: LocalBybit, _ make: (Timestamp) -> BybitRequest) async throws -> (Int, [UInt8]) {
        let now = Timestamp(nanoseconds: Int64(Date().timeIntervalSince1970 * 1e9))
        let request = make(now)
        let answer = try await HTTPTransport().send(HTTPCall(request.method == "POST" ? .POST : .GET, server.restURL + request.target,
                                                             headers: request.headers,
                                                             body: request.body.isEmpty ? nil : Array(request.body.utf8),
                                                             timeout: .seconds(10)))
        return (answer.status, answer.body)
    }

    @Test func signedOrdersAreTakenAndRefusalsAreTyped() async throws {
        let server = try LocalBybit()
        defer { server.stop() }
        try await server.control("/control/script", ["symbol": "BTCUSDT", "bids": [["27449.5", "1"]], "asks": [["27451", "1"]]])
        let builder = BybitRequestBuilder(credentials: Self.credentials)
        let (status, body) = try await Self.send(server) {
            builder.createOrder(symbol: "BTCUSDT", side: .buy, quantity: FixedDecimal("0.01")!, price: FixedDecimal(27451),
                                orderLinkId: "dx-buy-1", at: $0)
        }
        let ack = try BybitTrading.orderAck(try BybitTrading.result(body, httpStatus: status, request: "order/create"))
        #expect(ack.orderLinkId == "dx-buy-1" && !ack.orderId.isEmpty)
        let orders = try #require(try await server.read("/control/orders") as? [[String: Any]])
        #expect(orders.first { $0["orderLinkId"] as? String == "dx-buy-1" }?["cumExecQty"] as? String == "0.010")

        // The same orderLinkId again: the order exists (query it, never send another).
        let (againStatus, again) = try await Self.send(server) {
            builder.createOrder(symbol: "BTCUSDT", side: .buy, quantity: FixedDecimal("0.01")!, price: FixedDecimal(27451),
                                orderLinkId: "dx-buy-1", at: $0)
        }
        do {
            _ = try BybitTrading.result(again, httpStatus: againStatus, request: "order/create BTCUSDT")
            Issue.record("a duplicate orderLinkId was taken")
        } catch let error as BybitError {
            #expect(error.orderExists && error.failure.code == "duplicate_client_id" && error.failure.venueCode == "110072")
            #expect(error.description.contains("order/create BTCUSDT"), "\(error)")
        }
        // A cancel of a finished order: 110001.
        let (cancelStatus, cancel) = try await Self.send(server) { builder.cancelOrder(symbol: "BTCUSDT", orderLinkId: "dx-buy-1", at: $0) }
        #expect(throws: BybitError.self) { try BybitTrading.result(cancel, httpStatus: cancelStatus, request: "order/cancel") }
        // Another secret: the signature is refused (10004), typed, the secret nowhere in the error.
        let wrong = BybitRequestBuilder(credentials: BybitCredentials(apiKey: "bybit-test-key", secret: "not-the-secret"))
        let (badStatus, bad) = try await Self.send(server) { wrong.walletBalance(at: $0) }
        do {
            _ = try BybitTrading.result(bad, httpStatus: badStatus, request: "account/wallet-balance")
            Issue.record("a bad signature was taken")
        } catch let error as BybitError {
            #expect(error.retCode == 10004 && error.failure.code == "not_permitted" && !error.failure.isRetryable)
            #expect(!"\(error)".contains("not-the-secret"))
        }
        // A server error: the outcome is unknown, transient.
        try await server.control("/control/fault", ["type": "error", "code": 10016, "count": 1])
        let (busyStatus, busy) = try await Self.send(server) {
            builder.createOrder(symbol: "BTCUSDT", side: .buy, quantity: FixedDecimal("0.01")!, price: FixedDecimal(27451),
                                orderLinkId: "dx-buy-2", at: $0)
        }
        do {
            _ = try BybitTrading.result(busy, httpStatus: busyStatus, request: "order/create")
            Issue.record("the injected 10016 was not seen")
        } catch let error as BybitError {
            #expect(error.outcomeUnknown && error.failure.isRetryable)
        }
    }

    @Test func aFundingExecutionIsAFundingPaymentNotAFill() async throws {
        let server = try LocalBybit()
        defer { server.stop() }
        try await server.control("/control/script", ["symbol": "BTCUSDT", "bids": [["27449.5", "1"]], "asks": [["27451", "1"]]])
        let builder = BybitRequestBuilder(credentials: Self.credentials)
        // Short 0.02: a positive rate is received.
        _ = try await Self.send(server) {
            builder.createOrder(symbol: "BTCUSDT", side: .sell, quantity: FixedDecimal("0.02")!, price: FixedDecimal("27449.5")!,
                                orderLinkId: "dx-short", at: $0)
        }
        try await server.control("/control/funding", ["symbol": "BTCUSDT", "rate": "0.0001", "markPrice": "27450"])
        let settled = try #require(try await server.control("/control/settle_funding", ["symbol": "BTCUSDT"]) as? [String: Any])
        let row = try #require((settled["rows"] as? [[String: Any]])?.first)
        let (status, body) = try await Self.send(server) { builder.executions(symbol: "BTCUSDT", at: $0) }
        let executions = try BybitTrading.executionList(try BybitTrading.result(body, httpStatus: status, request: "execution/list"))
        #expect(executions.filter(\.isFill).map(\.orderLinkId) == ["dx-short"])
        let funding = try #require(executions.first { $0.isFunding })
        #expect(!funding.isFill && funding.execId == row["execId"] as? String)
        let payment = try #require(funding.fundingPayment(venue: "bybit", symbol: Self.btc))
        #expect(payment.amount == FixedDecimal(try #require(row["funding"] as? String)), "Bybit's own figure")
        #expect(payment.amount == FixedDecimal("0.0549")!, "0.02 × 27450 × 0.0001 received by the short")
        #expect(payment.rate == FixedDecimal("0.0001")! && payment.positionSize == FixedDecimal("-0.02")!)
        #expect(payment.asset == "USDT" && payment.id == funding.execId && payment.markPrice == FixedDecimal(27450))
        #expect(executions.first { $0.isFill }?.fundingPayment(venue: "bybit", symbol: Self.btc) == nil)
    }
}
