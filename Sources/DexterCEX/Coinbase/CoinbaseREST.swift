import DexterCore
import DexterNet
import DexterVenues
import Synchronization

/// The Advanced Trade endpoints dexter calls, and the budget each counts against (docs.cdp.coinbase.com "Advanced
/// Trade API Rate Limits": private endpoints are throttled per user, 30 requests a second; public ones per IP, 10 a
/// second; a request over either is answered 429 and not processed).
public enum CoinbaseEndpoint: String, Sendable, Hashable, CaseIterable {
    case createOrder = "orders"
    case cancelOrders = "orders/batch_cancel"
    case getOrder = "orders/historical/{order_id}"
    case listOrders = "orders/historical/batch"
    case listFills = "orders/historical/fills"
    case accounts = "accounts"
    case transactionSummary = "transaction_summary"
    case keyPermissions = "key_permissions"
    case serverTime = "time"

    /// Public endpoints need no JWT and count against the IP's budget.
    public var isPublic: Bool { self == .serverTime }
}

/// Coinbase's request budgets per second. Coinbase says they may tighten when markets are busy, so dexter keeps to
/// `headroom` of them, and a 429 stops the budget whatever its count said.
public struct CoinbaseRateLimits: Sendable, Hashable {
    public var privatePerSecond: Int
    public var publicPerSecond: Int
    public var headroom: Double
    /// How long a 429 stops the budget when Coinbase sends no Retry-After.
    public var stopAfter429: Duration

    public init(privatePerSecond: Int = 30, publicPerSecond: Int = 10, headroom: Double = 0.9,
                stopAfter429: Duration = .seconds(1)) {
        self.privatePerSecond = privatePerSecond
        self.publicPerSecond = publicPerSecond
        self.headroom = headroom
        self.stopAfter429 = stopAfter429
    }
}

/// A request dexter did not send: its budget is spent, or Coinbase stopped it (429). Nothing reached Coinbase.
public struct CoinbaseNotSent: Error, Sendable, CustomStringConvertible {
    public let endpoint: CoinbaseEndpoint
    public let until: Timestamp
    public let reason: String

    public var description: String { "not sent to Coinbase \(endpoint.rawValue): \(reason) (until \(until))" }
}

/// How a request reaches Coinbase: HTTPTransport's `send`, or a test's scripted answers.
typealias CoinbaseTransport = @Sendable (HTTPCall) async throws(HTTPFailure) -> HTTPAnswer

/// Every REST request of one Coinbase key goes through here: counted against its budget first (refused at once when
/// spent or stopped: an order waits for no window), signed at the venue's time, sent, and an error answer turned
/// into a typed `CoinbaseFailure`. A 429 stops the whole budget for Coinbase's Retry-After (or a second): sending
/// during the stop is refused before it leaves. A create-order answer with `success: false` is HTTP 200 and comes
/// back to the caller, which reads its `error_response`.
final class CoinbaseREST: Sendable {
    let baseURL: String
    let transport: CoinbaseTransport
    let clock: any DexterCore.Clock
    let timeout: Duration
    let builder: CoinbaseRequestBuilder
    let limits: CoinbaseRateLimits
    let privateGate: RateLimitGate
    let publicGate: RateLimitGate
    /// Venue time minus local time, in nanoseconds: what each JWT's `nbf` is written at.
    private let offset = Mutex<Int64>(0)

    init(baseURL: String, transport: @escaping CoinbaseTransport, clock: any DexterCore.Clock, timeout: Duration,
         builder: CoinbaseRequestBuilder, limits: CoinbaseRateLimits) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.transport = transport
        self.clock = clock
        self.timeout = timeout
        self.builder = builder
        self.limits = limits
        privateGate = RateLimitGate(limits: .init(weight: limits.privatePerSecond, window: .seconds(1), headroom: limits.headroom))
        publicGate = RateLimitGate(limits: .init(weight: limits.publicPerSecond, window: .seconds(1), headroom: limits.headroom))
    }

    func gate(_ endpoint: CoinbaseEndpoint) -> RateLimitGate { endpoint.isPublic ? publicGate : privateGate }

    var clockOffset: Duration { .nanoseconds(offset.withLock { $0 }) }
    func setClockOffset(_ value: Duration) { offset.withLock { $0 = value.nanosecondsClamped } }
    var venueTime: Timestamp { clock.now().adding(clockOffset) }

    /// The private budget's use this second, against Coinbase's limit (the Risk panel's row).
    func usage(at now: Timestamp) -> RateLimitUsage {
        RateLimitUsage(name: "api", used: privateGate.used(at: now), limit: limits.privatePerSecond,
                       heldUntil: privateGate.stoppedUntil(at: now))
    }

    /// A 401 (not processed) may be a JWT outside its two minutes because the venue's clock moved: the clock is read
    /// again (`GET /time`) and, when it moved by more than a second, the request goes once more with a fresh JWT.
    func send(_ request: CoinbaseRequest) async throws -> HTTPAnswer {
        let answer = try await exchange(request)
        if answer.status == 401, !request.endpoint.isPublic, await clockMoved() {
            return try check(try await exchange(request))
        }
        return try check(answer)
    }

    /// Counted, signed at the venue's time and sent: the answer whatever its status.
    private func exchange(_ request: CoinbaseRequest) async throws -> HTTPAnswer {
        let gate = gate(request.endpoint)
        switch gate.admit(weight: 1, at: clock.now()) {
        case .go: break
        case .waitUntil(let time):
            throw CoinbaseNotSent(endpoint: request.endpoint, until: time, reason: "this second's requests are spent")
        case .stoppedUntil(let time, let reason):
            throw CoinbaseNotSent(endpoint: request.endpoint, until: time, reason: reason)
        }
        let headers: [String: String]
        do { headers = try builder.headers(request, now: venueTime) } catch {
            throw CoinbaseNotSent(endpoint: request.endpoint, until: clock.now(), reason: "the request could not be signed: \(error)")
        }
        let answer = try await transport(HTTPCall(HTTPCall.Method(rawValue: request.method) ?? .GET, baseURL + request.target,
                                                  headers: headers, body: request.body.isEmpty ? nil : Array(request.body.utf8),
                                                  timeout: timeout))
        if answer.status == 429 {
            // Sending during the stop is what Coinbase counts against the key: wait it out whole.
            let retryAfter = answer.header("Retry-After").flatMap { Int($0.filter { !$0.isWhitespace }) }
                .map { Duration.seconds($0) } ?? .zero
            gate.stop(for: max(retryAfter, limits.stopAfter429), reason: "Coinbase said too many requests (429)", at: clock.now())
        }
        return answer
    }

    /// An error answer as a typed failure.
    private func check(_ answer: HTTPAnswer) throws -> HTTPAnswer {
        guard (200..<300).contains(answer.status) else {
            let envelope = try? CoinbaseTrading.errorEnvelope(answer.body)
            throw CoinbaseErrors.failure(code: envelope?.error, message: envelope?.message, details: envelope?.details,
                                         httpStatus: answer.status)
        }
        return answer
    }

    /// Reads the venue's clock (`GET /time`, against the middle of the round trip); true when it moved by more than a
    /// second from the offset in use.
    @discardableResult
    func clockMoved() async -> Bool {
        let sent = clock.now()
        guard let answer = try? check(try await exchange(CoinbaseRequestBuilder.serverTime())),
              let server = try? CoinbaseTrading.serverTime(answer.body) else { return false }
        let received = clock.now()
        let offset = Duration.nanoseconds(server.nanoseconds - (sent.nanoseconds + received.nanoseconds) / 2)
        let moved = abs((offset - clockOffset).secondsDouble) > 1
        setClockOffset(offset)
        return moved
    }
}
