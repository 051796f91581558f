import DexterCEX
import DexterCore
import Foundation
import SharedTestData
import Testing

/// Binance's documented HMAC examples (rest-api.md, "SIGNED Endpoint Examples for POST /api/v3/order", ASCII and
/// non-ASCII symbol), read from `../shared/vectors/exchanges/signing.json`.
@Suite struct BinanceSigningTests {
    struct Vector: Decodable {
        let name: String
        let apiKey: String
        let secretKey: String
        let params: [[String]]
        let payload: String
        let expectedSignatureHex: String
        let requestUrl: String
        let method: String
    }

    static func vectors() throws -> [Vector] {
        struct File: Decodable { let binance: [Vector] }
        return try JSONDecoder().decode(File.self, from: try Shared.data("vectors/exchanges/signing.json")).binance
    }

    @Test func documentedVectors() throws {
        let vectors = try Self.vectors()
        #expect(vectors.count == 2)
        for vector in vectors {
            let parameters = vector.params.map { ($0[0], $0[1]) }
            // The vectors carry recvWindow and timestamp among their params, last (the builder's own requests put
            // timestamp first, as ccxt does): sign them as given.
            let request = BinanceRequestBuilder(credentials: BinanceCredentials(apiKey: vector.apiKey, secret: vector.secretKey))
                .signed(vector.method, "/api/v3/order", exactly: parameters)
            #expect(request.query == vector.payload + "&signature=" + vector.expectedSignatureHex, "\(vector.name)")
            #expect(BinanceSettings.defaultRESTURL + request.target == vector.requestUrl, "\(vector.name)")
            #expect(request.headers == ["X-MBX-APIKEY": vector.apiKey])
        }
    }

    /// The documented example is a LIMIT GTC order: the builder makes the same request from the order's values, in
    /// its own order (timestamp first, recvWindow last: ccxt's, BinanceCcxtOracleTests).
    @Test func newOrderMatchesTheDocumentedRequest() throws {
        let vector = try #require(try Self.vectors().first)
        let builder = BinanceRequestBuilder(credentials: BinanceCredentials(apiKey: vector.apiKey, secret: vector.secretKey))
        let order = BinanceNewOrder(symbol: "LTCBTC", side: .buy, kind: .limit(price: FixedDecimal("0.1")!, timeInForce: .gtc),
                                    quantity: 1, clientOrderId: "dx-1", responseType: .full)
        let request = builder.newOrder(order, timestamp: 1_499_827_319_559)
        #expect(request.method == "POST" && request.path == "/api/v3/order")
        let expected = "timestamp=1499827319559&symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
            + "&newClientOrderId=dx-1&newOrderRespType=FULL&recvWindow=5000"
        #expect(request.query.hasPrefix(expected + "&signature="))
        // The signature is HMAC-SHA256 of exactly what precedes it.
        let signature = String(request.query.split(separator: "&").last!.dropFirst("signature=".count))
        #expect(signature.count == 64)
        let control = BinanceRequestBuilder(credentials: builder.credentials).signed("POST", "/api/v3/order", [], timestamp: 1)
        #expect(control.query.hasPrefix("timestamp=1&recvWindow=5000&signature="))
    }

    @Test func otherRequests() {
        let builder = BinanceRequestBuilder(credentials: BinanceCredentials(apiKey: "k", secret: "hunter2secret"), recvWindow: 3_000)
        let market = builder.newOrder(BinanceNewOrder(symbol: "BTCUSDT", side: .sell, kind: .market,
                                                      quantity: FixedDecimal("0.00012")!, clientOrderId: "dx-2",
                                                      responseType: .result), timestamp: 5)
        #expect(market.query.hasPrefix("timestamp=5&symbol=BTCUSDT&side=SELL&type=MARKET&quantity=0.00012&newClientOrderId=dx-2"
                                       + "&newOrderRespType=RESULT&recvWindow=3000&signature="))
        let ioc = builder.newOrder(BinanceNewOrder(symbol: "BTCUSDT", side: .buy, kind: .limit(price: 30_000, timeInForce: .ioc),
                                                   quantity: 1, clientOrderId: "dx-3"), timestamp: 5)
        #expect(ioc.query.contains("type=LIMIT&timeInForce=IOC&quantity=1&price=30000"))
        let cancel = builder.cancelOrder(symbol: "BTCUSDT", clientOrderId: "dx-3", timestamp: 6)
        #expect(cancel.method == "DELETE" && cancel.query.hasPrefix("timestamp=6&symbol=BTCUSDT&origClientOrderId=dx-3&recvWindow=3000&signature="))
        let query = builder.queryOrder(symbol: "BTCUSDT", clientOrderId: "dx-3", timestamp: 7)
        #expect(query.method == "GET" && query.path == "/api/v3/order" && query.query.hasPrefix("timestamp=7&symbol=BTCUSDT&origClientOrderId=dx-3&"))
        #expect(builder.openOrders(symbol: nil, timestamp: 8).query.hasPrefix("timestamp=8&recvWindow=3000&signature="))
        #expect(builder.account(timestamp: 9).query.hasPrefix("timestamp=9&omitZeroBalances=true&recvWindow=3000&signature="))
        #expect(BinanceRequestBuilder.depth(symbol: "BTCUSDT").target == "/api/v3/depth?symbol=BTCUSDT&limit=5000")
        #expect(BinanceRequestBuilder.exchangeInfo(symbols: ["BTCUSDT", "ETHBTC"]).target
                == "/api/v3/exchangeInfo?symbols=%5B%22BTCUSDT%22%2C%22ETHBTC%22%5D")
        #expect(!String(describing: builder.credentials).contains("hunter2"))
    }

    @Test func clientOrderIds() {
        #expect(BinanceNewOrder.isValidClientOrderId("dx-2024.01:a/b_c"))
        #expect(!BinanceNewOrder.isValidClientOrderId(""))
        #expect(!BinanceNewOrder.isValidClientOrderId(String(repeating: "a", count: 37)))
        #expect(!BinanceNewOrder.isValidClientOrderId("dx 1"))
    }

    @Test func percentEncoding() {
        #expect(BinanceQuery.percentEncode("１２") == "%EF%BC%91%EF%BC%92")
        #expect(BinanceQuery.percentEncode("a b&c=d~-._") == "a%20b%26c%3Dd~-._")
    }
}
