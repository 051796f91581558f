import DexterCore
import DexterNet
import Foundation
import Synchronization

/// The account's verification tier, which sets Kraken's rate limits (docs.kraken.com "Spot REST Rate Limits" and
/// "Spot Trading Limits").
public enum KrakenTier: String, Sendable, Hashable, CaseIterable {
    case starter, intermediate, pro

    /// The REST call counter's maximum and decay per second.
    public var restMaximum: Double { self == .starter ? 15 : 20 }
    public var restDecay: Double {
        switch self {
        case .starter: 0.33
        case .intermediate: 0.5
        case .pro: 1
        }
    }

    /// The matching engine's per-pair trading counter: its threshold and decay per second.
    public var tradingThreshold: Double {
        switch self {
        case .starter: 60
        case .intermediate: 125
        case .pro: 180
        }
    }
    public var tradingDecay: Double {
        switch self {
        case .starter: 1
        case .intermediate: 2.34
        case .pro: 3.75
        }
    }
}

/// The numbers of Kraken's two limiters: the REST call counter (maximum, decay per second) and the matching engine's
/// per-pair trading counter (threshold, decay per second).
public struct KrakenRateLimits: Sendable, Hashable {
    public var restMaximum: Double
    public var restDecay: Double
    public var tradingThreshold: Double
    public var tradingDecay: Double

    public init(restMaximum: Double, restDecay: Double, tradingThreshold: Double, tradingDecay: Double) {
        self.restMaximum = restMaximum
        self.restDecay = restDecay
        self.tradingThreshold = tradingThreshold
        self.tradingDecay = tradingDecay
    }

    /// The documented limits of a verification tier.
    public init(tier: KrakenTier) {
        self.init(restMaximum: tier.restMaximum, restDecay: tier.restDecay, tradingThreshold: tier.tradingThreshold,
                  tradingDecay: tier.tradingDecay)
    }
}

/// A counter that grows by each call's cost and decays continuously, as Kraken's do: a call goes only while the
/// counter stays under `headroom` of its maximum (what other tools on the key spend is not counted here, and Kraken
/// decays "every couple of seconds", not continuously). After Kraken said "rate limit exceeded" nothing goes until the
/// counter has decayed from its maximum and a few seconds more (calls made while limited extend Kraken's lockout).
public final class KrakenRateCounter: Sendable {
    public let maximum: Double
    public let decayPerSecond: Double
    public let headroom: Double
    private let state = Mutex<(level: Double, at: Timestamp, stoppedUntil: Timestamp?)>((0, .zero, nil))

    public init(maximum: Double, decayPerSecond: Double, headroom: Double = 0.8) {
        self.maximum = maximum
        self.decayPerSecond = decayPerSecond
        self.headroom = headroom
    }

    private func decayed(_ state: inout (level: Double, at: Timestamp, stoppedUntil: Timestamp?), to now: Timestamp) {
        let seconds = max(0, Double(now.nanoseconds - state.at.nanoseconds) / 1e9)
        state.level = max(0, state.level - seconds * decayPerSecond)
        state.at = max(state.at, now)
    }

    /// Takes `cost` when it fits now; otherwise when it would.
    public func admit(cost: Double, at now: Timestamp) -> RateLimitGate.Admission {
        state.withLock { state in
            if let until = state.stoppedUntil, now < until { return .stoppedUntil(until, reason: "Kraken said rate limit exceeded") }
            state.stoppedUntil = nil
            decayed(&state, to: now)
            let allowed = maximum * headroom
            guard state.level + cost <= allowed else {
                let wait = (state.level + cost - allowed) / decayPerSecond
                return .waitUntil(now.adding(.nanoseconds(Int64(wait * 1e9))))
            }
            state.level += cost
            return .go
        }
    }

    /// Kraken refused for the rate: the counter is full, and stays shut until it has decayed and `grace` more.
    public func limited(at now: Timestamp, grace: Duration = .seconds(3)) {
        state.withLock { state in
            decayed(&state, to: now)
            state.level = maximum
            state.stoppedUntil = now.adding(.nanoseconds(Int64(maximum * headroom / decayPerSecond * 1e9))).adding(grace)
        }
    }

    /// The counter's level now, as far as dexter knows (what the Risk panel shows against `maximum`).
    public func level(at now: Timestamp) -> Double {
        state.withLock { state in
            decayed(&state, to: now)
            return state.level
        }
    }

    public func stoppedUntil(at now: Timestamp) -> Timestamp? {
        state.withLock { $0.stoppedUntil.flatMap { now < $0 ? $0 : nil } }
    }
}

/// The rate counters' levels, for the Risk panel: the REST call counter, and each pair's trading counter.
public struct KrakenRateUsage: Sendable, Hashable {
    public let restLevel: Double
    public let restMaximum: Double
    public let tradingLevels: [String: Double]
    public let tradingThreshold: Double
    public let stoppedUntil: Timestamp?
}

/// What a call costs and on which counter: `AddOrder` / `CancelOrder` / `CancelAll` on the pair's trading counter (not
/// the REST one), ledger and trade-history calls 2, every other private call 1.
public enum KrakenCost: Sendable, Hashable {
    case rest(Double)
    case trading(pair: String, Double)

    static let call = KrakenCost.rest(1)
    static let history = KrakenCost.rest(2)
}

/// Every private REST request of one Kraken key goes through here: counted first (refused at once when the counter
/// is full: an order waits for no decay), given the next nonce, signed, sent, and a non-empty `error` turned into a
/// typed `KrakenFailure`. `EAPI:Invalid nonce` (refused, nothing done) goes once more with a fresh nonce.
final class KrakenREST: Sendable {
    let baseURL: String
    let http: HTTPTransport
    let clock: any DexterCore.Clock
    let timeout: Duration
    let nonce: KrakenNonce
    let limits: KrakenRateLimits
    let restCounter: KrakenRateCounter
    private let tradingCounters = Mutex<[String: KrakenRateCounter]>([:])

    init(baseURL: String, http: HTTPTransport, clock: any DexterCore.Clock, timeout: Duration, nonce: KrakenNonce,
         limits: KrakenRateLimits) {
        self.baseURL = baseURL
        self.http = http
        self.clock = clock
        self.timeout = timeout
        self.nonce = nonce
        self.limits = limits
        restCounter = KrakenRateCounter(maximum: limits.restMaximum, decayPerSecond: limits.restDecay)
    }

    func tradingCounter(_ pair: String) -> KrakenRateCounter {
        tradingCounters.withLock { counters in
            if let counter = counters[pair] { return counter }
            let counter = KrakenRateCounter(maximum: limits.tradingThreshold, decayPerSecond: limits.tradingDecay)
            counters[pair] = counter
            return counter
        }
    }

    var usage: KrakenRateUsage {
        let now = clock.now()
        let levels = tradingCounters.withLock { $0.mapValues { $0.level(at: now) } }
        return KrakenRateUsage(restLevel: restCounter.level(at: now), restMaximum: limits.restMaximum, tradingLevels: levels,
                               tradingThreshold: limits.tradingThreshold, stoppedUntil: restCounter.stoppedUntil(at: now))
    }

    /// A signed request built with the nonce handed in; its answer's bytes when Kraken's `error` is empty.
    func send(_ cost: KrakenCost, _ build: (UInt64) throws -> KrakenRequest) async throws -> HTTPAnswer {
        let counter: KrakenRateCounter, weight: Double
        switch cost {
        case .rest(let value): (counter, weight) = (restCounter, value)
        case .trading(let pair, let value): (counter, weight) = (tradingCounter(pair), value)
        }
        for attempt in 0..<2 {
            switch counter.admit(cost: weight, at: clock.now()) {
            case .go: break
            case .waitUntil(let time): throw KrakenNotSent(until: time, reason: "the rate counter is full")
            case .stoppedUntil(let time, let reason): throw KrakenNotSent(until: time, reason: reason)
            }
            let request: KrakenRequest
            do { request = try build(try nonce.next()) } catch {
                throw KrakenNotSent(until: clock.now(), reason: "\(error)")
            }
            let answer = try await exchange(request)
            do {
                try check(answer)
                return answer
            } catch let failure as KrakenFailure where failure.retry == .freshNonce && attempt == 0 {
                continue
            } catch let failure as KrakenFailure where failure.retry == .afterDecay {
                counter.limited(at: clock.now())
                throw failure
            }
        }
        throw KrakenErrors.failure("EAPI:Invalid nonce")
    }

    /// A public GET (no key, not counted: Kraken limits public calls per IP).
    func sendPublic(_ request: KrakenRequest) async throws -> HTTPAnswer {
        let answer = try await exchange(request)
        try check(answer)
        return answer
    }

    private func exchange(_ request: KrakenRequest) async throws -> HTTPAnswer {
        var headers = request.headers
        headers["User-Agent"] = KrakenRequestBuilder.userAgent
        return try await http.send(HTTPCall(HTTPCall.Method(rawValue: request.method) ?? .POST, baseURL + request.target,
                                            headers: headers, body: request.body.isEmpty ? nil : Array(request.body.utf8),
                                            timeout: timeout))
    }

    /// Kraken's errors (warnings, `W…`, are not), or an HTTP status with none.
    private func check(_ answer: HTTPAnswer) throws {
        let errors = (try? KrakenTrading.errors(answer.body))?.filter { !$0.hasPrefix("W") }
        if let first = errors?.first { throw KrakenErrors.failure(first, httpStatus: answer.status) }
        guard (200..<300).contains(answer.status), errors != nil else {
            throw KrakenErrors.failure(nil, httpStatus: answer.status == 200 ? 502 : answer.status)
        }
    }
}

/// A request dexter did not send: a rate counter is full, Kraken stopped the key, or no nonce could be issued.
public struct KrakenNotSent: Error, Sendable, CustomStringConvertible {
    public let until: Timestamp
    public let reason: String

    public var description: String { "not sent to Kraken: \(reason) (until \(until))" }
}
