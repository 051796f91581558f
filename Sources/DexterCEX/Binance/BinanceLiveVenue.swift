import DexterCore
import DexterMarket
import DexterNet
import DexterVenues
import Logging

/// Binance in LIVE mode: its market data, real orders over signed REST, and the account's fills and ends on the user
/// data stream, all under one request budget. Fees are the account's own tier (`commissionRates`), not config's.
public final class BinanceLiveVenue: MarketDataClient, ExecutionClient, Sendable {
    public let feed: BinanceMarketFeed
    public let execution: BinanceExecution
    private let userStream: BinanceUserStream

    public init(settings: BinanceSettings, credentials: BinanceCredentials, http: HTTPTransport = HTTPTransport(),
                clock: any Clock = WallClock(), logger: Logger = Logger(label: "dexter.binance")) throws {
        guard !credentials.apiKey.isEmpty,
              credentials.apiKey.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) })
        else { throw BinanceKeyError.malformedKey(venue: settings.venue.id) }
        feed = BinanceMarketFeed(settings: settings, http: http, clock: clock, logger: logger)
        let execution = BinanceExecution(settings: settings, credentials: credentials, gate: feed.gate, http: http,
                                         clock: clock, logger: logger)
        self.execution = execution
        var stream = settings.stream ?? WebSocketSettings(url: "")
        stream.url = settings.wsAPIURL
        userStream = BinanceUserStream(venue: settings.venue.id, settings: stream, logger: logger,
                                       resyncClock: { try await execution.measureClock() }) { id in
            execution.userDataSubscription(id: id)
        }
    }

    deinit { userStream.stop() }

    public var venueIds: [VenueId] { feed.venueIds }

    /// Whether fills are arriving on the user data stream, and why not.
    public var userStreamSubscribed: Bool { userStream.isSubscribed }
    public var userStreamProblem: String? { userStream.problem }

    // MARK: MarketDataClient

    /// The instruments, priced at the account's taker rate.
    public func instruments() async throws -> [VenueInstrument] {
        let account = try await execution.account()
        let listed = try await feed.instruments()
        execution.setOrderLimits(feed.rateLimits)
        guard let taker = account.takerFee else { return listed }
        return listed.map { $0.atTakerFee(taker) }
    }

    public func currentGas() async throws -> [GasQuote] { [] }
    public func subscribe(_ keys: [MarketKey], into inbox: VenueInbox) async throws { try await feed.subscribe(keys, into: inbox) }
    public func unsubscribe(_ keys: [MarketKey]) async { await feed.unsubscribe(keys) }

    // MARK: ExecutionClient

    public func connect(_ inbox: VenueInbox) async throws {
        try await execution.connect(inbox)
        userStream.start(into: inbox)
    }

    public func submit(_ order: OrderRequest) { execution.submit(order) }
    public func cancel(_ clientOrderId: String, on venue: VenueId) { execution.cancel(clientOrderId, on: venue) }
    public func query(_ clientOrderId: String, on venue: VenueId) async throws -> OrderQueryAnswer {
        try await execution.query(clientOrderId, on: venue)
    }
    public func openOrders(on venue: VenueId) async throws -> [ExecutionReport] { try await execution.openOrders(on: venue) }
    public func balances(on venue: VenueId) async throws -> [Asset: FixedDecimal] { try await execution.balances(on: venue) }
    public func cancelOpenOrders(on venue: VenueId) async throws -> [String] { try await execution.cancelOpenOrders(on: venue) }

    public func stop() {
        feed.stop()
        userStream.stop()
    }
}

public enum BinanceKeyError: Error, Sendable, CustomStringConvertible {
    case malformedKey(venue: VenueId)

    public var description: String {
        switch self {
        case .malformedKey(let venue):
            "the \(venue) API key in the vault is not a Binance key (letters and digits only); dexter keys rotate \(venue)"
        }
    }
}

extension BinanceLiveVenue: AccountChecking {
    /// The clock, the key's own restrictions and the account, asked of Binance.
    public func checkAccount() async throws -> AccountCheck {
        try await execution.measureClock()
        let restrictions = try await execution.keyRestrictions()
        let account = try await execution.account()
        return AccountCheck(venue: feed.settings.venue.id, canTrade: account.canTrade && restrictions.canTrade,
                            canWithdraw: restrictions.canWithdraw, takerFee: account.takerFee,
                            clockOffset: .milliseconds(execution.clockOffsetMillis),
                            balances: account.totals.filter { !$0.value.isZero })
    }
}

extension BinanceLiveVenue: RateLimitReporting {
    public func rateLimitUsage(at now: Timestamp) -> [RateLimitUsage] { execution.rateLimitUsage(at: now) }
}
