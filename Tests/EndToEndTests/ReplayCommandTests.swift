import Foundation
import SharedTestData
import Testing

extension EndToEnd {
    /// `dexter replay` as a user runs it: the recorded slices in, NDJSON and a summary out.
    @Suite(.serialized) struct ReplayCommandTests {
        // Source: DasAnish/DeFi-arbitrage backtest/orderbook_{bnc,hb}.csv, via ../shared/data/linkusdt_binance_huobi_20210820/;
        // nkaz001/hftbacktest examples/spot/btcusdt_20240808.gz, via ../shared/data/binance_spot_btcusdt_ethusdt_20240808_09/.
        /// The command reads files, so the start of each recording is cut from ../shared into a temporary folder: the
        /// header and first 400 rows of both LINK/USDT books, and the first 1,500 lines of BTCUSDT (gzipped again).
        static func slices() throws -> String {
            let bnc = try Shared.url("data/linkusdt_binance_huobi_20210820/orderbook_bnc.csv.gz").path
            let hb = try Shared.url("data/linkusdt_binance_huobi_20210820/orderbook_hb.csv.gz").path
            let btc = try Shared.url("data/binance_spot_btcusdt_ethusdt_20240808_09/btcusdt_20240808.gz").path
            let directory = NSTemporaryDirectory() + "replay-slices-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let script = """
                gzip -dc '\(bnc)' | head -n 401 > link_bnc_first400.csv && \
                gzip -dc '\(hb)' | head -n 401 > link_hb_first400.csv && \
                gzip -dc '\(btc)' | head -n 1500 | gzip -n -9 > btcusdt_20240808_first1500.gz
                """
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", script]
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            try process.run()
            process.waitUntilExit()
            try #require(process.terminationStatus == 0, "cutting the recordings in ../shared/data into \(directory) failed")
            return directory
        }

        @Test func writesEveryEventAndASummaryThatAgree() throws {
            let fixtures = try Self.slices()
            defer { try? FileManager.default.removeItem(atPath: fixtures) }
            let out = NSTemporaryDirectory() + "replay-\(UUID().uuidString).ndjson"
            defer { try? FileManager.default.removeItem(atPath: out) }
            let run = try Binary.run(["replay", "\(fixtures)/link_bnc_first400.csv", "\(fixtures)/link_hb_first400.csv",
                                      "\(fixtures)/btcusdt_20240808_first1500.gz",
                                      "--fee", "binance=0", "--fee", "huobi=0", "--out", out, "--progress"])
            #expect(run.status == 0, "\(run.error)")
            let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
            let objects = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
            let summary = try #require(objects.last)
            #expect(summary["event"] as? String == "summary")
            #expect(summary["messages"] as? Int == 2_300)
            let opens = objects.filter { $0["event"] as? String == "open" }
            let closes = objects.filter { $0["event"] as? String == "close" }
            #expect(!opens.isEmpty && opens.count == closes.count, "every opportunity opens once and closes once")
            #expect(summary["opportunities"] as? Int == opens.count)
            // The summary's total is the sum of each opportunity's net when first seen, to the last decimal.
            let total = opens.compactMap { Decimal(string: $0["net_usd"] as? String ?? "") }.reduce(0, +)
            #expect(Decimal(string: summary["total_net_usd"] as? String ?? "") == total)
            let byRoute = summary["by_route"] as? [String: [String: Any]] ?? [:]
            #expect(byRoute.values.compactMap { $0["count"] as? Int }.reduce(0, +) == opens.count)
            #expect(Set(opens.compactMap { $0["buy_venue"] as? String }) == ["binance", "huobi"])
            // The readable summary and the progress bar go to stderr.
            #expect(run.error.contains("replayed 2300 messages"))
            #expect(run.error.contains("LINK/USDT binance→huobi"))
            #expect(run.error.contains("100%"))
            #expect(run.output.isEmpty, "with --out nothing goes to stdout")
        }

        @Test func badInputIsNamed() throws {
            let fixtures = try Self.slices()
            defer { try? FileManager.default.removeItem(atPath: fixtures) }
            let missing = try Binary.run(["replay", "/nonexistent/file.gz"])
            #expect(missing.status != 0)
            #expect(missing.error.contains("/nonexistent/file.gz: cannot be read"))
            let fee = try Binary.run(["replay", "\(fixtures)/link_bnc_first400.csv", "--fee", "binance"])
            #expect(fee.status != 0)
            #expect(fee.error.contains("expected VENUE=RATE"))
        }

        /// Paced replay (400 rows, 399 s of market, at 4000×) gives the same result as flat out. (No wall-time
        /// assertion: tests do not time things.)
        @Test func pacedReplayFindsTheSame() throws {
            let fixtures = try Self.slices()
            defer { try? FileManager.default.removeItem(atPath: fixtures) }
            let paced = try Binary.run(["replay", "\(fixtures)/link_bnc_first400.csv", "\(fixtures)/link_hb_first400.csv",
                                        "--fee", "binance=0", "--fee", "huobi=0", "--speed", "4000"])
            let flat = try Binary.run(["replay", "\(fixtures)/link_bnc_first400.csv", "\(fixtures)/link_hb_first400.csv",
                                       "--fee", "binance=0", "--fee", "huobi=0"])
            #expect(paced.status == 0 && flat.status == 0, "\(paced.error)")
            let opens = { (text: String) in text.split(separator: "\n").filter { $0.contains("\"event\":\"open\"") }.count }
            #expect(opens(paced.output) > 0 && opens(paced.output) == opens(flat.output))
        }
    }
}
