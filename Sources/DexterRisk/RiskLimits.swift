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

/// A trade as risk sees it: the legs it trades, in order, and what each is worth. A pair arbitrage buys and sells
/// one symbol; a cycle trades a different symbol on each leg.
public struct TradeProposal: Sendable, Hashable {
    public struct Leg: Sendable, Hashable {
        public let symbol: Symbol
        public let side: Side
        public let quantity: FixedDecimal
        /// Quote paid (buy) or received (sell).
        public let notional: FixedDecimal
        /// USD per unit of the leg's quote asset.
        public let quoteUSD: FixedDecimal

        public init(symbol: Symbol, side: Side, quantity: FixedDecimal, notional: FixedDecimal, quoteUSD: FixedDecimal) {
            self.symbol = symbol
            self.side = side
            self.quantity = quantity
            self.notional = notional
            self.quoteUSD = quoteUSD
        }

        public var notionalUSD: FixedDecimal { notional * quoteUSD }
        /// What the leg brings in if it fills and the legs after it miss: base on a buy, quote on a sell.
        public var received: (asset: Asset, amount: FixedDecimal) {
            side == .buy ? (symbol.base, quantity) : (symbol.quote, notional)
        }
    }

    public let legs: [Leg]

    public init(legs: [Leg]) {
        precondition(!legs.isEmpty, "a trade has a leg")
        self.legs = legs
    }

    /// A pair arbitrage: buy `quantity` of `symbol` for `buyNotional`, sell it for `sellNotional`.
    public init(symbol: Symbol, quantity: FixedDecimal, buyNotional: FixedDecimal, sellNotional: FixedDecimal,
                quoteUSD: FixedDecimal) {
        legs = [Leg(symbol: symbol, side: .buy, quantity: quantity, notional: buyNotional, quoteUSD: quoteUSD),
                Leg(symbol: symbol, side: .sell, quantity: quantity, notional: sellNotional, quoteUSD: quoteUSD)]
    }

    /// Every symbol the trade touches, each once, in leg order.
    public var symbols: [Symbol] {
        var seen = Set<Symbol>()
        return legs.map(\.symbol).filter { seen.insert($0).inserted }
    }
    /// What the trade puts in: the first leg's notional, in USD (a pair's buy leg).
    public var notionalUSD: FixedDecimal { legs[0].notionalUSD }
    /// Every leg's notional, in USD.
    public var volumeUSD: FixedDecimal { legs.reduce(.zero) { $0 + $1.notionalUSD } }
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
