import DexterCore
import DexterMarket
import DexterNet

/// Where a Bybit venue (linear USDT perpetuals, category `linear`) is reached. Every endpoint is a setting with
/// Bybit's real address as default, so a proxy or a test points elsewhere.
public struct BybitSettings: Sendable {
    public var venue: VenueSpec
    /// The perpetuals the desk trades here, by dexter's symbol (`BTC/USDT:USDT`).
    public var symbols: [Symbol]
    public var restURL: String
    /// The public linear WebSocket (books, tickers), and the private one (orders, executions, positions, wallet).
    public var publicURL: String
    public var privateURL: String
    /// Margin terms for every symbol, where config sets them over the venue's published maximum leverage.
    public var margin: MarginTerms?
    /// Levels of the book handed to detection (the topic kept is `orderbook.50`).
    public var bookDepth: Int
    public var requestTimeout: Duration
    public var stream: WebSocketSettings?

    public static let defaultRESTURL = "https://api.bybit.com"
    public static let defaultPublicURL = "wss://stream.bybit.com/v5/public/linear"
    public static let defaultPrivateURL = "wss://stream.bybit.com/v5/private"
    /// The book topic's depth: linear serves 1, 50, 200 and 500 (or 1000); 50 levels every 20 ms cover an arbitrage
    /// leg's size without the 100-ms pacing of the deeper ones.
    public static let topicDepth = 50

    public init(venue: VenueSpec, symbols: [Symbol], restURL: String = BybitSettings.defaultRESTURL,
                publicURL: String = BybitSettings.defaultPublicURL, privateURL: String = BybitSettings.defaultPrivateURL,
                margin: MarginTerms? = nil, bookDepth: Int = 50, requestTimeout: Duration = .seconds(10)) {
        self.venue = venue
        self.symbols = symbols
        self.restURL = restURL
        self.publicURL = publicURL
        self.privateURL = privateURL
        self.margin = margin
        self.bookDepth = bookDepth
        self.requestTimeout = requestTimeout
    }

    /// BTC/USDT:USDT → BTCUSDT (Bybit names a linear contract by its base and quote coins).
    public static func instrument(_ symbol: Symbol) -> String { symbol.base.code + symbol.quote.code }

    /// Margin terms from a contract's published maximum leverage where config sets none. Bybit publishes the
    /// maintenance rate only in its risk-limit tiers (not in instruments-info); its first tier keeps maintenance at
    /// half the initial margin at the maximum leverage (BTCUSDT: 1 % initial at 100×, 0.5 % maintenance), so that is
    /// the default. Without a published maximum: 10× and 5 %, a conservative guess said as such.
    public static func defaultMargin(maxLeverage: FixedDecimal?) -> MarginTerms {
        guard let leverage = maxLeverage, leverage >= .one else {
            return MarginTerms(maxLeverage: FixedDecimal(10), maintenanceRate: FixedDecimal(5) / FixedDecimal(100))
        }
        let maintenance = (FixedDecimal.one / leverage / FixedDecimal(2)).rounded(digits: 8, .towardZero)
        guard maintenance.isPositive else { return MarginTerms(maxLeverage: leverage, maintenanceRate: FixedDecimal(raw: 1)) }
        return MarginTerms(maxLeverage: leverage, maintenanceRate: maintenance)
    }
}

/// Why a Bybit symbol cannot be traded.
public enum BybitVenueError: Error, Sendable, CustomStringConvertible {
    case notListed(Symbol, venue: VenueId)
    case notPerpetual(Symbol, contractType: String, settle: String)
    case notTrading(Symbol, status: String)
    case refused(what: String, status: Int, body: String)

    public var description: String {
        switch self {
        case .notListed(let symbol, let venue):
            "\(symbol) is not listed on \(venue) (instruments-info category=linear has no \(BybitSettings.instrument(symbol)))"
        case .notPerpetual(let symbol, let type, let settle):
            "\(symbol) is not a USDT perpetual on Bybit (\(BybitSettings.instrument(symbol)) is \(type) settled in \(settle)): "
                + "write BASE/QUOTE:SETTLE, like BTC/USDT:USDT"
        case .notTrading(let symbol, let status): "\(symbol) is not trading on Bybit (status \(status))"
        case .refused(let what, let status, let body): "Bybit \(what): HTTP \(status): \(body)"
        }
    }
}
