import DexterCore
import DexterMarket
import Foundation

/// One contract of `GET /fapi/v1/exchangeInfo` with the filters dexter checks before it sends (binance-usdm.md,
/// "Filters"): `PRICE_FILTER` tick, `LOT_SIZE` step and minQty, `MIN_NOTIONAL` under the key `notional` (spot's is
/// `minNotional`). `pricePrecision` / `quantityPrecision` are for display only and are not read.
public struct BinanceUSDMContract: Sendable, Hashable {
    /// Binance's name: "BTCUSDT".
    public let venueSymbol: String
    /// PERPETUAL, CURRENT_QUARTER, NEXT_QUARTER…
    public let contractType: String
    /// TRADING, PENDING_TRADING, SETTLING, CLOSE…; only TRADING accepts orders.
    public let status: String
    public let baseAsset: String
    public let quoteAsset: String
    public let marginAsset: String
    public let tickSize: FixedDecimal?
    public let stepSize: FixedDecimal?
    public let minQuantity: FixedDecimal
    public let minNotional: FixedDecimal
    /// `requiredMarginPercent` / `maintMarginPercent` (percent of notional), where listed.
    public let requiredMarginPercent: FixedDecimal?
    public let maintMarginPercent: FixedDecimal?

    public var isPerpetual: Bool { contractType == "PERPETUAL" }
    public var isTrading: Bool { status == "TRADING" }

    /// dexter's symbol: BTCUSDT → BTC/USDT:USDT.
    public var symbol: Symbol { Symbol(base: Asset(baseAsset), quote: Asset(quoteAsset), settle: Asset(marginAsset)) }

    /// The margin terms exchangeInfo publishes without a key: the initial margin it requires (max leverage =
    /// 100 / requiredMarginPercent) and its maintenance rate (maintMarginPercent / 100). The leverage brackets
    /// (`/fapi/v1/leverageBracket`) need a signed request, so PAPER cannot read them. Nil when either is missing or
    /// nonsensical: leverage outside 1…200 (config's bounds), or maintenance not under the initial margin.
    public var publishedMargin: MarginTerms? {
        let hundred = FixedDecimal(100)
        guard let required = requiredMarginPercent, let maintenance = maintMarginPercent,
              required >= FixedDecimal(raw: FixedDecimal.unit / 2), required <= hundred, maintenance < required
        else { return nil }
        let rate = maintenance / hundred
        guard rate.isPositive else { return nil }
        return MarginTerms(maxLeverage: hundred / required, maintenanceRate: rate)
    }

    /// dexter's trading rules for it with `margin`; nil without a positive tick and step.
    public func instrumentSpec(margin: MarginTerms) -> InstrumentSpec? {
        guard let tickSize, tickSize.isPositive, let stepSize, stepSize.isPositive else { return nil }
        var spec = InstrumentSpec(symbol: symbol, tickSize: tickSize, lotSize: stepSize, minNotional: minNotional,
                                  minQuantity: minQuantity)
        spec.margin = margin
        return spec
    }
}

public struct BinanceUSDMExchangeInfo: Sendable, Hashable {
    public let rateLimits: [BinanceRateLimit]
    public let contracts: [BinanceUSDMContract]
}

extension BinanceUSDMMarketData {
    public static func exchangeInfo(_ bytes: some ContiguousBytes) throws(WireParseError) -> BinanceUSDMExchangeInfo {
        try WireReader.read(bytes, venue: venue, message: "exchangeInfo") { reader throws(WireParseError) in
            try reader.openObject()
            var rateLimits: [BinanceRateLimit] = [], contracts: [BinanceUSDMContract]?
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "rateLimits": rateLimits = try BinanceMarketData.rateLimits(&reader)
                case "symbols":
                    try reader.openArray("symbols")
                    var list: [BinanceUSDMContract] = []
                    var firstSymbol = true
                    while try reader.nextElement(&firstSymbol, "symbols") { list.append(try contract(&reader)) }
                    contracts = list
                default: try reader.skipValue(key)
                }
            }
            guard let contracts else { throw reader.missing("symbols") }
            return BinanceUSDMExchangeInfo(rateLimits: rateLimits, contracts: contracts)
        }
    }

    static func contract(_ reader: inout WireReader) throws(WireParseError) -> BinanceUSDMContract {
        try reader.openObject("symbols")
        var name: String?, contractType: String?, status: String?, base: String?, quote: String?, margin: String?
        var tick: FixedDecimal?, step: FixedDecimal?, minQuantity = FixedDecimal.zero, minNotional = FixedDecimal.zero
        var required: FixedDecimal?, maintenance: FixedDecimal?
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "symbol": name = try reader.string("symbol")
            case "contractType": contractType = try reader.string("contractType")
            case "status": status = try reader.string("status")
            case "baseAsset": base = try reader.string("baseAsset")
            case "quoteAsset": quote = try reader.string("quoteAsset")
            case "marginAsset": margin = try reader.string("marginAsset")
            case "requiredMarginPercent": required = try reader.amount("requiredMarginPercent")
            case "maintMarginPercent": maintenance = try reader.amount("maintMarginPercent")
            case "filters":
                try reader.openArray("filters")
                var firstFilter = true
                while try reader.nextElement(&firstFilter, "filters") {
                    let filter = try Self.filter(&reader)
                    switch filter.type {
                    case "PRICE_FILTER": tick = filter.tickSize
                    case "LOT_SIZE": (step, minQuantity) = (filter.stepSize, filter.minQuantity ?? .zero)
                    case "MIN_NOTIONAL": minNotional = filter.notional ?? .zero
                    default: break
                    }
                }
            default: try reader.skipValue(key)
            }
        }
        guard let name else { throw reader.missing("symbol") }
        reader.message = "exchangeInfo symbol \(name)"
        guard let contractType else { throw reader.missing("contractType") }
        guard let status else { throw reader.missing("status") }
        guard let base, !base.isEmpty else { throw reader.missing("baseAsset") }
        guard let quote, !quote.isEmpty else { throw reader.missing("quoteAsset") }
        guard let margin, !margin.isEmpty else { throw reader.missing("marginAsset") }
        reader.message = "exchangeInfo"
        return BinanceUSDMContract(venueSymbol: name, contractType: contractType, status: status, baseAsset: base,
                                   quoteAsset: quote, marginAsset: margin, tickSize: tick, stepSize: step,
                                   minQuantity: minQuantity, minNotional: minNotional, requiredMarginPercent: required,
                                   maintMarginPercent: maintenance)
    }

    private struct Filter {
        var type = ""
        var tickSize, stepSize, minQuantity, notional: FixedDecimal?
    }

    private static func filter(_ reader: inout WireReader) throws(WireParseError) -> Filter {
        try reader.openObject("filters")
        var filter = Filter()
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "filterType": filter.type = try reader.string("filterType")
            case "tickSize": filter.tickSize = try reader.amount("tickSize")
            case "stepSize": filter.stepSize = try reader.amount("stepSize")
            case "minQty": filter.minQuantity = try reader.amount("minQty")
            case "notional": filter.notional = try reader.amount("notional")
            default: try reader.skipValue(key)
            }
        }
        guard !filter.type.isEmpty else { throw reader.missing("filterType") }
        return filter
    }
}
