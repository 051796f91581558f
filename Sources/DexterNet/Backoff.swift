import DexterCore

/// How long to wait before the next reconnect: capped exponential, with jitter so that many connections dropped
/// together (a venue restarting) do not all come back in the same instant.
public struct Backoff: Sendable, Hashable {
    public var first: Duration
    public var cap: Duration
    /// The share of each delay that is random: 0.5 waits between half and the whole of it ("equal jitter").
    public var jitter: Double

    public init(first: Duration = .milliseconds(250), cap: Duration = .seconds(30), jitter: Double = 0.5) {
        precondition(first > .zero && cap >= first && (0...1).contains(jitter), "a backoff grows from a positive first delay")
        self.first = first
        self.cap = cap
        self.jitter = jitter
    }

    /// The wait before attempt `attempt` (0 for the first retry), with `random` in [0, 1).
    public func delay(attempt: Int, random: Double) -> Duration {
        let grown = first.secondsDouble * Double(1 << min(max(attempt, 0), 30))
        let ceiling = min(grown, cap.secondsDouble)
        let seconds = ceiling * (1 - jitter) + ceiling * jitter * min(max(random, 0), 1)
        return .nanoseconds(Int64(seconds * 1e9))
    }

    public func delay(attempt: Int) -> Duration { delay(attempt: attempt, random: Double.random(in: 0..<1)) }
}
