import DexterCEX
import DexterCore
import Foundation
import SharedTestData
import Testing

/// Kraken's request signing: the documented `API-Sign` example (docs.kraken.com "Spot REST Authentication", kept in
/// `../shared/vectors/exchanges/signing.json`) and every Kraken request ccxt 4.5.90 signed in
/// `../shared/vectors/exchanges/oracle_examples/` (sign and call examples) rebuilt by dexter byte for byte; then every
/// request dexter builds checked against ccxt itself, run offline as an oracle (`ccxt_sign_oracle.py`, as
/// OKXCcxtOracleTests does), with the same nonce.
@Suite struct KrakenSigningTests {
    static let secret = "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="
    static let builder = KrakenRequestBuilder(credentials: KrakenCredentials(apiKey: "kraken-test-key", secret: secret))

    /// "nonce=…&a=b&…" → its nonce and the fields after it, in order.
    static func fields(_ body: String) -> (nonce: UInt64, fields: [(String, String)]) {
        var nonce: UInt64 = 0, fields: [(String, String)] = []
        for part in body.split(separator: "&") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            let value = pair.count == 2 ? (pair[1].removingPercentEncoding ?? pair[1]) : ""
            if pair[0] == "nonce" { nonce = UInt64(value) ?? 0 } else { fields.append((pair[0], value)) }
        }
        return (nonce, fields)
    }

    @Test func theDocumentedExampleSignsAsKrakenSays() throws {
        let vectors = try JSONSerialization.jsonObject(with: Shared.data("vectors/exchanges/signing.json")) as? [String: Any]
        let kraken = try #require(vectors?["kraken"] as? [[String: String]])
        try #require(!kraken.isEmpty)
        for vector in kraken {
            let builder = KrakenRequestBuilder(credentials: KrakenCredentials(apiKey: "k", secret: vector["secretBase64"]!))
            let (nonce, fields) = Self.fields(vector["postData"]!)
            #expect(String(nonce) == vector["nonce"])
            let method = String(vector["uriPath"]!.dropFirst("/0/private/".count))
            let request = try builder.signed(method, fields, nonce: nonce)
            #expect(request.body == vector["postData"], "the body, byte for byte")
            #expect(request.target == vector["uriPath"])
            #expect(request.headers["API-Sign"] == vector["expectedApiSign"], "\(vector["name"] ?? "")")
        }
    }

    @Test func everyKrakenSignatureCcxtRecordedIsReproduced() throws {
        let folder = "vectors/exchanges/oracle_examples"
        var checked = 0
        for name in ["sign_examples", "call_examples", "errors_examples", "parse_examples"] {
            let replies = try JSONSerialization.jsonObject(with: Shared.data("\(folder)/\(name).out.json")) as? [[String: Any]] ?? []
            for reply in replies where reply["exchange"] as? String == "kraken" {
                for request in reply["requests"] as? [[String: Any]] ?? [] {
                    guard let sign = request["sign"] as? [String: Any], let headers = sign["headers"] as? [String: String],
                          let expected = headers["API-Sign"], let body = sign["body"] as? String,
                          let url = sign["url"] as? String else { continue }
                    let path = try #require(URL(string: url)?.path)
                    let (nonce, fields) = Self.fields(body)
                    let dexter = try Self.builder.signed(String(path.dropFirst("/0/private/".count)), fields, nonce: nonce)
                    #expect(dexter.body == body, "\(name) \(path): body")
                    #expect(dexter.headers["API-Sign"] == expected, "\(name) \(path): API-Sign")
                    #expect(dexter.headers["API-Key"] == headers["API-Key"])
                    #expect(dexter.headers["Content-Type"] == headers["Content-Type"])
                    checked += 1
                }
            }
        }
        #expect(checked >= 3, "the documented AddOrder, ccxt's AddOrder and CancelOrder at least: \(checked)")
    }

    struct Case {
        let name: String
        let request: KrakenRequest
        let method: String
        let params: [(String, String)]
    }

    static let nonce: UInt64 = 1_616_492_376_594

    static func cases() throws -> [Case] {
        let b = builder, n = nonce
        return [
            Case(name: "an IOC buy", request: try b.addOrder(pair: "XBTCHF", side: .buy, volume: "0.0125", price: "51234.5",
                                                             clOrdId: "mj3k2x1a-a17-2", nonce: n), method: "AddOrder",
                 params: [("pair", "XBTCHF"), ("type", "buy"), ("ordertype", "limit"), ("volume", "0.0125"), ("price", "51234.5"),
                          ("timeinforce", "IOC"), ("oflags", "fciq"), ("cl_ord_id", "mj3k2x1a-a17-2")]),
            Case(name: "a post-only GTC sell", request: try b.addOrder(pair: "XMRUSD", side: .sell, volume: "1.5", price: "301.17",
                                                                       timeInForce: "GTC", postOnly: true,
                                                                       clOrdId: "8bca5e9c-0c01-4d77-a91e-0a1b2c3d4e5f", nonce: n),
                 method: "AddOrder",
                 params: [("pair", "XMRUSD"), ("type", "sell"), ("ordertype", "limit"), ("volume", "1.5"), ("price", "301.17"),
                          ("oflags", "post,fciq"), ("cl_ord_id", "8bca5e9c-0c01-4d77-a91e-0a1b2c3d4e5f")]),
            Case(name: "cancel by txid", request: try b.cancelOrder(txid: "OUF4EM-FRGI2-MQMWZD", nonce: n), method: "CancelOrder",
                 params: [("txid", "OUF4EM-FRGI2-MQMWZD")]),
            Case(name: "cancel by cl_ord_id", request: try b.cancelOrder(clOrdId: "dxa1", nonce: n), method: "CancelOrder",
                 params: [("cl_ord_id", "dxa1")]),
            Case(name: "cancel all", request: try b.cancelAll(nonce: n), method: "CancelAll", params: []),
            Case(name: "query orders", request: try b.queryOrders(txids: ["OUF4EM-FRGI2-MQMWZD", "OABCDE-12345-FGHIJ"], nonce: n),
                 method: "QueryOrders", params: [("txid", "OUF4EM-FRGI2-MQMWZD,OABCDE-12345-FGHIJ"), ("trades", "true")]),
            Case(name: "open orders by cl_ord_id", request: try b.openOrders(clOrdId: "dxa1", trades: true, nonce: n),
                 method: "OpenOrders", params: [("trades", "true"), ("cl_ord_id", "dxa1")]),
            Case(name: "closed orders by cl_ord_id", request: try b.closedOrders(clOrdId: "dxa1", nonce: n),
                 method: "ClosedOrders", params: [("trades", "true"), ("cl_ord_id", "dxa1")]),
            Case(name: "trades history", request: try b.tradesHistory(start: 1_700_000_000, offset: 50, nonce: n),
                 method: "TradesHistory", params: [("start", "1700000000"), ("ofs", "50")]),
            Case(name: "balance ex", request: try b.balanceEx(nonce: n), method: "BalanceEx", params: []),
            Case(name: "trade volume", request: try b.tradeVolume(pairs: ["XBTCHF", "XMRUSD"], nonce: n), method: "TradeVolume",
                 params: [("pair", "XBTCHF,XMRUSD")]),
            Case(name: "websockets token", request: try b.webSocketsToken(nonce: n), method: "GetWebSocketsToken", params: []),
        ]
    }

    @Test func requestsMatchCcxt() throws {
        let cases = try Self.cases()
        let json = BinanceCcxtOracleTests.json
        let requests = cases.map { request in
            #"{"exchange":"kraken","credentials":{"apiKey":"kraken-test-key","secret":\#(json(Self.secret))},"#
                + #""nonce":\#(Self.nonce),"sign":{"path":\#(json(request.method)),"api":"private","method":"POST","#
                + #""params":{\#(request.params.map { json($0.0) + ":" + json($0.1) }.joined(separator: ","))}}}"#
        }
        let replies = try BinanceCcxtOracleTests.oracle(requests)
        for (request, reply) in zip(cases, replies) {
            let name = request.name, dexter = request.request
            #expect(reply["ccxt_version"] as? String == "4.5.90", "\(name): the pinned ccxt")
            guard reply["ok"] as? Bool == true, let result = reply["result"] as? [String: Any] else {
                Issue.record("\(name): ccxt's sign() failed: \(String(describing: reply["error"] ?? "no result"))")
                continue
            }
            #expect(result["url"] as? String == KrakenExecutionSettings.defaultRESTURL + dexter.target, "\(name): URL")
            #expect(result["body"] as? String == dexter.body, "\(name): the form body")
            #expect(result["headers"] as? [String: String] == dexter.headers, "\(name): headers and API-Sign")
        }
    }

    @Test func credentialsNeverPrintTheSecret() {
        let credentials = KrakenCredentials(apiKey: "kraken-test-key", secret: Self.secret)
        #expect(!"\(credentials)".contains(Self.secret) && "\(credentials)".contains("redacted"))
        #expect(credentials.secretIsBase64 && !KrakenCredentials(apiKey: "k", secret: "not base64!").secretIsBase64)
    }
}
