import DexterCore
import DexterMarket
import DexterNet
import DexterVenues
import Logging

/// OKX in LIVE mode: market data from the client handed in (the OKX feed), real orders over signed REST, and the
/// account's fills and ends on the private WebSocket's `orders` channel, told once each. Detection prices at the
/// account's own taker rate (`account/trade-fee`), not config's.
public final class OKXLiveVenue: MarketDataClient, ExecutionClient, Sendable {
    public let marketData: any MarketDataClient
    public let execution: OKXExecution
    private let privateStream: OKXPrivateStream

    public init(marketData: any MarketDataClient, settings: OKXExecutionSettings, credentials: OKXCredentials,
                http: HTTPTransport = HTTPTransport(), clock: any Clock = WallClock(),
                logger: Logger = Logger(label: "dexter.okx")) throws {
        // OKX keys are UUIDs; a key with anything else in it was pasted wrong (and must never reach a header).
        guard !credentials.apiKey.isEmpty, !credentials.passphrase.isEmpty,
              credentials.apiKey.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2D })
        else { throw OKXKeyError.malformedKey(venue: settings.venue) }
        self.marketData = marketData
        let execution = OKXExecution(settings: settings, credentials: credentials, http: http, clock: clock, logger: logger)
        self.execution = execution
        var stream = settings.stream ?? WebSocketSettings(url: "")
        stream.url = settings.privateURL
        privateStream = OKXPrivateStream(venue: settings.venue, settings: stream, keepalive: settings.keepalive,
                                         tracker: execution.tracker, logger: logger,
                                         login: { execution.loginMessage() },
                                         resyncClock: { try? await execution.measureClock() },
                                         readMissing: { execution.readMissingFills(of: $0) })
    }

    deinit { privateStream.stop() }

    public var venueIds: [VenueId] { execution.venueIds }

    /// Whether the account's orders are arriving on the private stream, and why not.
    public var privateStreamSubscribed: Bool { privateStream.isSubscribed }
    public var privateStreamProblem: String? { privateStream.problem }
    /// How many connections have had the orders channel subscribed (each reconnect adds one).
    public var privateStreamSessions: Int { privateStream.sessions }

    // MARK: MarketDataClient

    /// The instruments, priced at the account's taker rate (OKX writes it negative: a charge).
    public func instruments() async throws -> [VenueInstrument] {
        let rates = try await execution.feeRates()
        let listed = try await marketData.instruments()
        guard let taker = rates.taker else { return listed }
        return listed.map { $0.market.venue.id == execution.settings.venue ? $0.atTakerFee(-taker) : $0 }
    }

    public func currentGas() async throws -> [GasQuote] { [] }
    public func subscribe(_ keys: [MarketKey], into inbox: VenueInbox) async throws {
        try await marketData.subscribe(keys, into: inbox)
    }
    public func unsubscribe(_ keys: [MarketKey]) async { await marketData.unsubscribe(keys) }

    // MARK: ExecutionClient

    public func connect(_ inbox: VenueInbox) async throws {
        try await execution.connect(inbox)
        privateStream.start(into: inbox)
    }

    public func submit(_ order: OrderRequest) { execution.submit(order) }
    public func cancel(_ clientOrderId: String, on venue: VenueId) { execution.cancel(clientOrderId, on: venue) }
    public func query(_ clientOrderId: String, on venue: VenueId) async throws -> OrderQueryAnswer {
        try await execution.query(clientOrderId, on: venue)
    }
    public func openOrders(on venue: VenueId) async throws -> [ExecutionReport] { try await execution.openOrders(on: venue) }
    public func balances(on venue: VenueId) async throws -> [Asset: FixedDecimal] { try await execution.balances(on: venue) }
    public func cancelOpenOrders(on venue: VenueId) async throws -> [String] { try await execution.cancelOpenOrders(on: venue) }

    public func stop() { privateStream.stop() }
}

public enum OKXKeyError: Error, Sendable, CustomStringConvertible {
    case malformedKey(venue: VenueId)

    public var description: String {
        switch self {
        case .malformedKey(let venue):
            "the \(venue) API key in the vault is not an OKX key (letters, digits and dashes, with a passphrase); dexter keys rotate \(venue)"
        }
    }
}

extension OKXLiveVenue: AccountChecking {
    /// The clock, what the key may do (`account/config` `perm`: read_only, trade, withdraw), the account's taker
    /// rate and its balances, asked of OKX.
    public func checkAccount() async throws -> AccountCheck {
        try await execution.measureClock()
        let config = try await execution.accountConfig()
        let rates = try await execution.feeRates()
        let balances = try await execution.balances(on: execution.settings.venue)
        return AccountCheck(venue: execution.settings.venue, canTrade: config.canTrade, canWithdraw: config.canWithdraw,
                            takerFee: rates.taker.map { -$0 }, clockOffset: .milliseconds(execution.clockOffsetMillis),
                            balances: balances.filter { !$0.value.isZero })
    }
}

extension OKXLiveVenue: RateLimitReporting {
    public func rateLimitUsage(at now: Timestamp) -> [RateLimitUsage] { execution.rest.fullestBudget(at: now).map { [$0] } ?? [] }
}
