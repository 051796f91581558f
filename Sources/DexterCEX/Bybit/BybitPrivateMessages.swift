import DexterCore
import DexterVenues
import Foundation

/// One execution row (the private `execution` topic, `GET /v5/execution/list`): a trade, or a funding settlement
/// (`execType` "Funding") — a funding payment is an execution too, and is never booked as a fill.
public struct BybitExecutionRow: Sendable, Hashable {
    public let execId: String
    public let orderId: String
    public let orderLinkId: String
    public let symbol: String
    public let side: Side
    public let price: FixedDecimal
    public let quantity: FixedDecimal
    /// Quote value: `execValue`, else price × quantity (the parser fills it in).
    public let value: FixedDecimal
    /// Positive: paid; negative: a rebate (trade) or funding received.
    public let fee: FixedDecimal
    /// The fee or funding rate as the position sees it (a funding rate is negated for a short).
    public let feeRate: FixedDecimal?
    /// `Trade`, `Funding`, `AdlTrade`, `BustTrade`, `Delivery`, `Settle`, `BlockTrade`, `MovePosition`, `UNKNOWN`.
    public let execType: String
    public let time: Timestamp
    public let isMaker: Bool?
    /// The fee's coin (`feeCurrency`); nil when Bybit leaves it empty (then the contract's settle coin).
    public var feeCurrency: String? = nil

    public var isFunding: Bool { execType == "Funding" }
    /// The rows that are fills of dexter's orders: trades, and the forced ones that still moved the position.
    public var isFill: Bool { ["Trade", "AdlTrade", "BustTrade", "BlockTrade", "MovePosition"].contains(execType) }

    /// A funding row as the desk books it: received positive (Bybit's `execFee` is positive when paid), the market's
    /// rate (Bybit's `feeRate` is the rate as the position sees it: negated for a short), the signed position size.
    public func fundingPayment(venue: VenueId, symbol: Symbol) -> FundingPayment? {
        guard isFunding else { return nil }
        let short = side == .sell
        return FundingPayment(id: execId, venue: venue, symbol: symbol, amount: .zero - fee, asset: symbol.settle ?? symbol.quote,
                              rate: feeRate.map { short ? .zero - $0 : $0 }, positionSize: short ? .zero - quantity : quantity,
                              markPrice: price, at: time)
    }
}

/// One message of the private WebSocket.
public enum BybitPrivateMessage: Sendable, Hashable {
    case executions([BybitExecutionRow])
    /// The `order` topic: orders in their state after the change.
    case orders([BybitOrder])
    /// `{"op": "auth" | "subscribe" | "pong", "success"?, "ret_msg"?}`.
    case answer(op: String, success: Bool, message: String)
    /// `order`, `position`, `wallet` and other topics: read by their own parsers, not here.
    case other(topic: String)
}

public enum BybitTrading {
    static let venue = "bybit"

    /// `{"retCode", "retMsg", "result": {…}}`: a refusal (non-zero retCode) as a `BybitError`, else the result's bytes.
    public static func result(_ bytes: some ContiguousBytes, httpStatus: Int = 200, request: String) throws -> [UInt8] {
        let (code, text, result) = try WireReader.read(bytes, venue: venue, message: "\(request) answer") {
            reader throws(WireParseError) -> (Int64?, String, [UInt8]?) in
            try reader.openObject()
            var code: Int64?, text = "", result: [UInt8]?
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "retCode": code = try reader.integer("retCode")
                case "retMsg": text = try reader.string("retMsg")
                case "result": result = try reader.rawValue("result")
                default: try reader.skipValue(key)
                }
            }
            return (code, text, result)
        }
        guard let code else { throw WireParseError(venue: venue, message: "\(request) answer", field: "retCode", offset: 0, problem: "missing") }
        guard code == 0 else { throw BybitError(retCode: Int(code), message: text, httpStatus: httpStatus, request: request) }
        guard let result else { throw WireParseError(venue: venue, message: "\(request) answer", field: "result", offset: 0, problem: "missing") }
        return result
    }

    /// `order/create` and `order/cancel`'s result: `{"orderId", "orderLinkId"}`.
    public static func orderAck(_ result: [UInt8]) throws(WireParseError) -> (orderId: String, orderLinkId: String) {
        try WireReader.read(result, venue: venue, message: "order answer") { reader throws(WireParseError) in
            try reader.openObject("result")
            var id: String?, link: String?
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "orderId": id = try reader.string("orderId")
                case "orderLinkId": link = try reader.string("orderLinkId")
                default: try reader.skipValue(key)
                }
            }
            guard let id else { throw reader.missing("orderId") }
            return (id, link ?? "")
        }
    }

    /// `execution/list`'s result: `{"list": [rows], "nextPageCursor"}`.
    public static func executionList(_ result: [UInt8]) throws(WireParseError) -> [BybitExecutionRow] {
        try executionPage(result).rows
    }

    /// `execution/list`'s result with the cursor of the next page (nil on the last).
    public static func executionPage(_ result: [UInt8]) throws(WireParseError) -> (rows: [BybitExecutionRow], cursor: String?) {
        try WireReader.read(result, venue: venue, message: "execution/list") { reader throws(WireParseError) in
            try reader.openObject("result")
            var rows: [BybitExecutionRow] = [], cursor: String?
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "list": rows = try executionRows(&reader)
                case "nextPageCursor": cursor = try BybitMarketData.optionalText(&reader, "nextPageCursor")
                default: try reader.skipValue(key)
                }
            }
            return (rows, cursor)
        }
    }

    public static func privateMessage(_ bytes: some ContiguousBytes) throws(WireParseError) -> BybitPrivateMessage {
        try WireReader.read(bytes, venue: venue, message: "private message") { reader throws(WireParseError) in
            try reader.openObject()
            var topic: String?, op: String?, success: Bool?, text = "", data: [UInt8]?
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "topic": topic = try reader.string("topic")
                case "op": op = try reader.string("op")
                case "success": success = try reader.bool("success")
                case "ret_msg": text = try reader.string("ret_msg")
                case "data": data = try reader.rawValue("data")
                default: try reader.skipValue(key)
                }
            }
            if let op, topic == nil { return .answer(op: op, success: success ?? (op == "pong"), message: text) }
            guard let topic else { throw reader.missing("topic") }
            let isOrder = topic == "order" || topic == "order.linear"
            guard topic == "execution" || topic == "execution.linear" || isOrder else { return .other(topic: topic) }
            guard let data else { throw reader.missing("data") }
            if isOrder {
                return .orders(try WireReader.read(data, venue: venue, message: "\(topic) data") { inner throws(WireParseError) in
                    try orderRows(&inner)
                })
            }
            return .executions(try WireReader.read(data, venue: venue, message: "\(topic) data") { inner throws(WireParseError) in
                try executionRows(&inner)
            })
        }
    }

    static func executionRows(_ reader: inout WireReader) throws(WireParseError) -> [BybitExecutionRow] {
        try reader.openArray("list")
        var rows: [BybitExecutionRow] = []
        var element = true
        while try reader.nextElement(&element, "list") { rows.append(try execution(&reader)) }
        return rows
    }

    static func execution(_ reader: inout WireReader) throws(WireParseError) -> BybitExecutionRow {
        try reader.openObject("list")
        var execId: String?, orderId = "", link = "", symbol: String?, side: Side?, type: String?, maker: Bool?
        var price: FixedDecimal?, quantity: FixedDecimal?, value: FixedDecimal?, fee: FixedDecimal?, rate: FixedDecimal?
        var time: Timestamp?, feeCurrency: String?
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "execId": execId = try reader.string("execId")
            case "orderId": orderId = try reader.string("orderId")
            case "orderLinkId": link = try reader.string("orderLinkId")
            case "symbol": symbol = try reader.string("symbol")
            case "side":
                switch try reader.string("side") {
                case "Buy": side = .buy
                case "Sell": side = .sell
                case let other: throw reader.failure("side", "\"\(other)\" is neither Buy nor Sell")
                }
            case "execPrice": price = try BybitMarketData.optionalAmount(&reader, "execPrice")
            case "execQty": quantity = try BybitMarketData.optionalAmount(&reader, "execQty")
            case "execValue": value = try BybitMarketData.optionalAmount(&reader, "execValue")
            case "execFee": fee = try BybitMarketData.optionalDecimal(&reader, "execFee")
            case "feeRate": rate = try BybitMarketData.optionalDecimal(&reader, "feeRate")
            case "execType": type = try reader.string("execType")
            case "execTime": time = try BybitMarketData.optionalMilliseconds(&reader, "execTime")
            case "isMaker": maker = try reader.bool("isMaker")
            case "feeCurrency": feeCurrency = try BybitMarketData.optionalText(&reader, "feeCurrency")
            default: try reader.skipValue(key)
            }
        }
        guard let execId, !execId.isEmpty else { throw reader.missing("execId") }
        guard let symbol else { throw reader.missing("symbol") }
        guard let side else { throw reader.failure("side", "execution \(execId) has no side") }
        guard let price else { throw reader.failure("execPrice", "execution \(execId) has no price") }
        guard let quantity else { throw reader.failure("execQty", "execution \(execId) has no quantity") }
        guard let type else { throw reader.missing("execType") }
        guard let time else { throw reader.missing("execTime") }
        // The row's quote value: Bybit's execValue, else price × quantity (a value beyond range is refused here, so
        // nothing downstream multiplies unchecked).
        guard let value = value ?? price.multipliedIfInRange(by: quantity) else {
            throw reader.failure("execValue", "execution \(execId): \(price) × \(quantity) is out of range")
        }
        return BybitExecutionRow(execId: execId, orderId: orderId, orderLinkId: link, symbol: symbol, side: side, price: price,
                              quantity: quantity, value: value, fee: fee ?? .zero, feeRate: rate, execType: type, time: time,
                              isMaker: maker, feeCurrency: feeCurrency)
    }
}
