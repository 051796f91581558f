import DexterCore
import DexterNet
import DexterVenues
import Synchronization

/// OKX's per-endpoint rate limits (docs-v5, each endpoint's "Rate Limit"; the table in docs/venues/okx.md). OKX
/// sends no usage headers, so dexter keeps its own count per endpoint — per User ID, and per instrument for the
/// order endpoints — and a 429 / 50011 stops that endpoint until a whole window has passed (the docs do not say
/// where windows start).
public enum OKXEndpoint: String, Sendable, Hashable, CaseIterable {
    case publicTime = "public/time"
    case placeOrder = "order"
    case cancelOrder = "cancel-order"
    case cancelBatch = "cancel-batch-orders"
    case getOrder = "get-order"
    case ordersPending = "orders-pending"
    case ordersHistory = "orders-history"
    case fills = "fills"
    case balance = "account/balance"
    case config = "account/config"
    case tradeFee = "account/trade-fee"

    /// Requests (batch endpoints: orders) per window.
    public var limit: Int {
        switch self {
        case .publicTime, .balance: 10
        case .placeOrder, .cancelOrder, .getOrder, .ordersPending, .fills: 60
        case .cancelBatch: 300
        case .ordersHistory: 40
        case .config, .tradeFee: 5
        }
    }

    public static let window: Duration = .seconds(2)
}

/// Every REST request of one OKX account goes through here: counted against its endpoint's budget first (refused
/// at once when spent or stopped: an order waits for no window), sent, and an error answer turned into a typed
/// `OKXFailure`. An answer with code "0" — or an order request's "1" / "2", whose orders carry their own `sCode` —
/// comes back to the caller.
final class OKXREST: Sendable {
    let baseURL: String
    let http: HTTPTransport
    let clock: any DexterCore.Clock
    let timeout: Duration
    private let gates = Mutex<[String: RateLimitGate]>([:])

    init(baseURL: String, http: HTTPTransport, clock: any DexterCore.Clock, timeout: Duration) {
        self.baseURL = baseURL
        self.http = http
        self.clock = clock
        self.timeout = timeout
    }

    /// The budget of `endpoint` (for one instrument where OKX counts per instrument).
    func gate(_ endpoint: OKXEndpoint, instId: String? = nil) -> RateLimitGate {
        let key = endpoint.rawValue + "/" + (instId ?? "")
        return gates.withLock { gates in
            if let gate = gates[key] { return gate }
            // 0.9 of the documented limit: what other tools on the same account spend is not counted here.
            let gate = RateLimitGate(limits: .init(weight: endpoint.limit, window: OKXEndpoint.window, headroom: 0.9))
            gates[key] = gate
            return gate
        }
    }

    /// The fullest of the budgets used so far (OKX counts per endpoint, some per instrument).
    func fullestBudget(at now: Timestamp) -> RateLimitUsage? {
        let all = gates.withLock { Array($0.values) }
        guard let fullest = all.max(by: { a, b in a.used(at: now) * b.limits.weight < b.used(at: now) * a.limits.weight })
        else { return nil }
        return RateLimitUsage(name: "api", used: fullest.used(at: now), limit: fullest.limits.weight,
                              heldUntil: all.compactMap { $0.stoppedUntil(at: now) }.max())
    }

    /// `cost`: requests, or orders for a batch endpoint.
    func send(_ request: OKXRequest, endpoint: OKXEndpoint, instId: String? = nil, cost: Int = 1) async throws -> HTTPAnswer {
        let gate = gate(endpoint, instId: instId)
        switch gate.admit(weight: cost, at: clock.now()) {
        case .go: break
        case .waitUntil(let time): throw OKXNotSent(endpoint: endpoint, until: time, reason: "this window's requests are spent")
        case .stoppedUntil(let time, let reason): throw OKXNotSent(endpoint: endpoint, until: time, reason: reason)
        }
        let method = HTTPCall.Method(rawValue: request.method) ?? .GET
        let answer = try await http.send(HTTPCall(method, baseURL + request.target, headers: request.headers,
                                                  body: request.body.isEmpty ? nil : Array(request.body.utf8),
                                                  timeout: timeout))
        let envelope = try? OKXTrading.errorEnvelope(answer.body)
        let code = envelope?.code
        if answer.status == 429 || code == "50011" || code == "50061" {
            // Sending during the window that refused is what OKX counts against the account: wait it out whole.
            gate.stop(for: OKXEndpoint.window, reason: "OKX said too many requests (\(code ?? "HTTP 429"))", at: clock.now())
        }
        let carriesOrderResults = endpoint == .placeOrder || endpoint == .cancelOrder || endpoint == .cancelBatch
        if (200..<300).contains(answer.status), let code, code == "0" || (carriesOrderResults && (code == "1" || code == "2")) {
            return answer
        }
        throw OKXErrors.failure(code: code, message: envelope?.message, httpStatus: answer.status)
    }
}

/// A request dexter did not send: its endpoint's budget is spent, or OKX stopped it. Nothing reached OKX.
public struct OKXNotSent: Error, Sendable, CustomStringConvertible {
    public let endpoint: OKXEndpoint
    public let until: Timestamp
    public let reason: String

    public var description: String { "not sent to OKX \(endpoint.rawValue): \(reason) (stopped until \(until))" }
}
