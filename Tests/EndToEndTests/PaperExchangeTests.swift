import Foundation
import Testing
import TestServers

extension EndToEnd {
    /// The desk in PAPER mode on one exchange-protocol venue at a time: its local server replays a real capture
    /// (OKX's BTC-USDT `books`, Kraken's XBT/CHF `book-1000` served as v2); the markets panel shows the server's best
    /// bid and ask as dexter's book keeps them, through a checksum the server corrupts on purpose.
    @Suite(.serialized) struct PaperExchangeTests {
        /// What differs from one venue to the next: its server, its name for the market, the control bodies.
        struct Exchange: Sendable, CustomTestStringConvertible {
            let connector: String
            let symbol: String
            /// The symbol as the server's control port names it, and the key it goes under.
            let serverSymbol: String
            let symbolKey: String
            let quote: String
            let start: @Sendable () throws -> LocalServer
            let urls: @Sendable (LocalServer) -> (rest: String, stream: String, private: String)
            /// The control path of the server's top of book.
            let bookPath: String

            var testDescription: String { connector }

            static let okx = Exchange(
                connector: "okx", symbol: "BTC/USDT", serverSymbol: "BTC-USDT", symbolKey: "instId", quote: "USDT",
                start: { try LocalOKX() },
                urls: { let server = $0 as! LocalOKX; return (server.restURL, server.publicWSURL, server.privateWSURL) },
                bookPath: "/control/book?instId=BTC-USDT&limit=1")
            static let kraken = Exchange(
                connector: "kraken", symbol: "BTC/CHF", serverSymbol: "BTC/CHF", symbolKey: "symbol", quote: "CHF",
                start: { try LocalKraken() },
                urls: { let server = $0 as! LocalKraken; return (server.restURL, server.publicWSURL, server.privateWSURL) },
                bookPath: "/control/book?symbol=BTC%2FCHF&depth=1")
        }

        var data = NSTemporaryDirectory() + "dexter-paper-\(UUID().uuidString)"
        var environment: [String: String] { ["XDG_DATA_HOME": data, "XDG_CONFIG_HOME": data + "/config", "HOME": data] }

        /// config.toml.example with its venues, balances and simulator venues replaced by the one venue.
        func config(_ exchange: Exchange, _ server: LocalServer) throws -> String {
            let urls = exchange.urls(server)
            let text = try ExampleConfig.withoutVenues() + """

                [chains]

                [venues.\(exchange.connector)]
                kind = "exchange"
                connector = "\(exchange.connector)"
                taker_fee = "0.001"
                staleness_ms = 600000
                symbols = ["\(exchange.symbol)"]
                rest_url = "\(urls.rest)"
                stream_url = "\(urls.stream)"
                private_url = "\(urls.private)"

                [balances.\(exchange.connector)]
                \(exchange.quote) = "100000"
                BTC = "1"

                """
            let path = data + "/\(exchange.connector).toml"
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        /// The server's best bid and ask, as the markets panel writes them (the captures' BTC prices are ≥ 1,000:
        /// cents, grouped).
        func top(_ exchange: Exchange, _ server: LocalServer) async throws -> (bid: String, ask: String) {
            let book = try #require(try await server.read(exchange.bookPath) as? [String: Any])
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

        @Test(arguments: [Exchange.okx, Exchange.kraken])
        func theMarketsPanelShowsTheVenuesBookThroughABadChecksum(_ exchange: Exchange) async throws {
            let server = try exchange.start()
            defer { server.stop() }
            let path = try config(exchange, server)
            let venue = exchange.connector
            let tmux = Tmux(name: "dexter-paper-\(venue)")
            defer { tmux.kill() }
            try tmux.start("'\(Binary.dexter)' --mode paper --config '\(path)'", width: 120, height: 40, environment: environment)
            try tmux.waitFor("the PAPER screen with \(venue) live") { $0.contains("PAPER") && $0.contains("\(venue) is live") }
            try tmux.keys("8")
            func shows(_ top: (bid: String, ask: String)) -> (String) -> Bool {
                let row = "│ " + venue.padding(toLength: 12, withPad: " ", startingAt: 0) + " " + exchange.symbol
                return { screen in screen.split(separator: "\n").contains { $0.contains(row) && $0.contains("\(top.bid) \(top.ask)") } }
            }
            func body(_ fields: [String: Any]) -> [String: Any] { fields.merging([exchange.symbolKey: exchange.serverSymbol]) { $1 } }
            var expected = try await top(exchange, server)
            try tmux.waitFor("\(venue)'s top in the markets panel: \(expected)", shows(expected))
            try await server.control("/control/advance", body(["updates": 20]))
            expected = try await top(exchange, server)
            try tmux.waitFor("\(venue)'s top after 20 updates: \(expected)", shows(expected))
            // A checksum that does not match: the book is dropped, subscribed again, and exact once more.
            try await server.control("/control/fault", body(["type": "corrupt_checksum", "count": 1]))
            try await server.control("/control/advance", body(["updates": 10]))
            expected = try await top(exchange, server)
            try tmux.keys("Escape")
            try tmux.waitFor("the resync in the log panel") { $0.contains("\(venue) is resyncing (\(exchange.symbol)") }
            let log = try String(contentsOfFile: data + "/.local/state/dexter/paper.log", encoding: .utf8)
            #expect(log.contains("\(venue) is resyncing (\(exchange.symbol) \(exchange.serverSymbol): checksum"),
                    "the reason, whole, in the session log")
            try tmux.keys("8")
            try tmux.waitFor("\(venue)'s top after the resync: \(expected)", shows(expected))
            try tmux.keys("Escape")
            try tmux.keys("q")
            #expect(try tmux.waitFor("dexter to exit") { $0.contains("EXIT=") }.contains("EXIT=0"))
        }
    }
}
