import DexterLedger
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// Ships a box's ledger to the shared desk: the outbox's entries, in order, each batch in one PostgreSQL
/// transaction that also moves the box's cursor, so a batch lands whole or not at all and one shipped twice (after
/// a crash between commit and acknowledgement) changes nothing. Trading never waits for it: the box books into its
/// own SQLite first, and what the desk has not received waits in the outbox until PostgreSQL is back.
public actor LedgerShipper {
    public let box: String
    let database: DeskDatabase
    let ledger: LedgerReader
    let logger: Logger
    let batchSize: Int
    let pollInterval: Duration
    private let connection = ConnectionSlot()
    private var shipped: Int64 = 0
    private var outage = OutageLog()
    /// The last entry this box had written when it first reached this desk (kept there): what it did before it
    /// joined (its members, say) does not override what the desk already holds.
    private var joinedThrough: Int64 = 0
    private let progress = Mutex(ShippingProgress())

    public init(box: String, database: DeskDatabase, ledger: LedgerReader, logger: Logger, batchSize: Int = 500,
                pollInterval: Duration = .milliseconds(100)) {
        self.box = box
        self.database = database
        self.ledger = ledger
        self.logger = logger
        self.batchSize = batchSize
        self.pollInterval = pollInterval
    }

    /// Where shipping stands, for the screen, metrics and tests: safe to read from anywhere.
    public nonisolated var status: ShippingProgress { progress.withLock { $0 } }

    /// Ships until the task is cancelled: whatever is waiting, then each new entry as it is written. An outage is
    /// said once, retried with a growing pause (to 5 s), and said again when the desk is reached.
    public func run() async {
        var pause = Duration.milliseconds(250)
        while !Task.isCancelled {
            do {
                let from = shipped + 1
                let moved = try await ship()
                outage.succeeded(logger, "shared desk reached again at \(database); shipping the backlog from entry \(from)")
                pause = .milliseconds(250)
                if moved == 0 { try await Task.sleep(for: pollInterval) }
            } catch is CancellationError {
                break
            } catch let moved as CursorMoved {
                shipped = moved.desk
            } catch {
                await drop()
                outage.failed(logger, "shared desk unreachable at \(database): \(describe(error)); trading goes on, bookings wait in the outbox")
                progress.withLock { $0.reachable = false; $0.lastError = describe(error) }
                try? await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(5))
            }
        }
        await drop()
    }

    /// Ships one batch, giving up (and closing the connection) after `limit`: a server that died under a query never
    /// answers it, and the shipper must notice the outage to say so and retry.
    @discardableResult
    public func ship(within limit: Duration = .seconds(10)) async throws -> Int {
        try await withDeadline(limit, "shipping box \(box)'s ledger", abandon: { await self.drop() }) {
            try await self.shipOnce()
        }
    }

    /// Ships what is waiting (up to one batch); returns how many entries moved. Connects (and creates the schema and
    /// the box's row) first if it must, reading the cursor from the desk, which is the truth about what arrived.
    @discardableResult
    func shipOnce() async throws -> Int {
        let connection = try await connected()
        let entries = try ledger.outbox(after: shipped, limit: batchSize)
        guard let last = entries.last else {
            progress.withLock { $0.waiting = 0; $0.reachable = true; $0.lastError = nil }
            return 0
        }
        // One row per key in a batch: PostgreSQL refuses to upsert the same row twice in one statement.
        var latest: [String: OutboxEntry] = [:]
        for entry in entries { latest["\(entry.kind)\u{0}\(entry.key)"] = entry }
        let rows = latest.values.sorted { $0.sequence < $1.sequence }
        let box = self.box, from = shipped, joinedThrough = self.joinedThrough
        try await connection.transaction(logger: logger) { connection in
            var cursor: Int64 = 0
            for try await value in try await connection.query(
                "SELECT shipped_seq FROM desk_boxes WHERE box = \(box) FOR UPDATE", logger: logger).decode(Int64.self) {
                cursor = value
            }
            // Another process of this box shipped further meanwhile (a restart): nothing to do but follow it.
            guard cursor == from else { throw CursorMoved(desk: cursor) }
            try await connection.run("""
                INSERT INTO desk_records (box, kind, key, seq, payload)
                SELECT \(box), kind, key, seq, payload::jsonb
                FROM unnest(\(rows.map(\.kind))::text[], \(rows.map(\.key))::text[], \(rows.map(\.sequence))::bigint[],
                            \(rows.map(\.payload))::text[]) AS batch (kind, key, seq, payload)
                ON CONFLICT (box, kind, key) DO UPDATE SET seq = EXCLUDED.seq, payload = EXCLUDED.payload
                WHERE desk_records.seq < EXCLUDED.seq
                """, logger: logger)
            try await connection.run("UPDATE desk_boxes SET shipped_seq = \(last.sequence), shipped_at = now() WHERE box = \(box)",
                                     logger: logger)
            try await DeskRoster.publish(rows.filter { $0.kind == DeskMemberSync.kind }, from: box, joinedThrough: joinedThrough,
                                          on: connection, logger: logger)
        }
        shipped = last.sequence
        let head = (try? ledger.outboxHead()) ?? last.sequence
        progress.withLock {
            $0.shipped = last.sequence
            $0.waiting = max(0, head - last.sequence)
            $0.reachable = true
            $0.lastError = nil
        }
        return entries.count
    }

    /// The box's cursor moved at the desk under this shipper: read it again.
    struct CursorMoved: Error, CustomStringConvertible {
        let desk: Int64
        var description: String { "the desk's cursor for this box is at \(desk), not where this shipper was" }
    }

    /// The desk holds more of this box than its ledger ever wrote: another ledger ships under the same box name.
    struct NotThisLedger: Error, CustomStringConvertible {
        let box: String, desk: Int64, head: Int64
        var description: String {
            "the shared desk holds box \"\(box)\"'s entries up to \(desk), but this ledger has written only \(head): "
                + "another ledger ships as \"\(box)\" (give each box its own [desk] box name); nothing is shipped"
        }
    }

    private func connected() async throws -> PostgresConnection {
        if let open = connection.open { return open }
        let head = try ledger.outboxHead()
        let box = self.box, logger = self.logger
        let (connection, (cursor, joined)) = try await database.open(logger: logger) { connection in
            try await connection.run("INSERT INTO desk_boxes (box, joined_seq) VALUES (\(box), \(head)) ON CONFLICT DO NOTHING",
                                     logger: logger)
            var found: (Int64, Int64) = (0, 0)
            for try await row in try await connection.query(
                "SELECT shipped_seq, joined_seq FROM desk_boxes WHERE box = \(box)", logger: logger).decode((Int64, Int64).self) {
                found = row
            }
            if found.0 > head { throw NotThisLedger(box: box, desk: found.0, head: head) }
            return found
        }
        shipped = cursor
        joinedThrough = joined
        await self.connection.keep(connection)
        return connection
    }

    /// Closes the connection (a connection must be closed before it is let go).
    public func close() async { await drop() }

    private func drop() async { await connection.close() }
}

/// How far a box's ledger has reached the shared desk.
public struct ShippingProgress: Sendable, Equatable {
    /// The last outbox entry the desk holds.
    public var shipped: Int64 = 0
    /// Entries written and not yet at the desk (as of the last batch).
    public var waiting: Int64 = 0
    public var reachable = false
    public var lastError: String?
}
