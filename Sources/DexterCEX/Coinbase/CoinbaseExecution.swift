import DexterCore
import DexterMarket
import DexterNet
import DexterVenues
import Foundation
import Logging
import Synchronization

/// Coinbase Advanced Trade spot orders over signed REST: IOC limits (`sor_limit_ioc`: base size and limit price; the
/// rest is canceled) placed under dexter's client order id as `client_order_id`, cancels (`batch_cancel`), queries by
/// client id, open orders, balances, the fee tier, the key's permissions and the kill switch's sweep. The create
/// answer says only that Coinbase took the order; what it did comes from `GET orders/historical/{id}` right after,
/// its trades from the fills endpoint under Coinbase's `trade_id`s (commission in the quote), and from the `user`
/// channel's state changes, told once each. An answer that never came (a timeout, a lost connection, a 5XX, an
/// unreadable body) is settled by sending the *same* request again: Coinbase never creates a second order under a
/// `client_order_id` it has seen and answers with the original's `order_id` instead (the documented way to find an
/// order by client id), so nothing can trade twice; a 429 is "not executed".
public final class CoinbaseExecution: ExecutionClient, Sendable {
    public let settings: CoinbaseExecutionSettings
    let builder: CoinbaseRequestBuilder
    let rest: CoinbaseREST
    let tracker: CoinbaseOrderTracker
    let clock: any DexterCore.Clock
    let logger: Logger
    private let state = Mutex(ExecutionState())

    struct ExecutionState {
        var inbox: VenueInbox?
        /// dexter's client order ids with their product and Coinbase's order id, once known.
        var orders: [String: (productId: String, orderId: String?)] = [:]
        /// Each product's price and size increments, once the instruments were listed: an order off them is refused
        /// before it is sent, never rounded.
        var grids: [Symbol: (tick: FixedDecimal, lot: FixedDecimal)] = [:]
    }

    /// Refuses, before anything is sent, a key name that is not a CDP key name and a PEM that is not a P-256 private
    /// key; neither error holds the private key.
    public convenience init(settings: CoinbaseExecutionSettings, credentials: CoinbaseCredentials,
                            http: HTTPTransport = HTTPTransport(), clock: any DexterCore.Clock = WallClock(),
                            logger: Logger = Logger(label: "dexter.coinbase")) throws {
        try self.init(settings: settings, credentials: credentials,
                      transport: { (call: HTTPCall) async throws(HTTPFailure) -> HTTPAnswer in try await http.send(call) }, clock: clock, logger: logger)
    }

    init(settings: CoinbaseExecutionSettings, credentials: CoinbaseCredentials, transport: @escaping CoinbaseTransport,
         clock: any DexterCore.Clock, logger: Logger) throws {
        self.settings = settings
        let builder = try CoinbaseRequestBuilder(credentials: credentials, restURL: settings.restURL, venue: settings.venue)
        self.builder = builder
        rest = CoinbaseREST(baseURL: settings.restURL, transport: transport, clock: clock, timeout: settings.requestTimeout,
                            builder: builder, limits: settings.limits)
        tracker = CoinbaseOrderTracker(venue: settings.venue)
        self.clock = clock
        self.logger = logger
    }

    public var venueIds: [VenueId] { [settings.venue] }

    public func connect(_ inbox: VenueInbox) async throws {
        state.withLock { $0.inbox = inbox }
        try await measureClock()
    }

    /// The server's clock against the middle of the round trip (`GET /time`): every JWT is written at it.
    @discardableResult
    public func measureClock() async throws -> Duration {
        let sent = clock.now()
        let answer = try await rest.send(CoinbaseRequestBuilder.serverTime())
        let received = clock.now()
        let server = try CoinbaseTrading.serverTime(answer.body)
        let offset = Duration.nanoseconds(server.nanoseconds - (sent.nanoseconds + received.nanoseconds) / 2)
        rest.setClockOffset(offset)
        return offset
    }

    public var clockOffset: Duration { rest.clockOffset }

    /// A JWT for the user stream's subscribe, at the venue's time.
    func webSocketJWT() throws -> String { try builder.webSocketJWT(now: rest.venueTime) }

    // MARK: ExecutionClient

    public func submit(_ order: OrderRequest) {
        Task { await self.place(order) }
    }

    public func cancel(_ clientOrderId: String, on venue: VenueId) {
        Task { await self.cancelOrder(clientOrderId) }
    }

    /// What Coinbase holds under this client id: by its order id when this session placed it, else from the listing
    /// of recent orders (List Orders has no client-id filter; nothing is placed to find out).
    public func query(_ clientOrderId: String, on venue: VenueId) async throws -> OrderQueryAnswer {
        guard let encoded = CoinbaseClientOrderId.encode(clientOrderId) else { return .unknown }
        let order: CoinbaseOrder?
        if let orderId = known(clientOrderId)?.orderId {
            order = try await getOrder(orderId)
        } else {
            order = try await findListed(clientOrderId: encoded, productId: known(clientOrderId)?.productId, since: nil)
        }
        guard let order else { return .unknown }
        remember(clientOrderId, productId: order.productId, orderId: order.orderId)
        let trades = try await order.filledSize.isPositive ? fills(of: order.orderId) : []
        return order.report(venue: settings.venue, fills: trades, immediate: tracker.isImmediate(clientOrderId))
            .map { .found($0) } ?? .unknown
    }

    /// Every open order of the account (List Orders, `order_status=OPEN`), as working reports.
    public func openOrders(on venue: VenueId) async throws -> [ExecutionReport] {
        try await listOrders(open: true).compactMap { $0.report(venue: settings.venue, fills: nil) }
    }

    /// Available plus hold, per currency: what the account holds.
    public func balances(on venue: VenueId) async throws -> [Asset: FixedDecimal] {
        guard let totals = CoinbaseTrading.totals(try await accounts()) else {
            throw CoinbaseErrors.failure(code: nil, message: "accounts: a total is out of range", httpStatus: 502)
        }
        return totals
    }

    /// Every open order on the account, the desk's or not, canceled by `batch_cancel` (100 a request): the kill
    /// switch's sweep. Their ends are posted once a query says them. Returns their client order ids.
    public func cancelOpenOrders(on venue: VenueId) async throws -> [String] {
        let open = try await listOrders(open: true)
        var canceled: [CoinbaseOrder] = []
        for start in stride(from: 0, to: open.count, by: 100) {
            let batch = Array(open[start..<min(start + 100, open.count)])
            let answer = try await rest.send(CoinbaseRequestBuilder.cancelOrders(batch.map(\.orderId)))
            let results = try CoinbaseTrading.cancelResults(answer.body)
            for order in batch {
                guard let result = results.first(where: { $0.orderId == order.orderId }) else { continue }
                if result.success {
                    canceled.append(order)
                } else {
                    logger.info("\(settings.venue): sweep: \(order.orderId) not canceled: \(result.failureReason ?? "no reason")")
                }
            }
        }
        for order in canceled {
            remember(order.dexterClientOrderId, productId: order.productId, orderId: order.orderId)
            await followToEnd(order.orderId, attempts: 3)
        }
        return canceled.map(\.dexterClientOrderId)
    }

    // MARK: Account

    /// Every account (paged 250 at a time).
    public func accounts() async throws -> [CoinbaseAccount] {
        var all: [CoinbaseAccount] = [], cursor: String?
        for _ in 0..<40 {
            let answer = try await rest.send(CoinbaseRequestBuilder.accounts(cursor: cursor))
            let page = try CoinbaseTrading.accounts(answer.body)
            all += page.items
            guard page.hasNext, !page.cursor.isEmpty, page.cursor != cursor else { break }
            cursor = page.cursor
        }
        return all
    }

    /// The account's fee tier (`transaction_summary`): the taker rate every spot product is charged at.
    public func feeTier() async throws -> CoinbaseFeeTier {
        let answer = try await rest.send(CoinbaseRequestBuilder.transactionSummary())
        return try CoinbaseTrading.feeTier(answer.body)
    }

    /// What the key may do (`key_permissions`).
    public func keyPermissions() async throws -> CoinbaseKeyPermissions {
        let answer = try await rest.send(CoinbaseRequestBuilder.keyPermissions())
        return try CoinbaseTrading.keyPermissions(answer.body)
    }

    /// The private budget's use, for the Risk panel.
    public func rateLimitUsage(at now: Timestamp) -> [RateLimitUsage] { [rest.usage(at: now)] }

    /// Learns the products' increments (`price_increment` as the tick, `base_increment` as the lot) from the
    /// instruments the market data lists.
    public func learnGrid(_ instruments: [VenueInstrument]) {
        state.withLock { state in
            for instrument in instruments where instrument.market.venue.id == settings.venue {
                let spec = instrument.market.instrument
                state.grids[spec.symbol] = (spec.tickSize, spec.lotSize)
            }
        }
    }

    /// Why an order is off its product's grid, or nil when it is on it (or the grid is not known: Coinbase then
    /// refuses it itself, INVALID_PRICE_PRECISION / INVALID_SIZE_PRECISION).
    func offGrid(_ order: OrderRequest) -> String? {
        guard let grid = state.withLock({ $0.grids[order.symbol] }) else { return nil }
        let product = CoinbaseTrading.productId(order.symbol)
        if grid.tick.isPositive, order.limitPrice.rounded(toMultipleOf: grid.tick) != order.limitPrice {
            return "price \(order.limitPrice) is not on \(product)'s price_increment \(grid.tick)"
        }
        if grid.lot.isPositive, order.quantity.rounded(toMultipleOf: grid.lot) != order.quantity {
            return "size \(order.quantity) is not on \(product)'s base_increment \(grid.lot)"
        }
        return nil
    }

    // MARK: Shared state

    func post(_ updates: [OrderUpdate]) {
        guard !updates.isEmpty, let inbox = state.withLock({ $0.inbox }) else { return }
        for update in updates { inbox.post(update) }
    }

    func remember(_ id: String, productId: String, orderId: String?) {
        state.withLock { $0.orders[id] = (productId, orderId ?? $0.orders[id]?.orderId) }
    }

    func known(_ id: String) -> (productId: String, orderId: String?)? { state.withLock { $0.orders[id] } }

    /// dexter's id of an order this session placed, by Coinbase's order id.
    func clientId(ofOrder orderId: String) -> String? {
        state.withLock { state in state.orders.first { $0.value.orderId == orderId }?.key }
    }
}
