import Foundation
import GRDB
import Testing
import TestServers

extension EndToEnd {
    /// A perpetual-against-perpetual arbitrage between Binance USDⓈ-M and Bybit in PAPER, each venue over its own
    /// protocol from its local server: both BTCUSDT books are scripted so that Bybit's bid is 0.4 % over Binance's
    /// ask. The desk sees the cross with its funding priced, the trader approves it, a long opens on Binance and a
    /// short as large on Bybit; then both venues announce a funding time a few seconds off, and at that instant the
    /// desk books each position's funding itself (paper: no venue reports it), exactly: −size × mark × rate.
    @Suite(.serialized) struct CrossVenuePerpetualTests {
        let desk = CrossVenueDesk("cross-perpetual")

        func config(_ usdm: LocalBinanceUSDM, _ bybit: LocalBybit) throws -> String {
            func venue(_ name: String, _ fee: String, _ endpoints: [String: String]) -> String {
                """

                [venues.\(name)]
                kind = "exchange"
                connector = "\(name)"
                taker_fee = "\(fee)"
                staleness_ms = 600000
                symbols = ["BTC/USDT:USDT"]
                max_leverage = "20"
                maintenance_rate = "0.004"
                \(endpoints.sorted { $0.key < $1.key }.map { "\($0.key) = \"\($0.value)\"" }.joined(separator: "\n"))

                [balances.\(name)]
                USDT = "100000"

                """
            }
            let text = try ExampleConfig.withoutVenues() + "\n[chains]\n"
                + venue("binance-usdm", "0.0005", ["rest_url": usdm.restURL, "stream_url": usdm.streamURL])
                + venue("bybit", "0.00055", ["rest_url": bybit.restURL, "stream_url": bybit.publicWSURL,
                                             "private_url": bybit.privateWSURL])
            let path = desk.data + "/perpetual.toml"
            try FileManager.default.createDirectory(atPath: desk.data, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        /// Binance asks 60,000 (0.02 BTC a level), Bybit bids 60,240: 0.4 % over, past both taker fees.
        func scriptTheCross(_ usdm: LocalBinanceUSDM, _ bybit: LocalBybit) async throws {
            let binance = try await usdm.control("/control/script", [
                "symbol": "BTCUSDT", "bids": [["59990.0", "0.5"]], "asks": [["60000.0", "0.02"], ["60010.0", "0.5"]],
            ]) as? [String: Any]
            #expect(binance?["error"] == nil, "\(String(describing: binance))")
            let other = try await bybit.control("/control/script", [
                "symbol": "BTCUSDT", "bids": [["60240.0", "0.02"], ["60230.0", "0.5"]], "asks": [["60250.0", "0.5"]],
            ]) as? [String: Any]
            #expect(other?["error"] == nil, "\(String(describing: other))")
        }

        /// Both venues: rate 0.01 % (Binance) and −0.02 % (Bybit: shorts pay), marks 60,000 and 60,240, the next
        /// funding `at` (milliseconds since the epoch).
        func announceFunding(_ usdm: LocalBinanceUSDM, _ bybit: LocalBybit, at: Int64) async throws {
            _ = try await usdm.control("/control/funding", ["symbol": "BTCUSDT", "rate": "0.0001", "markPrice": "60000",
                                                            "nextFundingTime": at])
            _ = try await bybit.control("/control/funding", ["symbol": "BTCUSDT", "rate": "-0.0002", "markPrice": "60240",
                                                             "nextFundingTime": at])
        }

        func rows(_ ledger: String, _ sql: String) throws -> [Row] {
            try DatabaseQueue(path: ledger).read { db in try Row.fetchAll(db, sql: sql) }
        }

        @Test func paperPerpetualCrossOpensAHedgedPairAndBooksItsFunding() async throws {
            let usdm = try LocalBinanceUSDM(["--speed", "0", "--scripted-symbol", "BTCUSDT"])
            let bybit = try LocalBybit(["--speed", "0", "--scripted-symbol", "BTCUSDT"])
            defer { usdm.stop(); bybit.stop() }
            let path = try config(usdm, bybit)
            let checked = try Binary.run(["venues", "check", "--config", path], environment: desk.environment)
            #expect(checked.status == 0, "\(checked.output)\(checked.error)")
            try await scriptTheCross(usdm, bybit)
            // A funding far off first (priced once within the 8 h horizon), so the cross opens before any is due.
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            try await announceFunding(usdm, bybit, at: now + 3_600_000)
            let tmux = Tmux(name: "dexter-cross-perpetual")
            defer { tmux.kill() }
            try tmux.start("'\(Binary.dexter)' --mode paper --config '\(path)'", width: 140, height: 45, environment: desk.environment)
            try tmux.waitFor("the PAPER screen with both venues live") {
                $0.contains("PAPER") && $0.contains("binance-usdm is live") && $0.contains("bybit is live")
            }
            try tmux.waitFor("the cross on screen") { $0.contains("binance-usdm") && $0.contains("bybit") && $0.contains("▶") }
            // The detail of the selected cross carries its funding: the long pays 0.01 %, the short pays 0.02 %.
            try tmux.keys("Enter")
            try tmux.waitFor("the funding line of the cost waterfall") { $0.contains("funding") && $0.contains("slippage") }
            try tmux.keys("Escape")
            let ledger = desk.data + "/dexter/paper.sqlite"
            #expect(try PaperBinanceTests(data: desk.data).approveACross(tmux, ledger: ledger), "no cross could be approved in 8 attempts")
            let positions = try rows(ledger, "SELECT account, symbol, size FROM positions ORDER BY account")
                .map { "\($0["account"] as String) \($0["symbol"] as String) \($0["size"] as String)" }
            #expect(positions.count == 2 && positions[0].hasPrefix("binance-usdm BTC/USDT:USDT ")
                    && positions[1] == positions[0].replacingOccurrences(of: "binance-usdm BTC/USDT:USDT ", with: "bybit BTC/USDT:USDT -"),
                    "a long on Binance and a short as large on Bybit: \(positions)")
            let size = try #require(Decimal(string: String(positions[0].split(separator: " ")[2])))
            // Now both venues announce a funding 4 s off; at that instant the desk books each position's funding.
            try await announceFunding(usdm, bybit, at: Int64(Date().timeIntervalSince1970 * 1000) + 4_000)
            try tmux.waitFor("both fundings booked", timeout: 30) { $0.contains("funding BTC/USDT:USDT on bybit") }
            let funding = try rows(ledger, "SELECT venue, amount FROM funding ORDER BY venue")
                .map { "\($0["venue"] as String) \($0["amount"] as String)" }
            // Binance: the long pays size × 60,000 × 0.0001; Bybit: the short pays size × 60,240 × 0.0002.
            func amount(_ value: Decimal) -> String {
                var exact = value, rounded = Decimal()
                NSDecimalRound(&rounded, &exact, 8, .plain)
                return "\(rounded)"
            }
            #expect(funding == ["binance-usdm \(amount(-size * 6))", "bybit \(amount(-size * Decimal(string: "12.048")!))"], "\(funding)")
            let check = try Binary.run(["ledger", "check", "--ledger", ledger], environment: desk.environment)
            #expect(check.status == 0, "\(check.output)\(check.error)")
            try tmux.keys("q")
            _ = try tmux.waitFor("dexter to exit") { $0.contains("EXIT=") }
        }
    }
}
