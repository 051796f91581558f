import DexterCore
import DexterCrypto
import DexterVenues
import Foundation

/// A Kraken API key: the public key and its private key (base64, as Kraken hands it out). The secret is never
/// printed, and is checked to be base64 before anything is signed with it.
public struct KrakenCredentials: Sendable, Hashable, CustomStringConvertible {
    public let apiKey: String
    let secret: String

    public init(apiKey: String, secret: String) {
        self.apiKey = apiKey
        self.secret = secret
    }

    public var description: String { "KrakenCredentials(apiKey: \(apiKey.prefix(6))…, secret: redacted)" }

    /// Whether the secret decodes as base64 (to some bytes).
    public var secretIsBase64: Bool { Data(base64Encoded: secret).map { !$0.isEmpty } ?? false }
}

/// A request to Kraken as plain values, sent as they are: the signature covers the path and the form body byte for
/// byte, so nothing may re-encode either on the way.
public struct KrakenRequest: Sendable, Hashable {
    public let method: String
    /// `/0/private/AddOrder`, or a public path with its query.
    public let target: String
    /// The form body of a private POST, exactly as signed (`nonce=…&…`); empty for a public GET.
    public let body: String
    public let headers: [String: String]
}

/// Builds Kraken's signed REST requests (docs.kraken.com "Spot REST Authentication"): POST, a form body whose first
/// field is `nonce`, headers `API-Key` and `API-Sign` = base64 HMAC-SHA512 (key: the base64-decoded secret) of the
/// URI path followed by SHA-256(nonce + body). Fields go in the order written here, ccxt's for the same calls, so the
/// two sign the same bytes (KrakenSigningTests). Values are percent-encoded as ccxt's `urlencode` does.
public struct KrakenRequestBuilder: Sendable {
    public let credentials: KrakenCredentials
    public static let userAgent = "dexter"

    public init(credentials: KrakenCredentials) { self.credentials = credentials }

    /// `AddOrder`: a limit order under dexter's `cl_ord_id`, `IOC` for dexter's orders (it takes liquidity), the fee
    /// in the quote (`fciq`, plus `post` for a post-only order). Price and volume are written as given: the caller
    /// has checked them against the pair's decimals (`KrakenOrderFormat`).
    public func addOrder(pair: String, side: Side, volume: String, price: String, timeInForce: String = "IOC",
                         postOnly: Bool = false, clOrdId: String, nonce: UInt64) throws -> KrakenRequest {
        var fields = [("pair", pair), ("type", side == .buy ? "buy" : "sell"), ("ordertype", "limit"), ("volume", volume),
                      ("price", price)]
        if timeInForce != "GTC" { fields.append(("timeinforce", timeInForce)) }
        fields.append(("oflags", postOnly ? "post,fciq" : "fciq"))
        fields.append(("cl_ord_id", clOrdId))
        return try signed("AddOrder", fields, nonce: nonce)
    }

    /// `CancelOrder` by Kraken's txid or by `cl_ord_id`.
    public func cancelOrder(txid: String? = nil, clOrdId: String? = nil, nonce: UInt64) throws -> KrakenRequest {
        try signed("CancelOrder", txid.map { [("txid", $0)] } ?? clOrdId.map { [("cl_ord_id", $0)] } ?? [], nonce: nonce)
    }

    /// `CancelAll`: every open order of the account (the kill switch's sweep).
    public func cancelAll(nonce: UInt64) throws -> KrakenRequest { try signed("CancelAll", [], nonce: nonce) }

    /// `QueryOrders` by txids (≤ 50), with their trade ids.
    public func queryOrders(txids: [String], trades: Bool = true, nonce: UInt64) throws -> KrakenRequest {
        try signed("QueryOrders", [("txid", txids.joined(separator: ","))] + (trades ? [("trades", "true")] : []), nonce: nonce)
    }

    /// `OpenOrders`, optionally only the one under a `cl_ord_id`.
    public func openOrders(clOrdId: String? = nil, trades: Bool = false, nonce: UInt64) throws -> KrakenRequest {
        try signed("OpenOrders", (trades ? [("trades", "true")] : []) + (clOrdId.map { [("cl_ord_id", $0)] } ?? []), nonce: nonce)
    }

    /// `ClosedOrders` (50 most recent), optionally only those under a `cl_ord_id`.
    public func closedOrders(clOrdId: String? = nil, trades: Bool = true, nonce: UInt64) throws -> KrakenRequest {
        try signed("ClosedOrders", (trades ? [("trades", "true")] : []) + (clOrdId.map { [("cl_ord_id", $0)] } ?? []),
                   nonce: nonce)
    }

    /// `QueryTrades` by trade txids (≤ 20).
    public func queryTrades(txids: [String], nonce: UInt64) throws -> KrakenRequest {
        try signed("QueryTrades", [("txid", txids.joined(separator: ","))], nonce: nonce)
    }

    /// `TradesHistory` since `start` (Unix seconds, exclusive), 50 a page from `offset`.
    public func tradesHistory(start: Int64? = nil, offset: Int = 0, nonce: UInt64) throws -> KrakenRequest {
        try signed("TradesHistory", (start.map { [("start", String($0))] } ?? []) + (offset > 0 ? [("ofs", String(offset))] : []),
                   nonce: nonce)
    }

    public func balance(nonce: UInt64) throws -> KrakenRequest { try signed("Balance", [], nonce: nonce) }
    public func balanceEx(nonce: UInt64) throws -> KrakenRequest { try signed("BalanceEx", [], nonce: nonce) }

    /// `TradeVolume` for these pairs: the account's fee tier on each.
    public func tradeVolume(pairs: [String], nonce: UInt64) throws -> KrakenRequest {
        try signed("TradeVolume", pairs.isEmpty ? [] : [("pair", pairs.joined(separator: ","))], nonce: nonce)
    }

    public func webSocketsToken(nonce: UInt64) throws -> KrakenRequest { try signed("GetWebSocketsToken", [], nonce: nonce) }

    /// A signed private POST to `/0/private/<method>`: `nonce` first, then `fields` in order.
    public func signed(_ method: String, _ fields: [(String, String)], nonce: UInt64) throws -> KrakenRequest {
        let path = "/0/private/" + method
        let body = ([("nonce", String(nonce))] + fields).map { KrakenForm.encode($0.0) + "=" + KrakenForm.encode($0.1) }
            .joined(separator: "&")
        let sign = try ExchangeSigning.kraken(secretBase64: credentials.secret, uriPath: path, nonce: String(nonce), postData: body)
        return KrakenRequest(method: "POST", target: path, body: body,
                             headers: ["API-Key": credentials.apiKey, "API-Sign": sign,
                                       "Content-Type": "application/x-www-form-urlencoded"])
    }

    /// A public GET (`Time`, `Assets`, `AssetPairs`).
    public static func publicGet(_ method: String, _ query: [(String, String)] = []) -> KrakenRequest {
        let encoded = query.map { KrakenForm.encode($0.0) + "=" + KrakenForm.encode($0.1) }.joined(separator: "&")
        return KrakenRequest(method: "GET", target: "/0/public/" + method + (encoded.isEmpty ? "" : "?" + encoded), body: "",
                             headers: [:])
    }
}

enum KrakenForm {
    /// As Python's `urlencode` (ccxt's) writes a value: letters, digits and `_.-~` kept, everything else %XX.
    static func encode(_ text: String) -> String { OKXJSON.percentEncode(text) }
}

/// A price and a volume written for Kraken: at most the pair's `pair_decimals` / `lot_decimals`, a price on the
/// tick. A value off the grid is refused, never rounded: the engine sized it, and a silently different order is a
/// different trade.
public enum KrakenOrderFormat {
    public static func price(_ value: FixedDecimal, pair: KrakenPair) -> String? {
        guard value.isPositive, value.significantFractionDigits <= pair.priceDecimals,
              value.rounded(toMultipleOf: pair.tickSize) == value else { return nil }
        return value.description
    }

    public static func volume(_ value: FixedDecimal, pair: KrakenPair) -> String? {
        guard value.isPositive, value.significantFractionDigits <= pair.lotDecimals else { return nil }
        return value.description
    }
}
