import DexterCore
import Logging
import Metrics
import NIOCore
import NIOSSL
import Synchronization
import WSClient

/// How a long-lived WebSocket is kept: where, how often to ping, how long one connection may live (Binance closes
/// at 24 h: dexter reconnects before), and the backoff between attempts.
public struct WebSocketSettings: Sendable {
    public var url: String
    /// Further URLs of the same service, tried in turn after `url` when a connection fails (`urls`).
    public var alternateURLs: [String] = []
    public var lifetime: Duration
    public var pingEvery: Duration?
    public var maxMessageBytes: Int
    public var backoff: Backoff
    /// A connection that stayed up this long resets the backoff.
    public var stableAfter: Duration
    /// A text the venue wants as its keepalive (OKX: "ping", answered "pong"), sent every `pingEvery` besides the
    /// protocol's ping frames: some venues count only messages.
    public var keepaliveText: String?

    public init(url: String, lifetime: Duration = .seconds(23 * 3600), pingEvery: Duration? = .seconds(30),
                maxMessageBytes: Int = 4 << 20, backoff: Backoff = Backoff(), stableAfter: Duration = .seconds(30)) {
        self.url = url
        self.lifetime = lifetime
        self.pingEvery = pingEvery
        self.maxMessageBytes = maxMessageBytes
        self.backoff = backoff
        self.stableAfter = stableAfter
    }

    /// Every URL in the order they are tried: `url` first.
    public var urls: [String] { [url] + alternateURLs }
}

/// What a connection's owner hears. Called from the link's task: keep them short (post, don't compute).
public protocol WebSocketListener: Sendable {
    /// A connection is up (again). Subscribe here; the link delivers no message before this returns.
    func opened(_ link: WebSocketLink) async throws
    /// One whole message (text or binary), as bytes.
    func received(_ message: [UInt8])
    /// The connection ended; the link tries again after `retryIn` (nil: it was stopped).
    func closed(reason: String, retryIn: Duration?)
}

/// A WebSocket that stays connected: reconnects with capped, jittered backoff after every drop, and before its
/// lifetime runs out. TLS for wss URLs. With several URLs, a failed connection moves to the next one at once, and the
/// backoff is waited only once every URL has failed in a row. `run` returns when its task is cancelled.
public final class WebSocketLink: Sendable {
    public let settings: WebSocketSettings
    private let logger: Logger
    private let writer = Mutex<WebSocketOutboundWriter?>(nil)
    private let reconnectRequested = Mutex(false)
    private let current = Mutex(0)
    /// Reconnections, for monitoring (a no-op without a metrics backend): planned ones (lifetime, a resync) apart
    /// from drops, by the service's host.
    private let plannedReconnects: Counter
    private let droppedReconnects: Counter

    public init(settings: WebSocketSettings, logger: Logger = Logger(label: "dexter.net")) {
        self.settings = settings
        self.logger = logger
        let host = Self.host(of: settings.url)
        plannedReconnects = Counter(label: "dexter_websocket_reconnects_total", dimensions: [("host", host), ("cause", "planned")])
        droppedReconnects = Counter(label: "dexter_websocket_reconnects_total", dimensions: [("host", host), ("cause", "dropped")])
    }

    /// The host (and port) of a URL, never its path, query or user part: those may carry a key.
    static func host(of url: String) -> String {
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        rest = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let user = rest.lastIndex(of: "@") { rest = rest[rest.index(after: user)...] }
        return String(rest)
    }

    public var isConnected: Bool { writer.withLock { $0 != nil } }

    /// Which of `settings.urls` is connected, or tried next.
    public var currentIndex: Int { current.withLock { $0 } }
    public var currentURL: String { settings.urls[currentIndex] }

    /// Sends a text frame on the current connection.
    public func send(_ text: String) async throws {
        guard let writer = writer.withLock({ $0 }) else { throw WebSocketLinkError.notConnected }
        try await writer.write(.text(text))
    }

    /// Closes the current connection; `run` connects again at once (after a resync is needed, say).
    public func reconnect() async {
        reconnectRequested.withLock { $0 = true }
        guard let writer = writer.withLock({ $0 }) else { return }
        try? await writer.close(.normalClosure, reason: "reconnecting")
    }

    /// Closes the current connection as a failure (the peer went silent, or sent what cannot be read): `run` tries
    /// again after its backoff, not at once as after `reconnect()`.
    public func drop(reason: String) async {
        guard let writer = writer.withLock({ $0 }) else { return }
        try? await writer.close(.goingAway, reason: String(reason.prefix(100)))
    }

    public func run(_ listener: some WebSocketListener) async {
        let count = settings.urls.count
        var attempt = 0
        // URLs not yet tried since the last one that held: a failure moves on to one of them at once.
        var untried = count - 1
        while !Task.isCancelled {
            let started = ContinuousClock.now
            let outcome = await connectOnce(listener)
            guard !Task.isCancelled else {
                listener.closed(reason: "stopped", retryIn: nil)
                return
            }
            if ContinuousClock.now - started >= settings.stableAfter {
                attempt = 0
                untried = count - 1
            }
            let again = reconnectRequested.withLock { requested in
                defer { requested = false }
                return requested
            }
            // A planned reconnect (lifetime, resync) goes at once to the same URL; a drop moves to the next URL, at
            // once while some are untried, after its backoff once every one has failed.
            let planned = outcome == .lifetimeReached || again
            (planned ? plannedReconnects : droppedReconnects).increment()
            let delay: Duration
            if planned {
                delay = .zero
            } else if untried > 0 {
                delay = .zero
                untried -= 1
            } else {
                delay = settings.backoff.delay(attempt: attempt)
                untried = count - 1
            }
            if delay > .zero { attempt += 1 }
            // Told while the URL that failed is still the current one, so the listener can name it.
            listener.closed(reason: outcome.description, retryIn: delay)
            if !planned, count > 1 {
                let next = current.withLock { index in
                    index = (index + 1) % count
                    return index
                }
                // By position only: a URL may carry a key.
                logger.info("WebSocket: trying URL \(next + 1) of \(count) next")
            }
            if delay > .zero { try? await Task.sleep(for: delay) }
        }
    }

    private enum Outcome: Equatable, CustomStringConvertible {
        case lifetimeReached
        case closedByPeer
        case failed(String)

        var description: String {
            switch self {
            case .lifetimeReached: "connection lifetime reached"
            case .closedByPeer: "closed by the server"
            case .failed(let why): why
            }
        }
    }

    private func connectOnce(_ listener: some WebSocketListener) async -> Outcome {
        var configuration = WebSocketClientConfiguration(maxFrameSize: min(settings.maxMessageBytes, 1 << 24))
        if let ping = settings.pingEvery { configuration.autoPing = .enabled(timePeriod: ping) }
        let lifetimeReached = Flag()
        let maxBytes = settings.maxMessageBytes
        let lifetime = settings.lifetime
        let keepaliveText = settings.keepaliveText, pingEvery = settings.pingEvery
        do {
            let url = currentURL
            try await WebSocketClient.connect(url: url, configuration: configuration,
                                              tlsConfiguration: url.hasPrefix("wss") ? .makeClientConfiguration() : nil,
                                              logger: logger) { inbound, outbound, _ in
                self.writer.withLock { $0 = outbound }
                defer { self.writer.withLock { $0 = nil } }
                try await listener.opened(self)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for try await message in inbound.messages(maxSize: maxBytes) {
                            switch message {
                            case .text(let text): listener.received(Array(text.utf8))
                            case .binary(let buffer): listener.received(Array(buffer.readableBytesView))
                            }
                        }
                    }
                    group.addTask {
                        try await Task.sleep(for: lifetime)
                        lifetimeReached.raise()
                    }
                    if let text = keepaliveText, let every = pingEvery {
                        group.addTask {
                            while true {
                                try await Task.sleep(for: every)
                                try await outbound.write(.text(text))
                            }
                        }
                    }
                    _ = try await group.next()
                    group.cancelAll()
                }
            }
            return lifetimeReached.isRaised ? .lifetimeReached : .closedByPeer
        } catch {
            if lifetimeReached.isRaised { return .lifetimeReached }
            return .failed("\(error)")
        }
    }
}

/// A flag one task raises and another reads.
final class Flag: Sendable {
    private let state = Mutex(false)
    func raise() { state.withLock { $0 = true } }
    var isRaised: Bool { state.withLock { $0 } }
}

public enum WebSocketLinkError: Error, Sendable, CustomStringConvertible {
    case notConnected
    public var description: String { "the WebSocket is not connected" }
}
