import Logging
import PostgresNIO

/// The shared desk's tables in PostgreSQL. Every box creates what is missing when it connects (under an advisory
/// lock, so boxes starting together do not race), and never changes what exists: new schema is new statements.
enum DeskSchema {
    /// The advisory lock key boxes take to create the schema ("dexter" in ASCII, as a number).
    static let lockKey: Int64 = 0x64_6578_7465_72

    static let statements: [PostgresQuery] = [
        // Each box, and how far its ledger has reached the desk.
        """
        CREATE TABLE IF NOT EXISTS desk_boxes (
            box text PRIMARY KEY,
            shipped_seq bigint NOT NULL DEFAULT 0,
            joined_seq bigint NOT NULL DEFAULT 0,
            shipped_at timestamptz
        )
        """,
        // Every shipped row, as the box's ledger holds it (JSON: exact amounts stay decimal text), keyed by box and
        // the row's own key, so a row shipped twice lands once and the newer write wins.
        """
        CREATE TABLE IF NOT EXISTS desk_records (
            box text NOT NULL REFERENCES desk_boxes (box),
            kind text NOT NULL,
            key text NOT NULL,
            seq bigint NOT NULL,
            payload jsonb NOT NULL,
            PRIMARY KEY (box, kind, key)
        )
        """,
        "CREATE INDEX IF NOT EXISTS desk_records_by_seq ON desk_records (box, seq)",
        // The desk's trading state: one row, versioned, changed with a NOTIFY so every box hears it.
        """
        CREATE TABLE IF NOT EXISTS desk_state (
            id int PRIMARY KEY CHECK (id = 1),
            version bigint NOT NULL,
            state text NOT NULL CHECK (state IN ('active', 'reducing', 'halted')),
            reason text NOT NULL,
            box text NOT NULL,
            member text NOT NULL,
            at timestamptz NOT NULL DEFAULT now()
        )
        """,
        "INSERT INTO desk_state (id, version, state, reason, box, member) VALUES (1, 0, 'active', '', '', '') ON CONFLICT DO NOTHING",
        // Desk-wide limits, what the boxes have reserved of each per UTC day, and each box's grants (what it
        // reserved, what it handed back).
        """
        CREATE TABLE IF NOT EXISTS desk_limits (
            kind text PRIMARY KEY,
            amount numeric NOT NULL CHECK (amount >= 0),
            set_by text NOT NULL,
            set_at timestamptz NOT NULL DEFAULT now()
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS desk_usage (
            day date NOT NULL,
            kind text NOT NULL,
            used numeric NOT NULL DEFAULT 0 CHECK (used >= 0),
            PRIMARY KEY (day, kind)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS desk_grants (
            box text NOT NULL,
            day date NOT NULL,
            kind text NOT NULL,
            granted numeric NOT NULL DEFAULT 0,
            returned numeric NOT NULL DEFAULT 0,
            PRIMARY KEY (box, day, kind)
        )
        """,
        // What a risk manager queries: the rows typed, amounts as numeric.
        """
        CREATE OR REPLACE VIEW desk_trades AS
        SELECT box, key AS id, payload->>'arbitrage_id' AS arbitrage_id, payload->>'user' AS member,
               payload->>'exchange' AS exchange, payload->>'pair' AS pair, payload->>'side' AS side,
               (payload->>'amount')::numeric AS amount, (payload->>'price')::numeric AS price,
               (payload->>'fee')::numeric AS fee, payload->>'fee_asset' AS fee_asset,
               (payload->>'notional_usd')::numeric AS notional_usd, (payload->>'profit_usd')::numeric AS profit_usd,
               payload->>'created_at' AS created_at
        FROM desk_records WHERE kind = 'trade'
        """,
        // Members, roles and plans, desk-wide: the last change to reach the desk wins; `version` orders the changes
        // so a box applies only what it has not (a removal stays as a row, so a box that was away hears of it).
        "CREATE SEQUENCE IF NOT EXISTS desk_members_version",
        """
        CREATE TABLE IF NOT EXISTS desk_members (
            name text PRIMARY KEY,
            record jsonb NOT NULL,
            removed boolean NOT NULL,
            version bigint NOT NULL,
            box text NOT NULL,
            at timestamptz NOT NULL DEFAULT now()
        )
        """,
        // Plan tiers (what a member's plan allows), desk-wide: a box sets the tiers its config names where the desk
        // has none of the name, and every box's engine takes the desk's.
        """
        CREATE TABLE IF NOT EXISTS desk_plans (
            name text PRIMARY KEY,
            max_venues int,
            daily_volume_usd numeric,
            set_by text NOT NULL,
            set_at timestamptz NOT NULL DEFAULT now()
        )
        """,
        """
        CREATE OR REPLACE VIEW desk_audit AS
        SELECT box, (payload->>'seq')::bigint AS seq, payload->>'at' AS at, payload->>'user' AS member,
               payload->>'action' AS action, payload->>'detail' AS detail, payload->>'prev_hash' AS prev_hash,
               payload->>'hash' AS hash
        FROM desk_records WHERE kind = 'audit'
        """,
    ]

    /// Creates what is missing, in one transaction under the advisory lock.
    static func prepare(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.transaction(logger: logger) { connection in
            try await connection.run("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            for statement in statements { try await connection.run(statement, logger: logger) }
        }
    }
}

extension PostgresConnection {
    /// BEGIN, the work, COMMIT; ROLLBACK when the work throws. (PostgresNIO's own withTransaction, with its
    /// `#isolation` parameter, crashed called from an actor here: a jump to a null pointer.)
    func transaction<Result: Sendable>(logger: Logger, _ work: @Sendable (PostgresConnection) async throws -> Result) async throws -> Result {
        try await run("BEGIN", logger: logger)
        do {
            let result = try await work(self)
            try await run("COMMIT", logger: logger)
            return result
        } catch {
            try? await run("ROLLBACK", logger: logger)
            throw error
        }
    }

    /// Runs a statement and reads its answer through (the connection takes the next statement only after).
    func run(_ query: PostgresQuery, logger: Logger) async throws {
        for try await _ in try await self.query(query, logger: logger) {}
    }
}
