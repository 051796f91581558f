import DexterCEX
import DexterCore
import DexterNet
import DexterVenues
import Foundation
import Testing
import TestServers

/// What the Bybit LIVE tests share: the local Bybit v5 server (Tests/Servers/bybit) started with one account, its
/// BTCUSDT book scripted, its truth read on the control port, the desk's inbox drained.
enum BybitTestSupport {
    static let key = "dexterBybitExecKey01"
    static let secret = "BYBITEXECTESTSECRET0123456789abcdef"
    static let venue: VenueId = "bybit"
    static let btc = Symbol(base: "BTC", quote: "USDT", settle: "USDT")
    static let stream = WebSocketSettings(url: "", pingEvery: .seconds(5), backoff: Backoff(first: .milliseconds(50), cap: .milliseconds(200)))

    /// The server with one account holding `usdt`, BTCUSDT's book at bids 30000 × 2, asks 30010 × 0.5 and 30020 × 2;
    /// the execution connected with requests of 2.5 s (a loaded box is slow; fault delays are longer).
    static func start(usdt: String = "100000", secret: String = Self.secret, fundingSince: Timestamp? = nil,
                      connect: Bool = true, prepare: (LocalBybit) async throws -> Void = { _ in })
        async throws -> (LocalBybit, BybitExecution, VenueInbox) {
        let server = try LocalBybit(["--speed", "0", "--account", "\(key):\(Self.secret):USDT=\(usdt)"])
        try await server.control("/control/script", ["symbol": "BTCUSDT", "bids": [["30000", "2"]],
                                                     "asks": [["30010", "0.5"], ["30020", "2"]]])
        try await prepare(server)
        var settings = BybitExecutionSettings(venue: venue, symbols: [btc], restURL: server.restURL,
                                              privateURL: server.privateWSURL, requestTimeout: .milliseconds(2500))
        settings.stream = stream
        let execution = BybitExecution(settings: settings, credentials: BybitCredentials(apiKey: key, secret: secret),
                                       fundingSince: fundingSince)
        let inbox = VenueInbox()
        if connect {
            try await execution.connect(inbox)
            // The first catch-up is done before a test injects a fault that hits any request.
            try await until("the first catch-up") { execution.catchUps >= 1 }
        }
        return (server, execution, inbox)
    }

    /// Waits (up to 15 s: the server is another process) until `condition` holds; fails the test if it never does.
    static func until(_ what: String = "the condition", _ condition: () -> Bool) async throws {
        for _ in 0..<300 where !condition() { try await Task.sleep(for: .milliseconds(50)) }
        try #require(condition(), "\(what) never came")
    }

    static func order(_ id: String, _ side: Side, _ quantity: String, at price: String, reduceOnly: Bool = false) -> OrderRequest {
        OrderRequest(clientOrderId: id, venue: venue, symbol: btc, side: side, quantity: FixedDecimal(quantity)!,
                     limitPrice: FixedDecimal(price)!, submittedAt: Timestamp(nanoseconds: 0), reduceOnly: reduceOnly)
    }

    /// Updates for `id` until `done` holds, or 15 s pass.
    static func updates(_ inbox: VenueInbox, for id: String, until done: ([OrderUpdate]) -> Bool) async throws -> [OrderUpdate] {
        var seen: [OrderUpdate] = []
        for _ in 0..<300 where !done(seen) {
            seen += inbox.drain().orders.filter { $0.clientOrderId == id }
            if done(seen) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        return seen
    }

    /// Fundings posted for `window` (they are counted, so a second one would show).
    static func fundings(_ inbox: VenueInbox, atLeast count: Int, settle window: Duration = .milliseconds(500))
        async throws -> [FundingPayment] {
        var seen: [FundingPayment] = []
        for _ in 0..<300 where seen.count < count {
            seen += inbox.drain().fundings
            if seen.count >= count { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        try await Task.sleep(for: window)
        return seen + inbox.drain().fundings
    }

    static func fills(_ updates: [OrderUpdate]) -> [Fill] {
        updates.compactMap { if case .fill(let fill) = $0.kind { fill } else { nil } }
    }

    static func filled(_ updates: [OrderUpdate]) -> FixedDecimal { fills(updates).reduce(.zero) { $0 + $1.quantity } }

    static func ends(_ updates: [OrderUpdate]) -> Bool { updates.contains(where: \.endsTheOrder) }

    static func filled(_ quantity: String) -> ([OrderUpdate]) -> Bool {
        { updates in ends(updates) || filled(updates) >= FixedDecimal(quantity)! }
    }

    /// The server's orders under this orderLinkId.
    static func serverOrders(_ server: LocalBybit, link: String) async throws -> [[String: Any]] {
        let all = try await server.read("/control/orders") as? [[String: Any]] ?? []
        return all.filter { $0["orderLinkId"] as? String == link }
    }

    static func serverAccount(_ server: LocalBybit) async throws -> [String: Any] {
        try await server.read("/control/account?apiKey=\(key)") as? [String: Any] ?? [:]
    }

    /// The server's executions of one order (its trade rows, oldest first).
    static func serverExecutions(_ server: LocalBybit, orderId: String) async throws -> [[String: Any]] {
        let rows = try await serverAccount(server)["executions"] as? [[String: Any]] ?? []
        return rows.filter { $0["orderId"] as? String == orderId && $0["execType"] as? String == "Trade" }
    }

    static func decimal(_ value: Any?) -> FixedDecimal? { (value as? String).flatMap(FixedDecimal.init) }

    /// A signed request sent as another tool would, on the same account.
    static func sendAsAnotherTool(_ server: LocalBybit, _ make: (Timestamp) -> BybitRequest) async throws -> [String: Any] {
        let request = make(Timestamp(nanoseconds: Int64(Date().timeIntervalSince1970 * 1e9)))
        let answer = try await HTTPTransport().send(HTTPCall(request.method == "POST" ? .POST : .GET, server.restURL + request.target,
                                                             headers: request.headers,
                                                             body: request.body.isEmpty ? nil : Array(request.body.utf8),
                                                             timeout: .seconds(10)))
        return try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any] ?? [:]
    }

    static var builder: BybitRequestBuilder { BybitRequestBuilder(credentials: BybitCredentials(apiKey: key, secret: secret)) }
}
