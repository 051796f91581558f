import DexterCEX
import DexterCore
import DexterMarket
import DexterVenues
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SharedTestData
import Testing
import TestServers

/// What the OKX tests share: the local OKX-protocol server started with one account, requests sent to it as another
/// tool on the same account would (not through dexter's execution), its truth read on the control port, and the
/// updates the desk's inbox receives.
enum OKXTestSupport {
    static let btc = Symbol(base: "BTC", quote: "USDT")

    /// Starts the server (`--speed 0`: the recorded market moves only when told) with one account, its key, secret,
    /// passphrase and balances; `perm` other than the default goes through an accounts file.
    static func server(key: String, secret: String, passphrase: String, perm: String? = nil,
                       options: [String] = []) throws -> LocalOKX {
        var arguments = ["--speed", "0"] + options
        if let perm {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("dexter-okx-accounts-\(UUID().uuidString).json")
            let accounts: [String: Any] = ["accounts": [[
                "name": "main", "balances": ["USDT": "100000", "BTC": "2"],
                "keys": [["apiKey": key, "secretKey": secret, "passphrase": passphrase, "perm": perm]],
            ] as [String: Any]]]
            try JSONSerialization.data(withJSONObject: accounts).write(to: file)
            arguments += ["--accounts", file.path]
        } else {
            arguments += ["--account", "\(key):\(secret):\(passphrase):USDT=100000,BTC=2"]
        }
        return try LocalOKX(arguments)
    }

    /// The server's book side, best first, as [price, size] of the wire's strings.
    static func levels(_ server: LocalOKX, _ side: String, limit: Int = 5) async throws -> [(price: FixedDecimal, size: FixedDecimal)] {
        let book = try await server.read("/control/book?instId=BTC-USDT&limit=\(limit)") as? [String: Any] ?? [:]
        let rows = book[side] as? [[Any]] ?? []
        return rows.compactMap { row in
            guard let price = (row.first as? String).flatMap(FixedDecimal.init), let size = (row.dropFirst().first as? String)
                .flatMap(FixedDecimal.init) else { return nil }
            return (price, size)
        }
    }

    /// The server's own orders with this clOrdId, with their fills.
    static func serverOrders(_ server: LocalOKX, clOrdId: String) async throws -> [[String: Any]] {
        let all = try await server.read("/control/orders") as? [[String: Any]] ?? []
        return all.filter { $0["clOrdId"] as? String == clOrdId }
    }

    /// The trade ids of a server order's fills.
    static func tradeIds(_ order: [String: Any]?) -> [String] {
        ((order?["fills"] as? [[String: Any]]) ?? []).compactMap { $0["tradeId"] as? String }
    }

    /// The account's balances on the server: currency → (availBal, frozenBal).
    static func serverBalances(_ server: LocalOKX, key: String) async throws -> [String: (FixedDecimal, FixedDecimal)] {
        let view = try await server.read("/control/account?apiKey=\(key)") as? [String: Any] ?? [:]
        var balances: [String: (FixedDecimal, FixedDecimal)] = [:]
        for (ccy, value) in view["balances"] as? [String: [String: String]] ?? [:] {
            balances[ccy] = (FixedDecimal(value["availBal"] ?? "") ?? .zero, FixedDecimal(value["frozenBal"] ?? "") ?? .zero)
        }
        return balances
    }

    /// Sends a signed request as another tool would, on the same account; the answer's JSON.
    static func sendAsAnotherTool(_ server: LocalOKX, _ request: OKXRequest) async throws -> [String: Any] {
        var call = URLRequest(url: URL(string: server.restURL + request.target)!)
        call.httpMethod = request.method
        for (name, value) in request.headers { call.setValue(value, forHTTPHeaderField: name) }
        if !request.body.isEmpty { call.httpBody = Data(request.body.utf8) }
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
        OrderRequest(clientOrderId: id, venue: "okx", symbol: btc, side: .buy, quantity: FixedDecimal(size)!,
                     limitPrice: price, submittedAt: Timestamp(nanoseconds: 0))
    }
}

/// OKX's market data as the desk sees it, for the LIVE venue's tests: the BTC-USDT instrument the local server lists,
/// at config's fee. The real feed (`OKXMarketFeed`, on main) takes its place in the desk; these tests are about
/// execution and the account.
final class OKXListedInstruments: MarketDataClient, Sendable {
    var venueIds: [VenueId] { ["okx"] }

    func instruments() async throws -> [VenueInstrument] {
        let venue = VenueSpec(id: "okx", kind: .exchange, takerFee: FixedDecimal("0.002")!, stalenessBound: .seconds(5))
        let instrument = InstrumentSpec(symbol: OKXTestSupport.btc, tickSize: FixedDecimal("0.1")!,
                                        lotSize: FixedDecimal("0.00000001")!, minNotional: .zero)
        return [VenueInstrument(market: Market(venue: venue, instrument: instrument, liquidity: .book(OrderBook(bids: [], asks: []))))]
    }

    func currentGas() async throws -> [GasQuote] { [] }
    func subscribe(_ keys: [MarketKey], into inbox: VenueInbox) async throws {}
    func unsubscribe(_ keys: [MarketKey]) async {}
}
