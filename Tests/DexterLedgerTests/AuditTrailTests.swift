import DexterCore
import DexterCrypto
import DexterLedger
import Foundation
import GRDB
import Testing

/// The audit trail finds every edit, deletion and reordering made directly in SQLite, around its triggers.
@Suite struct AuditTrailTests {
    let hash: AuditHash = { OpenSSL.sha256Hex($0) }

    func ledgerWithEntries(_ count: Int = 6) throws -> (Ledger, String) {
        let path = NSTemporaryDirectory() + "audit-\(UUID().uuidString).sqlite"
        let ledger = try Ledger(path: path)
        let actions = ["login", "approve", "reject", "halt", "resume", "key added", "approve", "wallet created"]
        for index in 0..<count {
            try ledger.writer.appendAudit(user: index % 2 == 0 ? "alice" : "bob", action: actions[index % actions.count],
                                          detail: "entry \(index + 1), with a comma, and \"quotes\"",
                                          at: Timestamp(nanoseconds: Int64(index + 1) * 1_000_000_000), hash: hash)
        }
        return (ledger, path)
    }

    /// Raw SQL with the append-only triggers out of the way, as someone editing the file would do it.
    func tamper(_ path: String, _ sql: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;")
            try db.execute(sql: sql)
        }
    }

    @Test func anIntactChainVerifies() throws {
        let (ledger, path) = try ledgerWithEntries()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try ledger.reader.verifyAudit(hash: hash)
        #expect(result.entries == 6 && result.problems.isEmpty)
        let entries = try ledger.reader.auditEntries()
        #expect(entries.map(\.sequence) == [1, 2, 3, 4, 5, 6])
        #expect(entries[0].previousHash == String(repeating: "0", count: 64))
        for (earlier, later) in zip(entries, entries.dropFirst()) { #expect(later.previousHash == earlier.hash) }
        #expect(result.head == entries[5].hash)
        // The hash is SHA-256 of the canonical fields, checked here independently.
        let first = entries[0]
        let text = ["1", first.at, first.user, first.action, first.detail, first.previousHash].map { "\($0.utf8.count):\($0)" }.joined()
        #expect(first.hash == OpenSSL.sha256Hex(text))
    }

    @Test func triggersRefuseEditsAndDeletes() throws {
        let (_, path) = try ledgerWithEntries()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let queue = try DatabaseQueue(path: path)
        #expect(throws: (any Error).self) { try queue.write { try $0.execute(sql: "UPDATE audit SET user = 'mallory' WHERE seq = 2") } }
        #expect(throws: (any Error).self) { try queue.write { try $0.execute(sql: "DELETE FROM audit WHERE seq = 2") } }
    }

    @Test func anEditedEntryIsNamed() throws {
        let (ledger, path) = try ledgerWithEntries()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try tamper(path, "UPDATE audit SET detail = 'approved 1 BTC' WHERE seq = 3")
        #expect(try ledger.reader.verifyAudit(hash: hash).problems == [.edited(sequence: 3)])
    }

    @Test func anEditWithARecomputedHashBreaksTheNextLink() throws {
        let (ledger, path) = try ledgerWithEntries()
        defer { try? FileManager.default.removeItem(atPath: path) }
        // The editor recomputes entry 3's own hash; entry 4 still points at the old one.
        let entry = try #require(try ledger.reader.auditEntries(fromSequence: 3, toSequence: 3).first)
        let forged = hash(AuditEntry.canonical(sequence: 3, at: entry.at, user: "mallory", action: entry.action,
                                               detail: entry.detail, previousHash: entry.previousHash))
        try tamper(path, "UPDATE audit SET user = 'mallory', hash = '\(forged)' WHERE seq = 3")
        #expect(try ledger.reader.verifyAudit(hash: hash).problems == [.brokenLink(sequence: 4)])
    }

    @Test func aDeletedEntryIsNamed() throws {
        let (ledger, path) = try ledgerWithEntries()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try tamper(path, "DELETE FROM audit WHERE seq = 4")
        #expect(try ledger.reader.verifyAudit(hash: hash).problems == [.missing(from: 4, to: 4)])
        // The newest entries cut off leave no gap, but the head moves: verify prints it to compare with a record.
        let (other, otherPath) = try ledgerWithEntries()
        defer { try? FileManager.default.removeItem(atPath: otherPath) }
        let head = try other.reader.verifyAudit(hash: hash).head
        try tamper(otherPath, "DELETE FROM audit WHERE seq = 6")
        #expect(try other.reader.verifyAudit(hash: hash).head != head)
    }

    @Test func reorderedEntriesAreNamed() throws {
        let (ledger, path) = try ledgerWithEntries()
        defer { try? FileManager.default.removeItem(atPath: path) }
        // Swap entries 2 and 3 by renumbering them.
        try tamper(path, "UPDATE audit SET seq = -1 WHERE seq = 2; UPDATE audit SET seq = 2 WHERE seq = 3; UPDATE audit SET seq = 3 WHERE seq = -1")
        let problems = try ledger.reader.verifyAudit(hash: hash).problems
        #expect(problems.contains(.reordered(sequence: 3)))
        #expect(problems.contains(.edited(sequence: 2)) && problems.contains(.edited(sequence: 3)))
        #expect(problems.allSatisfy { problem in
            switch problem {
            case .edited(let s), .reordered(let s), .brokenLink(let s): return s == 2 || s == 3 || s == 4
            case .missing: return false
            }
        })
    }
}
