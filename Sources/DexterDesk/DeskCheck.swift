import DexterLedger
import Foundation
import Logging
import PostgresNIO

/// What `ledger check --desk` found: for this box, each stream of its ledger against the desk's copy.
public struct DeskLedgerReport: Sendable {
    public struct Stream: Sendable {
        public var kind: String
        public var booked: Int
        public var atDesk: Int
        /// Booked here, not at the desk.
        public var missing: [String]
        /// At the desk, not booked here.
        public var extra: [String]
        /// At both, not the same.
        public var differing: [String]
    }

    public var box: String
    public var streams: [Stream]
    /// Outbox entries not yet shipped.
    public var waiting: Int64
    /// Every box at the desk, with how far each has shipped and how many rows the desk holds of it.
    public var boxes: [(box: String, shipped: Int64, rows: Int)]

    public var problems: [String] {
        var said: [String] = []
        if waiting > 0 { said.append("\(waiting) outbox entries of box \(box) are not at the desk yet (is dexter running and the desk reachable?)") }
        for stream in streams {
            func some(_ keys: [String]) -> String { keys.sorted().prefix(5).joined(separator: ", ") + (keys.count > 5 ? ", …" : "") }
            if !stream.missing.isEmpty { said.append("\(stream.kind): \(stream.missing.count) booked here and not at the desk (\(some(stream.missing)))") }
            if !stream.extra.isEmpty { said.append("\(stream.kind): \(stream.extra.count) at the desk and not booked here (\(some(stream.extra)))") }
            if !stream.differing.isEmpty { said.append("\(stream.kind): \(stream.differing.count) differ from what is booked here (\(some(stream.differing)))") }
        }
        return said
    }
}

/// What `audit verify --desk` found: each box's chain as the desk holds it.
public struct DeskAuditReport: Sendable {
    public var chains: [(box: String, entries: Int, head: String, problems: [AuditProblem])]
}

public enum DeskCheck {
    /// Compares every stream of this box's ledger, row by row, with the desk's copy of it.
    public static func ledger(box: String, reader: LedgerReader, database: DeskDatabase, logger: Logger) async throws
        -> DeskLedgerReport {
        let connection = try await database.connect(logger: logger)
        defer { Task { try? await connection.close() } }
        var shipped: Int64 = 0
        var boxes: [(box: String, shipped: Int64, rows: Int)] = []
        for try await (name, cursor, rows) in try await connection.query("""
            SELECT b.box, b.shipped_seq, (SELECT count(*) FROM desk_records r WHERE r.box = b.box)
            FROM desk_boxes b ORDER BY b.box
            """, logger: logger).decode((String, Int64, Int64).self) {
            boxes.append((name, cursor, Int(rows)))
            if name == box { shipped = cursor }
        }
        guard boxes.contains(where: { $0.box == box }) else {
            throw DeskDatabaseError("box \"\(box)\" has shipped nothing to the desk at \(database) (boxes there: "
                                    + (boxes.isEmpty ? "none" : boxes.map(\.box).joined(separator: ", ")) + ")")
        }
        var streams: [DeskLedgerReport.Stream] = []
        for stream in DeskOutbox.streams {
            let booked = try reader.deskRows(of: stream).mapValues(canonical)
            var atDesk: [String: String] = [:]
            for try await (key, payload) in try await connection.query(
                "SELECT key, payload::text FROM desk_records WHERE box = \(box) AND kind = \(stream.kind)",
                logger: logger).decode((String, String).self) {
                atDesk[key] = canonical(payload)
            }
            streams.append(.init(
                kind: stream.kind, booked: booked.count, atDesk: atDesk.count,
                missing: booked.keys.filter { atDesk[$0] == nil },
                extra: atDesk.keys.filter { booked[$0] == nil },
                differing: booked.compactMap { key, value in atDesk[key].map { $0 == value ? nil : key } ?? nil }))
        }
        let waiting = max(0, try reader.outboxHead() - shipped)
        return DeskLedgerReport(box: box, streams: streams, waiting: waiting, boxes: boxes)
    }

    /// Walks every box's audit chain as the desk holds it.
    public static func audit(database: DeskDatabase, hash: AuditHash, logger: Logger) async throws -> DeskAuditReport {
        let connection = try await database.connect(logger: logger)
        defer { Task { try? await connection.close() } }
        var byBox: [String: [AuditEntry]] = [:]
        for try await (box, seq, at, user, action, detail, previous, stored) in try await connection.query("""
            SELECT box, seq, at, member, action, detail, prev_hash, hash FROM desk_audit ORDER BY box, seq
            """, logger: logger).decode((String, Int64, String, String, String, String, String, String).self) {
            byBox[box, default: []].append(AuditEntry(sequence: seq, at: at, user: user, action: action, detail: detail,
                                                      previousHash: previous, hash: stored))
        }
        var boxes: [String] = []
        for try await name in try await connection.query("SELECT box FROM desk_boxes ORDER BY box", logger: logger)
            .decode(String.self) { boxes.append(name) }
        return DeskAuditReport(chains: boxes.map { box in
            let verified = AuditEntry.verifyChain(byBox[box] ?? [], hash: hash)
            return (box, verified.entries, verified.head, verified.problems)
        })
    }

    /// JSON with its keys sorted, so SQLite's text and PostgreSQL's jsonb compare by content.
    static func canonical(_ json: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed]),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed])
        else { return json }
        return String(decoding: data, as: UTF8.self)
    }
}
