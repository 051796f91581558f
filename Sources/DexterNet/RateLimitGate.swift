import DexterCore
import Synchronization

/// One venue's request budget, shared by every request to it: the weight its counter says was used this window,
/// and a stop after the venue said "too many" (HTTP 429) until its Retry-After — sending during that stop is what
/// earns an IP ban (418), so nothing is sent.
public final class RateLimitGate: Sendable {
    public struct Limits: Sendable, Hashable {
        /// Weight the venue allows per window, and the window (Binance: 6,000 per minute).
        public var weight: Int
        public var window: Duration
        /// The share of it dexter uses, leaving room for what it cannot count (other processes on the key's IP).
        public var headroom: Double

        public init(weight: Int, window: Duration = .seconds(60), headroom: Double = 0.9) {
            self.weight = weight
            self.window = window
            self.headroom = headroom
        }
    }

    /// What a request may do now.
    public enum Admission: Sendable, Hashable {
        case go
        /// The budget of this window is spent: wait for the next.
        case waitUntil(Timestamp)
        /// The venue has stopped this client until then (429, 418): send nothing.
        case stoppedUntil(Timestamp, reason: String)
    }

    private struct State {
        var windowStart = Timestamp.zero
        var used = 0
        var stoppedUntil: Timestamp?
        var stopReason = ""
    }

    public let limits: Limits
    private let state = Mutex(State())

    public init(limits: Limits) { self.limits = limits }

    /// Takes `weight` from the budget when it may go now.
    public func admit(weight: Int, at now: Timestamp) -> Admission {
        state.withLock { state in
            if let until = state.stoppedUntil {
                if now < until { return .stoppedUntil(until, reason: state.stopReason) }
                state.stoppedUntil = nil
            }
            roll(&state, to: now)
            let allowed = Int(Double(limits.weight) * limits.headroom)
            guard state.used + weight <= allowed else { return .waitUntil(state.windowStart.adding(limits.window)) }
            state.used += weight
            return .go
        }
    }

    /// What the venue's answer said of the budget: the weight it counts (its header), and a stop.
    public func observe(usedWeight: Int?, at now: Timestamp) {
        guard let usedWeight else { return }
        state.withLock { state in
            roll(&state, to: now)
            // The venue's count is the truth; it also holds what others spent from this IP.
            state.used = max(state.used, usedWeight)
        }
    }

    /// The venue said stop (429: too many requests; 418: banned) for `retryAfter`.
    public func stop(for retryAfter: Duration, reason: String, at now: Timestamp) {
        state.withLock { state in
            let until = now.adding(retryAfter)
            if state.stoppedUntil.map({ until > $0 }) ?? true { state.stoppedUntil = until }
            state.stopReason = reason
        }
    }

    /// Weight used in the current window, as far as dexter knows.
    public func used(at now: Timestamp) -> Int {
        state.withLock { state in
            roll(&state, to: now)
            return state.used
        }
    }

    public func stoppedUntil(at now: Timestamp) -> Timestamp? {
        state.withLock { $0.stoppedUntil.flatMap { now < $0 ? $0 : nil } }
    }

    /// Windows start on multiples of the window since the epoch, as the venue's counters reset.
    private func roll(_ state: inout State, to now: Timestamp) {
        let window = limits.window.nanosecondsClamped
        let start = Timestamp(nanoseconds: now.nanoseconds - now.nanoseconds % window)
        if start != state.windowStart {
            state.windowStart = start
            state.used = 0
        }
    }
}
