@testable import DexterCEX
import DexterCore
import DexterCrypto
import DexterVenues
import Foundation
import SharedTestData
import Testing

/// Coinbase's request security: each request's ES256 JWT bound to its method, host and path (verified with the public
/// key, as Coinbase does, and by ccxt's own check in ../shared/vectors/exchanges/oracle_examples/verify_signatures.py,
/// with ccxt's example key), the WebSocket's JWT without `uri`, and keys refused before anything is sent, with no
/// secret in the error.
@Suite struct CoinbaseSigningTests {
    static func claims(_ jwt: String) throws -> [String: Any] {
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false)
        try #require(parts.count == 3)
        let payload = try #require(CoinbaseJWT.base64URLDecode(parts[1]))
        return try #require(try JSONSerialization.jsonObject(with: payload) as? [String: Any])
    }

    static func verifies(_ jwt: String, with publicKey: [UInt8]) -> Bool {
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let signature = CoinbaseJWT.base64URLDecode(parts[2]) else { return false }
        return P256Signature.verify(publicKey: publicKey, message: Array((parts[0] + "." + parts[1]).utf8), signature: Array(signature))
    }

    // MARK: Signing and keys

    @Test func eachRequestCarriesAJWTBoundToItsMethodHostAndPath() throws {
        let builder = try CoinbaseRequestBuilder(credentials: CoinbaseTestSupport.credentials, restURL: "http://127.0.0.1:8123/",
                                                 venue: "coinbase")
        #expect(builder.host == "127.0.0.1:8123")
        #expect(CoinbaseRequestBuilder.host(of: "https://api.coinbase.com") == "api.coinbase.com")
        let now = Timestamp(nanoseconds: 1_700_000_000_123_000_000)
        let fills = CoinbaseRequestBuilder.listFills(orderIds: ["a-1", "b 2"])
        #expect(fills.target == "/api/v3/brokerage/orders/historical/fills?order_ids=a-1&order_ids=b%202&limit=100")
        let headers = try builder.headers(fills, now: now)
        let bearer = try #require(headers["Authorization"])
        #expect(bearer.hasPrefix("Bearer "))
        let jwt = String(bearer.dropFirst(7))
        #expect(Self.verifies(jwt, with: builder.publicKey))
        let claims = try Self.claims(jwt)
        // The path without its query, the host without its scheme.
        #expect(claims["uri"] as? String == "GET 127.0.0.1:8123/api/v3/brokerage/orders/historical/fills")
        #expect(claims["sub"] as? String == CoinbaseTestSupport.keyName && claims["iss"] as? String == "cdp")
        #expect(claims["nbf"] as? Int == 1_700_000_000 && claims["exp"] as? Int == 1_700_000_120)
        let headerData = try #require(CoinbaseJWT.base64URLDecode(jwt.split(separator: ".")[0]))
        let header = try #require(try JSONSerialization.jsonObject(with: headerData) as? [String: String])
        #expect(header["alg"] == "ES256" && header["kid"] == CoinbaseTestSupport.keyName && header["typ"] == "JWT")
        #expect((header["nonce"]?.count ?? 0) >= 32)
        // A fresh nonce every time: two JWTs of one request differ.
        #expect(try builder.headers(fills, now: now)["Authorization"] != bearer)
        // The public time needs none.
        #expect(try builder.headers(CoinbaseRequestBuilder.serverTime(), now: now)["Authorization"] == nil)
        // The WebSocket's JWT: the same claims without uri.
        let socket = try builder.webSocketJWT(now: now)
        #expect(Self.verifies(socket, with: builder.publicKey))
        let socketClaims = try Self.claims(socket)
        #expect(socketClaims["uri"] == nil && socketClaims["sub"] as? String == CoinbaseTestSupport.keyName)
        #expect(socketClaims["exp"] as? Int == 1_700_000_120)
    }

    /// The key of ccxt's Coinbase examples (../shared/vectors/exchanges/oracle_examples/errors_examples.json): a JWT made
    /// with it verifies with its public key, the check ccxt's verify_signatures.py makes.
    @Test func aJWTMadeWithCcxtsExampleKeyVerifies() throws {
        let examples = try #require(try JSONSerialization.jsonObject(
            with: try Shared.data("vectors/exchanges/oracle_examples/errors_examples.json")) as? [[String: Any]])
        let coinbase = try #require(examples.first { $0["exchange"] as? String == "coinbase" })
        let credentials = try #require(coinbase["credentials"] as? [String: String])
        let builder = try CoinbaseRequestBuilder(
            credentials: CoinbaseCredentials(keyName: try #require(credentials["apiKey"]), privateKeyPEM: try #require(credentials["secret"])),
            restURL: CoinbaseExecutionSettings.defaultRESTURL, venue: "coinbase")
        let order = CoinbaseRequestBuilder.createOrder(clientOrderId: "mj3k2x1a-a17-2", productId: "BTC-USD", side: .buy,
                                                      baseSize: FixedDecimal("0.001")!, limitPrice: FixedDecimal("50000.01")!)
        let jwt = String(try #require(try builder.headers(order, now: Timestamp(nanoseconds: 1_700_000_000_000_000_000))["Authorization"]).dropFirst(7))
        #expect(Self.verifies(jwt, with: builder.publicKey))
        #expect(try Self.claims(jwt)["uri"] as? String == "POST api.coinbase.com/api/v3/brokerage/orders")
        #expect(order.body == #"{"client_order_id":"mj3k2x1a-a17-2","product_id":"BTC-USD","side":"BUY","order_configuration":{"sor_limit_ioc":{"base_size":"0.001","limit_price":"50000.01"}}}"#)
    }

    /// The same JWT through ccxt's own check (`check_request` of ../shared/vectors/exchanges/oracle_examples/
    /// verify_signatures.py, which re-derives ccxt's signatures with `cryptography`): signature, uri, exp − nbf, alg and
    /// kid. Skipped where python3 with `cryptography` is missing.
    @Test func ccxtsVerificationAcceptsDextersJWT() throws {
        let examples = try #require(try JSONSerialization.jsonObject(
            with: try Shared.data("vectors/exchanges/oracle_examples/errors_examples.json")) as? [[String: Any]])
        let credentials = try #require(examples.first { $0["exchange"] as? String == "coinbase" }?["credentials"] as? [String: String])
        let name = try #require(credentials["apiKey"]), secret = try #require(credentials["secret"])
        let builder = try CoinbaseRequestBuilder(credentials: CoinbaseCredentials(keyName: name, privateKeyPEM: secret),
                                                 restURL: CoinbaseExecutionSettings.defaultRESTURL, venue: "coinbase")
        let order = CoinbaseRequestBuilder.createOrder(clientOrderId: "dx-1", productId: "BTC-USD", side: .sell,
                                                      baseSize: FixedDecimal("0.01")!, limitPrice: FixedDecimal("60000")!)
        let bearer = try #require(try builder.headers(order, now: WallClock().now())["Authorization"])
        let folder = try Shared.url("vectors/exchanges/oracle_examples/verify_signatures.py").deletingLastPathComponent().path
        let script = """
            import json, sys
            sys.path.insert(0, sys.argv[1])
            try:
                import cryptography
            except ImportError:
                print("skip"); sys.exit(0)
            import verify_signatures as v
            try:
                what, got, want = v.check_request("coinbase", "POST", "\(CoinbaseExecutionSettings.defaultRESTURL)/api/v3/brokerage/orders",
                                                  {"Authorization": sys.argv[2]}, sys.argv[3])
            except Exception as error:
                print("error", error); sys.exit(0)
            print("ok" if got == want else "mismatch " + got + " != " + want)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, folder, bearer, order.body]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return }  // no python3 here
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        process.waitUntilExit()
        #expect(text == "ok" || text == "skip", "\(text)")
    }

    @Test func aKeyThatIsNotACDPKeyIsRefusedBeforeAnythingIsSentWithoutTheSecret() throws {
        for name in ["", "abc", "organizations//apiKeys/x", "organizations/o/apiKey/k", "organizations/o/apiKeys/k/extra",
                     "organizations/o o/apiKeys/k"] {
            #expect(throws: CoinbaseKeyError.malformedKeyName(venue: "coinbase")) {
                _ = try CoinbaseRequestBuilder(credentials: CoinbaseCredentials(keyName: name, privateKeyPEM: CoinbaseTestSupport.pem),
                                               restURL: CoinbaseExecutionSettings.defaultRESTURL, venue: "coinbase")
            }
        }
        for pem in [CoinbaseTestSupport.ed25519PEM, "not a key", CoinbaseTestSupport.pem.replacingOccurrences(of: "MHcC", with: "MHcD")] {
            do {
                _ = try CoinbaseExecution(settings: CoinbaseExecutionSettings(venue: "coinbase"),
                                          credentials: CoinbaseCredentials(keyName: CoinbaseTestSupport.keyName, privateKeyPEM: pem))
                Issue.record("a PEM that is not a P-256 key was taken")
            } catch let error as CoinbaseKeyError {
                guard case .malformedPrivateKey = error else { Issue.record("\(error)"); continue }
                let text = "\(error) \(String(reflecting: error))"
                #expect(!text.contains("MC4CAQAw") && !text.contains("MHcC") && !text.contains("not a key"), "\(text)")
                #expect(text.contains("dexter keys rotate coinbase"))
            }
        }
        #expect(!CoinbaseTestSupport.credentials.description.contains("MHcC"))
        #expect(CoinbaseCredentials.isKeyName(CoinbaseTestSupport.keyName))
    }
}
