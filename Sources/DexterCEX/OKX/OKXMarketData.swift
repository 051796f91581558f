import DexterCore
import Foundation

// Market data as OKX v5 sends it (docs/venues/okx.md): instruments, and the public WebSocket's pushes, exact, before
// any book is kept from them. Instruments stay OKX's own ("BTC-USDT") here.

/// One book level as OKX sends it, `["price", "size", "0", "orders"]`, with the price and size texts kept verbatim:
/// the checksum is computed over the wire's own strings.
public struct OKXLevel: Sendable, Hashable {
    public let price: FixedDecimal
    public let size: FixedDecimal
    public let priceText: String
    public let sizeText: String

    public init(price: FixedDecimal, size: FixedDecimal, priceText: String, sizeText: String) {
        self.price = price
        self.size = size
        self.priceText = priceText
        self.sizeText = sizeText
    }

    /// A level from its texts (tests, the REST book); nil when either is not a non-negative decimal.
    public init?(_ priceText: String, _ sizeText: String) {
        guard let price = FixedDecimal(priceText), let size = FixedDecimal(sizeText), !price.isNegative, !size.isNegative
        else { return nil }
        self.init(price: price, size: size, priceText: priceText, sizeText: sizeText)
    }
}

/// A `books` (or `bbo-tbt`) push: a full snapshot, or the levels that changed (size 0 removes one).
public struct OKXBookMessage: Sendable, Hashable {
    public enum Action: String, Sendable, Hashable { case snapshot, update }

    public let channel: String
    public let instrument: String
    public let action: Action
    public let bids: [OKXLevel]
    public let asks: [OKXLevel]
    public let time: Timestamp
    /// CRC-32 of the top 25 levels after this message, as a signed 32-bit integer (books channels only).
    public let checksum: Int32?
    /// This message's sequence number and the one before it (-1 on a snapshot); absent from feeds before 2022.
    public let seqId: Int64?
    public let prevSeqId: Int64?

    public init(channel: String = "books", instrument: String, action: Action, bids: [OKXLevel], asks: [OKXLevel],
                time: Timestamp, checksum: Int32?, seqId: Int64?, prevSeqId: Int64?) {
        self.channel = channel
        self.instrument = instrument
        self.action = action
        self.bids = bids
        self.asks = asks
        self.time = time
        self.checksum = checksum
        self.seqId = seqId
        self.prevSeqId = prevSeqId
    }
}

/// One message of the public WebSocket.
public enum OKXPublicMessage: Sendable, Hashable {
    case book(OKXBookMessage)
    /// `{"event": "subscribe" | "unsubscribe" | "error" | "notice", …}`: the answer to an op, or a notice.
    case event(name: String, code: String?, message: String?, channel: String?, instrument: String?)
    /// The text `pong`, the answer to the keepalive `ping`.
    case pong
    /// A push of a channel dexter does not read (trades, tickers…): skipped, not parsed.
    case unhandled
}

/// An instrument from `GET /api/v5/public/instruments`.
public struct OKXInstrument: Sendable, Hashable {
    public let instrument: String
    public let type: String
    public let base: String
    public let quote: String
    public let tickSize: FixedDecimal
    public let lotSize: FixedDecimal
    public let minSize: FixedDecimal
    /// "live", "suspend", "preopen", "test".
    public let state: String

    public var isTrading: Bool { state == "live" }
}

public enum OKXMarketData {
    static let venue = "okx"
    /// The channels whose pushes are books.
    static let bookChannels: Set<String> = ["books", "books5", "bbo-tbt", "books-l2-tbt", "books50-l2-tbt"]

    public static func publicMessage(_ bytes: some ContiguousBytes) throws(WireParseError) -> OKXPublicMessage {
        let isPong = bytes.withUnsafeBytes { $0.elementsEqual("pong".utf8) }
        if isPong { return .pong }
        return try WireReader.read(bytes, venue: venue, message: "public message") { reader throws(WireParseError) in
            try publicMessage(&reader)
        }
    }

    static func publicMessage(_ reader: inout WireReader) throws(WireParseError) -> OKXPublicMessage {
        try reader.openObject()
        var event: String?, code: String?, text: String?, channel: String?, instrument: String?, action: String?
        var data: [UInt8]?
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "event": event = try reader.string("event")
            case "code": code = try reader.string("code")
            case "msg": text = try reader.string("msg")
            case "action": action = try reader.string("action")
            case "arg": (channel, instrument) = try argument(&reader)
            // The channel decides how data reads, and "arg" may come after it: kept raw until the end.
            case "data": data = try reader.rawValue("data")
            default: try reader.skipValue(key)
            }
        }
        if let event { return .event(name: event, code: code, message: text, channel: channel, instrument: instrument) }
        guard let channel else { throw reader.missing("arg") }
        guard bookChannels.contains(channel) else { return .unhandled }
        guard let instrument else { throw reader.failure("arg", "no instId") }
        guard let data else { throw reader.missing("data") }
        let kind: OKXBookMessage.Action
        switch action {
        case "update": kind = .update
        // books5 and bbo-tbt send no action: each push is the whole top.
        case "snapshot", nil: kind = .snapshot
        case let other?: throw reader.failure("action", "\"\(other)\" is neither snapshot nor update")
        }
        return try WireReader.read(data, venue: venue, message: "\(channel) data") { inner throws(WireParseError) in
            .book(try bookData(&inner, channel: channel, instrument: instrument, action: kind))
        }
    }

    static func argument(_ reader: inout WireReader) throws(WireParseError) -> (String?, String?) {
        try reader.openObject("arg")
        var channel: String?, instrument: String?
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "channel": channel = try reader.string("channel")
            case "instId": instrument = try reader.string("instId")
            default: try reader.skipValue(key)
            }
        }
        return (channel, instrument)
    }

    /// `data: [{asks, bids, ts, checksum, seqId, prevSeqId}]`: one element.
    static func bookData(_ reader: inout WireReader, channel: String, instrument: String,
                         action: OKXBookMessage.Action) throws(WireParseError) -> OKXBookMessage {
        try reader.openArray("data")
        var firstElement = true
        guard try reader.nextElement(&firstElement, "data") else { throw reader.failure("data", "empty") }
        try reader.openObject("data")
        var bids: [OKXLevel]?, asks: [OKXLevel]?, time: Timestamp?, checksum: Int32?, seqId: Int64?, prevSeqId: Int64?
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "bids": bids = try levels(&reader, "bids")
            case "asks": asks = try levels(&reader, "asks")
            case "ts": time = try stringMilliseconds(&reader, "ts")
            case "checksum":
                let value = try reader.integer("checksum")
                guard let exact = Int32(exactly: value) else { throw reader.failure("checksum", "\(value) is not a 32-bit integer") }
                checksum = exact
            case "seqId": seqId = try reader.integer("seqId")
            case "prevSeqId": prevSeqId = try reader.integer("prevSeqId")
            default: try reader.skipValue(key)
            }
        }
        guard !(try reader.nextElement(&firstElement, "data")) else { throw reader.failure("data", "more than one book") }
        guard let bids else { throw reader.missing("bids") }
        guard let asks else { throw reader.missing("asks") }
        guard let time else { throw reader.missing("ts") }
        return OKXBookMessage(channel: channel, instrument: instrument, action: action, bids: bids, asks: asks, time: time,
                              checksum: checksum, seqId: seqId, prevSeqId: prevSeqId)
    }

    /// `[["price", "size", "0", "orders"], …]`: the texts kept; the deprecated and order-count fields skipped.
    static func levels(_ reader: inout WireReader, _ field: StaticString) throws(WireParseError) -> [OKXLevel] {
        try reader.openArray(field)
        var levels: [OKXLevel] = []
        var first = true
        while try reader.nextElement(&first, field) {
            try reader.openArray(field)
            var inner = true
            guard try reader.nextElement(&inner, field) else { throw reader.failure("\(field)", "expected [price, size, …]") }
            let priceText = try reader.string(field)
            guard try reader.nextElement(&inner, field) else { throw reader.failure("\(field)", "expected [price, size, …]") }
            let sizeText = try reader.string(field)
            while try reader.nextElement(&inner, field) {
                guard reader.scanner.skipValue() else { throw reader.failure("\(field)", "malformed value") }
            }
            guard let level = OKXLevel(priceText, sizeText) else {
                throw reader.failure("\(field)", "[\"\(priceText)\", \"\(sizeText)\"] is not a price and a size")
            }
            levels.append(level)
        }
        return levels
    }

    /// OKX writes times as strings of milliseconds ("1652459225464").
    static func stringMilliseconds(_ reader: inout WireReader, _ field: StaticString) throws(WireParseError) -> Timestamp {
        let text = try reader.string(field)
        guard let value = Int64(text), (0...9_000_000_000_000).contains(value) else {
            throw reader.failure("\(field)", "\"\(text)\" is not a time in milliseconds")
        }
        return Timestamp(milliseconds: value)
    }

    // MARK: REST

    /// `GET /api/v5/public/instruments`: `{"code": "0", "msg": "", "data": [...]}`. A non-zero code is the venue's
    /// refusal, named.
    public static func instruments(_ bytes: some ContiguousBytes) throws(WireParseError) -> [OKXInstrument] {
        try WireReader.read(bytes, venue: venue, message: "instruments") { reader throws(WireParseError) in
            try reader.openObject()
            var code: String?, text: String?, found: [OKXInstrument]?
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "code": code = try reader.string("code")
                case "msg": text = try reader.string("msg")
                case "data":
                    try reader.openArray("data")
                    var list: [OKXInstrument] = []
                    var element = true
                    while try reader.nextElement(&element, "data") { list.append(try instrument(&reader)) }
                    found = list
                default: try reader.skipValue(key)
                }
            }
            guard let code else { throw reader.missing("code") }
            guard code == "0" else { throw reader.failure("code", "OKX refused: \(code) \(text ?? "")") }
            guard let found else { throw reader.missing("data") }
            return found
        }
    }

    static func instrument(_ reader: inout WireReader) throws(WireParseError) -> OKXInstrument {
        try reader.openObject("data")
        var id: String?, type: String?, base: String?, quote: String?, state: String?
        var tick: FixedDecimal?, lot: FixedDecimal?, minimum: FixedDecimal?
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "instId": id = try reader.string("instId")
            case "instType": type = try reader.string("instType")
            case "baseCcy": base = try reader.string("baseCcy")
            case "quoteCcy": quote = try reader.string("quoteCcy")
            case "state": state = try reader.string("state")
            case "tickSz": tick = try reader.amount("tickSz")
            case "lotSz": lot = try reader.amount("lotSz")
            case "minSz": minimum = try reader.amount("minSz")
            default: try reader.skipValue(key)
            }
        }
        guard let id else { throw reader.missing("instId") }
        guard let type else { throw reader.missing("instType") }
        guard let base, let quote else { throw reader.failure("baseCcy", "\(id) has no base or quote currency") }
        guard let tick, tick.isPositive else { throw reader.failure("tickSz", "\(id) has no positive tick size") }
        guard let lot, lot.isPositive else { throw reader.failure("lotSz", "\(id) has no positive lot size") }
        guard let state else { throw reader.missing("state") }
        return OKXInstrument(instrument: id, type: type, base: base, quote: quote, tickSize: tick, lotSize: lot,
                             minSize: minimum ?? lot, state: state)
    }
}
