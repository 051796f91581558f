import Foundation
import GRDB
import Testing
import TestServers

extension EndToEnd {
    /// A cross-venue arbitrage between Binance and Kraken, in PAPER and in LIVE: the Binance server replays the real
    /// BTCUSDT recording (held still); the Kraken server lists XBTUSDT and the test scripts its BTC/USDT book 1 % over
    /// Binance's ask, served through Kraken's own protocol (snapshot, updates, checksums). The desk sees the cross,
    /// the trader approves it, one leg fills on each venue, and the booking is exact: in LIVE each account at its venue
    /// equals the ledger to the last unit.
    @Suite(.serialized) struct CrossVenueKrakenTests {
        let data = NSTemporaryDirectory() + "dexter-cross-\(UUID().uuidString)"
        var environment: [String: String] { ["XDG_DATA_HOME": data, "XDG_CONFIG_HOME": data + "/config", "HOME": data] }
        static let passphrase = "cross test passphrase"
        // Keys that exist only on the local servers: Binance's 64 letters and digits, Kraken's 56 base64 characters
        // with a base64 secret (the one of Kraken's signing example).
        static let binanceKey = String(repeating: "c5D6", count: 16), binanceSecret = String(repeating: "u8Ev", count: 16)
        static let krakenKey = String(repeating: "kR4k", count: 14)
        static let krakenSecret = "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="

        func config(_ binance: LocalBinance, _ kraken: LocalKraken, live: Bool) throws -> String {
            let text = try ExampleConfig.withoutVenues() + """

                [chains]

                [venues.binance]
                kind = "exchange"
                connector = "binance"
                taker_fee = "0.001"
                staleness_ms = 600000
                symbols = ["BTC/USDT"]
                rest_url = "\(binance.restURL)"
                stream_url = "\(binance.streamURL)"
                \(live ? "ws_api_url = \"\(binance.wsAPIURL)\"" : "")

                [venues.kraken]
                kind = "exchange"
                connector = "kraken"
                taker_fee = "0.0026"
                staleness_ms = 600000
                symbols = ["BTC/USDT"]
                rest_url = "\(kraken.restURL)"
                stream_url = "\(kraken.publicWSURL)"
                private_url = "\(kraken.privateWSURL)"

                [balances.binance]
                USDT = "100000"
                BTC = "1"

                [balances.kraken]
                USDT = "100000"
                BTC = "1"

                """
            let path = data + "/cross.toml"
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        /// Kraken's BTC/USDT book scripted 1 % over Binance's best ask (bids) and 1.2 % over it (asks), 0.02 BTC a level.
        func scriptTheCross(_ binance: LocalBinance, _ kraken: LocalKraken) async throws {
            let view = try await binance.read("/control/book?symbol=BTCUSDT&limit=1&view=stream") as? [String: Any]
            let ask = try #require((view?["asks"] as? [[String]])?.first.flatMap { Decimal(string: $0[0]) })
            func price(_ factor: Decimal) -> String {
                var value = ask * factor, rounded = Decimal()
                NSDecimalRound(&rounded, &value, 1, .down)
                return "\(rounded)"
            }
            let answer = try await kraken.control("/control/script", [
                "symbol": "BTC/USDT",
                "bids": [[price(1.01), "0.02"], [price(1.009), "0.02"], [price(1.008), "0.02"]],
                "asks": [[price(1.012), "0.02"], [price(1.013), "0.02"]],
            ]) as? [String: Any]
            #expect(answer?["scripted"] as? Bool == true, "\(String(describing: answer))")
        }

        func arbitrages(_ ledger: String) throws -> [Row] {
            try DatabaseQueue(path: ledger).read { db in try Row.fetchAll(db, sql: "SELECT exchange, side, amount, price, fee FROM trades") }
        }

        @Test func paperCrossBetweenBinanceAndKraken() async throws {
            let binance = try LocalBinance(["--speed", "0"])
            let kraken = try LocalKraken(["--speed", "0", "--scripted-pair", "XBTUSDT"])
            defer { binance.stop(); kraken.stop() }
            let path = try config(binance, kraken, live: false)
            try await scriptTheCross(binance, kraken)
            let tmux = Tmux(name: "dexter-cross-paper")
            defer { tmux.kill() }
            try tmux.start("'\(Binary.dexter)' --mode paper --config '\(path)'", width: 120, height: 40, environment: environment)
            try tmux.waitFor("the PAPER screen with both venues live") {
                $0.contains("PAPER") && $0.contains("kraken is live") && $0.contains("binance is live")
            }
            try tmux.waitFor("the cross on screen") { $0.contains("binance") && $0.contains("kraken") && $0.contains("▶") }
            let ledger = data + "/dexter/paper.sqlite"
            #expect(try PaperBinanceTests(data: data).approveACross(tmux, ledger: ledger), "no cross could be approved in 8 attempts")
            let fills = try arbitrages(ledger)
            let legs = Dictionary(grouping: fills, by: { $0["exchange"] as String })
            #expect(Set(legs.keys) == ["binance", "kraken"], "one leg on each venue: \(fills)")
            #expect(legs["binance"]?.allSatisfy { $0["side"] as String == "buy" } == true)
            #expect(legs["kraken"]?.allSatisfy { $0["side"] as String == "sell" } == true)
            // What was bought is what was sold, to the satoshi, on Kraken's bid side as scripted.
            let bought = legs["binance"]?.compactMap { Decimal(string: $0["amount"] as String) }.reduce(0, +)
            let sold = legs["kraken"]?.compactMap { Decimal(string: $0["amount"] as String) }.reduce(0, +)
            #expect(bought == sold && (sold ?? 0) > 0 && (sold ?? 0) <= Decimal(string: "0.06")!, "bought \(String(describing: bought)), sold \(String(describing: sold))")
            try tmux.waitFor("the booking on screen") { $0.contains("realised $") }
            try tmux.keys("q")
            _ = try tmux.waitFor("dexter to exit") { $0.contains("EXIT=") }
        }

        func addKey(_ venue: String, key: String, secret: String, config: String, newVault: Bool) throws {
            let answers = (newVault ? [Self.passphrase, Self.passphrase] : [Self.passphrase]) + [key, secret]
            let result = try Binary.run(["keys", "add", venue, "--config", config], environment: environment,
                                        input: answers.joined(separator: "\n") + "\n")
            #expect(result.status == 0, "\(result.output)\(result.error)")
            #expect(!result.output.contains(secret) && !result.error.contains(secret), "a secret was echoed")
        }

        /// Kraken's account at the server, in dexter's asset names (XXBT → BTC).
        func krakenBalances(_ server: LocalKraken) async throws -> [String: Decimal] {
            let view = try await server.read("/control/account?apiKey=\(Self.krakenKey)") as? [String: Any]
            var totals: [String: Decimal] = [:]
            let names = ["XXBT": "BTC", "ZUSD": "USD", "XETH": "ETH"]
            for (asset, row) in view?["balances"] as? [String: [String: String]] ?? [:] {
                let amount = Decimal(string: row["balance"] ?? "0") ?? 0
                if amount != 0 { totals[names[asset] ?? asset] = amount }
            }
            return totals
        }

        @Test func liveCrossBetweenBinanceAndKrakenBooksWhatTheVenuesHold() async throws {
            let accounts = data + "/binance-accounts.json"
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            try JSONSerialization.data(withJSONObject: ["accounts": [[
                "name": "desk", "commission": ["maker": "0.001", "taker": "0.001"],
                "balances": ["USDT": "100000", "BTC": "1"],
                "keys": [["apiKey": Self.binanceKey, "secretKey": Self.binanceSecret, "enableWithdrawals": false]],
            ]]]).write(to: URL(fileURLWithPath: accounts))
            let binance = try LocalBinance(["--speed", "0", "--accounts", accounts])
            let kraken = try LocalKraken(["--speed", "0", "--scripted-pair", "XBTUSDT",
                                          "--account", "\(Self.krakenKey):\(Self.krakenSecret):USDT=100000,XXBT=1"])
            defer { binance.stop(); kraken.stop() }
            let path = try config(binance, kraken, live: true)
            try addKey("binance", key: Self.binanceKey, secret: Self.binanceSecret, config: path, newVault: true)
            try addKey("kraken", key: Self.krakenKey, secret: Self.krakenSecret, config: path, newVault: false)
            let checked = try Binary.run(["venues", "check", "--config", path, "--keys"], environment: environment,
                                         input: Self.passphrase + "\n")
            #expect(checked.status == 0, "\(checked.output)\(checked.error)")
            #expect(checked.output.contains("kraken (kraken at http://127.0.0.1:") && checked.output.contains("BTC/USDT (XBTUSDT): tick 0.1"),
                    "\(checked.output)")
            #expect(checked.output.contains("valid; trade yes, withdraw unknown (kraken does not say), taker 0.26 %"), "\(checked.output)")
            #expect(!checked.output.contains(Self.krakenSecret) && !checked.error.contains(Self.krakenSecret))
            try await scriptTheCross(binance, kraken)

            let tmux = Tmux(name: "dexter-cross-live")
            defer { tmux.kill() }
            try tmux.start("'\(Binary.dexter)' --config '\(path)' --live", width: 120, height: 40, environment: environment)
            try tmux.waitFor("the passphrase prompt") { $0.contains("Vault passphrase") }
            try tmux.keys(Self.passphrase, "Enter")
            let asked = try tmux.waitFor("what the venues said of the keys, and the LIVE prompt") { $0.contains("Type LIVE") }
            #expect(asked.contains("kraken  key …") && asked.contains("withdraw unknown"), "\(asked)")
            try tmux.keys("LIVE", "Enter")
            try tmux.waitFor("the LIVE screen with both venues live") {
                $0.contains("LIVE") && $0.contains("kraken is live") && $0.contains("binance is live")
            }
            let ledger = data + "/dexter/live.sqlite"
            #expect(try LiveBinanceTests.ledgerBalances(ledger, account: "kraken") == (try await krakenBalances(kraken)),
                    "the fresh ledger opens with what Kraken says the account holds")
            #expect(try PaperBinanceTests(data: data).approveACross(tmux, ledger: ledger), "no cross could be approved in 8 attempts")
            let legs = Set(try arbitrages(ledger).map { $0["exchange"] as String })
            #expect(legs == ["binance", "kraken"], "one leg on each venue")
            // Each account at its venue equals the ledger, to the last unit, fees included.
            #expect(try LiveBinanceTests.ledgerBalances(ledger, account: "binance") == (try await LiveBinanceTests.serverBalances(binance, key: Self.binanceKey)), "binance: ledger and venue differ")
            #expect(try LiveBinanceTests.ledgerBalances(ledger, account: "kraken") == (try await krakenBalances(kraken)), "kraken: ledger and venue differ")
            let orders = try await kraken.read("/control/orders") as? [[String: Any]] ?? []
            let ids = orders.compactMap { $0["cl_ord_id"] as? String }
            #expect(!orders.isEmpty && Set(ids).count == ids.count, "kraken: orders \(ids)")
            try tmux.waitFor("the booking on screen") { $0.contains("realised $") }
            #expect(!(try tmux.screen()).contains("BALANCE MISMATCH"))
            // The Risk panel shows each venue's rate limits as dexter counts them, orders included once some went.
            try tmux.keys("4", "z")
            try tmux.waitFor("the venues' rate limits on the Risk panel") { screen in
                ["kraken api", "kraken ord", "binance api", "binance ord"].allSatisfy { screen.contains($0) }
            }
            try tmux.keys("z", "1")
            try tmux.keys("q")
            _ = try tmux.waitFor("dexter to exit") { $0.contains("EXIT=") }
        }
    }
}
