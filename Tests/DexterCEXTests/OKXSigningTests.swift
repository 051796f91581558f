import DexterCEX
import DexterCore
import Foundation
import SharedTestData
import Testing

/// OKX's request signing against ccxt's: the two OKX requests ccxt 4.5.90 signed with a fixed clock, recorded in
/// `../shared/vectors/exchanges/oracle_examples/sign_examples.json` (inputs) and `sign_examples.out.json` (ccxt's
/// `sign()` output: URL, headers with OK-ACCESS-SIGN, body), built again by dexter from the same inputs: byte for
/// byte the same URL, body, headers and signature. Plus the login op's signature (Python's hmac gives the same), the
/// timestamp's form, and dexter's client order ids as OKX clOrdIds.
@Suite struct OKXSigningTests {
    static let host = OKXExecutionSettings.defaultRESTURL

    /// The recorded examples whose exchange is okx: (input, ccxt's reply), in file order.
    static func recorded() throws -> [(input: [String: Any], reply: [String: Any])] {
        let folder = "vectors/exchanges/oracle_examples"
        let inputs = try JSONSerialization.jsonObject(with: Shared.data("\(folder)/sign_examples.json")) as? [[String: Any]] ?? []
        let replies = try JSONSerialization.jsonObject(with: Shared.data("\(folder)/sign_examples.out.json")) as? [[String: Any]] ?? []
        try #require(inputs.count == replies.count, "one reply per example")
        return zip(inputs, replies).filter { $0.0["exchange"] as? String == "okx" }.map { ($0.0, $0.1) }
    }

    @Test func requestsMatchCcxtsRecordedSignatures() throws {
        let examples = try Self.recorded()
        try #require(examples.count == 2, "the two OKX examples: a POST with a body, a GET with a query")
        for (input, reply) in examples {
            let credentials = try #require(input["credentials"] as? [String: String])
            let builder = OKXRequestBuilder(credentials: OKXCredentials(apiKey: credentials["apiKey"]!, secret: credentials["secret"]!,
                                                                        passphrase: credentials["password"]!))
            let time = Timestamp(milliseconds: try #require(input["timestamp_ms"] as? Int64 ?? (input["timestamp_ms"] as? Int).map(Int64.init)))
            let sign = try #require(input["sign"] as? [String: Any])
            let params = try #require(sign["params"] as? [String: String])
            let dexter: OKXRequest
            switch (sign["method"] as? String, sign["path"] as? String) {
            case ("POST", "trade/order"):
                dexter = builder.placeOrder(instId: params["instId"]!, side: params["side"] == "buy" ? .buy : .sell,
                                            ordType: params["ordType"]!, size: FixedDecimal(params["sz"]!)!,
                                            price: FixedDecimal(params["px"]!)!, clOrdId: params["clOrdId"]!, at: time)
            case ("GET", "account/balance"):
                dexter = builder.get("/api/v5/account/balance", [("ccy", params["ccy"]!)], at: time)
            default:
                Issue.record("an OKX example this test does not know: \(sign)")
                continue
            }
            #expect(reply["ccxt_version"] as? String == "4.5.90")
            let result = try #require(reply["result"] as? [String: Any])
            #expect(result["method"] as? String == dexter.method)
            #expect(result["url"] as? String == Self.host + dexter.target)
            if dexter.method == "POST" {
                #expect(result["body"] as? String == dexter.body, "the JSON body, byte for byte")
            } else {
                #expect(result["body"] is NSNull && dexter.body.isEmpty)
            }
            let headers = try #require(result["headers"] as? [String: String])
            #expect(headers == dexter.headers, "headers, OK-ACCESS-SIGN among them")
            #expect(headers["OK-ACCESS-TIMESTAMP"] == "2023-11-14T22:13:20.123Z")
        }
    }

    /// The login op signs timestamp (seconds) + "GET" + "/users/self/verify"; the expected value is Python's
    /// `base64(hmac.new(b"okx-test-secret", b"1700000000GET/users/self/verify", sha256).digest())`.
    @Test func theLoginOpIsSignedAsOKXSays() throws {
        let builder = OKXRequestBuilder(credentials: OKXCredentials(apiKey: "okx-test-key", secret: "okx-test-secret",
                                                                    passphrase: "okx-test-passphrase"))
        let login = builder.login(unixSeconds: 1_700_000_000)
        #expect(login == #"{"op":"login","args":[{"apiKey":"okx-test-key","passphrase":"okx-test-passphrase","#
                + #""timestamp":"1700000000","sign":"bV0xw+ao/1QPg480Qj9C+hDjnFyqtOvU8ZhILTs1gHw="}]}"#)
    }

    @Test func demoTradingAddsItsHeaderAndExpTimeRidesOutsideTheSignature() {
        let credentials = OKXCredentials(apiKey: "okx-test-key", secret: "okx-test-secret", passphrase: "okx-test-passphrase")
        let time = Timestamp(milliseconds: 1_700_000_000_123)
        let live = OKXRequestBuilder(credentials: credentials).placeOrder(
            instId: "BTC-USDT", side: .buy, ordType: "ioc", size: FixedDecimal("0.01")!, price: FixedDecimal("30000")!,
            clOrdId: "a1", expiresAt: time.adding(.seconds(5)), at: time)
        let demo = OKXRequestBuilder(credentials: credentials, simulated: true).placeOrder(
            instId: "BTC-USDT", side: .buy, ordType: "ioc", size: FixedDecimal("0.01")!, price: FixedDecimal("30000")!,
            clOrdId: "a1", at: time)
        #expect(live.headers["expTime"] == "1700000005123" && live.headers["x-simulated-trading"] == nil)
        #expect(demo.headers["x-simulated-trading"] == "1" && demo.headers["expTime"] == nil)
        #expect(live.headers["OK-ACCESS-SIGN"] == demo.headers["OK-ACCESS-SIGN"], "neither header is signed")
        #expect(live.body == #"{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"ioc","sz":"0.01","px":"30000","clOrdId":"a1"}"#)
    }

    @Test func dextersClientOrderIdsBecomeOKXClOrdIdsAndBack() {
        for (id, clOrdId) in [("mj3k2x1a-a17-2", "mj3k2x1aXa17X2"), ("abc123", "abc123"), ("dx-2024.01:a/b_c", "dxX2024W01VaUbYc"),
                              ("Run-A1", "QRunXQA1")] {
            #expect(OKXClientOrderId.encode(id) == clOrdId, "\(id)")
            #expect(OKXClientOrderId.decode(clOrdId) == id, "\(clOrdId)")
            #expect(OKXClientOrderId.isValid(clOrdId))
        }
        // Over 32 once encoded, or a character no escape covers: refused before anything is sent.
        #expect(OKXClientOrderId.encode(String(repeating: "a", count: 33)) == nil)
        #expect(OKXClientOrderId.encode("a b") == nil && OKXClientOrderId.encode("") == nil && OKXClientOrderId.encode("é") == nil)
        // Another tool's ids, which no escape explains, come back unchanged.
        #expect(OKXClientOrderId.decode("ABC") == "ABC" && OKXClientOrderId.decode("xQ") == "xQ")
    }
}
