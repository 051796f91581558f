import DexterCore
import DexterCrypto
import Foundation

/// A Bybit API key (HMAC): the key and its secret. The secret is never printed.
public struct BybitCredentials: Sendable, Hashable, CustomStringConvertible {
    public let apiKey: String
    let secret: String

    public init(apiKey: String, secret: String) {
        self.apiKey = apiKey
        self.secret = secret
    }

    public var description: String { "BybitCredentials(apiKey: \(apiKey.prefix(6))…, secret: redacted)" }
}

/// An HTTP request to Bybit as plain values, sent as they are: the signature covers the query string or the JSON body
/// byte for byte, so nothing may re-encode either on the way.
public struct BybitRequest: Sendable, Hashable {
    public let method: String
    /// The path with its query string, as signed (`/v5/order/realtime?category=linear&symbol=BTCUSDT&orderLinkId=a1`).
    public let target: String
    /// The JSON body of a POST, exactly as signed; empty for GET.
    public let body: String
    public let headers: [String: String]
}

/// One value of a JSON body: Bybit takes quantities and prices as strings, `reduceOnly` as a boolean and
/// `positionIdx` as a number.
enum BybitValue {
    case string(String)
    case bool(Bool)
    case int(Int)

    var json: String {
        switch self {
        case .string(let text): OKXJSON.string(text)
        case .bool(let value): value ? "true" : "false"
        case .int(let value): String(value)
        }
    }
}

/// Builds Bybit v5's signed REST requests (docs/venues/bybit.md, "Request security"): `X-BAPI-API-KEY`,
/// `X-BAPI-TIMESTAMP` (ms, at the venue's time), `X-BAPI-RECV-WINDOW` and `X-BAPI-SIGN` = lowercase hex
/// HMAC-SHA256(secret, timestamp + apiKey + recvWindow + payload), the payload being the query string as sent (GET)
/// or the raw JSON body as sent (POST). Bodies are compact JSON in the order written here (ccxt's order for the same
/// call, so the two sign the same bytes: BybitSigningTests).
public struct BybitRequestBuilder: Sendable {
    public let credentials: BybitCredentials
    /// Milliseconds after the timestamp that Bybit still accepts the request (its default 5000).
    public let recvWindow: Int

    public init(credentials: BybitCredentials, recvWindow: Int = 5_000) {
        self.credentials = credentials
        self.recvWindow = recvWindow
    }

    /// `POST /v5/order/create`: a linear limit order, one-way mode (`positionIdx` 0); dexter sends `IOC` at its own
    /// worst acceptable price (never a Market order, whose protection price is Bybit's). `reduceOnly` only when true.
    public func createOrder(symbol: String, side: Side, quantity: FixedDecimal, price: FixedDecimal,
                            timeInForce: String = "IOC", orderLinkId: String, reduceOnly: Bool = false,
                            at time: Timestamp) -> BybitRequest {
        var members: [(String, BybitValue)] = [
            ("category", .string("linear")), ("symbol", .string(symbol)), ("side", .string(side == .buy ? "Buy" : "Sell")),
            ("orderType", .string("Limit")), ("qty", .string(quantity.description)), ("price", .string(price.description)),
            ("timeInForce", .string(timeInForce)), ("orderLinkId", .string(orderLinkId)),
        ]
        if reduceOnly { members.append(("reduceOnly", .bool(true))) }
        members.append(("positionIdx", .int(0)))
        return post("/v5/order/create", members, at: time)
    }

    /// `POST /v5/order/cancel` by `orderLinkId`.
    public func cancelOrder(symbol: String, orderLinkId: String, at time: Timestamp) -> BybitRequest {
        post("/v5/order/cancel", [("category", .string("linear")), ("symbol", .string(symbol)),
                                  ("orderLinkId", .string(orderLinkId))], at: time)
    }

    /// `GET /v5/order/realtime` by `orderLinkId`: an open order, or one just closed (how a lost answer is found).
    public func realtimeOrder(symbol: String, orderLinkId: String, at time: Timestamp) -> BybitRequest {
        get("/v5/order/realtime", [("category", "linear"), ("symbol", symbol), ("orderLinkId", orderLinkId)], at: time)
    }

    /// `GET /v5/execution/list`, newest first; `execType` "Funding" for funding rows, `startTime` to reconcile.
    public func executions(symbol: String? = nil, execType: String? = nil, since: Timestamp? = nil,
                           at time: Timestamp) -> BybitRequest {
        var query = [("category", "linear")]
        if let symbol { query.append(("symbol", symbol)) }
        if let execType { query.append(("execType", execType)) }
        if let since { query.append(("startTime", String(since.nanoseconds / 1_000_000))) }
        return get("/v5/execution/list", query, at: time)
    }

    /// `GET /v5/position/list` of every USDT-settled position (or one symbol's rows).
    public func positions(symbol: String? = nil, at time: Timestamp) -> BybitRequest {
        get("/v5/position/list", [("category", "linear")] + (symbol.map { [("symbol", $0)] } ?? [("settleCoin", "USDT")]), at: time)
    }

    /// `GET /v5/account/wallet-balance?accountType=UNIFIED`.
    public func walletBalance(at time: Timestamp) -> BybitRequest {
        get("/v5/account/wallet-balance", [("accountType", "UNIFIED")], at: time)
    }

    /// The private WebSocket's auth message: `expires` in the future (ms), signature = hex HMAC-SHA256(secret,
    /// "GET/realtime" + expires).
    public func webSocketAuth(expires: Timestamp) -> String {
        let milliseconds = String(expires.nanoseconds / 1_000_000)
        let signature = ExchangeSigning.binance(secret: credentials.secret, payload: "GET/realtime" + milliseconds)
        return #"{"op":"auth","args":[\#(OKXJSON.string(credentials.apiKey)),\#(milliseconds),"\#(signature)"]}"#
    }

    // MARK: Signing

    func post(_ path: String, _ members: [(String, BybitValue)], at time: Timestamp) -> BybitRequest {
        let body = "{" + members.map { OKXJSON.string($0.0) + ":" + $0.1.json }.joined(separator: ",") + "}"
        return BybitRequest(method: "POST", target: path, body: body, headers: headers(payload: body, at: time))
    }

    func get(_ path: String, _ query: [(String, String)], at time: Timestamp) -> BybitRequest {
        let text = query.map { $0.0 + "=" + OKXJSON.percentEncode($0.1) }.joined(separator: "&")
        return BybitRequest(method: "GET", target: text.isEmpty ? path : path + "?" + text, body: "",
                            headers: headers(payload: text, at: time))
    }

    /// The headers; the signature is over timestamp + key + recvWindow + payload (the same hex HMAC-SHA256 keyed by
    /// the secret's bytes as Binance's, hence `ExchangeSigning.binance`).
    func headers(payload: String, at time: Timestamp) -> [String: String] {
        let timestamp = String(time.nanoseconds / 1_000_000)
        let window = String(recvWindow)
        let signature = ExchangeSigning.binance(secret: credentials.secret,
                                                payload: timestamp + credentials.apiKey + window + payload)
        return ["X-BAPI-API-KEY": credentials.apiKey, "X-BAPI-TIMESTAMP": timestamp, "X-BAPI-RECV-WINDOW": window,
                "X-BAPI-SIGN": signature, "Content-Type": "application/json"]
    }
}
