import Foundation
import GRDB
import SharedTestData
import Testing

extension EndToEnd {
    /// The desk on a recorded day, headless: `dexter run --replay FILE... --fast --auto-approve` trades the
    /// recording's cross on paper against the recorded books and books it in the replay ledger.
    @Suite(.serialized) struct ReplayDeskTests {
        // Source: DasAnish/DeFi-arbitrage backtest/orderbook_{bnc,hb}.csv (MIT), via
        // ../shared/data/linkusdt_binance_huobi_20210820/: the header and the first 800 rows (00:00:00 to 00:13:19).
        let data = NSTemporaryDirectory() + "dexter-replay-desk-\(UUID().uuidString)"
        var environment: [String: String] { ["XDG_DATA_HOME": data, "XDG_STATE_HOME": data, "XDG_CONFIG_HOME": data + "/config", "HOME": data] }

        func slices() throws -> [String] {
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            return try ["bnc", "hb"].map { venue in
                let source = try Shared.url("data/linkusdt_binance_huobi_20210820/orderbook_\(venue).csv.gz").path
                let slice = data + "/link_\(venue)_first800.csv"
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/bin/sh")
                process.arguments = ["-c", "gzip -dc '\(source)' | head -n 801 > '\(slice)'"]
                try process.run()
                process.waitUntilExit()
                try #require(process.terminationStatus == 0, "cutting \(source) into \(slice) failed")
                return slice
            }
        }

        @Test func aHeadlessDeskTradesTheRecordingsCrossOnPaper() throws {
            defer { try? FileManager.default.removeItem(atPath: data) }
            let files = try slices()
            // The embedded config, auto-approving from 50 cents (the slice's cross at 00:10:13 nets about $0.93 at
            // zero fees).
            let desk = environment.merging(["DEXTER_CONFIG": try config()]) { $1 }
            let arguments = ["run", "--replay"] + files + ["--fast", "--auto-approve", "--fee", "binance=0", "--fee", "huobi=0"]
            let run = try Binary.run(arguments, environment: desk)
            #expect(run.status == 0, "\(run.error)")
            let lines = run.output.split(separator: "\n").map(String.init)
            let booked = lines.filter { $0.contains("\"booked\"") }
            #expect(booked.count == 1 && booked[0].contains("\"status\":\"completed\""), "\(lines)")
            #expect(lines.last?.contains("\"arbitrages_today\":1") == true, "\(lines)")

            // Its own ledger, by mode; the trades at the recording's time (the cross's second plus the 50 ms an
            // order takes to arrive), bought on Binance, sold on Huobi.
            let ledger = data + "/dexter/replay.sqlite"
            let trades = try DatabaseQueue(path: ledger).read { db in
                try Row.fetchAll(db, sql: "SELECT exchange, side, created_at FROM trades ORDER BY side")
            }
            #expect(trades.map { "\($0["exchange"] as String) \($0["side"] as String)" } == ["binance buy", "huobi sell"])
            #expect(trades.allSatisfy { ($0["created_at"] as String).hasPrefix("2021-08-20T00:10:13.05") }, "\(trades)")
            let check = try Binary.run(["ledger", "check", "--ledger", ledger], environment: environment)
            #expect(check.status == 0 && check.output.contains("ok"), "\(check.output) \(check.error)")

            // The same day again on the same ledger: a new session, its own ids, the books still whole.
            let again = try Binary.run(arguments, environment: desk)
            #expect(again.status == 0, "\(again.error)")
            let ids = try DatabaseQueue(path: ledger).read { db in try String.fetchAll(db, sql: "SELECT id FROM arbitrages") }
            #expect(ids.count == 2 && Set(ids).count == 2, "\(ids)")
            #expect(try Binary.run(["ledger", "check", "--ledger", ledger], environment: environment).status == 0)
        }

        /// config.toml.example with auto-approve from $0.50.
        func config() throws -> String {
            let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("config.toml.example")
            let text = try String(contentsOf: example, encoding: .utf8)
            let lowered = text.replacingOccurrences(of: "enabled = false\nmin_net_usd = \"20\"",
                                                    with: "enabled = false\nmin_net_usd = \"0.5\"")
            try #require(lowered != text, "the example's [auto_approve] min_net_usd moved")
            let path = data + "/config.toml"
            try lowered.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
    }
}
