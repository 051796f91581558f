import DexterCore
import DexterNet
import DexterVenues
import Logging
import Synchronization

/// The account's orders on Coinbase's user WebSocket (`wss://advanced-trade-ws-user.coinbase.com`): on every
/// connection, within Coinbase's 5 s, a `subscribe` to `user` and one to `heartbeats` (one channel per message), each
/// with a fresh JWT (a JWT lives two minutes: a reconnect never reuses one). Heartbeats come once a second and keep the
/// subscriptions open ("most channels close within 60-90 seconds if no updates are sent"); a connection silent for
/// `silence` is replaced. The connection numbers every message it sends (`sequence_num`, from 0): a gap means a
/// message was lost, perhaps a `user` update, so the account's recent orders are read back by REST. So are they after
/// a reconnect, from when the stream was lost. The channel tells states, not trades: each update goes through the
/// execution's tracker, which reads fills by REST when the stream counts more than was told.
final class CoinbasePrivateStream: Sendable {
    private let venue: VenueId
    private let link: WebSocketLink
    private let logger: Logger
    private let silence: Duration
    private let clock: any DexterCore.Clock
    private let jwt: @Sendable () throws -> String
    private let streamed: @Sendable (CoinbaseStreamOrder) -> Void
    private let readBack: @Sendable (Timestamp) async -> Void
    private let state = Mutex(StreamState())

    struct StreamState {
        var task: Task<Void, Never>?
        var watcher: Task<Void, Never>?
        var subscribed = false
        var sessions = 0
        var gaps = 0
        /// Subscribes refused in a row (each waits longer before the next connection).
        var refusals = 0
        var problem: String?
        var lastHeard = ContinuousClock.now
        var lastSequence: UInt64?
        /// When the last subscribed connection was lost: what the next one reads back from.
        var downSince: Timestamp?
    }

    init(venue: VenueId, settings: WebSocketSettings, silence: Duration, clock: any DexterCore.Clock, logger: Logger,
         jwt: @escaping @Sendable () throws -> String, streamed: @escaping @Sendable (CoinbaseStreamOrder) -> Void,
         readBack: @escaping @Sendable (Timestamp) async -> Void) {
        self.venue = venue
        link = WebSocketLink(settings: settings, logger: logger)
        self.silence = silence
        self.clock = clock
        self.logger = logger
        self.jwt = jwt
        self.streamed = streamed
        self.readBack = readBack
    }

    deinit {
        state.withLock {
            $0.task?.cancel()
            $0.watcher?.cancel()
        }
    }

    var isSubscribed: Bool { state.withLock { $0.subscribed } }
    var problem: String? { state.withLock { $0.problem } }
    var sessions: Int { state.withLock { $0.sessions } }
    /// How many sequence gaps were seen (each read back by REST).
    var gaps: Int { state.withLock { $0.gaps } }

    func start() {
        state.withLock { state in
            guard state.task == nil else { return }
            let listener = CoinbasePrivateListener(stream: self)
            state.task = Task { await self.link.run(listener) }
        }
    }

    func stop() {
        state.withLock { state in
            state.task?.cancel()
            state.task = nil
            state.watcher?.cancel()
            state.watcher = nil
            state.subscribed = false
        }
    }

    /// Drops the connection (a test's lost stream; a resync): `run` connects again at once.
    func reconnect() async { await link.reconnect() }

    /// `user` then `heartbeats`, each with its own fresh JWT.
    static func subscribe(_ channel: String, jwt: String) -> String {
        #"{"type":"subscribe","channel":"# + OKXJSON.string(channel) + #","jwt":"# + OKXJSON.string(jwt) + "}"
    }

    func opened() async throws {
        state.withLock { state in
            state.lastHeard = .now
            state.lastSequence = nil
            state.watcher?.cancel()
            state.watcher = Task { await self.watch() }
        }
        for channel in ["user", "heartbeats"] {
            let token: String
            do { token = try jwt() } catch {
                let problem = "no JWT for the user stream: \(error)"
                state.withLock { $0.problem = problem }
                logger.error("\(venue): \(problem)")
                throw error
            }
            try await link.send(Self.subscribe(channel, jwt: token))
        }
    }

    func closed(_ reason: String) {
        let wasSubscribed = state.withLock { state in
            defer {
                state.subscribed = false
                state.watcher?.cancel()
                state.watcher = nil
            }
            if state.subscribed, state.downSince == nil { state.downSince = clock.now() }
            return state.subscribed
        }
        if wasSubscribed {
            logger.warning("\(venue): user stream closed (\(reason)); orders are followed by query until it is back")
        }
    }

    /// A connection silent for `silence` (not even a heartbeat) is replaced.
    private func watch() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: silence / 4)
            guard !Task.isCancelled else { return }
            let quiet = ContinuousClock.now - state.withLock { $0.lastHeard }
            if quiet >= silence {
                logger.warning("\(venue): user stream silent for \(quiet); reconnecting")
                await link.reconnect()
                return
            }
        }
    }

    func received(_ bytes: [UInt8]) {
        state.withLock { $0.lastHeard = .now }
        let message: CoinbasePrivateMessage
        do { message = try CoinbaseTrading.privateMessage(bytes) } catch {
            logger.warning("\(venue): unreadable user stream message: \(error)")
            return
        }
        // The connection's counter: one more than the last, or a message was lost.
        if let sequence = message.sequence {
            let gap = state.withLock { state -> Bool in
                defer { state.lastSequence = max(state.lastSequence ?? 0, sequence) }
                guard let last = state.lastSequence, sequence > last + 1 else { return false }
                state.gaps += 1
                return true
            }
            if gap {
                let since = clock.now().adding(.seconds(-60))
                logger.warning("\(venue): user stream skipped a sequence number; reading recent orders back by REST")
                Task { await self.readBack(since) }
            }
        }
        switch message {
        case .heartbeats, .other:
            break
        case .error(let text):
            // A refused subscribe (a JWT Coinbase did not take: the clock, the key): the connection is replaced after
            // a growing pause, and the next subscribe carries a fresh JWT.
            let problem = "Coinbase refused on the user stream: \(text)"
            let refusals = state.withLock { state -> Int in
                state.subscribed = false
                state.problem = problem
                state.refusals += 1
                return state.refusals
            }
            logger.error("\(venue): \(problem)")
            let pause = Backoff(first: .seconds(1), cap: .seconds(30)).delay(attempt: refusals - 1)
            Task {
                try? await Task.sleep(for: pause)
                // Unless a connection made meanwhile (the server may close after refusing) has subscribed.
                guard !self.state.withLock({ $0.subscribed }) else { return }
                await self.link.reconnect()
            }
        case .subscriptions(_, let channels):
            guard channels.contains("user") else { return }
            let since = state.withLock { state -> Timestamp? in
                guard !state.subscribed else { return nil }
                state.subscribed = true
                state.sessions += 1
                state.refusals = 0
                state.problem = nil
                defer { state.downSince = nil }
                return state.downSince
            }
            logger.info("\(venue): user stream subscribed")
            if let since { Task { await self.readBack(since) } }
        case .user(_, let events):
            for event in events {
                for order in event.orders { streamed(order) }
            }
        }
    }
}

struct CoinbasePrivateListener: WebSocketListener {
    let stream: CoinbasePrivateStream
    func opened(_ link: WebSocketLink) async throws { try await stream.opened() }
    func received(_ message: [UInt8]) { stream.received(message) }
    func closed(reason: String, retryIn: Duration?) { stream.closed(reason) }
}
