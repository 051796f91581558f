import DexterCore
import DexterVenues

/// When to try again: capped exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And
/// Jitter"), and only for transient failures.
public struct RetryPolicy: Sendable, Hashable {
    public var maxAttempts: Int
    public var base: Duration
    public var cap: Duration

    public init(maxAttempts: Int = 4, base: Duration = .milliseconds(50), cap: Duration = .seconds(2)) {
        self.maxAttempts = maxAttempts
        self.base = base
        self.cap = cap
    }

    /// The wait before attempt `attempt + 1` (attempts count from 1), or nil when it should not be retried.
    public func delay(after failure: ExecutionFailure, attempt: Int, random: inout some RandomNumberGenerator) -> Duration? {
        guard failure.isRetryable, attempt < maxAttempts else { return nil }
        let ceiling = min(cap, base * (1 << min(attempt - 1, 30)))
        let nanos = ceiling.nanosecondsClamped
        return .nanoseconds(nanos > 0 ? Int64.random(in: 0...nanos, using: &random) : 0)
    }
}
