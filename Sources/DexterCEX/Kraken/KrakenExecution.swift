import DexterCore
import DexterMarket
import DexterNet
import DexterVenues
import Foundation
import Logging
import Synchronization

/// Where a Kraken account is traded, and how. Every endpoint is a setting with Kraken's real address as default, so a
/// proxy or a test points elsewhere.
public struct KrakenExecutionSettings: Sendable {
    public var venue: VenueId
    public var restURL: String
    /// The authenticated WebSocket v2: the `executions` channel.
    public var privateURL: String
    public var requestTimeout: Duration
    /// The account's verification tier: its REST and trading rate limits.
    public var tier: KrakenTier
    /// The nonce's high-water mark (KrakenNonce), in the desk's state directory. Nil keeps it in memory only: fine
    /// for a test, wrong for a desk (a restart with the clock stepped back would be refused by Kraken).
    public var nonceFile: URL?
    /// Rate limits other than the tier's documented ones (an account Kraken raised; a test).
    public var limits: KrakenRateLimits?
    /// The private stream is replaced when nothing (not even Kraken's once-a-second heartbeat) came for this long.
    public var silence: Duration
    public var stream: WebSocketSettings?

    public static let defaultRESTURL = "https://api.kraken.com"
    public static let defaultPrivateURL = "wss://ws-auth.kraken.com/v2"

    public init(venue: VenueId, restURL: String = KrakenExecutionSettings.defaultRESTURL,
                privateURL: String = KrakenExecutionSettings.defaultPrivateURL, requestTimeout: Duration = .seconds(10),
                tier: KrakenTier = .starter, nonceFile: URL? = nil, silence: Duration = .seconds(10)) {
        self.venue = venue
        self.restURL = restURL
        self.privateURL = privateURL
        self.requestTimeout = requestTimeout
        self.tier = tier
        self.nonceFile = nonceFile
        self.silence = silence
    }
}

/// Kraken spot orders over signed REST: IOC limit orders (`AddOrder`, `timeinforce=IOC`, fee in the quote) placed
/// under dexter's client order id as `cl_ord_id`, cancels, queries by client id, open orders, balances, the fee tier
/// and the kill switch's sweep. Orders go over REST rather than WebSocket v2 `add_order`: both count on the same
/// per-pair trading counter, an HTTP answer belongs to its request alone, and orders keep going while the private
/// stream reconnects (its loss is then only a delay in hearing fills); the cost is a nonce per request and a round
/// trip on a kept-alive connection. `AddOrder`'s answer says only that Kraken took the order; what it did comes from a
/// query right after (its trades from `QueryTrades`, under Kraken's trade txids) and from the `executions` channel,
/// told once each. An order whose answer never came (a timeout, `EService:*`, a 5XX) is looked for by its `cl_ord_id`
/// before anything is sent again: Kraken refuses a duplicate `cl_ord_id` only among *open* orders.
public final class KrakenExecution: ExecutionClient, Sendable {
    public let settings: KrakenExecutionSettings
    let builder: KrakenRequestBuilder
    let rest: KrakenREST
    let tracker: KrakenOrderTracker
    let clock: any DexterCore.Clock
    let logger: Logger
    private let state = Mutex(ExecutionState())

    struct ExecutionState {
        var inbox: VenueInbox?
        var pairs: [String: KrakenPair] = [:]
        /// REST asset key → altname, from `GET /0/public/Assets`.
        var assetNames: [String: String] = [:]
        /// dexter's client order ids with their pair and Kraken's txid, once known.
        var orders: [String: (pair: String, txid: String?)] = [:]
    }

    /// Refuses a secret that is not base64 (it was pasted wrong) and a nonce file it cannot read, before anything is
    /// sent; neither error holds the secret.
    public init(settings: KrakenExecutionSettings, credentials: KrakenCredentials, http: HTTPTransport = HTTPTransport(),
                clock: any DexterCore.Clock = WallClock(), logger: Logger = Logger(label: "dexter.kraken")) throws {
        guard !credentials.apiKey.isEmpty, credentials.secretIsBase64 else { throw KrakenKeyError.malformedSecret(venue: settings.venue) }
        self.settings = settings
        builder = KrakenRequestBuilder(credentials: credentials)
        rest = KrakenREST(baseURL: settings.restURL, http: http, clock: clock, timeout: settings.requestTimeout,
                          nonce: try KrakenNonce(file: settings.nonceFile, clock: clock),
                          limits: settings.limits ?? KrakenRateLimits(tier: settings.tier))
        tracker = KrakenOrderTracker(venue: settings.venue)
        self.clock = clock
        self.logger = logger
    }

    public var venueIds: [VenueId] { [settings.venue] }

    /// The REST and trading counters' levels (the Risk panel's view of the budget).
    public var rateUsage: KrakenRateUsage { rest.usage }
    /// The nonce's high-water mark (what the file holds).
    public var nonceMark: UInt64 { rest.nonce.mark }
    public var nonce: KrakenNonce { rest.nonce }

    public func connect(_ inbox: VenueInbox) async throws {
        state.withLock { $0.inbox = inbox }
        try await loadPairs()
    }

    /// The spot pairs (`GET /0/public/AssetPairs`): names, decimals and ticks for orders, symbols for answers.
    public func loadPairs() async throws {
        let answer = try await rest.sendPublic(KrakenRequestBuilder.publicGet("AssetPairs"))
        let pairs = try KrakenMarketData.assetPairs(answer.body)
        state.withLock { state in
            for pair in pairs {
                state.pairs[pair.key] = pair
                state.pairs[pair.altname] = pair
                state.pairs[pair.v2Symbol] = pair
            }
        }
    }

    /// Every spot pair loaded, once each, by REST key.
    public var pairs: [KrakenPair] {
        state.withLock { state in Dictionary(state.pairs.values.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a }).values
            .sorted { $0.key < $1.key } }
    }

    /// The pair for a REST name, an altname or a v2 symbol ("XXBTZUSD", "XBTUSD", "BTC/USD").
    public func pair(named name: String) -> KrakenPair? { state.withLock { $0.pairs[name] } }
    func pair(for symbol: Symbol) -> KrakenPair? { pair(named: symbol.base.code + "/" + symbol.quote.code) }
    func symbol(ofPair name: String) -> Symbol? { pair(named: name)?.symbol }

    /// The server's clock against the middle of the round trip (`GET /0/public/Time`, whole seconds).
    public func clockOffset() async throws -> Duration {
        let sent = clock.now()
        let answer = try await rest.sendPublic(KrakenRequestBuilder.publicGet("Time"))
        let received = clock.now()
        let server = try KrakenTrading.serverTime(answer.body)
        return .nanoseconds(server.nanoseconds - (sent.nanoseconds + received.nanoseconds) / 2)
    }

    // MARK: ExecutionClient

    public func submit(_ order: OrderRequest) {
        Task { await self.place(order) }
    }

    public func cancel(_ clientOrderId: String, on venue: VenueId) {
        Task { await self.cancelOrder(clientOrderId) }
    }

    public func query(_ clientOrderId: String, on venue: VenueId) async throws -> OrderQueryAnswer {
        guard let clOrdId = KrakenClientOrderId.encode(clientOrderId), let order = try await find(clOrdId: clOrdId),
              let symbol = self.symbol(ofPair: order.pair) else { return .unknown }
        let trades = try await trades(of: order)
        return order.report(venue: settings.venue, symbol: symbol, trades: trades, immediate: tracker.isImmediate(clientOrderId))
            .map { .found($0) } ?? .unknown
    }

    /// Every open order of the account (`OpenOrders`), as working reports; pairs Kraken lists for other asset classes
    /// are left out.
    public func openOrders(on venue: VenueId) async throws -> [ExecutionReport] {
        try await openKrakenOrders().compactMap { order in
            guard let symbol = self.symbol(ofPair: order.pair) else { return nil }
            return order.report(venue: settings.venue, symbol: symbol, trades: nil)
        }
    }

    /// Per asset (dexter's names), the account's total (`BalanceEx` `balance`, which includes what orders hold).
    public func balances(on venue: VenueId) async throws -> [Asset: FixedDecimal] {
        let balances = try await balanceDetails()
        let names = try await assetNames()
        var totals: [Asset: FixedDecimal] = [:]
        for balance in balances {
            let asset = KrakenAssets.asset(restKey: balance.key, known: names)
            guard let sum = totals[asset, default: .zero].addingIfInRange(balance.balance) else {
                throw KrakenErrors.failure(nil, httpStatus: 502)
            }
            totals[asset] = sum
        }
        return totals
    }

    /// Every open order on the account, the desk's or not, canceled with one `CancelAll`: the kill switch's sweep.
    /// Their ends are posted once a query says them. Returns their client order ids.
    public func cancelOpenOrders(on venue: VenueId) async throws -> [String] {
        let open = try await openKrakenOrders()
        guard !open.isEmpty else { return [] }
        let answer = try await rest.send(.trading(pair: "*", 1)) { try self.builder.cancelAll(nonce: $0) }
        let count = try KrakenTrading.canceledCount(answer.body)
        logger.info("\(settings.venue): sweep canceled \(count) of \(open.count) open orders")
        let done = try await queryOrders(open.map(\.txid))
        for order in done where !order.isOpen { await tell(order) }
        return open.map(\.dexterClientOrderId)
    }

    /// What an `executions` report tells that has not been told yet (the private stream's path).
    public func streamUpdates(_ report: KrakenExecutionReport) -> [OrderUpdate] { tracker.streamUpdates(resolved(report)) }

    /// A report of an order without `cl_ord_id` (a snapshot's trade, say) is named after dexter's id when this session
    /// placed it.
    func resolved(_ report: KrakenExecutionReport) -> KrakenExecutionReport {
        guard report.clOrdId == nil else { return report }
        let id = state.withLock { state in state.orders.first { $0.value.txid == report.orderId }?.key }
        guard let id, let clOrdId = KrakenClientOrderId.encode(id) else { return report }
        return KrakenExecutionReport(execType: report.execType, orderId: report.orderId, clOrdId: clOrdId, symbol: report.symbol,
                               side: report.side, orderStatus: report.orderStatus, orderQuantity: report.orderQuantity,
                               cumulativeQuantity: report.cumulativeQuantity, cumulativeCost: report.cumulativeCost,
                               execId: report.execId, tradeId: report.tradeId, lastQuantity: report.lastQuantity,
                               lastPrice: report.lastPrice, cost: report.cost, fees: report.fees, liquidity: report.liquidity,
                               reason: report.reason, timeInForce: report.timeInForce, time: report.time)
    }

    /// A reported order that ended with fills the stream never told: its story is read by REST, fills first.
    func readMissingFills(of report: KrakenExecutionReport) {
        guard tracker.isMissingFills(resolved(report)) else { return }
        logger.info("\(settings.venue) \(report.orderId): ended with fills not streamed; reading them by query")
        Task {
            if let order = (try? await self.queryOrders([report.orderId]))?.first { await self.tell(order) }
        }
    }

    /// After the stream was away: the trades since `since` (`TradesHistory`), each order's story read and told, less
    /// what was told already.
    func readBack(since: Timestamp) async {
        do {
            let start = max(0, since.nanoseconds / 1_000_000_000 - 5)
            let answer = try await rest.send(.history) { try self.builder.tradesHistory(start: start, nonce: $0) }
            let trades = try KrakenTrading.trades(answer.body, history: true)
            let txids = Array(Set(trades.map(\.orderTxid))).sorted()
            guard !txids.isEmpty else { return }
            logger.info("\(settings.venue): reading back \(trades.count) trades of \(txids.count) orders since the stream dropped")
            for start in stride(from: 0, to: txids.count, by: 50) {
                for order in try await queryOrders(Array(txids[start..<min(start + 50, txids.count)])) {
                    post(tracker.restUpdates(order, trades: trades.filter { $0.orderTxid == order.txid },
                                             symbol: symbol(ofPair: order.pair)))
                }
            }
        } catch {
            logger.warning("\(settings.venue): reading back missed trades failed: \(error)")
        }
    }

    func post(_ updates: [OrderUpdate]) {
        guard !updates.isEmpty, let inbox = state.withLock({ $0.inbox }) else { return }
        for update in updates { inbox.post(update) }
    }

    func remember(_ id: String, pair: String, txid: String?) {
        state.withLock { $0.orders[id] = (pair, txid ?? $0.orders[id]?.txid) }
    }

    func known(_ id: String) -> (pair: String, txid: String?)? { state.withLock { $0.orders[id] } }

    /// REST asset key → altname (`GET /0/public/Assets`), read once.
    func assetNames() async throws -> [String: String] {
        if let names = state.withLock({ $0.assetNames.isEmpty ? nil : $0.assetNames }) { return names }
        let answer = try await rest.sendPublic(KrakenRequestBuilder.publicGet("Assets"))
        let names = try KrakenTrading.assetAltnames(answer.body)
        state.withLock { $0.assetNames = names }
        return names
    }
}

public enum KrakenKeyError: Error, Sendable, CustomStringConvertible {
    case malformedSecret(venue: VenueId)
    case malformedKey(venue: VenueId)

    public var description: String {
        switch self {
        case .malformedSecret(let venue):
            "the \(venue) API secret in the vault is not base64 (Kraken's private keys are): dexter keys rotate \(venue)"
        case .malformedKey(let venue):
            "the \(venue) API key in the vault is not a Kraken key (base64, 56 characters): dexter keys rotate \(venue)"
        }
    }
}
