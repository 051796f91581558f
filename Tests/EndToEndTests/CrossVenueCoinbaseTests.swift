import Foundation
import GRDB
import Testing
import TestServers

extension EndToEnd {
    /// A cross-venue arbitrage between Binance and Coinbase: the Binance server replays the real BTCUSDT recording
    /// (held still); the Coinbase server lists BTC-USDT and the test scripts its book 1 % over Binance's ask, served
    /// through Advanced Trade's own protocol (level2 snapshot, updates, the connection's sequence). The desk sees the
    /// cross, the trader approves it, one leg fills on each venue, and the booking is exact.
    @Suite(.serialized) struct CrossVenueCoinbaseTests {
        let data = NSTemporaryDirectory() + "dexter-cross-cb-\(UUID().uuidString)"
        var environment: [String: String] { ["XDG_DATA_HOME": data, "XDG_CONFIG_HOME": data + "/config", "HOME": data] }

        func config(_ binance: LocalBinance, _ coinbase: LocalCoinbase) throws -> String {
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

                [venues.coinbase]
                kind = "exchange"
                connector = "coinbase"
                taker_fee = "0.006"
                staleness_ms = 600000
                symbols = ["BTC/USDT"]
                rest_url = "\(coinbase.restURL)"
                stream_url = "\(coinbase.publicWSURL)"
                private_url = "\(coinbase.privateWSURL)"

                [balances.binance]
                USDT = "100000"
                BTC = "1"

                [balances.coinbase]
                USDT = "100000"
                BTC = "1"

                """
            let path = data + "/cross.toml"
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        /// Coinbase's BTC-USDT book scripted 1.5 % over Binance's best ask (bids) and 1.7 % over it (asks), 0.02 BTC a
        /// level: Coinbase's 0.6 % taker fee leaves the cross worth taking.
        func scriptTheCross(_ binance: LocalBinance, _ coinbase: LocalCoinbase) async throws {
            let view = try await binance.read("/control/book?symbol=BTCUSDT&limit=1&view=stream") as? [String: Any]
            let ask = try #require((view?["asks"] as? [[String]])?.first.flatMap { Decimal(string: $0[0]) })
            func price(_ factor: Decimal) -> String {
                var value = ask * factor, rounded = Decimal()
                NSDecimalRound(&rounded, &value, 2, .down)
                return "\(rounded)"
            }
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
            let path = try config(binance, coinbase)
            let checked = try Binary.run(["venues", "check", "--config", path], environment: environment)
            #expect(checked.status == 0, "\(checked.output)\(checked.error)")
            #expect(checked.output.contains("coinbase (coinbase at http://127.0.0.1:")
                    && checked.output.contains("BTC/USDT (BTC-USDT): tick 0.01 lot 0.00000001"), "\(checked.output)")
            try await scriptTheCross(binance, coinbase)
            let tmux = Tmux(name: "dexter-cross-coinbase")
            defer { tmux.kill() }
            try tmux.start("'\(Binary.dexter)' --mode paper --config '\(path)'", width: 120, height: 40, environment: environment)
            try tmux.waitFor("the PAPER screen with both venues live") {
                $0.contains("PAPER") && $0.contains("coinbase is live") && $0.contains("binance is live")
            }
            try tmux.waitFor("the cross on screen") { $0.contains("binance") && $0.contains("coinbase") && $0.contains("▶") }
            let ledger = data + "/dexter/paper.sqlite"
            #expect(try PaperBinanceTests(data: data).approveACross(tmux, ledger: ledger), "no cross could be approved in 8 attempts")
            let fills = try DatabaseQueue(path: ledger).read { db in
                try Row.fetchAll(db, sql: "SELECT exchange, side, amount, price, fee FROM trades")
            }
            let legs = Dictionary(grouping: fills, by: { $0["exchange"] as String })
            #expect(Set(legs.keys) == ["binance", "coinbase"], "one leg on each venue: \(fills)")
            #expect(legs["binance"]?.allSatisfy { $0["side"] as String == "buy" } == true)
            #expect(legs["coinbase"]?.allSatisfy { $0["side"] as String == "sell" } == true)
            // What was bought is what was sold, to the satoshi, on Coinbase's bid side as scripted.
            let bought = legs["binance"]?.compactMap { Decimal(string: $0["amount"] as String) }.reduce(0, +)
            let sold = legs["coinbase"]?.compactMap { Decimal(string: $0["amount"] as String) }.reduce(0, +)
            #expect(bought == sold && (sold ?? 0) > 0 && (sold ?? 0) <= Decimal(string: "0.06")!, "bought \(String(describing: bought)), sold \(String(describing: sold))")
            try tmux.waitFor("the booking on screen") { $0.contains("realised $") }
            try tmux.keys("q")
            _ = try tmux.waitFor("dexter to exit") { $0.contains("EXIT=") }
        }
    }
}
