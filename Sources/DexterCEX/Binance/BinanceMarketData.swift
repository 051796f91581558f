import DexterCore
import Foundation

// Market data as Binance sends it (web-socket-streams.md, rest-api.md "Order book"): the raw messages, exact, before
// any book is kept from them. Symbols stay Binance's own ("NKNUSDT") here; `BinanceInstruments` maps them.

/// `<symbol>@depth@100ms`: the levels that changed between update ids `firstUpdateId` (U) and `finalUpdateId` (u).
public struct BinanceDepthUpdate: Sendable, Hashable {
    public let eventTime: Timestamp
    public let symbol: String
    public let firstUpdateId: UInt64
    public let finalUpdateId: UInt64
    /// `pu`, USDⓈ-M futures only: the previous event's final update id (nil on spot, which has none).
    public let previousFinalUpdateId: UInt64?
    /// Absolute quantities; zero removes the level.
    public let bids: [PriceLevel]
    public let asks: [PriceLevel]

    public init(eventTime: Timestamp, symbol: String, firstUpdateId: UInt64, finalUpdateId: UInt64,
                previousFinalUpdateId: UInt64? = nil, bids: [PriceLevel], asks: [PriceLevel]) {
        self.eventTime = eventTime
        self.symbol = symbol
        self.firstUpdateId = firstUpdateId
        self.finalUpdateId = finalUpdateId
        self.previousFinalUpdateId = previousFinalUpdateId
        self.bids = bids
        self.asks = asks
    }
}

/// `<symbol>@bookTicker`: the best bid and ask, pushed in real time.
public struct BinanceBookTicker: Sendable, Hashable {
    public let updateId: UInt64
    /// `E`, USDⓈ-M futures only (spot tickers carry no event time).
    public let eventTime: Timestamp?
    public let symbol: String
    public let bidPrice: FixedDecimal
    public let bidQuantity: FixedDecimal
    public let askPrice: FixedDecimal
    public let askQuantity: FixedDecimal

    public init(updateId: UInt64, eventTime: Timestamp? = nil, symbol: String, bidPrice: FixedDecimal,
                bidQuantity: FixedDecimal, askPrice: FixedDecimal, askQuantity: FixedDecimal) {
        self.updateId = updateId
        self.eventTime = eventTime
        self.symbol = symbol
        self.bidPrice = bidPrice
        self.bidQuantity = bidQuantity
        self.askPrice = askPrice
        self.askQuantity = askQuantity
    }
}

/// `GET /api/v3/depth` (and the partial-depth streams `<symbol>@depth5/10/20`, which have the same shape).
public struct BinanceDepthSnapshot: Sendable, Hashable {
    public let lastUpdateId: UInt64
    public let bids: [PriceLevel]
    public let asks: [PriceLevel]

    public init(lastUpdateId: UInt64, bids: [PriceLevel], asks: [PriceLevel]) {
        self.lastUpdateId = lastUpdateId
        self.bids = bids
        self.asks = asks
    }
}

/// One message of a combined stream, `{"stream": "<symbol>@<kind>", "data": {...}}`.
public struct BinanceStreamMessage: Sendable, Hashable {
    public enum Payload: Sendable, Hashable {
        case depthUpdate(BinanceDepthUpdate)
        case bookTicker(BinanceBookTicker)
        case partialDepth(BinanceDepthSnapshot)
        /// A stream dexter does not read (aggTrade, kline…): skipped, not parsed.
        case unhandled
    }

    public let stream: String
    public let payload: Payload
}

/// The parsers. Each is a pure function over the message's bytes.
public enum BinanceMarketData {
    static let venue = "binance"

    public static func streamMessage(_ bytes: some ContiguousBytes) throws(WireParseError) -> BinanceStreamMessage {
        let (stream, payload) = try combined(bytes, venue: venue, payload: streamPayload)
        return BinanceStreamMessage(stream: stream, payload: payload)
    }

    /// A combined-stream envelope, spot's or USDⓈ-M's: the stream's name, and its data read by `payload` knowing it.
    static func combined<Payload>(_ bytes: some ContiguousBytes, venue: String,
                                  payload read: (inout WireReader, String) throws(WireParseError) -> Payload)
        throws(WireParseError) -> (stream: String, payload: Payload) {
        try WireReader.read(bytes, venue: venue, message: "combined-stream message") { reader throws(WireParseError) in
            try reader.openObject()
            var stream: String?
            var payload: Payload?
            var deferred: [UInt8]?
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "stream": stream = try reader.string("stream")
                case "data":
                    // Binance writes "stream" first; should "data" ever come first, it is read once the name is known.
                    if let stream {
                        payload = try read(&reader, stream)
                    } else {
                        deferred = try reader.rawValue("data")
                    }
                default: try reader.skipValue(key)
                }
            }
            guard let stream else { throw reader.missing("stream") }
            if let deferred {
                payload = try WireReader.read(deferred, venue: venue, message: "\(stream) data") { inner throws(WireParseError) in
                    try read(&inner, stream)
                }
            }
            guard let payload else { throw reader.missing("data") }
            return (stream, payload)
        }
    }

    /// The stream's kind is the part after the first "@": depth, depth@100ms, depth5@100ms, bookTicker…
    static func streamPayload(_ reader: inout WireReader, stream: String) throws(WireParseError)
        -> BinanceStreamMessage.Payload {
        guard let at = stream.firstIndex(of: "@") else {
            throw reader.failure("stream", "\"\(stream)\" is not <symbol>@<kind>")
        }
        let kind = stream[stream.index(after: at)...]
        if kind == "bookTicker" {
            reader.message = "bookTicker"
            return .bookTicker(try bookTicker(&reader))
        }
        if kind == "depth" || kind.hasPrefix("depth@") {
            reader.message = "depthUpdate"
            return .depthUpdate(try depthUpdate(&reader))
        }
        if kind.hasPrefix("depth") {
            reader.message = "partial depth"
            return .partialDepth(try depthSnapshot(&reader))
        }
        guard reader.scanner.skipValue() else { throw reader.failure("data", "malformed value") }
        return .unhandled
    }

    public static func depthUpdate(_ bytes: some ContiguousBytes) throws(WireParseError) -> BinanceDepthUpdate {
        try WireReader.read(bytes, venue: venue, message: "depthUpdate") { reader throws(WireParseError) in
            try depthUpdate(&reader)
        }
    }

    public static func bookTicker(_ bytes: some ContiguousBytes) throws(WireParseError) -> BinanceBookTicker {
        try WireReader.read(bytes, venue: venue, message: "bookTicker") { reader throws(WireParseError) in
            try bookTicker(&reader)
        }
    }

    public static func depthSnapshot(_ bytes: some ContiguousBytes) throws(WireParseError) -> BinanceDepthSnapshot {
        try WireReader.read(bytes, venue: venue, message: "depth snapshot") { reader throws(WireParseError) in
            try depthSnapshot(&reader)
        }
    }

    static func depthUpdate(_ reader: inout WireReader) throws(WireParseError) -> BinanceDepthUpdate {
        try reader.openObject()
        var eventType: String?, eventTime: Timestamp?, symbol: String?
        var firstId: UInt64?, finalId: UInt64?, previousId: UInt64?, bids: [PriceLevel]?, asks: [PriceLevel]?
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "e": eventType = try reader.string("e")
            case "E": eventTime = try reader.milliseconds("E")
            case "s": symbol = try reader.string("s")
            case "U": firstId = try reader.updateId("U")
            case "u": finalId = try reader.updateId("u")
            case "pu": previousId = try reader.updateId("pu")
            case "b": bids = try reader.priceLevels("b")
            case "a": asks = try reader.priceLevels("a")
            default: try reader.skipValue(key)
            }
        }
        guard let eventType else { throw reader.missing("e") }
        guard eventType == "depthUpdate" else { throw reader.failure("e", "\"\(eventType)\" is not depthUpdate") }
        guard let eventTime else { throw reader.missing("E") }
        guard let symbol else { throw reader.missing("s") }
        guard let firstId else { throw reader.missing("U") }
        guard let finalId else { throw reader.missing("u") }
        guard firstId <= finalId else { throw reader.failure("U", "first update id \(firstId) after the last \(finalId)") }
        guard let bids else { throw reader.missing("b") }
        guard let asks else { throw reader.missing("a") }
        return BinanceDepthUpdate(eventTime: eventTime, symbol: symbol, firstUpdateId: firstId, finalUpdateId: finalId,
                                  previousFinalUpdateId: previousId, bids: bids, asks: asks)
    }

    static func bookTicker(_ reader: inout WireReader) throws(WireParseError) -> BinanceBookTicker {
        try reader.openObject()
        var updateId: UInt64?, eventTime: Timestamp?, symbol: String?
        var bid: FixedDecimal?, bidQuantity: FixedDecimal?, ask: FixedDecimal?, askQuantity: FixedDecimal?
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "u": updateId = try reader.updateId("u")
            case "E": eventTime = try reader.milliseconds("E")
            case "s": symbol = try reader.string("s")
            case "b": bid = try reader.amount("b")
            case "B": bidQuantity = try reader.amount("B")
            case "a": ask = try reader.amount("a")
            case "A": askQuantity = try reader.amount("A")
            default: try reader.skipValue(key)
            }
        }
        guard let updateId else { throw reader.missing("u") }
        guard let symbol else { throw reader.missing("s") }
        guard let bid else { throw reader.missing("b") }
        guard let bidQuantity else { throw reader.missing("B") }
        guard let ask else { throw reader.missing("a") }
        guard let askQuantity else { throw reader.missing("A") }
        return BinanceBookTicker(updateId: updateId, eventTime: eventTime, symbol: symbol, bidPrice: bid,
                                 bidQuantity: bidQuantity, askPrice: ask, askQuantity: askQuantity)
    }

    static func depthSnapshot(_ reader: inout WireReader) throws(WireParseError) -> BinanceDepthSnapshot {
        try reader.openObject()
        var lastUpdateId: UInt64?, bids: [PriceLevel]?, asks: [PriceLevel]?
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "lastUpdateId": lastUpdateId = try reader.updateId("lastUpdateId")
            case "bids": bids = try reader.priceLevels("bids")
            case "asks": asks = try reader.priceLevels("asks")
            default: try reader.skipValue(key)
            }
        }
        guard let lastUpdateId else { throw reader.missing("lastUpdateId") }
        guard let bids else { throw reader.missing("bids") }
        guard let asks else { throw reader.missing("asks") }
        return BinanceDepthSnapshot(lastUpdateId: lastUpdateId, bids: bids, asks: asks)
    }
}
