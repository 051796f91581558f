import DexterCore
import DexterVenues
import Foundation

// Coinbase's field spellings: texts that may be null or "", long quotients, sides, times, money objects and the
// order configuration's size, read through WireReader.
extension WireReader {
    /// A text field that may be null or "" (nil then).
    mutating func okxTextOrNil(_ field: StaticString) throws(WireParseError) -> String? {
        scanner.skipWhitespace()
        if null() { return nil }
        let text = try okxText(field)
        return text.isEmpty ? nil : text
    }

    /// A quotient Coinbase writes to more digits than an exact amount has (an average price, "100.5333333333333333333333333"):
    /// informational, never booked, so cut to 18 fraction digits toward zero. Anything not a plain decimal is refused.
    mutating func coinbaseQuotient(_ field: StaticString) throws(WireParseError) -> FixedDecimal? {
        guard let text = try okxTextOrNil(field) else { return nil }
        if let value = FixedDecimal(text) { return value.isNegative ? nil : value }
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].count > 18, parts[1].allSatisfy(\.isASCII), parts[1].allSatisfy(\.isNumber),
              let value = FixedDecimal(String(parts[0]) + "." + String(parts[1].prefix(18))), !value.isNegative else {
            throw failure("\(field)", "\"\(text)\" is not a decimal number")
        }
        return value
    }

    /// BUY / SELL (any case).
    mutating func coinbaseSide(_ field: StaticString) throws(WireParseError) -> Side? {
        guard let text = try okxTextOrNil(field) else { return nil }
        switch text.uppercased() {
        case "BUY": return .buy
        case "SELL": return .sell
        case "UNKNOWN_ORDER_SIDE": return nil
        default: throw failure("\(field)", "unknown side \"\(text)\"")
        }
    }

    /// An RFC 3339 time; null or "" is nil.
    mutating func coinbaseTime(_ field: StaticString) throws(WireParseError) -> Timestamp? {
        guard let text = try okxTextOrNil(field) else { return nil }
        guard let time = Timestamp(rfc3339: text) else { throw failure("\(field)", "\"\(text)\" is not an RFC 3339 time") }
        return time
    }

    /// `{"value": "1.23", "currency": "BTC"}`: the value.
    mutating func coinbaseMoney(_ field: StaticString) throws(WireParseError) -> FixedDecimal? {
        scanner.skipWhitespace()
        if null() { return nil }
        try openObject(field)
        var value: FixedDecimal?
        var first = true
        while let key = try nextKey(&first) {
            switch key {
            case "value": value = try okxAmount("value")
            default: try skipValue(key)
            }
        }
        return value
    }

    /// `order_configuration`: the base size of whichever configuration it holds (one object deep), nil without one.
    mutating func coinbaseBaseSize() throws(WireParseError) -> FixedDecimal? {
        scanner.skipWhitespace()
        if null() { return nil }
        try openObject("order_configuration")
        var size: FixedDecimal?
        var first = true
        while let kind = try nextKey(&first) {
            scanner.skipWhitespace()
            if null() { continue }
            guard scanner.peek() == UInt8(ascii: "{") else {
                try skipValue(kind)
                continue
            }
            try openObject("order_configuration")
            var firstField = true
            while let key = try nextKey(&firstField) {
                switch key {
                case "base_size": size = try okxAmount("base_size") ?? size
                default: try skipValue(key)
                }
            }
        }
        return size
    }
}
