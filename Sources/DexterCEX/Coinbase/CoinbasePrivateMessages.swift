import DexterCore
import DexterVenues
import Foundation

/// One order as the `user` channel tells it: its state and running totals, no single trade (no trade id, price or
/// fee per fill: those come from the fills endpoint).
public struct CoinbaseStreamOrder: Sendable, Hashable {
    public let orderId: String
    public let clientOrderId: String
    public let productId: String
    public let side: Side?
    /// PENDING, OPEN, FILLED, CANCEL_QUEUED, CANCELLED, EXPIRED, FAILED.
    public let status: String
    public let timeInForce: String
    /// Filled so far (base).
    public let cumulativeQuantity: FixedDecimal
    public let leavesQuantity: FixedDecimal?
    public let averagePrice: FixedDecimal?
    public let totalFees: FixedDecimal?
    public let filledValue: FixedDecimal?
    public let cancelReason: String?
    public let rejectReason: String?
    public let creationTime: Timestamp?

    public var isDone: Bool { CoinbaseOrderStatus.isDone(status) }
    public var isImmediate: Bool { timeInForce == "IMMEDIATE_OR_CANCEL" || timeInForce == "FILL_OR_KILL" }
    public var dexterClientOrderId: String { clientOrderId.isEmpty ? orderId : CoinbaseClientOrderId.decode(clientOrderId) }
}

/// A message of the user WebSocket.
public enum CoinbasePrivateMessage: Sendable, Hashable {
    /// `user`: snapshot or update events, each with its orders.
    case user(sequence: UInt64, events: [(type: String, orders: [CoinbaseStreamOrder])])
    case heartbeats(sequence: UInt64, counter: String?)
    /// The connection's subscriptions, by channel.
    case subscriptions(sequence: UInt64, channels: [String])
    /// `{"type": "error", "message": …}`: a refused subscribe (a bad JWT), an unknown channel.
    case error(message: String)
    /// Another channel (`futures_balance_summary`…): only its sequence number counts.
    case other(channel: String, sequence: UInt64?)

    /// The connection's message counter, where the message has one.
    public var sequence: UInt64? {
        switch self {
        case .user(let sequence, _), .heartbeats(let sequence, _), .subscriptions(let sequence, _): sequence
        case .other(_, let sequence): sequence
        case .error: nil
        }
    }

    public static func == (lhs: CoinbasePrivateMessage, rhs: CoinbasePrivateMessage) -> Bool {
        switch (lhs, rhs) {
        case let (.user(a, x), .user(b, y)):
            a == b && x.count == y.count && zip(x, y).allSatisfy { $0.type == $1.type && $0.orders == $1.orders }
        case let (.heartbeats(a, x), .heartbeats(b, y)): a == b && x == y
        case let (.subscriptions(a, x), .subscriptions(b, y)): a == b && x == y
        case let (.error(a), .error(b)): a == b
        case let (.other(a, x), .other(b, y)): a == b && x == y
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(sequence) }
}

extension CoinbaseTrading {
    /// One message of the user WebSocket. The envelope's keys may come in any order: `events` is read once the
    /// channel is known (its bytes are kept until then).
    public static func privateMessage(_ bytes: some ContiguousBytes) throws(WireParseError) -> CoinbasePrivateMessage {
        try WireReader.read(bytes, venue: venue, message: "user stream message") { reader throws(WireParseError) in
            try reader.openObject()
            var channel: String?, type: String?, message: String?, sequence: UInt64?, rawEvents: [UInt8]?
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "channel": channel = try reader.okxTextOrNil("channel")
                case "type": type = try reader.okxTextOrNil("type")
                case "message": message = try reader.okxTextOrNil("message")
                case "sequence_num":
                    let text = try reader.okxText("sequence_num")
                    guard let value = UInt64(text) else { throw reader.failure("sequence_num", "\"\(text)\" is not a sequence number") }
                    sequence = value
                case "events": rawEvents = try reader.rawValue("events")
                default: try reader.skipValue(key)
                }
            }
            if type == "error" { return .error(message: message ?? "no message") }
            guard let channel else { throw reader.missing("channel") }
            switch channel {
            case "user":
                guard let sequence else { throw reader.missing("sequence_num") }
                guard let rawEvents else { throw reader.missing("events") }
                return .user(sequence: sequence, events: try userEvents(rawEvents))
            case "heartbeats":
                guard let sequence else { throw reader.missing("sequence_num") }
                return .heartbeats(sequence: sequence, counter: try rawEvents.map(heartbeatCounter) ?? nil)
            case "subscriptions":
                guard let sequence else { throw reader.missing("sequence_num") }
                return .subscriptions(sequence: sequence, channels: try rawEvents.map(subscribedChannels) ?? [])
            default:
                return .other(channel: channel, sequence: sequence)
            }
        }
    }

    static func userEvents(_ bytes: [UInt8]) throws(WireParseError) -> [(type: String, orders: [CoinbaseStreamOrder])] {
        try WireReader.read(bytes, venue: venue, message: "user events") { reader throws(WireParseError) in
            try reader.openArray("events")
            var events: [(type: String, orders: [CoinbaseStreamOrder])] = []
            var first = true
            while try reader.nextElement(&first, "events") {
                try reader.openObject("events")
                var type = "", orders: [CoinbaseStreamOrder] = []
                var firstKey = true
                while let key = try reader.nextKey(&firstKey) {
                    switch key {
                    case "type": type = try reader.okxTextOrNil("type") ?? ""
                    case "orders":
                        reader.scanner.skipWhitespace()
                        if reader.null() { continue }
                        try reader.openArray("orders")
                        var firstOrder = true
                        while try reader.nextElement(&firstOrder, "orders") { orders.append(try streamOrder(&reader)) }
                    default: try reader.skipValue(key)
                    }
                }
                events.append((type, orders))
            }
            return events
        }
    }

    static func streamOrder(_ reader: inout WireReader) throws(WireParseError) -> CoinbaseStreamOrder {
        try reader.openObject("orders")
        var orderId: String?, clientOrderId = "", productId = "", side: Side?, status: String?, timeInForce = ""
        var cumulative: FixedDecimal?, leaves: FixedDecimal?, average: FixedDecimal?, fees: FixedDecimal?
        var value: FixedDecimal?, cancelReason: String?, rejectReason: String?, created: Timestamp?
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "order_id": orderId = try reader.okxTextOrNil("order_id")
            case "client_order_id": clientOrderId = try reader.okxTextOrNil("client_order_id") ?? ""
            case "product_id": productId = try reader.okxTextOrNil("product_id") ?? ""
            case "order_side": side = try reader.coinbaseSide("order_side")
            case "status": status = try reader.okxTextOrNil("status")
            case "time_in_force": timeInForce = try reader.okxTextOrNil("time_in_force") ?? ""
            case "cumulative_quantity": cumulative = try reader.okxAmount("cumulative_quantity")
            case "leaves_quantity": leaves = try reader.okxAmount("leaves_quantity")
            case "avg_price": average = try reader.coinbaseQuotient("avg_price")
            case "total_fees": fees = try reader.okxAmount("total_fees")
            case "filled_value": value = try reader.okxAmount("filled_value")
            case "cancel_reason": cancelReason = try reader.okxTextOrNil("cancel_reason")
            case "reject_reason": rejectReason = try reader.okxTextOrNil("reject_reason")
            case "creation_time": created = try reader.coinbaseTime("creation_time")
            default: try reader.skipValue(key)
            }
        }
        guard let orderId, !orderId.isEmpty else { throw reader.missing("order_id") }
        guard let status, !status.isEmpty else { throw reader.missing("status") }
        return CoinbaseStreamOrder(orderId: orderId, clientOrderId: clientOrderId, productId: productId, side: side,
                                   status: status, timeInForce: timeInForce, cumulativeQuantity: cumulative ?? .zero,
                                   leavesQuantity: leaves, averagePrice: average, totalFees: fees, filledValue: value,
                                   cancelReason: cancelReason, rejectReason: rejectReason, creationTime: created)
    }

    static func heartbeatCounter(_ bytes: [UInt8]) throws(WireParseError) -> String? {
        try WireReader.read(bytes, venue: venue, message: "heartbeat events") { reader throws(WireParseError) in
            try reader.openArray("events")
            var counter: String?
            var first = true
            while try reader.nextElement(&first, "events") {
                try reader.openObject("events")
                var firstKey = true
                while let key = try reader.nextKey(&firstKey) {
                    switch key {
                    case "heartbeat_counter": counter = try reader.okxTextOrNil("heartbeat_counter")
                    default: try reader.skipValue(key)
                    }
                }
            }
            return counter
        }
    }

    static func subscribedChannels(_ bytes: [UInt8]) throws(WireParseError) -> [String] {
        try WireReader.read(bytes, venue: venue, message: "subscriptions events") { reader throws(WireParseError) in
            try reader.openArray("events")
            var channels: [String] = []
            var first = true
            while try reader.nextElement(&first, "events") {
                try reader.openObject("events")
                var firstKey = true
                while let key = try reader.nextKey(&firstKey) {
                    switch key {
                    case "subscriptions":
                        try reader.openObject("subscriptions")
                        var firstChannel = true
                        while let channel = try reader.nextKey(&firstChannel) {
                            channels.append(channel.text)
                            try reader.skipValue(channel)
                        }
                    default: try reader.skipValue(key)
                    }
                }
            }
            return channels.sorted()
        }
    }
}
