import DexterCore
import DexterVenues

// Orders and trades as Kraken's REST describes them: maps keyed by Kraken's txid.

extension KrakenTrading {
    static func orderMap(_ reader: inout WireReader) throws(WireParseError) -> [KrakenOrder] {
        try reader.openObject("result")
        var orders: [KrakenOrder] = []
        var first = true
        while let key = try reader.nextKey(&first) { orders.append(try order(&reader, txid: key.text)) }
        return orders
    }

    static func tradeMap(_ reader: inout WireReader) throws(WireParseError) -> [KrakenTrade] {
        try reader.openObject("trades")
        var trades: [KrakenTrade] = []
        var first = true
        while let key = try reader.nextKey(&first) { trades.append(try trade(&reader, txid: key.text)) }
        return trades
    }

    static func side(_ reader: inout WireReader, _ field: StaticString) throws(WireParseError) -> Side {
        switch try reader.string(field) {
        case "buy": .buy
        case "sell": .sell
        case let other: throw reader.failure("\(field)", "unknown side \"\(other)\"")
        }
    }

    static func order(_ reader: inout WireReader, txid: String) throws(WireParseError) -> KrakenOrder {
        try reader.openObject("order")
        var clOrdId: String?, status: String?, reason: String?, pair: String?, side: Side?, orderType = ""
        var limitPrice: FixedDecimal?, volume: FixedDecimal?, executed: FixedDecimal?, cost = FixedDecimal.zero
        var fee = FixedDecimal.zero, average: FixedDecimal?, oflags = "", openTime: Timestamp?, closeTime: Timestamp?
        var tradeIds: [String] = []
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "cl_ord_id": clOrdId = try reader.optionalString("cl_ord_id").flatMap { $0.isEmpty ? nil : $0 }
            case "status": status = try reader.string("status")
            case "reason": reason = try reader.optionalString("reason")
            case "descr":
                try reader.openObject("descr")
                var firstField = true
                while let field = try reader.nextKey(&firstField) {
                    switch field {
                    case "pair": pair = try reader.string("pair")
                    case "type": side = try Self.side(&reader, "type")
                    case "ordertype": orderType = try reader.string("ordertype")
                    case "price": limitPrice = try reader.amount("price")
                    default: try reader.skipValue(field)
                    }
                }
            case "vol": volume = try reader.amount("vol")
            case "vol_exec": executed = try reader.amount("vol_exec")
            case "cost": cost = try reader.amount("cost")
            case "fee": fee = try reader.amount("fee")
            case "price": average = try reader.amount("price")
            case "oflags": oflags = try reader.string("oflags")
            case "opentm": openTime = try reader.krakenSeconds("opentm")
            case "closetm": closeTime = try reader.krakenSeconds("closetm")
            case "trades": tradeIds = try reader.krakenStrings("trades")
            default: try reader.skipValue(key)
            }
        }
        guard let status, !status.isEmpty else { throw reader.missing("status") }
        guard let pair, !pair.isEmpty else { throw reader.missing("pair") }
        guard let side else { throw reader.missing("type") }
        guard let volume else { throw reader.missing("vol") }
        guard let executed, executed <= volume else { throw reader.failure("vol_exec", "missing, or above vol") }
        return KrakenOrder(txid: txid, clOrdId: clOrdId, status: status, reason: reason.flatMap { $0.isEmpty ? nil : $0 },
                           pair: pair, side: side, orderType: orderType, limitPrice: limitPrice, volume: volume,
                           executed: executed, cost: cost, fee: fee, averagePrice: average.flatMap { $0.isZero ? nil : $0 },
                           oflags: oflags, openTime: openTime ?? .zero, closeTime: closeTime, tradeIds: tradeIds)
    }

    static func trade(_ reader: inout WireReader, txid: String) throws(WireParseError) -> KrakenTrade {
        try reader.openObject("trade")
        var orderTxid: String?, pair: String?, side: Side?, price: FixedDecimal?, volume: FixedDecimal?
        var cost: FixedDecimal?, fee = FixedDecimal.zero, time: Timestamp?, maker: Bool?, tradeId: String?
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "ordertxid": orderTxid = try reader.string("ordertxid")
            case "pair": pair = try reader.string("pair")
            case "type": side = try Self.side(&reader, "type")
            case "price": price = try reader.amount("price")
            case "vol": volume = try reader.amount("vol")
            case "cost": cost = try reader.amount("cost")
            case "fee": fee = try reader.amount("fee")
            case "time": time = try reader.krakenSeconds("time")
            case "maker": maker = try reader.bool("maker")
            case "trade_id": tradeId = try reader.krakenText("trade_id")
            default: try reader.skipValue(key)
            }
        }
        guard let orderTxid, !orderTxid.isEmpty else { throw reader.missing("ordertxid") }
        guard let pair, !pair.isEmpty else { throw reader.missing("pair") }
        guard let side else { throw reader.missing("type") }
        guard let price else { throw reader.missing("price") }
        guard let volume, volume.isPositive else { throw reader.failure("vol", "a trade needs a positive vol") }
        guard price.multipliedIfInRange(by: volume) != nil else { throw reader.failure("price", "price × vol is out of range") }
        return KrakenTrade(txid: txid, orderTxid: orderTxid, pair: pair, side: side, price: price, volume: volume,
                           cost: cost ?? price * volume, fee: fee, time: time ?? .zero, maker: maker,
                           tradeId: tradeId)
    }
}

// MARK: - Kraken's field spellings

extension WireReader {
    /// `["OUF4EM-FRGI2-MQMWZD", …]`, or one bare string.
    mutating func krakenStrings(_ field: StaticString) throws(WireParseError) -> [String] {
        scanner.skipWhitespace()
        if scanner.peek() == UInt8(ascii: "\"") { return [try string(field)] }
        try openArray(field)
        var strings: [String] = []
        var first = true
        while try nextElement(&first, field) { strings.append(try string(field)) }
        return strings
    }

    /// A value Kraken writes as a string or a bare number (`trade_id` 1001, `req_id`): its text.
    mutating func krakenText(_ field: StaticString) throws(WireParseError) -> String {
        scanner.skipWhitespace()
        if scanner.peek() == UInt8(ascii: "\"") { return try string(field) }
        let start = scanner.position
        guard scanner.skipValue() else { throw failure("\(field)", "malformed value") }
        return String(decoding: UnsafeBufferPointer(rebasing: scanner.bytes[start..<scanner.position]), as: UTF8.self)
    }

    /// Unix seconds with a fraction, as REST writes times (1688583840.8648); 0 is nil. Refused outside 1970…2255.
    mutating func krakenSeconds(_ field: StaticString) throws(WireParseError) -> Timestamp? {
        let value = try decimal(field)
        if value.isZero { return nil }
        guard !value.isNegative, value < FixedDecimal(9_000_000_000) else { throw failure("\(field)", "time \(value) s out of range") }
        return Timestamp(nanoseconds: Int64(value.raw / 1_000_000_000))
    }

    /// An RFC 3339 time as WebSocket v2 writes it ("2023-09-22T10:33:05.709950Z"), to the nanosecond it gives.
    mutating func krakenRFC3339(_ field: StaticString) throws(WireParseError) -> Timestamp {
        let text = try string(field)
        guard let time = KrakenTime.parse(text) else { throw failure("\(field)", "\"\(text)\" is not an RFC 3339 UTC time") }
        return time
    }
}

enum KrakenTime {
    /// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+00:00)`; nil for anything else (another offset included: Kraken writes UTC).
    static func parse(_ text: String) -> Timestamp? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " "), bytes[13] == UInt8(ascii: ":"),
              bytes[16] == UInt8(ascii: ":") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { return nil }
                value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
              let minute = number(14..<16), let second = number(17..<19), (1970...2255).contains(year), (1...12).contains(month),
              (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var index = 19, nanos: Int64 = 0
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                if digits < 9 { nanos = nanos * 10 + Int64(bytes[index] - UInt8(ascii: "0")) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in min(digits, 9)..<9 { nanos *= 10 }
        }
        let zone = String(decoding: bytes[index...], as: UTF8.self)
        guard zone == "Z" || zone == "+00:00" else { return nil }
        let whole = Timestamp(utcYear: year, month: month, day: day, hour: hour, minute: minute, second: second)
        return Timestamp(nanoseconds: whole.nanoseconds + nanos)
    }
}
