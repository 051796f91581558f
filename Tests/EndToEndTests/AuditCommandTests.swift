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
            let run = try Binary.run(["run", "--fast", "--auto-approve", "--seconds", "120", "--seed", "7", "--ledger", ledger],
                                     environment: environment)
            #expect(run.status == 0, "\(run.error)")
            let verify = try Binary.run(["audit", "verify", "--ledger", ledger], environment: environment)
            #expect(verify.status == 0, "\(verify.output)")
            #expect(verify.output.contains("audit trail intact"))

            let export = try Binary.run(["audit", "export", "--ledger", ledger, "--format", "json"], environment: environment)
            let entries = try export.output.split(separator: "\n").map {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
            }
            #expect(entries.first?["action"] as? String == "login")
            let approvals = entries.filter { $0["action"] as? String == "auto-approve" }.count
            #expect(approvals > 0, "the auto-approvals are on the record")
            let csv = try Binary.run(["audit", "export", "--ledger", ledger, "--from", "2", "--to", "3"], environment: environment)
            #expect(csv.output.split(separator: "\n").count == 3, "header and entries 2–3")

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
