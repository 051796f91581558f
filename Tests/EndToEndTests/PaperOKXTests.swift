import Foundation
import Testing
import TestServers

extension EndToEnd {
    /// The desk in PAPER mode on an OKX-protocol venue: the local OKX server replays the real BTC-USDT capture; the
    /// markets panel shows the server's best bid and ask as the books channel keeps them, through a checksum the
    /// server corrupts on purpose.
    @Suite(.serialized) struct PaperOKXTests {
        var data = NSTemporaryDirectory() + "dexter-okx-\(UUID().uuidString)"
        var environment: [String: String] { ["XDG_DATA_HOME": data, "XDG_CONFIG_HOME": data + "/config", "HOME": data] }

        /// config.toml.example with its venues, balances and simulator venues replaced by one OKX venue.
        func config(_ server: LocalOKX) throws -> String {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            let example = try String(contentsOf: root.appendingPathComponent("config.toml.example"), encoding: .utf8)
            let dropped = ["[venues", "[balances", "[sim.venues", "[sim.assets", "[sim.chains", "[chains", "[leg_risk.routes",
                           "[wallets", "[[wallets", "[[sim"]
            var kept: [Substring] = []
            var keeping = true
            for line in example.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("[") { keeping = !dropped.contains { line.hasPrefix($0) } }
                if keeping { kept.append(line) }
            }
            let text = kept.joined(separator: "\n") + """

                [chains]

                [venues.okx]
                kind = "exchange"
                connector = "okx"
                taker_fee = "0.001"
                staleness_ms = 600000
                symbols = ["BTC/USDT"]
                rest_url = "\(server.restURL)"
                stream_url = "\(server.publicWSURL)"
                private_url = "\(server.privateWSURL)"

                [balances.okx]
                USDT = "100000"
                BTC = "1"

                """
            let path = data + "/okx.toml"
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        /// The server's best bid and ask, as the markets panel writes them (the capture's BTC prices are ≥ 1,000:
        /// cents, grouped).
        func top(_ server: LocalOKX) async throws -> (bid: String, ask: String) {
            let book = try #require(try await server.read("/control/book?instId=BTC-USDT&limit=1") as? [String: Any])
            let bid = try #require((book["bids"] as? [[String]])?.first?.first)
            let ask = try #require((book["asks"] as? [[String]])?.first?.first)
            return (Self.cell(bid), Self.cell(ask))
        }

        /// "30233.6" → "  30,233.60", right-aligned in the panel's 11 columns.
        static func cell(_ price: String) -> String {
            let parts = price.split(separator: ".", omittingEmptySubsequences: false)
            var grouped = ""
            for (index, digit) in parts[0].reversed().enumerated() {
                if index > 0 && index % 3 == 0 { grouped.append(",") }
                grouped.append(digit)
            }
            let cents = String((parts.count > 1 ? parts[1] : "").prefix(2)).padding(toLength: 2, withPad: "0", startingAt: 0)
            let text = String(grouped.reversed()) + "." + cents
            return String(repeating: " ", count: max(0, 11 - text.count)) + text
        }

        @Test func theMarketsPanelShowsOKXsBookThroughABadChecksum() async throws {
            let server = try LocalOKX()
            defer { server.stop() }
            let path = try config(server)
            let tmux = Tmux(name: "dexter-okx")
            defer { tmux.kill() }
            try tmux.start("'\(Binary.dexter)' --mode paper --config '\(path)'", width: 120, height: 40, environment: environment)
            try tmux.waitFor("the PAPER screen with OKX live") { $0.contains("PAPER") && $0.contains("okx is live") }
            try tmux.keys("8")
            func shows(_ top: (bid: String, ask: String)) -> (String) -> Bool {
                let row = "│ " + "okx".padding(toLength: 12, withPad: " ", startingAt: 0) + " BTC/USDT"
                return { screen in screen.split(separator: "\n").contains { $0.contains(row) && $0.contains("\(top.bid) \(top.ask)") } }
            }
            var expected = try await top(server)
            try tmux.waitFor("OKX's top in the markets panel: \(expected)", shows(expected))
            try await server.control("/control/advance", ["updates": 20, "instId": "BTC-USDT"])
            expected = try await top(server)
            try tmux.waitFor("OKX's top after 20 updates: \(expected)", shows(expected))
            // A checksum that does not match: the book is dropped, subscribed again, and exact once more.
            try await server.control("/control/fault", ["type": "corrupt_checksum", "count": 1, "instId": "BTC-USDT"])
            try await server.control("/control/advance", ["updates": 10, "instId": "BTC-USDT"])
            expected = try await top(server)
            try tmux.keys("Escape")
            try tmux.waitFor("the resync in the log panel") { $0.contains("okx is resyncing (BTC/USDT") }
            let log = try String(contentsOfFile: data + "/.local/state/dexter/paper.log", encoding: .utf8)
            #expect(log.contains("okx is resyncing (BTC/USDT BTC-USDT: checksum"), "the reason, whole, in the session log")
            try tmux.keys("8")
            try tmux.waitFor("OKX's top after the resync: \(expected)", shows(expected))
            try tmux.keys("Escape")
            try tmux.keys("q")
            #expect(try tmux.waitFor("dexter to exit") { $0.contains("EXIT=") }.contains("EXIT=0"))
        }
    }
}
