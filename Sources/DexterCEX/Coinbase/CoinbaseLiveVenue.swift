import DexterCore
import DexterMarket
import DexterNet
import DexterVenues
import Foundation
import Logging

/// Coinbase Advanced Trade in LIVE mode: market data from the client handed in (the Coinbase feed), real orders over
/// signed REST, and the account's order states on the user WebSocket, their fills read from the fills endpoint and
/// told once each. Detection prices at the account's own taker rate (`transaction_summary`), not config's.
public final class CoinbaseLiveVenue: MarketDataClient, ExecutionClient, Sendable {
    public let marketData: any MarketDataClient
    public let execution: CoinbaseExecution
    private let privateStream: CoinbasePrivateStream

    /// Refuses, before anything is sent, a key name that is not a CDP key name and a PEM that is not a P-256 private
    /// key; neither error holds the private key.
    public convenience init(marketData: any MarketDataClient, settings: CoinbaseExecutionSettings,
                            credentials: CoinbaseCredentials, http: HTTPTransport = HTTPTransport(),
                            clock: any DexterCore.Clock = WallClock(), logger: Logger = Logger(label: "dexter.coinbase")) throws {
        try self.init(marketData: marketData,
                      execution: try CoinbaseExecution(settings: settings, credentials: credentials, http: http, clock: clock,
                                                       logger: logger),
                      clock: clock, logger: logger)
    }

    init(marketData: any MarketDataClient, execution: CoinbaseExecution, clock: any DexterCore.Clock, logger: Logger) throws {
        self.marketData = marketData
        self.execution = execution
        let settings = execution.settings
        var stream = settings.stream ?? WebSocketSettings(url: "")
        stream.url = settings.privateURL
        privateStream = CoinbasePrivateStream(venue: settings.venue, settings: stream, silence: settings.silence, clock: clock,
                                              logger: logger, jwt: { try execution.webSocketJWT() },
                                              streamed: { execution.streamed($0) },
                                              readBack: { await execution.readBack(since: $0) })
    }

    deinit { privateStream.stop() }

    public var venueIds: [VenueId] { execution.venueIds }

    /// Whether the account's orders are arriving on the user stream, and why not.
    public var privateStreamSubscribed: Bool { privateStream.isSubscribed }
    public var privateStreamProblem: String? { privateStream.problem }
    /// How many connections have had `user` subscribed (each reconnect adds one).
    public var privateStreamSessions: Int { privateStream.sessions }
    /// How many lost messages (sequence gaps) the user stream has seen.
    public var privateStreamGaps: Int { privateStream.gaps }
    /// Drops the user stream's connection; it comes back at once and reads back what it missed.
    public func reconnectPrivateStream() async { await privateStream.reconnect() }

    // MARK: MarketDataClient

    /// The instruments, priced at the account's taker rate (one rate for every spot product: Coinbase's tier is by the
    /// account's volume). Their increments become the execution's grid: an order off it is refused before it is sent.
    public func instruments() async throws -> [VenueInstrument] {
        let listed = try await marketData.instruments()
        execution.learnGrid(listed)
        guard let taker = try await execution.feeTier().takerRate else { return listed }
        return listed.map { $0.market.venue.id == execution.settings.venue ? $0.atTakerFee(taker) : $0 }
    }

    public func currentGas() async throws -> [GasQuote] { [] }
    public func subscribe(_ keys: [MarketKey], into inbox: VenueInbox) async throws {
        try await marketData.subscribe(keys, into: inbox)
    }
    public func unsubscribe(_ keys: [MarketKey]) async { await marketData.unsubscribe(keys) }

    // MARK: ExecutionClient

    public func connect(_ inbox: VenueInbox) async throws {
        try await execution.connect(inbox)
        privateStream.start()
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

extension CoinbaseLiveVenue: AccountChecking {
    /// The clock (`GET /time`), what the key may do (`key_permissions`: can_trade, can_transfer), the account's taker
    /// rate (`transaction_summary`) and its balances, asked of Coinbase.
    public func checkAccount() async throws -> AccountCheck {
        let offset = try await execution.measureClock()
        let permissions = try await execution.keyPermissions()
        let tier = try await execution.feeTier()
        let balances = try await execution.balances(on: execution.settings.venue)
        return AccountCheck(venue: execution.settings.venue, canTrade: permissions.canTrade,
                            canWithdraw: permissions.canTransfer, takerFee: tier.takerRate, clockOffset: offset,
                            balances: balances.filter { !$0.value.isZero })
    }
}

extension CoinbaseLiveVenue: RateLimitReporting {
    /// The private request budget (30 a second per user) as far as dexter has used it this second.
    public func rateLimitUsage(at now: Timestamp) -> [RateLimitUsage] { execution.rateLimitUsage(at: now) }
}
