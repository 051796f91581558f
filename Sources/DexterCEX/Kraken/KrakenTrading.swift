import DexterCore
import DexterVenues
import Foundation

/// The parsers of Kraken's private REST answers (docs.kraken.com Spot REST): `{"error": [...], "result": {...}}`,
/// HTTP 200 even when refused. Numbers come as decimal strings ("0.50000000") and times as bare decimal seconds
/// (1688583840.8648); both are read exactly, never through `Double`.
public enum KrakenTrading {
    static let venue = "kraken"
}

/// `AddOrder`'s answer: Kraken's order id(s) and its description of the order.
public struct KrakenAddOrderAck: Sendable, Hashable {
    public let txids: [String]
    public let description: String
}

/// An order as `QueryOrders`, `OpenOrders` and `ClosedOrders` describe it.
public struct KrakenOrder: Sendable, Hashable {
    public let txid: String
    /// The order's `cl_ord_id`, where it was given one.
    public let clOrdId: String?
    /// pending, open, closed, canceled, expired.
    public let status: String
    public let reason: String?
    /// `descr.pair`: the pair's altname ("XBTUSDT") or key.
    public let pair: String
    public let side: Side
    public let orderType: String
    public let limitPrice: FixedDecimal?
    public let volume: FixedDecimal
    public let executed: FixedDecimal
    /// Quote value traded so far, and the fee charged so far (in the asset `oflags` names: fciq the quote, fcib the
    /// base).
    public let cost: FixedDecimal
    public let fee: FixedDecimal
    public let averagePrice: FixedDecimal?
    public let oflags: String
    public let openTime: Timestamp
    public let closeTime: Timestamp?
    /// The trades' ids (`trades=true` only).
    public let tradeIds: [String]

    public var isOpen: Bool { status == "open" || status == "pending" }
    /// dexter's client order id for it: the decoded `cl_ord_id`, or Kraken's txid for an order placed without one.
    public var dexterClientOrderId: String { clOrdId.map(KrakenClientOrderId.decode) ?? txid }
    /// Whether the fee is charged in the base asset: `fcib` (Kraken charges the quote otherwise; dexter sends `fciq`
    /// to say so outright).
    public var feeInBase: Bool { oflags.split(separator: ",").contains("fcib") }
    var time: Timestamp { closeTime ?? openTime }
}

/// One trade of the account (`QueryTrades`, `TradesHistory`).
public struct KrakenTrade: Sendable, Hashable {
    /// The trade's txid (the result's key: "TCCCTY-WJ6EO-4FP4VZ").
    public let txid: String
    public let orderTxid: String
    public let pair: String
    public let side: Side
    public let price: FixedDecimal
    public let volume: FixedDecimal
    /// Quote value: price × volume as Kraken rounds it to the pair's cost decimals.
    public let cost: FixedDecimal
    public let fee: FixedDecimal
    public let time: Timestamp
    public let maker: Bool?
    /// Kraken's sequential id of the trade on its pair (`trade_id`), where given.
    public let tradeId: String?
}

/// `BalanceEx`: per REST asset key, the total and what open orders hold.
public struct KrakenBalance: Sendable, Hashable {
    public let key: String
    public let balance: FixedDecimal
    public let held: FixedDecimal
}

extension KrakenTrading {
    /// Any answer: the error strings and, when there is one, the result read by `body`.
    static func answer<Value>(_ bytes: some ContiguousBytes, message: String,
                              _ body: (inout WireReader) throws(WireParseError) -> Value) throws(WireParseError)
        -> (errors: [String], result: Value?) {
        try WireReader.read(bytes, venue: venue, message: message) { reader throws(WireParseError) in
            try reader.openObject()
            var errors: [String] = [], result: Value?
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "error": errors = try KrakenMarketData.errorList(&reader)
                case "result":
                    reader.scanner.skipWhitespace()
                    if !reader.null() { result = try body(&reader) }
                default: try reader.skipValue(key)
                }
            }
            return (errors, result)
        }
    }

    /// The error strings of any answer, its result skipped: what the REST layer checks first.
    public static func errors(_ bytes: some ContiguousBytes) throws(WireParseError) -> [String] {
        try answer(bytes, message: "answer") { reader throws(WireParseError) in
            guard reader.scanner.skipValue() else { throw reader.failure("result", "malformed value") }
        }.errors
    }

    /// The result, which a successful answer must have.
    static func result<Value>(_ bytes: some ContiguousBytes, message: String,
                              _ body: (inout WireReader) throws(WireParseError) -> Value) throws(WireParseError) -> Value {
        let read = try answer(bytes, message: message, body)
        guard let result = read.result else {
            throw WireParseError(venue: venue, message: message, field: "result", offset: 0,
                                 problem: read.errors.isEmpty ? "missing" : "refused: \(read.errors.joined(separator: ", "))")
        }
        return result
    }

    public static func addOrder(_ bytes: some ContiguousBytes) throws(WireParseError) -> KrakenAddOrderAck {
        try result(bytes, message: "AddOrder") { reader throws(WireParseError) in
            try reader.openObject("result")
            var txids: [String] = [], description = ""
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "txid": txids = try reader.krakenStrings("txid")
                case "descr":
                    try reader.openObject("descr")
                    var firstField = true
                    while let field = try reader.nextKey(&firstField) {
                        switch field {
                        case "order": description = try reader.string("order")
                        default: try reader.skipValue(field)
                        }
                    }
                default: try reader.skipValue(key)
                }
            }
            guard !txids.isEmpty else { throw reader.missing("txid") }
            return KrakenAddOrderAck(txids: txids, description: description)
        }
    }

    /// `CancelOrder` / `CancelAll`: how many orders were canceled.
    public static func canceledCount(_ bytes: some ContiguousBytes) throws(WireParseError) -> Int {
        try result(bytes, message: "CancelOrder") { reader throws(WireParseError) in
            try reader.openObject("result")
            var count: Int64 = 0
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "count": count = try reader.integer("count")
                default: try reader.skipValue(key)
                }
            }
            guard (0...1_000_000).contains(count) else { throw reader.failure("count", "out of range") }
            return Int(count)
        }
    }

    /// `OpenOrders` (`container` "open"), `ClosedOrders` ("closed") or `QueryOrders` (nil: the result is the map).
    public static func orders(_ bytes: some ContiguousBytes, container: String?) throws(WireParseError) -> [KrakenOrder] {
        try result(bytes, message: container.map { "\($0) orders" } ?? "QueryOrders") { reader throws(WireParseError) in
            guard let container else { return try orderMap(&reader) }
            try reader.openObject("result")
            var orders: [KrakenOrder] = []
            var first = true
            while let key = try reader.nextKey(&first) {
                if key.text == container { orders = try orderMap(&reader) } else { try reader.skipValue(key) }
            }
            return orders
        }
    }

    /// `TradesHistory` (`{"trades": {...}, "count"}`) or `QueryTrades` (the map itself).
    public static func trades(_ bytes: some ContiguousBytes, history: Bool) throws(WireParseError) -> [KrakenTrade] {
        try result(bytes, message: history ? "TradesHistory" : "QueryTrades") { reader throws(WireParseError) in
            guard history else { return try tradeMap(&reader) }
            try reader.openObject("result")
            var trades: [KrakenTrade] = []
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "trades": trades = try tradeMap(&reader)
                default: try reader.skipValue(key)
                }
            }
            return trades
        }
    }

    /// `Balance`: per REST asset key, the total.
    public static func balance(_ bytes: some ContiguousBytes) throws(WireParseError) -> [String: FixedDecimal] {
        try result(bytes, message: "Balance") { reader throws(WireParseError) in
            try reader.openObject("result")
            var totals: [String: FixedDecimal] = [:]
            var first = true
            while let key = try reader.nextKey(&first) { totals[key.text] = try reader.amount("balance") }
            return totals
        }
    }

    /// `BalanceEx`: per REST asset key, `balance` and `hold_trade`.
    public static func balanceEx(_ bytes: some ContiguousBytes) throws(WireParseError) -> [KrakenBalance] {
        try result(bytes, message: "BalanceEx") { reader throws(WireParseError) in
            try reader.openObject("result")
            var balances: [KrakenBalance] = []
            var first = true
            while let key = try reader.nextKey(&first) {
                let asset = key.text
                try reader.openObject("result")
                var balance: FixedDecimal?, held = FixedDecimal.zero
                var firstField = true
                while let field = try reader.nextKey(&firstField) {
                    switch field {
                    case "balance": balance = try reader.amount("balance")
                    case "hold_trade": held = try reader.amount("hold_trade")
                    default: try reader.skipValue(field)
                    }
                }
                guard let balance else { throw reader.missing("balance") }
                balances.append(KrakenBalance(key: asset, balance: balance, held: held))
            }
            return balances
        }
    }

    /// `GetWebSocketsToken`: the token and its validity in seconds.
    public static func webSocketsToken(_ bytes: some ContiguousBytes) throws(WireParseError) -> (token: String, expires: Int64) {
        try result(bytes, message: "GetWebSocketsToken") { reader throws(WireParseError) in
            try reader.openObject("result")
            var token: String?, expires: Int64 = 900
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "token": token = try reader.string("token")
                case "expires": expires = try reader.integer("expires")
                default: try reader.skipValue(key)
                }
            }
            guard let token, !token.isEmpty else { throw reader.missing("token") }
            return (token, expires)
        }
    }

    /// `TradeVolume` with `pair=`: the account's taker rate per pair key, in percent ("0.2600" = 0.26 %).
    public static func takerFees(_ bytes: some ContiguousBytes) throws(WireParseError) -> [String: FixedDecimal] {
        try result(bytes, message: "TradeVolume") { reader throws(WireParseError) in
            try reader.openObject("result")
            var fees: [String: FixedDecimal] = [:]
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "fees":
                    try reader.openObject("fees")
                    var firstPair = true
                    while let pair = try reader.nextKey(&firstPair) {
                        let name = pair.text
                        try reader.openObject("fees")
                        var firstField = true
                        while let field = try reader.nextKey(&firstField) {
                            switch field {
                            case "fee": fees[name] = try reader.amount("fee")
                            default: try reader.skipValue(field)
                            }
                        }
                    }
                default: try reader.skipValue(key)
                }
            }
            return fees
        }
    }

    /// `GET /0/public/Assets`: REST asset key → altname ("XXBT" → "XBT").
    public static func assetAltnames(_ bytes: some ContiguousBytes) throws(WireParseError) -> [String: String] {
        try result(bytes, message: "Assets") { reader throws(WireParseError) in
            try reader.openObject("result")
            var names: [String: String] = [:]
            var first = true
            while let key = try reader.nextKey(&first) {
                let asset = key.text
                try reader.openObject("result")
                var firstField = true
                while let field = try reader.nextKey(&firstField) {
                    switch field {
                    case "altname": names[asset] = try reader.string("altname")
                    default: try reader.skipValue(field)
                    }
                }
            }
            return names
        }
    }

    /// `GET /0/public/Time`: the server's clock.
    public static func serverTime(_ bytes: some ContiguousBytes) throws(WireParseError) -> Timestamp {
        try result(bytes, message: "Time") { reader throws(WireParseError) in
            try reader.openObject("result")
            var time: Int64?
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "unixtime": time = try reader.integer("unixtime")
                default: try reader.skipValue(key)
                }
            }
            guard let time, (0...9_000_000_000).contains(time) else { throw reader.missing("unixtime") }
            return Timestamp(nanoseconds: time * 1_000_000_000)
        }
    }
}
