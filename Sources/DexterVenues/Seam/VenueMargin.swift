import DexterCore

/// A perpetual venue's own account of the desk's margin: the positions it holds (signed, at its entry and mark, with
/// its liquidation price), and the maintenance margin against the margin balance it liquidates on. Binance USDⓈ-M:
/// `positionRisk` and `account` (`totalMaintMargin`, `totalMarginBalance`); Bybit: `position/list`, `wallet-balance`.
public struct VenueMargin: Sendable, Hashable {
    public struct Position: Sendable, Hashable {
        public let symbol: Symbol
        /// Signed: positive long.
        public let size: FixedDecimal
        public let entryPrice: FixedDecimal
        public let markPrice: FixedDecimal
        public let liquidationPrice: FixedDecimal?

        public init(symbol: Symbol, size: FixedDecimal, entryPrice: FixedDecimal, markPrice: FixedDecimal,
                    liquidationPrice: FixedDecimal?) {
            self.symbol = symbol
            self.size = size
            self.entryPrice = entryPrice
            self.markPrice = markPrice
            self.liquidationPrice = liquidationPrice
        }
    }

    public let venue: VenueId
    public let positions: [Position]
    public let maintenanceMargin: FixedDecimal
    /// Wallet balance plus unrealised P&L: what the venue weighs the maintenance margin against.
    public let marginBalance: FixedDecimal
    public let at: Timestamp

    public init(venue: VenueId, positions: [Position], maintenanceMargin: FixedDecimal, marginBalance: FixedDecimal,
                at: Timestamp) {
        self.venue = venue
        self.positions = positions
        self.maintenanceMargin = maintenanceMargin
        self.marginBalance = marginBalance
        self.at = at
    }

    /// Maintenance margin over margin balance, as the venue counts it: it liquidates at 1.
    public var marginRatio: Double {
        guard marginBalance.isPositive else { return maintenanceMargin.isZero ? 0 : .infinity }
        return maintenanceMargin.doubleValue / marginBalance.doubleValue
    }
}

/// A perpetual venue that says what it holds and how near liquidation: the margin buffer reads the venue's own
/// figures beside the desk's model, and the desk's positions are checked against the venue's.
public protocol MarginReporting: Sendable {
    var venueIds: [VenueId] { get }
    func margin(on venue: VenueId) async throws -> VenueMargin
}
