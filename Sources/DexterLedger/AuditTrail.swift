import DexterCore
import GRDB

/// One entry of the audit trail: who did what, when, chained to the entry before it by hash.
public struct AuditEntry: Sendable, Hashable {
    public let sequence: Int64
    /// ISO 8601 UTC, as stored and hashed.
    public let at: String
    public let user: String
    public let action: String
    public let detail: String
    public let previousHash: String
    public let hash: String

    public init(sequence: Int64, at: String, user: String, action: String, detail: String, previousHash: String, hash: String) {
        self.sequence = sequence
        self.at = at
        self.user = user
        self.action = action
        self.detail = detail
        self.previousHash = previousHash
        self.hash = hash
    }

    /// What is hashed: every field, each prefixed by its length so no two entries can read the same.
    public static func canonical(sequence: Int64, at: String, user: String, action: String, detail: String,
                                 previousHash: String) -> String {
        [String(sequence), at, user, action, detail, previousHash].map { "\($0.utf8.count):\($0)" }.joined()
    }
}

/// A hex SHA-256 of text, handed in by whoever opens the ledger (the crypto room owns hashing).
public typealias AuditHash = @Sendable (String) -> String

/// What `verify` found wrong with the chain, naming the entry.
public enum AuditProblem: Sendable, Hashable, CustomStringConvertible {
    /// The entry's fields no longer give its stored hash.
    case edited(sequence: Int64)
    /// Sequence numbers jump: these entries are gone.
    case missing(from: Int64, to: Int64)
    /// The entry does not follow the one before it: its previous hash is another entry's (moved), or none at all.
    case reordered(sequence: Int64)
    case brokenLink(sequence: Int64)

    public var description: String {
        switch self {
        case .edited(let sequence): return "entry \(sequence) was edited: its fields no longer match its hash"
        case .missing(let from, let to):
            return from == to ? "entry \(from) was deleted" : "entries \(from)–\(to) were deleted"
        case .reordered(let sequence): return "entry \(sequence) is out of order: it was written after another entry"
        case .brokenLink(let sequence):
            return "entry \(sequence) does not follow the entry before it (an entry before it was changed or removed)"
        }
    }
}

extension LedgerSchema {
    static let genesisHash = String(repeating: "0", count: 64)
}

extension LedgerWriter {
    /// Appends an entry in its own transaction, chained to the last one.
    @discardableResult
    public func appendAudit(user: String, action: String, detail: String, at: Timestamp, hash: AuditHash) throws
        -> AuditEntry {
        try pool.write { db in try Self.appendAudit(db, user: user, action: action, detail: detail, at: at, hash: hash) }
    }

    /// Appends inside a caller's transaction, so a change and its audit entry commit together.
    static func appendAudit(_ db: Database, user: String, action: String, detail: String, at: Timestamp,
                            hash: AuditHash) throws -> AuditEntry {
        let last = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
        let sequence = (last?["seq"] as Int64? ?? 0) + 1
        let previous = last?["hash"] as String? ?? LedgerSchema.genesisHash
        let time = at.iso8601
        let digest = hash(AuditEntry.canonical(sequence: sequence, at: time, user: user, action: action, detail: detail,
                                               previousHash: previous))
        try db.execute(sql: "INSERT INTO audit (seq, at, user, action, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       arguments: [sequence, time, user, action, detail, previous, digest])
        return AuditEntry(sequence: sequence, at: time, user: user, action: action, detail: detail,
                          previousHash: previous, hash: digest)
    }
}

extension LedgerReader {
    /// Entries in sequence order, optionally within [from, to] by sequence and by time.
    public func auditEntries(fromSequence: Int64? = nil, toSequence: Int64? = nil, from: Timestamp? = nil,
                             to: Timestamp? = nil) throws -> [AuditEntry] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT seq, at, user, action, detail, prev_hash, hash FROM audit
                WHERE seq >= ? AND seq <= ? AND at >= ? AND at < ? ORDER BY seq
                """, arguments: [fromSequence ?? Int64.min, toSequence ?? Int64.max, from?.iso8601 ?? "", to?.iso8601 ?? "~"])
            .map { row in
                AuditEntry(sequence: row["seq"], at: row["at"], user: row["user"],
                           action: row["action"], detail: row["detail"], previousHash: row["prev_hash"], hash: row["hash"])
            }
        }
    }

    /// Entries with one of `actions`, in sequence order.
    public func auditEntries(actions: [String]) throws -> [AuditEntry] {
        guard !actions.isEmpty else { return [] }
        return try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT seq, at, user, action, detail, prev_hash, hash FROM audit
                WHERE action IN (\(Array(repeating: "?", count: actions.count).joined(separator: ", "))) ORDER BY seq
                """, arguments: StatementArguments(actions))
            .map { row in
                AuditEntry(sequence: row["seq"], at: row["at"], user: row["user"],
                           action: row["action"], detail: row["detail"], previousHash: row["prev_hash"], hash: row["hash"])
            }
        }
    }

    /// Walks the whole chain: every entry's hash recomputed from its fields, every link to the one before, no gap
    /// in the sequence. An empty list means intact.
    public func verifyAudit(hash: AuditHash) throws -> (entries: Int, head: String, problems: [AuditProblem]) {
        let entries = try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT seq, at, user, action, detail, prev_hash, hash FROM audit").map {
                AuditEntry(sequence: $0["seq"], at: $0["at"], user: $0["user"], action: $0["action"], detail: $0["detail"],
                           previousHash: $0["prev_hash"], hash: $0["hash"])
            }
        }
        return AuditEntry.verifyChain(entries, hash: hash)
    }
}

extension AuditEntry {
    /// Walks a chain (a box's own ledger, or its copy at the shared desk): every entry's hash recomputed from its
    /// fields, every link to the one before, no gap in the sequence. An empty list of problems means intact.
    public static func verifyChain(_ entries: [AuditEntry], hash: AuditHash) -> (entries: Int, head: String, problems: [AuditProblem]) {
        var problems: [AuditProblem] = []
        var seen: [String: Int64] = [:]
        var previous = LedgerSchema.genesisHash
        var expected: Int64 = 1
        for entry in entries.sorted(by: { $0.sequence < $1.sequence }) {
            let sequence = entry.sequence
            let gap = sequence > expected
            if gap { problems.append(.missing(from: expected, to: sequence - 1)) }
            let recomputed = hash(canonical(sequence: sequence, at: entry.at, user: entry.user, action: entry.action,
                                            detail: entry.detail, previousHash: entry.previousHash))
            if recomputed != entry.hash { problems.append(.edited(sequence: sequence)) }
            // A gap already explains a broken link; otherwise a link to an older entry means this one was moved.
            if entry.previousHash != previous && !gap {
                problems.append(seen[entry.previousHash] != nil ? .reordered(sequence: sequence) : .brokenLink(sequence: sequence))
            }
            seen[entry.hash] = sequence
            previous = entry.hash
            expected = sequence + 1
        }
        return (entries.count, previous, problems)
    }
}
