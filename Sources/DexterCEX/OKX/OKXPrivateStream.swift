import DexterCore
import DexterNet
import DexterVenues
import Logging
import Synchronization

/// The account's orders over OKX's private WebSocket (`/ws/v5/private`): on every connection, `login` (signed at the
/// venue's time), then, once OKX says logged in, `subscribe` to `orders` for SPOT. Each push becomes the seam's
/// updates — accepted with OKX's order id, each fill with its trade id, price, size and fee, the end — through the
/// tracker the REST path shares, so a fill told by both is counted once. OKX closes a connection after 30 s without
/// a message: dexter sends the text `ping` after `keepalive` of silence (OKX answers `pong`), and replaces a
/// connection that stays silent twice as long. After a drop it logs in and subscribes again; what happened meanwhile
/// the engine learns by asking for its silent orders.
final class OKXPrivateStream: Sendable {
    private let venue: VenueId
    private let link: WebSocketLink
    private let logger: Logger
    private let keepalive: Duration
    private let tracker: OKXOrderTracker
    /// The signed login op, made at the venue's time when a connection opens.
    private let login: @Sendable () -> String
    /// Measures the venue's clock again (a login refused for its timestamp).
    private let resyncClock: @Sendable () async -> Void
    /// Reads by query what a pushed order did that its pushes did not tell (fills before the stream joined).
    private let readMissing: @Sendable (OKXOrder) -> Void
    private let state = Mutex(StreamState())

    struct StreamState {
        var inbox: VenueInbox?
        var task: Task<Void, Never>?
        var pinger: Task<Void, Never>?
        var loggedIn = false
        var subscribed = false
        /// Connections on which the orders channel was subscribed, this one included.
        var sessions = 0
        var problem: String?
        var lastHeard = ContinuousClock.now
    }

    init(venue: VenueId, settings: WebSocketSettings, keepalive: Duration, tracker: OKXOrderTracker, logger: Logger,
         login: @escaping @Sendable () -> String, resyncClock: @escaping @Sendable () async -> Void,
         readMissing: @escaping @Sendable (OKXOrder) -> Void) {
        self.venue = venue
        self.link = WebSocketLink(settings: settings, logger: logger)
        self.keepalive = keepalive
        self.tracker = tracker
        self.logger = logger
        self.login = login
        self.resyncClock = resyncClock
        self.readMissing = readMissing
    }

    deinit {
        state.withLock {
            $0.task?.cancel()
            $0.pinger?.cancel()
        }
    }

    /// Whether the account's orders are flowing now; the last refusal when not.
    var isSubscribed: Bool { state.withLock { $0.subscribed } }
    var problem: String? { state.withLock { $0.problem } }
    var sessions: Int { state.withLock { $0.sessions } }

    func start(into inbox: VenueInbox) {
        state.withLock { state in
            state.inbox = inbox
            guard state.task == nil else { return }
            let listener = OKXPrivateListener(stream: self)
            state.task = Task { await self.link.run(listener) }
        }
    }

    func stop() {
        state.withLock { state in
            state.task?.cancel()
            state.task = nil
            state.pinger?.cancel()
            state.pinger = nil
            state.loggedIn = false
            state.subscribed = false
        }
    }

    // MARK: The connection

    func opened() async throws {
        state.withLock { state in
            state.loggedIn = false
            state.subscribed = false
            state.lastHeard = .now
            state.pinger?.cancel()
            state.pinger = Task { [weak self] in await self?.keepAlive() }
        }
        try await link.send(login())
    }

    func closed(_ reason: String) {
        state.withLock { state in
            state.loggedIn = false
            state.subscribed = false
            state.pinger?.cancel()
            state.pinger = nil
        }
        logger.warning("\(venue): private stream closed (\(reason)); fills are learned by query until it is back")
    }

    /// `ping` after `keepalive` of silence; a connection silent for twice that is replaced.
    private func keepAlive() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: keepalive / 2)
            guard !Task.isCancelled else { return }
            let silence = ContinuousClock.now - state.withLock { $0.lastHeard }
            if silence >= keepalive * 2 {
                logger.warning("\(venue): private stream silent for \(silence); reconnecting")
                await link.reconnect()
                return
            }
            if silence >= keepalive { try? await link.send("ping") }
        }
    }

    func received(_ bytes: [UInt8]) {
        state.withLock { $0.lastHeard = .now }
        let message: OKXPrivateMessage
        do { message = try OKXTrading.privateMessage(bytes) } catch {
            logger.warning("\(venue): unreadable private message: \(error)")
            return
        }
        switch message {
        case .pong, .other:
            break
        case .loggedIn:
            state.withLock {
                $0.loggedIn = true
                $0.problem = nil
            }
            Task { try? await self.link.send(#"{"op":"subscribe","args":[{"channel":"orders","instType":"SPOT"}]}"#) }
        case .subscribed(let channel):
            guard channel == "orders" else { return }
            state.withLock {
                $0.subscribed = true
                $0.sessions += 1
            }
            logger.info("\(venue): private stream logged in, orders subscribed")
        case .error(let code, let text):
            let failure = OKXErrors.failure(code: code, message: text)
            let problem = "OKX refused the private stream: \(failure.failure) (\(code) \(text))"
            state.withLock {
                $0.subscribed = false
                $0.problem = problem
            }
            logger.error("\(venue): \(problem)")
            // A login refused for its time (60004 / 60006): the next connection signs at the re-measured time.
            if failure.retry == .afterClockResync {
                Task {
                    await self.resyncClock()
                    await self.link.reconnect()
                }
            }
        case .notice(let code, let text):
            // 64008: the connection will close soon for a service upgrade: move now rather than lose pushes.
            logger.warning("\(venue): OKX notice \(code) \(text); reconnecting")
            Task { await link.reconnect() }
        case .orders(let orders):
            guard let inbox = state.withLock({ $0.inbox }) else { return }
            for order in orders {
                for update in tracker.pushUpdates(order) { inbox.post(update) }
                readMissing(order)
            }
        }
    }
}

struct OKXPrivateListener: WebSocketListener {
    let stream: OKXPrivateStream
    func opened(_ link: WebSocketLink) async throws { try await stream.opened() }
    func received(_ message: [UInt8]) { stream.received(message) }
    func closed(reason: String, retryIn: Duration?) { stream.closed(reason) }
}
