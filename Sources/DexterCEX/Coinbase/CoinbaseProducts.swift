import DexterCore
import DexterMarket
import Foundation

/// One Advanced Trade product as `GET /api/v3/brokerage/market/products` lists it (docs/venues/coinbase.md): its
/// id ("BTC-USD"), its currencies, its grid and minimums, and whether a taker order can be sent there now.
public struct CoinbaseProduct: Sendable, Hashable {
    /// Coinbase's id: "BTC-USD", which is also the id on the WebSocket.
    public let productId: String
    public let symbol: Symbol
    /// The price grid (`price_increment`), the size grid (`base_increment`) and the smallest order in quote
    /// currency (`quote_min_size`) and in base (`base_min_size`).
    public let priceIncrement: FixedDecimal
    public let baseIncrement: FixedDecimal
    public let quoteMinSize: FixedDecimal
    public let baseMinSize: FixedDecimal
    /// "online", "offline", "internal", "delisted".
    public let status: String
    public let tradingDisabled: Bool
    public let isDisabled: Bool
    public let cancelOnly: Bool
    /// Only limit orders (an IOC limit still goes), or only post-only orders (no taker leg can go).
    public let limitOnly: Bool
    public let postOnly: Bool
    public let auctionMode: Bool
    /// The products that share this one's book (Coinbase runs BTC-USD and BTC-USDC as one book).
    public let aliasTo: [String]

    /// Whether an IOC limit order can be sent now: online, not disabled, not in cancel-only, post-only or an auction.
    public var isTakerTradable: Bool {
        status == "online" && !tradingDisabled && !isDisabled && !cancelOnly && !postOnly && !auctionMode
    }

    /// Why a taker order cannot go, in Coinbase's words (nil when it can).
    public var notTradableReason: String? {
        if status != "online" { return "status \(status)" }
        if tradingDisabled || isDisabled { return "trading disabled" }
        if cancelOnly { return "cancel only" }
        if postOnly { return "post only" }
        if auctionMode { return "in auction" }
        return nil
    }

    public var instrumentSpec: InstrumentSpec {
        InstrumentSpec(symbol: symbol, tickSize: priceIncrement, lotSize: baseIncrement, minNotional: quoteMinSize,
                       minQuantity: baseMinSize)
    }
}

public enum CoinbaseMarketData {
    static let venue = "coinbase"

    /// `{"products": [{…}, …], "num_products": N}`. Spot products only: futures listed alongside are skipped.
    public static func products(_ bytes: some ContiguousBytes) throws(WireParseError) -> [CoinbaseProduct] {
        try WireReader.read(bytes, venue: venue, message: "products") { reader throws(WireParseError) in
            try reader.openObject()
            var products: [CoinbaseProduct]?
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "products":
                    try reader.openArray("products")
                    var found: [CoinbaseProduct] = []
                    var element = true
                    while try reader.nextElement(&element, "products") {
                        if let product = try product(&reader) { found.append(product) }
                    }
                    products = found
                default: try reader.skipValue(key)
                }
            }
            guard let products else { throw reader.missing("products") }
            return products
        }
    }

    /// One product object; nil for a product that is not spot.
    static func product(_ reader: inout WireReader) throws(WireParseError) -> CoinbaseProduct? {
        try reader.openObject("products")
        var id: String?, base: String?, quote: String?, type: String?, status: String?
        var priceIncrement: FixedDecimal?, baseIncrement: FixedDecimal?, quoteIncrement: FixedDecimal?
        var quoteMin: FixedDecimal?, baseMin: FixedDecimal?
        var tradingDisabled = false, isDisabled = false, cancelOnly = false, limitOnly = false, postOnly = false
        var auction = false
        var aliases: [String] = []
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "product_id": id = try reader.string("product_id")
            case "base_currency_id": base = try reader.string("base_currency_id")
            case "quote_currency_id": quote = try reader.string("quote_currency_id")
            case "product_type": type = try reader.optionalString("product_type")
            case "status": status = try reader.optionalString("status")
            case "price_increment": priceIncrement = try increment(&reader, "price_increment")
            case "base_increment": baseIncrement = try increment(&reader, "base_increment")
            case "quote_increment": quoteIncrement = try increment(&reader, "quote_increment")
            case "quote_min_size": quoteMin = try optionalAmount(&reader, "quote_min_size")
            case "base_min_size": baseMin = try optionalAmount(&reader, "base_min_size")
            case "trading_disabled": tradingDisabled = try reader.bool("trading_disabled")
            case "is_disabled": isDisabled = try reader.bool("is_disabled")
            case "cancel_only": cancelOnly = try reader.bool("cancel_only")
            case "limit_only": limitOnly = try reader.bool("limit_only")
            case "post_only": postOnly = try reader.bool("post_only")
            case "auction_mode": auction = try reader.bool("auction_mode")
            case "alias_to":
                if !reader.null() {
                    try reader.openArray("alias_to")
                    var element = true
                    while try reader.nextElement(&element, "alias_to") { aliases.append(try reader.string("alias_to")) }
                }
            default: try reader.skipValue(key)
            }
        }
        guard let id else { throw reader.missing("product_id") }
        guard type == nil || type == "SPOT" else { return nil }
        // The currencies are named apart from the id; an id is "BASE-QUOTE" when they are not.
        let named = CoinbaseTrading.symbol(id)
        guard let baseAsset = base.map({ Asset($0) }) ?? named?.base, !baseAsset.code.isEmpty,
              let quoteAsset = quote.map({ Asset($0) }) ?? named?.quote, !quoteAsset.code.isEmpty else {
            throw reader.failure("product_id", "\(id): no base and quote currency")
        }
        // Older answers have no price_increment: the quote increment is the price grid there.
        guard let tick = priceIncrement ?? quoteIncrement else { throw reader.missing("price_increment") }
        guard let lot = baseIncrement else { throw reader.missing("base_increment") }
        return CoinbaseProduct(productId: id, symbol: Symbol(base: baseAsset, quote: quoteAsset), priceIncrement: tick,
                               baseIncrement: lot, quoteMinSize: quoteMin ?? .zero, baseMinSize: baseMin ?? .zero,
                               status: status ?? "online", tradingDisabled: tradingDisabled, isDisabled: isDisabled,
                               cancelOnly: cancelOnly, limitOnly: limitOnly, postOnly: postOnly, auctionMode: auction,
                               aliasTo: aliases)
    }

    /// A grid step: a positive decimal (a zero step would make every price valid and every size unsendable).
    static func increment(_ reader: inout WireReader, _ field: StaticString) throws(WireParseError) -> FixedDecimal {
        let value = try reader.amount(field)
        guard value.isPositive else { throw reader.failure("\(field)", "an increment of \(value) is not positive") }
        return value
    }

    /// An amount the venue may leave empty ("") or null.
    static func optionalAmount(_ reader: inout WireReader, _ field: StaticString) throws(WireParseError) -> FixedDecimal? {
        reader.scanner.skipWhitespace()
        return reader.null() ? nil : try reader.okxAmount(field)
    }
}
