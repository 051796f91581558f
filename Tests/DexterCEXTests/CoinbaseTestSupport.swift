@testable import DexterCEX
import DexterCore
import DexterCrypto
import DexterNet
import DexterVenues
import Foundation
import Synchronization
import Testing

/// What the Coinbase tests share: dexter's test key (a P-256 key made for these tests, not anyone's), orders, the
/// updates the desk's inbox receives, and `ScriptedCoinbase`: Coinbase Advanced Trade's REST answers as the docs and
/// docs/venues/coinbase.md describe them, in process, behind the execution's transport — every private request's JWT
/// verified (signature, `uri`, lifetime), `client_order_id` idempotent, IOC orders taking a scripted book, fills under
/// their own trade ids with commissions in the quote, and faults on demand (an answer lost after the order executed,
/// a 5XX with or without executing, a 429, refusals). Tests against the local protocol server (LocalCoinbase) are in
/// CoinbaseExecutionTests.
enum CoinbaseTestSupport {
    static let btc = Symbol(base: "BTC", quote: "USD")
    static let keyName = "organizations/0d9f1c3e-6a53-4a5e-9d7c-1b1c2f3a4b5c/apiKeys/7e8f9a0b-1c2d-4e3f-8a9b-0c1d2e3f4a5b"
    static let pem = """
        -----BEGIN EC PRIVATE KEY-----
        MHcCAQEEIDRJF0fvTCxwYJXKIGGBx0r3ucZ7IcNU4VJySi8a2T5ooAoGCCqGSM49
        AwEHoUQDQgAEoN0kmvrZV4KsZnmrB+PFWD0CgO3eP5j4nwyvr0E8sKn2WpllQHBN
        xjEVbRMtO5bwFGMZzTjYKasnf1nAvZhdyQ==
        -----END EC PRIVATE KEY-----
        """
    /// An Ed25519 key: a PEM, but not one ES256 can sign with.
    static let ed25519PEM = """
        -----BEGIN PRIVATE KEY-----
        MC4CAQAwBQYDK2VwBCIEIP0v80rhd8I0v3TIk/yxqgdXcgQ7lTgIypRJgQxU38OV
        -----END PRIVATE KEY-----
        """
    static var credentials: CoinbaseCredentials { CoinbaseCredentials(keyName: keyName, privateKeyPEM: pem) }

    static func buy(_ id: String, size: String = "1.5", at price: String = "101", venue: VenueId = "coinbase") -> OrderRequest {
        OrderRequest(clientOrderId: id, venue: venue, symbol: btc, side: .buy, quantity: FixedDecimal(size)!,
                     limitPrice: FixedDecimal(price)!, submittedAt: Timestamp(nanoseconds: 0))
    }

    static func updates(_ inbox: VenueInbox, for id: String, until done: ([OrderUpdate]) -> Bool) async throws -> [OrderUpdate] {
        var seen: [OrderUpdate] = []
        for _ in 0..<300 where !done(seen) {
            seen += inbox.drain().orders.filter { $0.clientOrderId == id }
            if done(seen) { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        return seen
    }

    /// Collects what else arrives for a while (to show nothing is told twice).
    static func more(_ inbox: VenueInbox, for id: String, during wait: Duration = .milliseconds(400)) async throws -> [OrderUpdate] {
        try await Task.sleep(for: wait)
        return inbox.drain().orders.filter { $0.clientOrderId == id }
    }

    static func fills(_ updates: [OrderUpdate]) -> [Fill] {
        updates.compactMap { if case .fill(let fill) = $0.kind { fill } else { nil } }
    }

    static func filled(_ updates: [OrderUpdate]) -> FixedDecimal { fills(updates).reduce(.zero) { $0 + $1.quantity } }
    static func ends(_ updates: [OrderUpdate]) -> Bool { updates.contains(where: \.endsTheOrder) }
    /// Done: ended, or filled `size` whole (FILLED ends by quantity).
    static func done(_ size: String) -> ([OrderUpdate]) -> Bool {
        { ends($0) || filled($0) >= FixedDecimal(size)! }
    }

    static func execution(_ coinbase: ScriptedCoinbase, clock: any DexterCore.Clock = WallClock(),
                          limits: CoinbaseRateLimits = CoinbaseRateLimits(privatePerSecond: 1000, publicPerSecond: 1000),
                          credentials: CoinbaseCredentials = CoinbaseTestSupport.credentials) throws -> (CoinbaseExecution, VenueInbox) {
        var settings = CoinbaseExecutionSettings(venue: "coinbase", restURL: ScriptedCoinbase.restURL, privateURL: "ws://127.0.0.1:1",
                                                 requestTimeout: .milliseconds(500), limits: limits)
        settings.silence = .seconds(5)
        let execution = try CoinbaseExecution(settings: settings, credentials: credentials,
                                              transport: { (call: HTTPCall) async throws(HTTPFailure) -> HTTPAnswer in try coinbase.answer(call) },
                                              clock: clock, logger: .init(label: "test.coinbase"))
        let inbox = VenueInbox()
        return (execution, inbox)
    }
}

/// Coinbase's REST as the tests script it (see CoinbaseTestSupport).
final class ScriptedCoinbase: Sendable {
    static let restURL = "http://127.0.0.1:8123"
    static let takerRate = FixedDecimal("0.006")!

    enum Fault: Sendable {
        /// The order executes; its answer is lost (a timeout).
        case loseAnswerAfterExecuting
        /// HTTP 500 with or without the order executing.
        case serverError(executes: Bool)
        /// HTTP 429: nothing done.
        case rateLimit
        /// `success: false` with this reason (and its preview reason).
        case refuse(String)
    }

    struct Order {
        let orderId: String
        let clientOrderId: String
        let productId: String
        let side: String
        let size: FixedDecimal
        let price: FixedDecimal
        var status: String
        var filled: FixedDecimal = .zero
        var value: FixedDecimal = .zero
        var fees: FixedDecimal = .zero
        var fills: [[String: Any]] = []
        let created: String
    }

    struct State {
        var asks: [(price: FixedDecimal, size: FixedDecimal)] = [(FixedDecimal(100), FixedDecimal("0.4")!),
                                                                 (FixedDecimal("100.5")!, FixedDecimal("0.6")!),
                                                                 (FixedDecimal(101), FixedDecimal(1)),
                                                                 (FixedDecimal(103), FixedDecimal(5))]
        var orders: [String: Order] = [:]
        var byClient: [String: String] = [:]
        var creates: [String: Int] = [:]
        var faults: [Fault] = []
        var nextOrder = 1
        var nextTrade = 7_000_001
        var requests: [String] = []
        var badJWTs: [String] = []
        var knownKeys: Set<String> = [CoinbaseTestSupport.keyName]
    }

    let state = Mutex(State())
    let publicKey: [UInt8]

    init() throws {
        publicKey = try CoinbaseRequestBuilder(credentials: CoinbaseTestSupport.credentials, restURL: Self.restURL,
                                               venue: "coinbase").publicKey
    }

    func fault(_ fault: Fault) { state.withLock { $0.faults.append(fault) } }
    var requests: [String] { state.withLock { $0.requests } }
    var badJWTs: [String] { state.withLock { $0.badJWTs } }
    func creates(_ clientOrderId: String) -> Int { state.withLock { $0.creates[clientOrderId] ?? 0 } }
    func orders(clientOrderId: String) -> [Order] { state.withLock { $0.orders.values.filter { $0.clientOrderId == clientOrderId } } }

    func answer(_ call: HTTPCall) throws(HTTPFailure) -> HTTPAnswer {
        guard let url = URLComponents(string: call.url) else { throw .badURL(call.url) }
        let path = url.path, query = url.queryItems ?? []
        state.withLock { $0.requests.append("\(call.method.rawValue) \(path)") }
        if path != "/api/v3/brokerage/time", let refused = verify(call, path: path) { return refused }
        let body = call.body.flatMap { try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] } ?? [:]
        switch (call.method, path) {
        case (.GET, "/api/v3/brokerage/time"):
            let millis = Int64(Date().timeIntervalSince1970 * 1000)
            return Self.json(["iso": "2026-11-30T12:00:00Z", "epochSeconds": String(millis / 1000), "epochMillis": String(millis)])
        case (.POST, "/api/v3/brokerage/orders"): return try create(body)
        case (.POST, "/api/v3/brokerage/orders/batch_cancel"):
            let ids = body["order_ids"] as? [String] ?? []
            return Self.json(["results": ids.map { id -> [String: Any] in
                state.withLock { state in
                    guard var order = state.orders[id], order.status == "OPEN" else {
                        return ["success": false, "failure_reason": "UNKNOWN_CANCEL_ORDER", "order_id": id]
                    }
                    order.status = "CANCELLED"
                    state.orders[id] = order
                    return ["success": true, "failure_reason": "UNKNOWN_CANCEL_FAILURE_REASON", "order_id": id]
                }
            }])
        case (.GET, "/api/v3/brokerage/orders/historical/fills"):
            let ids = Set(query.filter { $0.name == "order_ids" }.compactMap(\.value))
            let fills = state.withLock { state in state.orders.values.filter { ids.contains($0.orderId) }.flatMap(\.fills) }
            return Self.json(["fills": fills, "cursor": ""])
        case (.GET, "/api/v3/brokerage/orders/historical/batch"):
            let open = query.contains { $0.name == "order_status" && $0.value == "OPEN" }
            let orders = state.withLock { state in
                state.orders.values.filter { !open || $0.status == "OPEN" }.sorted { $0.orderId > $1.orderId }.map(Self.orderJSON)
            }
            return Self.json(["orders": orders, "sequence": "0", "has_next": false, "cursor": ""])
        case (.GET, _) where path.hasPrefix("/api/v3/brokerage/orders/historical/"):
            let id = String(path.dropFirst("/api/v3/brokerage/orders/historical/".count))
            guard let order = state.withLock({ $0.orders[id] }) else {
                return Self.json(["error": "NOT_FOUND", "message": "order not found"], status: 404)
            }
            return Self.json(["order": Self.orderJSON(order)])
        case (.GET, "/api/v3/brokerage/accounts"):
            let accounts = [("BTC", "1.23456789", "0.005"), ("USD", "10000.50", "450.00")].map { currency, available, hold in
                ["uuid": UUID().uuidString, "currency": currency, "available_balance": ["value": available, "currency": currency],
                 "hold": ["value": hold, "currency": currency], "type": "CRYPTO", "ready": true] as [String: Any]
            }
            return Self.json(["accounts": accounts, "has_next": false, "cursor": "", "size": 2])
        case (.GET, "/api/v3/brokerage/transaction_summary"):
            return Self.json(["total_volume": 0, "total_fees": 0,
                              "fee_tier": ["pricing_tier": "Advanced 1", "taker_fee_rate": "0.006", "maker_fee_rate": "0.004"]])
        case (.GET, "/api/v3/brokerage/key_permissions"):
            return Self.json(["can_view": true, "can_trade": true, "can_transfer": false, "portfolio_uuid": "p-1",
                              "portfolio_type": "DEFAULT"])
        default:
            return Self.json(["error": "NOT_FOUND", "message": "no route \(path)"], status: 404)
        }
    }

    /// The bearer JWT: ES256 by the key, `uri` this request's method, host and path, inside its two minutes.
    private func verify(_ call: HTTPCall, path: String) -> HTTPAnswer? {
        func refuse(_ why: String) -> HTTPAnswer {
            state.withLock { $0.badJWTs.append(why) }
            return Self.json(["error": "UNAUTHENTICATED", "error_details": "", "message": "Unauthorized"], status: 401)
        }
        guard let bearer = call.headers["Authorization"], bearer.hasPrefix("Bearer ") else { return refuse("no bearer") }
        let parts = bearer.dropFirst(7).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = CoinbaseJWT.base64URLDecode(parts[0]),
              let claimsData = CoinbaseJWT.base64URLDecode(parts[1]), let signature = CoinbaseJWT.base64URLDecode(parts[2]),
              let claims = try? JSONDecoder().decode(CoinbaseJWT.Claims.self, from: claimsData),
              let head = try? JSONSerialization.jsonObject(with: header) as? [String: String] else { return refuse("malformed") }
        guard state.withLock({ $0.knownKeys.contains(claims.sub) }), head["kid"] == claims.sub else { return refuse("unknown key") }
        guard P256Signature.verify(publicKey: publicKey, message: Array((parts[0] + "." + parts[1]).utf8),
                                   signature: Array(signature)) else { return refuse("signature") }
        guard claims.uri == "\(call.method.rawValue) 127.0.0.1:8123\(path)" else { return refuse("uri \(claims.uri)") }
        let now = Int64(Date().timeIntervalSince1970)
        guard claims.iss == "cdp", claims.exp - claims.nbf == 120, claims.nbf <= now + 5, now < claims.exp else {
            return refuse("lifetime")
        }
        return nil
    }

    private func create(_ body: [String: Any]) throws(HTTPFailure) -> HTTPAnswer {
        let clientOrderId = body["client_order_id"] as? String ?? ""
        let productId = body["product_id"] as? String ?? ""
        let side = body["side"] as? String ?? ""
        let configuration = (body["order_configuration"] as? [String: Any])?["sor_limit_ioc"] as? [String: String] ?? [:]
        let fault = state.withLock { state -> Fault? in
            state.creates[clientOrderId, default: 0] += 1
            return state.faults.isEmpty ? nil : state.faults.removeFirst()
        }
        switch fault {
        case .rateLimit?: return Self.json(["error": "RATE_LIMIT_EXCEEDED", "message": "Too many requests"], status: 429)
        case .serverError(false)?: return Self.json(["error": "INTERNAL", "message": "internal error"], status: 500)
        case .refuse(let reason)?:
            return Self.json(["success": false, "failure_reason": "UNKNOWN_FAILURE_REASON", "order_id": "",
                              "error_response": ["error": reason, "message": reason.lowercased().replacingOccurrences(of: "_", with: " "),
                                                 "error_details": "", "preview_failure_reason": "PREVIEW_" + reason,
                                                 "new_order_failure_reason": reason]])
        default: break
        }
        guard let size = configuration["base_size"].flatMap(FixedDecimal.init),
              let price = configuration["limit_price"].flatMap(FixedDecimal.init), side == "BUY" || side == "SELL" else {
            return Self.json(["success": false, "error_response": ["error": "INVALID_ARGUMENT", "message": "bad order"]])
        }
        let orderId = state.withLock { state -> String in
            // The idempotency key: an id seen before is answered with its order, never a second one.
            if let existing = state.byClient[clientOrderId] { return existing }
            let orderId = String(format: "0000-cb-%06d", state.nextOrder)
            state.nextOrder += 1
            var order = Order(orderId: orderId, clientOrderId: clientOrderId, productId: productId, side: side, size: size,
                              price: price, status: "OPEN", created: "2026-11-30T12:00:0\(min(state.nextOrder, 9))Z")
            var left = size, level = 0
            while left.isPositive, level < state.asks.count, state.asks[level].price <= price {
                let take = FixedDecimal.min(left, state.asks[level].size)
                let commission = state.asks[level].price * take * Self.takerRate
                order.fills.append(["entry_id": "e-\(state.nextTrade)", "trade_id": String(state.nextTrade), "order_id": orderId,
                                    "trade_time": "2026-11-30T12:00:01.\(100 + level)Z", "trade_type": "FILL",
                                    "price": state.asks[level].price.description, "size": take.description,
                                    "commission": commission.description, "product_id": productId,
                                    "liquidity_indicator": "TAKER", "size_in_quote": false, "side": side])
                state.nextTrade += 1
                order.filled += take
                order.value += state.asks[level].price * take
                order.fees += commission
                left -= take
                state.asks[level].size -= take
                if state.asks[level].size.isZero { state.asks.remove(at: level) } else { level += 1 }
            }
            order.status = left.isZero ? "FILLED" : "CANCELLED"
            state.orders[orderId] = order
            state.byClient[clientOrderId] = orderId
            return orderId
        }
        switch fault {
        case .loseAnswerAfterExecuting?: throw .timedOut(after: .milliseconds(500))
        case .serverError(true)?: return Self.json(["error": "INTERNAL", "message": "internal error"], status: 500)
        default: break
        }
        return Self.json(["success": true, "success_response": ["order_id": orderId, "product_id": productId, "side": side,
                                                                "client_order_id": clientOrderId],
                          "order_configuration": ["sor_limit_ioc": configuration]])
    }

    static func orderJSON(_ order: Order) -> [String: Any] {
        ["order_id": order.orderId, "product_id": order.productId, "user_id": "u-1",
         "order_configuration": ["sor_limit_ioc": ["base_size": order.size.description, "limit_price": order.price.description]],
         "side": order.side, "client_order_id": order.clientOrderId, "status": order.status,
         "time_in_force": "IMMEDIATE_OR_CANCEL", "created_time": order.created, "completion_percentage": "0",
         "filled_size": order.filled.description, "average_filled_price": order.filled.isPositive ? (order.value / order.filled).description : "0",
         "number_of_fills": String(order.fills.count), "filled_value": order.value.description, "total_fees": order.fees.description,
         "order_type": "LIMIT", "reject_reason": "", "cancel_message": order.status == "CANCELLED" ? "IOC order canceled" : "",
         "last_fill_time": order.fills.isEmpty ? NSNull() : (order.fills.last?["trade_time"] ?? NSNull())]
    }

    static func json(_ object: Any, status: Int = 200) -> HTTPAnswer {
        HTTPAnswer(status: status, headers: ["content-type": "application/json"],
                   body: Array((try? JSONSerialization.data(withJSONObject: object)) ?? Data()))
    }
}
