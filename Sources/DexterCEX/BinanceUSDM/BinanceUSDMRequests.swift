import DexterCore
import DexterCrypto

/// Builds Binance USDⓈ-M futures' REST requests (`/fapi/*`). Signing is spot's, unchanged (the same key, HMAC and
/// query encoding: `BinanceRequestBuilder.signed`): `timestamp` first, the parameters, `recvWindow`, then the
/// signature over the query string exactly as sent. A new order's parameters are in ccxt's order for
/// `binanceusdm.createOrder` (symbol, side, newClientOrderId, newOrderRespType, type, quantity, price, timeInForce,
/// reduceOnly), so the two sign the same bytes (BinanceUSDMSigningTests, against ccxt's recorded signature).
public struct BinanceUSDMRequestBuilder: Sendable {
    public let signer: BinanceRequestBuilder

    public init(credentials: BinanceCredentials, recvWindow: Int = 5_000) {
        signer = BinanceRequestBuilder(credentials: credentials, recvWindow: recvWindow)
    }

    /// `POST /fapi/v1/order`: a LIMIT order with its time in force, under `clientOrderId` (already Binance's form),
    /// answered in RESULT form (an IOC's final state); `reduceOnly=true` only when set (one-way mode).
    public func newOrder(symbol: String, side: Side, quantity: FixedDecimal, price: FixedDecimal, clientOrderId: String,
                         timeInForce: String = "IOC", reduceOnly: Bool = false, responseType: String = "RESULT",
                         timestamp: Int64) -> BinanceRequest {
        var parameters = [("symbol", symbol), ("side", side == .buy ? "BUY" : "SELL"), ("newClientOrderId", clientOrderId),
                          ("newOrderRespType", responseType), ("type", "LIMIT"), ("quantity", quantity.description),
                          ("price", price.description), ("timeInForce", timeInForce)]
        if reduceOnly { parameters.append(("reduceOnly", "true")) }
        return signer.signed("POST", "/fapi/v1/order", parameters, timestamp: timestamp)
    }

    /// `DELETE /fapi/v1/order` by client order id.
    public func cancelOrder(symbol: String, clientOrderId: String, timestamp: Int64) -> BinanceRequest {
        signer.signed("DELETE", "/fapi/v1/order", [("symbol", symbol), ("origClientOrderId", clientOrderId)], timestamp: timestamp)
    }

    /// `GET /fapi/v1/order` by client order id: how an order whose answer was lost is found (-2013 when never placed).
    public func queryOrder(symbol: String, clientOrderId: String, timestamp: Int64) -> BinanceRequest {
        signer.signed("GET", "/fapi/v1/order", [("symbol", symbol), ("origClientOrderId", clientOrderId)], timestamp: timestamp)
    }

    /// `GET /fapi/v1/openOrders` (weight 1 with a symbol, 40 without).
    public func openOrders(symbol: String?, timestamp: Int64) -> BinanceRequest {
        signer.signed("GET", "/fapi/v1/openOrders", symbol.map { [("symbol", $0)] } ?? [], timestamp: timestamp)
    }

    /// `DELETE /fapi/v1/allOpenOrders`: every open order of the account on `symbol` (the kill switch's sweep).
    public func cancelAllOpenOrders(symbol: String, timestamp: Int64) -> BinanceRequest {
        signer.signed("DELETE", "/fapi/v1/allOpenOrders", [("symbol", symbol)], timestamp: timestamp)
    }

    /// `GET /fapi/v1/userTrades` of one order: its fills under Binance's own trade ids (weight 5).
    public func userTrades(symbol: String, orderId: Int64, timestamp: Int64) -> BinanceRequest {
        signer.signed("GET", "/fapi/v1/userTrades", [("symbol", symbol), ("orderId", String(orderId))], timestamp: timestamp)
    }

    /// `GET /fapi/v2/account`: totals (wallet, margin balance, maintenance margin), assets, `canTrade`.
    public func account(timestamp: Int64) -> BinanceRequest { signer.signed("GET", "/fapi/v2/account", [], timestamp: timestamp) }

    /// `GET /fapi/v2/balance`: each asset's wallet balance.
    public func balance(timestamp: Int64) -> BinanceRequest { signer.signed("GET", "/fapi/v2/balance", [], timestamp: timestamp) }

    /// `GET /fapi/v2/positionRisk`: positions with mark, entry, liquidation price and leverage.
    public func positionRisk(symbol: String? = nil, timestamp: Int64) -> BinanceRequest {
        signer.signed("GET", "/fapi/v2/positionRisk", symbol.map { [("symbol", $0)] } ?? [], timestamp: timestamp)
    }

    /// `GET /fapi/v1/positionSide/dual`: whether the account is in hedge mode (weight 30).
    public func positionMode(timestamp: Int64) -> BinanceRequest {
        signer.signed("GET", "/fapi/v1/positionSide/dual", [], timestamp: timestamp)
    }

    /// `GET /fapi/v1/commissionRate`: the account's maker and taker rates on `symbol` (weight 20).
    public func commissionRate(symbol: String, timestamp: Int64) -> BinanceRequest {
        signer.signed("GET", "/fapi/v1/commissionRate", [("symbol", symbol)], timestamp: timestamp)
    }

    /// `GET /fapi/v1/income` of one type from `startTime` (inclusive), oldest first, up to `limit` rows (weight 30).
    public func income(type: String, startTime: Int64?, limit: Int = 1_000, timestamp: Int64) -> BinanceRequest {
        var parameters = [("incomeType", type)]
        if let startTime { parameters.append(("startTime", String(startTime))) }
        parameters.append(("limit", String(limit)))
        return signer.signed("GET", "/fapi/v1/income", parameters, timestamp: timestamp)
    }

    /// `POST` / `PUT` / `DELETE /fapi/v1/listenKey`: the user data stream's key (USER_STREAM: the API key, no
    /// signature). POST creates one (or extends and returns the active one), PUT keeps it alive for 60 minutes.
    public func listenKey(_ method: String) -> BinanceRequest {
        BinanceRequest(method: method, path: "/fapi/v1/listenKey", query: "", headers: ["X-MBX-APIKEY": signer.credentials.apiKey])
    }

    public static func serverTime() -> BinanceRequest { BinanceRequest(method: "GET", path: "/fapi/v1/time", query: "", headers: [:]) }

    public static func exchangeInfo() -> BinanceRequest {
        BinanceRequest(method: "GET", path: "/fapi/v1/exchangeInfo", query: "", headers: [:])
    }
}

/// dexter's client order ids on Binance USDⓈ-M: `newClientOrderId` allows `^[\.A-Z\:/a-z0-9_-]{1,36}$`. dexter's own
/// ids (`mj3k2x1a-a17-2`) fit and travel as they are. Any other id travels as `.x` followed by its UTF-8 bytes in
/// base64url without padding (whose alphabet Binance allows), at most 25 bytes; an id that itself starts with `.x` is
/// encoded too, so every id Binance echoes turns back into exactly one of dexter's.
public enum BinanceUSDMClientOrderId {
    static let marker = ".x"

    /// Binance's form of dexter's id, or nil when it cannot have one (more than 25 bytes and not already valid).
    public static func encode(_ id: String) -> String? {
        if BinanceNewOrder.isValidClientOrderId(id), !id.hasPrefix(marker) { return id }
        let encoded = marker + base64url(Array(id.utf8))
        return BinanceNewOrder.isValidClientOrderId(encoded) && !id.isEmpty ? encoded : nil
    }

    /// dexter's id for the one Binance echoes; an id of another tool comes back unchanged.
    public static func decode(_ venueId: String) -> String {
        guard venueId.hasPrefix(marker), let bytes = unbase64url(venueId.dropFirst(marker.count)),
              let text = String(validating: bytes, as: UTF8.self) else { return venueId }
        return text
    }

    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func base64url(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let chunk = Array(bytes[index..<min(index + 3, bytes.count)])
            let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * $1.offset) }
            for slot in 0...chunk.count { out.append(alphabet[Int(value >> (18 - 6 * slot) & 63)]) }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func unbase64url(_ text: Substring) -> [UInt8]? {
        var values: [UInt32] = []
        for byte in text.utf8 {
            guard let value = alphabet.firstIndex(of: byte) else { return nil }
            values.append(UInt32(value))
        }
        guard values.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        var index = 0
        while index < values.count {
            let chunk = Array(values[index..<min(index + 4, values.count)])
            let value = chunk.enumerated().reduce(UInt32(0)) { $0 | $1.element << (18 - 6 * $1.offset) }
            for slot in 0..<(chunk.count - 1) { out.append(UInt8(value >> (16 - 8 * slot) & 0xFF)) }
            // Unused low bits must be zero, so each id has one spelling only.
            let unused = (UInt32(1) << (24 - 8 * (chunk.count - 1))) - 1
            if chunk.count < 4, value & unused != 0 { return nil }
            index += 4
        }
        return out
    }
}
