import Foundation
import Testing

extension EndToEnd {
    /// Desk members from the command line: the first start's admin, adding members with passphrases, refusals for
    /// roles that may not, and every change on the audit trail.
    @Suite(.serialized) struct UserCommandTests {
        let data = NSTemporaryDirectory() + "dexter-users-\(UUID().uuidString)"
        var environment: [String: String] { ["XDG_DATA_HOME": data, "XDG_STATE_HOME": data, "XDG_CONFIG_HOME": data + "/config", "HOME": data] }

        @Test func membersRolesAndRefusals() throws {
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: data) }
            let ledger = data + "/desk.sqlite"
            func dexter(_ arguments: [String], input: String? = nil) throws -> (status: Int32, output: String, error: String) {
                try Binary.run(arguments + ["--ledger", ledger], environment: environment, input: input)
            }
            // A fresh desk: whoever starts it first (here olga) is its admin, who may trade.
            let first = try dexter(["user", "list", "--as", "olga"])
            #expect(first.status == 0, "\(first.error)")
            #expect(first.output.contains("olga          admin+trade"))

            // The second member: both the admin and the new member get a vault passphrase.
            let added = try dexter(["user", "add", "bob", "--role", "analyst", "--as", "olga"],
                                   input: "olga-passphrase\nolga-passphrase\nbob-passphrase\nbob-passphrase\n")
            #expect(added.status == 0, "\(added.error)")
            #expect(FileManager.default.fileExists(atPath: data + "/dexter/vault/olga/vault.json"))
            #expect(FileManager.default.fileExists(atPath: data + "/dexter/vault/bob/vault.json"))

            // An analyst may not manage members: the refusal says who may.
            let refused = try dexter(["user", "add", "carol", "--role", "trader", "--as", "bob"])
            #expect(refused.status != 0)
            #expect(refused.error.contains("refused: manage users needs the Admin role (bob is Analyst)"))

            // An analyst's headless run approves nothing, even with auto-approve on.
            let watching = try dexter(["run", "--user", "bob", "--fast", "--auto-approve", "--seconds", "60", "--seed", "7"])
            #expect(watching.status == 0, "\(watching.error)")
            #expect(!watching.output.contains("\"booked\""))

            // Someone not on the desk cannot start it.
            let stranger = try dexter(["run", "--user", "zed", "--fast", "--seconds", "1"])
            #expect(stranger.status != 0 && stranger.error.contains("zed is not a member of this desk"))

            // Role and access changes, and the plan's venue rule.
            #expect(try dexter(["user", "role", "bob", "trader", "--as", "olga"]).output.contains("bob is now Trader (was Analyst)"))
            let access = try dexter(["user", "access", "bob", "--plan", "free", "--venues", "binance,okx", "--daily-volume", "5000",
                                     "--as", "olga"])
            #expect(access.status == 0 && access.output.contains("venues binance,okx; $5000/day"), "\(access.output)\(access.error)")
            let onlyAdmin = try dexter(["user", "role", "olga", "trader", "--as", "olga"])
            #expect(onlyAdmin.status != 0 && onlyAdmin.error.contains("olga is the only admin"))
            let list = try dexter(["user", "list", "--as", "olga"])
            #expect(list.output.contains("bob           trader        free        venues binance,okx"))

            // Every change is on the audit trail, which verifies.
            let export = try dexter(["audit", "export", "--format", "json"])
            let actions = export.output.split(separator: "\n").compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["action"] as? String
            }
            #expect(actions.filter { $0 == "user added" }.count == 2)
            #expect(actions.contains("role changed") && actions.contains("access changed"))
            #expect(try dexter(["audit", "verify"]).status == 0)
        }
    }
}
