import DexterCore

/// Holdings per account and asset: what each venue can sell. Detection sizes against it; the portfolio owns it.
public struct Inventory: Sendable, Hashable {
    public private(set) var balances: [AccountId: [Asset: FixedDecimal]]

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

    public var accounts: [AccountId] { balances.keys.sorted() }
    public var assets: [Asset] { Set(balances.values.flatMap { $0.keys }).sorted() }
}
