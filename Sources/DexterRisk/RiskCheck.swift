import DexterCore

/// Why risk refused a trade: which limit, and by how much.
public enum RiskDenial: Error, Sendable, Hashable, CustomStringConvertible {
    /// The symbol is not in the allowed list.
    case symbolNotAllowed(Symbol)
    /// The trade's notional is above the per-trade maximum.
    case notionalPerTrade(requested: FixedDecimal, limit: FixedDecimal)
    /// The trade would take today's volume past the daily limit.
    case dailyVolume(used: FixedDecimal, requested: FixedDecimal, limit: FixedDecimal)
    /// If only one leg filled, the holding of `asset` would exceed its maximum.
    case position(asset: Asset, resulting: FixedDecimal, limit: FixedDecimal)

    public var limitName: String {
        switch self {
        case .symbolNotAllowed: return "allowed pairs"
        case .notionalPerTrade: return "max notional per trade"
        case .dailyVolume: return "daily volume"
        case .position(let asset, _, _): return "max position \(asset)"
        }
    }

    /// What is wrong, in the trader's words, without the limit's name.
    public var reason: String {
        switch self {
        case .symbolNotAllowed(let symbol):
            return "\(symbol) is not an allowed pair"
        case .notionalPerTrade(let requested, let limit):
            return "$\(requested.formatted(digits: 2)) is $\((requested - limit).formatted(digits: 2)) over the $\(limit.formatted(digits: 2)) limit"
        case .dailyVolume(let used, let requested, let limit):
            let over = used + requested - limit
            return "$\(used.formatted(digits: 2)) used + $\(requested.formatted(digits: 2)) is $\(over.formatted(digits: 2)) over the $\(limit.formatted(digits: 2)) limit"
        case .position(let asset, let resulting, let limit):
            return "\(resulting) \(asset) would be \(resulting - limit) over the \(limit) limit"
        }
    }

    public var description: String { "denied by \(limitName): \(reason)" }
}

/// The pre-trade check every order passes, whoever approved it.
public enum RiskCheck {
    /// The first limit the proposal breaks, checked in a fixed order; nil when it passes all.
    public static func check(_ proposal: TradeProposal, limits: RiskLimits, usage: RiskUsage) -> RiskDenial? {
        if let refused = proposal.symbols.first(where: { !limits.allowedSymbols.contains($0) }) { return .symbolNotAllowed(refused) }
        return notional(proposal, limits: limits) ?? dailyVolume(proposal, limits: limits, usage: usage)
            ?? position(proposal, limits: limits, usage: usage)
    }

    public static func notional(_ proposal: TradeProposal, limits: RiskLimits) -> RiskDenial? {
        let notional = proposal.notionalUSD
        guard notional > limits.maxNotionalPerTradeUSD else { return nil }
        return .notionalPerTrade(requested: notional, limit: limits.maxNotionalPerTradeUSD)
    }

    public static func dailyVolume(_ proposal: TradeProposal, limits: RiskLimits, usage: RiskUsage) -> RiskDenial? {
        let volume = proposal.volumeUSD
        guard usage.dailyVolumeUSD + volume > limits.dailyVolumeUSD else { return nil }
        return .dailyVolume(used: usage.dailyVolumeUSD, requested: volume, limit: limits.dailyVolumeUSD)
    }

    /// A leg can miss: the check is sized on the worst case, where each leg fills and the ones that would have
    /// taken its proceeds away do not (a pair: only the buy, more base, or only the sell, more quote).
    public static func position(_ proposal: TradeProposal, limits: RiskLimits, usage: RiskUsage) -> RiskDenial? {
        for (asset, increase) in proposal.legs.map(\.received) {
            guard let limit = limits.maxPosition[asset] else { continue }
            let resulting = (usage.positions[asset] ?? .zero) + increase
            if resulting > limit { return .position(asset: asset, resulting: resulting, limit: limit) }
        }
        return nil
    }

    /// Usage of each limit as a fraction of it, for the risk panel.
    public static func utilisation(limits: RiskLimits, usage: RiskUsage) -> [LimitUsage] {
        var rows = [LimitUsage(name: "daily volume", used: usage.dailyVolumeUSD, limit: limits.dailyVolumeUSD, unit: "USD")]
        for asset in limits.maxPosition.keys.sorted() {
            guard let limit = limits.maxPosition[asset] else { continue }
            rows.append(LimitUsage(name: "position \(asset)", used: usage.positions[asset] ?? .zero, limit: limit,
                                   unit: asset.code))
        }
        return rows
    }
}

/// One limit and how much of it is used.
public struct LimitUsage: Sendable, Hashable {
    public let name: String
    public let used: FixedDecimal
    public let limit: FixedDecimal
    public let unit: String

    public init(name: String, used: FixedDecimal, limit: FixedDecimal, unit: String) {
        self.name = name
        self.used = used
        self.limit = limit
        self.unit = unit
    }

    public var fraction: Double { limit.isPositive ? used.doubleValue / limit.doubleValue : 1 }
}
