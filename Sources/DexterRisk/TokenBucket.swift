import DexterCore

/// A venue's rate-limit budget: `rate` orders a second, up to `burst` at once.
public struct TokenBucket: Sendable, Hashable {
    public let rate: Double
    public let burst: Double
    private var tokens: Double
    private var updated: Timestamp

    public init(rate: Double, burst: Double, at now: Timestamp) {
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.updated = now
    }

    /// The tokens at `now`: refilled at `rate` since the last spend, up to `burst`.
    private func refilled(at now: Timestamp) -> Double {
        min(burst, tokens + rate * max(0, now.duration(since: updated).secondsDouble))
    }

    /// Whole orders the budget allows at `now`.
    public func available(at now: Timestamp) -> Int { Int(refilled(at: now)) }

    /// Spends one order's worth; false (and nothing spent) when the budget is empty.
    public mutating func take(at now: Timestamp) -> Bool {
        tokens = refilled(at: now)
        updated = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
