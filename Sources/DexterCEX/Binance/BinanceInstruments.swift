import DexterCore
import DexterMarket
import DexterVenues
import Foundation

/// One symbol of `GET /api/v3/exchangeInfo`, with the filters dexter checks before it sends (filters.md).
public struct BinanceInstrument: Sendable, Hashable {
    /// Binance's name: "BTCUSDT".
    public let venueSymbol: String
    public let symbol: Symbol
    /// TRADING, HALT, BREAK, END_OF_DAY…; only TRADING accepts orders.
    public let status: String
    /// PRICE_FILTER `tickSize`, `minPrice`, `maxPrice` (zero where Binance disables the check).
    public let tickSize: FixedDecimal?
    public let minPrice: FixedDecimal
    public let maxPrice: FixedDecimal
    /// LOT_SIZE `stepSize`, `minQty`, `maxQty`.
    public let stepSize: FixedDecimal?
    public let minQuantity: FixedDecimal
    public let maxQuantity: FixedDecimal
    /// NOTIONAL `minNotional` (current), else MIN_NOTIONAL `minNotional` (older); zero when neither is given.
    public let minNotional: FixedDecimal
    public let baseAssetPrecision: Int?
    public let quoteAssetPrecision: Int?
    public let orderTypes: [String]

    public var isTrading: Bool { status == "TRADING" }

    /// dexter's trading rules for it; nil when Binance gave no positive tick or step (the spec requires both), as
    /// for a symbol listed without filters.
    public var instrumentSpec: InstrumentSpec? {
        guard let tickSize, tickSize.isPositive, let stepSize, stepSize.isPositive else { return nil }
        return InstrumentSpec(symbol: symbol, tickSize: tickSize, lotSize: stepSize, minNotional: minNotional,
                              minQuantity: minQuantity)
    }

    /// The instrument as the venue seam hands it to the engine, with an empty book until data arrives.
    public func venueInstrument(on venue: VenueSpec) -> VenueInstrument? {
        guard let spec = instrumentSpec else { return nil }
        return VenueInstrument(market: Market(venue: venue, instrument: spec, liquidity: .book(OrderBook(bids: [], asks: []))))
    }
}

/// `exchangeInfo.rateLimits[]`: read at start, never hard-coded (limits.md).
public struct BinanceRateLimit: Sendable, Hashable {
    /// REQUEST_WEIGHT, ORDERS, RAW_REQUESTS.
    public let type: String
    /// SECOND, MINUTE, DAY.
    public let interval: String
    public let intervalCount: Int
    public let limit: Int
    /// How much of it is used, where the venue says (WebSocket API responses).
    public let count: Int?
}

public struct BinanceExchangeInfo: Sendable, Hashable {
    public let serverTime: Timestamp?
    public let rateLimits: [BinanceRateLimit]
    public let instruments: [BinanceInstrument]

    /// Binance's symbol names to dexter's symbols, to read every other message by.
    public var symbolsByVenueName: [String: Symbol] {
        Dictionary(instruments.map { ($0.venueSymbol, $0.symbol) }, uniquingKeysWith: { first, _ in first })
    }
}

extension BinanceMarketData {
    public static func exchangeInfo(_ bytes: some ContiguousBytes) throws(WireParseError) -> BinanceExchangeInfo {
        try WireReader.read(bytes, venue: venue, message: "exchangeInfo") { reader throws(WireParseError) in
            try reader.openObject()
            var serverTime: Timestamp?, rateLimits: [BinanceRateLimit] = [], instruments: [BinanceInstrument]?
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "serverTime": serverTime = try reader.milliseconds("serverTime")
                case "rateLimits": rateLimits = try Self.rateLimits(&reader)
                case "symbols":
                    try reader.openArray("symbols")
                    var list: [BinanceInstrument] = []
                    var firstSymbol = true
                    while try reader.nextElement(&firstSymbol, "symbols") { list.append(try instrument(&reader)) }
                    instruments = list
                default: try reader.skipValue(key)
                }
            }
            guard let instruments else { throw reader.missing("symbols") }
            return BinanceExchangeInfo(serverTime: serverTime, rateLimits: rateLimits, instruments: instruments)
        }
    }

    static func rateLimits(_ reader: inout WireReader) throws(WireParseError) -> [BinanceRateLimit] {
        try reader.openArray("rateLimits")
        var limits: [BinanceRateLimit] = []
        var first = true
        while try reader.nextElement(&first, "rateLimits") {
            try reader.openObject("rateLimits")
            var type: String?, interval: String?, intervalCount: Int64?, limit: Int64?, count: Int64?
            var firstKey = true
            while let key = try reader.nextKey(&firstKey) {
                switch key {
                case "rateLimitType": type = try reader.string("rateLimitType")
                case "interval": interval = try reader.string("interval")
                case "intervalNum": intervalCount = try reader.integer("intervalNum")
                case "limit": limit = try reader.integer("limit")
                case "count": count = try reader.integer("count")
                default: try reader.skipValue(key)
                }
            }
            guard let type else { throw reader.missing("rateLimitType") }
            guard let interval else { throw reader.missing("interval") }
            guard let intervalCount, let intervalCount = Int(exactly: intervalCount) else { throw reader.missing("intervalNum") }
            guard let limit, let limit = Int(exactly: limit) else { throw reader.missing("limit") }
            limits.append(BinanceRateLimit(type: type, interval: interval, intervalCount: intervalCount, limit: limit,
                                           count: count.flatMap { Int(exactly: $0) }))
        }
        return limits
    }

    static func instrument(_ reader: inout WireReader) throws(WireParseError) -> BinanceInstrument {
        try reader.openObject("symbols")
        var name: String?, status: String?, base: String?, quote: String?
        var basePrecision: Int?, quotePrecision: Int?, orderTypes: [String] = []
        var tick: FixedDecimal?, minPrice = FixedDecimal.zero, maxPrice = FixedDecimal.zero
        var step: FixedDecimal?, minQuantity = FixedDecimal.zero, maxQuantity = FixedDecimal.zero
        var notional: FixedDecimal?, oldMinNotional: FixedDecimal?
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "symbol": name = try reader.string("symbol")
            case "status": status = try reader.string("status")
            case "baseAsset": base = try reader.string("baseAsset")
            case "quoteAsset": quote = try reader.string("quoteAsset")
            case "baseAssetPrecision": basePrecision = Int(exactly: try reader.integer("baseAssetPrecision"))
            case "quoteAssetPrecision": quotePrecision = Int(exactly: try reader.integer("quoteAssetPrecision"))
            case "orderTypes":
                try reader.openArray("orderTypes")
                var firstType = true
                while try reader.nextElement(&firstType, "orderTypes") { orderTypes.append(try reader.string("orderTypes")) }
            case "filters":
                try reader.openArray("filters")
                var firstFilter = true
                while try reader.nextElement(&firstFilter, "filters") {
                    let filter = try Self.filter(&reader)
                    switch filter.type {
                    case "PRICE_FILTER":
                        (tick, minPrice, maxPrice) = (filter.tickSize, filter.minPrice ?? .zero, filter.maxPrice ?? .zero)
                    case "LOT_SIZE":
                        (step, minQuantity, maxQuantity) = (filter.stepSize, filter.minQuantity ?? .zero, filter.maxQuantity ?? .zero)
                    case "NOTIONAL": notional = filter.minNotional
                    case "MIN_NOTIONAL": oldMinNotional = filter.minNotional
                    default: break
                    }
                }
            default: try reader.skipValue(key)
            }
        }
        guard let name else { throw reader.missing("symbol") }
        reader.message = "exchangeInfo symbol \(name)"
        guard let status else { throw reader.missing("status") }
        guard let base, !base.isEmpty else { throw reader.missing("baseAsset") }
        guard let quote, !quote.isEmpty else { throw reader.missing("quoteAsset") }
        reader.message = "exchangeInfo"
        return BinanceInstrument(venueSymbol: name, symbol: Symbol(base: Asset(base), quote: Asset(quote)), status: status,
                                 tickSize: tick, minPrice: minPrice, maxPrice: maxPrice, stepSize: step,
                                 minQuantity: minQuantity, maxQuantity: maxQuantity,
                                 minNotional: notional ?? oldMinNotional ?? .zero, baseAssetPrecision: basePrecision,
                                 quoteAssetPrecision: quotePrecision, orderTypes: orderTypes)
    }

    private struct Filter {
        var type = ""
        var tickSize, minPrice, maxPrice, stepSize, minQuantity, maxQuantity, minNotional: FixedDecimal?
    }

    private static func filter(_ reader: inout WireReader) throws(WireParseError) -> Filter {
        try reader.openObject("filters")
        var filter = Filter()
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "filterType": filter.type = try reader.string("filterType")
            case "tickSize": filter.tickSize = try reader.amount("tickSize")
            case "minPrice": filter.minPrice = try reader.amount("minPrice")
            case "maxPrice": filter.maxPrice = try reader.amount("maxPrice")
            case "stepSize": filter.stepSize = try reader.amount("stepSize")
            case "minQty": filter.minQuantity = try reader.amount("minQty")
            case "maxQty": filter.maxQuantity = try reader.amount("maxQty")
            case "minNotional": filter.minNotional = try reader.amount("minNotional")
            default: try reader.skipValue(key)
            }
        }
        guard !filter.type.isEmpty else { throw reader.missing("filterType") }
        return filter
    }
}
