import Foundation
import Testing
import TestServers

extension EndToEnd {
    /// The desk in PAPER mode on Bybit's linear perpetuals, against the local Bybit v5 server: BTCUSDT's book is
    /// scripted, the markets panel shows the server's best bid and ask as dexter's book keeps them, through a lost
    /// delta the server skips on purpose.
    @Suite(.serialized) struct PaperBybitTests {
        var data = NSTemporaryDirectory() + "dexter-paper-bybit-\(UUID().uuidString)"
        var environment: [String: String] { ["XDG_DATA_HOME": data, "XDG_CONFIG_HOME": data + "/config", "HOME": data] }

        /// config.toml.example with its venues, balances and simulator venues replaced by the Bybit venue.
        func config(_ server: LocalBybit) throws -> String {
            let text = try ExampleConfig.withoutVenues() + """

                [chains]

                [venues.bybit]
                kind = "exchange"
                connector = "bybit"
                taker_fee = "0.00055"
                staleness_ms = 600000
                symbols = ["BTC/USDT:USDT"]
                rest_url = "\(server.restURL)"
                stream_url = "\(server.publicWSURL)"
                private_url = "\(server.privateWSURL)"

                [balances.bybit]
                USDT = "100000"

                """
            let path = data + "/bybit.toml"
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        /// Scripts BTCUSDT's book around `mid` (a whole number of dollars): ten levels a side.
        func script(_ server: LocalBybit, mid: Int) async throws {
            let bids = (0..<10).map { ["\(mid - 1 - $0).5", "0.\(100 + $0)"] }
            let asks = (0..<10).map { ["\(mid + 1 + $0)", "1.\(200 + $0)"] }
            try await server.control("/control/script", ["symbol": "BTCUSDT", "bids": bids, "asks": asks])
        }

        /// The server's best bid and ask, as the markets panel writes them.
        func top(_ server: LocalBybit) async throws -> (bid: String, ask: String) {
            let book = try #require(try await server.read("/control/book?symbol=BTCUSDT&limit=1") as? [String: Any])
            let bid = try #require((book["bids"] as? [[String]])?.first?.first)
            let ask = try #require((book["asks"] as? [[String]])?.first?.first)
            return (PaperExchangeTests.cell(bid), PaperExchangeTests.cell(ask))
        }

        @Test func theMarketsPanelShowsBybitsBookThroughALostDelta() async throws {
            let server = try LocalBybit()
            defer { server.stop() }
            try await script(server, mid: 27_450)
            let path = try config(server)
            let check = try Binary.run(["venues", "check", "--config", path], environment: environment)
            #expect(check.status == 0, "\(check.output)\(check.error)")
            #expect(check.output.contains("bybit (bybit at \(server.restURL)) reachable in "), "\(check.output)")
            #expect(check.output.contains("BTC/USDT:USDT: tick 0.5 lot 0.001 min notional 5 max leverage 100 maintenance 0.005"),
                    "\(check.output)")
            let tmux = Tmux(name: "dexter-paper-bybit")
            defer { tmux.kill() }
            try tmux.start("'\(Binary.dexter)' --mode paper --config '\(path)'", width: 120, height: 40, environment: environment)
            try tmux.waitFor("the PAPER screen with bybit live") { $0.contains("PAPER") && $0.contains("bybit is live") }
            try tmux.keys("8")
            func shows(_ top: (bid: String, ask: String)) -> (String) -> Bool {
                // The pair column is 12 wide: "BTC/USDT:USDT" is cut there.
                { screen in screen.split(separator: "\n").contains { $0.contains("│ bybit        BTC/USDT") && $0.contains("\(top.bid) \(top.ask)") } }
            }
            var expected = try await top(server)
            try tmux.waitFor("bybit's top in the markets panel: \(expected)", shows(expected))
            try await script(server, mid: 27_461)
            expected = try await top(server)
            try tmux.waitFor("bybit's top after a change: \(expected)", shows(expected))
            // A delta never sent: the next one's u jumps; the book is dropped, subscribed again, exact once more.
            try await server.control("/control/fault", ["type": "skip_update", "count": 1, "symbol": "BTCUSDT"])
            try await script(server, mid: 27_470)
            try await script(server, mid: 27_480)
            expected = try await top(server)
            try tmux.keys("Escape")
            try tmux.waitFor("the resync in the log panel") { $0.contains("bybit is resyncing (BTC/USDT:USDT") }
            let log = try String(contentsOfFile: data + "/.local/state/dexter/paper.log", encoding: .utf8)
            #expect(log.contains("bybit is resyncing (BTC/USDT:USDT BTCUSDT: delta u"), "the reason, whole, in the session log")
            try tmux.keys("8")
            try tmux.waitFor("bybit's top after the resync: \(expected)", shows(expected))
            try tmux.keys("Escape")
            try tmux.keys("q")
            #expect(try tmux.waitFor("dexter to exit") { $0.contains("EXIT=") }.contains("EXIT=0"))
        }
    }
}
