import DexterCore
import DexterNet
import DexterVenues
import Logging
import Synchronization

/// The account's orders over Kraken's authenticated WebSocket v2 (`wss://ws-auth.kraken.com/v2`): on every connection
/// a fresh token (`GetWebSocketsToken`: one must be used within 15 minutes; a subscription made with it keeps it
/// valid), then `subscribe` to `executions` with `snap_orders` and `snap_trades` (the last 50 fills). Each report
/// becomes the seam's updates — accepted with Kraken's order id, each `trade` with its own exec id, price, quantity,
/// fee and fee asset, the end — through the tracker the REST path shares, so a fill told by both (or by a snapshot
/// again) is counted once. Kraken sends a heartbeat every second while subscribed: a connection silent for `silence`
/// is replaced. After a drop it subscribes again with a new token and reads back from REST (`TradesHistory` since the
/// drop) what filled meanwhile.
final class KrakenPrivateStream: Sendable {
    private let venue: VenueId
    private let link: WebSocketLink
    private let logger: Logger
    private let silence: Duration
    private let token: @Sendable () async throws -> String
    private let updates: @Sendable (KrakenExecutionReport) -> [OrderUpdate]
    private let readMissing: @Sendable (KrakenExecutionReport) -> Void
    private let readBack: @Sendable (Timestamp) async -> Void
    private let clock: any DexterCore.Clock
    private let state = Mutex(StreamState())

    struct StreamState {
        var inbox: VenueInbox?
        var task: Task<Void, Never>?
        var watcher: Task<Void, Never>?
        var subscribed = false
        var sessions = 0
        var problem: String?
        var lastHeard = ContinuousClock.now
        /// When the last subscribed connection was lost: what the next one reads back from.
        var downSince: Timestamp?
    }

    init(venue: VenueId, settings: WebSocketSettings, silence: Duration, clock: any DexterCore.Clock, logger: Logger,
         token: @escaping @Sendable () async throws -> String,
         updates: @escaping @Sendable (KrakenExecutionReport) -> [OrderUpdate],
         readMissing: @escaping @Sendable (KrakenExecutionReport) -> Void,
         readBack: @escaping @Sendable (Timestamp) async -> Void) {
        self.venue = venue
        link = WebSocketLink(settings: settings, logger: logger)
        self.silence = silence
        self.clock = clock
        self.logger = logger
        self.token = token
        self.updates = updates
        self.readMissing = readMissing
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

    func start(into inbox: VenueInbox) {
        state.withLock { state in
            state.inbox = inbox
            guard state.task == nil else { return }
            let listener = KrakenPrivateListener(stream: self)
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

    // MARK: The connection

    func opened() async throws {
        state.withLock { state in
            state.subscribed = false
            state.lastHeard = .now
            state.watcher?.cancel()
            state.watcher = Task { [weak self] in await self?.watch() }
        }
        let token: String
        do { token = try await self.token() } catch {
            let problem = "no WebSocket token from Kraken: \(error)"
            state.withLock { $0.problem = problem }
            logger.error("\(venue): \(problem)")
            throw error
        }
        let subscribe = #"{"method":"subscribe","params":{"channel":"executions","token":"# + OKXJSON.string(token)
            + #","snap_orders":true,"snap_trades":true},"req_id":1}"#
        try await link.send(subscribe)
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
            logger.warning("\(venue): private stream closed (\(reason)); fills are learned by query until it is back")
        }
    }

    /// A connection silent for `silence` (not even a heartbeat) is replaced.
    private func watch() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: silence / 4)
            guard !Task.isCancelled else { return }
            let quiet = ContinuousClock.now - state.withLock { $0.lastHeard }
            if quiet >= silence {
                logger.warning("\(venue): private stream silent for \(quiet); reconnecting")
                await link.reconnect()
                return
            }
        }
    }

    func received(_ bytes: [UInt8]) {
        state.withLock { $0.lastHeard = .now }
        let message: KrakenPrivateMessage
        do { message = try KrakenTrading.privateMessage(bytes) } catch {
            logger.warning("\(venue): unreadable private message: \(error)")
            return
        }
        switch message {
        case .heartbeat, .other:
            break
        case .status(let system):
            if system != "online" { logger.warning("\(venue): Kraken's engine says \(system)") }
        case .answer(let answer):
            guard answer.method == "subscribe" else { return }
            guard answer.success else {
                let failure = KrakenErrors.failure(answer.error)
                let problem = "Kraken refused the executions subscription: \(failure.failure) (\(answer.error ?? "no error given"))"
                state.withLock {
                    $0.subscribed = false
                    $0.problem = problem
                }
                return logger.error("\(venue): \(problem)")
            }
            let since = state.withLock { state -> Timestamp? in
                state.subscribed = true
                state.sessions += 1
                state.problem = nil
                defer { state.downSince = nil }
                return state.downSince
            }
            logger.info("\(venue): private stream subscribed to executions")
            if let since { Task { await self.readBack(since) } }
        case .executions(_, let reports, _):
            guard let inbox = state.withLock({ $0.inbox }) else { return }
            for report in reports {
                for update in updates(report) { inbox.post(update) }
                readMissing(report)
            }
        }
    }
}

struct KrakenPrivateListener: WebSocketListener {
    let stream: KrakenPrivateStream
    func opened(_ link: WebSocketLink) async throws { try await stream.opened() }
    func received(_ message: [UInt8]) { stream.received(message) }
    func closed(reason: String, retryIn: Duration?) { stream.closed(reason) }
}
