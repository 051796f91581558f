import DexterCore
import Foundation

// Market data as Binance USDⓈ-M futures sends it (docs/venues/binance-usdm.md, "Market data" and "Mark price,
// index, funding"): the raw messages, exact. Depth diffs (with `pu`), book tickers and REST snapshots share spot's
// shapes and parsers; the mark price stream and fundingInfo are the futures' own.

/// `<symbol>@markPrice@1s`: the mark price positions are valued at, and the next funding's rate and time.
public struct BinanceMarkPrice: Sendable, Hashable {
    public let eventTime: Timestamp
    public let symbol: String
    /// `p`.
    public let markPrice: FixedDecimal
    /// `i`; nil where the message has none.
    public let indexPrice: FixedDecimal?
    /// `r`: the rate of the next funding, signed (positive: longs pay shorts).
    public let fundingRate: FixedDecimal
    /// `T`.
    public let nextFundingTime: Timestamp
}

/// `GET /fapi/v1/fundingInfo`: a symbol whose funding was adjusted (only those are listed; the rest fund every 8 h).
public struct BinanceFundingInfo: Sendable, Hashable {
    public let symbol: String
    public let intervalHours: Int
}

/// One message of a USDⓈ-M combined stream, `{"stream": "<symbol>@<kind>", "data": {...}}`.
public struct BinanceUSDMStreamMessage: Sendable, Hashable {
    public enum Payload: Sendable, Hashable {
        case depthUpdate(BinanceDepthUpdate)
        case bookTicker(BinanceBookTicker)
        case markPrice(BinanceMarkPrice)
        /// A stream dexter does not read (aggTrade, kline…): skipped, not parsed.
        case unhandled
    }

    public let stream: String
    public let payload: Payload
}

/// The parsers, each a pure function over the message's bytes; errors name "binance-usdm".
public enum BinanceUSDMMarketData {
    static let venue = "binance-usdm"

    public static func streamMessage(_ bytes: some ContiguousBytes) throws(WireParseError) -> BinanceUSDMStreamMessage {
        let (stream, payload) = try BinanceMarketData.combined(bytes, venue: venue, payload: streamPayload)
        return BinanceUSDMStreamMessage(stream: stream, payload: payload)
    }

    /// The stream's kind is the part after the first "@": depth, depth@100ms, bookTicker, markPrice@1s…
    static func streamPayload(_ reader: inout WireReader, stream: String) throws(WireParseError)
        -> BinanceUSDMStreamMessage.Payload {
        guard let at = stream.firstIndex(of: "@") else {
            throw reader.failure("stream", "\"\(stream)\" is not <symbol>@<kind>")
        }
        let kind = stream[stream.index(after: at)...]
        if kind == "bookTicker" {
            reader.message = "bookTicker"
            return .bookTicker(try BinanceMarketData.bookTicker(&reader))
        }
        if kind == "depth" || kind.hasPrefix("depth@") {
            reader.message = "depthUpdate"
            let diff = try BinanceMarketData.depthUpdate(&reader)
            // The futures rule stands on `pu`: a diff without it cannot be placed.
            guard diff.previousFinalUpdateId != nil else { throw reader.failure("pu", "missing") }
            return .depthUpdate(diff)
        }
        if kind == "markPrice" || kind.hasPrefix("markPrice@") {
            reader.message = "markPriceUpdate"
            return .markPrice(try markPrice(&reader))
        }
        guard reader.scanner.skipValue() else { throw reader.failure("data", "malformed value") }
        return .unhandled
    }

    public static func markPrice(_ bytes: some ContiguousBytes) throws(WireParseError) -> BinanceMarkPrice {
        try WireReader.read(bytes, venue: venue, message: "markPriceUpdate") { reader throws(WireParseError) in
            try markPrice(&reader)
        }
    }

    static func markPrice(_ reader: inout WireReader) throws(WireParseError) -> BinanceMarkPrice {
        try reader.openObject()
        var eventType: String?, eventTime: Timestamp?, symbol: String?, mark: FixedDecimal?, index: FixedDecimal?
        var rate: FixedDecimal?, next: Timestamp?
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "e": eventType = try reader.string("e")
            case "E": eventTime = try reader.milliseconds("E")
            case "s": symbol = try reader.string("s")
            case "p": mark = try reader.amount("p")
            case "i": index = try reader.amount("i")
            case "r": rate = try reader.decimal("r")
            case "T": next = try reader.milliseconds("T")
            default: try reader.skipValue(key)
            }
        }
        guard let eventType else { throw reader.missing("e") }
        guard eventType == "markPriceUpdate" else {
            throw reader.failure("e", "\"\(eventType)\" is not markPriceUpdate")
        }
        guard let eventTime else { throw reader.missing("E") }
        guard let symbol else { throw reader.missing("s") }
        guard let mark else { throw reader.missing("p") }
        guard mark.isPositive else { throw reader.failure("p", "mark price \(mark) is not positive") }
        guard let rate else { throw reader.missing("r") }
        guard let next else { throw reader.missing("T") }
        return BinanceMarkPrice(eventTime: eventTime, symbol: symbol, markPrice: mark, indexPrice: index,
                                fundingRate: rate, nextFundingTime: next)
    }

    /// `GET /fapi/v1/fundingInfo`: `[{"symbol", "fundingIntervalHours", "adjustedFundingRateCap", …}]`.
    public static func fundingInfo(_ bytes: some ContiguousBytes) throws(WireParseError) -> [BinanceFundingInfo] {
        try WireReader.read(bytes, venue: venue, message: "fundingInfo") { reader throws(WireParseError) in
            try reader.openArray("fundingInfo")
            var found: [BinanceFundingInfo] = []
            var first = true
            while try reader.nextElement(&first, "fundingInfo") {
                try reader.openObject("fundingInfo")
                var symbol: String?, hours: Int64?
                var firstKey = true
                while let key = try reader.nextKey(&firstKey) {
                    switch key {
                    case "symbol": symbol = try reader.string("symbol")
                    case "fundingIntervalHours": hours = try reader.integer("fundingIntervalHours")
                    default: try reader.skipValue(key)
                    }
                }
                guard let symbol else { throw reader.missing("symbol") }
                guard let hours else { throw reader.missing("fundingIntervalHours") }
                guard (1...24).contains(hours) else {
                    throw reader.failure("fundingIntervalHours",
                                         "\(symbol): \(hours) h is not an interval of 1 to 24 hours")
                }
                found.append(BinanceFundingInfo(symbol: symbol, intervalHours: Int(hours)))
            }
            return found
        }
    }
}
