import Foundation
import Testing

extension EndToEnd {
    /// `dexter replay` as a user runs it: the recorded slices in, NDJSON and a summary out.
    @Suite(.serialized) struct ReplayCommandTests {
        static var fixtures: String {
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("DexterEngineTests/Fixtures").path
        }

        @Test func writesEveryEventAndASummaryThatAgree() throws {
            let out = NSTemporaryDirectory() + "replay-\(UUID().uuidString).ndjson"
            defer { try? FileManager.default.removeItem(atPath: out) }
            let run = try Binary.run(["replay", "\(Self.fixtures)/link_bnc_first400.csv", "\(Self.fixtures)/link_hb_first400.csv",
                                      "\(Self.fixtures)/btcusdt_20240808_first1500.gz",
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
            let missing = try Binary.run(["replay", "/nonexistent/file.gz"])
            #expect(missing.status != 0)
            #expect(missing.error.contains("/nonexistent/file.gz: cannot be read"))
            let fee = try Binary.run(["replay", "\(Self.fixtures)/link_bnc_first400.csv", "--fee", "binance"])
            #expect(fee.status != 0)
            #expect(fee.error.contains("expected VENUE=RATE"))
        }

        /// Paced replay (400 rows, 399 s of market, at 4000×) gives the same result as flat out. (No wall-time
        /// assertion: tests do not time things.)
        @Test func pacedReplayFindsTheSame() throws {
            let paced = try Binary.run(["replay", "\(Self.fixtures)/link_bnc_first400.csv", "\(Self.fixtures)/link_hb_first400.csv",
                                        "--fee", "binance=0", "--fee", "huobi=0", "--speed", "4000"])
            let flat = try Binary.run(["replay", "\(Self.fixtures)/link_bnc_first400.csv", "\(Self.fixtures)/link_hb_first400.csv",
                                       "--fee", "binance=0", "--fee", "huobi=0"])
            #expect(paced.status == 0 && flat.status == 0, "\(paced.error)")
            let opens = { (text: String) in text.split(separator: "\n").filter { $0.contains("\"event\":\"open\"") }.count }
            #expect(opens(paced.output) > 0 && opens(paced.output) == opens(flat.output))
        }
    }
}
