import DexterCore
import DexterMarket
import DexterNet
import DexterVenues
import Foundation
import Logging

/// Kraken in LIVE mode: market data from the client handed in (the Kraken feed), real orders over signed REST, and the
/// account's fills and ends on the authenticated WebSocket v2 `executions` channel, told once each. Detection prices
/// at the account's own taker rate (`TradeVolume`), not config's.
public final class KrakenLiveVenue: MarketDataClient, ExecutionClient, Sendable {
    public let marketData: any MarketDataClient
    public let execution: KrakenExecution
    private let privateStream: KrakenPrivateStream

    /// Refuses, before anything is sent, a key that is not a Kraken key (base64, 56 characters) and a secret that is
    /// not base64; neither error holds the key or the secret.
    public init(marketData: any MarketDataClient, settings: KrakenExecutionSettings, credentials: KrakenCredentials,
                http: HTTPTransport = HTTPTransport(), clock: any DexterCore.Clock = WallClock(),
                logger: Logger = Logger(label: "dexter.kraken")) throws {
        guard Self.looksLikeKey(credentials.apiKey) else { throw KrakenKeyError.malformedKey(venue: settings.venue) }
        self.marketData = marketData
        let execution = try KrakenExecution(settings: settings, credentials: credentials, http: http, clock: clock, logger: logger)
        self.execution = execution
        var stream = settings.stream ?? WebSocketSettings(url: "")
        stream.url = settings.privateURL
        privateStream = KrakenPrivateStream(venue: settings.venue, settings: stream, silence: settings.silence, clock: clock,
                                            logger: logger, token: { try await execution.webSocketToken() },
                                            updates: { execution.streamUpdates($0) },
                                            readMissing: { execution.readMissingFills(of: $0) },
                                            readBack: { await execution.readBack(since: $0) })
    }

    /// Kraken's API keys are 56 characters of base64 (letters, digits, `+`, `/`, `=`): anything else was pasted wrong
    /// and must never reach a header.
    static func looksLikeKey(_ key: String) -> Bool {
        key.utf8.count == 56 && key.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="): true
            default: false
            }
        }
    }

    deinit { privateStream.stop() }

    public var venueIds: [VenueId] { execution.venueIds }

    /// Whether the account's executions are arriving on the private stream, and why not.
    public var privateStreamSubscribed: Bool { privateStream.isSubscribed }
    public var privateStreamProblem: String? { privateStream.problem }
    /// How many connections have had `executions` subscribed (each reconnect adds one).
    public var privateStreamSessions: Int { privateStream.sessions }
    /// The REST and trading counters, for the Risk panel.
    public var rateUsage: KrakenRateUsage { execution.rateUsage }

    // MARK: MarketDataClient

    /// The instruments, priced at the account's taker rate on each pair (`TradeVolume`; Kraken's percent as a
    /// fraction).
    public func instruments() async throws -> [VenueInstrument] {
        let listed = try await marketData.instruments()
        let pairs = listed.compactMap { $0.market.venue.id == execution.settings.venue ? execution.pair(for: $0.market.instrument.symbol) : nil }
        guard !pairs.isEmpty else { return listed }
        let rates = try await execution.takerFees(pairs: pairs)
        return listed.map { instrument in
            guard instrument.market.venue.id == execution.settings.venue,
                  let pair = execution.pair(for: instrument.market.instrument.symbol), let rate = rates[pair.key] else { return instrument }
            return instrument.atTakerFee(rate)
        }
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

extension KrakenLiveVenue: AccountChecking {
    /// The clock, the account's taker rate (on XBTUSD, or the first pair listed: Kraken's tier is by 30-day volume over
    /// all pairs, so one pair's rate is the account's) and its balances. Kraken has no endpoint that says what a key may do: a key that
    /// may not trade or query is found out by its first refusal (`EGeneral:Permission denied`); withdrawal rights
    /// cannot be read, so `canWithdraw` is nil (unknown).
    public func checkAccount() async throws -> AccountCheck {
        let offset = try await execution.clockOffset()
        if execution.pairs.isEmpty { try await execution.loadPairs() }
        let reference = (execution.pair(named: "XBTUSD") ?? execution.pairs.first).map { [$0] } ?? []
        let rates = try await execution.takerFees(pairs: reference)
        let balances = try await execution.balances(on: execution.settings.venue)
        return AccountCheck(venue: execution.settings.venue, canTrade: true, canWithdraw: nil,
                            takerFee: reference.first.flatMap { rates[$0.key] }, clockOffset: offset,
                            balances: balances.filter { !$0.value.isZero })
    }
}

extension KrakenLiveVenue: RateLimitReporting {
    /// The REST call counter, and the fullest pair's trading counter, against the tier's maximum and threshold.
    public func rateLimitUsage(at now: Timestamp) -> [RateLimitUsage] {
        let usage = rateUsage
        var rows = [RateLimitUsage(name: "api", used: Int(usage.restLevel.rounded(.up)), limit: Int(usage.restMaximum))]
        if let fullest = usage.tradingLevels.values.max() {
            rows.append(RateLimitUsage(name: "ord", used: Int(fullest.rounded(.up)), limit: Int(usage.tradingThreshold)))
        }
        return rows
    }
}
