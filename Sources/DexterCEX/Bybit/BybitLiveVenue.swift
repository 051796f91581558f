import DexterCore
import DexterMarket
import DexterNet
import DexterVenues
import Logging

/// Bybit linear perpetuals in LIVE mode: any market-data client for its contracts (the Bybit feed, or in tests a fixed
/// list), real orders over signed REST, the account's fills, order ends and funding on the private stream (funding
/// from `execution` rows of type Funding, each once by `execId`). Fees are the account's own taker rate
/// (`account/fee-rate`), not config's. An account in hedge mode is refused by `checkAccount`.
public final class BybitLiveVenue: MarketDataClient, ExecutionClient, Sendable {
    public let marketData: any MarketDataClient
    public let execution: BybitExecution

    /// - Parameters:
    ///   - marketData: the venue's market data (its `venueIds` must be `settings.venue`).
    ///   - settings: the account's hosts and symbols.
    ///   - credentials: the API key and secret (from the vault).
    ///   - fundingSince: where reading funding starts (the newest payment the ledger holds); nil: when it connects.
    public init(marketData: any MarketDataClient, settings: BybitExecutionSettings, credentials: BybitCredentials,
                fundingSince: Timestamp? = nil, http: HTTPTransport = HTTPTransport(), clock: any Clock = WallClock(),
                logger: Logger = Logger(label: "dexter.bybit")) throws {
        // Bybit keys are letters and digits; anything else would break the signed header or the auth message.
        guard !credentials.apiKey.isEmpty, credentials.apiKey.utf8.count <= 128,
              credentials.apiKey.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) })
        else { throw BybitAccountError.malformedKey(venue: settings.venue) }
        self.marketData = marketData
        execution = BybitExecution(settings: settings, credentials: credentials, fundingSince: fundingSince, http: http,
                                   clock: clock, logger: logger)
    }

    /// The venue as config builds it: the Bybit feed's market data, and orders on the same hosts, symbols and timeout.
    public convenience init(feed: BybitMarketFeed, credentials: BybitCredentials, fundingSince: Timestamp? = nil,
                            http: HTTPTransport = HTTPTransport(), clock: any Clock = WallClock(),
                            logger: Logger = Logger(label: "dexter.bybit")) throws {
        let market = feed.settings
        var settings = BybitExecutionSettings(venue: market.venue.id, symbols: market.symbols, restURL: market.restURL,
                                              privateURL: market.privateURL, requestTimeout: market.requestTimeout)
        settings.stream = market.stream
        try self.init(marketData: feed, settings: settings, credentials: credentials, fundingSince: fundingSince, http: http,
                      clock: clock, logger: logger)
    }

    deinit { execution.stop() }

    public var venueIds: [VenueId] { [execution.settings.venue] }

    /// Whether the private stream is subscribed now, and Bybit's last refusal on it.
    public var privateStreamSubscribed: Bool { execution.privateStreamSubscribed }
    public var privateStreamProblem: String? { execution.privateStreamProblem }

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

    public func connect(_ inbox: VenueInbox) async throws { try await execution.connect(inbox) }
    public func submit(_ order: OrderRequest) { execution.submit(order) }
    public func cancel(_ clientOrderId: String, on venue: VenueId) { execution.cancel(clientOrderId, on: venue) }
    public func query(_ clientOrderId: String, on venue: VenueId) async throws -> OrderQueryAnswer {
        try await execution.query(clientOrderId, on: venue)
    }
    public func openOrders(on venue: VenueId) async throws -> [ExecutionReport] { try await execution.openOrders(on: venue) }
    public func balances(on venue: VenueId) async throws -> [Asset: FixedDecimal] { try await execution.balances(on: venue) }
    public func cancelOpenOrders(on venue: VenueId) async throws -> [String] { try await execution.cancelOpenOrders(on: venue) }

    public func stop() { execution.stop() }
}

/// Why a Bybit account is not traded.
public enum BybitAccountError: Error, Sendable, CustomStringConvertible {
    /// A symbol's positions are in hedge mode (`positionIdx` 1 and 2): dexter holds one net position per perpetual
    /// and sends reduce-only cuts with `positionIdx` 0, which hedge mode refuses.
    case hedgeMode(venue: VenueId, symbols: [String])
    /// The API key has characters Bybit keys never have.
    case malformedKey(venue: VenueId)

    public var description: String {
        switch self {
        case .hedgeMode(let venue, let symbols):
            "\(venue): the Bybit account holds \(symbols.joined(separator: ", ")) in hedge mode (both-side positions, "
                + "positionIdx 1 and 2); dexter trades one-way mode only (one net position per symbol, positionIdx 0, "
                + "reduce-only cuts). Switch the position mode to one-way (POST /v5/position/switch-mode mode 0, or "
                + "Position Mode in the derivatives settings, with no open orders or positions) and check again"
        case .malformedKey(let venue):
            "\(venue): the stored Bybit API key is not letters and digits: store it again with `dexter keys add bybit`"
        }
    }
}

extension BybitLiveVenue: AccountChecking {
    /// The clock, the position mode (hedge mode refused, saying where), the account's taker rate and balances, and what
    /// the key may do (`user/query-api`: trade linear contracts, withdraw). A key that cannot read the account fails
    /// here with Bybit's refusal (10003 / 10004 / 10010).
    public func checkAccount() async throws -> AccountCheck {
        try await execution.measureClock()
        let hedged = try await execution.positions().filter { $0.positionIdx != 0 }.map(\.symbol)
        if !hedged.isEmpty {
            var seen = Set<String>()
            throw BybitAccountError.hedgeMode(venue: execution.settings.venue, symbols: hedged.filter { seen.insert($0).inserted })
        }
        let wallet = try await execution.wallet()
        var taker: FixedDecimal?
        if let first = execution.settings.symbols.first { taker = try await execution.takerRate(first) }
        let key = try await execution.keyPermissions()
        return AccountCheck(venue: execution.settings.venue, canTrade: key.mayTradeContracts, canWithdraw: key.mayWithdraw,
                            takerFee: taker,
                            clockOffset: .milliseconds(execution.clockOffsetMillis),
                            balances: wallet.walletBalances.filter { !$0.value.isZero })
    }
}

extension BybitLiveVenue: RateLimitReporting {
    /// The fullest endpoint window and the order window, as Bybit's `X-Bapi-Limit` headers last said, with the hold
    /// after a 10006 or a 403.
    public func rateLimitUsage(at now: Timestamp) -> [RateLimitUsage] { execution.rateLimitUsage(at: now) }
}

extension BybitLiveVenue: FundingReporting {}

extension BybitLiveVenue: MarginReporting {
    /// The venue's own positions (`position/list`, open ones) and margin (`wallet-balance`'s totals).
    public func margin(on venue: VenueId) async throws -> VenueMargin {
        let wallet = try await execution.wallet()
        let held = try await execution.positions().compactMap { row -> VenueMargin.Position? in
            guard !row.size.isZero, let symbol = execution.venueSymbol(row.symbol) else { return nil }
            return VenueMargin.Position(symbol: symbol, size: row.size, entryPrice: row.entryPrice, markPrice: row.markPrice,
                                        liquidationPrice: row.liquidationPrice)
        }
        return VenueMargin(venue: execution.settings.venue, positions: held, maintenanceMargin: wallet.totalMaintenanceMargin,
                           marginBalance: wallet.totalMarginBalance, at: execution.clock.now())
    }
}
