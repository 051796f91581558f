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
