import DexterCore
import DexterNet
import DexterVenues
import Logging
import Synchronization

/// The account's user data over Binance's WebSocket API (the spot listenKey streams were discontinued on
/// 2026-02-20): one connection subscribed with `userDataStream.subscribe.signature`, which an HMAC key may use
/// without a session. Each `executionReport` becomes the seam's order update, so fills arrive without polling; the
/// account positions it pushes after each fill are kept as the venue's latest balances. After a drop it connects
/// and subscribes again; what happened meanwhile the engine learns by asking for its silent orders.
final class BinanceUserStream: Sendable {
    private let venue: VenueId
    private let link: WebSocketLink
    private let logger: Logger
    /// The signed subscription request, made at the venue's time when the connection opens.
    private let subscription: @Sendable (String) -> String
    /// Measures the venue's clock again: a subscription refused for its timestamp (-1021) is signed again after it.
    private let resyncClock: @Sendable () async throws -> Void
    private let state = Mutex(StreamState())

    struct StreamState {
        var inbox: VenueInbox?
        var task: Task<Void, Never>?
        var subscribed = false
        var requests = 0
        var problem: String?
        /// Subscriptions refused for the clock on this connection, each followed by a new measure and a new request.
        var clockRetries = 0
    }

    /// How many times one connection re-measures the clock and asks again after a -1021.
    static let clockRetryLimit = 3

    init(venue: VenueId, settings: WebSocketSettings, logger: Logger,
         resyncClock: @escaping @Sendable () async throws -> Void = {},
         subscription: @escaping @Sendable (String) -> String) {
        self.resyncClock = resyncClock
        self.venue = venue
        self.link = WebSocketLink(settings: settings, logger: logger)
        self.logger = logger
        self.subscription = subscription
    }

    deinit { state.withLock { $0.task?.cancel() } }

    /// Whether the account's events are flowing now; the last refusal when not.
    var isSubscribed: Bool { state.withLock { $0.subscribed } }
    var problem: String? { state.withLock { $0.problem } }

    func start(into inbox: VenueInbox) {
        state.withLock { state in
            state.inbox = inbox
            guard state.task == nil else { return }
            let listener = UserStreamListener(stream: self)
            state.task = Task { await self.link.run(listener) }
        }
    }

    func stop() {
        state.withLock { state in
            state.task?.cancel()
            state.task = nil
            state.subscribed = false
        }
    }

    // MARK: The connection

    func opened() async throws {
        state.withLock { $0.clockRetries = 0 }
        try await subscribe()
    }

    private func subscribe() async throws {
        let id = state.withLock { state -> String in
            state.requests += 1
            state.subscribed = false
            return "dexter-uds-\(state.requests)"
        }
        try await link.send(subscription(id))
    }

    func closed(_ reason: String) {
        state.withLock { $0.subscribed = false }
        logger.warning("\(venue): user data stream closed (\(reason)); fills are learned by query until it is back")
    }

    func received(_ bytes: [UInt8]) {
        let frame: BinanceWebSocketFrame
        do { frame = try BinanceTrading.webSocketFrame(bytes) } catch {
            logger.warning("\(venue): unreadable user data message: \(error)")
            return
        }
        switch frame {
        case .response(let response):
            if let error = response.error {
                let text = "Binance refused the user data subscription: \(error.code) \(error.message)"
                state.withLock {
                    $0.subscribed = false
                    $0.problem = text
                }
                logger.error("\(venue): \(text)")
                // Its timestamp was outside the server's window (a clock measured on a slow round trip): measure
                // again and ask again, a few times per connection.
                let retry = error.code == -1021 && state.withLock { state -> Bool in
                    guard state.clockRetries < Self.clockRetryLimit else { return false }
                    state.clockRetries += 1
                    return true
                }
                if retry {
                    Task {
                        try? await resyncClock()
                        try? await subscribe()
                    }
                }
            } else {
                state.withLock {
                    $0.subscribed = true
                    $0.problem = nil
                }
                logger.info("\(venue): user data stream subscribed")
            }
        case .event(_, let event):
            handle(event)
        }
    }

    private func handle(_ event: BinanceUserEvent) {
        switch event {
        case .executionReport(let report):
            guard let update = report.orderUpdate(venue: venue), let inbox = state.withLock({ $0.inbox }) else { return }
            inbox.post(update)
        case .streamTerminated:
            // Binance ended the subscription (the key was revoked, or the session expired): connect and ask again.
            state.withLock { $0.subscribed = false }
            Task { await link.reconnect() }
        case .accountPosition, .balanceUpdate, .other:
            // Balances are read by REST when the engine compares them with the ledger, once a booking is made.
            break
        }
    }
}

struct UserStreamListener: WebSocketListener {
    let stream: BinanceUserStream
    func opened(_ link: WebSocketLink) async throws { try await stream.opened() }
    func received(_ message: [UInt8]) { stream.received(message) }
    func closed(reason: String, retryIn: Duration?) { stream.closed(reason) }
}
