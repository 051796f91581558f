import DexterCore
import DexterMarket
import DexterNet
import DexterVenues
import Foundation
import Logging
import Synchronization

/// Binance spot orders over signed REST: IOC limits placed under dexter's client order id, cancels, queries by client
/// id, open orders and balances. An order whose answer never came (a timeout, a lost connection, a 5XX) is not assumed
/// lost: it is found by its client id before anything is sent again, and a resend keeps the id, so Binance itself
/// refuses a second copy. Requests carry the venue's time (the measured offset), and a -1021 re-measures it.
public final class BinanceExecution: ExecutionClient, Sendable {
    public let settings: BinanceSettings
    private let builder: BinanceRequestBuilder
    private let http: HTTPTransport
    private let gate: RateLimitGate
    private let clock: any DexterCore.Clock
    private let logger: Logger
    private let state = Mutex(ExecutionState())

    struct ExecutionState {
        var inbox: VenueInbox?
        /// Server time minus local time, in ms.
        var offsetMillis: Int64 = 0
        /// New orders the account may place per 10 s and per day (Binance's ORDERS limits; the venue's own
        /// `X-MBX-ORDER-COUNT-*` counts are the truth, taken from every order answer).
        var orderGates = OrderGates(per10s: 100, perDay: 200_000)
    }

    struct OrderGates {
        let tenSeconds: RateLimitGate
        let day: RateLimitGate
        init(per10s: Int, perDay: Int) {
            tenSeconds = RateLimitGate(limits: .init(weight: per10s, window: .seconds(10)))
            day = RateLimitGate(limits: .init(weight: perDay, window: .seconds(86_400)))
        }
    }

    /// Takes the account's order limits from `exchangeInfo.rateLimits` (ORDERS, 10 SECOND and 1 DAY).
    public func setOrderLimits(_ limits: [BinanceRateLimit]) {
        let orders = limits.filter { $0.type == "ORDERS" }
        let per10s = orders.first { $0.interval == "SECOND" && $0.intervalCount == 10 }?.limit
        let perDay = orders.first { $0.interval == "DAY" && $0.intervalCount == 1 }?.limit
        guard per10s != nil || perDay != nil else { return }
        state.withLock { $0.orderGates = OrderGates(per10s: per10s ?? 100, perDay: perDay ?? 200_000) }
    }

    /// Whether one more order fits the account's order limits now; the reason when it does not.
    private func admitOrder() -> String? {
        let gates = state.withLock { $0.orderGates }, now = clock.now()
        for (gate, name) in [(gates.tenSeconds, "10 s"), (gates.day, "day")] {
            if case .go = gate.admit(weight: 1, at: now) { continue }
            return "this \(name)'s order limit (\(gate.limits.weight) orders, dexter keeps \(Int((1 - gate.limits.headroom) * 100)) % spare) is reached"
        }
        return nil
    }

    /// The request weight of this minute and the orders of the fullest order window, against Binance's limits.
    public func rateLimitUsage(at now: Timestamp) -> [RateLimitUsage] {
        let gates = state.withLock { $0.orderGates }
        let orders = [gates.tenSeconds, gates.day].max { a, b in
            a.used(at: now) * b.limits.weight < b.used(at: now) * a.limits.weight
        }!
        let ordersHeld = [gates.tenSeconds, gates.day].compactMap { $0.stoppedUntil(at: now) }.max()
        return [RateLimitUsage(name: "api", used: gate.used(at: now), limit: gate.limits.weight, heldUntil: gate.stoppedUntil(at: now)),
                RateLimitUsage(name: "ord", used: orders.used(at: now), limit: orders.limits.weight, heldUntil: ordersHeld)]
    }

    /// Binance's own order counts, from an order's answer.
    private func observeOrderCounts(_ answer: HTTPAnswer) {
        let gates = state.withLock { $0.orderGates }, now = clock.now()
        gates.tenSeconds.observe(usedWeight: answer.header("X-MBX-ORDER-COUNT-10S").flatMap(Int.init), at: now)
        gates.day.observe(usedWeight: answer.header("X-MBX-ORDER-COUNT-1D").flatMap(Int.init), at: now)
    }

    /// `gate`: the venue's budget, shared with its market data (Binance counts weight per IP across endpoints).
    public init(settings: BinanceSettings, credentials: BinanceCredentials, gate: RateLimitGate,
                http: HTTPTransport = HTTPTransport(), clock: any DexterCore.Clock = WallClock(),
                logger: Logger = Logger(label: "dexter.binance")) {
        self.settings = settings
        builder = BinanceRequestBuilder(credentials: credentials)
        self.http = http
        self.gate = gate
        self.clock = clock
        self.logger = logger
    }

    public var venueIds: [VenueId] { [settings.venue.id] }

    public func connect(_ inbox: VenueInbox) async throws {
        state.withLock { $0.inbox = inbox }
        try await measureClock()
    }

    /// The venue's time against the middle of the round trip.
    public func measureClock() async throws {
        let sent = clock.now()
        let answer = try await send(BinanceRequestBuilder.serverTime(), weight: 1)
        let received = clock.now()
        guard let server = BinanceCheck.serverTime(answer.body) else { throw BinanceVenueError.refused(status: answer.status, body: "no serverTime") }
        let middle = (sent.nanoseconds + received.nanoseconds) / 2 / 1_000_000
        state.withLock { $0.offsetMillis = server - middle }
    }

    public var clockOffsetMillis: Int64 { state.withLock { $0.offsetMillis } }

    private var venueTimestamp: Int64 { clock.now().nanoseconds / 1_000_000 + state.withLock { $0.offsetMillis } }

    // MARK: ExecutionClient

    public func submit(_ order: OrderRequest) {
        Task { await self.place(order) }
    }

    public func cancel(_ clientOrderId: String, on venue: VenueId) {
        Task { await self.cancelOrder(clientOrderId) }
    }

    public func query(_ clientOrderId: String, on venue: VenueId) async throws -> OrderQueryAnswer {
        guard let symbol = symbol(ofOrder: clientOrderId) else { return .unknown }
        return try await find(clientOrderId, symbol: symbol).map { .found($0) } ?? .unknown
    }

    public func openOrders(on venue: VenueId) async throws -> [ExecutionReport] {
        let answer = try await signed { self.builder.openOrders(symbol: nil, timestamp: $0) }
        let orders = try BinanceTrading.orders(answer.body)
        return orders.compactMap { order in
            guard let symbol = symbolFor(order.symbol) else { return nil }
            // Known from now on, so a cancel of it finds its symbol.
            symbols.withLock { $0[order.dexterClientOrderId] = symbol }
            return order.executionReport(symbol: symbol, venue: settings.venue.id)
        }
    }

    public func balances(on venue: VenueId) async throws -> [Asset: FixedDecimal] {
        try await account().totals
    }

    /// Every order resting on the account in the desk's symbols, canceled (`DELETE openOrders` per symbol): the kill
    /// switch's sweep, which reaches orders placed outside this session too.
    public func cancelOpenOrders(on venue: VenueId) async throws -> [String] {
        var canceled: [String] = []
        for symbol in settings.symbols {
            let name = BinanceMarketFeed.venueName(symbol)
            do {
                let answer = try await signed(weight: 1) { self.builder.cancelOpenOrders(symbol: name, timestamp: $0) }
                let orders = try BinanceTrading.orders(answer.body)
                for order in orders {
                    symbols.withLock { $0[order.dexterClientOrderId] = symbol }
                    post(order.orderUpdates(venue: settings.venue.id))
                    canceled.append(order.dexterClientOrderId)
                }
            } catch let failure as BinanceFailure where failure.failure.venueCode == "-2011" {
                continue  // nothing open on this symbol
            }
        }
        return canceled
    }

    /// The account: balances, commission rates (the fee tier dexter prices with), whether it may trade.
    public func account() async throws -> BinanceAccount {
        let answer = try await signed(weight: 20) { self.builder.account(timestamp: $0) }
        return try BinanceTrading.account(answer.body)
    }

    /// What the key itself may do.
    public func keyRestrictions() async throws -> BinanceKeyRestrictions {
        let answer = try await signed(weight: 1) { self.builder.apiRestrictions(timestamp: $0) }
        return try BinanceTrading.keyRestrictions(answer.body)
    }

    /// The builder signing with this client's key, at the venue's time (for the user data stream's subscription).
    func userDataSubscription(id: String) -> String { builder.userDataSubscription(id: id, timestamp: venueTimestamp) }

    // MARK: Placing

    /// Client order ids of this session's orders, with their symbols: a query needs the symbol.
    private let symbols = Mutex<[String: Symbol]>([:])

    private func symbol(ofOrder clientOrderId: String) -> Symbol? { symbols.withLock { $0[clientOrderId] } }

    private func symbolFor(_ venueName: String) -> Symbol? {
        settings.symbols.first { BinanceMarketFeed.venueName($0) == venueName }
    }

    func place(_ order: OrderRequest) async {
        symbols.withLock { $0[order.clientOrderId] = order.symbol }
        guard BinanceNewOrder.isValidClientOrderId(order.clientOrderId) else {
            return post(order, .rejected(ExecutionFailure(code: "bad_request", failureClass: .rejected,
                                                          reason: "client order id \(order.clientOrderId) is not one Binance accepts")))
        }
        if let full = admitOrder() {
            // Never sent: Binance would answer -1015 and count it against the account.
            return post(order, .rejected(ExecutionFailure(code: "order_rate_limited", failureClass: .transient,
                                                          reason: "not sent: \(full)")))
        }
        let request = BinanceNewOrder(symbol: BinanceMarketFeed.venueName(order.symbol), side: order.side,
                                      kind: .limit(price: order.limitPrice, timeInForce: .ioc), quantity: order.quantity,
                                      clientOrderId: order.clientOrderId)
        do {
            let answer = try await signed(weight: 1) { self.builder.newOrder(request, timestamp: $0) }
            observeOrderCounts(answer)
            post(try BinanceTrading.order(answer.body).orderUpdates(venue: settings.venue.id))
        } catch let failure as BinanceFailure {
            switch failure.retry {
            case .queryFirst:
                await settleUnknown(order, after: failure.failure)
            default:
                post(order, .rejected(failure.failure))
            }
        } catch let failure as HTTPFailure where failure.outcomeUnknown {
            await settleUnknown(order, after: ExecutionFailure(code: "timeout", failureClass: .transient, reason: "\(failure)"))
        } catch {
            // Never reached Binance (refused connection, stopped by its rate limit): the engine may send it again.
            post(order, .rejected(ExecutionFailure(code: "not_sent", failureClass: .transient, reason: "\(error)")))
        }
    }

    /// The answer to a placement never came: ask Binance by client id (a few times: its query reads memory, then
    /// its database). Found: what it did is posted. Unknown: it was never placed, and the engine may send it again
    /// under the same id.
    private func settleUnknown(_ order: OrderRequest, after failure: ExecutionFailure) async {
        logger.warning("\(settings.venue.id) \(order.clientOrderId): \(failure.reason); asking Binance what became of it")
        for attempt in 0..<4 {
            do {
                if let found = try await findOrder(order.clientOrderId, symbol: order.symbol) {
                    if let report = found.executionReport(symbol: order.symbol, venue: settings.venue.id), report.isDone {
                        return post(try await updates(of: found, report: report, symbol: order.symbol))
                    }
                } else if attempt >= 1 {
                    return post(order, .rejected(ExecutionFailure(code: "not_placed", failureClass: .transient,
                                                                  reason: "Binance has no order \(order.clientOrderId): \(failure.reason)")))
                }
            } catch {
                logger.warning("\(settings.venue.id) \(order.clientOrderId): query failed: \(error)")
            }
            try? await Task.sleep(for: Backoff(first: .milliseconds(200), cap: .seconds(2)).delay(attempt: attempt))
        }
        // Still not known either way: the engine's silence watch asks again later; nothing is resent meanwhile.
    }

    /// The order by its client id, or nil when Binance does not know it (-2013).
    private func find(_ clientOrderId: String, symbol: Symbol) async throws -> ExecutionReport? {
        try await findOrder(clientOrderId, symbol: symbol)?.executionReport(symbol: symbol, venue: settings.venue.id)
    }

    private func findOrder(_ clientOrderId: String, symbol: Symbol) async throws -> BinanceOrder? {
        do {
            let answer = try await signed(weight: 4) {
                self.builder.queryOrder(symbol: BinanceMarketFeed.venueName(symbol), clientOrderId: clientOrderId, timestamp: $0)
            }
            return try BinanceTrading.order(answer.body)
        } catch let failure as BinanceFailure where failure.failure.venueCode == "-2013" {
            return nil
        }
    }

    /// A found order's story as updates, its fills read from `myTrades` under Binance's own trade ids: the same
    /// trades on the user data stream then count once, never twice.
    private func updates(of order: BinanceOrder, report: ExecutionReport, symbol: Symbol) async throws -> [OrderUpdate] {
        guard report.filledQuantity.isPositive else { return report.updates(venueOrderId: String(order.orderId)) }
        let answer = try await signed(weight: 5) {
            self.builder.myTrades(symbol: BinanceMarketFeed.venueName(symbol), orderId: order.orderId, timestamp: $0)
        }
        let trades = try BinanceTrading.trades(answer.body).filter { $0.orderId == order.orderId }
        let venue = settings.venue.id
        var updates = [OrderUpdate(clientOrderId: report.clientOrderId, venue: venue,
                                   kind: .accepted(venueOrderId: String(order.orderId)), at: report.executedAt)]
        updates += trades.map { OrderUpdate(clientOrderId: report.clientOrderId, venue: venue, kind: .fill($0.fill), at: $0.time) }
        // The order's end as the query said it (the fills above are all of it).
        updates += report.updates(venueOrderId: String(order.orderId)).filter {
            switch $0.kind {
            case .canceled, .expired, .rejected: true
            case .accepted, .fill, .cancelRejected, .routeChanged: false
            }
        }
        return updates
    }

    private func cancelOrder(_ clientOrderId: String) async {
        guard let symbol = symbol(ofOrder: clientOrderId) else {
            return post([OrderUpdate(clientOrderId: clientOrderId, venue: settings.venue.id,
                                     kind: .cancelRejected(reason: "no order \(clientOrderId) of this session"), at: clock.now())])
        }
        do {
            let answer = try await signed(weight: 1) {
                self.builder.cancelOrder(symbol: BinanceMarketFeed.venueName(symbol), clientOrderId: clientOrderId, timestamp: $0)
            }
            post(try BinanceTrading.order(answer.body).orderUpdates(venue: settings.venue.id))
        } catch {
            post([OrderUpdate(clientOrderId: clientOrderId, venue: settings.venue.id,
                              kind: .cancelRejected(reason: "\(error)"), at: clock.now())])
        }
    }

    // MARK: Requests

    /// A signed request at the venue's time; a -1021 (outside recvWindow) re-measures the clock and goes once more.
    private func signed(weight: Int = 1, _ build: @Sendable (Int64) -> BinanceRequest) async throws -> HTTPAnswer {
        do {
            return try await send(build(venueTimestamp), weight: weight)
        } catch let failure as BinanceFailure where failure.retry == .afterClockResync {
            try await measureClock()
            return try await send(build(venueTimestamp), weight: weight)
        }
    }

    /// Through the venue's budget, refused at once when it is spent: an order waits for no window.
    private func send(_ request: BinanceRequest, weight: Int) async throws -> HTTPAnswer {
        try await BinanceREST(baseURL: settings.restURL, http: http, gate: gate, clock: clock, timeout: settings.requestTimeout)
            .send(request, weight: weight, waitForBudget: false)
    }

    private func post(_ order: OrderRequest, _ kind: OrderUpdate.Kind) {
        post([OrderUpdate(clientOrderId: order.clientOrderId, venue: settings.venue.id, kind: kind, at: clock.now())])
    }

    func post(_ updates: [OrderUpdate]) {
        guard let inbox = state.withLock({ $0.inbox }) else { return }
        for update in updates { inbox.post(update) }
    }
}

extension BinanceFailure: Error {}
