import DexterCore
import Foundation

/// A linear contract from `GET /v5/market/instruments-info?category=linear`: its grid, its limits and its funding
/// interval, as Bybit publishes them.
public struct BybitInstrument: Sendable, Hashable {
    public let symbol: String
    /// `LinearPerpetual`, `LinearFutures`.
    public let contractType: String
    /// `Trading`, `PreLaunch`, `Delivering`, `Closed`.
    public let status: String
    public let baseCoin: String
    public let quoteCoin: String
    public let settleCoin: String
    public let tickSize: FixedDecimal
    public let qtyStep: FixedDecimal
    public let minOrderQty: FixedDecimal
    /// The least qty × price of an order (reduce-only orders are exempt); zero when not published.
    public let minNotional: FixedDecimal
    public let maxLeverage: FixedDecimal?
    /// Minutes between two fundings (480 = 8 h), when published.
    public let fundingIntervalMinutes: Int?

    public var isTrading: Bool { status == "Trading" }
    public var isPerpetual: Bool { contractType == "LinearPerpetual" }
}

/// One page of instruments, and the cursor of the next one (nil: the last page).
public struct BybitInstrumentPage: Sendable, Hashable {
    public let instruments: [BybitInstrument]
    public let nextCursor: String?
}

extension BybitMarketData {
    /// `{"retCode": 0, "retMsg", "result": {"list": […], "nextPageCursor"}, …}`; a non-zero retCode is Bybit's
    /// refusal, named.
    public static func instruments(_ bytes: some ContiguousBytes) throws(WireParseError) -> BybitInstrumentPage {
        try WireReader.read(bytes, venue: venue, message: "instruments-info") { reader throws(WireParseError) in
            try reader.openObject()
            var code: Int64?, text: String?, page: (list: [BybitInstrument]?, cursor: String?)?
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "retCode": code = try reader.integer("retCode")
                case "retMsg": text = try reader.string("retMsg")
                case "result": page = try instrumentResult(&reader)
                default: try reader.skipValue(key)
                }
            }
            guard let code else { throw reader.missing("retCode") }
            guard code == 0 else { throw reader.failure("retCode", "Bybit refused: \(code) \(text ?? "")") }
            guard let page else { throw reader.missing("result") }
            // A refusal's result is `{}`: the list is looked for only once retCode says 0.
            guard let list = page.list else { throw reader.failure("result", "no list") }
            return BybitInstrumentPage(instruments: list, nextCursor: page.cursor)
        }
    }

    static func instrumentResult(_ reader: inout WireReader) throws(WireParseError) -> (list: [BybitInstrument]?, cursor: String?) {
        try reader.openObject("result")
        var list: [BybitInstrument]?, cursor: String?
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "list":
                try reader.openArray("list")
                var found: [BybitInstrument] = []
                var element = true
                while try reader.nextElement(&element, "list") { found.append(try instrument(&reader)) }
                list = found
            case "nextPageCursor": cursor = try optionalText(&reader, "nextPageCursor")
            default: try reader.skipValue(key)
            }
        }
        return (list, cursor)
    }

    static func instrument(_ reader: inout WireReader) throws(WireParseError) -> BybitInstrument {
        try reader.openObject("list")
        var symbol: String?, contract: String?, status: String?, base: String?, quote: String?, settle: String?
        var tick: FixedDecimal?, step: FixedDecimal?, minQty: FixedDecimal?, minNotional: FixedDecimal?
        var leverage: FixedDecimal?, interval: Int?
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "symbol": symbol = try reader.string("symbol")
            case "contractType": contract = try reader.string("contractType")
            case "status": status = try reader.string("status")
            case "baseCoin": base = try reader.string("baseCoin")
            case "quoteCoin": quote = try reader.string("quoteCoin")
            case "settleCoin": settle = try reader.string("settleCoin")
            case "priceFilter":
                try filter(&reader, "priceFilter") { key, reader throws(WireParseError) in
                    guard "tickSize" ~= key else { return false }
                    tick = try reader.amount("tickSize")
                    return true
                }
            case "lotSizeFilter":
                try filter(&reader, "lotSizeFilter") { key, reader throws(WireParseError) in
                    switch key {
                    case "qtyStep": step = try reader.amount("qtyStep")
                    case "minOrderQty": minQty = try reader.amount("minOrderQty")
                    case "minNotionalValue": minNotional = try reader.amount("minNotionalValue")
                    default: return false
                    }
                    return true
                }
            case "leverageFilter":
                try filter(&reader, "leverageFilter") { key, reader throws(WireParseError) in
                    guard "maxLeverage" ~= key else { return false }
                    leverage = try reader.amount("maxLeverage")
                    return true
                }
            // Minutes (480 = 8 h); a bare number in the docs, a string in some answers.
            case "fundingInterval":
                let value = reader.scanner.peek() == UInt8(ascii: "\"")
                    ? try reader.string("fundingInterval") : String(try reader.integer("fundingInterval"))
                guard let minutes = Int(value), minutes > 0 else {
                    throw reader.failure("fundingInterval", "\"\(value)\" is not a number of minutes")
                }
                interval = minutes
            default: try reader.skipValue(key)
            }
        }
        guard let symbol else { throw reader.missing("symbol") }
        guard let base, let quote else { throw reader.failure("baseCoin", "\(symbol) has no base or quote coin") }
        guard let tick, tick.isPositive else { throw reader.failure("priceFilter", "\(symbol) has no positive tickSize") }
        guard let step, step.isPositive else { throw reader.failure("lotSizeFilter", "\(symbol) has no positive qtyStep") }
        return BybitInstrument(symbol: symbol, contractType: contract ?? "", status: status ?? "", baseCoin: base,
                               quoteCoin: quote, settleCoin: settle ?? quote, tickSize: tick, qtyStep: step,
                               minOrderQty: minQty ?? step, minNotional: minNotional ?? .zero, maxLeverage: leverage,
                               fundingIntervalMinutes: interval)
    }

    /// A nested filter object: `take` reads the keys it knows (true) and the rest are skipped.
    static func filter(_ reader: inout WireReader, _ field: StaticString,
                       _ take: (WireKey, inout WireReader) throws(WireParseError) -> Bool) throws(WireParseError) {
        try reader.openObject(field)
        var first = true
        while let key = try reader.nextKey(&first) {
            if try !take(key, &reader) { try reader.skipValue(key) }
        }
    }
}
