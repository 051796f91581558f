import DexterCore
import GRDB

/// A desk member as stored: the risk room gives the fields their meaning.
public struct UserRecord: Sendable, Hashable {
    public var name: String
    public var role: String
    public var mayTrade: Bool
    public var plan: String
    /// Comma-separated; empty for "any".
    public var venues: String
    public var chains: String
    public var pairs: String
    /// Decimal text; empty for "no cap of the user's own".
    public var dailyVolumeUSD: String
    public var maxPositionUSD: String

    public init(name: String, role: String, mayTrade: Bool, plan: String, venues: String = "", chains: String = "",
                pairs: String = "", dailyVolumeUSD: String = "", maxPositionUSD: String = "") {
        self.name = name
        self.role = role
        self.mayTrade = mayTrade
        self.plan = plan
        self.venues = venues
        self.chains = chains
        self.pairs = pairs
        self.dailyVolumeUSD = dailyVolumeUSD
        self.maxPositionUSD = maxPositionUSD
    }
}

extension LedgerWriter {
    /// Adds or replaces a member, with the audit entry saying so, in one transaction.
    public func saveUser(_ user: UserRecord, by actor: String, action: String, detail: String, at: Timestamp,
                         hash: AuditHash) throws {
        try pool.write { db in
            try Self.upsertUser(db, user, at: at)
            _ = try Self.appendAudit(db, user: actor, action: action, detail: detail, at: at, hash: hash)
        }
    }

    /// Adds the member, or replaces their fields (their created_at stays).
    static func upsertUser(_ db: Database, _ user: UserRecord, at: Timestamp) throws {
        try db.execute(sql: """
            INSERT INTO users (name, role, may_trade, plan, venues, chains, pairs, daily_volume_usd, max_position_usd, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(name) DO UPDATE SET role = excluded.role, may_trade = excluded.may_trade, plan = excluded.plan,
                venues = excluded.venues, chains = excluded.chains, pairs = excluded.pairs,
                daily_volume_usd = excluded.daily_volume_usd, max_position_usd = excluded.max_position_usd
            """, arguments: [user.name, user.role, user.mayTrade ? 1 : 0, user.plan, user.venues, user.chains, user.pairs,
                             user.dailyVolumeUSD, user.maxPositionUSD, at.iso8601])
    }

    public func removeUser(_ name: String, by actor: String, at: Timestamp, hash: AuditHash) throws {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM users WHERE name = ?", arguments: [name])
            _ = try Self.appendAudit(db, user: actor, action: "user removed", detail: name, at: at, hash: hash)
        }
    }
}

extension LedgerReader {
    public func users() throws -> [UserRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM users ORDER BY name").map(UserRecord.init(row:))
        }
    }
}
