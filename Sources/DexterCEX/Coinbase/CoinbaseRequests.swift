import DexterCore
import DexterCrypto
import DexterNet
import DexterVenues
import Foundation

/// Where a Coinbase Advanced Trade account is traded, and how. Every endpoint is a setting with Coinbase's real
/// address as default, so a proxy or a test points elsewhere. (The market data's settings are the feed's own.)
public struct CoinbaseExecutionSettings: Sendable {
    public var venue: VenueId
    /// `https://api.coinbase.com`: its host[:port] is what each request's JWT is bound to (`uri`).
    public var restURL: String
    /// The user WebSocket: the `user` and `heartbeats` channels, a JWT on every subscribe.
    public var privateURL: String
    public var requestTimeout: Duration
    /// Coinbase's documented budgets (30 requests a second per user on private endpoints, 10 per IP on public ones)
    /// unless set (an account Coinbase raised; a test).
    public var limits: CoinbaseRateLimits
    /// The user stream is replaced when nothing (not even the once-a-second heartbeat) came for this long.
    public var silence: Duration
    public var stream: WebSocketSettings?

    public static let defaultRESTURL = "https://api.coinbase.com"
    public static let defaultPrivateURL = "wss://advanced-trade-ws-user.coinbase.com"

    public init(venue: VenueId, restURL: String = CoinbaseExecutionSettings.defaultRESTURL,
                privateURL: String = CoinbaseExecutionSettings.defaultPrivateURL, requestTimeout: Duration = .seconds(10),
                limits: CoinbaseRateLimits = CoinbaseRateLimits(), silence: Duration = .seconds(10)) {
        self.venue = venue
        self.restURL = restURL
        self.privateURL = privateURL
        self.requestTimeout = requestTimeout
        self.limits = limits
        self.silence = silence
    }
}

/// A Coinbase Developer Platform (CDP) API key: its name (`organizations/{org_id}/apiKeys/{key_id}`) and its EC
/// private key in PEM. The private key is never printed.
public struct CoinbaseCredentials: Sendable, Hashable, CustomStringConvertible {
    public let keyName: String
    let privateKeyPEM: String

    public init(keyName: String, privateKeyPEM: String) {
        self.keyName = keyName
        self.privateKeyPEM = privateKeyPEM
    }

    public var description: String { "CoinbaseCredentials(keyName: \(keyName), privateKey: redacted)" }

    /// `organizations/{org_id}/apiKeys/{key_id}`, each id letters, digits and dashes (UUIDs, as CDP issues them).
    public static func isKeyName(_ name: String) -> Bool {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "organizations", parts[2] == "apiKeys" else { return false }
        return [parts[1], parts[3]].allSatisfy { id in
            !id.isEmpty && id.utf8.count <= 64 && id.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                     UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"): true
                default: false
                }
            }
        }
    }
}

/// A key refused before anything was sent. Neither case holds the key's private part.
public enum CoinbaseKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    case malformedKeyName(venue: VenueId)
    case malformedPrivateKey(venue: VenueId, problem: String)

    public var description: String {
        switch self {
        case .malformedKeyName(let venue):
            "the \(venue) API key name in the vault is not a CDP key name (organizations/{org_id}/apiKeys/{key_id}): "
                + "dexter keys rotate \(venue)"
        case .malformedPrivateKey(let venue, let problem):
            "the \(venue) API private key in the vault cannot sign ES256 (\(problem)): dexter keys rotate \(venue)"
        }
    }
}

/// A request to Coinbase as plain values: the method, the path (with its query), the JSON body, and the JWT's `uri`
/// (method, host and path without the query, as Coinbase's SDKs bind it).
public struct CoinbaseRequest: Sendable, Hashable {
    public let method: String
    public let target: String
    public let body: String
    public let endpoint: CoinbaseEndpoint

    /// The path alone, what the JWT's `uri` names.
    public var path: Substring { target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0] }
}

/// Builds and signs Coinbase Advanced Trade requests (docs.cdp.coinbase.com "Advanced Trade API Authentication"):
/// every private request carries `Authorization: Bearer <JWT>`, a fresh ES256 JWT (CoinbaseJWT) bound to
/// "METHOD host/path", valid two minutes from the venue's time; a WebSocket subscribe carries one without `uri`.
public struct CoinbaseRequestBuilder: Sendable {
    public let keyName: String
    let key: P256SigningKey
    /// host[:port] of the REST URL: what the JWT's `uri` names.
    public let host: String
    static let prefix = "/api/v3/brokerage"

    /// Refuses a key name that is not a CDP key name and a PEM that is not a P-256 private key; neither error holds
    /// the private key.
    public init(credentials: CoinbaseCredentials, restURL: String, venue: VenueId) throws(CoinbaseKeyError) {
        guard CoinbaseCredentials.isKeyName(credentials.keyName) else { throw .malformedKeyName(venue: venue) }
        do { key = try P256SigningKey(pem: credentials.privateKeyPEM) } catch {
            throw .malformedPrivateKey(venue: venue, problem: error.description)
        }
        keyName = credentials.keyName
        host = Self.host(of: restURL)
    }

    /// `https://api.coinbase.com` → `api.coinbase.com`; `http://127.0.0.1:8123/` → `127.0.0.1:8123`.
    static func host(of url: String) -> String {
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        return String(rest.prefix { $0 != "/" && $0 != "?" })
    }

    /// The headers of a request at `now` (the venue's time).
    public func headers(_ request: CoinbaseRequest, now: Timestamp) throws -> [String: String] {
        var headers = ["Content-Type": "application/json", "Accept": "application/json", "User-Agent": "dexter"]
        guard !request.endpoint.isPublic else { return headers }
        let jwt = try CoinbaseJWT.make(keyName: keyName, key: key, method: request.method, host: host,
                                       path: String(request.path), now: now.nanoseconds / 1_000_000_000,
                                       nonce: try CoinbaseJWT.nonce())
        headers["Authorization"] = "Bearer " + jwt
        return headers
    }

    /// A JWT for the user WebSocket's subscribe: the same header and claims as a request's, without `uri`.
    public func webSocketJWT(now: Timestamp) throws -> String {
        let header: [String: String] = ["alg": "ES256", "kid": keyName, "nonce": try CoinbaseJWT.nonce(), "typ": "JWT"]
        let seconds = now.nanoseconds / 1_000_000_000
        let claims = WebSocketClaims(sub: keyName, iss: "cdp", nbf: seconds, exp: seconds + CoinbaseJWT.lifetimeSeconds)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let input = CoinbaseJWT.base64URL(try encoder.encode(header)) + "." + CoinbaseJWT.base64URL(try encoder.encode(claims))
        return input + "." + CoinbaseJWT.base64URL(Data(try key.sign(Array(input.utf8))))
    }

    struct WebSocketClaims: Codable {
        let sub: String
        let iss: String
        let nbf: Int64
        let exp: Int64
    }

    /// The public key's uncompressed point (what a verifier holds).
    public var publicKey: [UInt8] { key.publicKey }

    // MARK: Requests

    /// `POST /orders`: an immediate-or-cancel limit order routed by Coinbase's smart order router (`sor_limit_ioc`,
    /// base size and limit price), under dexter's `client_order_id`. Amounts are written as given: exact decimals.
    public static func createOrder(clientOrderId: String, productId: String, side: Side, baseSize: FixedDecimal,
                                   limitPrice: FixedDecimal) -> CoinbaseRequest {
        let configuration = "{\"sor_limit_ioc\":" + OKXJSON.object([("base_size", baseSize.description),
                                                                   ("limit_price", limitPrice.description)]) + "}"
        let body = "{" + [("client_order_id", clientOrderId), ("product_id", productId), ("side", side == .buy ? "BUY" : "SELL")]
            .map { OKXJSON.string($0.0) + ":" + OKXJSON.string($0.1) }.joined(separator: ",")
            + ",\"order_configuration\":" + configuration + "}"
        return CoinbaseRequest(method: "POST", target: prefix + "/orders", body: body, endpoint: .createOrder)
    }

    /// `POST /orders/batch_cancel` for these order ids (Coinbase's, at most 100).
    public static func cancelOrders(_ orderIds: [String]) -> CoinbaseRequest {
        CoinbaseRequest(method: "POST", target: prefix + "/orders/batch_cancel",
                        body: "{\"order_ids\":[" + orderIds.map(OKXJSON.string).joined(separator: ",") + "]}",
                        endpoint: .cancelOrders)
    }

    /// `GET /orders/historical/{order_id}`.
    public static func getOrder(_ orderId: String) -> CoinbaseRequest {
        get(.getOrder, "/orders/historical/" + OKXJSON.percentEncode(orderId), [])
    }

    /// `GET /orders/historical/batch`: the account's orders, newest first, filtered by product, status and start.
    public static func listOrders(productId: String? = nil, open: Bool = false, start: Timestamp? = nil, limit: Int = 100,
                                  cursor: String? = nil) -> CoinbaseRequest {
        var query: [(String, String)] = []
        if let productId { query.append(("product_ids", productId)) }
        if open { query.append(("order_status", "OPEN")) }
        if let start { query.append(("start_date", rfc3339(start))) }
        query.append(("limit", String(limit)))
        if let cursor, !cursor.isEmpty { query.append(("cursor", cursor)) }
        return get(.listOrders, "/orders/historical/batch", query)
    }

    /// `GET /orders/historical/fills` of these orders: each trade with its own `trade_id`, price, size and commission.
    public static func listFills(orderIds: [String], limit: Int = 100, cursor: String? = nil) -> CoinbaseRequest {
        var query = orderIds.map { ("order_ids", $0) } + [("limit", String(limit))]
        if let cursor, !cursor.isEmpty { query.append(("cursor", cursor)) }
        return get(.listFills, "/orders/historical/fills", query)
    }

    /// `GET /accounts` (250 a page).
    public static func accounts(cursor: String? = nil) -> CoinbaseRequest {
        get(.accounts, "/accounts", [("limit", "250")] + (cursor.flatMap { $0.isEmpty ? nil : [("cursor", $0)] } ?? []))
    }

    /// `GET /transaction_summary`: the account's fee tier (maker and taker rates as fractions).
    public static func transactionSummary() -> CoinbaseRequest {
        get(.transactionSummary, "/transaction_summary", [("product_type", "SPOT")])
    }

    /// `GET /key_permissions`: what the key may do.
    public static func keyPermissions() -> CoinbaseRequest { get(.keyPermissions, "/key_permissions", []) }

    /// `GET /time`: the server's clock (public, no JWT).
    public static func serverTime() -> CoinbaseRequest { get(.serverTime, "/time", []) }

    static func get(_ endpoint: CoinbaseEndpoint, _ path: String, _ query: [(String, String)]) -> CoinbaseRequest {
        let encoded = query.map { OKXJSON.percentEncode($0.0) + "=" + OKXJSON.percentEncode($0.1) }.joined(separator: "&")
        return CoinbaseRequest(method: "GET", target: prefix + path + (encoded.isEmpty ? "" : "?" + encoded), body: "",
                               endpoint: endpoint)
    }

    /// RFC 3339 in UTC with whole seconds, as the list endpoints take it.
    static func rfc3339(_ time: Timestamp) -> String {
        let text = time.iso8601
        // iso8601 writes milliseconds; the list filters take seconds.
        if let dot = text.firstIndex(of: ".") { return String(text[..<dot]) + "Z" }
        return text
    }
}
