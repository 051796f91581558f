import DexterCore
import DexterMarket
import DexterNet
import DexterVenues
import Foundation
import Logging
import Synchronization

/// Where an OKX account is traded, and how. Every endpoint is a setting with OKX's real address as default, so a
/// proxy or a test points elsewhere. (The market data's settings are the feed's own.)
public struct OKXExecutionSettings: Sendable {
    public var venue: VenueId
    public var restURL: String
    /// The private WebSocket: login, then the `orders` channel.
    public var privateURL: String
    public var requestTimeout: Duration
    /// Demo trading: every request carries `x-simulated-trading: 1` (a demo key works only with it).
    public var simulated: Bool
    /// How long an order request stays good (its `expTime` header, at the venue's time): one that reaches OKX later,
    /// stuck in a queue, is refused unexecuted (50037) instead of trading on a stale quote.
    public var orderLifetime: Duration
    /// OKX closes a private connection after 30 s without a message: `ping` is sent after this much silence, and the
    /// connection is replaced when twice this passes with nothing heard.
    public var keepalive: Duration
    public var stream: WebSocketSettings?

    public static let defaultRESTURL = "https://www.okx.com"
    public static let defaultPrivateURL = "wss://ws.okx.com:8443/ws/v5/private"

    public init(venue: VenueId, restURL: String = OKXExecutionSettings.defaultRESTURL,
                privateURL: String = OKXExecutionSettings.defaultPrivateURL, requestTimeout: Duration = .seconds(10),
                simulated: Bool = false, orderLifetime: Duration = .seconds(5), keepalive: Duration = .seconds(20)) {
        self.venue = venue
        self.restURL = restURL
        self.privateURL = privateURL
        self.requestTimeout = requestTimeout
        self.simulated = simulated
        self.orderLifetime = orderLifetime
        self.keepalive = keepalive
    }
}

/// OKX spot orders over signed REST: IOC limits (`ordType` ioc, `tdMode` cash) placed under dexter's client order
/// id, cancels, queries by client id, open orders, balances and the kill switch's sweep. OKX's answer to a
/// placement says only that it was taken; what it did comes from a query right after (its fills from `trade/fills`
/// under OKX's own trade ids) and from the private stream's pushes, told once each. An order whose answer never came
/// (a timeout, a lost connection, a 5XX) is found by its `clOrdId` before anything is sent again: OKX refuses a second
/// *pending* order under one id but not one after the first has ended, so only a query that says "does not exist"
/// (51603) lets it go again. Requests carry the venue's time (the measured offset); a 50102 re-measures it.
public final class OKXExecution: ExecutionClient, Sendable {
    public let settings: OKXExecutionSettings
    let builder: OKXRequestBuilder
    let rest: OKXREST
    let tracker: OKXOrderTracker
    private let clock: any DexterCore.Clock
    private let logger: Logger
    private let state = Mutex(ExecutionState())
    /// dexter's client order ids with their symbols: a query or a cancel names the instrument.
    private let symbols = Mutex<[String: Symbol]>([:])

    struct ExecutionState {
        var inbox: VenueInbox?
        /// Server time minus local time, in ms.
        var offsetMillis: Int64 = 0
    }

    public init(settings: OKXExecutionSettings, credentials: OKXCredentials, http: HTTPTransport = HTTPTransport(),
                clock: any DexterCore.Clock = WallClock(), logger: Logger = Logger(label: "dexter.okx")) {
        self.settings = settings
        builder = OKXRequestBuilder(credentials: credentials, simulated: settings.simulated)
        rest = OKXREST(baseURL: settings.restURL, http: http, clock: clock, timeout: settings.requestTimeout)
        tracker = OKXOrderTracker(venue: settings.venue)
        self.clock = clock
        self.logger = logger
    }

    public var venueIds: [VenueId] { [settings.venue] }

    public func connect(_ inbox: VenueInbox) async throws {
        state.withLock { $0.inbox = inbox }
        try await measureClock()
    }

    /// The venue's time against the middle of the round trip (`GET /api/v5/public/time`).
    public func measureClock() async throws {
        let sent = clock.now()
        let answer = try await rest.send(OKXRequestBuilder.serverTime(), endpoint: .publicTime)
        let received = clock.now()
        let server = try OKXTrading.serverTime(answer.body)
        let middle = (sent.nanoseconds + received.nanoseconds) / 2 / 1_000_000
        state.withLock { $0.offsetMillis = server.nanoseconds / 1_000_000 - middle }
    }

    public var clockOffsetMillis: Int64 { state.withLock { $0.offsetMillis } }

    var venueTime: Timestamp { clock.now().adding(.milliseconds(clockOffsetMillis)) }

    /// The private stream's signed `login` op, at the venue's time in seconds.
    func loginMessage() -> String { builder.login(unixSeconds: venueTime.nanoseconds / 1_000_000_000) }

    // MARK: ExecutionClient

    public func submit(_ order: OrderRequest) {
        Task { await self.place(order) }
    }

    public func cancel(_ clientOrderId: String, on venue: VenueId) {
        Task { await self.cancelOrder(clientOrderId) }
    }

    public func query(_ clientOrderId: String, on venue: VenueId) async throws -> OrderQueryAnswer {
        guard let clOrdId = OKXClientOrderId.encode(clientOrderId) else { return .unknown }
        // GET trade/order needs the instrument: known for this session's orders; for an earlier session's (a restart
        // recovering its orders) it is looked for among the pending and the recent orders, so that an order OKX
        // holds is never taken for one it never saw.
        var symbol = symbol(ofOrder: clientOrderId)
        if symbol == nil, let instId = try await recentInstrument(of: clOrdId) {
            symbol = OKXTrading.symbol(instId)
            symbols.withLock { $0[clientOrderId] = symbol }
        }
        guard let symbol, let order = try await find(clOrdId, instId: OKXTrading.instId(symbol)) else { return .unknown }
        let trades = try await order.accFillSize.isPositive ? fills(of: order) : []
        return order.report(venue: settings.venue, trades: trades).map { .found($0) } ?? .unknown
    }

    /// Every pending spot order of the account (`orders-pending`, paged 100 at a time, newest first).
    public func openOrders(on venue: VenueId) async throws -> [ExecutionReport] {
        try await pendingOrders().compactMap { order in
            if let symbol = OKXTrading.symbol(order.instId) { symbols.withLock { $0[order.dexterClientOrderId] = symbol } }
            return order.report(venue: settings.venue, trades: nil)
        }
    }

    /// Available plus frozen, per currency: what the account holds.
    public func balances(on venue: VenueId) async throws -> [Asset: FixedDecimal] {
        guard let totals = OKXTrading.totals(try await balanceDetails()) else {
            throw OKXErrors.failure(code: nil, message: "account/balance: a total is out of range", httpStatus: 200)
        }
        return totals
    }

    /// Every order pending on the account, the desk's or not, canceled by `cancel-batch-orders` (20 a request): the
    /// kill switch's sweep. Their ends are posted once OKX's query says them. Returns their client order ids.
    public func cancelOpenOrders(on venue: VenueId) async throws -> [String] {
        let pending = try await pendingOrders()
        var canceled: [OKXOrder] = []
        var start = 0
        while start < pending.count {
            let batch = Array(pending[start..<min(start + 20, pending.count)])
            start += batch.count
            let instIds = Set(batch.map(\.instId))
            let answer = try await signed(.cancelBatch, instId: instIds.count == 1 ? instIds.first : nil, cost: batch.count) {
                self.builder.cancelBatch(batch.map { (instId: $0.instId, ordId: $0.ordId) }, at: $0)
            }
            let acks = try OKXTrading.orderAcks(answer.body).data
            for order in batch {
                guard let ack = acks.first(where: { $0.ordId == order.ordId }) else { continue }
                if ack.sCode == "0" {
                    canceled.append(order)
                } else {
                    // 51400 and kin: it ended meanwhile (filled or canceled), which its own updates tell.
                    logger.info("\(settings.venue): sweep: \(order.ordId) not canceled: \(ack.sCode) \(ack.sMessage)")
                }
            }
        }
        for order in canceled {
            symbols.withLock { $0[order.dexterClientOrderId] = OKXTrading.symbol(order.instId) }
            await tellEnd(of: order)
        }
        return canceled.map(\.dexterClientOrderId)
    }

    /// What an `orders` push tells that has not been told yet: the private stream's path, sharing what was told with
    /// the REST path's (each trade once by its `tradeId`, one acceptance, one end).
    public func pushUpdates(_ order: OKXOrder) -> [OrderUpdate] { tracker.pushUpdates(order) }

    /// A pushed order that ended with fills the pushes never told (the stream joined after them): its story is read
    /// by query, fills first, then its end.
    func readMissingFills(of order: OKXOrder) {
        guard tracker.isMissingFills(order) else { return }
        logger.info("\(settings.venue) \(order.dexterClientOrderId): ended with fills not pushed; reading them by query")
        Task { await self.tellEnd(of: order) }
    }

    // MARK: Account

    public func balanceDetails() async throws -> [OKXBalance] {
        let answer = try await signed(.balance) { self.builder.balance(at: $0) }
        return try OKXTrading.balances(answer.body).data.flatMap { $0 }
    }

    public func accountConfig() async throws -> OKXAccountConfig {
        let answer = try await signed(.config) { self.builder.accountConfig(at: $0) }
        guard let config = try OKXTrading.accountConfig(answer.body).data.first else {
            throw OKXErrors.failure(code: nil, message: "account/config answered no entry", httpStatus: answer.status)
        }
        return config
    }

    public func feeRates() async throws -> OKXFeeRates {
        let answer = try await signed(.tradeFee) { self.builder.tradeFee(at: $0) }
        return try OKXTrading.feeRates(answer.body).data.first ?? OKXFeeRates(maker: nil, taker: nil)
    }

    // MARK: Placing

    private func symbol(ofOrder clientOrderId: String) -> Symbol? { symbols.withLock { $0[clientOrderId] } }

    func place(_ order: OrderRequest) async {
        let id = order.clientOrderId
        symbols.withLock { $0[id] = order.symbol }
        // A resend under the same id (after "not placed") starts its story afresh.
        tracker.forget(id)
        guard let clOrdId = OKXClientOrderId.encode(id) else {
            return post(tracker.ended(id, .rejected(ExecutionFailure(
                code: "bad_request", failureClass: .rejected,
                reason: "client order id \(id) cannot be an OKX clOrdId (1–32 letters and digits once encoded)")), at: clock.now()))
        }
        let instId = OKXTrading.instId(order.symbol)
        do {
            let answer = try await signed(.placeOrder, instId: instId) {
                self.builder.placeOrder(instId: instId, side: order.side, ordType: "ioc", size: order.quantity,
                                        price: order.limitPrice, clOrdId: clOrdId,
                                        expiresAt: $0.adding(self.settings.orderLifetime), at: $0)
            }
            let acks = try OKXTrading.orderAcks(answer.body)
            guard let ack = acks.data.first else {
                throw OKXErrors.failure(code: acks.code, message: acks.message, httpStatus: answer.status)
            }
            guard ack.sCode == "0" else {
                let failure = OKXErrors.failure(code: ack.sCode, message: ack.sMessage)
                if failure.retry == .queryFirst { return await settleUnknown(order, clOrdId: clOrdId, after: failure.failure) }
                return post(tracker.ended(id, .rejected(failure.failure), at: clock.now()))
            }
            post(tracker.accepted(id, venueOrderId: ack.ordId, at: clock.now()))
            await follow(order, clOrdId: clOrdId)
        } catch let failure as OKXFailure where failure.retry == .queryFirst {
            await settleUnknown(order, clOrdId: clOrdId, after: failure.failure)
        } catch let failure as OKXFailure {
            post(tracker.ended(id, .rejected(failure.failure), at: clock.now()))
        } catch let failure as HTTPFailure where failure.outcomeUnknown {
            await settleUnknown(order, clOrdId: clOrdId,
                                after: ExecutionFailure(code: "timeout", failureClass: .transient, reason: "\(failure)"))
        } catch let unreadable as WireParseError {
            // An answer came but could not be read: OKX may well have placed the order.
            await settleUnknown(order, clOrdId: clOrdId,
                                after: ExecutionFailure(code: "unreadable_answer", failureClass: .transient, reason: "\(unreadable)"))
        } catch {
            // Never reached OKX (its budget spent or stopped, a refused connection): the engine may send it again.
            post(tracker.ended(id, .rejected(ExecutionFailure(code: "not_sent", failureClass: .transient, reason: "\(error)")),
                               at: clock.now()))
        }
    }

    /// After OKX took an order: what it did, from a query (an IOC is done by the time it answers; a few tries cover
    /// one that is not yet). The private stream may tell the same first; nothing is told twice.
    private func follow(_ order: OrderRequest, clOrdId: String) async {
        let instId = OKXTrading.instId(order.symbol)
        for attempt in 0..<4 {
            do {
                if let found = try await find(clOrdId, instId: instId), !found.isOpen {
                    return await tell(found)
                }
            } catch {
                logger.warning("\(settings.venue) \(order.clientOrderId): query after the ack failed: \(error)")
            }
            try? await Task.sleep(for: Backoff(first: .milliseconds(100), cap: .seconds(1)).delay(attempt: attempt))
        }
        // Still working: its pushes, or the engine's silence watch, tell the rest.
    }

    /// The answer to a placement never came, or said that nothing is known: ask OKX by `clOrdId` (twice at least: the
    /// docs advise one more query shortly before concluding it does not exist). Found: what it did is posted. Not
    /// found: it was never placed, and the engine may send it again under the same id.
    private func settleUnknown(_ order: OrderRequest, clOrdId: String, after failure: ExecutionFailure) async {
        let id = order.clientOrderId, instId = OKXTrading.instId(order.symbol)
        logger.warning("\(settings.venue) \(id): \(failure.reason); asking OKX what became of it")
        for attempt in 0..<5 {
            do {
                if let found = try await find(clOrdId, instId: instId) {
                    post(tracker.accepted(id, venueOrderId: found.ordId, at: found.time))
                    if !found.isOpen { return await tell(found) }
                } else if attempt >= 1 {
                    return post(tracker.ended(id, .rejected(ExecutionFailure(
                        code: "not_placed", failureClass: .transient,
                        reason: "OKX has no order \(id) (clOrdId \(clOrdId)): \(failure.reason)",
                        venueCode: failure.venueCode, venueMessage: failure.venueMessage)), at: clock.now()))
                }
            } catch {
                logger.warning("\(settings.venue) \(id): query failed: \(error)")
            }
            try? await Task.sleep(for: Backoff(first: .milliseconds(200), cap: .seconds(2)).delay(attempt: attempt))
        }
        // Not known either way: the engine's silence watch asks again later; nothing is resent meanwhile.
    }

    /// A done order's story (its fills under OKX's trade ids, then its end), less what was already told.
    private func tell(_ order: OKXOrder) async {
        do {
            let trades = try await order.accFillSize.isPositive ? fills(of: order) : []
            post(tracker.restUpdates(order, trades: trades))
        } catch {
            logger.warning("\(settings.venue) \(order.dexterClientOrderId): fills of \(order.ordId) unread: \(error)")
        }
    }

    /// A canceled order's end, once a query says it (a cancel's sCode 0 is not yet the cancel).
    private func tellEnd(of order: OKXOrder) async {
        for attempt in 0..<3 {
            if let found = try? await find(order.clOrdId.isEmpty ? nil : order.clOrdId, ordId: order.ordId, instId: order.instId),
               !found.isOpen {
                return await tell(found)
            }
            try? await Task.sleep(for: Backoff(first: .milliseconds(100), cap: .seconds(1)).delay(attempt: attempt))
        }
    }

    /// The order by its `clOrdId` (OKX answers the latest under it), or nil when OKX does not know it (51603).
    private func find(_ clOrdId: String?, ordId: String? = nil, instId: String) async throws -> OKXOrder? {
        do {
            let answer = try await signed(.getOrder, instId: instId) {
                if let ordId {
                    return self.builder.get("/api/v5/trade/order", [("instId", instId), ("ordId", ordId)], at: $0)
                }
                return self.builder.orderDetails(instId: instId, clOrdId: clOrdId ?? "", at: $0)
            }
            return try OKXTrading.orders(answer.body).data.first
        } catch let failure as OKXFailure where failure.failure.venueCode == "51603" {
            return nil
        }
    }

    /// The trades of one order (`trade/fills`, last 3 days): exact prices, sizes, fees and OKX's trade ids.
    private func fills(of order: OKXOrder) async throws -> [OKXTrade] {
        let answer = try await signed(.fills) { self.builder.fills(instId: order.instId, ordId: order.ordId, at: $0) }
        return try OKXTrading.trades(answer.body).data.filter { $0.ordId == order.ordId }
    }

    /// The instrument of the account's latest order under `clOrdId` among its pending ones and its last 100 done ones
    /// (`orders-history`: 7 days; a canceled order with no fill is kept 2 hours, and one that old filled nothing).
    private func recentInstrument(of clOrdId: String) async throws -> String? {
        if let pending = try await pendingOrders().first(where: { $0.clOrdId == clOrdId }) { return pending.instId }
        let answer = try await signed(.ordersHistory) { self.builder.ordersHistory(at: $0) }
        return try OKXTrading.orders(answer.body).data.first { $0.clOrdId == clOrdId }?.instId
    }

    private func pendingOrders() async throws -> [OKXOrder] {
        var all: [OKXOrder] = []
        var after: String?
        while true {
            let page = after
            let answer = try await signed(.ordersPending) { self.builder.ordersPending(after: page, at: $0) }
            let orders = try OKXTrading.orders(answer.body).data
            all += orders
            guard orders.count == 100, let last = orders.last?.ordId else { return all }
            after = last
        }
    }

    private func cancelOrder(_ clientOrderId: String) async {
        let venue = settings.venue
        guard let symbol = symbol(ofOrder: clientOrderId), let clOrdId = OKXClientOrderId.encode(clientOrderId) else {
            return post([OrderUpdate(clientOrderId: clientOrderId, venue: venue,
                                     kind: .cancelRejected(reason: "no order \(clientOrderId) of this session"), at: clock.now())])
        }
        let instId = OKXTrading.instId(symbol)
        do {
            let answer = try await signed(.cancelOrder, instId: instId) {
                self.builder.cancelOrder(instId: instId, clOrdId: clOrdId, at: $0)
            }
            let acks = try OKXTrading.orderAcks(answer.body)
            guard let ack = acks.data.first, ack.sCode == "0" else {
                let failure = OKXErrors.failure(code: acks.data.first?.sCode ?? acks.code,
                                                message: acks.data.first?.sMessage ?? acks.message)
                return post([OrderUpdate(clientOrderId: clientOrderId, venue: venue,
                                         kind: .cancelRejected(reason: failure.failure.detail), at: clock.now())])
            }
            if let found = try await find(clOrdId, instId: instId), !found.isOpen { await tell(found) }
        } catch {
            post([OrderUpdate(clientOrderId: clientOrderId, venue: venue, kind: .cancelRejected(reason: "\(error)"), at: clock.now())])
        }
    }

    // MARK: Requests

    /// A signed request at the venue's time; a 50102 (outside OKX's 30 s window, not processed) re-measures the
    /// clock and goes once more.
    private func signed(_ endpoint: OKXEndpoint, instId: String? = nil, cost: Int = 1,
                        _ build: @Sendable (Timestamp) -> OKXRequest) async throws -> HTTPAnswer {
        do {
            return try await rest.send(build(venueTime), endpoint: endpoint, instId: instId, cost: cost)
        } catch let failure as OKXFailure where failure.retry == .afterClockResync {
            logger.warning("\(settings.venue): OKX refused the request's time (\(failure)); measuring the clock again")
            try await measureClock()
            return try await rest.send(build(venueTime), endpoint: endpoint, instId: instId, cost: cost)
        }
    }

    func post(_ updates: [OrderUpdate]) {
        guard !updates.isEmpty, let inbox = state.withLock({ $0.inbox }) else { return }
        for update in updates { inbox.post(update) }
    }
}
