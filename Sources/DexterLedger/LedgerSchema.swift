import DexterCore
import GRDB

/// The ledger's migrations. A shipped migration never changes: new schema is a new migration.
///
/// Every exact amount is TEXT holding a plain decimal ("1234.5", never a float). `profit_usd_nanos` is the one
/// number SQL must order by, so it is an INTEGER count of 10⁻⁹ USD. Times are ISO 8601 UTC text with
/// milliseconds, which sort as they read.
enum LedgerSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-core") { db in
            try db.execute(sql: """
                CREATE TABLE opportunities (
                    id TEXT PRIMARY KEY,
                    pair TEXT NOT NULL,
                    buy_venue TEXT NOT NULL,
                    sell_venue TEXT NOT NULL,
                    quantity TEXT NOT NULL,
                    gross TEXT NOT NULL,
                    fees TEXT NOT NULL,
                    gas TEXT NOT NULL,
                    slippage TEXT NOT NULL,
                    net TEXT NOT NULL,
                    net_usd TEXT NOT NULL,
                    decision TEXT NOT NULL CHECK (decision IN ('approved', 'rejected', 'denied')),
                    reason TEXT,
                    user TEXT NOT NULL,
                    detected_at TEXT NOT NULL,
                    decided_at TEXT NOT NULL,
                    detail_json TEXT NOT NULL
                );
                CREATE TABLE arbitrages (
                    id TEXT PRIMARY KEY,
                    opportunity_id TEXT NOT NULL REFERENCES opportunities(id),
                    user TEXT NOT NULL,
                    pair TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('completed', 'partial', 'failed')),
                    expected_net_usd TEXT NOT NULL,
                    realised_net_usd TEXT NOT NULL,
                    created_at TEXT NOT NULL
                );
                CREATE INDEX arbitrages_by_user_time ON arbitrages(user, created_at DESC);
                CREATE TABLE orders (
                    id TEXT PRIMARY KEY,
                    arbitrage_id TEXT NOT NULL REFERENCES arbitrages(id),
                    venue TEXT NOT NULL,
                    pair TEXT NOT NULL,
                    side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
                    quantity TEXT NOT NULL,
                    limit_price TEXT NOT NULL,
                    status TEXT NOT NULL,
                    reason TEXT,
                    filled TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                CREATE INDEX orders_by_arbitrage ON orders(arbitrage_id);
                CREATE TABLE trades (
                    id TEXT PRIMARY KEY,
                    order_id TEXT NOT NULL REFERENCES orders(id),
                    arbitrage_id TEXT NOT NULL REFERENCES arbitrages(id),
                    user TEXT NOT NULL,
                    exchange TEXT NOT NULL,
                    pair TEXT NOT NULL,
                    side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
                    amount TEXT NOT NULL,
                    price TEXT NOT NULL,
                    fee TEXT NOT NULL,
                    fee_asset TEXT NOT NULL,
                    gas TEXT NOT NULL,
                    gas_asset TEXT,
                    mark_price TEXT NOT NULL,
                    notional_usd TEXT NOT NULL,
                    profit_usd TEXT NOT NULL,
                    profit_usd_nanos INTEGER NOT NULL,
                    created_at TEXT NOT NULL
                );
                CREATE INDEX trades_by_user_time ON trades(user, created_at DESC);
                CREATE INDEX trades_by_exchange_pair ON trades(exchange, pair);
                CREATE INDEX trades_by_user_profit ON trades(user, profit_usd_nanos);
                CREATE TABLE balances (
                    account TEXT NOT NULL,
                    asset TEXT NOT NULL,
                    amount TEXT NOT NULL,
                    PRIMARY KEY (account, asset)
                );
                """)
        }
        // Every order's every transition, appended as it happens (the orders table holds each order's final row,
        // written with its booking); and a journal of balance changes, so that the balances always equal their
        // opening amounts plus every booked change.
        migrator.registerMigration("v2-order-events-and-balance-journal") { db in
            try db.execute(sql: """
                CREATE TABLE order_events (
                    order_id TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    arbitrage_id TEXT NOT NULL,
                    venue TEXT NOT NULL,
                    pair TEXT NOT NULL,
                    side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
                    quantity TEXT NOT NULL,
                    limit_price TEXT NOT NULL,
                    event TEXT NOT NULL,
                    from_state TEXT NOT NULL,
                    to_state TEXT NOT NULL,
                    filled TEXT NOT NULL,
                    reason TEXT,
                    at TEXT NOT NULL,
                    PRIMARY KEY (order_id, seq)
                );
                CREATE INDEX order_events_by_arbitrage ON order_events(arbitrage_id);
                CREATE TABLE balance_changes (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    source TEXT NOT NULL,
                    account TEXT NOT NULL,
                    asset TEXT NOT NULL,
                    delta TEXT NOT NULL,
                    at TEXT NOT NULL
                );
                CREATE INDEX balance_changes_by_source ON balance_changes(source);
                INSERT INTO balance_changes (source, account, asset, delta, at)
                    SELECT 'opening', account, asset, amount, strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM balances;
                """)
        }
        // Volume summed exactly in SQL, like profit; and why each arbitrage's realised P&L differs from its estimate.
        migrator.registerMigration("v3-report-columns") { db in
            try db.execute(sql: """
                ALTER TABLE trades ADD COLUMN notional_usd_nanos INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE arbitrages ADD COLUMN explanation TEXT NOT NULL DEFAULT '';
                CREATE INDEX trades_by_time ON trades(created_at);
                """)
            for row in try Row.fetchAll(db, sql: "SELECT id, notional_usd FROM trades") {
                let notional = try FixedDecimal(parsing: row["notional_usd"])
                try db.execute(sql: "UPDATE trades SET notional_usd_nanos = ? WHERE id = ?",
                               arguments: [LedgerSchema.nanos(notional), row["id"] as String])
            }
        }
        // Fills rolled up by day, user, venue and pair, kept in the booking's transaction: reports read a few rows,
        // not every fill.
        migrator.registerMigration("v4-fill-rollup") { db in
            try db.execute(sql: """
                CREATE TABLE fill_rollup (
                    day TEXT NOT NULL,
                    user TEXT NOT NULL,
                    exchange TEXT NOT NULL,
                    pair TEXT NOT NULL,
                    fills INTEGER NOT NULL,
                    volume_usd_nanos INTEGER NOT NULL,
                    profit_usd_nanos INTEGER NOT NULL,
                    PRIMARY KEY (day, user, exchange, pair)
                );
                """)
            try rebuildRollup(db)
        }
        // Which approved opportunity each order belongs to, so that an execution cut short by a crash can be booked
        // against it after the restart.
        migrator.registerMigration("v5-order-event-opportunity") { db in
            try db.execute(sql: "ALTER TABLE order_events ADD COLUMN opportunity_id TEXT")
        }
        // FIFO lots per account and asset: what was bought and at what cost, consumed oldest first by sells.
        migrator.registerMigration("v6-fifo-lots") { db in
            try db.execute(sql: """
                CREATE TABLE lots (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    account TEXT NOT NULL,
                    asset TEXT NOT NULL,
                    quantity TEXT NOT NULL,
                    unit_cost_usd TEXT NOT NULL,
                    opened_at TEXT NOT NULL,
                    source TEXT NOT NULL
                );
                CREATE INDEX lots_by_holding ON lots(account, asset, id);
                ALTER TABLE trades ADD COLUMN fifo_realised_usd TEXT NOT NULL DEFAULT '0';
                """)
        }
        // The audit trail: append-only (triggers refuse updates and deletes), each entry chained to the one before
        // by hash, so an edit made around the triggers is still found by `audit verify`.
        migrator.registerMigration("v7-audit-trail") { db in
            try db.execute(sql: """
                CREATE TABLE audit (
                    seq INTEGER NOT NULL UNIQUE,
                    at TEXT NOT NULL,
                    user TEXT NOT NULL,
                    action TEXT NOT NULL,
                    detail TEXT NOT NULL,
                    prev_hash TEXT NOT NULL,
                    hash TEXT NOT NULL
                );
                CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
                    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
                CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
                    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
                """)
        }
        // Desk members: role, plan and access (lists as comma-separated text, empty for "any").
        migrator.registerMigration("v8-users") { db in
            try db.execute(sql: """
                CREATE TABLE users (
                    name TEXT PRIMARY KEY,
                    role TEXT NOT NULL,
                    may_trade INTEGER NOT NULL DEFAULT 0,
                    plan TEXT NOT NULL,
                    venues TEXT NOT NULL DEFAULT '',
                    chains TEXT NOT NULL DEFAULT '',
                    pairs TEXT NOT NULL DEFAULT '',
                    daily_volume_usd TEXT NOT NULL DEFAULT '',
                    max_position_usd TEXT NOT NULL DEFAULT '',
                    created_at TEXT NOT NULL
                );
                """)
        }
        // What each booking is: an arbitrage, the correction of uneven legs, or a position closed by its stop-loss.
        migrator.registerMigration("v9-booking-kind") { db in
            try db.execute(sql: """
                ALTER TABLE arbitrages ADD COLUMN kind TEXT NOT NULL DEFAULT 'arbitrage';
                UPDATE arbitrages SET kind = 'correction' WHERE id GLOB '*-[uh][0-9]*';
                """)
        }
        // Perpetual positions per account and instrument, moved by the bookings that trade them.
        migrator.registerMigration("v10-perpetual-positions") { db in
            try db.execute(sql: """
                CREATE TABLE positions (
                    account TEXT NOT NULL,
                    symbol TEXT NOT NULL,
                    size TEXT NOT NULL,
                    entry_price TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    PRIMARY KEY (account, symbol)
                );
                """)
        }
        // Funding paid or received on perpetual positions, each payment once per venue (its id), with its USD value
        // when booked; the collateral it moved is in balance_changes under source 'funding:<venue>:<id>'.
        migrator.registerMigration("v11-funding") { db in
            try db.execute(sql: """
                CREATE TABLE funding (
                    venue TEXT NOT NULL,
                    id TEXT NOT NULL,
                    account TEXT NOT NULL,
                    symbol TEXT NOT NULL,
                    amount TEXT NOT NULL,
                    asset TEXT NOT NULL,
                    amount_usd TEXT NOT NULL,
                    amount_usd_nanos INTEGER NOT NULL,
                    rate TEXT,
                    position_size TEXT,
                    mark_price TEXT,
                    user TEXT NOT NULL,
                    at TEXT NOT NULL,
                    PRIMARY KEY (venue, id)
                );
                CREATE INDEX funding_by_time ON funding(at);
                """)
        }
        // API tokens of desk members: only a SHA-256 of each is kept; a revoked token stays, marked, for the record.
        migrator.registerMigration("v12-api-tokens") { db in
            try db.execute(sql: """
                CREATE TABLE api_tokens (
                    id TEXT PRIMARY KEY,
                    user TEXT NOT NULL,
                    hash TEXT NOT NULL UNIQUE,
                    created_at TEXT NOT NULL,
                    revoked_at TEXT
                );
                CREATE INDEX api_tokens_by_user ON api_tokens(user);
                """)
        }
        // What a shared desk receives, captured with each write (see DeskOutbox).
        migrator.registerMigration("v13-desk-outbox") { db in try DeskOutbox.create(db) }
        migrator.registerMigration("v14-desk-members") { db in try DeskMemberSync.create(db) }
        return migrator
    }

    static func rebuildRollup(_ db: Database) throws {
        try db.execute(sql: """
            DELETE FROM fill_rollup;
            INSERT INTO fill_rollup (day, user, exchange, pair, fills, volume_usd_nanos, profit_usd_nanos)
                SELECT substr(created_at, 1, 10), user, exchange, pair, COUNT(*), SUM(notional_usd_nanos), SUM(profit_usd_nanos)
                FROM trades GROUP BY 1, 2, 3, 4;
            """)
    }

    /// An amount as an integer count of 10⁻⁹, truncated (amounts are booked with at most 9 decimals).
    static func nanos(_ value: FixedDecimal) -> Int64 { Int64(value.raw / 1_000_000_000) }
}
