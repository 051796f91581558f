import Foundation
import Testing
import TestServers

extension EndToEnd {
    /// A cross-venue arbitrage between Binance and Coinbase, in PAPER and in LIVE: the Binance server replays the real
    /// BTCUSDT recording (held still); the Coinbase server lists BTC-USDT and the test scripts its book 1.5 % over
    /// Binance's ask, served through Advanced Trade's own protocol (level2 snapshot, updates, the connection's
    /// sequence). The desk sees the cross, the trader approves it, one leg fills on each venue, and the booking is
    /// exact: in LIVE each account at its venue equals the ledger to the last unit.
    @Suite(.serialized) struct CrossVenueCoinbaseTests {
        let desk = CrossVenueDesk("cross-coinbase")

        func config(_ binance: LocalBinance, _ coinbase: LocalCoinbase, live: Bool) throws -> String {
            try desk.config(binance, live: live, other: "coinbase", connector: "coinbase", takerFee: "0.006", endpoints: [
                "rest_url": coinbase.restURL, "stream_url": coinbase.publicWSURL, "private_url": coinbase.privateWSURL,
            ])
        }

        /// Coinbase's BTC-USDT book scripted 1.5 % over Binance's best ask (bids) and 1.7 % over it (asks), 0.02 BTC a
        /// level: Coinbase's 0.6 % taker fee leaves the cross worth taking.
        func scriptTheCross(_ binance: LocalBinance, _ coinbase: LocalCoinbase) async throws {
            let price = try await CrossVenueDesk.priceOverBinance(binance, decimals: 2)
            let answer = try await coinbase.control("/control/script", [
                "product_id": "BTC-USDT",
                "bids": [[price(1.015), "0.02"], [price(1.014), "0.02"], [price(1.013), "0.02"]],
                "asks": [[price(1.017), "0.02"], [price(1.018), "0.02"]],
            ]) as? [String: Any]
            #expect(answer?["scripted"] as? Bool == true, "\(String(describing: answer))")
        }

        @Test func paperCrossBetweenBinanceAndCoinbase() async throws {
            let binance = try LocalBinance(["--speed", "0"])
            let coinbase = try LocalCoinbase(["--speed", "0", "--scripted-product", "BTC-USDT"])
            defer { binance.stop(); coinbase.stop() }
            let path = try config(binance, coinbase, live: false)
            let checked = try Binary.run(["venues", "check", "--config", path], environment: desk.environment)
            #expect(checked.status == 0, "\(checked.output)\(checked.error)")
            #expect(checked.output.contains("coinbase (coinbase at http://127.0.0.1:")
                    && checked.output.contains("BTC/USDT (BTC-USDT): tick 0.01 lot 0.00000001"), "\(checked.output)")
            try await scriptTheCross(binance, coinbase)
            let tmux = Tmux(name: "dexter-cross-coinbase")
            defer { tmux.kill() }
            try tmux.start("'\(Binary.dexter)' --mode paper --config '\(path)'", width: 120, height: 40, environment: desk.environment)
            try tmux.waitFor("the PAPER screen with both venues live") {
                $0.contains("PAPER") && $0.contains("coinbase is live") && $0.contains("binance is live")
            }
            try tmux.waitFor("the cross on screen") { $0.contains("binance") && $0.contains("coinbase") && $0.contains("▶") }
            let ledger = desk.data + "/dexter/paper.sqlite"
            #expect(try PaperBinanceTests(data: desk.data).approveACross(tmux, ledger: ledger), "no cross could be approved in 8 attempts")
            // What was bought is what was sold, to the satoshi, on Coinbase's bid side as scripted.
            try desk.expectOneLegEach(ledger, other: "coinbase", most: Decimal(string: "0.06")!)
            try tmux.waitFor("the booking on screen") { $0.contains("realised $") }
            try tmux.keys("q")
            _ = try tmux.waitFor("dexter to exit") { $0.contains("EXIT=") }
        }

        /// The Coinbase account at the server (totals: available + hold), zeros left out.
        func coinbaseBalances(_ server: LocalCoinbase, key: String) async throws -> [String: Decimal] {
            let view = try await server.read("/control/account?key=\(key)") as? [String: Any]
            var totals: [String: Decimal] = [:]
            for (asset, row) in view?["balances"] as? [String: [String: String]] ?? [:] {
                let amount = Decimal(string: row["total"] ?? "0") ?? 0
                if amount != 0 { totals[asset] = amount }
            }
            return totals
        }

        @Test func liveCrossBetweenBinanceAndCoinbaseBooksWhatTheVenuesHold() async throws {
            let binance = try LocalBinance(["--speed", "0", "--accounts", try desk.binanceAccounts()])
            // A fresh P-256 key, as Coinbase's CDP hands out, known only to the local server.
            let keyFile = desk.data + "/coinbase-key.pem"
            let made = try Binary.run(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", keyFile],
                                      executable: "/usr/bin/openssl")
            #expect(made.status == 0, "\(made.error)")
            let keyName = "organizations/\(UUID().uuidString.lowercased())/apiKeys/\(UUID().uuidString.lowercased())"
            let coinbase = try LocalCoinbase(["--speed", "0", "--scripted-product", "BTC-USDT",
                                              "--account", "\(keyName):\(keyFile):USDT=100000,BTC=1"])
            defer { binance.stop(); coinbase.stop() }
            // The PEM pasted as one line, "\n" written out, as from a JSON key file.
            let pem = try String(contentsOfFile: keyFile, encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "\n", with: "\\n")
            let path = try config(binance, coinbase, live: true)
            try desk.addKey("binance", key: CrossVenueDesk.binanceKey, secret: CrossVenueDesk.binanceSecret, config: path, newVault: true)
            try desk.addKey("coinbase", key: keyName, secret: pem, config: path, newVault: false)
            let checked = try Binary.run(["venues", "check", "--config", path, "--keys"], environment: desk.environment,
                                         input: CrossVenueDesk.passphrase + "\n")
            #expect(checked.status == 0, "\(checked.output)\(checked.error)")
            #expect(checked.output.contains("valid; trade yes, withdraw no, taker 0.6 %"), "\(checked.output)")
            #expect(!checked.output.contains("PRIVATE KEY") && !checked.error.contains("PRIVATE KEY"))
            try await scriptTheCross(binance, coinbase)

            let tmux = Tmux(name: "dexter-cross-coinbase-live")
            defer { tmux.kill() }
            try tmux.start("'\(Binary.dexter)' --config '\(path)' --live", width: 120, height: 40, environment: desk.environment)
            try tmux.waitFor("the passphrase prompt") { $0.contains("Vault passphrase") }
            try tmux.keys(CrossVenueDesk.passphrase, "Enter")
            let asked = try tmux.waitFor("what the venues said of the keys, and the LIVE prompt") { $0.contains("Type LIVE") }
            #expect(asked.contains("coinbase  key …"), "\(asked)")
            try tmux.keys("LIVE", "Enter")
            try tmux.waitFor("the LIVE screen with both venues live") {
                $0.contains("LIVE") && $0.contains("coinbase is live") && $0.contains("binance is live")
            }
            let ledger = desk.data + "/dexter/live.sqlite"
            #expect(try LiveBinanceTests.ledgerBalances(ledger, account: "coinbase") == (try await coinbaseBalances(coinbase, key: keyName)),
                    "the fresh ledger opens with what Coinbase says the account holds")
            #expect(try PaperBinanceTests(data: desk.data).approveACross(tmux, ledger: ledger), "no cross could be approved in 8 attempts")
            #expect(Set(try desk.fills(ledger).map(\.exchange)) == ["binance", "coinbase"], "one leg on each venue")
            // Each account at its venue equals the ledger, to the last unit, commissions included.
            #expect(try LiveBinanceTests.ledgerBalances(ledger, account: "binance") == (try await LiveBinanceTests.serverBalances(binance, key: CrossVenueDesk.binanceKey)), "binance: ledger and venue differ")
            #expect(try LiveBinanceTests.ledgerBalances(ledger, account: "coinbase") == (try await coinbaseBalances(coinbase, key: keyName)), "coinbase: ledger and venue differ")
            let orders = try await coinbase.read("/control/orders") as? [[String: Any]] ?? []
            let ids = orders.compactMap { $0["client_order_id"] as? String }
            #expect(!orders.isEmpty && Set(ids).count == ids.count, "coinbase: orders \(ids)")
            try tmux.waitFor("the booking on screen") { $0.contains("realised $") }
            #expect(!(try tmux.screen()).contains("BALANCE MISMATCH"))
            // The Risk panel shows Coinbase's request budget as dexter counts it.
            try tmux.keys("4", "z")
            try tmux.waitFor("the venues' rate limits on the Risk panel") { screen in
                ["coinbase api", "binance api"].allSatisfy { screen.contains($0) }
            }
            try tmux.keys("z", "1")
            try tmux.keys("q")
            _ = try tmux.waitFor("dexter to exit") { $0.contains("EXIT=") }
        }
    }
}
