import Foundation
import Testing
import TestServers

extension EndToEnd {
    /// A cross-venue arbitrage between Binance and Kraken, in PAPER and in LIVE: the Binance server replays the real
    /// BTCUSDT recording (held still); the Kraken server lists XBTUSDT and the test scripts its BTC/USDT book 1 % over
    /// Binance's ask, served through Kraken's own protocol (snapshot, updates, checksums). The desk sees the cross,
    /// the trader approves it, one leg fills on each venue, and the booking is exact: in LIVE each account at its venue
    /// equals the ledger to the last unit.
    @Suite(.serialized) struct CrossVenueKrakenTests {
        let desk = CrossVenueDesk("cross-kraken")
        // A key that exists only on the local server: 56 base64 characters, with a base64 secret (the one of Kraken's
        // signing example).
        static let krakenKey = String(repeating: "kR4k", count: 14)
        static let krakenSecret = "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="

        func config(_ binance: LocalBinance, _ kraken: LocalKraken, live: Bool) throws -> String {
            try desk.config(binance, live: live, other: "kraken", connector: "kraken", takerFee: "0.0026", endpoints: [
                "rest_url": kraken.restURL, "stream_url": kraken.publicWSURL, "private_url": kraken.privateWSURL,
            ])
        }

        /// Kraken's BTC/USDT book scripted 1 % over Binance's best ask (bids) and 1.2 % over it (asks), 0.02 BTC a level.
        func scriptTheCross(_ binance: LocalBinance, _ kraken: LocalKraken) async throws {
            let price = try await CrossVenueDesk.priceOverBinance(binance, decimals: 1)
            let answer = try await kraken.control("/control/script", [
                "symbol": "BTC/USDT",
                "bids": [[price(1.01), "0.02"], [price(1.009), "0.02"], [price(1.008), "0.02"]],
                "asks": [[price(1.012), "0.02"], [price(1.013), "0.02"]],
            ]) as? [String: Any]
            #expect(answer?["scripted"] as? Bool == true, "\(String(describing: answer))")
        }

        @Test func paperCrossBetweenBinanceAndKraken() async throws {
            let binance = try LocalBinance(["--speed", "0"])
            let kraken = try LocalKraken(["--speed", "0", "--scripted-pair", "XBTUSDT"])
            defer { binance.stop(); kraken.stop() }
            let path = try config(binance, kraken, live: false)
            try await scriptTheCross(binance, kraken)
            let tmux = Tmux(name: "dexter-cross-paper")
            defer { tmux.kill() }
            try tmux.start("'\(Binary.dexter)' --mode paper --config '\(path)'", width: 120, height: 40, environment: desk.environment)
            try tmux.waitFor("the PAPER screen with both venues live") {
                $0.contains("PAPER") && $0.contains("kraken is live") && $0.contains("binance is live")
            }
            try tmux.waitFor("the cross on screen") { $0.contains("binance") && $0.contains("kraken") && $0.contains("▶") }
            let ledger = desk.data + "/dexter/paper.sqlite"
            #expect(try PaperBinanceTests(data: desk.data).approveACross(tmux, ledger: ledger), "no cross could be approved in 8 attempts")
            // What was bought is what was sold, to the satoshi, on Kraken's bid side as scripted.
            try desk.expectOneLegEach(ledger, other: "kraken", most: Decimal(string: "0.06")!)
            try tmux.waitFor("the booking on screen") { $0.contains("realised $") }
            try tmux.keys("q")
            _ = try tmux.waitFor("dexter to exit") { $0.contains("EXIT=") }
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
            let binance = try LocalBinance(["--speed", "0", "--accounts", try desk.binanceAccounts()])
            let kraken = try LocalKraken(["--speed", "0", "--scripted-pair", "XBTUSDT",
                                          "--account", "\(Self.krakenKey):\(Self.krakenSecret):USDT=100000,XXBT=1"])
            defer { binance.stop(); kraken.stop() }
            let path = try config(binance, kraken, live: true)
            try desk.addKey("binance", key: CrossVenueDesk.binanceKey, secret: CrossVenueDesk.binanceSecret, config: path, newVault: true)
            try desk.addKey("kraken", key: Self.krakenKey, secret: Self.krakenSecret, config: path, newVault: false)
            let checked = try Binary.run(["venues", "check", "--config", path, "--keys"], environment: desk.environment,
                                         input: CrossVenueDesk.passphrase + "\n")
            #expect(checked.status == 0, "\(checked.output)\(checked.error)")
            #expect(checked.output.contains("kraken (kraken at http://127.0.0.1:") && checked.output.contains("BTC/USDT (XBTUSDT): tick 0.1"),
                    "\(checked.output)")
            #expect(checked.output.contains("valid; trade yes, withdraw unknown (kraken does not say), taker 0.26 %"), "\(checked.output)")
            #expect(!checked.output.contains(Self.krakenSecret) && !checked.error.contains(Self.krakenSecret))
            try await scriptTheCross(binance, kraken)

            let tmux = Tmux(name: "dexter-cross-live")
            defer { tmux.kill() }
            try tmux.start("'\(Binary.dexter)' --config '\(path)' --live", width: 120, height: 40, environment: desk.environment)
            try tmux.waitFor("the passphrase prompt") { $0.contains("Vault passphrase") }
            try tmux.keys(CrossVenueDesk.passphrase, "Enter")
            let asked = try tmux.waitFor("what the venues said of the keys, and the LIVE prompt") { $0.contains("Type LIVE") }
            #expect(asked.contains("kraken  key …") && asked.contains("withdraw unknown"), "\(asked)")
            try tmux.keys("LIVE", "Enter")
            try tmux.waitFor("the LIVE screen with both venues live") {
                $0.contains("LIVE") && $0.contains("kraken is live") && $0.contains("binance is live")
            }
            let ledger = desk.data + "/dexter/live.sqlite"
            #expect(try LiveBinanceTests.ledgerBalances(ledger, account: "kraken") == (try await krakenBalances(kraken)),
                    "the fresh ledger opens with what Kraken says the account holds")
            #expect(try PaperBinanceTests(data: desk.data).approveACross(tmux, ledger: ledger), "no cross could be approved in 8 attempts")
            #expect(Set(try desk.fills(ledger).map(\.exchange)) == ["binance", "kraken"], "one leg on each venue")
            // Each account at its venue equals the ledger, to the last unit, fees included.
            #expect(try LiveBinanceTests.ledgerBalances(ledger, account: "binance") == (try await LiveBinanceTests.serverBalances(binance, key: CrossVenueDesk.binanceKey)), "binance: ledger and venue differ")
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
