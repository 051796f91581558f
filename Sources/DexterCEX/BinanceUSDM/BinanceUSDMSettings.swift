import DexterCore
import DexterMarket
import DexterNet

/// Where a Binance USDⓈ-M futures venue is reached, and what dexter reads of it. Every endpoint is a setting with
/// Binance's real address as default, so a proxy or a test points elsewhere.
public struct BinanceUSDMSettings: Sendable {
    public var venue: VenueSpec
    /// The perpetuals the desk trades here, by dexter's symbol (`BTC/USDT:USDT`).
    public var symbols: [Symbol]
    public var restURL: String
    public var streamURL: String
    /// Levels asked of each REST snapshot (5, 10, 20, 50, 100, 500 or 1000), and levels handed to detection.
    public var snapshotDepth: Int
    public var bookDepth: Int
    /// REQUEST_WEIGHT per minute per IP until exchangeInfo says otherwise.
    public var weightPerMinute: Int
    public var requestTimeout: Duration
    public var stream: WebSocketSettings?
    /// Margin terms from config, for every symbol of the venue; nil: exchangeInfo's published ones.
    public var margin: MarginTerms?

    /// Binance USDⓈ-M futures' REST host.
    public static let defaultRESTURL = "https://fapi.binance.com"
    /// Its market-stream host.
    public static let defaultStreamURL = "wss://fstream.binance.com"

    public init(venue: VenueSpec, symbols: [Symbol], restURL: String = BinanceUSDMSettings.defaultRESTURL,
                streamURL: String = BinanceUSDMSettings.defaultStreamURL, snapshotDepth: Int = 1_000, bookDepth: Int = 50,
                weightPerMinute: Int = 2_400, requestTimeout: Duration = .seconds(10), margin: MarginTerms? = nil) {
        self.venue = venue
        self.symbols = symbols
        self.restURL = restURL
        self.streamURL = streamURL
        self.snapshotDepth = snapshotDepth
        self.bookDepth = bookDepth
        self.weightPerMinute = weightPerMinute
        self.requestTimeout = requestTimeout
        self.margin = margin
    }

    /// BTC/USDT:USDT → BTCUSDT (a perpetual settled in its quote: Binance names it by base and quote).
    public static func venueName(_ symbol: Symbol) -> String { symbol.base.code + symbol.quote.code }

    /// The REQUEST_WEIGHT of `GET /fapi/v1/depth` at `limit` levels (binance-usdm.md, "REST endpoints").
    static func depthWeight(_ limit: Int) -> Int {
        switch limit {
        case ...50: 2
        case ...100: 5
        case ...500: 10
        default: 20
        }
    }

    /// The REQUEST_WEIGHT of `GET /fapi/v1/exchangeInfo`.
    static let exchangeInfoWeight = 1
    /// `GET /fapi/v1/fundingInfo` weighs nothing on REQUEST_WEIGHT (it shares a separate 500 / 5 min / IP budget,
    /// which one request per start cannot approach).
    static let fundingInfoWeight = 0
}

/// The public requests of the USDⓈ-M market data (no key, no signature).
enum BinanceUSDMRequests {
    static func exchangeInfo() -> BinanceRequest {
        BinanceRequest(method: "GET", path: "/fapi/v1/exchangeInfo", query: "", headers: [:])
    }

    static func depth(symbol: String, limit: Int) -> BinanceRequest {
        BinanceRequest(method: "GET", path: "/fapi/v1/depth",
                       query: BinanceQuery.encode([("symbol", symbol), ("limit", String(limit))]), headers: [:])
    }

    static func fundingInfo() -> BinanceRequest {
        BinanceRequest(method: "GET", path: "/fapi/v1/fundingInfo", query: "", headers: [:])
    }
}

/// Why a USDⓈ-M venue cannot serve a configured symbol.
public enum BinanceUSDMVenueError: Error, Sendable, CustomStringConvertible {
    case notListed(Symbol, venue: VenueId)
    case notPerpetual(Symbol, contractType: String)
    case notTrading(Symbol, status: String)
    case noFilters(Symbol)
    case noMarginTerms(Symbol, venue: VenueId)
    case notLinear(Symbol)

    public var description: String {
        switch self {
        case .notListed(let symbol, let venue):
            "\(symbol) is not listed on \(venue) (/fapi/v1/exchangeInfo has no \(BinanceUSDMSettings.venueName(symbol)))"
        case .notPerpetual(let symbol, let type): "\(symbol) is not a perpetual on Binance USDⓈ-M (contractType \(type))"
        case .notTrading(let symbol, let status): "\(symbol) is not trading (status \(status))"
        case .noFilters(let symbol): "\(symbol) has no PRICE_FILTER tick or LOT_SIZE step in exchangeInfo"
        case .noMarginTerms(let symbol, let venue):
            "\(symbol): exchangeInfo publishes no requiredMarginPercent / maintMarginPercent; set max_leverage and "
                + "maintenance_rate under [venues.\(venue)]"
        case .notLinear(let symbol):
            "\(symbol) is not a USDⓈ-M perpetual: write it BASE/QUOTE:SETTLE with the settle asset as its margin asset, "
                + "like BTC/USDT:USDT"
        }
    }
}
