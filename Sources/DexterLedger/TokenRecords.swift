import DexterCore
import GRDB

/// A member's API token as stored: its public id and the SHA-256 of the whole token, never the token itself.
public struct TokenRecord: Sendable, Hashable {
    public var id: String
    public var user: String
    public var createdAt: String
    public var revokedAt: String?

    public var isRevoked: Bool { revokedAt != nil }
}

extension LedgerWriter {
    /// Stores a new token's hash for `user`, with the audit entry saying so (the id, never the token), in one
    /// transaction.
    public func addToken(id: String, user: String, hash tokenHash: String, by actor: String, at: Timestamp,
                         hash: AuditHash) throws {
        try pool.write { db in
            try db.execute(sql: "INSERT INTO api_tokens (id, user, hash, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [id, user, tokenHash, at.iso8601])
            _ = try Self.appendAudit(db, user: actor, action: "token issued", detail: "\(user): token \(id)", at: at,
                                     hash: hash)
        }
    }

    /// Revokes every live token of `user`; returns the ids revoked (none: nothing changed, nothing audited).
    @discardableResult
    public func revokeTokens(of user: String, by actor: String, at: Timestamp, hash: AuditHash) throws -> [String] {
        try pool.write { db in
            let ids = try String.fetchAll(db, sql: "SELECT id FROM api_tokens WHERE user = ? AND revoked_at IS NULL ORDER BY id",
                                          arguments: [user])
            guard !ids.isEmpty else { return [] }
            try db.execute(sql: "UPDATE api_tokens SET revoked_at = ? WHERE user = ? AND revoked_at IS NULL",
                           arguments: [at.iso8601, user])
            _ = try Self.appendAudit(db, user: actor, action: "token revoked",
                                     detail: "\(user): token \(ids.joined(separator: ", "))", at: at, hash: hash)
            return ids
        }
    }
}

extension LedgerReader {
    /// The member a live token (by its hash) belongs to, or nil (unknown or revoked).
    public func tokenOwner(hash: String) throws -> String? {
        try pool.read { db in
            try String.fetchOne(db, sql: "SELECT user FROM api_tokens WHERE hash = ? AND revoked_at IS NULL",
                                arguments: [hash])
        }
    }

    public func tokens(of user: String? = nil) throws -> [TokenRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, user, created_at, revoked_at FROM api_tokens WHERE ? IS NULL OR user = ? ORDER BY created_at, id",
                             arguments: [user, user]).map { row in
                TokenRecord(id: row["id"], user: row["user"], createdAt: row["created_at"], revokedAt: row["revoked_at"])
            }
        }
    }
}
