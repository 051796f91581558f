import DexterCore
import DexterRisk
import Synchronization

/// This box's share of a desk-wide daily volume limit, when several boxes trade as one desk: what it holds of the
/// limit today (reserved from the shared desk, atomically, before any order it covers leaves), what it has used of
/// that, and what it has asked for. The engine reads and takes from it synchronously; the desk link fills it. A box
/// that cannot reach the desk trades only within what it already holds.
public final class DeskAllowance: Sendable {
    public struct Holding: Sendable, Equatable {
        /// The UTC day held for ("2026-12-02"); a new day starts from nothing.
        public var day: String = ""
        /// Reserved for this box and not yet used.
        public var held: FixedDecimal = .zero
        /// Used today by orders sent.
        public var used: FixedDecimal = .zero
        /// Asked for and not yet granted: the most any waiting trade is short by.
        public var wanted: FixedDecimal = .zero
    }

    private let holding = Mutex(Holding())
    private let asking: AsyncStream<Void>.Continuation
    /// Yields whenever the engine is short: the link reserves then.
    public let asks: AsyncStream<Void>

    public init() {
        (asks, asking) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    public var current: Holding { holding.withLock { $0 } }

    /// Nil when `amount` is covered today; else how much more this box needs, and the desk is asked for it.
    public func shortfall(_ amount: FixedDecimal, on day: String) -> FixedDecimal? {
        let short: FixedDecimal? = holding.withLock { holding in
            holding.roll(to: day)
            guard amount > holding.held else { return nil }
            let short = amount - holding.held
            holding.wanted = FixedDecimal.max(holding.wanted, short)
            return short
        }
        if short != nil { asking.yield() }
        return short
    }

    /// Takes `amount` for orders about to leave (the engine checked `shortfall` first, in the same turn).
    public func take(_ amount: FixedDecimal, on day: String) {
        holding.withLock { holding in
            holding.roll(to: day)
            holding.held -= amount
            holding.used += amount
        }
    }

    /// The link: what the desk granted for `day`.
    public func grant(_ amount: FixedDecimal, on day: String) {
        holding.withLock { holding in
            holding.roll(to: day)
            holding.held += amount
            holding.wanted = FixedDecimal.max(.zero, holding.wanted - amount)
        }
    }

    /// The link: hands back what is held and unused (a clean stop returns it to the desk).
    public func release() -> (day: String, amount: FixedDecimal) {
        holding.withLock { holding in
            defer { holding.held = .zero }
            return (holding.day, holding.held)
        }
    }
}

extension DeskAllowance.Holding {
    mutating func roll(to day: String) {
        guard day != self.day else { return }
        self = .init(day: day)
    }
}

extension Engine {
    /// This box's share of the desk-wide daily volume, when the desk has one.
    public var deskVolume: DeskAllowance? { config.deskVolume }

    /// The desk-wide daily volume a trade needs beyond what this box holds, as a denial (nil: covered, or a desk of
    /// its own). Asking is what reserves it: the trade goes on a later pass, or approved again, once it is granted.
    func deskVolumeShortfall(_ proposal: TradeProposal) -> PreTradeDenial? {
        guard let allowance = config.deskVolume else { return nil }
        let needed = proposal.volumeUSD
        guard let short = allowance.shortfall(needed, on: clock.now().utcDay) else { return nil }
        return PreTradeDenial(step: .dailyVolume, reason: "the desk-wide daily volume: this box holds "
            + "$\((needed - short).formatted(digits: 2)) of it and the trade needs $\(needed.formatted(digits: 2)); "
            + "reserving the rest from the shared desk, approve again")
    }

    /// What the shared desk has not yet granted this box for a trade (a pair's or a cycle's): nil when the box holds
    /// its share of every desk-wide limit the trade needs; else the first denial, every share short having been asked
    /// of the desk at once (one approval again, not one per share).
    func deskShortfall(_ proposal: TradeProposal) -> PreTradeDenial? {
        let volume = deskVolumeShortfall(proposal)
        let caps = deskCapShortfall(proposal)
        return volume ?? caps
    }

    /// The trade's volume, taken from what this box holds of the desk-wide daily volume as its orders leave.
    func takeDeskVolume(_ proposal: TradeProposal, at now: Timestamp) {
        config.deskVolume?.take(proposal.volumeUSD, on: now.utcDay)
    }
}
