import DexterCore
import Foundation

// The public WebSocket v2 as Kraken sends it (docs/venues/kraken.md): books, heartbeats, the system status, and the
// answers to dexter's requests. Prices and quantities arrive as JSON numbers and are read exactly from their text.

/// A `book` push for one pair: the whole book to the subscribed depth, or the levels that changed (quantity zero
/// removes one).
public struct KrakenBookMessage: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case snapshot, update }

    /// WebSocket v2's name of the pair: "BTC/USD".
    public let symbol: String
    public let kind: Kind
    public let bids: [PriceLevel]
    public let asks: [PriceLevel]
    /// CRC-32 of the top 10 levels of each side after this message.
    public let checksum: UInt32?
    public let time: Timestamp?

    public init(symbol: String, kind: Kind, bids: [PriceLevel], asks: [PriceLevel], checksum: UInt32?, time: Timestamp?) {
        self.symbol = symbol
        self.kind = kind
        self.bids = bids
        self.asks = asks
        self.checksum = checksum
        self.time = time
    }
}

/// One message of the public WebSocket v2.
public enum KrakenPublicMessage: Sendable, Hashable {
    /// A `book` push: one element per pair it carries.
    case books([KrakenBookMessage])
    /// Sent once a second when nothing else is.
    case heartbeat
    /// The `status` channel: the trading system is "online", "maintenance", "cancel_only" or "post_only".
    case status(system: String)
    /// The answer to a request (`subscribe`, `unsubscribe`, `pong`…): whether it worked, Kraken's error, the pair
    /// it was about, dexter's `req_id`.
    case answer(method: String, success: Bool, error: String?, symbol: String?, requestId: Int64?)
    /// A channel dexter does not read (ticker, trade, instrument…): skipped, not parsed.
    case unhandled
}

extension KrakenMarketData {
    public static func publicMessage(_ bytes: some ContiguousBytes) throws(WireParseError) -> KrakenPublicMessage {
        try WireReader.read(bytes, venue: venue, message: "public message") { reader throws(WireParseError) in
            try publicMessage(&reader)
        }
    }

    static func publicMessage(_ reader: inout WireReader) throws(WireParseError) -> KrakenPublicMessage {
        try reader.openObject()
        var channel: String?, type: String?, method: String?, success: Bool?, error: String?, symbol: String?
        var requestId: Int64?, data: [UInt8]?, result: [UInt8]?
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "channel": channel = try reader.string("channel")
            case "type": type = try reader.string("type")
            case "method": method = try reader.string("method")
            case "success": success = try reader.bool("success")
            case "error": error = try reader.string("error")
            case "symbol": symbol = try reader.string("symbol")
            case "req_id": requestId = try reader.integer("req_id")
            // The channel decides how data reads, and it may come first: kept raw until the end.
            case "data": data = try reader.rawValue("data")
            case "result": result = try reader.rawValue("result")
            default: try reader.skipValue(key)
            }
        }
        if let method {
            if symbol == nil, let result { symbol = try resultSymbol(result) }
            return .answer(method: method, success: success ?? (method == "pong"), error: error, symbol: symbol,
                           requestId: requestId)
        }
        guard let channel else { throw reader.failure("channel", "neither a channel push nor an answer") }
        switch channel {
        case "heartbeat": return .heartbeat
        case "status":
            guard let data else { throw reader.missing("data") }
            return .status(system: try systemStatus(data))
        case "book":
            let kind: KrakenBookMessage.Kind
            switch type {
            case "snapshot": kind = .snapshot
            case "update": kind = .update
            case let other: throw reader.failure("type", "\"\(other ?? "")\" is neither snapshot nor update")
            }
            guard let data else { throw reader.missing("data") }
            return .books(try WireReader.read(data, venue: venue, message: "book data") { inner throws(WireParseError) in
                try books(&inner, kind: kind)
            })
        default: return .unhandled
        }
    }

    /// `result: {"channel": "book", "symbol": "BTC/USD", …}`: the pair a subscription answer is about.
    static func resultSymbol(_ bytes: [UInt8]) throws(WireParseError) -> String? {
        try WireReader.read(bytes, venue: venue, message: "answer result") { reader throws(WireParseError) in
            reader.scanner.skipWhitespace()
            guard reader.scanner.peek() == UInt8(ascii: "{") else {
                guard reader.scanner.skipValue() else { throw reader.failure("result", "malformed value") }
                return nil
            }
            try reader.openObject("result")
            var symbol: String?
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "symbol": symbol = try reader.string("symbol")
                default: try reader.skipValue(key)
                }
            }
            return symbol
        }
    }

    /// `data: [{"system": "online", "api_version": "v2", …}]`.
    static func systemStatus(_ bytes: [UInt8]) throws(WireParseError) -> String {
        try WireReader.read(bytes, venue: venue, message: "status data") { reader throws(WireParseError) in
            try reader.openArray("data")
            var system: String?
            var element = true
            while try reader.nextElement(&element, "data") {
                try reader.openObject("data")
                var first = true
                while let key = try reader.nextKey(&first) {
                    switch key {
                    case "system": system = try reader.string("system")
                    default: try reader.skipValue(key)
                    }
                }
            }
            guard let system else { throw reader.missing("system") }
            return system
        }
    }

    /// `data: [{"symbol", "bids": [{"price", "qty"}], "asks": […], "checksum", "timestamp"}, …]`.
    static func books(_ reader: inout WireReader, kind: KrakenBookMessage.Kind) throws(WireParseError) -> [KrakenBookMessage] {
        try reader.openArray("data")
        var found: [KrakenBookMessage] = []
        var element = true
        while try reader.nextElement(&element, "data") {
            try reader.openObject("data")
            var symbol: String?, bids: [PriceLevel]?, asks: [PriceLevel]?, checksum: UInt32?, time: Timestamp?
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "symbol": symbol = try reader.string("symbol")
                case "bids": bids = try levels(&reader, "bids")
                case "asks": asks = try levels(&reader, "asks")
                case "checksum":
                    let value = try reader.integer("checksum")
                    guard let exact = UInt32(exactly: value) else {
                        throw reader.failure("checksum", "\(value) is not an unsigned 32-bit integer")
                    }
                    checksum = exact
                case "timestamp":
                    let text = try reader.string("timestamp")
                    guard let parsed = Timestamp(rfc3339: text) else {
                        throw reader.failure("timestamp", "\"\(text)\" is not an RFC 3339 UTC time")
                    }
                    time = parsed
                default: try reader.skipValue(key)
                }
            }
            guard let symbol else { throw reader.missing("symbol") }
            // An update names only the side that moved; a snapshot sends both, empty or not.
            if kind == .snapshot {
                guard bids != nil else { throw reader.missing("bids") }
                guard asks != nil else { throw reader.missing("asks") }
            }
            found.append(KrakenBookMessage(symbol: symbol, kind: kind, bids: bids ?? [], asks: asks ?? [],
                                           checksum: checksum, time: time))
        }
        return found
    }

    /// `[{"price": 105944.2, "qty": 0.136}, …]`.
    static func levels(_ reader: inout WireReader, _ field: StaticString) throws(WireParseError) -> [PriceLevel] {
        try reader.openArray(field)
        var levels: [PriceLevel] = []
        var element = true
        while try reader.nextElement(&element, field) {
            try reader.openObject(field)
            var price: FixedDecimal?, quantity: FixedDecimal?
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "price": price = try reader.amount("price")
                case "qty": quantity = try reader.amount("qty")
                default: try reader.skipValue(key)
                }
            }
            guard let price else { throw reader.failure("\(field)", "a level without a price") }
            guard let quantity else { throw reader.failure("\(field)", "a level without a qty") }
            levels.append(PriceLevel(price: price, quantity: quantity))
        }
        return levels
    }
}
