import DexterCore
import DexterMarket
import DexterNet
import DexterVenues
import Logging

/// Binance USDⓈ-M futures in LIVE mode: any market-data client for its perpetuals (the USDⓈ-M feed, or in tests a
/// fixed list), real orders over signed REST, the account's fills and funding on the user data stream. Fees are the
/// account's own taker rate (`commissionRate`), not config's. Hedge-mode accounts are refused by `checkAccount`.
public final class BinanceUSDMLiveVenue: MarketDataClient, ExecutionClient, Sendable {
    public let marketData: any MarketDataClient
    public let execution: BinanceUSDMExecution

    /// - Parameters:
    ///   - marketData: the venue's market data (its `venueIds` must be `settings.venue`).
    ///   - settings: the account's hosts, symbols and limits.
    ///   - credentials: the API key and secret (from the vault); the key must be letters and digits.
    ///   - gate: the REQUEST_WEIGHT budget shared with the market data's REST calls (Binance counts weight per IP);
    ///     nil: one of the execution's own.
    ///   - fundingSince: where reading funding income starts (the newest payment the ledger holds); nil: now.
    public init(marketData: any MarketDataClient, settings: BinanceUSDMExecutionSettings, credentials: BinanceCredentials,
                gate: RateLimitGate? = nil, fundingSince: Timestamp? = nil, http: HTTPTransport = HTTPTransport(),
                clock: any Clock = WallClock(), logger: Logger = Logger(label: "dexter.binance-usdm")) throws {
        guard !credentials.apiKey.isEmpty, credentials.apiKey.utf8.count <= 128,
              credentials.apiKey.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) })
        else { throw BinanceKeyError.malformedKey(venue: settings.venue) }
        self.marketData = marketData
        execution = BinanceUSDMExecution(settings: settings, credentials: credentials, gate: gate,
                                         fundingSince: fundingSince, http: http, clock: clock, logger: logger)
    }

    /// The venue as config builds it: the USDⓈ-M feed's market data, and orders on the same hosts, symbols, timeout
    /// and REQUEST_WEIGHT budget as the feed (one `RateLimitGate`: Binance counts weight per IP across endpoints).
    public convenience init(feed: BinanceUSDMMarketFeed, credentials: BinanceCredentials, fundingSince: Timestamp? = nil,
                            http: HTTPTransport = HTTPTransport(), clock: any Clock = WallClock(),
                            logger: Logger = Logger(label: "dexter.binance-usdm")) throws {
        let market = feed.settings
        var settings = BinanceUSDMExecutionSettings(venue: market.venue.id, symbols: market.symbols, restURL: market.restURL,
                                                    streamURL: market.streamURL, requestTimeout: market.requestTimeout,
                                                    weightPerMinute: market.weightPerMinute)
        settings.stream = market.stream
        try self.init(marketData: feed, settings: settings, credentials: credentials, gate: feed.gate,
                      fundingSince: fundingSince, http: http, clock: clock, logger: logger)
    }

    deinit { execution.stop() }

    public var venueIds: [VenueId] { [execution.settings.venue] }

    /// Whether the user data stream is connected now, and why not.
    public var userStreamConnected: Bool { execution.userStreamConnected }
    public var userStreamProblem: String? { execution.userStreamProblem }

    // MARK: MarketDataClient

    /// The instruments, priced at the account's taker rate.
    public func instruments() async throws -> [VenueInstrument] {
        let listed = try await marketData.instruments()
        guard let first = execution.settings.symbols.first else { return listed }
        let taker = try await execution.takerRate(first)
        return listed.map { $0.atTakerFee(taker) }
    }

    public func currentGas() async throws -> [GasQuote] { [] }
    public func subscribe(_ keys: [MarketKey], into inbox: VenueInbox) async throws { try await marketData.subscribe(keys, into: inbox) }
    public func unsubscribe(_ keys: [MarketKey]) async { await marketData.unsubscribe(keys) }

    // MARK: ExecutionClient

    public func connect(_ inbox: VenueInbox) async throws {
        try await execution.connect(inbox)
    }

    public func submit(_ order: OrderRequest) { execution.submit(order) }
    public func cancel(_ clientOrderId: String, on venue: VenueId) { execution.cancel(clientOrderId, on: venue) }
    public func query(_ clientOrderId: String, on venue: VenueId) async throws -> OrderQueryAnswer {
        try await execution.query(clientOrderId, on: venue)
    }
    public func openOrders(on venue: VenueId) async throws -> [ExecutionReport] { try await execution.openOrders(on: venue) }
    public func balances(on venue: VenueId) async throws -> [Asset: FixedDecimal] { try await execution.balances(on: venue) }
    public func cancelOpenOrders(on venue: VenueId) async throws -> [String] { try await execution.cancelOpenOrders(on: venue) }

    // MARK: Positions and margin (the desk's margin buffer and stop-loss read these)

    /// Open positions as Binance holds them: signed amount, entry, mark, liquidation price, leverage.
    public func positions() async throws -> [BinanceUSDMPosition] { try await execution.positions() }

    /// The account's margin: wallet, margin balance, maintenance margin (and their ratio).
    public func margin() async throws -> BinanceUSDMMargin { try await execution.margin() }

    public func stop() { execution.stop() }
}

/// Why a Binance USDⓈ-M account is not traded.
public enum BinanceUSDMAccountError: Error, Sendable, CustomStringConvertible {
    /// The account is in hedge mode (`positionSide/dual` true): dexter holds one net position per perpetual and sends
    /// reduce-only cuts, which hedge mode does not allow.
    case hedgeMode(venue: VenueId)

    public var description: String {
        switch self {
        case .hedgeMode(let venue):
            "\(venue): the Binance USDⓈ-M account is in hedge mode (dual-side positions); dexter trades one-way mode "
                + "only (one net position per symbol, reduce-only cuts). Switch the account to one-way mode "
                + "(Position Mode in the futures settings, with no open orders or positions) and check again"
        }
    }
}

extension BinanceUSDMLiveVenue: AccountChecking {
    /// `BinanceUSDMExecution.checkAccount`: a hedge-mode account is refused.
    public func checkAccount() async throws -> AccountCheck { try await execution.checkAccount() }
}

extension BinanceUSDMLiveVenue: RateLimitReporting {
    public func rateLimitUsage(at now: Timestamp) -> [RateLimitUsage] { execution.rateLimitUsage(at: now) }
}

extension BinanceUSDMLiveVenue: FundingReporting {}

extension BinanceUSDMLiveVenue: MarginReporting {
    public func margin(on venue: VenueId) async throws -> VenueMargin { try await execution.margin(on: venue) }
}
