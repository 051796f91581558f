import DexterCore
import DexterNet
import Logging
import Synchronization

/// Where the feed learns of new heads.
public enum HeadSource: Sendable, Hashable, CustomStringConvertible {
    /// Polled every `poll_ms`: no subscription configured, not yet live, or failed (why).
    case polling(reason: String)
    /// Pushed by a live `newHeads` subscription at `endpoint` (redacted).
    case subscribed(endpoint: String)

    public var isSubscribed: Bool { if case .subscribed = self { true } else { false } }

    public var description: String {
        switch self {
        case .polling(let reason): "polling (\(reason))"
        case .subscribed(let endpoint): "new heads pushed by \(endpoint)"
        }
    }
}

/// A chain's `eth_subscribe("newHeads")` over one WebSocket, kept through DexterNet's WebSocketLink (reconnects with
/// backoff). Every head it is pushed goes to `signal`, which wakes the feed. A refused connection, a close, a message
/// that is not geth's documented shape, or no head for `silence` ends the subscription: the feed polls meanwhile,
/// the trader is told once per failure, and the link tries the next of the chain's WebSocket URLs (at once), or the
/// same one after its backoff when it has only one or all have failed.
final class HeadSubscription: Sendable {
    let endpoints: [RPCEndpoint]
    let signal = HeadSignal()
    private let silence: Duration
    private let link: WebSocketLink
    private let logger: Logger
    private let chain: ChainId

    private struct State {
        var source: HeadSource
        var nextId = 1
        var subscribeId: Int?
        var subscription: String?
        /// When eth_subscribe went out, or the last head came.
        var lastHeard = ContinuousClock.now
        /// The current failure was told; cleared once subscribed again.
        var told = false
        var headsPushed = 0
        /// Times the subscription failed and the feed fell back to polling (each told once).
        var failures = 0
        var lastFailure: String?
    }
    private let state: Mutex<State>

    init(_ settings: HeadSubscriptionSettings, chain: ChainId, logger: Logger) throws(EVMRPCError) {
        guard let first = settings.urls.first else { throw .badURL("no WebSocket URL to subscribe at") }
        endpoints = try settings.urls.map { url throws(EVMRPCError) in try RPCEndpoint(webSocket: url) }
        silence = settings.silence
        self.chain = chain
        self.logger = logger
        var socket = WebSocketSettings(url: first, pingEvery: .seconds(20), maxMessageBytes: 1 << 20,
                                       backoff: Backoff(first: .milliseconds(500), cap: .seconds(30)),
                                       stableAfter: .seconds(60))
        socket.alternateURLs = Array(settings.urls.dropFirst())
        link = WebSocketLink(settings: socket, logger: logger)
        state = Mutex(State(source: .polling(reason: "subscribing to new heads at \(endpoints[0].redacted)")))
    }

    /// The URL connected, or tried next.
    var endpoint: RPCEndpoint { endpoints[link.currentIndex] }

    var source: HeadSource { state.withLock { $0.source } }
    var headsPushed: Int { state.withLock { $0.headsPushed } }
    var failures: Int { state.withLock { $0.failures } }
    var lastFailure: String? { state.withLock { $0.lastFailure } }

    /// Keeps the subscription until cancelled.
    func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.link.run(HeadListener(subscription: self)) }
            group.addTask { await self.watchSilence() }
            await group.waitForAll()
        }
    }

    fileprivate func opened(_ link: WebSocketLink) async throws {
        let id = state.withLock { state in
            defer { state.nextId += 1 }
            state.subscribeId = state.nextId
            state.subscription = nil
            state.lastHeard = .now
            return state.nextId
        }
        try await link.send(HeadMessage.subscribeRequest(id: id))
    }

    fileprivate func received(_ bytes: [UInt8]) {
        let message: HeadMessage
        do { message = try HeadMessage.decode(bytes, endpoint: endpoint.redacted) } catch {
            return fail("a malformed message: \(error)", drop: true)
        }
        switch message {
        case .answer(let id, let result):
            guard id == state.withLock({ $0.subscribeId }) else { return }  // eth_unsubscribe's answer, say
            guard case .string(let subscription) = result, !subscription.isEmpty else {
                return fail("eth_subscribe answered \(result.kind), not a subscription id", drop: true)
            }
            state.withLock { state in
                state.subscription = subscription
                state.lastHeard = .now
                state.source = .subscribed(endpoint: endpoint.redacted)
                state.told = false
            }
            // Blocks mined while there was no subscription are pushed by none: one poll catches up.
            signal.nudge()
            logger.info("\(chain): new heads pushed by \(endpoint.redacted); polling only if the subscription fails")
        case .refused(let id, _, let message):
            let ours = state.withLock { $0.subscribeId }
            guard id == nil || id == ours else { return }
            fail("the node refused eth_subscribe(newHeads): \(endpoint.scrub(message))", drop: true)
        case .head(let subscription, let header):
            let current = state.withLock { state -> Bool in
                guard state.subscription == subscription else { return false }
                state.lastHeard = .now
                state.headsPushed += 1
                return true
            }
            // A notification of a subscription not (or no longer) ours: a late one of the connection before.
            if current { signal.post(header) }
        }
    }

    fileprivate func closed(reason: String, retryIn: Duration?) {
        guard retryIn != nil else { return }
        fail(reason, drop: false)
    }

    /// The subscription is over: the feed polls from now on; told once until subscribed again.
    private func fail(_ reason: String, drop: Bool) {
        let text = "\(endpoint.redacted): \(endpoint.scrub(reason))"
        let tell = state.withLock { state -> Bool in
            state.subscription = nil
            state.subscribeId = nil
            guard !state.told else { return false }
            state.told = true
            state.failures += 1
            state.lastFailure = text
            state.source = .polling(reason: "the newHeads subscription failed: \(text)")
            return true
        }
        signal.nudge()
        if tell { logger.warning("\(chain): polling for new heads every poll_ms: the newHeads subscription failed: \(text)") }
        if drop { Task { await link.drop(reason: "dexter: \(reason.prefix(60))") } }
    }

    /// A live subscription silent for longer than `silence`, or an eth_subscribe unanswered that long, is dead.
    private func watchSilence() async {
        let step = max(silence / 4, .milliseconds(20))
        while !Task.isCancelled {
            try? await Task.sleep(for: step)
            let silent = state.withLock { state -> String? in
                guard state.subscribeId != nil, ContinuousClock.now - state.lastHeard > silence else { return nil }
                return state.subscription == nil ? "no answer to eth_subscribe in \(silence)" : "no new head for \(silence)"
            }
            if let silent { fail(silent, drop: true) }
        }
    }
}

private struct HeadListener: WebSocketListener {
    let subscription: HeadSubscription
    func opened(_ link: WebSocketLink) async throws { try await subscription.opened(link) }
    func received(_ message: [UInt8]) { subscription.received(message) }
    func closed(reason: String, retryIn: Duration?) { subscription.closed(reason: reason, retryIn: retryIn) }
}

/// Why the waiting feed wakes before its poll interval.
enum HeadWake: Sendable, Hashable {
    /// A head was pushed: follow to it.
    case head(BlockHeader)
    /// The subscription just failed or was just made: read the latest block now (none pushed covers the gap).
    case poll
}

/// Hands the newest wake to the one task that waits for it. Heads conflate (the follower reads every block between the
/// one it holds and the newest anyway); a poll outranks a head (it reads the latest, which is at least as new).
final class HeadSignal: Sendable {
    private struct Waiter {
        let id: Int
        let continuation: CheckedContinuation<HeadWake?, Never>
        var timer: Task<Void, Never>?
    }
    private struct State {
        var pending: HeadWake?
        var waiter: Waiter?
        var nextId = 0
        var cancelled: Set<Int> = []
    }
    private let state = Mutex(State())

    func post(_ header: BlockHeader) { wake(.head(header)) }

    /// Wakes the feed to poll now.
    func nudge() { wake(.poll) }

    private func wake(_ wake: HeadWake) {
        let waiter = state.withLock { state -> Waiter? in
            guard let waiter = state.waiter else {
                if state.pending != .poll { state.pending = wake }
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.timer?.cancel()
        waiter?.continuation.resume(returning: wake)
    }

    /// The wake pending since the last call, or the next within `timeout`; nil when none came (or cancelled).
    func next(within timeout: Duration) async -> HeadWake? {
        let id = state.withLock { state -> Int in
            state.nextId += 1
            return state.nextId
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<HeadWake?, Never>) in
                let ready = state.withLock { state -> HeadWake?? in
                    if let pending = state.pending {
                        state.pending = nil
                        return .some(pending)
                    }
                    if state.cancelled.remove(id) != nil { return .some(nil) }
                    state.waiter = Waiter(id: id, continuation: continuation)
                    return nil
                }
                if let ready { return continuation.resume(returning: ready) }
                let timer = Task { [weak self] in
                    try? await Task.sleep(for: timeout)
                    if !Task.isCancelled { self?.resume(id) }
                }
                let stillWaiting = state.withLock { state -> Bool in
                    guard state.waiter?.id == id else { return false }
                    state.waiter?.timer = timer
                    return true
                }
                if !stillWaiting { timer.cancel() }
            }
        } onCancel: {
            resume(id, cancelled: true)
        }
    }

    private func resume(_ id: Int, cancelled: Bool = false) {
        let waiter = state.withLock { state -> Waiter? in
            guard let waiter = state.waiter, waiter.id == id else {
                if cancelled { state.cancelled.insert(id) }
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.timer?.cancel()
        waiter?.continuation.resume(returning: nil)
    }
}
