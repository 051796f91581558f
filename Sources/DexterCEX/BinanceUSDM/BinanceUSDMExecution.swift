import DexterCore
import DexterMarket
import DexterNet
import DexterVenues
import Foundation
import Logging
import Synchronization

/// Where the account of a Binance USDⓈ-M venue is reached. Hosts default to Binance's production ones.
public struct BinanceUSDMExecutionSettings: Sendable {
    public var venue: VenueId
    /// The perpetuals the desk trades here, by dexter's symbol (`BTC/USDT:USDT`).
    public var symbols: [Symbol]
    public var restURL: String
    /// The user data stream's host: `<streamURL>/ws/<listenKey>`.
    public var streamURL: String
    public var requestTimeout: Duration
    public var recvWindow: Int
    /// REQUEST_WEIGHT per minute (exchangeInfo's, 2400) and ORDERS per 10 s and per minute (300, 1200) until
    /// `setLimits` reads the venue's own.
    public var weightPerMinute: Int
    public var ordersPer10s: Int
    public var ordersPerMinute: Int
    /// How often the listenKey is kept alive (Binance: valid 60 minutes; keep alive every 30–50).
    public var keepaliveEvery: Duration
    public var stream: WebSocketSettings?
    /// Income rows asked per request (Binance's most is 1,000): a longer history is read page after page.
    public var incomePageSize = 1_000

    public static let defaultRESTURL = "https://fapi.binance.com"
    public static let defaultStreamURL = "wss://fstream.binance.com"

    public init(venue: VenueId, symbols: [Symbol], restURL: String = Self.defaultRESTURL,
                streamURL: String = Self.defaultStreamURL, requestTimeout: Duration = .seconds(10), recvWindow: Int = 5_000,
                weightPerMinute: Int = 2_400, ordersPer10s: Int = 300, ordersPerMinute: Int = 1_200,
                keepaliveEvery: Duration = .seconds(30 * 60)) {
        self.venue = venue
        self.symbols = symbols
        self.restURL = restURL
        self.streamURL = streamURL
        self.requestTimeout = requestTimeout
        self.recvWindow = recvWindow
        self.weightPerMinute = weightPerMinute
        self.ordersPer10s = ordersPer10s
        self.ordersPerMinute = ordersPerMinute
        self.keepaliveEvery = keepaliveEvery
    }
}

/// Binance USDⓈ-M futures orders over signed REST: IOC limits under dexter's client order id (RESULT answers),
/// reduce-only when the order says so, cancels, queries by client id, open orders and the cancel-all sweep; the
/// account's wallet balances, positions and margin. An answer that never came (a timeout, a lost connection, a 5XX,
/// -1007) is not assumed lost: the order is found by its client id before anything is sent again. Requests carry
/// the venue's time (the measured offset); a -1021 re-measures it once. A 429 stops every request until its
/// Retry-After, a 418 (banned) likewise: the venue's budget (`gate`) is shared with its market data.
public final class BinanceUSDMExecution: ExecutionClient, Sendable {
    public let settings: BinanceUSDMExecutionSettings
    let builder: BinanceUSDMRequestBuilder
    let http: HTTPTransport
    public let gate: RateLimitGate
    let clock: any DexterCore.Clock
    let logger: Logger
    let tracker: BinanceUSDMOrderTracker
    let state: Mutex<ExecutionState>
    /// The user data stream, from `connect` to `stop` (it holds this client: `stop` ends the pair).
    private let stream = Mutex<BinanceUSDMUserStream?>(nil)
    private let fundingSince: Timestamp?

    struct ExecutionState {
        var inbox: VenueInbox?
        /// Server time minus local time, in ms.
        var offsetMillis: Int64 = 0
        var orderGates: BinanceUSDMOrderGates
    }

    /// `gate`: the venue's REQUEST_WEIGHT budget, shared with its market data (Binance counts weight per IP); nil
    /// makes one from `settings.weightPerMinute`. `fundingSince`: where reading funding income starts (the newest
    /// payment the ledger holds); nil: when the user data stream first connects.
    public init(settings: BinanceUSDMExecutionSettings, credentials: BinanceCredentials, gate: RateLimitGate? = nil,
                fundingSince: Timestamp? = nil, http: HTTPTransport = HTTPTransport(),
                clock: any DexterCore.Clock = WallClock(), logger: Logger = Logger(label: "dexter.binance-usdm")) {
        self.settings = settings
        self.fundingSince = fundingSince
        builder = BinanceUSDMRequestBuilder(credentials: credentials, recvWindow: settings.recvWindow)
        self.http = http
        self.gate = gate ?? RateLimitGate(limits: .init(weight: settings.weightPerMinute))
        self.clock = clock
        self.logger = logger
        tracker = BinanceUSDMOrderTracker(venue: settings.venue)
        state = Mutex(ExecutionState(orderGates: BinanceUSDMOrderGates(per10s: settings.ordersPer10s,
                                                                       perMinute: settings.ordersPerMinute)))
    }

    public var venueIds: [VenueId] { [settings.venue] }

    /// Measures the clock, then starts the user data stream (fills, ends, funding) into `inbox`.
    public func connect(_ inbox: VenueInbox) async throws {
        state.withLock { $0.inbox = inbox }
        try await measureClock()
        let started = stream.withLock { current -> BinanceUSDMUserStream in
            if let current { return current }
            let made = BinanceUSDMUserStream(execution: self, fundingSince: fundingSince, logger: logger)
            current = made
            return made
        }
        await started.start(into: inbox)
    }

    /// Closes the user data stream.
    public func stop() {
        stream.withLock { current in
            current?.stop()
            current = nil
        }
    }

    /// Whether the user data stream is connected now, the last problem with it, and how many connections it opened.
    public var userStreamConnected: Bool { stream.withLock { $0?.isConnected ?? false } }
    public var userStreamProblem: String? { stream.withLock { $0?.problem } }
    public var userStreamConnections: Int { stream.withLock { $0?.connections ?? 0 } }
    /// REST reconciles the user data stream finished (one after each of its connections).
    public var userStreamReconciles: Int { stream.withLock { $0?.reconciles ?? 0 } }

    /// The venue's time against the middle of the round trip.
    public func measureClock() async throws {
        let sent = clock.now()
        let answer = try await send(BinanceUSDMRequestBuilder.serverTime(), weight: 1)
        let received = clock.now()
        guard let server = BinanceCheck.serverTime(answer.body) else {
            throw BinanceVenueError.refused(status: answer.status, body: "no serverTime in \(settings.restURL)/fapi/v1/time")
        }
        let middle = (sent.nanoseconds + received.nanoseconds) / 2 / 1_000_000
        state.withLock { $0.offsetMillis = server - middle }
    }

    public var clockOffsetMillis: Int64 { state.withLock { $0.offsetMillis } }

    var venueTimestamp: Int64 { clock.now().nanoseconds / 1_000_000 + state.withLock { $0.offsetMillis } }

    /// Takes the account's order limits from `exchangeInfo.rateLimits` (ORDERS per 10 SECOND and per 1 MINUTE).
    public func setLimits(_ limits: [BinanceRateLimit]) {
        let orders = limits.filter { $0.type == "ORDERS" }
        guard let short = orders.first(where: { $0.interval == "SECOND" && $0.intervalCount == 10 })?.limit,
              let long = orders.first(where: { $0.interval == "MINUTE" && $0.intervalCount == 1 })?.limit else { return }
        state.withLock { $0.orderGates = BinanceUSDMOrderGates(per10s: short, perMinute: long) }
    }

    // MARK: ExecutionClient

    public func submit(_ order: OrderRequest) { Task { await self.place(order) } }

    public func cancel(_ clientOrderId: String, on venue: VenueId) { Task { await self.cancelOrder(clientOrderId) } }

    public func query(_ clientOrderId: String, on venue: VenueId) async throws -> OrderQueryAnswer {
        guard let symbol = tracker.symbol(of: clientOrderId) else {
            // An id of an earlier session: asked on every configured symbol.
            for symbol in settings.symbols {
                if let found = try await findOrder(clientOrderId, symbol: symbol) {
                    tracker.track(clientOrderId, symbol: symbol)
                    return .found(try await report(found, symbol: symbol))
                }
            }
            return .unknown
        }
        guard let found = try await findOrder(clientOrderId, symbol: symbol) else { return .unknown }
        return .found(try await report(found, symbol: symbol))
    }

    public func openOrders(on venue: VenueId) async throws -> [ExecutionReport] {
        let answer = try await signed(weight: 40) { self.builder.openOrders(symbol: nil, timestamp: $0) }
        return try BinanceUSDMTrading.orders(answer.body).compactMap { order in
            guard let symbol = venueSymbol(order.symbol) else { return nil }
            tracker.track(order.dexterClientOrderId, symbol: symbol)
            return order.executionReport(symbol: symbol, venue: settings.venue)
        }
    }

    /// Wallet balance per asset (`/fapi/v2/balance`): what the account holds before unrealized PnL.
    public func balances(on venue: VenueId) async throws -> [Asset: FixedDecimal] {
        let answer = try await signed(weight: 5) { self.builder.balance(timestamp: $0) }
        return try BinanceUSDMTrading.balances(answer.body)
    }

    /// Every order resting on the account in the desk's symbols, canceled: the open ones are read first (their ids
    /// are what the sweep returns), then `DELETE allOpenOrders` per symbol; their ends come as updates.
    public func cancelOpenOrders(on venue: VenueId) async throws -> [String] {
        var canceled: [String] = []
        for symbol in settings.symbols {
            let name = BinanceUSDMTrading.venueName(symbol)
            let open = try BinanceUSDMTrading.orders(try await signed(weight: 1) { self.builder.openOrders(symbol: name, timestamp: $0) }.body)
            guard !open.isEmpty else { continue }
            _ = try await signed(weight: 1) { self.builder.cancelAllOpenOrders(symbol: name, timestamp: $0) }
            for order in open {
                let id = order.dexterClientOrderId
                tracker.track(id, symbol: symbol)
                canceled.append(id)
                if let found = try? await findOrder(id, symbol: symbol) {
                    post(tracker.restUpdates(found, trades: try await tradesIfFilled(found, symbol: symbol), symbol: symbol))
                }
            }
        }
        return canceled
    }

    // MARK: Account

    /// The account's margin (`/fapi/v2/account`): wallet, margin balance, maintenance margin, whether it may trade.
    public func margin() async throws -> BinanceUSDMMargin {
        let answer = try await signed(weight: 5) { self.builder.account(timestamp: $0) }
        return try BinanceUSDMTrading.margin(answer.body)
    }

    /// The account's open positions (`/fapi/v2/positionRisk`, amounts not zero), dexter's symbols where they map.
    public func positions() async throws -> [BinanceUSDMPosition] {
        let answer = try await signed(weight: 5) { self.builder.positionRisk(timestamp: $0) }
        return try BinanceUSDMTrading.positions(answer.body, known: settings.symbols).filter { !$0.amount.isZero }
    }

    /// Whether the account is in hedge mode (`positionSide/dual`); dexter trades one-way mode only.
    public func isHedgeMode() async throws -> Bool {
        let answer = try await signed(weight: 30) { self.builder.positionMode(timestamp: $0) }
        return try BinanceUSDMTrading.isHedgeMode(answer.body)
    }

    /// The account's taker rate on `symbol`.
    public func takerRate(_ symbol: Symbol) async throws -> FixedDecimal {
        let answer = try await signed(weight: 20) {
            self.builder.commissionRate(symbol: BinanceUSDMTrading.venueName(symbol), timestamp: $0)
        }
        return try BinanceUSDMTrading.takerRate(answer.body)
    }

    /// Income rows of one type from `start` (inclusive), oldest first, each once. A full page (the desk was away
    /// long, or a large account) is followed by the next from its last row's time (inclusive: rows of that millisecond
    /// come again and count once by `tranId`), up to 100 pages a call; the rest is read on the next call.
    public func income(type: String, since start: Timestamp?) async throws -> [BinanceUSDMIncome] {
        var rows: [BinanceUSDMIncome] = [], seen = Set<Int64>(), from = start
        let size = settings.incomePageSize
        for _ in 0..<100 {
            let startTime = from.map { $0.nanoseconds / 1_000_000 }
            let answer = try await signed(weight: 30) {
                self.builder.income(type: type, startTime: startTime, limit: size, timestamp: $0)
            }
            let page = try BinanceUSDMTrading.income(answer.body).sorted { ($0.time, $0.tranId) < ($1.time, $1.tranId) }
            rows += page.filter { seen.insert($0.tranId).inserted }
            guard page.count >= size, let last = page.last?.time else { break }
            guard last != from else {
                // A whole page in one millisecond: time cannot move the window on; what is past it waits for the next.
                logger.warning("\(settings.venue): \(size) income rows in one millisecond at \(last); the rest is read later")
                break
            }
            from = last
        }
        return rows
    }

    /// A listenKey request (POST creates or extends, PUT keeps alive): the key.
    func listenKey(_ method: String) async throws -> String {
        let answer = try await send(builder.listenKey(method), weight: 1)
        return method == "POST" ? try BinanceUSDMTrading.listenKey(answer.body) : ""
    }

    // MARK: Requests

    /// A signed request at the venue's time; a -1021 (outside recvWindow) re-measures the clock and goes once more.
    func signed(weight: Int = 1, _ build: @Sendable (Int64) -> BinanceRequest) async throws -> HTTPAnswer {
        do {
            return try await send(build(venueTimestamp), weight: weight)
        } catch let failure as BinanceFailure where failure.retry == .afterClockResync {
            try await measureClock()
            return try await send(build(venueTimestamp), weight: weight)
        }
    }

    /// Through the venue's budget, refused at once when it is spent or stopped: an order waits for no window.
    func send(_ request: BinanceRequest, weight: Int) async throws -> HTTPAnswer {
        try await BinanceREST(baseURL: settings.restURL, http: http, gate: gate, clock: clock, timeout: settings.requestTimeout,
                              classify: { BinanceUSDMErrors.failure(code: $0, message: $1, httpStatus: $2, retryAfterSeconds: $3) })
            .send(request, weight: weight, waitForBudget: false)
    }

    func venueSymbol(_ name: String) -> Symbol? { BinanceUSDMTrading.symbol(name, known: settings.symbols) }

    func post(_ updates: [OrderUpdate]) {
        guard let inbox = state.withLock({ $0.inbox }) else { return }
        for update in updates { inbox.post(update) }
    }

    var inbox: VenueInbox? { state.withLock { $0.inbox } }
}

extension BinanceUSDMExecution: FundingReporting {}

extension BinanceUSDMExecution: MarginReporting {
    /// The venue's own positions (`positionRisk`) and margin (`account`): what the margin buffer weighs beside the
    /// desk's model. A position in a symbol dexter cannot name is left out; a zero liquidation price (none) is nil.
    public func margin(on venue: VenueId) async throws -> VenueMargin {
        let account = try await margin()
        let held = try await positions().compactMap { position -> VenueMargin.Position? in
            guard let symbol = position.symbol else { return nil }
            return VenueMargin.Position(symbol: symbol, size: position.amount, entryPrice: position.entryPrice,
                                        markPrice: position.markPrice,
                                        liquidationPrice: position.liquidationPrice.isZero ? nil : position.liquidationPrice)
        }
        return VenueMargin(venue: settings.venue, positions: held, maintenanceMargin: account.totalMaintMargin,
                           marginBalance: account.totalMarginBalance, at: clock.now())
    }
}

extension BinanceUSDMExecution: AccountChecking {
    /// The clock, the account's permission to trade, its taker rate, wallet balances, and its position mode: an
    /// account in hedge mode is refused (`BinanceUSDMAccountError.hedgeMode`).
    public func checkAccount() async throws -> AccountCheck {
        try await measureClock()
        if try await isHedgeMode() { throw BinanceUSDMAccountError.hedgeMode(venue: settings.venue) }
        let margin = try await margin()
        var taker: FixedDecimal?
        if let first = settings.symbols.first { taker = try await takerRate(first) }
        return AccountCheck(venue: settings.venue, canTrade: margin.canTrade, canWithdraw: nil, takerFee: taker,
                            clockOffset: .milliseconds(clockOffsetMillis),
                            balances: margin.walletBalances.filter { !$0.value.isZero })
    }
}

extension BinanceUSDMExecution: RateLimitReporting {
    /// The request weight of this minute and the orders of the fullest order window, against Binance's limits.
    public func rateLimitUsage(at now: Timestamp) -> [RateLimitUsage] {
        let gates = state.withLock { $0.orderGates }
        // A 429's or a 418's stop holds every request, orders too.
        let held = gate.stoppedUntil(at: now)
        return [RateLimitUsage(name: "api", used: gate.used(at: now), limit: gate.limits.weight, heldUntil: held),
                gates.usage(at: now, heldUntil: held)]
    }
}
