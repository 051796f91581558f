import DexterCEX
import DexterCore
import Foundation
import SharedTestData
import Testing

/// Every OKX REST request dexter signs agrees with ccxt's, byte for byte: ccxt 4.5.90 (PyPI, pinned in
/// Tests/Servers/requirements.txt, in the servers' venv) runs offline as an oracle,
/// `../shared/vectors/exchanges/ccxt_sign_oracle.py` in "sign" mode — `exchange.sign(path, ["private"], method,
/// params)` with a fixed clock and the recorded examples' credentials — one Python start for all of them (as
/// BinanceCcxtOracleTests does). Parameters go to ccxt in the order dexter's builder writes them (ccxt keeps a dict's
/// order, and its JSON body and query string follow it). Each order carries a clOrdId, so ccxt injects no broker id.
@Suite struct OKXCcxtOracleTests {
    static let credentials = OKXCredentials(apiKey: "okx-test-key", secret: "okx-test-secret", passphrase: "okx-test-passphrase")
    static let timestamp: Int64 = 1_700_000_000_123

    struct Case {
        let name: String
        let dexter: OKXRequest
        /// The path under `/api/v5/`.
        let path: String
        /// ccxt's params: an ordered object, or a JSON array for a batch (written as JSON here).
        let params: String
    }

    static func object(_ members: [(String, String)]) -> String {
        "{" + members.map { BinanceCcxtOracleTests.json($0.0) + ":" + BinanceCcxtOracleTests.json($0.1) }.joined(separator: ",") + "}"
    }

    static func cases() -> [Case] {
        let builder = OKXRequestBuilder(credentials: credentials)
        let time = Timestamp(milliseconds: timestamp)
        return [
            Case(name: "place an IOC", dexter: builder.placeOrder(
                instId: "BTC-USDT", side: .sell, ordType: "ioc", size: FixedDecimal("0.00012")!, price: FixedDecimal("61234.5")!,
                clOrdId: "mj3k2x1aXa17X2", at: time),
                 path: "trade/order",
                 params: object([("instId", "BTC-USDT"), ("tdMode", "cash"), ("side", "sell"), ("ordType", "ioc"),
                                 ("sz", "0.00012"), ("px", "61234.5"), ("clOrdId", "mj3k2x1aXa17X2")])),
            Case(name: "cancel by clOrdId", dexter: builder.cancelOrder(instId: "ETH-USDT", clOrdId: "dxa1", at: time),
                 path: "trade/cancel-order", params: object([("instId", "ETH-USDT"), ("clOrdId", "dxa1")])),
            Case(name: "cancel a batch by ordId",
                 dexter: builder.cancelBatch([(instId: "BTC-USDT", ordId: "600000000000000001"),
                                              (instId: "ETH-USDT", ordId: "600000000000000002")], at: time),
                 path: "trade/cancel-batch-orders",
                 params: "[" + object([("instId", "BTC-USDT"), ("ordId", "600000000000000001")]) + ","
                    + object([("instId", "ETH-USDT"), ("ordId", "600000000000000002")]) + "]"),
            Case(name: "order details by clOrdId", dexter: builder.orderDetails(instId: "BTC-USDT", clOrdId: "dxa1", at: time),
                 path: "trade/order", params: object([("instId", "BTC-USDT"), ("clOrdId", "dxa1")])),
            Case(name: "pending orders", dexter: builder.ordersPending(at: time),
                 path: "trade/orders-pending", params: object([("instType", "SPOT")])),
            Case(name: "pending orders, next page", dexter: builder.ordersPending(after: "600000000000000009", at: time),
                 path: "trade/orders-pending", params: object([("instType", "SPOT"), ("after", "600000000000000009")])),
            Case(name: "orders history", dexter: builder.ordersHistory(at: time),
                 path: "trade/orders-history", params: object([("instType", "SPOT")])),
            Case(name: "an order's fills", dexter: builder.fills(instId: "BTC-USDT", ordId: "600000000000000001", at: time),
                 path: "trade/fills",
                 params: object([("instType", "SPOT"), ("instId", "BTC-USDT"), ("ordId", "600000000000000001")])),
            Case(name: "balance", dexter: builder.balance(at: time), path: "account/balance", params: "{}"),
            Case(name: "account config", dexter: builder.accountConfig(at: time), path: "account/config", params: "{}"),
            Case(name: "trade fee", dexter: builder.tradeFee(at: time), path: "account/trade-fee",
                 params: object([("instType", "SPOT")])),
        ]
    }

    @Test func requestsMatchCcxt() throws {
        let cases = Self.cases()
        let requests = cases.map { request in
            #"{"exchange":"okx","credentials":{"apiKey":"okx-test-key","secret":"okx-test-secret","password":"okx-test-passphrase"},"#
                + #""timestamp_ms":\#(Self.timestamp),"sign":{"path":\#(BinanceCcxtOracleTests.json(request.path)),"#
                + #""api":"private","method":\#(BinanceCcxtOracleTests.json(request.dexter.method)),"params":\#(request.params)}}"#
        }
        let replies = try BinanceCcxtOracleTests.oracle(requests)
        for (request, reply) in zip(cases, replies) {
            let name = request.name, dexter = request.dexter
            #expect(reply["ccxt_version"] as? String == "4.5.90", "\(name): the pinned ccxt")
            guard reply["ok"] as? Bool == true, let result = reply["result"] as? [String: Any] else {
                Issue.record("\(name): ccxt's sign() failed: \(String(describing: reply["error"] ?? "no result"))")
                continue
            }
            #expect(result["method"] as? String == dexter.method, "\(name): method")
            #expect(result["url"] as? String == OKXExecutionSettings.defaultRESTURL + dexter.target, "\(name): URL")
            if dexter.method == "POST" {
                #expect(result["body"] as? String == dexter.body, "\(name): the JSON body")
            } else {
                #expect(result["body"] is NSNull && dexter.body.isEmpty, "\(name): no body")
            }
            #expect(result["headers"] as? [String: String] == dexter.headers, "\(name): headers and signature")
        }
    }
}
