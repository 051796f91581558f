import DexterCore
import DexterVenues
import Foundation

/// One fee of an execution: its asset as WebSocket v2 names it ("USD", "BTC") and the amount charged.
public struct KrakenFee: Sendable, Hashable {
    public let asset: String
    public let quantity: FixedDecimal
}

/// One report of the `executions` channel (docs.kraken.com WebSocket v2 "Executions"). `exec_type` says what happened
/// (pending_new, new, trade, filled, canceled, expired, amended, restated, status…), `order_status` the order's state
/// after it. A `trade` carries its own `exec_id`, `trade_id`, `last_qty`, `last_price`, `cost` and `fees`. Numbers are
/// bare JSON numbers, read exactly from their digits.
public struct KrakenExecutionReport: Sendable, Hashable {
    public let execType: String
    public let orderId: String
    public let clOrdId: String?
    public let symbol: String?
    public let side: Side?
    public let orderStatus: String?
    public let orderQuantity: FixedDecimal?
    public let cumulativeQuantity: FixedDecimal?
    public let cumulativeCost: FixedDecimal?
    public let execId: String?
    public let tradeId: String?
    public let lastQuantity: FixedDecimal?
    public let lastPrice: FixedDecimal?
    /// This trade's quote value, as Kraken rounds it.
    public let cost: FixedDecimal?
    public let fees: [KrakenFee]
    /// "t" taker, "m" maker.
    public let liquidity: String?
    public let reason: String?
    /// GTC, IOC, GTD (in the order's first reports).
    public let timeInForce: String?
    public let time: Timestamp

    public var isTrade: Bool { execType == "trade" }
    /// dexter's client order id for it: the decoded `cl_ord_id`, or Kraken's order id for an order placed without one.
    public var dexterClientOrderId: String { clOrdId.map(KrakenClientOrderId.decode) ?? orderId }
}

/// The answer to a request on the socket (`add_order`, `cancel_order`, `subscribe`, `ping`…).
public struct KrakenMethodAnswer: Sendable, Hashable {
    public let method: String
    public let requestId: String?
    public let success: Bool
    public let error: String?
    /// `result.channel` of a subscribe answer; `result.order_id` / `cl_ord_id` of an order's.
    public let channel: String?
    public let orderId: String?
    public let clOrdId: String?
}

/// One message of Kraken's authenticated WebSocket v2.
public enum KrakenPrivateMessage: Sendable, Hashable {
    /// `executions` snapshot or update, with the channel's sequence number.
    case executions(snapshot: Bool, [KrakenExecutionReport], sequence: Int64?)
    /// The answer to a request dexter sent.
    case answer(KrakenMethodAnswer)
    /// `{"channel": "heartbeat"}`: the connection is alive (once a second while subscribed).
    case heartbeat
    /// `{"channel": "status", …}`: the engine's state ("online", "maintenance", "cancel_only"…).
    case status(String)
    /// Anything else, by its channel or method.
    case other(String)
}

extension KrakenTrading {
    public static func privateMessage(_ bytes: some ContiguousBytes) throws(WireParseError) -> KrakenPrivateMessage {
        typealias Parts = (channel: String?, method: String?, type: String?, data: [UInt8]?, sequence: Int64?,
                           answer: KrakenMethodAnswer?)
        let parts = try WireReader.read(bytes, venue: venue, message: "private message") { reader throws(WireParseError) -> Parts in
            try reader.openObject()
            var channel: String?, method: String?, type: String?, data: [UInt8]?, sequence: Int64?
            var requestId: String?, success: Bool?, error: String?, resultChannel: String?, orderId: String?, clOrdId: String?
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "channel": channel = try reader.string("channel")
                case "method": method = try reader.string("method")
                case "type": type = try reader.string("type")
                case "data": data = try reader.rawValue("data")
                case "sequence": sequence = try reader.integer("sequence")
                case "req_id": requestId = try reader.krakenText("req_id")
                case "success": success = try reader.bool("success")
                case "error": error = try reader.optionalString("error")
                case "result":
                    reader.scanner.skipWhitespace()
                    guard reader.scanner.peek() == UInt8(ascii: "{") else { try reader.skipValue(key); continue }
                    try reader.openObject("result")
                    var firstField = true
                    while let field = try reader.nextKey(&firstField) {
                        switch field {
                        case "channel": resultChannel = try reader.string("channel")
                        case "order_id": orderId = try reader.string("order_id")
                        case "cl_ord_id": clOrdId = try reader.optionalString("cl_ord_id")
                        default: try reader.skipValue(field)
                        }
                    }
                default: try reader.skipValue(key)
                }
            }
            let answer = method.flatMap { method in
                success.map { KrakenMethodAnswer(method: method, requestId: requestId, success: $0, error: error,
                                                 channel: resultChannel, orderId: orderId, clOrdId: clOrdId) }
            }
            return (channel, method, type, data, sequence, answer)
        }
        if let answer = parts.answer { return .answer(answer) }
        if let method = parts.method { return .other(method) }
        switch parts.channel {
        case "heartbeat"?: return .heartbeat
        case "status"?:
            let state = parts.data.flatMap { try? systemStatus($0) } ?? "unknown"
            return .status(state)
        case "executions"?:
            guard let data = parts.data else { return .executions(snapshot: parts.type == "snapshot", [], sequence: parts.sequence) }
            let reports = try WireReader.read(data, venue: venue, message: "executions") { reader throws(WireParseError) in
                reader.scanner.skipWhitespace()
                try reader.openArray("data")
                var reports: [KrakenExecutionReport] = []
                var first = true
                while try reader.nextElement(&first, "data") { reports.append(try execution(&reader)) }
                return reports
            }
            return .executions(snapshot: parts.type == "snapshot", reports, sequence: parts.sequence)
        case let other?: return .other(other)
        case nil: return .other("unknown")
        }
    }

    /// The `status` channel's `data[0].system`.
    static func systemStatus(_ data: [UInt8]) throws(WireParseError) -> String {
        try WireReader.read(data, venue: venue, message: "status") { reader throws(WireParseError) in
            reader.scanner.skipWhitespace()
            try reader.openArray("data")
            var system = "unknown"
            var first = true
            while try reader.nextElement(&first, "data") {
                try reader.openObject("data")
                var firstField = true
                while let field = try reader.nextKey(&firstField) {
                    switch field {
                    case "system": system = try reader.string("system")
                    default: try reader.skipValue(field)
                    }
                }
            }
            return system
        }
    }

    static func execution(_ reader: inout WireReader) throws(WireParseError) -> KrakenExecutionReport {
        try reader.openObject("data")
        var execType: String?, orderId: String?, clOrdId: String?, symbol: String?, side: Side?, status: String?
        var orderQty: FixedDecimal?, cumQty: FixedDecimal?, cumCost: FixedDecimal?, execId: String?, tradeId: String?
        var lastQty: FixedDecimal?, lastPrice: FixedDecimal?, cost: FixedDecimal?, fees: [KrakenFee] = []
        var liquidity: String?, reason: String?, time: Timestamp?, timeInForce: String?
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "exec_type": execType = try reader.string("exec_type")
            case "order_id": orderId = try reader.string("order_id")
            case "cl_ord_id": clOrdId = try reader.optionalString("cl_ord_id").flatMap { $0.isEmpty ? nil : $0 }
            case "symbol": symbol = try reader.string("symbol")
            case "side": side = try Self.side(&reader, "side")
            case "order_status": status = try reader.string("order_status")
            case "order_qty": orderQty = try reader.amount("order_qty")
            case "cum_qty": cumQty = try reader.amount("cum_qty")
            case "cum_cost": cumCost = try reader.amount("cum_cost")
            case "exec_id": execId = try reader.string("exec_id")
            case "trade_id": tradeId = try reader.krakenText("trade_id")
            case "last_qty": lastQty = try reader.amount("last_qty")
            case "last_price": lastPrice = try reader.amount("last_price")
            case "cost": cost = try reader.amount("cost")
            case "liquidity_ind": liquidity = try reader.string("liquidity_ind")
            case "reason": reason = try reader.optionalString("reason")
            case "time_in_force": timeInForce = try reader.string("time_in_force")
            case "timestamp": time = try reader.krakenRFC3339("timestamp")
            case "fees":
                try reader.openArray("fees")
                var firstFee = true
                while try reader.nextElement(&firstFee, "fees") {
                    try reader.openObject("fees")
                    var asset: String?, quantity: FixedDecimal?
                    var firstField = true
                    while let field = try reader.nextKey(&firstField) {
                        switch field {
                        case "asset": asset = try reader.string("asset")
                        case "qty": quantity = try reader.amount("qty")
                        default: try reader.skipValue(field)
                        }
                    }
                    guard let asset, !asset.isEmpty, let quantity else { throw reader.failure("fees", "a fee needs its asset and qty") }
                    fees.append(KrakenFee(asset: asset, quantity: quantity))
                }
            default: try reader.skipValue(key)
            }
        }
        guard let execType, !execType.isEmpty else { throw reader.missing("exec_type") }
        guard let orderId, !orderId.isEmpty else { throw reader.missing("order_id") }
        if execType == "trade" {
            guard let execId, !execId.isEmpty else { throw reader.missing("exec_id") }
            guard let lastQty, lastQty.isPositive else { throw reader.failure("last_qty", "a trade needs a positive last_qty") }
            guard let lastPrice, lastPrice.multipliedIfInRange(by: lastQty) != nil else {
                throw reader.failure("last_price", "a trade needs a price whose product with last_qty is in range")
            }
        }
        return KrakenExecutionReport(execType: execType, orderId: orderId, clOrdId: clOrdId, symbol: symbol, side: side,
                               orderStatus: status, orderQuantity: orderQty, cumulativeQuantity: cumQty,
                               cumulativeCost: cumCost, execId: execId, tradeId: tradeId, lastQuantity: lastQty,
                               lastPrice: lastPrice, cost: cost, fees: fees, liquidity: liquidity,
                               reason: reason.flatMap { $0.isEmpty ? nil : $0 }, timeInForce: timeInForce,
                               time: time ?? .zero)
    }
}
