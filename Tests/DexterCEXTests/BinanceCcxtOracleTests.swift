import DexterCEX
import DexterCore
import Foundation
import SharedTestData
import Testing

/// Issue 14: the Binance REST requests dexter sends agree with ccxt's, byte for byte. ccxt 4.5.90 (PyPI, pinned in
/// Tests/Servers/requirements.txt, in the servers' venv) runs offline as an oracle,
/// `../shared/vectors/exchanges/ccxt_sign_oracle.py` in "sign" mode: `exchange.sign(path, api, method, params)` with
/// a fixed clock and key, one Python start for every request below.
///
/// Same inputs on both sides: Binance's documented example key (rest-api.md, "SIGNED Endpoint Examples"), one
/// timestamp, recvWindow 5000 (ccxt's option; its default is 10000), and each request's parameters handed to ccxt in
/// the order dexter's builder writes them (ccxt keeps a dict's order). ccxt puts `timestamp` first and its
/// `recvWindow` option last; so does the builder (Binance takes parameters in any order).
///
/// One difference is Binance's to allow: ccxt sends a POST's parameters as an `application/x-www-form-urlencoded`
/// body, dexter sends every parameter in the query string. Binance takes either, or both, for POST, PUT and DELETE
/// (rest-api.md, "General Information on Endpoints") and signs totalParams = query string + body as sent. So for a
/// POST the test checks that ccxt's URL is dexter's path and ccxt's body is dexter's query string, byte for byte; for
/// GET and DELETE, that the URLs are equal and neither has a body.
@Suite struct BinanceCcxtOracleTests {
    /// Binance's published example key pair (rest-api.md): not a secret, and the one ccxt's examples sign with too.
    static let apiKey = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
    static let secretKey = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
    static let timestamp: Int64 = 1_499_827_319_559
    static let recvWindow = 5_000
    /// ccxt's host for spot `/api/v3`; dexter's default `restURL`.
    static let host = BinanceSettings.defaultRESTURL

    /// The package root, from this file's place in it (`<root>/Tests/DexterCEXTests/…`).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// One request, built by dexter, and the same request as ccxt's implicit API names it.
    struct Case {
        let name: String
        let dexter: BinanceRequest
        let method: String
        /// ccxt's API section: "private" (signed) or "public", both under `https://api.binance.com/api/v3`; "sapi" (signed, `/sapi/v1`).
        let api: String
        /// The path under `/api/v3`.
        let path: String
        /// The parameters in the builder's order, without `timestamp` and `recvWindow`: ccxt adds those itself.
        let params: [(String, String)]
    }

    static func cases() -> [Case] {
        let builder = BinanceRequestBuilder(credentials: BinanceCredentials(apiKey: apiKey, secret: secretKey),
                                            recvWindow: recvWindow)
        let ioc = BinanceNewOrder(symbol: "BTCUSDT", side: .buy, kind: .limit(price: FixedDecimal("61234.56")!, timeInForce: .ioc),
                                  quantity: FixedDecimal("0.00012")!, clientOrderId: "dx-ioc-1")
        let gtc = BinanceNewOrder(symbol: "ETHBTC", side: .sell, kind: .limit(price: FixedDecimal("0.05321")!, timeInForce: .gtc),
                                  quantity: FixedDecimal("1.5")!, clientOrderId: "dx-gtc-1", responseType: .result)
        let market = BinanceNewOrder(symbol: "BTCUSDT", side: .sell, kind: .market, quantity: FixedDecimal("0.001")!,
                                     clientOrderId: "dx-mkt-1", responseType: .ack)
        // Every byte Binance allows in a client order id besides letters and digits: ':' and '/' are percent-encoded.
        let oddId = "dx-2024.01:a/b_c"
        return [
            Case(name: "new order LIMIT IOC", dexter: builder.newOrder(ioc, timestamp: timestamp), method: "POST",
                 api: "private", path: "order",
                 params: [("symbol", "BTCUSDT"), ("side", "BUY"), ("type", "LIMIT"), ("timeInForce", "IOC"),
                          ("quantity", "0.00012"), ("price", "61234.56"), ("newClientOrderId", "dx-ioc-1"),
                          ("newOrderRespType", "FULL")]),
            Case(name: "new order LIMIT GTC", dexter: builder.newOrder(gtc, timestamp: timestamp), method: "POST",
                 api: "private", path: "order",
                 params: [("symbol", "ETHBTC"), ("side", "SELL"), ("type", "LIMIT"), ("timeInForce", "GTC"),
                          ("quantity", "1.5"), ("price", "0.05321"), ("newClientOrderId", "dx-gtc-1"),
                          ("newOrderRespType", "RESULT")]),
            Case(name: "new order MARKET", dexter: builder.newOrder(market, timestamp: timestamp), method: "POST",
                 api: "private", path: "order",
                 params: [("symbol", "BTCUSDT"), ("side", "SELL"), ("type", "MARKET"), ("quantity", "0.001"),
                          ("newClientOrderId", "dx-mkt-1"), ("newOrderRespType", "ACK")]),
            Case(name: "cancel by origClientOrderId",
                 dexter: builder.cancelOrder(symbol: "BTCUSDT", clientOrderId: oddId, timestamp: timestamp),
                 method: "DELETE", api: "private", path: "order",
                 params: [("symbol", "BTCUSDT"), ("origClientOrderId", oddId)]),
            Case(name: "cancel by origClientOrderId, naming the cancel",
                 dexter: builder.cancelOrder(symbol: "BTCUSDT", clientOrderId: "dx-ioc-1", cancelId: "dx-cxl-1", timestamp: timestamp),
                 method: "DELETE", api: "private", path: "order",
                 params: [("symbol", "BTCUSDT"), ("origClientOrderId", "dx-ioc-1"), ("newClientOrderId", "dx-cxl-1")]),
            Case(name: "query order by origClientOrderId",
                 dexter: builder.queryOrder(symbol: "BTCUSDT", clientOrderId: oddId, timestamp: timestamp),
                 method: "GET", api: "private", path: "order",
                 params: [("symbol", "BTCUSDT"), ("origClientOrderId", oddId)]),
            Case(name: "open orders of one symbol", dexter: builder.openOrders(symbol: "ETHBTC", timestamp: timestamp),
                 method: "GET", api: "private", path: "openOrders", params: [("symbol", "ETHBTC")]),
            Case(name: "open orders of every symbol", dexter: builder.openOrders(symbol: nil, timestamp: timestamp),
                 method: "GET", api: "private", path: "openOrders", params: []),
            Case(name: "cancel every open order of a symbol (the kill switch's sweep)",
                 dexter: builder.cancelOpenOrders(symbol: "ETHBTC", timestamp: timestamp),
                 method: "DELETE", api: "private", path: "openOrders", params: [("symbol", "ETHBTC")]),
            Case(name: "an order's trades", dexter: builder.myTrades(symbol: "BTCUSDT", orderId: 28457, timestamp: timestamp),
                 method: "GET", api: "private", path: "myTrades", params: [("symbol", "BTCUSDT"), ("orderId", "28457")]),
            Case(name: "the key's restrictions", dexter: builder.apiRestrictions(timestamp: timestamp),
                 method: "GET", api: "sapi", path: "account/apiRestrictions", params: []),
            Case(name: "account", dexter: builder.account(timestamp: timestamp),
                 method: "GET", api: "private", path: "account", params: [("omitZeroBalances", "true")]),
            Case(name: "depth", dexter: BinanceRequestBuilder.depth(symbol: "BTCUSDT"),
                 method: "GET", api: "public", path: "depth", params: [("symbol", "BTCUSDT"), ("limit", "5000")]),
            Case(name: "exchangeInfo with symbols", dexter: BinanceRequestBuilder.exchangeInfo(symbols: ["BTCUSDT", "ETHBTC"]),
                 method: "GET", api: "public", path: "exchangeInfo", params: [("symbols", #"["BTCUSDT","ETHBTC"]"#)]),
        ]
    }

    @Test func requestsMatchCcxt() throws {
        let cases = Self.cases()
        let replies = try Self.oracle(cases.map(Self.oracleRequest))
        for (request, reply) in zip(cases, replies) {
            Self.compare(request, reply)
        }
    }

    /// dexter's request against ccxt's `sign()` output: method, URL (path and query), body, headers, signature.
    static func compare(_ request: Case, _ reply: [String: Any]) {
        let name = request.name, dexter = request.dexter
        #expect(reply["ccxt_version"] as? String == "4.5.90", "\(name): the oracle must run the pinned ccxt")
        guard reply["ok"] as? Bool == true, let result = reply["result"] as? [String: Any] else {
            Issue.record("\(name): ccxt's sign() failed: \(String(describing: reply["error"] ?? "no result"))")
            return
        }
        let url = result["url"] as? String
        let body = result["body"] as? String
        #expect(result["method"] as? String == dexter.method, "\(name): method")
        #expect(dexter.method == request.method, "\(name): method")
        if dexter.method == "POST" {
            // ccxt: the parameters as a form body; dexter: the same bytes in the query string (both Binance's, above).
            #expect(url == host + dexter.path, "\(name): URL")
            #expect(body == dexter.query, "\(name): ccxt's body is dexter's query string")
        } else {
            #expect(url == host + dexter.target, "\(name): URL")
            #expect(result["body"] is NSNull, "\(name): no body")
        }
        if request.api == "public" {
            #expect(result["headers"] is NSNull && dexter.headers.isEmpty, "\(name): no key on a public request")
            #expect(!dexter.query.contains("signature=") && !(url ?? "").contains("signature="), "\(name): unsigned")
            return
        }
        var headers = result["headers"] as? [String: String] ?? [:]
        if dexter.method == "POST" {
            let contentType = headers.removeValue(forKey: "Content-Type")
            #expect(contentType == "application/x-www-form-urlencoded", "\(name): the body's type")
        }
        #expect(headers == dexter.headers, "\(name): headers")
        #expect(dexter.headers == ["X-MBX-APIKEY": apiKey], "\(name): the key header")
        // Already covered by the payload's equality; said on its own so a mismatch names the signature.
        let ccxtPayload = dexter.method == "POST" ? body : url.flatMap { $0.split(separator: "?", maxSplits: 1).last.map(String.init) }
        let ours = signature(dexter.query), theirs = ccxtPayload.flatMap(signature)
        #expect(ours != nil, "\(name): dexter's query ends with a signature")
        #expect(ours == theirs, "\(name): signature")
    }

    /// The last parameter's value if it is `signature`: 64 lowercase hex digits for HMAC-SHA256.
    static func signature(_ payload: String) -> String? {
        guard let last = payload.split(separator: "&").last, last.hasPrefix("signature=") else { return nil }
        let value = String(last.dropFirst("signature=".count))
        return value.count == 64 && value.allSatisfy { $0.isHexDigit && !$0.isUppercase } ? value : nil
    }

    /// One oracle request in JSON, written by hand so the parameters keep their order (ccxt's dict keeps it).
    static func oracleRequest(_ request: Case) -> String {
        let params = "{" + request.params.map { json($0.0) + ":" + json($0.1) }.joined(separator: ",") + "}"
        return #"{"exchange":"binance","credentials":{"apiKey":\#(json(apiKey)),"secret":\#(json(secretKey))},"#
            + #""timestamp_ms":\#(timestamp),"options":{"recvWindow":\#(recvWindow)},"#
            + #""sign":{"path":\#(json(request.path)),"api":\#(json(request.api)),"method":\#(json(request.method)),"#
            + #""params":\#(params)}}"#
    }

    static func json(_ text: String) -> String {
        String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)  // a String always encodes
    }

    /// Runs the oracle once with every request, after making or refreshing the servers' venv the way the tests that
    /// start a server do. A missing shared folder, venv or ccxt fails the test, saying which.
    static func oracle(_ requests: [String]) throws -> [[String: Any]] {
        let script = try Shared.url("vectors/exchanges/ccxt_sign_oracle.py")
        let venvScript = root.appendingPathComponent("scripts/servers-venv.sh")
        let venv = try run(venvScript, [], input: Data())
        try #require(venv.status == 0, """
            scripts/servers-venv.sh failed (exit \(venv.status)): this test needs ccxt from Tests/Servers/requirements.txt \
            in \(root.path)/.venv-servers. \(venv.errors)
            """)
        let python = root.appendingPathComponent(".venv-servers/bin/python")
        try #require(FileManager.default.isExecutableFile(atPath: python.path), "\(python.path) not found after scripts/servers-venv.sh")
        let answer = try run(python, [script.path], input: Data(("[" + requests.joined(separator: ",\n") + "]").utf8))
        try #require(answer.status == 0, "the ccxt oracle \(script.path) failed (exit \(answer.status)): \(answer.errors)")
        let replies = try #require(try JSONSerialization.jsonObject(with: answer.output) as? [[String: Any]],
                                   "the ccxt oracle did not answer a JSON list")
        try #require(replies.count == requests.count, "the ccxt oracle answered \(replies.count) of \(requests.count) requests")
        return replies
    }

    /// Runs a program to its end: stdin from `input`, stdout returned, the end of stderr for failure messages. The
    /// input goes through a file and stderr into one, so neither pipe can fill while stdout is read; the exit is
    /// polled (Foundation's waitUntilExit spins a run loop that hangs inside a Swift concurrency task).
    static func run(_ executable: URL, _ arguments: [String], input: Data) throws -> (status: Int32, output: Data, errors: String) {
        let files = FileManager.default
        let directory = files.temporaryDirectory.appendingPathComponent("dexter-ccxt-oracle-\(UUID().uuidString)")
        try files.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? files.removeItem(at: directory) }
        let inputFile = directory.appendingPathComponent("stdin"), errorFile = directory.appendingPathComponent("stderr")
        try input.write(to: inputFile)
        _ = files.createFile(atPath: errorFile.path, contents: nil)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = try FileHandle(forReadingFrom: inputFile)
        process.standardError = try FileHandle(forWritingTo: errorFile)
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        while process.isRunning { usleep(10_000) }
        let errors = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
        return (process.terminationStatus, data, String(errors.suffix(2_000)))
    }
}
