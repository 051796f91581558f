import DexterCore
import DexterMarket
import Foundation

// Kraken's spot pairs and asset names (docs/venues/kraken.md). Kraken names assets three ways: REST keys with the
// legacy X/Z prefix ("XXBT", "ZUSD"), alternative names ("XBT", "USD", the halves of `wsname`), and WebSocket v2's
// symbols ("BTC/USD"). dexter names them the common way (BTC, DOGE, USD).

/// Kraken's names of assets, to and from dexter's.
public enum KrakenAssets {
    /// The alternative names Kraken keeps where the rest of the market uses another.
    static let altToCommon = ["XBT": "BTC", "XDG": "DOGE"]
    static let commonToAlt = ["BTC": "XBT", "DOGE": "XDG"]

    /// dexter's asset for a Kraken alternative name ("XBT" → BTC, "USD" → USD).
    public static func asset(altname: String) -> Asset { Asset(altToCommon[altname.uppercased()] ?? altname) }

    /// WebSocket v2's name of a symbol: BTC/USD stays BTC/USD (v2 writes assets the common way).
    public static func v2Symbol(_ symbol: Symbol) -> String { symbol.base.code + "/" + symbol.quote.code }

    /// Kraken's alternative name of a dexter asset (BTC → "XBT").
    public static func altname(_ asset: Asset) -> String { commonToAlt[asset.code] ?? asset.code }

    /// dexter's asset for a REST asset key. The four-letter legacy keys drop their X (crypto) or Z (fiat) prefix
    /// ("XXBT" → BTC, "ZUSD" → USD, "XETH" → ETH); newer keys are their alternative name already ("DOT", "USDT",
    /// "CHF"). Suffixes name sub-balances of the same asset ("XXBT.M", "DOT.S", "USD.HOLD") and are kept: they are
    /// not spendable like the asset itself. `known` (from `GET /0/public/Assets`) wins where given.
    public static func asset(restKey key: String, known: [String: String] = [:]) -> Asset {
        if let altname = known[key] { return asset(altname: altname) }
        let parts = key.split(separator: ".", maxSplits: 1)
        var name = String(parts.first ?? "")
        if name.count == 4, let first = name.first, first == "X" || first == "Z", Self.legacyKeys.contains(name) {
            name.removeFirst()
        }
        let common = asset(altname: name).code
        return Asset(parts.count == 2 ? common + "." + parts[1] : common)
    }

    /// The legacy prefixed keys (Kraken has added no new one in years; every newer asset is keyed by its altname).
    static let legacyKeys: Set<String> = [
        "XXBT", "XETH", "XETC", "XLTC", "XXRP", "XXLM", "XXMR", "XZEC", "XREP", "XMLN", "XXDG", "XICN", "XDAO", "XNMC",
        "XXVN", "ZUSD", "ZEUR", "ZGBP", "ZCAD", "ZJPY", "ZAUD", "ZKRW",
    ]
}

/// A spot pair as `GET /0/public/AssetPairs` lists it.
public struct KrakenPair: Sendable, Hashable {
    /// The result's key, REST's name of the pair: "XXBTZUSD", "XBTUSDT".
    public let key: String
    /// "XBTUSD": REST accepts it too.
    public let altname: String
    /// "XBT/USD": the v1 WebSocket name, halves in alternative names.
    public let wsname: String
    /// REST asset keys of the halves: "XXBT", "ZUSD".
    public let baseKey: String
    public let quoteKey: String
    /// Decimals of a price (`pair_decimals`), of a quantity (`lot_decimals`), of a cost (`cost_decimals`, absent
    /// before 2022).
    public let priceDecimals: Int
    public let lotDecimals: Int
    public let costDecimals: Int?
    /// The price step: `tick_size`, or one unit of the last price decimal when Kraken does not send it (before 2023).
    public let tickSize: FixedDecimal
    /// The least order quantity (`ordermin`) and cost in the quote asset (`costmin`), where given.
    public let orderMinimum: FixedDecimal?
    public let costMinimum: FixedDecimal?
    /// The first tier of the fee schedules, in percent (0.26 = 0.26 %): what an account with no volume pays.
    public let takerFeePercent: FixedDecimal?
    public let makerFeePercent: FixedDecimal?
    /// The first tier's taker fee as a fraction of notional (0.26 % → 0.0026).
    public var takerFee: FixedDecimal? { takerFeePercent.map { $0 / FixedDecimal(100) } }

    /// "online", "cancel_only", "post_only", "limit_only", "reduce_only", "maintenance", "delisted"; absent
    /// (before 2022) means online.
    public let status: String

    public var isTrading: Bool { status == "online" }

    /// The quantity step.
    public var lotSize: FixedDecimal { FixedDecimal(units: 1, decimals: lotDecimals) }

    /// dexter's symbol: the halves of `wsname` in common names (XBT/USD → BTC/USD).
    public var symbol: Symbol {
        let halves = wsname.split(separator: "/", maxSplits: 1)
        return Symbol(base: KrakenAssets.asset(altname: String(halves.first ?? "")),
                      quote: KrakenAssets.asset(altname: String(halves.count == 2 ? halves[1] : "")))
    }

    /// WebSocket v2's name of the pair: dexter's symbol written BASE/QUOTE ("BTC/USD").
    public var v2Symbol: String { KrakenAssets.v2Symbol(symbol) }

    /// The pair's rules as the desk keeps them: orders below `ordermin` are refused by Kraken with
    /// `EOrder:Order minimum not met`, so detection never sizes a leg under it.
    public var instrumentSpec: InstrumentSpec {
        InstrumentSpec(symbol: symbol, tickSize: tickSize, lotSize: lotSize, minNotional: costMinimum ?? .zero,
                       minQuantity: orderMinimum ?? .zero)
    }
}

public enum KrakenMarketData {
    static let venue = "kraken"

    /// `GET /0/public/AssetPairs`: `{"error": [], "result": {"XXBTZUSD": {…}, …}}`. A non-empty `error` is Kraken's
    /// refusal, named. Pairs Kraken lists for other asset classes (tokenized equities) are skipped.
    public static func assetPairs(_ bytes: some ContiguousBytes) throws(WireParseError) -> [KrakenPair] {
        try WireReader.read(bytes, venue: venue, message: "AssetPairs") { reader throws(WireParseError) in
            try reader.openObject()
            var errors: [String] = [], pairs: [KrakenPair]?
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "error": errors = try errorList(&reader)
                case "result":
                    try reader.openObject("result")
                    var found: [KrakenPair] = []
                    var firstPair = true
                    while let pairKey = try reader.nextKey(&firstPair) {
                        if let pair = try pair(&reader, key: pairKey.text) { found.append(pair) }
                    }
                    pairs = found
                default: try reader.skipValue(key)
                }
            }
            guard errors.isEmpty else { throw reader.failure("error", "Kraken refused: \(errors.joined(separator: ", "))") }
            guard let pairs else { throw reader.missing("result") }
            return pairs
        }
    }

    /// `"error": ["EGeneral:Invalid arguments", …]`.
    static func errorList(_ reader: inout WireReader) throws(WireParseError) -> [String] {
        try reader.openArray("error")
        var errors: [String] = []
        var first = true
        while try reader.nextElement(&first, "error") { errors.append(try reader.string("error")) }
        return errors
    }

    static func pair(_ reader: inout WireReader, key: String) throws(WireParseError) -> KrakenPair? {
        try reader.openObject("result")
        var altname: String?, wsname: String?, base: String?, quote: String?, status: String?
        var baseClass = "currency", quoteClass = "currency"
        var priceDecimals: Int64?, lotDecimals: Int64?, costDecimals: Int64?
        var tick: FixedDecimal?, orderMinimum: FixedDecimal?, costMinimum: FixedDecimal?
        var taker: FixedDecimal?, maker: FixedDecimal?
        var first = true
        while let field = try reader.nextKey(&first) {
            switch field {
            case "altname": altname = try reader.string("altname")
            case "wsname": wsname = try reader.string("wsname")
            case "base": base = try reader.string("base")
            case "quote": quote = try reader.string("quote")
            case "aclass_base": baseClass = try reader.string("aclass_base")
            case "aclass_quote": quoteClass = try reader.string("aclass_quote")
            case "status": status = try reader.string("status")
            case "pair_decimals": priceDecimals = try reader.integer("pair_decimals")
            case "lot_decimals": lotDecimals = try reader.integer("lot_decimals")
            case "cost_decimals": costDecimals = try reader.integer("cost_decimals")
            case "tick_size": tick = try reader.amount("tick_size")
            case "ordermin": orderMinimum = try reader.amount("ordermin")
            case "costmin": costMinimum = try reader.amount("costmin")
            case "fees": taker = try firstTier(&reader, "fees")
            case "fees_maker": maker = try firstTier(&reader, "fees_maker")
            default: try reader.skipValue(field)
            }
        }
        guard baseClass == "currency", quoteClass == "currency" else { return nil }
        guard let altname else { throw reader.failure("altname", "\(key) has no altname") }
        // Dark-pool pairs ("XBTUSD.d") have no WebSocket name and no public book: not for the desk.
        guard let wsname else { return nil }
        guard wsname.split(separator: "/").count == 2 else { throw reader.failure("wsname", "\(key): \"\(wsname)\" is not BASE/QUOTE") }
        guard let base, let quote else { throw reader.failure("base", "\(key) has no base or quote asset") }
        guard let priceDecimals, (0...FixedDecimal.fractionDigits).contains(Int(priceDecimals)) else {
            throw reader.failure("pair_decimals", "\(key) has no price decimals between 0 and 18")
        }
        guard let lotDecimals, (0...FixedDecimal.fractionDigits).contains(Int(lotDecimals)) else {
            throw reader.failure("lot_decimals", "\(key) has no lot decimals between 0 and 18")
        }
        let step = FixedDecimal(units: 1, decimals: Int(priceDecimals))
        if let tick, !tick.isPositive { throw reader.failure("tick_size", "\(key) has a tick size that is not positive") }
        return KrakenPair(key: key, altname: altname, wsname: wsname, baseKey: base, quoteKey: quote,
                          priceDecimals: Int(priceDecimals), lotDecimals: Int(lotDecimals),
                          costDecimals: costDecimals.map(Int.init), tickSize: tick ?? step,
                          orderMinimum: orderMinimum, costMinimum: costMinimum, takerFeePercent: taker,
                          makerFeePercent: maker, status: status ?? "online")
    }

    /// `[[volume, percent], …]`: the percent of the first tier.
    static func firstTier(_ reader: inout WireReader, _ field: StaticString) throws(WireParseError) -> FixedDecimal? {
        try reader.openArray(field)
        var tier: FixedDecimal?
        var first = true
        while try reader.nextElement(&first, field) {
            try reader.openArray(field)
            var inner = true
            guard try reader.nextElement(&inner, field) else { throw reader.failure("\(field)", "expected [volume, percent]") }
            _ = try reader.amount(field)
            guard try reader.nextElement(&inner, field) else { throw reader.failure("\(field)", "expected [volume, percent]") }
            // A maker rebate is negative.
            let percent = try reader.decimal(field)
            guard !(try reader.nextElement(&inner, field)) else { throw reader.failure("\(field)", "expected [volume, percent]") }
            if tier == nil { tier = percent }
        }
        return tier
    }
}
