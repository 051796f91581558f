import DexterCore

/// The signed requests the live venue needs beyond order entry: finding an order, its executions, the account's
/// settings and fee rate (docs/venues/bybit.md, "REST endpoints").
extension BybitRequestBuilder {
    /// `GET /v5/order/history` by `orderLinkId`: an order `/v5/order/realtime` no longer holds.
    public func orderHistory(symbol: String, orderLinkId: String, at time: Timestamp) -> BybitRequest {
        get("/v5/order/history", [("category", "linear"), ("symbol", symbol), ("orderLinkId", orderLinkId)], at: time)
    }

    /// `GET /v5/order/realtime?settleCoin=USDT`: every open linear order of the account.
    public func openOrders(settleCoin: String = "USDT", at time: Timestamp) -> BybitRequest {
        get("/v5/order/realtime", [("category", "linear"), ("settleCoin", settleCoin), ("openOnly", "0"), ("limit", "50")],
            at: time)
    }

    /// `GET /v5/execution/list` of every linear execution from `since` (inclusive), 100 a page, newest first;
    /// `cursor`: the page after the one that named it. What a catch-up after a reconnect reads.
    public func executions(since: Timestamp, cursor: String?, at time: Timestamp) -> BybitRequest {
        var query = [("category", "linear"), ("startTime", String(since.nanoseconds / 1_000_000)), ("limit", "100")]
        if let cursor { query.append(("cursor", cursor)) }
        return get("/v5/execution/list", query, at: time)
    }

    /// `POST /v5/order/cancel-all` of one symbol.
    public func cancelAll(symbol: String, at time: Timestamp) -> BybitRequest {
        post("/v5/order/cancel-all", [("category", .string("linear")), ("symbol", .string(symbol))], at: time)
    }

    /// `GET /v5/execution/list` of one order (its fills, newest first, 100 at most).
    public func executions(symbol: String, orderId: String, at time: Timestamp) -> BybitRequest {
        get("/v5/execution/list", [("category", "linear"), ("symbol", symbol), ("orderId", orderId), ("limit", "100")],
            at: time)
    }

    /// `GET /v5/user/query-api`: what the signing key may do (read-only or not, its permission groups).
    public func apiKeyInfo(at time: Timestamp) -> BybitRequest {
        get("/v5/user/query-api", [], at: time)
    }

    /// `GET /v5/account/fee-rate` of one symbol: the account's own taker and maker rates.
    public func feeRate(symbol: String, at time: Timestamp) -> BybitRequest {
        get("/v5/account/fee-rate", [("category", "linear"), ("symbol", symbol)], at: time)
    }

    /// `POST /v5/position/switch-mode` of one symbol: 0 one-way, 3 hedge. dexter never sends it itself (the trader
    /// decides the account's mode); tests send it as another tool would.
    public func switchPositionMode(symbol: String, mode: Int, at time: Timestamp) -> BybitRequest {
        post("/v5/position/switch-mode", [("category", .string("linear")), ("symbol", .string(symbol)), ("mode", .int(mode))],
             at: time)
    }

    /// `GET /v5/market/time`: public, unsigned.
    public static func serverTime() -> BybitRequest {
        BybitRequest(method: "GET", target: "/v5/market/time", body: "", headers: [:])
    }
}
