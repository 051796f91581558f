import DexterCore
import DexterNet
import DexterVenues
import Logging
import Synchronization

/// The account's executions over Bybit's private WebSocket (`/v5/private`): on every connection `auth` (expires =
/// now + 10 s, signed "GET/realtime" + expires), then, once Bybit says authorised, `subscribe` to
/// `execution.linear` and `order.linear`. A row of `execType` Funding is posted to the desk as a `FundingPayment`, once per `execId`;
/// every fill row goes to `fills` (the order tracker's), also once per `execId`. Bybit sends no snapshot of private
/// topics: what happened while the stream was down is read over REST (`/v5/execution/list` since the last row seen),
/// which `since` gives. `{"op":"ping"}` every 20 s keeps the connection.
public final class BybitPrivateStream: Sendable {
    private let venue: VenueId
    private let link: WebSocketLink
    private let logger: Logger
    private let clock: any DexterCore.Clock
    private let builder: BybitRequestBuilder
    private let fills: @Sendable (BybitExecutionRow) -> Void
    private let orders: @Sendable (BybitOrder) -> Void
    private let subscribedNow: @Sendable (Int) -> Void
    private let state = Mutex(StreamState())

    struct StreamState {
        var inbox: VenueInbox?
        var symbols: [String: Symbol] = [:]
        var task: Task<Void, Never>?
        var subscribed = false
        /// Connections on which the topic was subscribed, this one included.
        var sessions = 0
        var problem: String?
        /// Auths refused in a row: how long to wait before the next connection.
        var authRefusals = 0
        var seen: Set<String> = []
        /// The newest execution time seen: where a REST reconcile starts after a reconnect.
        var lastExecTime: Timestamp?
    }

    public init(venue: VenueId, url: String, credentials: BybitCredentials, symbols: [Symbol], stream: WebSocketSettings? = nil,
                clock: any DexterCore.Clock = WallClock(), logger: Logger = Logger(label: "dexter.bybit.private"),
                fills: @escaping @Sendable (BybitExecutionRow) -> Void = { _ in },
                orders: @escaping @Sendable (BybitOrder) -> Void = { _ in },
                subscribed: @escaping @Sendable (Int) -> Void = { _ in }) {
        var settings = stream ?? WebSocketSettings(url: url, pingEvery: .seconds(20))
        settings.url = url
        settings.keepaliveText = #"{"op":"ping"}"#
        if settings.pingEvery == nil || settings.pingEvery! > .seconds(20) { settings.pingEvery = .seconds(20) }
        self.venue = venue
        self.link = WebSocketLink(settings: settings, logger: logger)
        self.logger = logger
        self.clock = clock
        self.builder = BybitRequestBuilder(credentials: credentials)
        self.fills = fills
        self.orders = orders
        self.subscribedNow = subscribed
        state.withLock { state in
            for symbol in symbols { state.symbols[BybitSettings.instrument(symbol)] = symbol }
        }
    }

    deinit { state.withLock { $0.task?.cancel() } }

    public var isSubscribed: Bool { state.withLock { $0.subscribed } }
    public var sessions: Int { state.withLock { $0.sessions } }
    /// Bybit's last refusal (auth, subscribe), for health.
    public var problem: String? { state.withLock { $0.problem } }
    /// The newest execution time seen (nil before any).
    public var since: Timestamp? { state.withLock { $0.lastExecTime } }

    public func start(into inbox: VenueInbox) {
        state.withLock { state in
            state.inbox = inbox
            guard state.task == nil else { return }
            let listener = Listener(stream: self)
            let link = self.link
            state.task = Task { await link.run(listener) }
        }
    }

    public func stop() {
        state.withLock { state in
            state.task?.cancel()
            state.task = nil
            state.subscribed = false
        }
    }

    // MARK: The connection

    func opened() async throws {
        state.withLock { $0.subscribed = false }
        // Ten seconds ahead: a one-second margin fails on real networks ("Params Error").
        try await link.send(builder.webSocketAuth(expires: clock.now().adding(.seconds(10))))
    }

    func closed(_ reason: String) {
        state.withLock { $0.subscribed = false }
        logger.warning("\(venue): private stream closed (\(reason)); executions are read over REST until it is back")
    }

    func received(_ bytes: [UInt8]) {
        let message: BybitPrivateMessage
        do { message = try BybitTrading.privateMessage(bytes) } catch {
            logger.warning("\(venue): unreadable private message: \(error)")
            return
        }
        switch message {
        case .answer(let op, let success, let text) where !success:
            let refusals = state.withLock { state in
                state.problem = "Bybit refused \(op): \(text)"
                if op == "auth" { state.authRefusals += 1 }
                return state.authRefusals
            }
            logger.warning("\(venue): Bybit refused \(op) on the private stream: \(text)")
            // A refused auth leaves the connection useless: a new one later (a quarter second, doubling to 30 s, so
            // a wrong key does not hammer Bybit; a passing refusal heals by itself).
            if op == "auth" {
                let delay = Duration.milliseconds(min(30_000, 250 << min(refusals - 1, 7)))
                Task { [link] in
                    try? await Task.sleep(for: delay)
                    await link.reconnect()
                }
            }
        case .answer("auth", _, _):
            Task { [link] in try? await link.send(#"{"op":"subscribe","args":["execution.linear","order.linear"]}"#) }
        case .answer("subscribe", _, _):
            let sessions = state.withLock { state in
                state.subscribed = true
                state.sessions += 1
                state.problem = nil
                state.authRefusals = 0
                return state.sessions
            }
            // Bybit sends no snapshot of private topics: the owner catches up over REST on every subscription.
            subscribedNow(sessions)
        case .executions(let rows):
            for row in rows { take(row) }
        case .orders(let rows):
            for row in rows { orders(row) }
        case .answer, .other: break
        }
    }

    /// Each row once by `execId`: funding to the inbox as a payment, fills to the tracker.
    func take(_ row: BybitExecutionRow) {
        let (fresh, inbox, symbol) = state.withLock { state in
            let fresh = state.seen.insert(row.execId).inserted
            if fresh, state.lastExecTime.map({ $0 < row.time }) ?? true { state.lastExecTime = row.time }
            return (fresh, state.inbox, state.symbols[row.symbol])
        }
        guard fresh else { return }
        if row.isFunding {
            guard let inbox, let symbol else {
                logger.warning("\(venue): funding \(row.execId) on \(row.symbol), which the desk does not trade: not booked")
                return
            }
            if let payment = row.fundingPayment(venue: venue, symbol: symbol) { inbox.post(payment) }
        } else if row.isFill {
            fills(row)
        }
    }

    struct Listener: WebSocketListener {
        let stream: BybitPrivateStream
        func opened(_ link: WebSocketLink) async throws { try await stream.opened() }
        func received(_ message: [UInt8]) { stream.received(message) }
        func closed(reason: String, retryIn: Duration?) { stream.closed(reason) }
    }
}
