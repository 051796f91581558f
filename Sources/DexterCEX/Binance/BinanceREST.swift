import DexterCore
import DexterNet
import Foundation

/// Every REST request to one Binance venue goes through here: its weight taken from the venue's budget first (none
/// leaves while Binance has stopped this client: sending during a 429's Retry-After earns a 418 ban), the weight
/// Binance then reports kept as the truth, a 429 or 418 stopping the budget, and an error answer turned into a
/// typed `BinanceFailure`. Market data and orders share it: Binance counts weight per IP across every endpoint.
/// Spot and USDⓈ-M futures share the envelope and the limits' headers; `classify` is the product's error table.
struct BinanceREST: Sendable {
    typealias Classifier = @Sendable (_ code: Int?, _ message: String?, _ httpStatus: Int?, _ retryAfterSeconds: Int?)
        -> BinanceFailure

    let baseURL: String
    let http: HTTPTransport
    let gate: RateLimitGate
    let clock: any DexterCore.Clock
    let timeout: Duration
    var classify: Classifier = { BinanceErrors.failure(code: $0, message: $1, httpStatus: $2, retryAfterSeconds: $3) }

    /// `waitForBudget`: whether a request over this window's budget waits for the next window (market data) or is
    /// refused at once (an order, whose quote would be stale by then).
    func send(_ request: BinanceRequest, weight: Int, waitForBudget: Bool) async throws -> HTTPAnswer {
        switch gate.admit(weight: weight, at: clock.now()) {
        case .go:
            break
        case .waitUntil(let time) where waitForBudget:
            try await Task.sleep(for: max(.zero, time.duration(since: clock.now())))
            return try await send(request, weight: weight, waitForBudget: waitForBudget)
        case .waitUntil(let time):
            throw BinanceVenueError.stopped(until: time, reason: "this minute's request weight is spent")
        case .stoppedUntil(let time, let reason):
            throw BinanceVenueError.stopped(until: time, reason: reason)
        }
        let answer = try await http.send(HTTPCall(HTTPCall.Method(rawValue: request.method) ?? .GET, baseURL + request.target,
                                                  headers: request.headers, timeout: timeout))
        let now = clock.now()
        gate.observe(usedWeight: answer.header("X-MBX-USED-WEIGHT-1M").flatMap(Int.init), at: now)
        guard !(200..<300).contains(answer.status) else { return answer }
        let retryAfter = answer.header("Retry-After").flatMap(Int.init)
        if answer.status == 429 || answer.status == 418 {
            gate.stop(for: .seconds(retryAfter ?? 60), reason: answer.status == 418 ? "IP banned (418)" : "too many requests (429)",
                      at: now)
        }
        let body = try? BinanceTrading.errorBody(answer.body)
        throw classify(body?.code, body?.message, answer.status, retryAfter)
    }
}
