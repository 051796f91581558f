import BigInt

/// A log that cannot be applied to the state held: the state and the chain have parted, and only a full re-read
/// brings them back together.
public struct InconsistentEvent: Error, Sendable, Hashable, CustomStringConvertible {
    public let pool: String
    public let problem: String
    public var description: String { "\(pool): \(problem)" }
}

extension V3PoolState {
    /// The pool after `event`, as the contract's own bookkeeping does it: a Swap sets slot0's price and tick and the
    /// active liquidity; a Mint or Burn changes both ticks' gross and net liquidity (initializing a tick, or
    /// clearing it when its gross reaches zero: the bitmap flips with it), and the active liquidity when the range
    /// holds the current tick (`_modifyPosition`). Ticks in bitmap words never read stay unknown.
    public mutating func apply(_ event: PoolEvent) throws(InconsistentEvent) {
        switch event {
        case .v3Swap(let price, let liquidity, let tick):
            sqrtPriceX96 = price
            self.liquidity = liquidity
            self.tick = tick
        case .v3Mint(let lower, let upper, let amount):
            try modify(lower: lower, upper: upper, delta: BigInt(amount))
        case .v3Burn(let lower, let upper, let amount):
            try modify(lower: lower, upper: upper, delta: -BigInt(amount))
        case .v2Sync:
            throw InconsistentEvent(pool: name, problem: "a V2 Sync log from a V3 pool")
        }
    }

    private mutating func modify(lower: Int, upper: Int, delta: BigInt) throws(InconsistentEvent) {
        guard lower < upper, lower % tickSpacing == 0, upper % tickSpacing == 0 else {
            throw InconsistentEvent(pool: name, problem: "a position [\(lower), \(upper)) the pool could not hold")
        }
        guard delta != 0 else { return }  // a Burn of 0 only collects fees
        try update(tick: lower, delta: delta, upper: false)
        try update(tick: upper, delta: delta, upper: true)
        if lower <= tick && tick < upper {
            let active = BigInt(liquidity) + delta
            guard active >= 0 else { throw InconsistentEvent(pool: name, problem: "active liquidity below zero") }
            liquidity = BigUInt(active)
        }
    }

    /// Tick.update: gross += |delta|-signed, net += delta at a lower tick and −delta at an upper one.
    private mutating func update(tick: Int, delta: BigInt, upper: Bool) throws(InconsistentEvent) {
        guard covers(tick: tick) else { return }
        let held = ticks[tick] ?? TickLiquidity(gross: 0, net: 0)
        let gross = BigInt(held.gross) + delta
        guard gross >= 0 else {
            throw InconsistentEvent(pool: name, problem: "tick \(tick) would hold negative gross liquidity")
        }
        let net = upper ? held.net - delta : held.net + delta
        ticks[tick] = gross == 0 ? nil : TickLiquidity(gross: BigUInt(gross), net: net)
    }
}

extension V2PairState {
    /// The pair after a Sync: its reserves as the contract now holds them.
    public mutating func apply(_ event: PoolEvent) throws(InconsistentEvent) {
        guard case .v2Sync(let reserve0, let reserve1) = event else {
            throw InconsistentEvent(pool: "\(dex) \(pairName)", problem: "a V3 log from a V2 pair")
        }
        self.reserve0 = reserve0
        self.reserve1 = reserve1
    }
}
