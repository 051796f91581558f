import DexterCore
import Foundation

// The Advanced Trade market-data WebSocket as Coinbase sends it (docs/venues/coinbase.md): every message is an
// envelope {channel, client_id, timestamp, sequence_num, events}; `sequence_num` counts the connection's messages,
// whatever their channel, so even a message dexter does not read is read that far.

/// A `level2` event (channel `l2_data`) for one product: the whole book, or the levels that changed. `new_quantity`
/// is the size now at that price, not a change; zero removes the level.
public struct CoinbaseBookMessage: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case snapshot, update }

    /// "BTC-USD".
    public let productId: String
    public let kind: Kind
    public let bids: [PriceLevel]
    public let asks: [PriceLevel]
    /// The latest `event_time` of its levels (Coinbase's matching time).
    public let time: Timestamp?

    public init(productId: String, kind: Kind, bids: [PriceLevel], asks: [PriceLevel], time: Timestamp?) {
        self.productId = productId
        self.kind = kind
        self.bids = bids
        self.asks = asks
        self.time = time
    }
}

/// One message of the market-data WebSocket.
public struct CoinbasePublicMessage: Sendable, Hashable {
    public enum Content: Sendable, Hashable {
        /// `l2_data`: one element per event.
        case books([CoinbaseBookMessage])
        /// `heartbeats`: keeps the connection (and its sequence) moving while the books are quiet.
        case heartbeat
        /// `subscriptions`: what the connection is subscribed to now, channel → product ids.
        case subscriptions([String: [String]])
        /// `{"type": "error", "message": …}`: Coinbase refused a request.
        case error(String)
        /// A channel dexter does not read (ticker, market_trades…): counted, not parsed.
        case unhandled
    }

    /// The connection's message number (nil on an error, which carries none).
    public let sequence: UInt64?
    public let time: Timestamp?
    public let content: Content
}

extension CoinbaseMarketData {
    public static func publicMessage(_ bytes: some ContiguousBytes) throws(WireParseError) -> CoinbasePublicMessage {
        try WireReader.read(bytes, venue: venue, message: "market data message") { reader throws(WireParseError) in
            try publicMessage(&reader)
        }
    }

    static func publicMessage(_ reader: inout WireReader) throws(WireParseError) -> CoinbasePublicMessage {
        try reader.openObject()
        var channel: String?, type: String?, message: String?, sequence: UInt64?, time: Timestamp?, events: [UInt8]?
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "channel": channel = try reader.string("channel")
            case "type": type = try reader.string("type")
            case "message": message = try reader.string("message")
            case "sequence_num": sequence = try reader.updateId("sequence_num")
            case "timestamp": time = try reader.coinbaseTime("timestamp")
            // The channel decides how events read, and it may come last: kept raw until the end.
            case "events": events = try reader.rawValue("events")
            default: try reader.skipValue(key)
            }
        }
        if type == "error" {
            return CoinbasePublicMessage(sequence: sequence, time: time, content: .error(message ?? "no reason given"))
        }
        guard let channel else { throw reader.missing("channel") }
        guard let sequence else { throw reader.missing("sequence_num") }
        let content: CoinbasePublicMessage.Content
        switch channel {
        case "l2_data":
            guard let events else { throw reader.missing("events") }
            content = .books(try WireReader.read(events, venue: venue, message: "l2_data events") { inner throws(WireParseError) in
                try bookEvents(&inner)
            })
        case "heartbeats": content = .heartbeat
        case "subscriptions":
            guard let events else { throw reader.missing("events") }
            content = .subscriptions(try WireReader.read(events, venue: venue, message: "subscriptions events") {
                inner throws(WireParseError) in try subscriptions(&inner)
            })
        default: content = .unhandled
        }
        return CoinbasePublicMessage(sequence: sequence, time: time, content: content)
    }

    /// `[{"type": "snapshot" | "update", "product_id", "updates": [{side, event_time, price_level, new_quantity}]}]`.
    static func bookEvents(_ reader: inout WireReader) throws(WireParseError) -> [CoinbaseBookMessage] {
        try reader.openArray("events")
        var found: [CoinbaseBookMessage] = []
        var element = true
        while try reader.nextElement(&element, "events") {
            try reader.openObject("events")
            var type: String?, product: String?
            var bids: [PriceLevel] = [], asks: [PriceLevel] = [], latest: Timestamp?, sawUpdates = false
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "type": type = try reader.string("type")
                case "product_id": product = try reader.string("product_id")
                case "updates":
                    sawUpdates = true
                    try reader.openArray("updates")
                    var level = true
                    while try reader.nextElement(&level, "updates") {
                        let (isBid, price, quantity, time) = try update(&reader)
                        if isBid { bids.append(PriceLevel(price: price, quantity: quantity)) }
                        else { asks.append(PriceLevel(price: price, quantity: quantity)) }
                        if let time, latest.map({ time > $0 }) ?? true { latest = time }
                    }
                default: try reader.skipValue(key)
                }
            }
            let kind: CoinbaseBookMessage.Kind
            switch type {
            case "snapshot": kind = .snapshot
            case "update": kind = .update
            case let other: throw reader.failure("type", "\"\(other ?? "")\" is neither snapshot nor update")
            }
            guard let product else { throw reader.missing("product_id") }
            guard sawUpdates else { throw reader.missing("updates") }
            found.append(CoinbaseBookMessage(productId: product, kind: kind, bids: bids, asks: asks, time: latest))
        }
        return found
    }

    /// `{"side": "bid" | "offer", "event_time", "price_level", "new_quantity"}`.
    static func update(_ reader: inout WireReader) throws(WireParseError) -> (Bool, FixedDecimal, FixedDecimal, Timestamp?) {
        try reader.openObject("updates")
        var side: String?, price: FixedDecimal?, quantity: FixedDecimal?, time: Timestamp?
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "side": side = try reader.string("side")
            case "price_level": price = try reader.amount("price_level")
            case "new_quantity": quantity = try reader.amount("new_quantity")
            case "event_time": time = try reader.coinbaseTime("event_time")
            default: try reader.skipValue(key)
            }
        }
        guard let price else { throw reader.missing("price_level") }
        guard price.isPositive else { throw reader.failure("price_level", "a level at price \(price)") }
        guard let quantity else { throw reader.missing("new_quantity") }
        switch side {
        case "bid": return (true, price, quantity, time)
        case "offer", "ask": return (false, price, quantity, time)
        case let other: throw reader.failure("side", "\"\(other ?? "")\" is neither bid nor offer")
        }
    }

    /// `[{"subscriptions": {"level2": ["BTC-USD"], …}}]`.
    static func subscriptions(_ reader: inout WireReader) throws(WireParseError) -> [String: [String]] {
        try reader.openArray("events")
        var found: [String: [String]] = [:]
        var element = true
        while try reader.nextElement(&element, "events") {
            try reader.openObject("events")
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "subscriptions":
                    try reader.openObject("subscriptions")
                    var firstChannel = true
                    while let channel = try reader.nextKey(&firstChannel) {
                        let name = channel.text
                        if reader.null() { found[name] = []; continue }
                        try reader.openArray("subscriptions")
                        var ids: [String] = []
                        var id = true
                        while try reader.nextElement(&id, "subscriptions") { ids.append(try reader.string("subscriptions")) }
                        found[name] = ids
                    }
                default: try reader.skipValue(key)
                }
            }
        }
        return found
    }
}
