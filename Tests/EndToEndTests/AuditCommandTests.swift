import Foundation
import GRDB
import Testing

extension EndToEnd {
    /// The audit trail as a compliance officer uses it: a desk session writes it, `audit verify` vouches for it
    /// until someone edits the file, `audit export` hands it over.
    @Suite(.serialized) struct AuditCommandTests {
        let data = NSTemporaryDirectory() + "dexter-audit-\(UUID().uuidString)"
        var environment: [String: String] { ["XDG_DATA_HOME": data, "XDG_STATE_HOME": data, "XDG_CONFIG_HOME": data + "/config", "HOME": data] }

        @Test func aSessionIsAuditedAndTamperingIsFound() throws {
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: data) }
            let ledger = data + "/desk.sqlite"
            let run = try Binary.run(["run", "--fast", "--auto-approve", "--seconds", "40", "--seed", "7", "--ledger", ledger],
                                     environment: environment)
            #expect(run.status == 0, "\(run.error)")
            let verify = try Binary.run(["audit", "verify", "--ledger", ledger], environment: environment)
            #expect(verify.status == 0, "\(verify.output)")
            #expect(verify.output.contains("audit trail intact"))

            let export = try Binary.run(["audit", "export", "--ledger", ledger, "--format", "json"], environment: environment)
            let entries = try export.output.split(separator: "\n").map {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
            }
            // The first start makes its user the desk's admin, then the session logs in.
            #expect(entries.prefix(2).compactMap { $0["action"] as? String } == ["user added", "login"])
            let approvals = entries.filter { $0["action"] as? String == "auto-approve" }.count
            #expect(approvals > 0, "the auto-approvals are on the record")
            let csv = try Binary.run(["audit", "export", "--ledger", ledger, "--from", "2", "--to", "3"], environment: environment)
            #expect(csv.output.split(separator: "\n").count == 3, "header and entries 2–3")

            // The day's transaction report: every fill of the day, its USD values summing to the ledger's, exactly.
            let today = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
            let report = try Binary.run(["report", "transactions", "--day", today, "--ledger", ledger], environment: environment)
            #expect(report.status == 0, "\(report.error)")
            let rows = report.output.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
            let header = report.output.split(separator: "\n").first.map { $0.split(separator: ",").map(String.init) } ?? []
            let usdColumn = try #require(header.firstIndex(of: "usd_value"))
            let (count, volume) = try DatabaseQueue(path: ledger).read { db in
                (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM trades WHERE substr(created_at, 1, 10) = ?", arguments: [today]) ?? 0,
                 try String.fetchAll(db, sql: "SELECT notional_usd FROM trades WHERE substr(created_at, 1, 10) = ?", arguments: [today])
                    .compactMap { Decimal(string: $0) }.reduce(0, +))
            }
            #expect(count > 0 && rows.count == count)
            #expect(rows.compactMap { Decimal(string: String($0[usdColumn])) }.reduce(0, +) == volume)
            #expect(report.error.contains("\(count) transactions"))

            // Someone edits an approval in the file, around the triggers.
            let queue = try DatabaseQueue(path: ledger)
            try queue.write { db in
                try db.execute(sql: "DROP TRIGGER audit_no_update; UPDATE audit SET user = 'mallory' WHERE seq = 2")
            }
            let broken = try Binary.run(["audit", "verify", "--ledger", ledger], environment: environment)
            #expect(broken.status == 1)
            #expect(broken.output.contains("entry 2 was edited"))
        }
    }
}
