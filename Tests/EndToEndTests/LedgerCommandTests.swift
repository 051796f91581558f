import Foundation
import GRDB
import Testing

extension EndToEnd {
    /// A headless run books trades; then the ledger commands report, export, back up and check them, and each figure is
    /// recomputed here from the SQLite file with independent arithmetic.
    @Suite(.serialized) struct LedgerCommandTests {
        let data = NSTemporaryDirectory() + "dexter-ledger-\(UUID().uuidString)"
        var environment: [String: String] { ["XDG_DATA_HOME": data, "XDG_STATE_HOME": data, "XDG_CONFIG_HOME": data + "/config", "HOME": data] }

        /// Decimal strings summed exactly as integers of 10⁻⁹ (every booked amount here has at most 9 decimals).
        func nanos(_ text: String) -> Int64 {
            let negative = text.hasPrefix("-")
            let digits = negative ? String(text.dropFirst()) : text
            let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
            let whole = Int64(parts[0]) ?? 0
            let fraction = parts.count > 1 ? String(parts[1].prefix(9)).padding(toLength: 9, withPad: "0", startingAt: 0) : "000000000"
            let value = whole * 1_000_000_000 + (Int64(fraction) ?? 0)
            return negative ? -value : value
        }

        @Test func reportsExportsBacksUpAndChecks() throws {
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: data) }
            let ledger = data + "/desk.sqlite"
            let run = try Binary.run(["run", "--fast", "--auto-approve", "--seconds", "60", "--seed", "7", "--ledger", ledger],
                                     environment: environment)
            #expect(run.status == 0, "\(run.error)")
            let booked = run.output.split(separator: "\n").filter { $0.contains("\"booked\"") }.count
            #expect(booked > 0, "the run booked nothing")

            let rows = try DatabaseQueue(path: ledger).read { db in
                try Row.fetchAll(db, sql: "SELECT exchange, pair, notional_usd, profit_usd FROM trades")
            }
            var byVenue: [String: Int64] = [:]
            for row in rows { byVenue[row["exchange"], default: 0] += nanos(row["profit_usd"]) }
            let arbitrageTotal = try DatabaseQueue(path: ledger).read { db in
                try String.fetchAll(db, sql: "SELECT realised_net_usd FROM arbitrages").reduce(Int64(0)) { $0 + nanos($1) }
            }
            #expect(byVenue.values.reduce(0, +) == arbitrageTotal, "fills sum to the booked P&L exactly")

            let report = try Binary.run(["ledger", "report", "--by", "venue", "--ledger", ledger], environment: environment)
            #expect(report.status == 0)
            for (venue, profit) in byVenue {
                let line = try #require(report.output.split(separator: "\n").first { $0.hasPrefix(venue + " ") }, "\(venue) in the report")
                let shown = String(format: "%.4f", Double(profit) / 1e9)
                #expect(line.replacingOccurrences(of: ",", with: "").hasSuffix(shown) || shown == "-0.0000", "\(line) vs \(shown)")
            }
            #expect(report.output.contains("(equal)"))

            let csvPath = data + "/fills.csv"
            let export = try Binary.run(["ledger", "export", "--ledger", ledger, "--format", "csv", "--out", csvPath], environment: environment)
            #expect(export.status == 0)
            let csv = try String(contentsOfFile: csvPath, encoding: .utf8).split(separator: "\n")
            #expect(csv.count == rows.count + 1)
            #expect(csv[0].hasPrefix("id,order_id,user,exchange,pair,side,amount,price"))
            let profitColumn = csv[0].split(separator: ",").firstIndex(of: "profit_usd")!
            #expect(csv.dropFirst().reduce(Int64(0)) { $0 + nanos(String($1.split(separator: ",", omittingEmptySubsequences: false)[profitColumn])) }
                    == arbitrageTotal)
            let json = try Binary.run(["ledger", "export", "--ledger", ledger, "--format", "json"], environment: environment)
            #expect(json.output.split(separator: "\n").count == rows.count)
            let bad = try Binary.run(["ledger", "export", "--ledger", ledger, "--from", "2026-13-01"], environment: environment)
            #expect(bad.status != 0)

            let backupPath = data + "/backup.sqlite"
            let backup = try Binary.run(["ledger", "backup", backupPath, "--ledger", ledger], environment: environment)
            #expect(backup.status == 0 && backup.output.contains("integrity ok"), "\(backup.error)")
            let copied = try DatabaseQueue(path: backupPath).read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM trades") }
            #expect(copied == rows.count)
            let again = try Binary.run(["ledger", "backup", backupPath, "--ledger", ledger], environment: environment)
            #expect(again.status != 0 && again.error.contains("exists"))

            // Every booking says why its result differs from the estimate.
            let explanations = try DatabaseQueue(path: ledger).read { db in
                try Row.fetchAll(db, sql: "SELECT status, explanation FROM arbitrages")
            }
            for row in explanations {
                let status: String = row["status"], explanation: String = row["explanation"]
                #expect(!explanation.isEmpty)
                let correction = explanation.hasPrefix("unwind of ") || explanation.hasPrefix("hedge of ")
                if status != "completed" && !correction { #expect(explanation.contains("missed leg"), "\(status): \(explanation)") }
            }
            let check = try Binary.run(["ledger", "check", "--ledger", ledger], environment: environment)
            #expect(check.output == "ok\n")
        }
    }
}
