import DexterCore

/// The margin rules of a linear perpetual (settled in its quote): the most leverage a position may open with, and
/// the maintenance margin under which the venue liquidates it. Binance's USDⓈ-M formulas:
/// initial margin = notional / leverage; maintenance margin = notional × rate − maintenance amount.
public struct MarginTerms: Sendable, Hashable {
    public var maxLeverage: FixedDecimal
    public var maintenanceRate: FixedDecimal
    /// Deducted from the maintenance margin (the venue's bracket amount; zero in the first bracket).
    public var maintenanceAmount: FixedDecimal

    public init(maxLeverage: FixedDecimal, maintenanceRate: FixedDecimal, maintenanceAmount: FixedDecimal = .zero) {
        precondition(maxLeverage >= .one && maintenanceRate.isPositive, "leverage at least 1, a positive maintenance rate")
        self.maxLeverage = maxLeverage
        self.maintenanceRate = maintenanceRate
        self.maintenanceAmount = maintenanceAmount
    }
}

/// A position in one perpetual on one account: signed size in base units (positive long, negative short) and the
/// average price it was entered at.
public struct PerpetualPosition: Sendable, Hashable {
    public var size: FixedDecimal
    public var entryPrice: FixedDecimal

    public init(size: FixedDecimal = .zero, entryPrice: FixedDecimal = .zero) {
        self.size = size
        self.entryPrice = entryPrice
    }

    /// Applies a fill of `quantity` at `price`. The part that closes the position realises (price − entry) per unit
    /// in the position's direction; the part that adds (or opens the other way) moves the entry to the
    /// quantity-weighted average. Returns what was realised, in the settle asset, before fees.
    @discardableResult
    public mutating func apply(_ side: Side, quantity: FixedDecimal, price: FixedDecimal) -> FixedDecimal {
        let signed = side == .buy ? quantity : .zero - quantity
        let reducing = !size.isZero && size.isPositive != signed.isPositive
        guard reducing else {
            let total = size.magnitude + quantity
            entryPrice = total.isPositive ? (size.magnitude * entryPrice + quantity * price) / total : .zero
            size += signed
            return .zero
        }
        let closed = FixedDecimal.min(size.magnitude, quantity)
        let realised = size.isPositive ? (price - entryPrice) * closed : (entryPrice - price) * closed
        let opened = quantity - closed
        size += signed
        if size.isZero { entryPrice = .zero } else if opened.isPositive { entryPrice = price }
        return realised
    }

    /// Profit or loss if closed at `mark`: size × (mark − entry).
    public func unrealised(at mark: FixedDecimal) -> FixedDecimal { size * (mark - entryPrice) }

    public func notional(at mark: FixedDecimal) -> FixedDecimal { size.magnitude * mark }
}

/// One account's perpetuals against its collateral, at given marks: what it is worth and how near liquidation it is.
public struct MarginAccount: Sendable, Hashable {
    public struct Holding: Sendable, Hashable {
        public let symbol: Symbol
        public let position: PerpetualPosition
        public let mark: FixedDecimal
        public let terms: MarginTerms

        public init(symbol: Symbol, position: PerpetualPosition, mark: FixedDecimal, terms: MarginTerms) {
            self.symbol = symbol
            self.position = position
            self.mark = mark
            self.terms = terms
        }

        public var maintenanceMargin: FixedDecimal {
            FixedDecimal.max(.zero, position.notional(at: mark) * terms.maintenanceRate - terms.maintenanceAmount)
        }
        public var initialMargin: FixedDecimal { position.notional(at: mark) / terms.maxLeverage }
    }

    /// The settle asset held as margin (the wallet balance: deposits plus realised P&L less fees).
    public let collateral: FixedDecimal
    public let holdings: [Holding]

    public init(collateral: FixedDecimal, holdings: [Holding]) {
        self.collateral = collateral
        self.holdings = holdings
    }

    public var unrealised: FixedDecimal { holdings.reduce(.zero) { $0 + $1.position.unrealised(at: $1.mark) } }
    /// The margin balance: collateral plus unrealised P&L.
    public var equity: FixedDecimal { collateral + unrealised }
    public var maintenanceMargin: FixedDecimal { holdings.reduce(.zero) { $0 + $1.maintenanceMargin } }
    public var initialMargin: FixedDecimal { holdings.reduce(.zero) { $0 + $1.initialMargin } }
    /// Maintenance margin over equity: the venue liquidates at 1 (100 %); infinite when equity is gone.
    public var marginRatio: Double {
        guard equity.isPositive else { return maintenanceMargin.isZero ? 0 : .infinity }
        return maintenanceMargin.doubleValue / equity.doubleValue
    }
    /// Equity not tied up as initial margin: what new positions may use.
    public var available: FixedDecimal { FixedDecimal.max(.zero, equity - initialMargin) }
}
