import DexterCore
import GRDB

/// A malformed or unreadable ledger, named with its path.
public struct LedgerError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "ledger \(path): \(reason)" }
}

/// Opens the SQLite ledger (WAL, migrated) and hands out its writer and readers. Only the engine holds the
/// writer; the screen and the CLI read.
public final class Ledger: Sendable {
    public let path: String
    let pool: DatabasePool

    public init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try LedgerSchema.migrator.migrate(pool)
        } catch {
            throw LedgerError(path: path, reason: "\(error)")
        }
    }

    /// Copies the whole ledger into `path` through SQLite's online backup: consistent even while dexter writes.
    public func backup(to path: String) throws {
        let destination = try DatabaseQueue(path: path)
        try pool.backup(to: destination)
    }

    public var writer: LedgerWriter { LedgerWriter(pool: pool) }
    public var reader: LedgerReader { LedgerReader(pool: pool) }
}

/// Books decisions and executions. Each call is one transaction: it is on disk when the call returns, or not at all.
public struct LedgerWriter: Sendable {
    let pool: DatabasePool

    /// Sets the balances when the ledger has none yet (a fresh paper account); returns whether it did.
    @discardableResult
    public func seedBalances(_ balances: [BalanceChange]) throws -> Bool {
        try pool.write { db in
            guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM balances") == 0 else { return false }
            for balance in balances {
                try db.execute(sql: "INSERT INTO balances (account, asset, amount) VALUES (?, ?, ?)",
                               arguments: [balance.account, balance.asset, balance.delta.description])
                try db.execute(sql: "INSERT INTO balance_changes (source, account, asset, delta, at) VALUES ('opening', ?, ?, ?, ?)",
                               arguments: [balance.account, balance.asset, balance.delta.description, Timestamp.zero.iso8601])
            }
            return true
        }
    }

    public func record(_ opportunity: OpportunityRecord) throws {
        try pool.write { db in try Self.insert(opportunity, db) }
    }

    /// Books an arbitrage, its orders, trades and balance changes in one transaction, and returns it as booked (a
    /// stop-loss's fills realised against their FIFO cost).
    @discardableResult
    public func book(_ booking: ArbitrageBooking, opportunity: OpportunityRecord) throws -> ArbitrageBooking {
        try pool.write { db in try Self.insert(booking, opportunity: opportunity, db) }
    }

    /// Books several arbitrages in one transaction: all of them, or none.
    public func book(batch: [(booking: ArbitrageBooking, opportunity: OpportunityRecord)]) throws {
        try pool.write { db in
            for entry in batch { try Self.insert(entry.booking, opportunity: entry.opportunity, db) }
        }
    }

    @discardableResult
    static func insert(_ booking: ArbitrageBooking, opportunity: OpportunityRecord, _ db: Database) throws -> ArbitrageBooking {
        var booked = booking
        try Self.insert(opportunity, db)
        try db.execute(sql: """
            INSERT INTO arbitrages (id, opportunity_id, user, pair, status, expected_net_usd, realised_net_usd, created_at,
                                    explanation, kind)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [booking.id, booking.opportunityId, booking.user, booking.pair, booking.status.rawValue,
                             booking.expectedNetUSD.description, booking.realisedNetUSD.description,
                             booking.createdAt.iso8601, booking.explanation, booking.kind.rawValue])
        for order in booking.orders {
            try db.execute(sql: """
                INSERT INTO orders (id, arbitrage_id, venue, pair, side, quantity, limit_price, status, reason, filled,
                                    created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [order.id, booking.id, order.venue, order.pair, order.side.rawValue,
                                 order.quantity.description, order.limitPrice.description, order.status, order.reason,
                                 order.filled.description, order.createdAt.iso8601, order.updatedAt.iso8601])
        }
        for index in booked.trades.indices {
            var trade = booked.trades[index]
            trade.fifoRealisedUSD = try Self.applyLots(trade, source: booking.id, db)
            if booking.kind == .stopLoss { trade.profitUSD = (trade.fifoRealisedUSD - trade.gasUSD).rounded(digits: 9, .down) }
            booked.trades[index] = trade
            try db.execute(sql: """
                INSERT INTO trades (id, order_id, arbitrage_id, user, exchange, pair, side, amount, price, fee, fee_asset,
                                    gas, gas_asset, mark_price, notional_usd, profit_usd, profit_usd_nanos, created_at,
                                    notional_usd_nanos, fifo_realised_usd)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [trade.id, trade.orderId, booking.id, trade.user, trade.exchange, trade.pair,
                                 trade.side.rawValue, trade.amount.description, trade.price.description,
                                 trade.fee.description, trade.feeAsset, trade.gas.description, trade.gasAsset,
                                 trade.markPrice.description, trade.notionalUSD.description,
                                 trade.profitUSD.description, LedgerSchema.nanos(trade.profitUSD),
                                 trade.createdAt.iso8601, LedgerSchema.nanos(trade.notionalUSD), trade.fifoRealisedUSD.description])
            try db.execute(sql: """
                INSERT INTO fill_rollup (day, user, exchange, pair, fills, volume_usd_nanos, profit_usd_nanos)
                VALUES (?, ?, ?, ?, 1, ?, ?)
                ON CONFLICT (day, user, exchange, pair) DO UPDATE SET fills = fills + 1,
                    volume_usd_nanos = volume_usd_nanos + excluded.volume_usd_nanos,
                    profit_usd_nanos = profit_usd_nanos + excluded.profit_usd_nanos
                """, arguments: [String(trade.createdAt.iso8601.prefix(10)), trade.user, trade.exchange, trade.pair,
                                 LedgerSchema.nanos(trade.notionalUSD), LedgerSchema.nanos(trade.profitUSD)])
        }
        if booking.kind == .stopLoss {
            booked.realisedNetUSD = booked.trades.reduce(.zero) { $0 + $1.profitUSD }
            try db.execute(sql: "UPDATE arbitrages SET realised_net_usd = ? WHERE id = ?",
                           arguments: [booked.realisedNetUSD.description, booking.id])
        }
        for change in booking.balanceChanges where !change.delta.isZero {
            try Self.change(change, source: booking.id, at: booking.createdAt, db)
        }
        for position in booking.positions {
            if position.size.isZero {
                try db.execute(sql: "DELETE FROM positions WHERE account = ? AND symbol = ?", arguments: [position.account, position.symbol])
            } else {
                try db.execute(sql: """
                    INSERT INTO positions (account, symbol, size, entry_price, updated_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (account, symbol) DO UPDATE SET size = excluded.size, entry_price = excluded.entry_price,
                                                                updated_at = excluded.updated_at
                    """, arguments: [position.account, position.symbol, position.size.description, position.entryPrice.description,
                                     booking.createdAt.iso8601])
            }
        }
        return booked
    }

    /// Books a funding payment and the collateral it moved, in one transaction. A payment already booked (same venue
    /// and id: a venue that says it twice, a restart that reads it again) is not booked again: returns false.
    @discardableResult
    public func book(_ funding: FundingRecord) throws -> Bool {
        try pool.write { db in
            guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM funding WHERE venue = ? AND id = ?",
                                   arguments: [funding.venue, funding.id]) == 0 else { return false }
            try db.execute(sql: """
                INSERT INTO funding (venue, id, account, symbol, amount, asset, amount_usd, amount_usd_nanos, rate,
                                     position_size, mark_price, user, at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [funding.venue, funding.id, funding.account, funding.symbol, funding.amount.description,
                                 funding.asset, funding.amountUSD.description, LedgerSchema.nanos(funding.amountUSD),
                                 funding.rate?.description, funding.positionSize?.description,
                                 funding.markPrice?.description, funding.user, funding.at.iso8601])
            if !funding.amount.isZero {
                try Self.change(BalanceChange(account: funding.account, asset: funding.asset, delta: funding.amount),
                                source: funding.balanceSource, at: funding.at, db)
            }
            return true
        }
    }

    /// One booked change of a balance: journalled under `source`, and the balance moved by it.
    static func change(_ change: BalanceChange, source: String, at time: Timestamp, _ db: Database) throws {
        try db.execute(sql: "INSERT INTO balance_changes (source, account, asset, delta, at) VALUES (?, ?, ?, ?, ?)",
                       arguments: [source, change.account, change.asset, change.delta.description, time.iso8601])
        let current = try String.fetchOne(db, sql: "SELECT amount FROM balances WHERE account = ? AND asset = ?",
                                          arguments: [change.account, change.asset])
        let amount = try (current.map { try FixedDecimal(parsing: $0) } ?? .zero) + change.delta
        try db.execute(sql: """
            INSERT INTO balances (account, asset, amount) VALUES (?, ?, ?)
            ON CONFLICT (account, asset) DO UPDATE SET amount = excluded.amount
            """, arguments: [change.account, change.asset, amount.description])
    }

    /// Opening lots (the seeded balances at their opening prices), once, when the ledger has none.
    @discardableResult
    public func seedLots(_ lots: [(account: String, asset: String, quantity: FixedDecimal, unitCostUSD: FixedDecimal)], at time: Timestamp) throws -> Bool {
        try pool.write { db in
            guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM lots") == 0 else { return false }
            for lot in lots where lot.quantity.isPositive {
                try db.execute(sql: """
                    INSERT INTO lots (account, asset, quantity, unit_cost_usd, opened_at, source) VALUES (?, ?, ?, ?, ?, 'opening')
                    """, arguments: [lot.account, lot.asset, lot.quantity.description, lot.unitCostUSD.description, time.iso8601])
            }
            return true
        }
    }

    /// A buy opens a lot at its cost per unit; a sell consumes the holding's lots oldest first and realises its
    /// proceeds against their cost. A sell beyond the lots realises nothing on the uncovered part (no known cost).
    static func applyLots(_ trade: TradeRecord, source: String, _ db: Database) throws -> FixedDecimal {
        // A perpetual moves a position, not a holding: it has no lots.
        guard trade.amount.isPositive, let cashUSD = trade.cashUSD, !trade.pair.contains(":") else { return .zero }
        let account = trade.account ?? trade.exchange
        let asset = String(trade.pair.split(separator: "/").first ?? "")
        // A fee the venue kept in the asset itself: a buy's lot holds what was received, a sell gives up the fee too.
        let feeInAsset = trade.feeAsset == asset ? trade.fee : .zero
        if trade.side == .buy {
            let received = trade.amount - feeInAsset
            guard received.isPositive else { return .zero }
            try db.execute(sql: """
                INSERT INTO lots (account, asset, quantity, unit_cost_usd, opened_at, source) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [account, asset, received.description, (cashUSD / received).description,
                                 trade.createdAt.iso8601, source])
            return .zero
        }
        var remaining = trade.amount + feeInAsset
        var cost = FixedDecimal.zero
        for row in try Row.fetchAll(db, sql: "SELECT id, quantity, unit_cost_usd FROM lots WHERE account = ? AND asset = ? ORDER BY id",
                                    arguments: [account, asset]) where remaining.isPositive {
            let quantity = try FixedDecimal(parsing: row["quantity"])
            let unitCost = try FixedDecimal(parsing: row["unit_cost_usd"])
            let take = FixedDecimal.min(quantity, remaining)
            cost += take * unitCost
            remaining -= take
            let left = quantity - take
            if left.isZero {
                try db.execute(sql: "DELETE FROM lots WHERE id = ?", arguments: [row["id"] as Int64])
            } else {
                try db.execute(sql: "UPDATE lots SET quantity = ? WHERE id = ?", arguments: [left.description, row["id"] as Int64])
            }
        }
        let given = trade.amount + feeInAsset
        let covered = given - remaining
        let proceeds = covered == given ? cashUSD : cashUSD * covered / given
        return (proceeds - cost).rounded(digits: 9, .down)
    }

    /// Recomputes the report rollup from the fills (after fills were written by other means, e.g. an import).
    public func rebuildRollup() throws {
        try pool.write { db in try LedgerSchema.rebuildRollup(db) }
    }

    /// Appends one order transition (its own transaction: on disk when this returns).
    public func recordOrderEvent(_ event: OrderEventRecord) throws {
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO order_events (order_id, seq, arbitrage_id, venue, pair, side, quantity, limit_price, event,
                                          from_state, to_state, filled, reason, at, opportunity_id)
                VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM order_events WHERE order_id = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [event.orderId, event.orderId, event.arbitrageId, event.venue, event.pair, event.side.rawValue,
                                 event.quantity.description, event.limitPrice.description, event.event, event.fromState,
                                 event.toState, event.filled.description, event.reason, event.at.iso8601, event.opportunityId])
        }
    }

    static func insert(_ record: OpportunityRecord, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO opportunities (id, pair, buy_venue, sell_venue, quantity, gross, fees, gas, slippage, net, net_usd,
                                       decision, reason, user, detected_at, decided_at, detail_json)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET decision = excluded.decision, reason = excluded.reason,
                                           decided_at = excluded.decided_at
            """, arguments: [record.id, record.pair, record.buyVenue, record.sellVenue, record.quantity.description,
                             record.gross.description, record.fees.description, record.gas.description,
                             record.slippage.description, record.net.description, record.netUSD.description,
                             record.decision.rawValue, record.reason, record.user, record.detectedAt.iso8601,
                             record.decidedAt.iso8601, record.detailJSON])
    }
}
