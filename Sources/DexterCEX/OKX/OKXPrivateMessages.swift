import DexterCore
import DexterVenues
import Foundation

/// One message of OKX's private WebSocket (docs-v5 "WebSocket": login, subscribe, the `orders` channel).
public enum OKXPrivateMessage: Sendable, Hashable {
    /// The text `pong`: the answer to dexter's `ping` keepalive.
    case pong
    /// `{"event": "login", "code": "0"}`.
    case loggedIn
    /// `{"event": "subscribe", "arg": {"channel": …}}`.
    case subscribed(channel: String)
    /// `{"event": "error", "code", "msg"}`: a refused login or request.
    case error(code: String, message: String)
    /// `{"event": "notice", "code": "64008", …}`: the connection will soon close for a service upgrade.
    case notice(code: String, message: String)
    /// An `orders` push: the orders it updates.
    case orders([OKXOrder])
    /// Anything else (channel-conn-count, other channels' pushes), by its event or channel.
    case other(String)
}

extension OKXTrading {
    public static func privateMessage(_ bytes: some ContiguousBytes) throws(WireParseError) -> OKXPrivateMessage {
        let isPong = bytes.withUnsafeBytes { $0.elementsEqual("pong".utf8) }
        if isPong { return .pong }
        typealias Parts = (event: String?, code: String, text: String, channel: String?, data: [UInt8]?)
        let parts = try WireReader.read(bytes, venue: venue, message: "private message") { reader throws(WireParseError) -> Parts in
            try reader.openObject()
            var event: String?, code = "", text = "", channel: String?, data: [UInt8]?
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "event": event = try reader.string("event")
                case "code": code = try reader.okxText("code")
                case "msg": text = try reader.string("msg")
                case "arg":
                    try reader.openObject("arg")
                    var firstArg = true
                    while let field = try reader.nextKey(&firstArg) {
                        switch field {
                        case "channel": channel = try reader.string("channel")
                        default: try reader.skipValue(field)
                        }
                    }
                case "data": data = try reader.rawValue("data")
                default: try reader.skipValue(key)
                }
            }
            return (event, code, text, channel, data)
        }
        let (event, code, text, channel, data) = parts
        switch event {
        case "login"?: return code.isEmpty || code == "0" ? .loggedIn : .error(code: code, message: text)
        case "subscribe"?: return .subscribed(channel: channel ?? "")
        case "error"?: return .error(code: code, message: text)
        case "notice"?: return .notice(code: code, message: text)
        case let other?: return .other(other)
        case nil: break
        }
        guard channel == "orders", let data else { return .other(channel ?? "unknown") }
        let orders = try WireReader.read(data, venue: venue, message: "orders push") { reader throws(WireParseError) in
            reader.scanner.skipWhitespace()
            try reader.openArray("data")
            var orders: [OKXOrder] = []
            var first = true
            while try reader.nextElement(&first, "data") { orders.append(try order(&reader)) }
            return orders
        }
        return .orders(orders)
    }
}
