import Foundation
import GRDB
import Testing
import TestServers

extension EndToEnd {
    /// A LIVE perpetual arbitrage between Binance USDⓈ-M and Bybit, each venue over its own protocol from its local
    /// server: both keys stored with `dexter keys add` and asked what they may do, the trader types LIVE, then approves
    /// the cross with a key: a long on Binance, a short as large on Bybit, each fill booked as the venue made it (the
    /// ledger's amounts and fees equal the servers' to the last unit). Then both venues settle funding, and the desk
    /// books each venue's own figure once, also after Bybit's private stream is cut and comes back.
    @Suite(.serialized) struct LiveBybitTests {
        let desk = CrossVenueDesk("live-bybit")
        static let usdmKey = "dexterLiveUSDMKey0002", usdmSecret = "LIVEUSDMTESTSECRET0123456789abcdeg"
        static let bybitKey = "dexterLiveBybitKey01", bybitSecret = "LIVEBYBITTESTSECRET0123456789abcdef"

        func config(_ usdm: LocalBinanceUSDM, _ bybit: LocalBybit) throws -> String {
            func venue(_ name: String, _ fee: String, _ endpoints: [String: String]) -> String {
                """

                [venues.\(name)]
                kind = "exchange"
                connector = "\(name)"
                taker_fee = "\(fee)"
                staleness_ms = 600000
                symbols = ["BTC/USDT:USDT"]
                \(endpoints.sorted { $0.key < $1.key }.map { "\($0.key) = \"\($0.value)\"" }.joined(separator: "\n"))

                """
            }
            let text = try ExampleConfig.withoutVenues() + "\n[chains]\n"
                + venue("binance-usdm", "0.0005", ["rest_url": usdm.restURL, "stream_url": usdm.streamURL])
                + venue("bybit", "0.00055", ["rest_url": bybit.restURL, "stream_url": bybit.publicWSURL,
                                             "private_url": bybit.privateWSURL])
            let path = desk.data + "/live-bybit.toml"
            try FileManager.default.createDirectory(atPath: desk.data, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        func rows(_ ledger: String, _ sql: String) throws -> [Row] {
            try DatabaseQueue(path: ledger).read { db in try Row.fetchAll(db, sql: sql) }
        }

        /// Per venue, what the ledger booked: (amount, quote notional, fee) summed over its trades, as text. The quote
        /// is `notional_usd` (USDT at 1 here): a trade's `price` is its average, which a division rounds.
        func booked(_ ledger: String, _ venue: String) throws -> [String] {
            let fills = try rows(ledger, "SELECT amount, notional_usd, fee FROM trades WHERE exchange = '\(venue)'")
            var amount = Decimal(), notional = Decimal(), fee = Decimal()
            for row in fills {
                amount += Decimal(string: row["amount"] as String)!
                notional += Decimal(string: row["notional_usd"] as String)!
                fee += Decimal(string: row["fee"] as String)!
            }
            return ["\(amount)", "\(notional)", "\(fee)"]
        }

        /// What the USDⓈ-M server filled for the account: (quantity, quote, commission) over its fills.
        func usdmFilled(_ server: LocalBinanceUSDM) async throws -> [String] {
            let orders = try await server.read("/control/orders") as? [[String: Any]] ?? []
            var amount = Decimal(), notional = Decimal(), fee = Decimal()
            for fill in orders.flatMap({ $0["fills"] as? [[String: Any]] ?? [] }) {
                let q = Decimal(string: fill["qty"] as! String)!, p = Decimal(string: fill["price"] as! String)!
                amount += q
                notional += q * p
                fee += Decimal(string: fill["commission"] as! String)!
            }
            return ["\(amount)", "\(notional)", "\(fee)"]
        }

        /// What the Bybit server executed for the account: (execQty, execValue, execFee) over its Trade rows.
        func bybitFilled(_ server: LocalBybit) async throws -> [String] {
            let account = try await server.read("/control/account?apiKey=\(Self.bybitKey)") as? [String: Any] ?? [:]
            var amount = Decimal(), notional = Decimal(), fee = Decimal()
            for row in (account["executions"] as? [[String: Any]] ?? []) where row["execType"] as? String == "Trade" {
                amount += Decimal(string: row["execQty"] as! String)!
                notional += Decimal(string: row["execValue"] as! String)!
                fee += Decimal(string: row["execFee"] as! String)!
            }
            return ["\(amount)", "\(notional)", "\(fee)"]
        }

        @Test func aLiveCrossBetweenBinanceUSDMAndBybitIsBookedAsTheVenuesMadeIt() async throws {
            let usdm = try LocalBinanceUSDM(["--speed", "0", "--account", "\(Self.usdmKey):\(Self.usdmSecret):USDT=100000"])
            let bybit = try LocalBybit(["--speed", "0", "--scripted-symbol", "BTCUSDT",
                                        "--account", "\(Self.bybitKey):\(Self.bybitSecret):USDT=100000"])
            defer { usdm.stop(); bybit.stop() }
            let path = try config(usdm, bybit)
            try desk.addKey("binance-usdm", key: Self.usdmKey, secret: Self.usdmSecret, config: path, newVault: true)
            try desk.addKey("bybit", key: Self.bybitKey, secret: Self.bybitSecret, config: path, newVault: false)
            let checked = try Binary.run(["venues", "check", "--config", path, "--keys"], environment: desk.environment,
                                         input: CrossVenueDesk.passphrase + "\n")
            #expect(checked.status == 0 && checked.output.contains("bybit (bybit at http://127.0.0.1:"), "\(checked.output)\(checked.error)")
            #expect(checked.output.components(separatedBy: "valid; trade yes").count == 3, "both keys valid: \(checked.output)")
            for secret in [Self.usdmSecret, Self.bybitSecret] {
                #expect(!checked.output.contains(secret) && !checked.error.contains(secret), "a secret was shown")
            }
            // Binance asks 60,000 (0.02 BTC), Bybit bids 60,240: 0.4 % over, past both taker fees.
            _ = try await usdm.control("/control/script", ["symbol": "BTCUSDT", "bids": [["59990.0", "0.5"]],
                                                           "asks": [["60000.0", "0.02"], ["60010.0", "0.5"]]])
            _ = try await bybit.control("/control/script", ["symbol": "BTCUSDT", "bids": [["60240.0", "0.02"], ["60230.0", "0.5"]],
                                                            "asks": [["60250.0", "0.5"]]])

            let tmux = Tmux(name: "dexter-live-bybit")
            defer { tmux.kill() }
            try tmux.start("'\(Binary.dexter)' --config '\(path)' --live", width: 160, height: 45, environment: desk.environment)
            try tmux.waitFor("the passphrase prompt") { $0.contains("Vault passphrase") }
            try tmux.keys(CrossVenueDesk.passphrase, "Enter")
            let asked = try tmux.waitFor("what the venues said of the keys, and the LIVE prompt") { $0.contains("Type LIVE") }
            #expect(asked.contains("bybit  key …"), "\(asked)")
            try tmux.keys("LIVE", "Enter")
            try tmux.waitFor("the LIVE screen with both venues live") {
                $0.contains("LIVE") && $0.contains("binance-usdm is live") && $0.contains("bybit is live")
            }
            let ledger = desk.data + "/dexter/live.sqlite"
            #expect(try PaperBinanceTests(data: desk.data).approveACross(tmux, ledger: ledger), "no cross could be approved in 8 attempts")
            try desk.expectOneLegEach(ledger, other: "bybit", most: Decimal(string: "0.52")!, first: "binance-usdm")
            // Each venue's fills booked as it made them: amounts, quote and fees to the last unit.
            try await waitUntil { try booked(ledger, "bybit") == (try await bybitFilled(bybit)) }
            let usdmBooked = try booked(ledger, "binance-usdm"), usdmTruth = try await usdmFilled(usdm)
            #expect(usdmBooked == usdmTruth, "binance-usdm: ledger \(usdmBooked), venue \(usdmTruth)")
            let bybitBooked = try booked(ledger, "bybit"), bybitTruth = try await bybitFilled(bybit)
            #expect(bybitBooked == bybitTruth, "bybit: ledger \(bybitBooked), venue \(bybitTruth)")
            let links = (try await bybit.read("/control/orders") as? [[String: Any]] ?? []).compactMap { $0["orderLinkId"] as? String }
            #expect(!links.isEmpty && Set(links).count == links.count, "bybit: each order placed once: \(links)")

            // Funding: Binance's long pays 0.01 %, Bybit's short pays 0.02 % (a negative rate), each as its venue says.
            _ = try await usdm.control("/control/funding", ["symbol": "BTCUSDT", "rate": "0.0001", "markPrice": "60000"])
            _ = try await bybit.control("/control/funding", ["symbol": "BTCUSDT", "rate": "-0.0002", "markPrice": "60240"])
            let usdmRows = (try await usdm.control("/control/settle_funding", ["symbol": "BTCUSDT"]) as? [String: Any])?["rows"]
            let bybitRows = (try await bybit.control("/control/settle_funding", ["symbol": "BTCUSDT"]) as? [String: Any])?["rows"]
            let usdmFunding = try #require((usdmRows as? [[String: Any]])?.first?["income"] as? String)
            let bybitFunding = try #require((bybitRows as? [[String: Any]])?.first?["funding"] as? String)
            try tmux.waitFor("both fundings booked", timeout: 30) {
                $0.contains("funding BTC/USDT:USDT on bybit") && $0.contains("funding BTC/USDT:USDT on binance-usdm")
            }
            // Bybit's private stream cut and back: its catch-up reads the settlement again and books it no more.
            _ = try await bybit.control("/control/fault", ["type": "drop_ws", "which": "private"])
            try await Task.sleep(for: .seconds(2))
            let funding = try rows(ledger, "SELECT venue, amount FROM funding ORDER BY venue")
                .map { "\($0["venue"] as String) \($0["amount"] as String)" }
            func plain(_ text: String) -> String { "\(Decimal(string: text)!)" }
            #expect(funding == ["binance-usdm \(plain(usdmFunding))", "bybit \(plain(bybitFunding))"], "\(funding)")
            #expect(Decimal(string: bybitFunding)! < 0, "the short pays a negative rate")
            // The venues' own positions (read every few seconds) agree with the ledger's.
            #expect(!(try tmux.screen()).contains("POSITION MISMATCH"))
            // The Risk panel shows Bybit's rate limits as its headers said, orders included.
            try tmux.keys("4", "z")
            try tmux.waitFor("the venues' rate limits on the Risk panel") { screen in
                ["bybit api", "bybit ord", "binance-usdm api", "binance-usdm ord"].allSatisfy { screen.contains($0) }
            }
            try tmux.keys("z", "1")
            let check = try Binary.run(["ledger", "check", "--ledger", ledger], environment: desk.environment)
            #expect(check.status == 0, "\(check.output)\(check.error)")
            try tmux.keys("q")
            _ = try tmux.waitFor("dexter to exit") { $0.contains("EXIT=") }
        }

        /// Waits up to 10 s for `condition` (the last fill's booking may trail the arbitrage's row).
        func waitUntil(_ condition: () async throws -> Bool) async throws {
            for _ in 0..<100 where !(try await condition()) { try await Task.sleep(for: .milliseconds(100)) }
        }
    }
}
