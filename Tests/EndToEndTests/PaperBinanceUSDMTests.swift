import Foundation
import Testing
import TestServers

extension EndToEnd {
    /// The desk in PAPER mode on a Binance USDⓈ-M venue: the local USDⓈ-M-protocol server with BTCUSDT's book and
    /// funding scripted. A trader checks the venue, opens the Markets panel and finds the perpetual's top and its
    /// next funding there.
    @Suite(.serialized) struct PaperBinanceUSDMTests {
        var data = NSTemporaryDirectory() + "dexter-usdm-\(UUID().uuidString)"
        var environment: [String: String] { ["XDG_DATA_HOME": data, "XDG_CONFIG_HOME": data + "/config", "HOME": data] }

        /// config.toml.example with its venues, balances and simulator venues replaced by one USDⓈ-M venue.
        func config(_ server: LocalBinanceUSDM) throws -> String {
            let text = try ExampleConfig.withoutVenues() + """

                [chains]

                [venues.binance-usdm]
                kind = "exchange"
                connector = "binance-usdm"
                taker_fee = "0.0005"
                staleness_ms = 600000
                symbols = ["BTC/USDT:USDT"]
                rest_url = "\(server.restURL)"
                stream_url = "\(server.streamURL)"

                [balances.binance-usdm]
                USDT = "25000"

                """
            let path = data + "/usdm.toml"
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        @Test func thePerpetualsTopAndFundingAreOnTheMarketsPanel() async throws {
            let server = try LocalBinanceUSDM()
            defer { server.stop() }
            // The book before dexter connects, so its subscription first gets the event the book stands at.
            try await server.control("/control/script", ["symbol": "BTCUSDT", "bids": [["60123.40", "1.500"]],
                                                         "asks": [["60123.50", "0.750"], ["60130.00", "2.000"]]])
            let path = try config(server)

            let check = try Binary.run(["venues", "check", "--config", path], environment: environment)
            #expect(check.status == 0, "\(check.output)\(check.error)")
            #expect(check.output.contains("binance-usdm (binance-usdm at http://127.0.0.1:"), "\(check.output)")
            #expect(check.output.contains("BTC/USDT:USDT: tick 0.01 lot 0.001 min qty 0.001 min notional 5 max leverage 20 "
                                          + "maintenance 0.025"), "\(check.output)")

            let tmux = Tmux(name: "dexter-usdm")
            defer { tmux.kill() }
            try tmux.start("'\(Binary.dexter)' --mode paper --config '\(path)'", width: 120, height: 40, environment: environment)
            try tmux.waitFor("the PAPER screen with the venue live") { $0.contains("PAPER") && $0.contains("binance-usdm is live") }
            // The next funding 3 h 12 min and most of a minute away: the panel shows whole minutes.
            let nowMillis = Int(Date().timeIntervalSince1970 * 1000)
            let ahead: Int = (3 * 3_600 + 12 * 60 + 55) * 1000
            let next: Int = nowMillis + ahead
            try await server.control("/control/funding", ["symbol": "BTCUSDT", "rate": "0.0001", "markPrice": "60123.45",
                                                         "nextFundingTime": next])
            try tmux.keys("8")
            let screen = try tmux.waitFor("BTC/USDT:USDT's top and funding on the markets panel") { screen in
                screen.split(separator: "\n").contains { line in
                    line.contains("binance-usdm BTC/USDT:USDT") && line.contains("60,123.40   60,123.50    0.7500")
                        && (line.contains("fund +0.0100% 3h12m live") || line.contains("fund +0.0100% 3h11m live"))
                }
            }
            #expect(screen.contains("8 Markets (1)"), "\(screen)")
            try tmux.keys("Escape")
            try tmux.keys("q")
            _ = try tmux.waitFor("dexter to exit") { $0.contains("EXIT=") }
        }
    }
}
