import DexterCore

/// Holdings per account and asset (what each venue can sell), and perpetual positions per account. Detection sizes
/// against it; the portfolio owns it.
public struct Inventory: Sendable, Hashable {
    public private(set) var balances: [AccountId: [Asset: FixedDecimal]]
    public private(set) var positions: [AccountId: [Symbol: PerpetualPosition]] = [:]

    public init(_ balances: [AccountId: [Asset: FixedDecimal]] = [:]) { self.balances = balances }

    public func available(_ asset: Asset, at account: AccountId) -> FixedDecimal {
        balances[account]?[asset] ?? .zero
    }

    public mutating func credit(_ asset: Asset, _ amount: FixedDecimal, at account: AccountId) {
        balances[account, default: [:]][asset, default: .zero] += amount
    }

    public mutating func debit(_ asset: Asset, _ amount: FixedDecimal, at account: AccountId) {
        balances[account, default: [:]][asset, default: .zero] -= amount
    }

    /// Holdings of `asset` summed over every account.
    public func total(_ asset: Asset) -> FixedDecimal {
        balances.values.reduce(.zero) { $0 + ($1[asset] ?? .zero) }
    }

    public func position(_ symbol: Symbol, at account: AccountId) -> PerpetualPosition {
        positions[account]?[symbol] ?? PerpetualPosition()
    }

    public mutating func setPosition(_ position: PerpetualPosition, _ symbol: Symbol, at account: AccountId) {
        positions[account, default: [:]][symbol] = position.size.isZero ? nil : position
        if positions[account]?.isEmpty == true { positions[account] = nil }
    }

    /// What a perpetual order may trade on `account`, in base units, as a screen: the part that closes an open position
    /// (no margin needed) plus what the free collateral opens at the instrument's leverage, its fee (`feeRate` of the
    /// notional) paid from the same collateral. Margin in use is taken at entry prices; the pre-trade check prices it
    /// at the marks.
    public func perpetualCapacity(_ symbol: Symbol, side: Side, at account: AccountId, price: Double, terms: MarginTerms,
                                  feeRate: Double = 0) -> Double {
        guard price > 0, let settle = symbol.settle else { return 0 }
        let open = position(symbol, at: account).size
        let closing = (side == .sell) == open.isPositive ? open.magnitude.doubleValue : 0
        let leverage = terms.maxLeverage.doubleValue
        let used = (positions[account] ?? [:]).values.reduce(0.0) { $0 + $1.size.magnitude.doubleValue * $1.entryPrice.doubleValue }
        let free = max(0, available(settle, at: account).doubleValue - used / leverage)
        return closing + free / (price * (1 / leverage + feeRate))
    }

    /// Units of each asset the desk is exposed to in price: holdings everywhere plus the net size of perpetuals on it
    /// (a long perp is exposed like the coin; a hedged pair nets to nothing).
    public var priceExposure: [Asset: FixedDecimal] {
        var units: [Asset: FixedDecimal] = [:]
        for asset in assets { units[asset] = total(asset) }
        for held in positions.values {
            for (symbol, position) in held { units[symbol.base, default: .zero] += position.size }
        }
        return units
    }

    public var accounts: [AccountId] { balances.keys.sorted() }
    public var assets: [Asset] { Set(balances.values.flatMap { $0.keys }).sorted() }
}
