/// Cuts perpetual positions before the venue would. An account's margin ratio is its maintenance margin over its
/// equity; the venue liquidates at 100 %. When the ratio reaches `reduceAt`, the account's positions are cut so the
/// ratio falls back to `target`, by IOC orders at most `maxSlippageBps` from the mark.
public struct MarginBuffer: Sendable, Hashable {
    public var reduceAt: Double
    public var target: Double
    public var maxSlippageBps: Int

    public init(reduceAt: Double = 0.5, target: Double = 0.3, maxSlippageBps: Int = 50) {
        precondition(0 < target && target < reduceAt && reduceAt < 1, "0 < target < reduce-at < 1")
        self.reduceAt = reduceAt
        self.target = target
        self.maxSlippageBps = maxSlippageBps
    }

    /// The fraction of every position to close at a margin `ratio`: 0 below `reduceAt`. Closing a fraction f realises
    /// that share of the unrealised P&L into collateral, leaving equity as it was, and cuts the maintenance margin by f:
    /// the ratio becomes ratio × (1 − f) = target. All of it when equity is gone.
    public func reduction(atRatio ratio: Double) -> Double {
        guard ratio >= reduceAt else { return 0 }
        guard ratio.isFinite else { return 1 }
        return min(1, 1 - target / ratio)
    }
}
