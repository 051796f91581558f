import GRDB

/// What a box ships to the shared desk: every write to these tables, captured by triggers into `desk_outbox` in the
/// same transaction as the write itself, so nothing booked can be missed by the shipper and nothing is shipped that
/// did not commit. Each entry carries the row as JSON (exact amounts stay the ledger's text) and a per-box sequence
/// the shipper resumes from.
public enum DeskOutbox {
    /// One table the desk receives, and how its rows are keyed (unique within a box; the desk keys by box too).
    public struct Stream: Sendable, Hashable {
        public let kind: String
        public let table: String
        let keyColumns: [String]

        /// The row's key in SQL, for a row named `row` ("NEW" in a trigger, the table itself in a select).
        func key(_ row: String) -> String {
            keyColumns.map { "CAST(\(row).\"\($0)\" AS TEXT)" }.joined(separator: " || '#' || ")
        }

        /// The row as one JSON object of the given columns.
        static func payload(_ columns: [String], _ row: String) -> String {
            "json_object(" + columns.map { "'\($0)', \(row).\"\($0)\"" }.joined(separator: ", ") + ")"
        }
    }

    /// Bookings (the opportunity decided, the arbitrage, its orders and fills), every order event, the audit trail.
    public static let streams: [Stream] = [
        Stream(kind: "opportunity", table: "opportunities", keyColumns: ["id"]),
        Stream(kind: "arbitrage", table: "arbitrages", keyColumns: ["id"]),
        Stream(kind: "order", table: "orders", keyColumns: ["id"]),
        Stream(kind: "trade", table: "trades", keyColumns: ["id"]),
        Stream(kind: "order_event", table: "order_events", keyColumns: ["order_id", "seq"]),
        Stream(kind: "audit", table: "audit", keyColumns: ["seq"]),
    ]

    /// The outbox, its triggers, and what was booked before it (in the order it was written), so an existing
    /// ledger ships its history too. A later migration that adds a column to one of these tables must re-create
    /// its triggers (`ledger check --desk` finds the column missing from the shared copy otherwise).
    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE desk_outbox (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                kind TEXT NOT NULL,
                key TEXT NOT NULL,
                payload TEXT NOT NULL
            );
            """)
        for stream in streams {
            let columns = try db.columns(in: stream.table).map(\.name)
            let payload = Stream.payload(columns, "NEW")
            for event in ["INSERT", "UPDATE"] {
                try db.execute(sql: """
                    CREATE TRIGGER desk_outbox_\(stream.table)_\(event.lowercased()) AFTER \(event) ON \(stream.table)
                    BEGIN
                        INSERT INTO desk_outbox (kind, key, payload) VALUES ('\(stream.kind)', \(stream.key("NEW")), \(payload));
                    END;
                    """)
            }
            try db.execute(sql: """
                INSERT INTO desk_outbox (kind, key, payload)
                SELECT '\(stream.kind)', \(stream.key(stream.table)), \(Stream.payload(columns, stream.table))
                FROM \(stream.table) ORDER BY rowid
                """)
        }
    }
}

/// One write waiting to reach (or already at) the shared desk.
public struct OutboxEntry: Sendable, Hashable {
    public let sequence: Int64
    public let kind: String
    public let key: String
    /// The row as JSON text.
    public let payload: String
}

extension LedgerReader {
    /// Outbox entries after `sequence`, oldest first.
    public func outbox(after sequence: Int64, limit: Int) throws -> [OutboxEntry] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT seq, kind, key, payload FROM desk_outbox WHERE seq > ? ORDER BY seq LIMIT ?",
                             arguments: [sequence, limit]).map {
                OutboxEntry(sequence: $0["seq"], kind: $0["kind"], key: $0["key"], payload: $0["payload"])
            }
        }
    }

    /// The last outbox sequence written (0 before any).
    public func outboxHead() throws -> Int64 {
        try pool.read { db in try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM desk_outbox") ?? 0 }
    }

    /// Every row of a stream as it stands now, key → JSON, computed afresh from the table (not from the outbox), so
    /// a comparison with the shared desk checks what was shipped against what is booked.
    public func deskRows(of stream: DeskOutbox.Stream) throws -> [String: String] {
        try pool.read { db in
            let columns = try db.columns(in: stream.table).map(\.name)
            let rows = try Row.fetchAll(db, sql: """
                SELECT \(stream.key(stream.table)) AS key, \(DeskOutbox.Stream.payload(columns, stream.table)) AS payload
                FROM \(stream.table)
                """)
            return Dictionary(rows.map { ($0["key"] as String, $0["payload"] as String) }, uniquingKeysWith: { $1 })
        }
    }
}
