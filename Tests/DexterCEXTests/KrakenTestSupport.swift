import DexterCEX
import DexterCore
import DexterMarket
import DexterNet
import DexterVenues
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestServers

/// What the Kraken tests share: the local Kraken-protocol server started with one account and two keys (dexter's, and
/// another tool's on the same account), requests sent as that other tool would, the server's truth read on its
/// control port, and the updates the desk's inbox receives.
enum KrakenTestSupport {
    static let btc = Symbol(base: "BTC", quote: "CHF")
    static let key = "dexterKrakenExecTestKey000000000000000000000000000000001"
    static let otherKey = "dexterKrakenLiveTestKey000000000000000000000000000000002"
    static let secret = "ZGV4dGVyIGtyYWtlbiBleGVjdXRpb24gdGVzdCBzZWNyZXQsIDY0IGJ5dGVzIGxvbmcuLi4uLi4uLi4uLi4u"
    static var credentials: KrakenCredentials { KrakenCredentials(apiKey: key, secret: secret) }

    /// Starts the server (`--speed 0`: the recorded market moves only when told) with the account, its rate limits
    /// on (`limits` false turns the server's counters off).
    static func server(balances: [String: String] = ["XXBT": "10", "CHF": "100000"], limits: Bool = false) async throws -> LocalKraken {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dexter-kraken-accounts-\(UUID().uuidString).json")
        let accounts: [String: Any] = ["accounts": [[
            "name": "main", "tier": "pro", "balances": balances, "fees": ["taker": "0.26", "maker": "0.16"],
            "keys": [["apiKey": key, "secret": secret], ["apiKey": otherKey, "secret": secret]],
        ] as [String: Any]]]
        try JSONSerialization.data(withJSONObject: accounts).write(to: file)
        let server = try LocalKraken(["--speed", "0", "--accounts", file.path])
        try await server.control("/control/limits", ["enabled": limits, "reset": true])
        return server
    }

    static func settings(_ server: LocalKraken, nonceFile: URL? = nil, tier: KrakenTier = .pro) -> KrakenExecutionSettings {
        var settings = KrakenExecutionSettings(venue: "kraken", restURL: server.restURL, privateURL: server.privateWSURL,
                                               tier: tier, nonceFile: nonceFile)
        settings.requestTimeout = .milliseconds(2500)
        // The server's own counters are off: these tests are about orders, the counters have their own tests.
        settings.limits = KrakenRateLimits(restMaximum: 500, restDecay: 50, tradingThreshold: 500, tradingDecay: 50)
        settings.stream = WebSocketSettings(url: server.privateWSURL, backoff: Backoff(first: .milliseconds(100), cap: .seconds(1)))
        return settings
    }

    /// The server's book side, best first, as [price, size].
    static func levels(_ server: LocalKraken, _ side: String, depth: Int = 5) async throws -> [(price: FixedDecimal, size: FixedDecimal)] {
        let book = try await server.read("/control/book?symbol=BTC/CHF&depth=\(depth)") as? [String: Any] ?? [:]
        return (book[side] as? [[Any]] ?? []).compactMap { row in
            guard let price = (row.first as? String).flatMap(FixedDecimal.init),
                  let size = (row.dropFirst().first as? String).flatMap(FixedDecimal.init) else { return nil }
            return (price, size)
        }
    }

    /// The third ask: an IOC buy limited there takes what the best levels hold.
    static func limit(_ server: LocalKraken) async throws -> FixedDecimal {
        try #require(try await levels(server, "asks", depth: 3).last?.price)
    }

    /// The server's orders under this cl_ord_id, with their fills.
    static func serverOrders(_ server: LocalKraken, clOrdId: String) async throws -> [[String: Any]] {
        let all = try await server.read("/control/orders") as? [[String: Any]] ?? []
        return all.filter { $0["cl_ord_id"] as? String == clOrdId }
    }

    static func serverFills(_ order: [String: Any]?) -> [[String: Any]] { order?["fills"] as? [[String: Any]] ?? [] }

    /// The fills' ids as dexter books them: `BTC/CHF:<trade_id>`.
    static func tradeIds(_ fills: [[String: Any]]) -> [String] {
        fills.compactMap { fill in (fill["trade_id"] as? Int).map { "BTC/CHF:\($0)" } ?? (fill["trade_id"] as? String).map { "BTC/CHF:" + $0 } }
    }

    /// The account's balances on the server: REST asset code → total.
    static func serverBalances(_ server: LocalKraken) async throws -> [String: FixedDecimal] {
        let view = try await server.read("/control/account?apiKey=\(key)") as? [String: Any] ?? [:]
        var totals: [String: FixedDecimal] = [:]
        for (asset, value) in view["balances"] as? [String: [String: String]] ?? [:] {
            totals[asset] = FixedDecimal(value["balance"] ?? "") ?? .zero
        }
        return totals
    }

    /// A signed request sent as another tool on the same account (its own key, its own nonces); the answer's JSON.
    static func sendAsAnotherTool(_ server: LocalKraken, _ build: (KrakenRequestBuilder, UInt64) throws -> KrakenRequest)
        async throws -> [String: Any] {
        let builder = KrakenRequestBuilder(credentials: KrakenCredentials(apiKey: otherKey, secret: secret))
        let request = try build(builder, UInt64(Date().timeIntervalSince1970 * 1_000_000))
        var call = URLRequest(url: URL(string: server.restURL + request.target)!)
        call.httpMethod = request.method
        for (name, value) in request.headers { call.setValue(value, forHTTPHeaderField: name) }
        call.httpBody = Data(request.body.utf8)
        let (body, _) = try await URLSession.shared.data(for: call)
        return try JSONSerialization.jsonObject(with: body) as? [String: Any] ?? [:]
    }

    /// Updates for `id` until `done` holds (or 15 s pass: the server is another process).
    static func updates(_ inbox: VenueInbox, for id: String, until done: ([OrderUpdate]) -> Bool) async throws -> [OrderUpdate] {
        var seen: [OrderUpdate] = []
        for _ in 0..<300 where !done(seen) {
            seen += inbox.drain().orders.filter { $0.clientOrderId == id }
            if done(seen) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        return seen
    }

    static func fills(_ updates: [OrderUpdate]) -> [Fill] {
        updates.compactMap { if case .fill(let fill) = $0.kind { fill } else { nil } }
    }

    static func filled(_ updates: [OrderUpdate]) -> FixedDecimal { fills(updates).reduce(.zero) { $0 + $1.quantity } }
    static func ends(_ updates: [OrderUpdate]) -> Bool { updates.contains(where: \.endsTheOrder) }

    static func buy(_ id: String, size: String = "0.01", at price: FixedDecimal) -> OrderRequest {
        OrderRequest(clientOrderId: id, venue: "kraken", symbol: btc, side: .buy, quantity: FixedDecimal(size)!,
                     limitPrice: price, submittedAt: Timestamp(nanoseconds: 0))
    }
}

/// Kraken's market data as the desk sees it, for the LIVE venue's tests: BTC/CHF at config's fee. The real feed
/// (`KrakenMarketFeed`, on main) takes its place in the desk; these tests are about execution and the account.
final class KrakenListedInstruments: MarketDataClient, Sendable {
    var venueIds: [VenueId] { ["kraken"] }

    func instruments() async throws -> [VenueInstrument] {
        let venue = VenueSpec(id: "kraken", kind: .exchange, takerFee: FixedDecimal("0.004")!, stalenessBound: .seconds(5))
        let instrument = InstrumentSpec(symbol: KrakenTestSupport.btc, tickSize: FixedDecimal("0.1")!,
                                        lotSize: FixedDecimal("0.00000001")!, minNotional: .zero)
        return [VenueInstrument(market: Market(venue: venue, instrument: instrument, liquidity: .book(OrderBook(bids: [], asks: []))))]
    }

    func currentGas() async throws -> [GasQuote] { [] }
    func subscribe(_ keys: [MarketKey], into inbox: VenueInbox) async throws {}
    func unsubscribe(_ keys: [MarketKey]) async {}
}
