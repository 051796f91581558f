import DexterCore

/// The desk's limits, from config.
public struct RiskLimits: Sendable, Hashable {
    /// Largest notional one trade may have, in USD (the buy leg's notional).
    public var maxNotionalPerTradeUSD: FixedDecimal
    /// Traded volume allowed per UTC day, in USD, counting every leg.
    public var dailyVolumeUSD: FixedDecimal
    /// Largest holding of each asset across all venues, in units of the asset. An asset not listed is not capped.
    public var maxPosition: [Asset: FixedDecimal]
    /// The symbols trading is allowed on.
    public var allowedSymbols: Set<Symbol>

    public init(maxNotionalPerTradeUSD: FixedDecimal, dailyVolumeUSD: FixedDecimal,
                maxPosition: [Asset: FixedDecimal], allowedSymbols: Set<Symbol>) {
        self.maxNotionalPerTradeUSD = maxNotionalPerTradeUSD
        self.dailyVolumeUSD = dailyVolumeUSD
        self.maxPosition = maxPosition
        self.allowedSymbols = allowedSymbols
    }
}

/// What has been used against the limits so far.
public struct RiskUsage: Sendable, Hashable {
    public var dailyVolumeUSD: FixedDecimal
    /// Holdings per asset, summed over every account.
    public var positions: [Asset: FixedDecimal]

    public init(dailyVolumeUSD: FixedDecimal = .zero, positions: [Asset: FixedDecimal] = [:]) {
        self.dailyVolumeUSD = dailyVolumeUSD
        self.positions = positions
    }
}

/// A trade as risk sees it: what it buys and sells, and what that is worth.
public struct TradeProposal: Sendable, Hashable {
    public let symbol: Symbol
    public let quantity: FixedDecimal
    /// Quote paid on the buy leg and received on the sell leg.
    public let buyNotional: FixedDecimal
    public let sellNotional: FixedDecimal
    /// USD per unit of the quote asset.
    public let quoteUSD: FixedDecimal

    public init(symbol: Symbol, quantity: FixedDecimal, buyNotional: FixedDecimal, sellNotional: FixedDecimal,
                quoteUSD: FixedDecimal) {
        self.symbol = symbol
        self.quantity = quantity
        self.buyNotional = buyNotional
        self.sellNotional = sellNotional
        self.quoteUSD = quoteUSD
    }

    public var notionalUSD: FixedDecimal { buyNotional * quoteUSD }
    public var volumeUSD: FixedDecimal { (buyNotional + sellNotional) * quoteUSD }
}

/// When the desk stops itself. Any left nil is off.
public struct AutoHaltLimits: Sendable, Hashable {
    /// Realised P&L today below minus this, in USD.
    public var dailyLossUSD: FixedDecimal?
    /// Realised P&L today this far below the day's peak, in USD.
    public var drawdownUSD: FixedDecimal?
    /// This many arbitrages in a row that failed (nothing filled).
    public var failedRun: Int?
    /// A venue silent this long: its feed is lost.
    public var feedSilence: Duration?

    public init(dailyLossUSD: FixedDecimal? = nil, drawdownUSD: FixedDecimal? = nil, failedRun: Int? = nil,
                feedSilence: Duration? = nil) {
        self.dailyLossUSD = dailyLossUSD
        self.drawdownUSD = drawdownUSD
        self.failedRun = failedRun
        self.feedSilence = feedSilence
    }

    /// Why the desk must stop now, or nil. `realised` and `peak` are today's realised P&L and its high so far.
    public func reason(realised: FixedDecimal, peak: FixedDecimal, failuresInARow: Int,
                       silentVenue: (venue: String, silence: Duration)?) -> String? {
        if let limit = dailyLossUSD, realised < .zero - limit {
            return "daily loss limit: realised \(realised.formatted(digits: 2)) USD is past the -\(limit.formatted(digits: 2)) limit"
        }
        if let limit = drawdownUSD, peak - realised > limit {
            return "drawdown: \((peak - realised).formatted(digits: 2)) USD below today's peak of \(peak.formatted(digits: 2)), "
                + "past the \(limit.formatted(digits: 2)) limit"
        }
        if let limit = failedRun, failuresInARow >= limit {
            return "\(failuresInARow) arbitrages in a row filled nothing (limit \(limit))"
        }
        if let limit = feedSilence, let silent = silentVenue, silent.silence > limit {
            return "feed lost: \(silent.venue) silent for \(Int(silent.silence.secondsDouble)) s"
        }
        return nil
    }
}
