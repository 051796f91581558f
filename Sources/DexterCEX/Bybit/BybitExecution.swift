import DexterCore
import DexterNet
import DexterVenues
import Foundation
import Logging
import Synchronization

/// Where a Bybit account (linear USDT perpetuals, a Unified Trading Account) is reached. Hosts default to Bybit's
/// production ones.
public struct BybitExecutionSettings: Sendable {
    public var venue: VenueId
    /// The perpetuals the desk trades here, by dexter's symbol (`BTC/USDT:USDT`).
    public var symbols: [Symbol]
    public var restURL: String
    public var privateURL: String
    public var requestTimeout: Duration
    public var recvWindow: Int
    public var stream: WebSocketSettings?

    public init(venue: VenueId, symbols: [Symbol], restURL: String = BybitSettings.defaultRESTURL,
                privateURL: String = BybitSettings.defaultPrivateURL, requestTimeout: Duration = .seconds(10),
                recvWindow: Int = 5_000) {
        self.venue = venue
        self.symbols = symbols
        self.restURL = restURL
        self.privateURL = privateURL
        self.requestTimeout = requestTimeout
        self.recvWindow = recvWindow
    }
}

/// Bybit v5 linear orders over signed REST: IOC limits under dexter's client order id as `orderLinkId`, reduce-only
/// when the order says so, cancels, queries by `orderLinkId` (`order/realtime`, then `order/history`), open orders,
/// the cancel-all sweep, the UNIFIED wallet. Create is asynchronous: its answer says only accepted; fills and the end
/// come from the private stream (`execution`, `order`) and from `execution/list` by `orderId`, each fill once by
/// `execId`. An answer that never came (a timeout, a lost connection, a 5XX, 10000/10016) or a 110072 is not
/// assumed lost: the order is found by `orderLinkId` before anything is sent again. Requests carry the venue's time
/// (offset from `market/time`); a 10002 re-measures it and goes once more. A 10006 holds every request until the
/// reset Bybit named, an HTTP 403 ten minutes.
public final class BybitExecution: ExecutionClient, Sendable {
    public let settings: BybitExecutionSettings
    let builder: BybitRequestBuilder
    let http: HTTPTransport
    let clock: any DexterCore.Clock
    let logger: Logger
    let tracker: BybitOrderTracker
    let state: Mutex<ExecutionState>
    let fundingSince: Timestamp?
    /// The private stream, from `connect` to `stop`.
    let stream = Mutex<BybitPrivateStream?>(nil)

    struct ExecutionState {
        var inbox: VenueInbox?
        /// Server time minus local time, in ms.
        var offsetMillis: Int64 = 0
        var limits = BybitRateLimits()
        /// Venue time when the session connected: where catching up starts without anything newer.
        var connectedAt: Timestamp?
        var catchUps = 0
    }

    /// `fundingSince`: where reading funding starts (the newest payment the ledger holds); nil: when it connects.
    public init(settings: BybitExecutionSettings, credentials: BybitCredentials, fundingSince: Timestamp? = nil,
                http: HTTPTransport = HTTPTransport(), clock: any DexterCore.Clock = WallClock(),
                logger: Logger = Logger(label: "dexter.bybit")) {
        self.settings = settings
        self.fundingSince = fundingSince
        builder = BybitRequestBuilder(credentials: credentials, recvWindow: settings.recvWindow)
        self.http = http
        self.clock = clock
        self.logger = logger
        tracker = BybitOrderTracker(venue: settings.venue)
        state = Mutex(ExecutionState())
    }

    public var venueIds: [VenueId] { [settings.venue] }

    /// Measures the clock, then starts the private stream (fills, order ends, funding) into `inbox`.
    public func connect(_ inbox: VenueInbox) async throws {
        try await measureClock()
        state.withLock { state in
            state.inbox = inbox
            if state.connectedAt == nil { state.connectedAt = venueNow(state.offsetMillis) }
        }
        let started = stream.withLock { current -> BybitPrivateStream in
            if let current { return current }
            let made = BybitPrivateStream(
                venue: settings.venue, url: settings.privateURL, credentials: builder.credentials, symbols: settings.symbols,
                stream: settings.stream, clock: VenueClock(execution: self), logger: logger,
                fills: { [weak self] row in self?.post(self?.tracker.execution(row) ?? []) },
                orders: { [weak self] order in self?.post(self?.tracker.order(order, executions: []) ?? []) },
                subscribed: { [weak self] _ in
                    guard let self else { return }
                    Task { await self.catchUp() }
                })
            current = made
            return made
        }
        started.start(into: inbox)
    }

    public func stop() {
        stream.withLock { current in
            current?.stop()
            current = nil
        }
    }

    /// Whether the private stream is subscribed now, Bybit's last refusal on it, and its subscriptions so far.
    public var privateStreamSubscribed: Bool { stream.withLock { $0?.isSubscribed ?? false } }
    public var privateStreamProblem: String? { stream.withLock { $0?.problem } }
    public var privateStreamSessions: Int { stream.withLock { $0?.sessions ?? 0 } }
    /// REST catch-ups finished (one after each subscription of the private stream).
    public var catchUps: Int { state.withLock { $0.catchUps } }

    /// The venue's time against the middle of the round trip.
    public func measureClock() async throws {
        let sent = clock.now()
        let result = try await send(BybitRequestBuilder.serverTime(), what: "market/time")
        let received = clock.now()
        let server = try BybitTrading.serverTime(result).nanoseconds / 1_000_000
        let middle = (sent.nanoseconds + received.nanoseconds) / 2 / 1_000_000
        state.withLock { $0.offsetMillis = server - middle }
    }

    public var clockOffsetMillis: Int64 { state.withLock { $0.offsetMillis } }

    func venueNow(_ offset: Int64) -> Timestamp { clock.now().adding(.milliseconds(offset)) }
    var venueTime: Timestamp { venueNow(clockOffsetMillis) }

    // MARK: ExecutionClient

    public func submit(_ order: OrderRequest) { Task { await self.place(order) } }

    public func cancel(_ clientOrderId: String, on venue: VenueId) { Task { await self.cancelOrder(clientOrderId) } }

    public func query(_ clientOrderId: String, on venue: VenueId) async throws -> OrderQueryAnswer {
        let symbols = tracker.symbol(of: clientOrderId).map { [$0] } ?? settings.symbols
        for symbol in symbols {
            guard let found = try await findOrder(clientOrderId, symbol: symbol) else { continue }
            tracker.track(clientOrderId, symbol: symbol)
            return .found(found.executionReport(symbol: symbol, venue: settings.venue,
                                                executions: try await executions(of: found, symbol: symbol)))
        }
        return .unknown
    }

    public func openOrders(on venue: VenueId) async throws -> [ExecutionReport] {
        try await openOrders().compactMap { order in
            guard let symbol = venueSymbol(order.symbol) else { return nil }
            tracker.track(order.orderLinkId, symbol: symbol)
            return order.executionReport(symbol: symbol, venue: settings.venue, executions: [])
        }
    }

    /// Each coin's wallet balance in the UNIFIED account (before unrealised PnL).
    public func balances(on venue: VenueId) async throws -> [Asset: FixedDecimal] {
        try await wallet().walletBalances
    }

    /// Every order open on the account in the desk's symbols, canceled (`order/cancel-all` per symbol); their ends
    /// come as updates.
    public func cancelOpenOrders(on venue: VenueId) async throws -> [String] {
        let open = try await openOrders()
        var canceled: [String] = []
        for symbol in settings.symbols {
            let name = BybitSettings.instrument(symbol)
            let mine = open.filter { $0.symbol == name }
            guard !mine.isEmpty else { continue }
            _ = try await signed("order/cancel-all \(name)") { self.builder.cancelAll(symbol: name, at: $0) }
            for order in mine {
                tracker.track(order.orderLinkId, symbol: symbol)
                canceled.append(order.orderLinkId)
                if let found = try? await findOrder(order.orderLinkId, symbol: symbol) {
                    post(tracker.order(found, executions: (try? await executions(of: found, symbol: symbol)) ?? []))
                }
            }
        }
        return canceled
    }

    // MARK: Account

    func openOrders() async throws -> [BybitOrder] {
        let result = try await signed("order/realtime open") { self.builder.openOrders(at: $0) }
        return try BybitTrading.orderList(result).filter(\.isOpen)
    }

    public func wallet() async throws -> BybitWallet {
        try BybitTrading.wallet(try await signed("account/wallet-balance") { self.builder.walletBalance(at: $0) })
    }

    /// Positions in the desk's symbols (`position/list` by symbol: flat rows too, both sides in hedge mode).
    public func positions() async throws -> [BybitPosition] {
        var rows: [BybitPosition] = []
        for symbol in settings.symbols {
            let name = BybitSettings.instrument(symbol)
            rows += try BybitTrading.positions(try await signed("position/list \(name)") { self.builder.positions(symbol: name, at: $0) })
        }
        return rows
    }

    /// What the key may do, as Bybit says of it (`user/query-api`): read only or not, and its permission groups.
    public func keyPermissions() async throws -> BybitKeyPermissions {
        try BybitTrading.keyPermissions(try await signed("user/query-api") { self.builder.apiKeyInfo(at: $0) })
    }

    public func takerRate(_ symbol: Symbol) async throws -> FixedDecimal {
        let name = BybitSettings.instrument(symbol)
        return try BybitTrading.takerRate(try await signed("account/fee-rate \(name)") { self.builder.feeRate(symbol: name, at: $0) })
    }

    // MARK: Requests

    /// A signed request at the venue's time; a 10002 (outside the window) re-measures the clock and goes once more.
    func signed(_ what: String, _ build: @Sendable (Timestamp) -> BybitRequest) async throws -> [UInt8] {
        do {
            return try await send(build(venueTime), what: what)
        } catch let error as BybitError where error.clockOutOfWindow {
            logger.warning("\(settings.venue): \(error); measuring Bybit's clock again")
            try await measureClock()
            return try await send(build(venueTime), what: what)
        }
    }

    /// Sends unless Bybit's limit holds requests; reads the limit headers; a refusal is a `BybitError` (the body's
    /// retCode, or the bare HTTP status of a 403 or a 5XX without an envelope).
    func send(_ request: BybitRequest, what: String) async throws -> [UInt8] {
        if let hold = state.withLock({ $0.limits.hold(at: clock.now()) }) {
            throw BybitRateLimitHold(request: what, until: hold.until, reason: hold.reason)
        }
        let call = HTTPCall(request.method == "POST" ? .POST : .GET, settings.restURL + request.target,
                            headers: request.headers, body: request.body.isEmpty ? nil : Array(request.body.utf8),
                            timeout: settings.requestTimeout)
        let answer = try await http.send(call)
        let path = String(request.target.prefix { $0 != "?" })
        let now = clock.now()
        state.withLock { $0.limits.observe(answer, path: path, offsetMillis: $0.offsetMillis, at: now) }
        if answer.status == 403 {
            state.withLock { $0.limits.banned(at: now) }
            throw BybitError(retCode: nil, message: Self.text(answer.body), httpStatus: 403, request: what)
        }
        do {
            return try BybitTrading.result(answer.body, httpStatus: answer.status, request: what)
        } catch let error as BybitError {
            if error.retCode == 10006 { state.withLock { $0.limits.tooManyVisits(path: path, at: now) } }
            throw error
        } catch where answer.status != 200 {
            // No envelope: a bare 5XX (or 401) is told by its status.
            throw BybitError(retCode: nil, message: Self.text(answer.body), httpStatus: answer.status, request: what)
        }
    }

    /// An answer's text for an error: short, and only what Bybit wrote (it never echoes a secret).
    static func text(_ body: [UInt8]) -> String { String(decoding: body.prefix(200), as: UTF8.self) }

    func venueSymbol(_ name: String) -> Symbol? { settings.symbols.first { BybitSettings.instrument($0) == name } }

    func post(_ updates: [OrderUpdate]) {
        guard !updates.isEmpty, let inbox = state.withLock({ $0.inbox }) else { return }
        for update in updates { inbox.post(update) }
    }

    var inbox: VenueInbox? { state.withLock { $0.inbox } }

    public func rateLimitUsage(at now: Timestamp) -> [RateLimitUsage] { state.withLock { $0.limits.usage(at: now) } }
}

/// The venue's clock (local time plus the measured offset): the private stream's auth `expires` is Bybit's time.
struct VenueClock: DexterCore.Clock {
    let execution: BybitExecution
    func now() -> Timestamp { execution.venueTime }
}
