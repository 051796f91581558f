import DexterCore
import DexterLedger
import DexterMarket
import DexterRisk

/// What the desk holds and has made: inventory per account (spot and perpetual positions), open FIFO lots' cost,
/// today's P&L, volume and realised profit by asset and venue, and the prices the session opened at. It changes only
/// when a booking is committed (`apply`), so it is always the ledger's picture.
struct Portfolio: Sendable {
    private(set) var inventory: Inventory
    private(set) var pnl: PnLSummary
    /// The desk's traded volume today, in USD (what the daily limit counts); this user's is `userVolumeTodayUSD`.
    private(set) var deskVolumeTodayUSD: FixedDecimal
    private(set) var userVolumeTodayUSD: FixedDecimal
    /// The desk's own user: another member's bookings count to their volume, not to this one's.
    let user: String
    /// Today's realised profit by base asset, then venue.
    private(set) var realisedByAsset: [String: [String: FixedDecimal]]
    /// Open FIFO lots by asset: quantity and cost in USD.
    private(set) var lotCost: [String: (quantity: FixedDecimal, costUSD: FixedDecimal)] = [:]
    /// Reference USD prices when the session opened, for the mark-to-market move of positions.
    var openingPrices: [Asset: Double] = [:]
    /// Holdings per asset, summed over every account: kept with the inventory, as every risk check reads them.
    private(set) var positions: [Asset: FixedDecimal] = [:]

    /// The portfolio as the ledger has it at `start`, for `user`.
    init(ledger reader: LedgerReader, user: String, at start: Timestamp) throws {
        self.user = user
        var inventory = Inventory()
        for row in try reader.balances() {
            inventory.credit(Asset(row.asset), row.delta, at: AccountId(parsing: row.account))
        }
        for row in try reader.positions() {
            inventory.setPosition(PerpetualPosition(size: row.size, entryPrice: row.entryPrice), try Symbol(parsing: row.symbol),
                                  at: AccountId(parsing: row.account))
        }
        self.inventory = inventory
        positions = Self.positions(inventory)
        let today = try reader.summary(ofDayContaining: start, user: user)
        pnl = PnLSummary(realisedTodayUSD: today.realisedNetUSD, arbitragesToday: today.arbitrageCount,
                         tradesToday: today.tradeCount, volumeTodayUSD: today.volumeUSD,
                         history: [today.realisedNetUSD.doubleValue])
        pnl.fundingTodayUSD = today.fundingUSD
        deskVolumeTodayUSD = try reader.summary(ofDayContaining: start).volumeUSD
        userVolumeTodayUSD = today.volumeUSD
        realisedByAsset = today.realisedByAsset
        refreshLots(from: reader)
    }

    /// What the risk checks count against the limits.
    var usage: RiskUsage { RiskUsage(dailyVolumeUSD: deskVolumeTodayUSD, positions: positions) }

    static func positions(_ inventory: Inventory) -> [Asset: FixedDecimal] {
        Dictionary(uniqueKeysWithValues: inventory.assets.map { ($0, inventory.total($0)) })
    }

    /// A committed booking moves inventory, positions and today's figures; `base` is the asset its profit is filed
    /// under. The lots are read back from the ledger, which worked them out in the booking's transaction.
    mutating func apply(_ booking: ArbitrageBooking, base: Asset, lotsFrom reader: LedgerReader) {
        for change in booking.balanceChanges {
            inventory.credit(Asset(change.asset), change.delta, at: AccountId(parsing: change.account))
        }
        for position in booking.positions {
            guard let symbol = try? Symbol(parsing: position.symbol) else { continue }
            inventory.setPosition(PerpetualPosition(size: position.size, entryPrice: position.entryPrice), symbol,
                                  at: AccountId(parsing: position.account))
        }
        positions = Self.positions(inventory)
        let volume = booking.trades.reduce(FixedDecimal.zero) { $0 + $1.notionalUSD }
        deskVolumeTodayUSD += volume
        if booking.user == user { userVolumeTodayUSD += volume }
        pnl.realisedTodayUSD += booking.realisedNetUSD
        pnl.volumeTodayUSD += volume
        if booking.kind != .stopLoss { pnl.arbitragesToday += 1 }
        pnl.tradesToday += booking.trades.count
        pnl.history.append(pnl.realisedTodayUSD.doubleValue)
        for trade in booking.trades {
            realisedByAsset[base.code, default: [:]][trade.exchange, default: .zero] += trade.profitUSD
        }
        refreshLots(from: reader)
    }

    /// A booked funding payment moves its account's collateral and today's realised P&L.
    mutating func apply(_ funding: FundingRecord) {
        inventory.credit(Asset(funding.asset), funding.amount, at: AccountId(parsing: funding.account))
        positions = Self.positions(inventory)
        pnl.realisedTodayUSD += funding.amountUSD
        pnl.fundingTodayUSD += funding.amountUSD
        pnl.history.append(pnl.realisedTodayUSD.doubleValue)
    }

    mutating func refreshLots(from reader: LedgerReader) {
        var byAsset: [String: (quantity: FixedDecimal, costUSD: FixedDecimal)] = [:]
        for lot in (try? reader.openLots()) ?? [] {
            let current = byAsset[lot.asset] ?? (.zero, .zero)
            byAsset[lot.asset] = (current.quantity + lot.quantity, current.costUSD + lot.quantity * lot.averageCostUSD)
        }
        lotCost = byAsset
    }
}
