import DexterCore
import DexterCrypto

/// An HTTP request to Binance as plain values, for the transport to send as they are: the signature covers the
/// query string byte for byte, so nothing may re-encode it on the way.
public struct BinanceRequest: Sendable, Hashable {
    public let method: String
    public let path: String
    /// Percent-encoded, `signature` last when signed; empty when there are no parameters.
    public let query: String
    public let headers: [String: String]

    /// The path with its query: what follows the host.
    public var target: String { query.isEmpty ? path : path + "?" + query }
}

/// An API key and its HMAC secret. The secret is never printed.
public struct BinanceCredentials: Sendable, Hashable, CustomStringConvertible {
    public let apiKey: String
    let secret: String

    public init(apiKey: String, secret: String) {
        self.apiKey = apiKey
        self.secret = secret
    }

    public var description: String { "BinanceCredentials(apiKey: \(apiKey.prefix(6))…, secret: redacted)" }
}

/// A new order as dexter sends it (rest-api.md, "New order (TRADE)").
public struct BinanceNewOrder: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// GTC rests on the book; IOC trades what it can and expires the rest; FOK all or nothing.
        case limit(price: FixedDecimal, timeInForce: TimeInForce)
        case market
    }

    public enum TimeInForce: String, Sendable, Hashable { case gtc = "GTC", ioc = "IOC", fok = "FOK" }

    /// ACK: taken; RESULT: its state; FULL: its state and every fill with its trade id (the default here).
    public enum ResponseType: String, Sendable, Hashable { case ack = "ACK", result = "RESULT", full = "FULL" }

    public let symbol: String
    public let side: Side
    public let kind: Kind
    public let quantity: FixedDecimal
    /// dexter's client order id: Binance allows `^[\.A-Z\:/a-z0-9_-]{1,36}$`.
    public let clientOrderId: String
    public let responseType: ResponseType

    public init(symbol: String, side: Side, kind: Kind, quantity: FixedDecimal, clientOrderId: String,
                responseType: ResponseType = .full) {
        self.symbol = symbol
        self.side = side
        self.kind = kind
        self.quantity = quantity
        self.clientOrderId = clientOrderId
        self.responseType = responseType
    }

    /// Whether Binance accepts this as a client order id (errors.md, -1100), checked before anything is sent.
    public static func isValidClientOrderId(_ id: String) -> Bool {
        (1...36).contains(id.utf8.count) && id.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "/"),
                 UInt8(ascii: "_"), UInt8(ascii: "-"): true
            default: false
            }
        }
    }
}

/// Builds Binance's REST requests (rest-api.md, "Endpoint security type" and "SIGNED endpoint security"): signed
/// ones are `timestamp`, their parameters, `recvWindow`, then `signature` = lowercase hex HMAC-SHA256 of the
/// percent-encoded query string, keyed by the secret. Binance takes parameters in any order (rest-api.md, "General
/// Information on Endpoints"); this is ccxt's order, so the two send the same bytes (BinanceCcxtOracleTests). Every
/// parameter goes in the query string (none in a body; Binance accepts either for POST and DELETE), so what is signed
/// is exactly what is sent.
public struct BinanceRequestBuilder: Sendable {
    public let credentials: BinanceCredentials
    /// Milliseconds a request stays valid after its timestamp; Binance defaults to 5000 and allows up to 60000.
    public let recvWindow: Int

    public init(credentials: BinanceCredentials, recvWindow: Int = 5_000) {
        precondition((1...60_000).contains(recvWindow), "recvWindow \(recvWindow) outside Binance's 1…60000 ms")
        self.credentials = credentials
        self.recvWindow = recvWindow
    }

    /// `POST /api/v3/order`. `timestamp` is the server's time in ms (the local clock plus the measured offset).
    public func newOrder(_ order: BinanceNewOrder, timestamp: Int64) -> BinanceRequest {
        var parameters = [("symbol", order.symbol), ("side", order.side == .buy ? "BUY" : "SELL")]
        switch order.kind {
        case .limit(let price, let timeInForce):
            parameters += [("type", "LIMIT"), ("timeInForce", timeInForce.rawValue), ("quantity", order.quantity.description),
                           ("price", price.description)]
        case .market:
            parameters += [("type", "MARKET"), ("quantity", order.quantity.description)]
        }
        parameters += [("newClientOrderId", order.clientOrderId), ("newOrderRespType", order.responseType.rawValue)]
        return signed("POST", "/api/v3/order", parameters, timestamp: timestamp)
    }

    /// `DELETE /api/v3/order` by dexter's client order id; `cancelId` names the cancel itself.
    public func cancelOrder(symbol: String, clientOrderId: String, cancelId: String? = nil, timestamp: Int64) -> BinanceRequest {
        var parameters = [("symbol", symbol), ("origClientOrderId", clientOrderId)]
        if let cancelId { parameters.append(("newClientOrderId", cancelId)) }
        return signed("DELETE", "/api/v3/order", parameters, timestamp: timestamp)
    }

    /// `GET /api/v3/order` by dexter's client order id: how an order whose answer was lost is found.
    public func queryOrder(symbol: String, clientOrderId: String, timestamp: Int64) -> BinanceRequest {
        signed("GET", "/api/v3/order", [("symbol", symbol), ("origClientOrderId", clientOrderId)], timestamp: timestamp)
    }

    /// `GET /api/v3/openOrders`; without a symbol it weighs 80 instead of 6.
    public func openOrders(symbol: String?, timestamp: Int64) -> BinanceRequest {
        signed("GET", "/api/v3/openOrders", symbol.map { [("symbol", $0)] } ?? [], timestamp: timestamp)
    }

    /// `DELETE /api/v3/openOrders`: cancels every open order of the account on `symbol` (the kill switch).
    public func cancelOpenOrders(symbol: String, timestamp: Int64) -> BinanceRequest {
        signed("DELETE", "/api/v3/openOrders", [("symbol", symbol)], timestamp: timestamp)
    }

    /// `GET /api/v3/myTrades` of one order: its fills with their trade ids (weight 5 with orderId).
    public func myTrades(symbol: String, orderId: Int64, timestamp: Int64) -> BinanceRequest {
        signed("GET", "/api/v3/myTrades", [("symbol", symbol), ("orderId", String(orderId))], timestamp: timestamp)
    }

    /// `GET /sapi/v1/account/apiRestrictions`: what the key itself may do (trade, withdraw…).
    public func apiRestrictions(timestamp: Int64) -> BinanceRequest {
        signed("GET", "/sapi/v1/account/apiRestrictions", [], timestamp: timestamp)
    }

    /// The WebSocket API's `userDataStream.subscribe.signature` (web-socket-api.md): an HMAC key subscribes its
    /// account's user data on an unauthenticated connection. Its parameters are signed sorted by name, unencoded.
    public func userDataSubscription(id: String, timestamp: Int64) -> String {
        let parameters = [("apiKey", credentials.apiKey), ("recvWindow", String(recvWindow)), ("timestamp", String(timestamp))]
        let payload = parameters.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        let signature = ExchangeSigning.binance(secret: credentials.secret, payload: payload)
        return #"{"id":""# + id + #"","method":"userDataStream.subscribe.signature","params":{"apiKey":""#
            + credentials.apiKey + #"","recvWindow":"# + String(recvWindow) + #","timestamp":"# + String(timestamp)
            + #","signature":""# + signature + #""}}"#
    }

    /// `GET /api/v3/account`: balances, fee rates, whether the key may trade.
    public func account(timestamp: Int64, omitZeroBalances: Bool = true) -> BinanceRequest {
        signed("GET", "/api/v3/account", omitZeroBalances ? [("omitZeroBalances", "true")] : [], timestamp: timestamp)
    }

    /// Any signed request: timestamp, the parameters in order, recvWindow, then the signature (ccxt's order).
    public func signed(_ method: String, _ path: String, _ parameters: [(String, String)], timestamp: Int64) -> BinanceRequest {
        signed(method, path, exactly: [("timestamp", String(timestamp))] + parameters + [("recvWindow", String(recvWindow))])
    }

    /// Signs these parameters as they are, in their order (`timestamp` and any `recvWindow` among them): Binance's
    /// documented examples put them last.
    package func signed(_ method: String, _ path: String, exactly parameters: [(String, String)]) -> BinanceRequest {
        let payload = BinanceQuery.encode(parameters)
        let signature = ExchangeSigning.binance(secret: credentials.secret, payload: payload)
        return BinanceRequest(method: method, path: path, query: payload + "&signature=" + signature,
                              headers: ["X-MBX-APIKEY": credentials.apiKey])
    }

    // MARK: Public endpoints (no key, no signature)

    public static func serverTime() -> BinanceRequest { BinanceRequest(method: "GET", path: "/api/v3/time", query: "", headers: [:]) }

    /// `GET /api/v3/depth`: the snapshot a book syncs to; limit up to 5000 (weight 250 above 1000).
    public static func depth(symbol: String, limit: Int = 5_000) -> BinanceRequest {
        BinanceRequest(method: "GET", path: "/api/v3/depth",
                       query: BinanceQuery.encode([("symbol", symbol), ("limit", String(limit))]), headers: [:])
    }

    /// `GET /api/v3/exchangeInfo` for these symbols (all when empty).
    public static func exchangeInfo(symbols: [String]) -> BinanceRequest {
        let list = "[" + symbols.map { "\"\($0)\"" }.joined(separator: ",") + "]"
        return BinanceRequest(method: "GET", path: "/api/v3/exchangeInfo",
                              query: symbols.isEmpty ? "" : BinanceQuery.encode([("symbols", list)]), headers: [:])
    }
}

/// Query strings as Binance signs them: `name=value` joined by `&`, every byte outside RFC 3986's unreserved set
/// percent-encoded in upper-case hex (non-ASCII as its UTF-8 bytes) — since 2026-01-15 the payload is encoded
/// before signing.
public enum BinanceQuery {
    public static func encode(_ parameters: [(String, String)]) -> String {
        parameters.map { percentEncode($0.0) + "=" + percentEncode($0.1) }.joined(separator: "&")
    }

    public static func percentEncode(_ text: String) -> String {
        var encoded = ""
        encoded.reserveCapacity(text.utf8.count)
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
