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
