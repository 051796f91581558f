import DexterCore
import GRDB

/// Members, roles and plans shared by the boxes of one desk. A change made on this box (dexter user add, role,
/// remove) goes to the outbox as a "member" entry, in the transaction that makes it, and the shipper puts it in the
/// desk's member list; a change the desk holds from another box is applied here by `applyDeskMembers`, with an
/// audit entry naming the box, and is not sent back (the triggers stay quiet while the desk's changes are applied).
public enum DeskMemberSync {
    public static let kind = "member"
    /// The member's fields as shipped (created_at stays the box's own).
    static let columns = ["name", "role", "may_trade", "plan", "venues", "chains", "pairs", "daily_volume_usd",
                          "max_position_usd"]

    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE desk_member_sync (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                applying INTEGER NOT NULL DEFAULT 0,
                version INTEGER NOT NULL DEFAULT 0
            );
            INSERT INTO desk_member_sync (id) VALUES (1);
            """)
        let quiet = "WHEN (SELECT applying FROM desk_member_sync WHERE id = 1) = 0"
        for event in ["INSERT", "UPDATE"] {
            try db.execute(sql: """
                CREATE TRIGGER desk_outbox_users_\(event.lowercased()) AFTER \(event) ON users \(quiet)
                BEGIN
                    INSERT INTO desk_outbox (kind, key, payload) VALUES ('\(kind)', NEW.name, \(payload("NEW", extra: "'removed', json('false')")));
                END;
                """)
        }
        try db.execute(sql: """
            CREATE TRIGGER desk_outbox_users_delete AFTER DELETE ON users \(quiet)
            BEGIN
                INSERT INTO desk_outbox (kind, key, payload)
                VALUES ('\(kind)', OLD.name, json_object('name', OLD.name, 'removed', json('true')));
            END;
            """)
        // The members this box had before: written before it first reaches a desk, so the desk takes them only where
        // it has no member of that name (the shipper's `joined_seq`).
        try db.execute(sql: """
            INSERT INTO desk_outbox (kind, key, payload)
            SELECT '\(kind)', name, \(payload("users", extra: "'removed', json('false')")) FROM users ORDER BY rowid
            """)
    }

    static func payload(_ row: String, extra: String) -> String {
        "json_object(" + columns.map { "'\($0)', \(row).\($0)" }.joined(separator: ", ") + ", \(extra))"
    }
}

/// A member as the desk holds it: the fields, or removed; `version` orders the desk's changes.
public struct DeskMemberChange: Sendable, Hashable {
    public var version: Int64
    /// The box the change was made on.
    public var box: String
    public var name: String
    /// Nil: removed.
    public var record: UserRecord?

    public init(version: Int64, box: String, name: String, record: UserRecord?) {
        self.version = version
        self.box = box
        self.name = name
        self.record = record
    }
}

extension LedgerWriter {
    /// Applies the desk's member changes here, in one transaction, each that changes something with its audit entry
    /// (by "desk", naming the box), and remembers `last` as the version applied (the desk's changes this box made
    /// itself are in the count and not applied again). The outbox triggers are held quiet meanwhile:
    /// what came from the desk is not sent back to it. Returns the names changed.
    @discardableResult
    public func applyDeskMembers(_ changes: [DeskMemberChange], through last: Int64, at: Timestamp, hash: AuditHash) throws
        -> [String] {
        try pool.write { db in
            try db.execute(sql: "UPDATE desk_member_sync SET applying = 1 WHERE id = 1")
            var changed: [String] = []
            for change in changes.sorted(by: { $0.version < $1.version }) {
                let current = try Row.fetchOne(db, sql: "SELECT * FROM users WHERE name = ?", arguments: [change.name])
                    .map(UserRecord.init(row:))
                guard current != change.record else { continue }
                if let record = change.record {
                    try Self.upsertUser(db, record, at: at)
                    let access = [record.venues.isEmpty ? nil : "venues \(record.venues)", record.chains.isEmpty ? nil : "chains \(record.chains)",
                                  record.pairs.isEmpty ? nil : "pairs \(record.pairs)"].compactMap { $0 }
                    _ = try Self.appendAudit(db, user: "desk", action: current == nil ? "user added" : "user changed",
                                             detail: "\(record.name): \(record.role)\(record.mayTrade ? "+trade" : ""), plan \(record.plan)"
                                                + (access.isEmpty ? "" : ", " + access.joined(separator: ", "))
                                                + " (desk-wide, from box \(change.box))",
                                             at: at, hash: hash)
                } else {
                    try db.execute(sql: "DELETE FROM users WHERE name = ?", arguments: [change.name])
                    _ = try Self.appendAudit(db, user: "desk", action: "user removed",
                                             detail: "\(change.name) (desk-wide, from box \(change.box))", at: at, hash: hash)
                }
                changed.append(change.name)
            }
            try db.execute(sql: "UPDATE desk_member_sync SET applying = 0, version = max(version, ?) WHERE id = 1", arguments: [last])
            return changed
        }
    }
}

extension LedgerReader {
    /// The last desk member version this box has applied (0 before any).
    public func deskMemberVersion() throws -> Int64 {
        try pool.read { db in try Int64.fetchOne(db, sql: "SELECT version FROM desk_member_sync WHERE id = 1") ?? 0 }
    }
}

extension UserRecord {
    init(row: Row) {
        self.init(name: row["name"], role: row["role"], mayTrade: (row["may_trade"] as Int) != 0, plan: row["plan"],
                  venues: row["venues"], chains: row["chains"], pairs: row["pairs"],
                  dailyVolumeUSD: row["daily_volume_usd"], maxPositionUSD: row["max_position_usd"])
    }
}
