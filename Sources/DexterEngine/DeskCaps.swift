import DexterCore
import DexterRisk
import Foundation
import Synchronization

/// This box's share of the desk-wide standing caps, when several boxes trade as one desk: a position per asset (in
/// units of it, as [limits.max_position] counts) and the VaR budget (the one-day 99 % VaR of every position the box
/// holds, in USD). What a box holds of a cap is reserved in the shared desk, atomically, and the box's own measure
/// after a trade must stay within it; unlike the daily volume nothing is used up: a hold is a ceiling, kept until
/// the box hands it back at a clean stop. The engine reads it synchronously; the desk link fills it.
public final class DeskCaps: Sendable {
    public struct Hold: Sendable, Equatable {
        /// Reserved for this box.
        public var held: FixedDecimal = .zero
        /// The most a waiting trade needs, asked for and not yet granted.
        public var wanted: FixedDecimal = .zero
    }

    /// The caps' kinds as the desk names them.
    public static func position(_ asset: Asset) -> String { "position:\(asset.code)" }
    public static let valueAtRisk = "var99_usd"

    /// Every kind this box has a desk-wide cap of.
    public let kinds: Set<String>
    private let holds: Mutex<[String: Hold]>
    private let asking: AsyncStream<Void>.Continuation
    /// Yields whenever the engine is short: the link reserves then.
    public let asks: AsyncStream<Void>

    public init(kinds: Set<String>) {
        self.kinds = kinds
        holds = Mutex(Dictionary(uniqueKeysWithValues: kinds.map { ($0, Hold()) }))
        (asks, asking) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    public var current: [String: Hold] { holds.withLock { $0 } }

    /// Nil when every need is within what is held; else the first kind short (by name), with what it needs and what
    /// is held. Every shortfall is asked for.
    public func shortfall(_ needs: [String: FixedDecimal]) -> (kind: String, needed: FixedDecimal, held: FixedDecimal)? {
        let short: (kind: String, needed: FixedDecimal, held: FixedDecimal)? = holds.withLock { holds in
            var first: (kind: String, needed: FixedDecimal, held: FixedDecimal)?
            for (kind, needed) in needs.sorted(by: { $0.key < $1.key }) {
                guard var hold = holds[kind], needed > hold.held else { continue }
                hold.wanted = FixedDecimal.max(hold.wanted, needed)
                holds[kind] = hold
                if first == nil { first = (kind, needed, hold.held) }
            }
            return first
        }
        if short != nil { asking.yield() }
        return short
    }

    /// The link: what the desk granted of `kind` (more held; what was wanted and is now covered, no longer wanted).
    public func grant(_ amount: FixedDecimal, of kind: String) {
        holds.withLock { holds in
            guard var hold = holds[kind] else { return }
            hold.held += amount
            if hold.wanted <= hold.held { hold.wanted = .zero }
            holds[kind] = hold
        }
    }

    /// The link: everything held, to hand back at a clean stop (nothing is held after).
    public func release() -> [String: FixedDecimal] {
        holds.withLock { holds in
            defer { for kind in holds.keys { holds[kind] = Hold() } }
            return holds.mapValues(\.held).filter { $0.value.isPositive }
        }
    }
}

extension Engine {
    /// This box's share of the desk-wide position and VaR caps, when the desk has any.
    public var deskCaps: DeskCaps? { config.deskCaps }

    /// A trade that would take this box past what it holds of a desk-wide cap: the denial says which and by how much,
    /// and the rest is asked of the desk (the trade goes on a later pass, or approved again, once it is granted).
    func deskCapShortfall(_ proposal: TradeProposal) -> PreTradeDenial? {
        guard let caps = config.deskCaps else { return nil }
        let positions = portfolio.usage.positions
        var needs: [String: FixedDecimal] = [:]
        // As the box's own position check counts: what it holds of the asset and what any leg brings in.
        for (asset, increase) in proposal.legs.map(\.received) where caps.kinds.contains(DeskCaps.position(asset)) {
            let needed = (positions[asset] ?? .zero) + increase
            needs[DeskCaps.position(asset)] = FixedDecimal.max(needs[DeskCaps.position(asset)] ?? .zero, needed)
        }
        if caps.kinds.contains(DeskCaps.valueAtRisk) { needs[DeskCaps.valueAtRisk] = valueAtRiskAfter(proposal) }
        guard let short = caps.shortfall(needs) else { return nil }
        let what: String
        if short.kind == DeskCaps.valueAtRisk {
            what = "VaR budget: this box holds $\(short.held.formatted(digits: 2)) of it and its positions after the trade "
                + "need $\(short.needed.formatted(digits: 2))"
        } else {
            let asset = short.kind.dropFirst("position:".count)
            what = "\(asset) position cap: this box holds \(short.held) \(asset) of it and the trade needs \(short.needed)"
        }
        return PreTradeDenial(step: .position, reason: "the desk-wide \(what); reserving the rest from the shared desk, approve again")
    }

    /// The one-day 99 % VaR of every position this box holds after the trade (worst case: every leg but the last
    /// fills), summed without diversification, as the desk's budget counts it: conservative across boxes.
    func valueAtRiskAfter(_ proposal: TradeProposal) -> FixedDecimal {
        var holdings = portfolio.usage.positions
        for leg in proposal.legs.dropLast() {
            let (asset, amount) = leg.received
            holdings[asset, default: .zero] += amount
        }
        let state = pipeline.state
        var total = 0.0
        for (asset, amount) in holdings {
            guard let usd = state.usdValue(of: asset), let valueAtRisk = dailyVaR99(of: asset, worthUSD: abs(usd * amount.doubleValue))
            else { continue }
            total += valueAtRisk
        }
        return FixedDecimal(approximating: total).rounded(digits: 2, .up)
    }
}
