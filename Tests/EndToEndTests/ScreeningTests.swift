import Foundation
import GRDB
import Testing

extension EndToEnd {
    /// A pool on the deny list is never traded: its opportunities are denied and audited, the rest trade on.
    @Suite(.serialized) struct ScreeningTests {
        let data = NSTemporaryDirectory() + "dexter-screening-\(UUID().uuidString)"
        var environment: [String: String] { ["XDG_DATA_HOME": data, "XDG_STATE_HOME": data, "XDG_CONFIG_HOME": data + "/config", "HOME": data] }

        @Test func aDeniedPoolIsNotTraded() throws {
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: data) }
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            let example = try String(contentsOf: root.appendingPathComponent("config.toml.example"), encoding: .utf8)
            // Both Uniswap V2 pools, as a sanctions CSV would list them.
            try "name,address\nuni eth/usdc,0xb4e16d0168e52d35cacd2c6185b44281ec28c9dc\nuni eth/usdt,0x0d4a11d5EEaaC28EC3F61d100daF4d40471f1852\n"
                .write(toFile: data + "/deny.csv", atomically: true, encoding: .utf8)
            let config = example.replacingOccurrences(of: "# deny_list = \"/etc/dexter/deny-list.csv\"",
                                                      with: "deny_list = \"\(data)/deny.csv\"")
            try config.write(toFile: data + "/config.toml", atomically: true, encoding: .utf8)
            let ledger = data + "/desk.sqlite"
            let run = try Binary.run(["run", "--config", data + "/config.toml", "--fast", "--auto-approve", "--seconds", "60",
                                      "--seed", "7", "--ledger", ledger], environment: environment)
            #expect(run.status == 0, "\(run.error)")
            let (uniswapFills, otherFills, blocked) = try DatabaseQueue(path: ledger).read { db in
                (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM trades WHERE exchange = 'uniswap-v2'") ?? 0,
                 try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM trades WHERE exchange != 'uniswap-v2'") ?? 0,
                 try String.fetchAll(db, sql: "SELECT detail FROM audit WHERE action = 'screening blocked'"))
            }
            #expect(uniswapFills == 0, "nothing traded on a denied pool")
            #expect(otherFills > 0, "the rest of the desk trades on")
            #expect(!blocked.isEmpty && blocked.allSatisfy { $0.contains("uniswap-v2") && $0.contains("is on the deny list") })
            // A deny list that is not one says where.
            try "0xnot-an-address\n".write(toFile: data + "/deny.csv", atomically: true, encoding: .utf8)
            let bad = try Binary.run(["scan", "--config", data + "/config.toml", "--seconds", "1", "--fast"], environment: environment)
            #expect(bad.status != 0 && bad.error.contains("deny_list") && bad.error.contains("line 1"))
        }
    }
}
