import DexterCore
import DexterDesk
import DexterEngine
import DexterLedger
import Foundation
import Logging
import Testing
import TestServers

/// A box's ledger at the shared desk, against a real PostgreSQL: every booking, order event and audit entry
/// arrives, in order, once; an outage never stops trading and loses nothing; the desk's copy is proved equal to
/// the ledger, and its audit chain verifies (and an edit made there is found).
@Suite(.serialized) struct SharedLedgerTests {
    let logger = Logger(label: "test.desk")

    @Test func aBoxShipsItsLedgerThroughAnOutageWithNothingLostOrDoubled() async throws {
        let postgres = try LocalPostgres()
        let desk = try DeskDatabase(url: postgres.url)
        let box = try await Box("tokyo", desk: desk)
        await box.start()
        #expect(try await Box.eventually { try box.bookings() >= 3 && box.shipper.status.shipped > 0 }, "the box books and ships")

        // PostgreSQL dies mid-run: the box trades on, its bookings wait in the outbox.
        postgres.kill()
        let atOutage = try box.bookings()
        #expect(try await Box.eventually { try box.bookings() >= atOutage + 3 }, "trading goes on without the desk")
        #expect(await Box.eventually { !box.shipper.status.reachable }, "the shipper knows the desk is away")
        let waiting = try box.ledger.reader.outboxHead() - box.shipper.status.shipped
        #expect(waiting > 0, "what was booked meanwhile waits")

        // Back: the backlog drains by itself.
        try postgres.start()
        #expect(try await Box.eventually {
            let head = try box.ledger.reader.outboxHead()
            return box.shipper.status.reachable && box.shipper.status.shipped >= head - 50
        }, "the backlog drains when the desk is back")
        await box.stop()
        while try await box.shipper.ship() > 0 {}
        await box.shipper.close()

        // The desk's copy equals the ledger, stream by stream, row by row.
        let report = try await DeskCheck.ledger(box: "tokyo", reader: box.ledger.reader, database: desk, logger: logger)
        #expect(report.problems.isEmpty, "\(report.problems)")
        let trades = try #require(report.streams.first { $0.kind == "trade" })
        #expect(trades.booked > 0 && trades.booked == trades.atDesk)
        for kind in ["opportunity", "arbitrage", "order", "order_event", "audit"] {
            #expect((report.streams.first { $0.kind == kind }?.atDesk ?? 0) > 0, "\(kind) rows reached the desk")
        }
        // Exact amounts arrive as the ledger wrote them: the desk's sum of notionals is the ledger's, to the digit.
        let deskSum = try postgres.psql("SELECT sum(notional_usd)::text FROM desk_trades WHERE box = 'tokyo'")
        let bookedSum = try box.ledger.reader.trades(limit: 100_000).reduce(FixedDecimal.zero) { $0 + $1.notionalUSD }
        #expect(FixedDecimal(deskSum) == bookedSum, "desk \(deskSum), ledger \(bookedSum)")

        // An acknowledgement lost (the desk's cursor back at the start): shipping it all again changes nothing.
        let before = try postgres.psql("SELECT count(*) || ' ' || md5(string_agg(kind || key || payload::text, ',' ORDER BY kind, key)) FROM desk_records")
        try postgres.psql("UPDATE desk_boxes SET shipped_seq = 0 WHERE box = 'tokyo'")
        let again = LedgerShipper(box: "tokyo", database: desk, ledger: box.ledger.reader, logger: logger, batchSize: 97)
        while try await again.ship() > 0 {}
        await again.close()
        let after = try postgres.psql("SELECT count(*) || ' ' || md5(string_agg(kind || key || payload::text, ',' ORDER BY kind, key)) FROM desk_records")
        #expect(before == after)

        // The audit chain verifies at the desk; an entry edited there is found, by box and sequence, by both checks.
        let audit = try await DeskCheck.audit(database: desk, hash: Engine.auditHash, logger: logger)
        let chain = try #require(audit.chains.first { $0.box == "tokyo" })
        let booked = try box.ledger.reader.auditEntries().count
        #expect(chain.problems.isEmpty && chain.entries == booked)
        try postgres.psql("UPDATE desk_records SET payload = jsonb_set(payload, '{detail}', '\"nothing to see\"') WHERE box = 'tokyo' AND kind = 'audit' AND key = '2'")
        let tampered = try await DeskCheck.audit(database: desk, hash: Engine.auditHash, logger: logger)
        #expect(tampered.chains.first { $0.box == "tokyo" }?.problems.contains(.edited(sequence: 2)) == true)
        let differs = try await DeskCheck.ledger(box: "tokyo", reader: box.ledger.reader, database: desk, logger: logger)
        #expect(differs.streams.first { $0.kind == "audit" }?.differing == ["2"])
    }

    @Test func anotherLedgerUnderTheSameBoxNameIsRefusedNotMixedIn() async throws {
        let postgres = try LocalPostgres()
        let desk = try DeskDatabase(url: postgres.url)
        let first = try await Box("osaka", desk: desk)
        await first.start()
        #expect(try await Box.eventually { try first.bookings() >= 2 && first.shipper.status.shipped > 0 })
        await first.stop()
        while try await first.ship() > 0 {}
        await first.shipper.close()
        // A fresh ledger configured with the same name: it has written less than the desk holds of "osaka".
        let second = try await Box("osaka", desk: desk, autoApprove: false)
        await #expect(throws: (any Error).self) { try await second.shipper.ship() }
        let said = await { () async -> String in
            do { try await second.shipper.ship(); return "" } catch { return "\(error)" }
        }()
        #expect(said.contains("another ledger ships as \"osaka\""), "\(said)")
        await second.stop()
        let rows = try postgres.psql("SELECT count(*) FROM desk_records WHERE box = 'osaka'")
        let report = try await DeskCheck.ledger(box: "osaka", reader: first.ledger.reader, database: desk, logger: logger)
        #expect(report.problems.isEmpty && Int(rows) == report.streams.map(\.atDesk).reduce(0, +))
    }
}

extension Box {
    func ship() async throws -> Int { try await shipper.ship() }
}
