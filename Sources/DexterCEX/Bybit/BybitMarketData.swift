import DexterCore
import Foundation

// Market data as Bybit v5 sends it for linear perpetuals (docs/venues/bybit.md): the public WebSocket's pushes and
// answers, exact, before any book is kept from them. Symbols stay Bybit's own ("BTCUSDT") here.

/// An `orderbook.{depth}.{symbol}` push: a full snapshot, or the levels that changed (size 0 removes one).
public struct BybitBookMessage: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case snapshot, delta }

    public let symbol: String
    /// The topic's depth (1, 50, 200, 500, 1000).
    public let depth: Int
    public let kind: Kind
    public let bids: [PriceLevel]
    public let asks: [PriceLevel]
    /// The topic's update id: each delta carries the previous one + 1; 1 after a service restart.
    public let updateId: UInt64
    /// The matching engine's cross sequence (not contiguous; compares books of different depths).
    public let seq: UInt64?
    /// When the system made the message (`ts`) and the matching engine's time (`cts`).
    public let time: Timestamp
    public let engineTime: Timestamp?

    public init(symbol: String, depth: Int, kind: Kind, bids: [PriceLevel], asks: [PriceLevel], updateId: UInt64,
                seq: UInt64? = nil, time: Timestamp, engineTime: Timestamp? = nil) {
        self.symbol = symbol
        self.depth = depth
        self.kind = kind
        self.bids = bids
        self.asks = asks
        self.updateId = updateId
        self.seq = seq
        self.time = time
        self.engineTime = engineTime
    }
}

/// A `tickers.{symbol}` push: a snapshot, or a delta holding only the fields that changed (nil: unchanged). An empty
/// string on the wire (no book side yet) reads as absent.
public struct BybitTicker: Sendable, Hashable {
    public var symbol: String
    public var isSnapshot: Bool
    public var lastPrice: FixedDecimal?
    public var markPrice: FixedDecimal?
    public var indexPrice: FixedDecimal?
    /// The rate of the next settlement (positive: longs pay shorts).
    public var fundingRate: FixedDecimal?
    public var nextFundingTime: Timestamp?
    public var fundingIntervalHours: Int?
    public var time: Timestamp?

    public init(symbol: String, isSnapshot: Bool) {
        self.symbol = symbol
        self.isSnapshot = isSnapshot
    }

    /// This state with a delta's fields laid over it.
    public func merging(_ delta: BybitTicker) -> BybitTicker {
        var merged = self
        merged.lastPrice = delta.lastPrice ?? lastPrice
        merged.markPrice = delta.markPrice ?? markPrice
        merged.indexPrice = delta.indexPrice ?? indexPrice
        merged.fundingRate = delta.fundingRate ?? fundingRate
        merged.nextFundingTime = delta.nextFundingTime ?? nextFundingTime
        merged.fundingIntervalHours = delta.fundingIntervalHours ?? fundingIntervalHours
        merged.time = delta.time ?? time
        return merged
    }
}

/// One message of the public WebSocket.
public enum BybitPublicMessage: Sendable, Hashable {
    case book(BybitBookMessage)
    case ticker(BybitTicker)
    /// `{"success", "ret_msg", "op", …}`: the answer to a subscribe, an unsubscribe or a ping.
    case answer(op: String, success: Bool, message: String)
    /// A push of a topic dexter does not read (trades, klines…): skipped, not parsed.
    case unhandled
}

public enum BybitMarketData {
    static let venue = "bybit"

    public static func publicMessage(_ bytes: some ContiguousBytes) throws(WireParseError) -> BybitPublicMessage {
        try WireReader.read(bytes, venue: venue, message: "public message") { reader throws(WireParseError) in
            try publicMessage(&reader)
        }
    }

    static func publicMessage(_ reader: inout WireReader) throws(WireParseError) -> BybitPublicMessage {
        try reader.openObject()
        var topic: String?, type: String?, op: String?, success: Bool?, text: String?
        var time: Timestamp?, engineTime: Timestamp?, data: [UInt8]?
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "topic": topic = try reader.string("topic")
            case "type": type = try reader.string("type")
            case "op": op = try reader.string("op")
            case "success": success = try reader.bool("success")
            case "ret_msg": text = try reader.string("ret_msg")
            case "ts": time = try reader.milliseconds("ts")
            case "cts": engineTime = try reader.milliseconds("cts")
            // The topic decides how data reads, and it may come after it: kept raw until the end.
            case "data": data = try reader.rawValue("data")
            default: try reader.skipValue(key)
            }
        }
        if let op, topic == nil {
            guard let success else { throw reader.missing("success") }
            return .answer(op: op, success: success, message: text ?? "")
        }
        guard let topic else { throw reader.missing("topic") }
        let parts = topic.split(separator: ".", omittingEmptySubsequences: false)
        guard let name = parts.first, name == "orderbook" || name == "tickers" else { return .unhandled }
        guard let data else { throw reader.missing("data") }
        let isSnapshot: Bool
        switch type {
        case "snapshot": isSnapshot = true
        case "delta": isSnapshot = false
        case let other: throw reader.failure("type", "\(other.map { "\"\($0)\"" } ?? "none") is neither snapshot nor delta")
        }
        if name == "tickers" {
            guard parts.count == 2, !parts[1].isEmpty else { throw reader.failure("topic", "\"\(topic)\" is not tickers.SYMBOL") }
            var ticker = try WireReader.read(data, venue: venue, message: "\(topic) data") { inner throws(WireParseError) in
                try tickerData(&inner, symbol: String(parts[1]), isSnapshot: isSnapshot)
            }
            ticker.time = ticker.time ?? time
            return .ticker(ticker)
        }
        guard parts.count == 3, let depth = Int(parts[1]), depth > 0, !parts[2].isEmpty else {
            throw reader.failure("topic", "\"\(topic)\" is not orderbook.DEPTH.SYMBOL")
        }
        guard let time else { throw reader.missing("ts") }
        return try WireReader.read(data, venue: venue, message: "\(topic) data") { inner throws(WireParseError) in
            .book(try bookData(&inner, symbol: String(parts[2]), depth: depth, isSnapshot: isSnapshot, time: time,
                               engineTime: engineTime))
        }
    }

    /// `{"s", "b": [[p, q]], "a": [[p, q]], "u", "seq"}`.
    static func bookData(_ reader: inout WireReader, symbol: String, depth: Int, isSnapshot: Bool, time: Timestamp,
                         engineTime: Timestamp?) throws(WireParseError) -> BybitBookMessage {
        try reader.openObject("data")
        var named: String?, bids: [PriceLevel]?, asks: [PriceLevel]?, update: UInt64?, seq: UInt64?
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "s": named = try reader.string("s")
            case "b": bids = try reader.priceLevels("b")
            case "a": asks = try reader.priceLevels("a")
            case "u": update = try reader.updateId("u")
            case "seq": seq = try reader.updateId("seq")
            default: try reader.skipValue(key)
            }
        }
        guard let named else { throw reader.missing("s") }
        guard named == symbol else { throw reader.failure("s", "\"\(named)\" in a message of the topic for \(symbol)") }
        guard let bids else { throw reader.missing("b") }
        guard let asks else { throw reader.missing("a") }
        guard let update else { throw reader.missing("u") }
        return BybitBookMessage(symbol: symbol, depth: depth, kind: isSnapshot ? .snapshot : .delta, bids: bids, asks: asks,
                                updateId: update, seq: seq, time: time, engineTime: engineTime)
    }

    /// The ticker's fields dexter reads; the rest (24-hour figures, open interest, book top) skipped.
    static func tickerData(_ reader: inout WireReader, symbol: String, isSnapshot: Bool) throws(WireParseError) -> BybitTicker {
        try reader.openObject("data")
        var ticker = BybitTicker(symbol: symbol, isSnapshot: isSnapshot)
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "symbol":
                let named = try reader.string("symbol")
                guard named == symbol else { throw reader.failure("symbol", "\"\(named)\" in a message of the topic for \(symbol)") }
            case "lastPrice": ticker.lastPrice = try optionalAmount(&reader, "lastPrice")
            case "markPrice": ticker.markPrice = try optionalAmount(&reader, "markPrice")
            case "indexPrice": ticker.indexPrice = try optionalAmount(&reader, "indexPrice")
            case "fundingRate": ticker.fundingRate = try optionalDecimal(&reader, "fundingRate")
            case "nextFundingTime": ticker.nextFundingTime = try optionalMilliseconds(&reader, "nextFundingTime")
            case "fundingIntervalHour":
                guard let text = try optionalText(&reader, "fundingIntervalHour") else { break }
                guard let hours = Int(text), (0...24 * 7).contains(hours) else {
                    throw reader.failure("fundingIntervalHour", "\"\(text)\" is not a number of hours")
                }
                // "0": an interval under an hour, which this field cannot say (instruments-info's minutes then).
                ticker.fundingIntervalHours = hours > 0 ? hours : nil
            default: try reader.skipValue(key)
            }
        }
        return ticker
    }

    // MARK: Strings that may be empty

    /// A string value, nil when empty ("" is how Bybit writes a value it does not have).
    static func optionalText(_ reader: inout WireReader, _ field: StaticString) throws(WireParseError) -> String? {
        guard let text = try reader.optionalString(field), !text.isEmpty else { return nil }
        return text
    }

    /// A decimal written as a string ("-0.000212"), exact; nil when empty.
    static func optionalDecimal(_ reader: inout WireReader, _ field: StaticString) throws(WireParseError) -> FixedDecimal? {
        guard let text = try optionalText(&reader, field) else { return nil }
        guard let value = FixedDecimal(text) else { throw reader.failure("\(field)", "\"\(text)\" is not a decimal") }
        return value
    }

    static func optionalAmount(_ reader: inout WireReader, _ field: StaticString) throws(WireParseError) -> FixedDecimal? {
        guard let value = try optionalDecimal(&reader, field) else { return nil }
        guard !value.isNegative else { throw reader.failure("\(field)", "negative amount \(value)") }
        return value
    }

    /// Milliseconds written as a string ("1673280000000"); nil when empty.
    static func optionalMilliseconds(_ reader: inout WireReader, _ field: StaticString) throws(WireParseError) -> Timestamp? {
        guard let text = try optionalText(&reader, field) else { return nil }
        guard let value = Int64(text), (0...9_000_000_000_000).contains(value) else {
            throw reader.failure("\(field)", "\"\(text)\" is not a time in milliseconds")
        }
        return Timestamp(milliseconds: value)
    }
}
