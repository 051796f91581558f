import DexterCore
import DexterCrypto
import Foundation

/// An OKX API key: the key, its HMAC secret and the passphrase chosen when the key was made (a credential like the
/// secret). Neither the secret nor the passphrase is ever printed.
public struct OKXCredentials: Sendable, Hashable, CustomStringConvertible {
    public let apiKey: String
    let secret: String
    let passphrase: String

    public init(apiKey: String, secret: String, passphrase: String) {
        self.apiKey = apiKey
        self.secret = secret
        self.passphrase = passphrase
    }

    public var description: String { "OKXCredentials(apiKey: \(apiKey.prefix(6))…, secret: redacted, passphrase: redacted)" }
}

/// An HTTP request to OKX as plain values, sent as they are: the signature covers the path with its query and the
/// body byte for byte, so nothing may re-encode either on the way.
public struct OKXRequest: Sendable, Hashable {
    public let method: String
    /// The path with its query string, as signed (`/api/v5/trade/order?instId=BTC-USDT&clOrdId=a1`).
    public let target: String
    /// The JSON body of a POST, exactly as signed; empty for GET.
    public let body: String
    public let headers: [String: String]
}

/// Builds OKX's signed REST requests (docs-v5 "REST Authentication"): `OK-ACCESS-KEY`, `OK-ACCESS-PASSPHRASE`,
/// `OK-ACCESS-TIMESTAMP` (ISO 8601 UTC with milliseconds, at the venue's time) and `OK-ACCESS-SIGN` = base64
/// HMAC-SHA256 of timestamp + METHOD + path with query + body. Bodies are compact JSON with every value a string, in
/// the order written here (ccxt's order for the same call, so the two sign the same bytes: OKXSigningTests).
public struct OKXRequestBuilder: Sendable {
    public let credentials: OKXCredentials
    /// Demo trading: a demo key works only with `x-simulated-trading: 1`, a live key only without it (50101).
    public let simulated: Bool

    public init(credentials: OKXCredentials, simulated: Bool = false) {
        self.credentials = credentials
        self.simulated = simulated
    }

    /// `POST /api/v5/trade/order`: a spot (`cash`) limit order; `ordType` "ioc" for dexter's orders. `expiresAt`
    /// (venue time) becomes the `expTime` header: a request reaching OKX later is refused unexecuted (50037).
    public func placeOrder(instId: String, side: Side, ordType: String, size: FixedDecimal, price: FixedDecimal,
                           clOrdId: String, expiresAt: Timestamp? = nil, at time: Timestamp) -> OKXRequest {
        let body = OKXJSON.object([("instId", instId), ("tdMode", "cash"), ("side", side == .buy ? "buy" : "sell"),
                                   ("ordType", ordType), ("sz", size.description), ("px", price.description),
                                   ("clOrdId", clOrdId)])
        var extra: [String: String] = [:]
        if let expiresAt { extra["expTime"] = String(expiresAt.nanoseconds / 1_000_000) }
        return signed("POST", "/api/v5/trade/order", body: body, at: time, extraHeaders: extra)
    }

    /// `POST /api/v5/trade/cancel-order` by client order id.
    public func cancelOrder(instId: String, clOrdId: String, at time: Timestamp) -> OKXRequest {
        signed("POST", "/api/v5/trade/cancel-order", body: OKXJSON.object([("instId", instId), ("clOrdId", clOrdId)]), at: time)
    }

    /// `POST /api/v5/trade/cancel-batch-orders`: up to 20 orders by OKX's order id (the kill switch's sweep).
    public func cancelBatch(_ orders: [(instId: String, ordId: String)], at time: Timestamp) -> OKXRequest {
        precondition((1...20).contains(orders.count), "OKX cancels 1…20 orders per batch")
        let body = "[" + orders.map { OKXJSON.object([("instId", $0.instId), ("ordId", $0.ordId)]) }.joined(separator: ",") + "]"
        return signed("POST", "/api/v5/trade/cancel-batch-orders", body: body, at: time)
    }

    /// `GET /api/v5/trade/order` by client order id: how an order whose answer was lost is found.
    public func orderDetails(instId: String, clOrdId: String, at time: Timestamp) -> OKXRequest {
        get("/api/v5/trade/order", [("instId", instId), ("clOrdId", clOrdId)], at: time)
    }

    /// `GET /api/v5/trade/orders-pending` (spot), newest first, 100 a page; `after` pages to older ordIds.
    public func ordersPending(after ordId: String? = nil, at time: Timestamp) -> OKXRequest {
        get("/api/v5/trade/orders-pending", [("instType", "SPOT")] + (ordId.map { [("after", $0)] } ?? []), at: time)
    }

    /// `GET /api/v5/trade/orders-history` (spot, the last 7 days; canceled orders with no fill 2 hours only), newest
    /// first, 100 a page.
    public func ordersHistory(at time: Timestamp) -> OKXRequest {
        get("/api/v5/trade/orders-history", [("instType", "SPOT")], at: time)
    }

    /// `GET /api/v5/trade/fills` of one order: its trades with their trade ids, fees and fee currencies.
    public func fills(instId: String, ordId: String, at time: Timestamp) -> OKXRequest {
        get("/api/v5/trade/fills", [("instType", "SPOT"), ("instId", instId), ("ordId", ordId)], at: time)
    }

    /// `GET /api/v5/account/balance`: every non-zero currency.
    public func balance(at time: Timestamp) -> OKXRequest { get("/api/v5/account/balance", [], at: time) }

    /// `GET /api/v5/account/config`: the key's permissions (`perm`), the account mode and fee type.
    public func accountConfig(at time: Timestamp) -> OKXRequest { get("/api/v5/account/config", [], at: time) }

    /// `GET /api/v5/account/trade-fee` for spot: the account's maker and taker rates (negative = charged).
    public func tradeFee(instId: String? = nil, at time: Timestamp) -> OKXRequest {
        get("/api/v5/account/trade-fee", [("instType", "SPOT")] + (instId.map { [("instId", $0)] } ?? []), at: time)
    }

    /// The private WebSocket's `login` op: sign = base64 HMAC-SHA256 of timestamp (Unix seconds) + "GET" +
    /// "/users/self/verify".
    public func login(unixSeconds: Int64) -> String {
        let timestamp = String(unixSeconds)
        let sign = ExchangeSigning.okx(secret: credentials.secret, timestamp: timestamp, method: "GET",
                                       requestPath: "/users/self/verify", body: "")
        return #"{"op":"login","args":["#
            + OKXJSON.object([("apiKey", credentials.apiKey), ("passphrase", credentials.passphrase),
                              ("timestamp", timestamp), ("sign", sign)]) + "]}"
    }

    /// A signed GET: the query is part of what is signed, exactly as sent.
    public func get(_ path: String, _ parameters: [(String, String)], at time: Timestamp) -> OKXRequest {
        let query = parameters.map { OKXJSON.percentEncode($0.0) + "=" + OKXJSON.percentEncode($0.1) }.joined(separator: "&")
        return signed("GET", query.isEmpty ? path : path + "?" + query, body: "", at: time)
    }

    /// Any signed request, at `time` (the venue's clock).
    public func signed(_ method: String, _ target: String, body: String, at time: Timestamp,
                       extraHeaders: [String: String] = [:]) -> OKXRequest {
        let timestamp = time.iso8601
        let sign = ExchangeSigning.okx(secret: credentials.secret, timestamp: timestamp, method: method,
                                       requestPath: target, body: body)
        var headers = ["OK-ACCESS-KEY": credentials.apiKey, "OK-ACCESS-SIGN": sign, "OK-ACCESS-TIMESTAMP": timestamp,
                       "OK-ACCESS-PASSPHRASE": credentials.passphrase]
        if method == "POST" { headers["Content-Type"] = "application/json" }
        if simulated { headers["x-simulated-trading"] = "1" }
        headers.merge(extraHeaders) { $1 }
        return OKXRequest(method: method, target: target, body: body, headers: headers)
    }

    /// `GET /api/v5/public/time` (no key).
    public static func serverTime() -> OKXRequest {
        OKXRequest(method: "GET", target: "/api/v5/public/time", body: "", headers: [:])
    }
}

/// The little JSON dexter writes to OKX: flat objects of strings, in a fixed order (what is signed is what is sent).
enum OKXJSON {
    static func object(_ members: [(String, String)]) -> String {
        "{" + members.map { string($0.0) + ":" + string($0.1) }.joined(separator: ",") + "}"
    }

    static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let control where control.value < 0x20: out += String(format: "\\u%04x", control.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Query values as ccxt's `urlencode` writes them: RFC 3986's unreserved set kept, everything else %XX.
    static func percentEncode(_ text: String) -> String {
        var encoded = ""
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                encoded.unicodeScalars.append("%")
                encoded.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
                encoded.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 0x0F)]))
            }
        }
        return encoded
    }
}
