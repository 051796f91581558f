import DexterCore
import DexterNet
import DexterVenues
import Logging
import Synchronization

/// The account's user data stream on Binance USDⓈ-M: a listenKey (`POST /fapi/v1/listenKey`) kept alive by a PUT
/// every `keepaliveEvery`, the connection `<streamURL>/ws/<listenKey>`. ORDER_TRADE_UPDATE becomes the seam's order
/// updates (each trade once, with the REST path: `BinanceUSDMOrderTracker`); ACCOUNT_UPDATE with reason FUNDING_FEE
/// reads the funding paid or received (`BinanceUSDMFundingReader`). The link reconnects after a drop by itself; on
/// `listenKeyExpired`, or a keepalive answered -1125, a new key is made and connected. Events between a drop and the
/// reconnect are lost, so every (re)connection reconciles over REST: the session's unfinished orders, and the
/// funding rows since the newest one told.
final class BinanceUSDMUserStream: Sendable {
    private let execution: BinanceUSDMExecution
    private let funding: BinanceUSDMFundingReader
    private let base: WebSocketSettings
    private let logger: Logger
    private let state = Mutex(StreamState())

    struct StreamState {
        var inbox: VenueInbox?
        var key: String?
        var link: WebSocketLink?
        var linkTask: Task<Void, Never>?
        var keepaliveTask: Task<Void, Never>?
        var connected = false
        var renewing = false
        var connections = 0
        var reconciles = 0
        var problem: String?
    }

    init(execution: BinanceUSDMExecution, fundingSince: Timestamp?, logger: Logger) {
        self.execution = execution
        funding = BinanceUSDMFundingReader(execution: execution, since: fundingSince, logger: logger)
        base = execution.settings.stream ?? WebSocketSettings(url: "")
        self.logger = logger
    }

    deinit { stop() }

    var isConnected: Bool { state.withLock { $0.connected } }
    var problem: String? { state.withLock { $0.problem } }
    /// Connections opened so far (each one reconciled).
    var connections: Int { state.withLock { $0.connections } }
    /// Reconciles finished so far (one after each connection).
    var reconciles: Int { state.withLock { $0.reconciles } }

    func start(into inbox: VenueInbox) async {
        let first = state.withLock { state -> Bool in
            state.inbox = inbox
            return state.keepaliveTask == nil
        }
        guard first else { return }
        await funding.startIfUnset(at: Timestamp(milliseconds: execution.venueTimestamp))
        let every = execution.settings.keepaliveEvery
        let keepalive = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: every)
                guard let self, !Task.isCancelled else { return }
                await self.keepAlive()
            }
        }
        state.withLock { $0.keepaliveTask = keepalive }
        await renew(reason: "starting")
    }

    func stop() {
        state.withLock { state in
            state.keepaliveTask?.cancel()
            state.linkTask?.cancel()
            state.keepaliveTask = nil
            state.linkTask = nil
            state.link = nil
            state.connected = false
        }
    }

    /// A listenKey (the active one extended, or a new one), and a connection on it unless one is up on it already.
    func renew(reason: String) async {
        guard state.withLock({ state -> Bool in
            defer { state.renewing = true }
            return !state.renewing
        }) else { return }
        defer { state.withLock { $0.renewing = false } }
        var attempt = 0
        while !Task.isCancelled {
            do {
                let key = try await execution.listenKey("POST")
                connect(key: key, reason: reason)
                return
            } catch {
                state.withLock { $0.problem = "no listenKey: \(error)" }
                logger.warning("\(execution.settings.venue): no listenKey (\(error)); trying again")
                try? await Task.sleep(for: base.backoff.delay(attempt: attempt))
                attempt += 1
            }
        }
    }

    private func connect(key: String, reason: String) {
        var settings = base
        settings.url = execution.settings.streamURL + "/ws/" + key
        let link = WebSocketLink(settings: settings, logger: logger)
        let listener = BinanceUSDMUserListener(stream: self, key: key)
        state.withLock { state in
            guard state.key != key || state.linkTask == nil else { return }
            state.linkTask?.cancel()
            state.key = key
            state.link = link
            state.connected = false
            state.linkTask = Task { await link.run(listener) }
        }
        logger.info("\(execution.settings.venue): user data stream on a listenKey (\(reason))")
    }

    /// PUT keeps the key alive; -1125 (it no longer exists) makes a new one.
    private func keepAlive() async {
        do { _ = try await execution.listenKey("PUT") } catch let failure as BinanceFailure where failure.failure.venueCode == "-1125" {
            await renew(reason: "the listenKey no longer exists")
        } catch {
            logger.warning("\(execution.settings.venue): listenKey keepalive failed: \(error)")
        }
    }

    // MARK: The connection

    func opened(key: String) {
        state.withLock { state in
            state.connected = state.key == key
            state.connections += 1
            state.problem = nil
        }
        Task { await self.reconcile(key: key) }
    }

    /// After any (re)connection: the key may have expired while the link was down (a new one is then made and the
    /// link moved to it), and what happened meanwhile is read over REST.
    private func reconcile(key: String) async {
        if let current = try? await execution.listenKey("POST"), current != key {
            connect(key: current, reason: "the listenKey changed while the stream was down")
        }
        await execution.reconcileOrders()
        await funding.poll(into: state.withLock { $0.inbox })
        state.withLock { $0.reconciles += 1 }
    }

    func closed(key: String, reason: String) {
        state.withLock { if $0.key == key { $0.connected = false } }
        logger.warning("\(execution.settings.venue): user data stream closed (\(reason)); reconciled over REST when back")
    }

    func received(_ bytes: [UInt8], key: String) {
        let event: BinanceUSDMUserEvent
        do { event = try BinanceUSDMTrading.userEvent(bytes) } catch {
            logger.warning("\(execution.settings.venue): unreadable user data message: \(error)")
            return
        }
        switch event {
        case .order(let order, _):
            guard let symbol = execution.venueSymbol(order.symbol) else { return }
            execution.post(execution.tracker.pushUpdates(order, symbol: symbol))
        case .account(let account) where account.reason == "FUNDING_FEE":
            Task { await self.funding.poll(into: self.state.withLock { $0.inbox }) }
        case .listenKeyExpired:
            state.withLock { if $0.key == key { $0.connected = false } }
            Task { await self.renew(reason: "listenKeyExpired") }
        case .account, .other:
            break
        }
    }
}

struct BinanceUSDMUserListener: WebSocketListener {
    let stream: BinanceUSDMUserStream
    let key: String
    func opened(_ link: WebSocketLink) async throws { stream.opened(key: key) }
    func received(_ message: [UInt8]) { stream.received(message, key: key) }
    func closed(reason: String, retryIn: Duration?) { stream.closed(key: key, reason: reason) }
}
